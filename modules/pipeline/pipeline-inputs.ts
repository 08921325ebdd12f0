// The pipeline's inputs: their limits and defaults, and the checks literal values must pass before
// anything is built (the Terraform module turns the same limits into its validation blocks).
import { Token, type IResolvable } from "cdktf";
import { holdsTokens } from "../hcl/hcl-expression";
import { presenceOf, type Presence } from "../hcl/presence";
import type { DocumentEncoding } from "../iam";
import type { ExpectedRun } from "./missed-runs/missed-run";
import type { EcsRerunPipelineProps } from "./pipeline-props";
import { checkRoleOptions, type RoleOptions } from "./iam/role-options";
import { InputError, propOf } from "../input-error";
import { checkClusterRegions } from "./cluster-place";
import { DEFAULT_RETRYABLE_REASONS } from "../../lambda/rerun/config";
import { DEFAULT_LAUNCHES_PER_SECOND, LAUNCHES_PER_SECOND_LIMITS } from "../../lambda/rerun/core/relaunch/pacing";
import { RECONCILE_EVERY_MINUTES } from "./reconciler/reconciler-names";

/** Default reasons worth a rerun: they describe a moment, not a configuration (the Lambda's own defaults). */
export { DEFAULT_RETRYABLE_REASONS };
/** Default `startedBy` values left alone: those callers retry on their own. */
export const DEFAULT_IGNORE_STARTED_BY = ["AWS Step Functions"] as const;

/**
 * What the inputs may be. The construct checks literal inputs against these; the Terraform module
 * turns them into `validation` blocks, so both refuse the same values. Patterns are valid in
 * JavaScript and in Terraform's RE2 alike.
 */
export const INPUT_LIMITS = {
  namePattern: "^[a-zA-Z0-9-]{1,40}$",
  clusterPattern: "^(arn:aws[a-z-]*:ecs:[a-z0-9-]+:[0-9]{12}:cluster/)?[A-Za-z0-9_-]{1,255}$",
  emailPattern: "^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$",
  // RE2 refuses repetition counts above 1000, so the name's length is a check of its own.
  parameterNamePattern: "^/?[a-zA-Z0-9_./-]+$",
  parameterNameMaxLength: 2011,
  maxAttempts: { min: 1, max: 10 },
  firstDelaySeconds: { min: 0, max: 3600 },
  backoffRate: { min: 1, max: 10 },
  maxDelaySeconds: { min: 1, max: 86400 },
  jitter: ["FULL", "NONE"],
  logRetentionDays: [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653],
  verifyIntervalSeconds: { min: 0, max: 3600 },
  verifyTimeoutSeconds: { min: 60, max: 86400 },
  familyPattern: "^[A-Za-z0-9_-]{1,255}$",
  stateMachineLogLevel: ["ALL", "ERROR", "FATAL", "OFF"],
  launchesPerSecond: LAUNCHES_PER_SECOND_LIMITS,
  reconcileEveryMinutes: { min: 0, max: RECONCILE_EVERY_MINUTES.max },
  /** A customer-managed KMS key (the topic's, the Slack parameter's). */
  kmsKeyArnPattern: "^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/[A-Za-z0-9-]+$",
  /** A role the rerun may pass to tasks. */
  passRoleArnPattern: "^arn:aws[a-z-]*:iam::[0-9]{12}:role/",
} as const;

/** Refuses a literal value that is not allowed; a Terraform expression is left to Terraform's validation. */
function check<T>(value: T, name: string, ok: (v: T) => boolean, allowed: string): void {
  if (!Token.isUnresolved(value) && !ok(value)) throw new InputError(propOf(name), `${name} = ${JSON.stringify(value)} is invalid: ${allowed}`);
}

/** Literal list elements, each checked on its own (a Terraform list as a whole is not). */
const literalItems = <T>(list: readonly T[]): readonly T[] => (Token.isUnresolved(list) ? [] : list);

const isInt = (v: number, limit: { min: number; max: number }) => Number.isInteger(v) && v >= limit.min && v <= limit.max;

/** The props with their defaults filled in, each literal one checked: what the pipeline is built from. */
export interface PipelineInputs {
  /** Whether to create anything: `true`, or a Terraform bool expression. */
  readonly create: Presence;
  /** Prefix of every resource name. */
  readonly name: string;
  /** Failure reasons that are rerun. */
  readonly retryableReasons: readonly string[];
  /** Reruns before giving up. */
  readonly maxAttempts: number;
  /** Wait before the first rerun, in seconds. */
  readonly firstDelaySeconds: number;
  /** Factor by which each wait's cap grows. */
  readonly backoffRate: number;
  /** Largest wait, in seconds. */
  readonly maxDelaySeconds: number;
  /** Whether both delays are literals, so their order was checked here rather than left to Terraform. */
  readonly delaysKnown: boolean;
  /** "FULL" or "NONE". */
  readonly jitter: "FULL" | "NONE";
  /** `startedBy` values whose failed calls are not rerun. */
  readonly ignoreStartedBy: readonly string[];
  /** Days logs are kept. */
  readonly logRetentionDays: number;
  /** Email addresses subscribed to the notices. */
  readonly notificationEmails: readonly string[];
  /** Name of the SSM parameter holding the Slack webhook URL, if any. */
  readonly slackParameter: string | undefined;
  /** Whether tasks that stopped before starting are caught. */
  readonly catchFailedToStart: Presence;
  /** Whether program failures are reported. */
  readonly reportProgramFailures: Presence;
  /** Task definition families whose program failures are rerun. */
  readonly rerunProgramFailureFamilies: readonly string[];
  /** Seconds between a rerun and the check that its tasks started. */
  readonly verifyIntervalSeconds: number;
  /** Seconds a rerun's tasks may take to start. */
  readonly verifyTimeoutSeconds: number;
  /** Whether both verification times are literals, so their order was checked here rather than left to Terraform. */
  readonly verifyKnown: boolean;
  /** Jobs that must succeed once per interval. */
  readonly expectedRuns: readonly ExpectedRun[] | IResolvable;
  /** Which execution events the state machine logs. */
  readonly stateMachineLogLevel: string;
  /** Whether the state machine's logs carry execution data (inputs and outputs, overrides included). */
  readonly logExecutionData: boolean | IResolvable;
  /** Whether reruns are paced through the shared launch clock. */
  readonly paceLaunches: Presence;
  /** Tasks launched per second by all reruns of the account and region together. */
  readonly launchesPerSecond: number;
  /** Minutes between reconciler runs; 0: no reconciler. */
  readonly reconcileEveryMinutes: number;
  /** How policy documents are written: JSON text, or `jsonencode(...)` when inputs are expressions. */
  readonly encoding: DocumentEncoding;
  /** The permissions boundary and path every role takes (role-options.ts). */
  readonly roles: RoleOptions;
}

/** Fills in the defaults and refuses literal values that are not allowed (in the order of the props). */
export function resolveInputs(props: EcsRerunPipelineProps): PipelineInputs {
  const L = INPUT_LIMITS;
  const create = presenceOf(props.create, true);
  if (create === false) throw new InputError("create", "create = false is invalid: expected true or a Terraform expression (to create nothing, leave the construct out)");
  const name = props.name ?? "ecs-rerun";
  check(name, "name", (v) => new RegExp(L.namePattern).test(v), "expected 1-40 letters, digits or dashes");
  check(props.clusters, "clusters", (v) => v.length > 0, "expected at least one cluster name or ARN");
  for (const c of literalItems(props.clusters)) check(c, "clusters[]", (v) => new RegExp(L.clusterPattern).test(v), "expected a cluster name or cluster ARN");
  checkClusterRegions(props.clusters, props.region, { where: "(EcsRerunPipeline prop clusters; module: clusters)", fix: "protect it from a pipeline in its region, or give it to this pipeline's spokeClusters with a spoke there" });
  const retryableReasons = props.retryableReasons ?? DEFAULT_RETRYABLE_REASONS;
  for (const r of literalItems(retryableReasons)) check(r, "retryableReasons[]", (v) => v.trim() !== "", "expected a non-empty reason");
  const maxAttempts = props.maxAttempts ?? 3;
  check(maxAttempts, "maxAttempts", (v) => isInt(v, L.maxAttempts), "expected a whole number from 1 to 10");
  const firstDelaySeconds = props.firstDelaySeconds ?? 30;
  check(firstDelaySeconds, "firstDelaySeconds", (v) => isInt(v, L.firstDelaySeconds), "expected a whole number from 0 to 3600");
  const backoffRate = props.backoffRate ?? 2;
  check(backoffRate, "backoffRate", (v) => v >= L.backoffRate.min && v <= L.backoffRate.max, "expected a number from 1 to 10");
  const maxDelaySeconds = props.maxDelaySeconds ?? 300;
  const delaysKnown = !Token.isUnresolved(firstDelaySeconds) && !Token.isUnresolved(maxDelaySeconds);
  check(maxDelaySeconds, "maxDelaySeconds", (v) => isInt(v, L.maxDelaySeconds) && (!delaysKnown || v >= firstDelaySeconds), `expected a whole number from max(1, firstDelaySeconds=${firstDelaySeconds}) to 86400`);
  const jitter = props.jitter ?? "FULL";
  check(jitter, "jitter", (v) => (L.jitter as readonly string[]).includes(v), 'expected "FULL" or "NONE"');
  const ignoreStartedBy = props.ignoreStartedBy ?? DEFAULT_IGNORE_STARTED_BY;
  const logRetentionDays = props.logRetentionDays ?? 30;
  check(logRetentionDays, "logRetentionDays", (v) => (L.logRetentionDays as readonly number[]).includes(v), `expected one of ${L.logRetentionDays.join(", ")}`);
  const notificationEmails = props.notificationEmails ?? [];
  for (const e of literalItems(notificationEmails)) check(e, "notificationEmails[]", (v) => new RegExp(L.emailPattern).test(v), "expected an email address");
  const slackParameter = props.slackWebhookParameterName;
  if (slackParameter !== undefined) {
    check(
      slackParameter,
      "slackWebhookParameterName",
      (v) => new RegExp(L.parameterNamePattern).test(v) && v.length <= L.parameterNameMaxLength && !/^https?:/.test(v),
      "expected the NAME of an SSM SecureString (the URL itself never goes into config)",
    );
  }
  if (props.passRoleArns !== undefined) {
    // An empty list would become `"Resource": []` in the rerun role's policy, which IAM refuses at apply.
    check(props.passRoleArns, "passRoleArns", (v) => v.length > 0, "expected at least one role ARN, or leave it unset for any role of the account (an empty list grants nothing, and IAM refuses a statement whose Resource is empty)");
  }
  const catchFailedToStart = presenceOf(props.catchFailedToStart, true);
  const reportProgramFailures = presenceOf(props.reportProgramFailures, true);
  const rerunProgramFailureFamilies = props.rerunProgramFailureFamilies ?? [];
  for (const f of literalItems(rerunProgramFailureFamilies)) check(f, "rerunProgramFailureFamilies[]", (v) => new RegExp(L.familyPattern).test(v), "expected a task definition family name");
  for (const r of literalItems(props.retryableStoppedReasons ?? [])) check(r, "retryableStoppedReasons[]", (v) => v.trim() !== "", "expected a non-empty reason");
  const verifyIntervalSeconds = props.verifyIntervalSeconds ?? 30;
  check(verifyIntervalSeconds, "verifyIntervalSeconds", (v) => isInt(v, L.verifyIntervalSeconds), "expected a whole number from 0 (no check) to 3600");
  const verifyTimeoutSeconds = props.verifyTimeoutSeconds ?? 900;
  const verifyKnown = !Token.isUnresolved(verifyIntervalSeconds) && !Token.isUnresolved(verifyTimeoutSeconds);
  check(verifyTimeoutSeconds, "verifyTimeoutSeconds", (v) => isInt(v, L.verifyTimeoutSeconds) && (!verifyKnown || v >= verifyIntervalSeconds), `expected a whole number from max(60, verifyIntervalSeconds) to 86400`);
  const expectedRuns = props.expectedRuns ?? [];
  // Errors only, without execution data: a full log would copy container overrides (often secrets)
  // into CloudWatch Logs in plain text.
  const stateMachineLogLevel = props.stateMachineLogLevel ?? "ERROR";
  check(stateMachineLogLevel, "stateMachineLogLevel", (v) => (L.stateMachineLogLevel as readonly string[]).includes(v), 'expected "ALL", "ERROR", "FATAL" or "OFF"');
  const logExecutionData = props.logExecutionData ?? false;
  const paceLaunches = presenceOf(props.paceLaunches, true);
  const launchesPerSecond = props.launchesPerSecond ?? DEFAULT_LAUNCHES_PER_SECOND;
  const pace = L.launchesPerSecond;
  check(launchesPerSecond, "launchesPerSecond", (v) => v >= pace.min && v <= pace.max, `expected a number from ${pace.min} to ${pace.max} (ECS's RunTask refill rate)`);
  const reconcileEveryMinutes = props.reconcileEveryMinutes ?? RECONCILE_EVERY_MINUTES.default;
  check(reconcileEveryMinutes, "reconcileEveryMinutes", (v) => isInt(v, L.reconcileEveryMinutes), `expected a whole number of minutes from 1 to ${L.reconcileEveryMinutes.max}, or 0 for no reconciler`);
  const roles: RoleOptions = { permissionsBoundary: props.rolePermissionsBoundary, path: props.rolePath };
  checkRoleOptions(roles, { construct: "EcsRerunPipeline", module: "module" });
  // Expressions inside JSON text would break it as soon as they hold a string literal or a list.
  const encoding: DocumentEncoding = holdsTokens(props) ? "jsonencode" : "json";
  return {
    create,
    name,
    retryableReasons,
    maxAttempts,
    firstDelaySeconds,
    backoffRate,
    maxDelaySeconds,
    delaysKnown,
    jitter,
    ignoreStartedBy,
    logRetentionDays,
    notificationEmails,
    slackParameter,
    catchFailedToStart,
    reportProgramFailures,
    rerunProgramFailureFamilies,
    verifyIntervalSeconds,
    verifyTimeoutSeconds,
    verifyKnown,
    expectedRuns,
    stateMachineLogLevel,
    logExecutionData,
    paceLaunches,
    launchesPerSecond,
    reconcileEveryMinutes,
    encoding,
    roles,
  };
}
