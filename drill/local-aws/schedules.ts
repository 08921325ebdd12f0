// The local EventBridge and EventBridge Scheduler endpoints: the rules (ListTargetsByRule,
// ListRuleNamesByTarget) and schedules (GetSchedule, ListSchedules) the rerun Lambda reads to find
// a task's original request. They hold what `--schedule` gives the drill; nothing runs on them.
import { ApiError, type LocalService, type Reply } from "./protocol";

export const EVENTS_TARGET_PREFIX = "AWSEvents";
/** Scheduler speaks REST JSON (GET /schedules/{Name}); the router gives it this prefix. */
export const SCHEDULER_PREFIX = "scheduler";

/** A GetSchedule answer, as the drill's `--schedule` file may hold it. */
export interface ScheduleRecord {
  readonly Name: string;
  readonly GroupName?: string;
  readonly Target: Record<string, unknown>;
  readonly [member: string]: unknown;
}

/** What the drill knows: rule name -> its targets, and schedules. */
export interface ScheduleStore {
  readonly rules: Record<string, readonly Record<string, unknown>[]>;
  readonly schedules: readonly ScheduleRecord[];
}

const ok = (body: Record<string, unknown>): Reply => ({ status: 200, body, answer: "ok" });

export class LocalEventRules implements LocalService {
  readonly operations = new Set<string | undefined>(["ListTargetsByRule", "ListRuleNamesByTarget"]);
  constructor(private readonly store: () => ScheduleStore) {}

  answer(op: string, request: Record<string, unknown>): Reply {
    const rules = this.store().rules;
    if (op === "ListTargetsByRule") {
      const rule = request.Rule;
      if (typeof rule !== "string" || !(rule in rules)) throw new ApiError("ResourceNotFoundException", `Rule ${String(rule)} does not exist on EventBus default.`);
      return ok({ Targets: structuredClone(rules[rule]) });
    }
    const arn = request.TargetArn;
    if (typeof arn !== "string" || arn === "") throw new ApiError("ValidationException", "TargetArn is required");
    return ok({ RuleNames: Object.entries(rules).filter(([, targets]) => targets.some((t) => t.Arn === arn)).map(([name]) => name) });
  }
}

export class LocalScheduler implements LocalService {
  readonly operations = new Set<string | undefined>(["GetSchedule", "ListSchedules"]);
  constructor(private readonly store: () => ScheduleStore) {}

  answer(op: string, request: Record<string, unknown>): Reply {
    const schedules = this.store().schedules;
    const group = (s: ScheduleRecord) => s.GroupName ?? "default";
    if (op === "GetSchedule") {
      const wanted = typeof request.GroupName === "string" ? request.GroupName : "default";
      const found = schedules.find((s) => s.Name === request.Name && group(s) === wanted);
      if (!found) throw new ApiError("ResourceNotFoundException", `Schedule ${String(request.Name)} does not exist.`);
      return ok({ ...structuredClone(found), GroupName: group(found) });
    }
    const prefix = typeof request.NamePrefix === "string" ? request.NamePrefix : "";
    return ok({ Schedules: schedules.filter((s) => s.Name.startsWith(prefix)).map((s) => ({ Name: s.Name, GroupName: group(s), Target: { Arn: s.Target.Arn } })) });
  }
}

/** The REST request of Scheduler as an operation and its input (GET /schedules/{Name}?groupName=, GET /schedules?NamePrefix=). */
export function schedulerRequest(method: string | undefined, url: string | undefined): { op: string; request: Record<string, unknown> } | undefined {
  if (method !== "GET" || url === undefined) return undefined;
  const parsed = new URL(url, "http://localhost");
  const one = /^\/schedules\/([^/]+)$/.exec(parsed.pathname);
  if (one) return { op: "GetSchedule", request: { Name: decodeURIComponent(one[1]), ...(parsed.searchParams.get("groupName") ? { GroupName: parsed.searchParams.get("groupName") } : {}) } };
  if (parsed.pathname === "/schedules") return { op: "ListSchedules", request: parsed.searchParams.get("NamePrefix") ? { NamePrefix: parsed.searchParams.get("NamePrefix") } : {} };
  return undefined;
}
