/**
 * Rerun core: where "the original request" comes from, and whether it can be trusted.
 *
 * CloudTrail is not always faithful: since mid-2023 ECS hides container environment overrides in
 * its RunTask records, writing the literal `HIDDEN_DUE_TO_SECURITY_REASONS` where the list was
 * (aws-samples/aws-batch-runtime-monitoring issue #20, 2023-06-21; the record carries
 * `"environment": "HIDDEN_DUE_TO_SECURITY_REASONS"` in place of the array,
 * aws-samples/siem-on-amazon-opensearch-service issue #430). Replaying that is a different job. So
 * the source of truth is, in order: the schedule that launched the task (its rule target or
 * Scheduler schedule holds the real overrides), the CloudTrail record when nothing in it is
 * hidden, the task record when it can be faithful; otherwise nothing is launched and a human gets
 * what could be recovered.
 */

/** The literal CloudTrail writes for a value it hides. */
export const HIDDEN = "HIDDEN_DUE_TO_SECURITY_REASONS";

export type RequestSource = "schedule" | "cloudtrail" | "task-record";

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * Every place of `request` where CloudTrail hid a value, named for a human: a container's whole
 * environment (`overrides.containerOverrides[app].environment`), one variable
 * (`...environment[DB_URL]`), or any other field. Empty when nothing is hidden.
 */
export function hiddenValues(request: unknown): string[] {
  const found: string[] = [];
  const walk = (value: unknown, path: string): void => {
    if (value === HIDDEN) {
      found.push(path);
    } else if (Array.isArray(value)) {
      value.forEach((item, i) => {
        // Name list entries by their own name (a container, a variable) when they have one.
        const label = isObject(item) && typeof item.name === "string" ? item.name : String(i);
        walk(isObject(item) && item.value === HIDDEN && typeof item.name === "string" ? HIDDEN : item, `${path}[${label}]`);
      });
    } else if (isObject(value)) {
      for (const [key, v] of Object.entries(value)) walk(v, path === "" ? key : `${path}.${key}`);
    }
  };
  walk(request, "");
  return found;
}

/**
 * Where ECS cuts `startedBy`: StartTask takes up to 36 characters, RunTask up to 128 (ECS API
 * Reference, StartTask and RunTask, request parameter `startedBy`: "Up to 36 letters ..." and "Up to
 * 128 letters ..."). EventBridge-launched tasks have been seen with `startedBy` cut at exactly 36
 * characters, so a value of exactly 36 may be the start of a longer name.
 */
export const STARTED_BY_CUT_LENGTH = 36;

/**
 * The schedule a task's `startedBy` names. EventBridge rules start their ECS targets with
 * `events-rule/<rule name>` and EventBridge Scheduler with `chronos-schedule/<schedule name>`
 * (observed values, not documented by AWS; see shared/events/README.md). A value of exactly
 * STARTED_BY_CUT_LENGTH characters may have been cut short: `truncated` says the name is then only a
 * prefix. A shorter value is whole, and so is a longer one: a cut leaves exactly 36, and RunTask
 * itself takes up to 128, so a longer value names its rule or schedule in full.
 */
export function scheduleOf(startedBy: string | undefined): { kind: "rule" | "schedule"; name: string; truncated: boolean } | undefined {
  if (startedBy === undefined) return undefined;
  const truncated = startedBy.length === STARTED_BY_CUT_LENGTH;
  if (startedBy.startsWith("events-rule/")) return { kind: "rule", name: startedBy.slice("events-rule/".length), truncated };
  if (startedBy.startsWith("chronos-schedule/")) return { kind: "schedule", name: startedBy.slice("chronos-schedule/".length), truncated };
  return undefined;
}

/**
 * A member of an EventBridge or Scheduler structure: their APIs spell the same field in either case.
 * `name` is always written as EventBridge spells it (PascalCase), so its camelCase is the only other.
 */
function member(obj: unknown, name: string): unknown {
  if (!isObject(obj)) return undefined;
  return obj[name] ?? obj[name.charAt(0).toLowerCase() + name.slice(1)];
}

const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const defined = (o: Json): Json => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && !(Array.isArray(v) && v.length === 0)));

/** The task definition a target launches, as family:revision, for matching against the failed task's. */
export function familyRevision(taskDefinition: string): string {
  return taskDefinition.replace(/^arn:[^:]+:ecs:[^:]+:\d+:task-definition\//, "");
}

/**
 * The RunTask request an EventBridge rule target (ListTargetsByRule) or a Scheduler schedule's
 * target (GetSchedule) makes: `EcsParameters` give the launch settings and `Input` the task
 * overrides (for an ECS target the input is the RunTask `overrides`, a TaskOverride as JSON).
 * Undefined when the target does not launch ECS tasks, or shapes its input in a way a stored
 * target cannot say (InputPath, InputTransformer: the input depends on the event).
 */
export function requestFromTarget(target: unknown, startedBy: string | undefined): Json | undefined {
  const ecs = member(target, "EcsParameters");
  const taskDefinition = member(ecs, "TaskDefinitionArn");
  if (!isObject(ecs) || typeof taskDefinition !== "string") return undefined;
  if (member(target, "InputPath") !== undefined || member(target, "InputTransformer") !== undefined) return undefined;
  const input = member(target, "Input");
  let overrides: unknown;
  if (typeof input === "string" && input.trim() !== "") {
    try {
      overrides = JSON.parse(input);
    } catch {
      return undefined;
    }
  }
  const vpc = member(member(ecs, "NetworkConfiguration"), "AwsvpcConfiguration");
  const tags = list(member(ecs, "Tags")).flatMap((t) => {
    const key = member(t, "Key");
    // Scheduler writes each tag as a one-entry map { name: value }.
    if (typeof key === "string") return [{ key, value: member(t, "Value") }];
    return isObject(t) ? Object.entries(t).map(([k, v]) => ({ key: k, value: v })) : [];
  });
  return defined({
    cluster: member(target, "Arn"),
    taskDefinition,
    count: member(ecs, "TaskCount") ?? 1,
    launchType: member(ecs, "LaunchType"),
    platformVersion: member(ecs, "PlatformVersion"),
    group: member(ecs, "Group"),
    capacityProviderStrategy: list(member(ecs, "CapacityProviderStrategy")).map((c) =>
      defined({ capacityProvider: member(c, "CapacityProvider"), weight: member(c, "Weight"), base: member(c, "Base") }),
    ),
    networkConfiguration: isObject(vpc)
      ? { awsvpcConfiguration: defined({ subnets: member(vpc, "Subnets"), securityGroups: member(vpc, "SecurityGroups"), assignPublicIp: member(vpc, "AssignPublicIp") }) }
      : undefined,
    placementConstraints: list(member(ecs, "PlacementConstraints")).map((p) => defined({ type: member(p, "Type"), expression: member(p, "Expression") })),
    placementStrategy: list(member(ecs, "PlacementStrategy")).map((p) => defined({ type: member(p, "Type"), field: member(p, "Field") })),
    propagateTags: member(ecs, "PropagateTags"),
    referenceId: member(ecs, "ReferenceId"),
    enableECSManagedTags: member(ecs, "EnableECSManagedTags"),
    enableExecuteCommand: member(ecs, "EnableExecuteCommand"),
    tags,
    overrides,
    // ECS sets this itself when the schedule launches; a rerun carries the same, so the missed-run
    // watch and anything else keyed on it count the rerun as the job's run.
    startedBy,
  });
}

/** Whether a target launches `taskDefinition` on `cluster` (both as a failure records them). */
export function targetMatches(target: unknown, cluster: string, taskDefinition: string): boolean {
  const arn = member(target, "Arn");
  const td = member(member(target, "EcsParameters"), "TaskDefinitionArn");
  if (typeof arn !== "string" || typeof td !== "string") return false;
  const clusterName = (c: string) => c.slice(c.lastIndexOf("/") + 1);
  const sameTd = familyRevision(td) === familyRevision(taskDefinition) || familyRevision(td) === familyRevision(taskDefinition).replace(/:\d+$/, "");
  return clusterName(arn) === clusterName(cluster) && sameTd;
}

/** Whether a request rebuilt from a task record is faithful enough to launch. */
export function taskRecordUnfaithful(notCarriedOver: readonly string[] | undefined): string[] {
  // awsvpc: the task's ENI names its subnet only. Without the security groups ECS would use the
  // VPC's default group, and without assignPublicIp no public IP: a different network, a
  // different job (it may not reach what it needs).
  return (notCarriedOver ?? []).filter((m) => m === "networkConfiguration.securityGroups" || m === "networkConfiguration.assignPublicIp");
}

const shellQuote = (s: string) => (/^[A-Za-z0-9_./:=,@+-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);

/**
 * A ready `aws ecs run-task` command with everything that could be recovered; hidden values are
 * left out (and named by the notice), for a human to put back before running it. `region` is
 * written out: a hub's notice about a spoke's failure is read by someone whose CLI defaults to
 * another region, and a bare cluster name would then launch there (the account is the credentials'
 * to choose, so the notice names it beside the command).
 */
export function runTaskCommand(request: Json, region?: string): string {
  const withoutHidden = (value: unknown): unknown => {
    // Filtered before the items are cleaned: cleaning drops an item's hidden `value`, after which
    // `{"name": "DB_URL"}` would stay and the command would set the variable to nothing.
    if (Array.isArray(value)) return value.filter((v) => v !== HIDDEN && !(isObject(v) && v.value === HIDDEN)).map(withoutHidden);
    if (isObject(value)) return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== HIDDEN).map(([k, v]) => [k, withoutHidden(v)]));
    return value;
  };
  const r = withoutHidden(request) as Json;
  const parts = ["aws ecs run-task"];
  const flag = (name: string, value: unknown) => {
    if (value === undefined || value === null || (Array.isArray(value) && value.length === 0)) return;
    parts.push(`--${name} ${shellQuote(typeof value === "string" || typeof value === "number" ? String(value) : JSON.stringify(value))}`);
  };
  // RunTask's request members and the CLI options that carry them, in the CLI's own order.
  const options: [string, string][] = [
    ["cluster", "cluster"],
    ["task-definition", "taskDefinition"],
    ["count", "count"],
    ["launch-type", "launchType"],
    ["capacity-provider-strategy", "capacityProviderStrategy"],
    ["platform-version", "platformVersion"],
    ["network-configuration", "networkConfiguration"],
    ["group", "group"],
    ["started-by", "startedBy"],
    ["overrides", "overrides"],
    ["placement-constraints", "placementConstraints"],
    ["placement-strategy", "placementStrategy"],
    ["tags", "tags"],
    ["reference-id", "referenceId"],
    ["volume-configurations", "volumeConfigurations"],
  ];
  for (const [option, key] of options) flag(option, r[key]);
  flag("propagate-tags", r.propagateTags);
  if (r.enableECSManagedTags === true) parts.push("--enable-ecs-managed-tags");
  // The CLI's switch pair for ECS Exec (AWS CLI reference, ecs run-task/start-task:
  // --enable-execute-command | --disable-execute-command); off is the API's default.
  if (r.enableExecuteCommand === true) parts.push("--enable-execute-command");
  flag("region", region);
  return parts.join(" ");
}
