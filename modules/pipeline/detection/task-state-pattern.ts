/** The EventBridge pattern of tasks that failed to start (and, when asked, program failures) on protected clusters. */
import type { IResolvable } from "cdktf";
import { clusterShortName } from "./launch-failure-pattern";
import { hcl, hclFrom, type RawHcl } from "../../hcl/hcl-expression";
import { binnedPatterns } from "./pattern-bins";

/**
 * Matchers for `detail.clusterArn` of ECS events, which always carry the full ARN: a cluster given
 * as an ARN is matched exactly, one given by name by the ARN's ":cluster/NAME" ending (the rule sees
 * only its own account and region, so the ending is unambiguous).
 */
export function clusterArnMatchers(clusters: readonly string[]): unknown[] {
  const seen = new Set<string>();
  return clusters
    .map((c) => (c.startsWith("arn:") ? c : { suffix: `:cluster/${clusterShortName(c)}` }))
    .filter((m) => {
      const key = JSON.stringify(m);
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
}

/** Inputs of {@link taskStateFailurePattern}. */
export interface TaskStateFailurePatternInput {
  /** Protected clusters, names or ARNs. */
  readonly clusters: readonly string[];
  /** `startedBy` values left alone, as for rejected launches. */
  readonly ignoreStartedBy: readonly string[];
  /** Catch tasks that were accepted but stopped before starting (`TaskFailedToStart`). */
  readonly catchFailedToStart: boolean;
  /** Catch tasks that started and exited non-zero (program failures, reported, not rerun). */
  readonly reportProgramFailures: boolean;
}

/**
 * Not a service's task: ECS puts a service's tasks in the group `service:<service name>` (and a
 * `startedBy` of `ecs-svc/...`); the service scheduler replaces them itself, so a standalone rerun
 * would run beside the replacement. `anything-but` with `prefix` is EventBridge content filtering
 * (EventBridge user guide, "Content filtering in Amazon EventBridge event patterns"); `group` is on
 * every task, so no task is dropped for lacking it. The rerun Lambda refuses them too.
 */
export const NOT_A_SERVICE_TASK = { group: [{ "anything-but": { prefix: "service:" } }] } as const;

/** Tasks accepted but stopped before they started. */
export const FAILED_TO_START = { stopCode: ["TaskFailedToStart"] } as const;
/** Tasks that ran and exited non-zero: any container, since events do not say which are essential (the Lambda does). */
export const PROGRAM_FAILED = { stopCode: ["EssentialContainerExited"], containers: { exitCode: [{ "anything-but": 0 }] } } as const;

/** The pattern of a failed task on the clusters `clusterArn` matches (see {@link taskStateFailurePattern}). */
function patternOf(clusterArn: readonly unknown[], input: TaskStateFailurePatternInput): Record<string, unknown> {
  const branches = [...(input.catchFailedToStart ? [FAILED_TO_START] : []), ...(input.reportProgramFailures ? [PROGRAM_FAILED] : [])];
  if (branches.length === 0) throw new Error("catchFailedToStart and reportProgramFailures are both false: there is nothing to catch");
  const detail: Record<string, unknown> = {
    clusterArn: [...clusterArn],
    lastStatus: ["STOPPED"],
    ...NOT_A_SERVICE_TASK,
  };
  if (input.ignoreStartedBy.length > 0) {
    // anything-but never matches a missing field: tasks started without startedBy need their own branch.
    detail.startedBy = [{ "anything-but": [...input.ignoreStartedBy] }, { exists: false }];
  }
  // $or needs two branches; a single one is written inline.
  Object.assign(detail, branches.length === 2 ? { $or: branches.map((b) => ({ ...b })) } : { ...branches[0] });
  return { source: ["aws.ecs"], "detail-type": ["ECS Task State Change"], detail };
}

/**
 * EventBridge pattern for tasks on protected clusters that stopped without having done their job:
 * accepted but never started, and/or started and exited non-zero. One pattern for every cluster,
 * whatever its length: the union of {@link taskStateFailurePatterns}, which the rules use.
 */
export function taskStateFailurePattern(input: TaskStateFailurePatternInput): Record<string, unknown> {
  if (input.clusters.length === 0) throw new Error("clusters = [] is invalid: expected at least one cluster name or ARN");
  return patternOf(clusterArnMatchers(input.clusters), input);
}

/** The patterns of the task-failure rules, keyed "0", "1", ...: {@link taskStateFailurePattern} spread over as many rules as the size limit asks (pattern-bins.ts). */
export function taskStateFailurePatterns(input: TaskStateFailurePatternInput): Record<string, Record<string, unknown>> {
  if (input.clusters.length === 0) throw new Error("clusters = [] is invalid: expected at least one cluster name or ARN");
  return binnedPatterns(clusterArnMatchers(input.clusters), { patternOf: (ms) => patternOf(ms, input), rule: "task-failures", hint: "shorten ignoreStartedBy (module: ignore_started_by)" });
}

/**
 * The JSON texts of {@link clusterArnMatchers} as a Terraform list expression, for clusters only
 * Terraform knows. Matchers mix strings and objects, which no Terraform list can hold, so they stay
 * JSON text until a pattern decodes them.
 */
export function clusterArnMatcherTextsExpression(clusters: readonly string[]): IResolvable {
  return hcl`distinct([for c in ${clusters} : startswith(c, "arn:") ? jsonencode(c) : jsonencode({ suffix = ":cluster/\${c}" })])`;
}

/** A switch of {@link caughtWhen}: a literal or a Terraform bool expression, possibly negated. */
type Switch = { readonly value: boolean | IResolvable; readonly negated?: boolean };

/**
 * `stop` when every switch holds: the object itself when literals decide that it does, undefined when
 * they decide that it does not, else `{ for k, v in stop : k => v if a && !b }`, which Terraform
 * leaves empty unless the switches hold. The condition is written out here rather than by `Op`,
 * whose parentheses `terraform fmt` would glue to the `if`.
 */
function caughtWhen(stop: object, ...switches: readonly Switch[]): unknown {
  if (switches.some((t) => typeof t.value === "boolean" && t.value === (t.negated ?? false))) return undefined;
  const open = switches.filter((t) => typeof t.value !== "boolean");
  if (open.length === 0) return stop;
  const not = (t: Switch) => (t.negated ? "!" : "");
  return hclFrom(["{ for k, v in ", ` : k => v if ${not(open[0])}`, ...open.slice(1).map((t) => ` && ${not(t)}`), " }"], [stop, ...open.map((t) => t.value)]);
}

/** Inputs of {@link taskStateFailurePatternExpression}: each a literal or a Terraform expression (cdktf token). */
export interface TaskStateFailurePatternExpressionInput {
  /** The HCL list expression of the clusterArn matchers (a list of decoded matchers). */
  readonly matchers: RawHcl | IResolvable | readonly string[];
  /** `startedBy` values left alone. */
  readonly ignoreStartedBy: readonly string[];
  /** Catch tasks that were accepted but stopped before starting: a literal or a Terraform bool expression. */
  readonly catchFailedToStart: boolean | IResolvable;
  /** Catch tasks that started and exited non-zero: a literal or a Terraform bool expression. */
  readonly reportProgramFailures: boolean | IResolvable;
}

/**
 * {@link taskStateFailurePattern} as a Terraform expression (a JSON string), for inputs only Terraform
 * knows. The stop condition is one of three objects of different types, which no HCL conditional can
 * choose between, so each is an object filtered by its condition (`{ for k, v in {...} : k => v if c }`
 * is empty unless `c`) and `merge` keeps the one that holds. Literal switches fold away: both true
 * writes the `$or` alone. Both false is refused like in the pure function; both false as Terraform
 * values give a pattern without a stop condition, which the rule switched off by the same values never uses.
 */
export function taskStateFailurePatternExpression(input: TaskStateFailurePatternExpressionInput): IResolvable {
  const catchIt: Switch = { value: input.catchFailedToStart };
  const report: Switch = { value: input.reportProgramFailures };
  const stops = [
    caughtWhen({ $or: [FAILED_TO_START, PROGRAM_FAILED] }, catchIt, report),
    caughtWhen(FAILED_TO_START, catchIt, { ...report, negated: true }),
    caughtWhen(PROGRAM_FAILED, report, { ...catchIt, negated: true }),
  ].filter((stop) => stop !== undefined);
  if (stops.length === 0) throw new Error("catchFailedToStart and reportProgramFailures are both false: there is nothing to catch");
  const detail = [
    hcl`{
  clusterArn = ${input.matchers}
  lastStatus = ["STOPPED"]
  group      = [{ "anything-but" = { prefix = "service:" } }]
}`,
    hcl`{ for k, v in { startedBy = [{ "anything-but" = ${input.ignoreStartedBy} }, { exists = false }] } : k => v if length(${input.ignoreStartedBy}) > 0 }`,
    ...stops,
  ];
  return hcl`jsonencode({
  source        = ["aws.ecs"]
  "detail-type" = ["ECS Task State Change"]
  detail = ${hclFrom(["merge(\n  ", ...detail.slice(1).map(() => ",\n  "), ",\n)"], detail)}
})`;
}
