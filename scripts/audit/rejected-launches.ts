/**
 * The audit's judgement, pure: which CloudTrail records are rejected ECS launches, and the sums a
 * person reads. A rejected launch is a RunTask or StartTask call that ECS answered (no `errorCode`)
 * with a non-empty `responseElements.failures`: the call "succeeded", so EventBridge neither retried
 * nor dead-lettered it, and the tasks it lists as failures never ran. Every cluster counts, protected
 * or not: the audit shows what was lost, whether or not a pipeline watches it.
 */
import { executionNameFor } from "../../lambda/starter/execution-name";
import { OWNER_TAG_EVENT_ID, type LaunchAction } from "../../lambda/shared/contract";
import { parseLaunchEvent, CLOUDTRAIL_DETAIL_TYPE, LAUNCH_ACTIONS } from "../../lambda/rerun/core/failure/cloudtrail-event";
import { RELAUNCH_ROLE_PATH } from "../../modules/pipeline/iam/relaunch-identity";

/** One rejected launch, as the audit lists it. */
export interface RejectedLaunch {
  /** CloudTrail's `eventID`: the launch's identity (a duplicate record repeats it). */
  readonly eventId: string;
  /** `eventTime`, as CloudTrail wrote it. */
  readonly time: string;
  readonly action: LaunchAction;
  readonly account: string;
  readonly region: string;
  /** The cluster's short name ("default" when the call named none). */
  readonly cluster: string;
  readonly taskDefinition: string;
  /** The distinct reasons of `failures[]` ("(no reason)" for an entry without one). */
  readonly reasons: readonly string[];
  /** Tasks asked for, and how many of them ECS did not place. */
  readonly requested: number;
  readonly notStarted: number;
  readonly startedBy?: string;
  /** The role or user that called, as CloudTrail names it. */
  readonly caller?: string;
  /** When the call was an ecs-rerun rerun: the event ID of the failure it reran (its owner tag). */
  readonly rerunOf?: string;
  /** The name of the one execution an ecs-rerun pipeline gives this failure (the starter's name). */
  readonly executionName: string;
}

/** What the records held, after the filters. */
export interface LaunchCalls {
  /** Rejected launches, each once, oldest first. */
  readonly rejected: RejectedLaunch[];
  /** RunTask/StartTask calls that ECS answered without failures. */
  readonly launched: number;
  /** Calls refused with an error (`errorCode`: throttled, access denied, ...), by error: the caller saw these. */
  readonly errored: Record<string, number>;
  /** Records repeated with an eventID already seen (CloudTrail can deliver a record twice). */
  readonly duplicates: number;
}

/** Which records count. */
export interface AuditFilter {
  /** Clusters to keep, by short name or ARN (an ARN also pins the account and region). @default every cluster */
  readonly clusters?: readonly string[];
  /** Keep records at or after this time. @default no bound */
  readonly since?: Date;
  /** Keep records before this time. @default no bound */
  readonly until?: Date;
  /** Keep records of this region only. @default every region */
  readonly region?: string;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const lastSegment = (s: string) => s.slice(s.lastIndexOf("/") + 1);

/** Does the call's cluster (as written, in its account and region) match one of the filter's? */
function clusterMatches(filter: readonly string[], cluster: string, account: string, region: string): boolean {
  const name = lastSegment(cluster);
  return filter.some((wanted) => {
    const arn = /^arn:[a-z-]+:ecs:([a-z0-9-]+):(\d{12}):cluster\/(.+)$/.exec(wanted);
    if (!arn) return wanted === name;
    return arn[3] === name && arn[1] === region && arn[2] === account;
  });
}

/** The IAM identity that called: the role (path included) for a role session, else the ARN. */
function callerOf(record: Record<string, unknown>): string | undefined {
  const identity = isRecord(record.userIdentity) ? record.userIdentity : undefined;
  const issuer = isRecord(identity?.sessionContext) && isRecord(identity.sessionContext.sessionIssuer) ? identity.sessionContext.sessionIssuer : undefined;
  if (typeof issuer?.arn === "string") return issuer.arn;
  if (typeof identity?.arn === "string") return identity.arn;
  return typeof identity?.invokedBy === "string" ? identity.invokedBy : undefined;
}

/** The owner tag an ecs-rerun rerun carries in its own request, when the caller is a relaunch role. */
function rerunOf(request: Record<string, unknown>, caller: string | undefined): string | undefined {
  if (!caller?.includes(`:role${RELAUNCH_ROLE_PATH}`)) return undefined;
  const tags = Array.isArray(request.tags) ? request.tags : [];
  const owner = tags.find((t) => isRecord(t) && t.key === OWNER_TAG_EVENT_ID);
  return isRecord(owner) && typeof owner.value === "string" ? owner.value : undefined;
}

/** What the rerun Lambda reads from the record, or the record's own fields where it would refuse it. */
function readFailure(envelope: object, record: Record<string, unknown>, request: Record<string, unknown>, cluster: string, failures: number) {
  try {
    return parseLaunchEvent(envelope);
  } catch {
    const str = (v: unknown) => (typeof v === "string" ? v : "");
    return {
      eventId: str(record.eventID),
      eventTime: str(record.eventTime),
      action: record.eventName as LaunchAction,
      account: str(record.recipientAccountId),
      region: str(record.awsRegion),
      clusterName: lastSegment(cluster),
      taskDefinition: str(request.taskDefinition),
      requested: failures,
      remaining: failures,
      startedBy: typeof request.startedBy === "string" && request.startedBy !== "" ? request.startedBy : undefined,
    };
  }
}

/**
 * Sorts the records into rejected launches, answered launches and errors, each eventID once.
 * Records of other services or calls are passed over.
 */
export function launchCalls(records: readonly Record<string, unknown>[], filter: AuditFilter = {}): LaunchCalls {
  const seen = new Set<string>();
  const rejected: RejectedLaunch[] = [];
  const errored: Record<string, number> = {};
  let launched = 0;
  let duplicates = 0;
  for (const record of records) {
    if (record.eventSource !== "ecs.amazonaws.com" || !LAUNCH_ACTIONS.includes(record.eventName as LaunchAction)) continue;
    const time = typeof record.eventTime === "string" ? new Date(record.eventTime) : undefined;
    if (filter.since && !(time && time >= filter.since)) continue;
    if (filter.until && !(time && time < filter.until)) continue;
    if (filter.region !== undefined && record.awsRegion !== filter.region) continue;
    const request = isRecord(record.requestParameters) ? record.requestParameters : {};
    const cluster = typeof request.cluster === "string" && request.cluster !== "" ? request.cluster : "default";
    if (filter.clusters && !clusterMatches(filter.clusters, cluster, String(record.recipientAccountId), String(record.awsRegion))) continue;
    const eventId = typeof record.eventID === "string" ? record.eventID : "";
    if (eventId !== "") {
      if (seen.has(eventId)) {
        duplicates++;
        continue;
      }
      seen.add(eventId);
    }
    if (typeof record.errorCode === "string" && record.errorCode !== "") {
      errored[record.errorCode] = (errored[record.errorCode] ?? 0) + 1;
      continue;
    }
    const response = isRecord(record.responseElements) ? record.responseElements : {};
    if (!Array.isArray(response.failures) || response.failures.length === 0) {
      launched++;
      continue;
    }
    // The rerun Lambda's own reading of a record: the same shortfall it would act on. A record it
    // refuses (a StartTask without container instances, say) is still a loss: counted from its failures.
    const envelope = { "detail-type": CLOUDTRAIL_DETAIL_TYPE, detail: record };
    const failure = readFailure(envelope, record, request, cluster, response.failures.length);
    const caller = callerOf(record);
    const reasons = [...new Set(response.failures.map((f) => (isRecord(f) && typeof f.reason === "string" && f.reason !== "" ? f.reason : "(no reason)")))];
    const of = rerunOf(request, caller);
    rejected.push({
      eventId: failure.eventId,
      time: failure.eventTime,
      action: failure.action,
      account: failure.account,
      region: failure.region,
      cluster: failure.clusterName,
      taskDefinition: failure.taskDefinition,
      reasons,
      requested: failure.requested,
      notStarted: failure.remaining,
      ...(failure.startedBy !== undefined ? { startedBy: failure.startedBy } : {}),
      ...(caller !== undefined ? { caller } : {}),
      ...(of !== undefined ? { rerunOf: of } : {}),
      executionName: executionNameFor(envelope) as string,
    });
  }
  rejected.sort((a, b) => a.time.localeCompare(b.time) || a.eventId.localeCompare(b.eventId));
  return { rejected, launched, errored, duplicates };
}

/** Counts of rejected launches by a key; every launch is counted under exactly one key. */
export function countBy(launches: readonly RejectedLaunch[], key: (l: RejectedLaunch) => string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const l of launches) out[key(l)] = (out[key(l)] ?? 0) + 1;
  return Object.fromEntries(Object.entries(out).sort(([a, x], [b, y]) => y - x || a.localeCompare(b)));
}

/** The keys the audit sums by: each launch under one cluster, one reason set and one startedBy. */
export const BY = {
  cluster: (l: RejectedLaunch) => `${l.cluster} (${l.account}/${l.region})`,
  reason: (l: RejectedLaunch) => l.reasons.join(", "),
  startedBy: (l: RejectedLaunch) => l.startedBy ?? "(none)",
} as const;
