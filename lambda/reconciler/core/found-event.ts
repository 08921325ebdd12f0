/**
 * Reconciler core: the EventBridge event a found failure would have arrived as, so the rerun
 * Lambda's classify reads it exactly as it reads the rules' events, and the starter's execution name
 * (lambda/starter/execution-name.ts) is the one the event path gives the same failure. Pure.
 *
 * - A CloudTrail record becomes an "AWS API Call via CloudTrail" envelope whose `detail` is the
 *   record: the execution is named after `detail.eventID`, as the event path names it.
 * - A stopped task (DescribeTasks) becomes an "ECS Task State Change" envelope whose `detail` is the
 *   task as ECS events carry it (times as ISO strings, not the SDK's Dates): the execution is named
 *   after the task ID, as the event path names it.
 * The marker {@link FOUND_BY_KEY} tells classify (and so the notice) that the reconciler found it;
 * EventBridge never sends such a key, so the input also differs from the event path's, which makes a
 * StartExecution of a name the event path already used answer ExecutionAlreadyExists (the same name
 * with the same input would return the running execution instead, Step Functions API Reference,
 * "StartExecution").
 */

/** Top-level key of a found event's envelope naming who found it. */
export const FOUND_BY_KEY = "ecs-rerun:found-by";
export const FOUND_BY_RECONCILER = "reconciler";

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** The envelope of a CloudTrail record found in event history. `foundAt`: the reconciler run's time (ISO). */
export function cloudTrailEnvelope(record: Record<string, unknown>, foundAt: string): Record<string, unknown> {
  const time = typeof record.eventTime === "string" ? record.eventTime : foundAt;
  return {
    version: "0",
    id: `reconciler-${String(record.eventID ?? "")}`,
    "detail-type": "AWS API Call via CloudTrail",
    source: "aws.ecs",
    account: record.recipientAccountId,
    time,
    region: record.awsRegion,
    resources: [],
    detail: record,
    [FOUND_BY_KEY]: FOUND_BY_RECONCILER,
    "ecs-rerun:found-at": foundAt,
  };
}

/** A value as an event carries it: Dates as ISO strings, all the way down. */
function asEventValue(v: unknown): unknown {
  if (v instanceof Date) return v.toISOString();
  if (Array.isArray(v)) return v.map(asEventValue);
  if (isObject(v)) return Object.fromEntries(Object.entries(v).filter(([, x]) => x !== undefined).map(([k, x]) => [k, asEventValue(x)]));
  return v;
}

/** The envelope of a stopped task found by ListTasks/DescribeTasks, in `account` and `region`. */
export function taskEnvelope(task: Record<string, unknown>, place: { account: string; region: string }, foundAt: string): Record<string, unknown> {
  const detail = asEventValue(task) as Record<string, unknown>;
  const taskArn = String(detail.taskArn ?? "");
  return {
    version: "0",
    id: `reconciler-${taskArn.split("/").pop() ?? ""}`,
    "detail-type": "ECS Task State Change",
    source: "aws.ecs",
    account: place.account,
    time: typeof detail.stoppedAt === "string" ? detail.stoppedAt : foundAt,
    region: place.region,
    resources: [taskArn],
    detail,
    [FOUND_BY_KEY]: FOUND_BY_RECONCILER,
    "ecs-rerun:found-at": foundAt,
  };
}

/** Whether an execution's input event was found by the reconciler. */
export function foundByReconciler(event: unknown): boolean {
  return isObject(event) && event[FOUND_BY_KEY] === FOUND_BY_RECONCILER;
}
