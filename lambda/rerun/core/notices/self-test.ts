/**
 * Rerun core: the answer to a self-test (shared/self-test.ts). Nothing is looked up and nothing is
 * launched: the failure is a stand-in naming the pipeline's own place, the decision `self_test`
 * ends the execution successfully after its one notice (the state machine's Route default:
 * NotifyAndEnd), and the notice says which execution carried it, so whoever ran the self-test can
 * see the whole path (starter, state machine, this Lambda, topic, notifier) worked.
 */
import type { Decision, LaunchFailure, Notice, RerunLambdaOutput } from "../../../shared/contract";
import type { SelfTestEvent } from "../../../shared/self-test";

/** What a self-test's notice and failure name in place of a cluster and a task definition. */
export const SELF_TEST_SUBJECT = "ecs-rerun-self-test";

/** The place a Step Functions execution ARN names: arn:PARTITION:states:REGION:ACCOUNT:execution:MACHINE:NAME. */
function placeOfExecution(executionArn: string): { region?: string; account?: string } {
  const parts = executionArn.split(":");
  return parts.length >= 8 && parts[0] === "arn" && parts[2] === "states" ? { region: parts[3], account: parts[4] } : {};
}

const text = (value: unknown, max: number): string | undefined => (typeof value === "string" && value.trim() !== "" ? value.trim().slice(0, max) : undefined);

/** The output the state machine gets for a self-test: one notice, kind self_test; no launch, no lookup. */
export function selfTestOutput(event: SelfTestEvent, executionArn: string, maxAttempts: number): RerunLambdaOutput {
  // The execution's own ARN names where the pipeline runs; the event's fields are the sender's word.
  const place = placeOfExecution(executionArn);
  const region = place.region ?? text(event.region, 32) ?? "unknown";
  const account = place.account ?? text(event.account, 12) ?? "unknown";
  const eventId = text(event.id, 128) ?? "self-test";
  const sentBy = text((event.detail as { sentBy?: unknown } | undefined)?.sentBy, 200);
  const message = "Self-test: the starter, the state machine, the rerun Lambda, the notices topic and this notifier all work. Nothing was launched.";
  const failure: LaunchFailure = {
    source: "self-test",
    failureType: "rejected",
    eventId,
    action: "RunTask",
    region,
    account,
    cluster: SELF_TEST_SUBJECT,
    clusterName: SELF_TEST_SUBJECT,
    taskDefinition: SELF_TEST_SUBJECT,
    eventTime: text(event.time, 40) ?? new Date(0).toISOString(),
    request: { taskDefinition: SELF_TEST_SUBJECT },
    requested: 0,
    placed: 0,
    remaining: 0,
    reasons: [],
    reasonKind: "launch",
    failures: [],
    taskArns: [],
    attemptsLaunched: 0,
    unconfirmedTaskArns: [],
  };
  const decision: Decision = { next: "self_test", attempt: 0, nextAttempt: 0, maxAttempts, delaySeconds: 0, retryable: false, message };
  const notice: Notice = {
    kind: "self_test",
    source: "self-test",
    failureType: failure.failureType,
    cluster: failure.cluster,
    clusterName: failure.clusterName,
    taskDefinition: failure.taskDefinition,
    action: failure.action,
    reasons: [],
    attempt: 0,
    maxAttempts,
    requested: 0,
    placed: 0,
    remaining: 0,
    message,
    eventId,
    executionArn,
    region,
    account,
    eventTime: failure.eventTime,
    taskArns: [],
    ...(sentBy !== undefined ? { sentBy } : {}),
  };
  return { failure, decision, notice, noticeMessage: JSON.stringify(notice) };
}
