// Recognising an SNS message: a Notice (from the state machine), a CloudWatch alarm notification,
// or anything else (plain text).
import { NOTICE_KINDS, type Notice, type NoticeKind } from "../shared/contract";

/** The fields of a CloudWatch alarm notification the notifier uses. `Region` is a display name ("US East (N. Virginia)"). */
export interface AlarmNotification {
  AlarmName: string;
  NewStateValue: string;
  NewStateReason?: string;
  OldStateValue?: string;
  AlarmArn?: string;
  AlarmDescription?: string | null;
  Region?: string;
  AWSAccountId?: string;
  StateChangeTime?: string;
}

export type ParsedMessage =
  | { kind: NoticeKind; notice: Notice }
  | { kind: "alarm"; alarm: AlarmNotification }
  | { kind: "text"; text: string };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function isNotice(value: unknown): value is Notice {
  return (
    isRecord(value) &&
    NOTICE_KINDS.includes(value.kind as NoticeKind) &&
    typeof value.cluster === "string" &&
    typeof value.taskDefinition === "string" &&
    typeof value.eventId === "string"
  );
}

export function isAlarmNotification(value: unknown): value is AlarmNotification {
  return isRecord(value) && typeof value.AlarmName === "string" && typeof value.NewStateValue === "string";
}

export function parseMessage(message: string): ParsedMessage {
  let value: unknown;
  try {
    value = JSON.parse(message);
  } catch {
    return { kind: "text", text: message };
  }
  if (isNotice(value)) return { kind: value.kind, notice: value };
  if (isAlarmNotification(value)) return { kind: "alarm", alarm: value };
  return { kind: "text", text: message };
}
