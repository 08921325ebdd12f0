// The local EventBridge and EventBridge Scheduler endpoints: the rules (ListTargetsByRule,
// ListRuleNamesByTarget) and schedules (GetSchedule, ListSchedules) the rerun Lambda reads to find
// a task's original request. They hold what `--schedule` gives the drill; nothing runs on them.
// They answer as the real APIs do where it matters to a caller: GetSchedule without GroupName reads
// only the `default` group (Scheduler API Reference, GetSchedule), ListSchedules without GroupName
// lists every group, and both listings page with NextToken.
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
  /** Entries per page of ListRuleNamesByTarget and ListSchedules when the caller sets no limit. @default 100 */
  readonly pageSize?: number;
}

const ok = (body: Record<string, unknown>): Reply => ({ status: 200, body, answer: "ok" });

/**
 * One page of `items` from the opaque token `NextToken` (the offset, as the real tokens are
 * opaque too), `limit` long; NextToken in the answer only while more follow.
 */
export function page<T>(items: readonly T[], request: Record<string, unknown>, limitField: string, fallback: number | undefined): { items: T[]; NextToken?: string } {
  const token = request.NextToken;
  const start = token === undefined || token === "" ? 0 : Number.parseInt(Buffer.from(String(token), "base64url").toString("utf8").replace(/^offset:/, ""), 10);
  if (!Number.isInteger(start) || start < 0 || start > items.length) throw new ApiError("ValidationException", `NextToken ${String(token)} is not valid`);
  const asked = Number(request[limitField]);
  const limit = Number.isInteger(asked) && asked > 0 ? asked : (fallback ?? 100);
  const end = start + limit;
  return { items: items.slice(start, end), ...(end < items.length ? { NextToken: Buffer.from(`offset:${end}`, "utf8").toString("base64url") } : {}) };
}

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
    const named = Object.entries(rules).filter(([, targets]) => targets.some((t) => t.Arn === arn)).map(([name]) => name);
    const one = page(named, request, "Limit", this.store().pageSize);
    return ok({ RuleNames: one.items, ...(one.NextToken ? { NextToken: one.NextToken } : {}) });
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
    // Without GroupName, every group's schedules.
    const inGroup = (s: ScheduleRecord) => typeof request.GroupName !== "string" || group(s) === request.GroupName;
    const listed = schedules.filter((s) => s.Name.startsWith(prefix) && inGroup(s)).map((s) => ({ Name: s.Name, GroupName: group(s), Target: { Arn: s.Target.Arn } }));
    const one = page(listed, request, "MaxResults", this.store().pageSize);
    return ok({ Schedules: one.items, ...(one.NextToken ? { NextToken: one.NextToken } : {}) });
  }
}

/**
 * The REST request of Scheduler as an operation and its input: GET /schedules/{Name}?groupName=,
 * GET /schedules?NamePrefix=&ScheduleGroup=&NextToken=&MaxResults= (the query names the SDK's
 * ListSchedules serializer writes; ScheduleGroup carries the input's GroupName).
 */
export function schedulerRequest(method: string | undefined, url: string | undefined): { op: string; request: Record<string, unknown> } | undefined {
  if (method !== "GET" || url === undefined) return undefined;
  const parsed = new URL(url, "http://localhost");
  const one = /^\/schedules\/([^/]+)$/.exec(parsed.pathname);
  if (one) return { op: "GetSchedule", request: { Name: decodeURIComponent(one[1]), ...(parsed.searchParams.get("groupName") ? { GroupName: parsed.searchParams.get("groupName") } : {}) } };
  if (parsed.pathname === "/schedules") {
    const query: [string, string][] = [["NamePrefix", "NamePrefix"], ["ScheduleGroup", "GroupName"], ["NextToken", "NextToken"], ["MaxResults", "MaxResults"]];
    return { op: "ListSchedules", request: Object.fromEntries(query.flatMap(([q, member]) => (parsed.searchParams.get(q) ? [[member, parsed.searchParams.get(q)]] : []))) };
  }
  return undefined;
}
