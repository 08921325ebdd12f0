// The pipeline's props: what a user may set on EcsRerunPipeline. Apart from the construct (rerun-pipeline.ts)
// so that the inputs that resolve them (pipeline-inputs.ts) import them downhill, never back from the construct.
import type { IResolvable } from "cdktf";
import type { ExpectedRun } from "./missed-runs/missed-run";
import type { NoticeProps } from "./notices/notify-inputs";
/**
 * Props of {@link EcsRerunPipeline}. Every input is a plain value, or a Terraform expression (a cdktf
 * token such as a `TerraformVariable`'s value) when Terraform decides it, as in the Terraform module.
 */
export interface EcsRerunPipelineProps extends NoticeProps {
  /** Whether to create anything: `true`, or a Terraform bool expression that count-switches every resource. @default true */
  readonly create?: boolean | IResolvable;
  /** Protected clusters: short names or ARNs, in this account and region. */
  readonly clusters: readonly string[];
  /** Prefix of every resource name. @default "ecs-rerun" */
  readonly name?: string;
  /**
   * The region the pipeline deploys to, when known at synth: IAM names, global in an account, carry
   * it (`<name>-rerun-<region>`). Unset: Terraform reads it from the provider. @default the provider's region
   */
  readonly region?: string;
  /** Failure reasons that are rerun; a trailing `*` matches a prefix. @default DEFAULT_RETRYABLE_REASONS */
  readonly retryableReasons?: readonly string[];
  /** Reruns before giving up. @default 3 */
  readonly maxAttempts?: number;
  /** Wait before the first rerun, in seconds (the cap of its jitter). @default 30 */
  readonly firstDelaySeconds?: number;
  /** Factor by which each wait's cap grows. @default 2 */
  readonly backoffRate?: number;
  /** Largest wait, in seconds. @default 300 */
  readonly maxDelaySeconds?: number;
  /** "FULL": each wait is uniform in [0, cap]; "NONE": the cap itself. @default "FULL" */
  readonly jitter?: "FULL" | "NONE";
  /** `startedBy` values whose failed calls are not rerun. @default DEFAULT_IGNORE_STARTED_BY */
  readonly ignoreStartedBy?: readonly string[];
  /** Name of the SSM SecureString holding the Slack webhook URL; unset (or an expression that is null) means no Slack notifier. @default undefined */
  readonly slackWebhookParameterName?: string;
  /** Customer-managed KMS key of that parameter, if it does not use `aws/ssm`. @default undefined */
  readonly slackWebhookKmsKeyArn?: string;
  /** Email addresses subscribed to the notices (each must confirm). @default [] */
  readonly notificationEmails?: readonly string[];
  /** KMS key encrypting the topic; unset (or an expression that is null) creates one. @default undefined */
  readonly kmsKeyArn?: string;
  /** Task definition families the pipeline may rerun; empty means any family of the account. @default [] */
  readonly taskDefinitionFamilies?: readonly string[];
  /** Roles the rerun may pass to tasks (the original tasks' roles); an expression that is null means every role of the account. @default every role of the account */
  readonly passRoleArns?: readonly string[];
  /** ECS infrastructure roles of tasks' managed EBS volumes, which the rerun may pass to `ecs.amazonaws.com` (infrastructure-roles.ts). @default [] (a rerun with such volumes is refused up front, a human told) */
  readonly infrastructureRoleArns?: readonly string[];
  /** Days logs are kept. @default 30 */
  readonly logRetentionDays?: number;
  /** Create a CloudTrail trail logging management events (needed once per account and region). @default false */
  readonly createTrail?: boolean | IResolvable;
  /** Let a destroy delete the trail's bucket with its logs (off: a destroy stops at the non-empty bucket). Apply it before the destroy. @default false */
  readonly trailForceDestroy?: boolean | IResolvable;
  /** Create the alarms. @default true */
  readonly createAlarms?: boolean | IResolvable;
  /** More actions of every alarm besides the topic (the missed-run alarms' too): where an alarm still goes when the topic is broken. @default [] */
  readonly alarmActions?: readonly string[];
  /**
   * Accept notices and alarms that reach no one this construct knows of (no Slack, no email, no alarm
   * action, no subscription to {@link EcsRerunPipeline.topic} in this stack): the topic is subscribed
   * elsewhere, or silence is intended. Without it such a pipeline is refused at synth. @default false
   */
  readonly allowNoDestination?: boolean | IResolvable;
  /** Create a CloudWatch dashboard of what the pipeline found, how it ended, pacing, failed notices and missed runs (dashboard/). @default true */
  readonly createDashboard?: boolean | IResolvable;
  /** Catch tasks that were accepted but stopped before starting (`TaskFailedToStart`) and rerun them. @default true */
  readonly catchFailedToStart?: boolean | IResolvable;
  /** Report tasks that started and exited non-zero (program failures; never rerun unless listed below). @default true */
  readonly reportProgramFailures?: boolean | IResolvable;
  /** Task definition families whose program failures are rerun instead of only reported. @default [] */
  readonly rerunProgramFailureFamilies?: readonly string[];
  /** Stopped reasons worth a rerun, as case-insensitive globs. @default the rerun Lambda's list (capacity, agent, image-pull and ENI timeouts) */
  readonly retryableStoppedReasons?: readonly string[];
  /** Seconds between a rerun and the check that its tasks started; 0 counts placed tasks as started. @default 30 */
  readonly verifyIntervalSeconds?: number;
  /** Seconds a rerun's tasks may take to start before the pipeline gives up. @default 900 */
  readonly verifyTimeoutSeconds?: number;
  /**
   * Jobs that must succeed once per interval; each gets a missed-run alarm (a dead man's switch). A
   * Terraform expression is a list of objects `{ name, family, started_by, interval_seconds, grace_seconds }`,
   * as the module's `expected_runs` holds them. @default []
   */
  readonly expectedRuns?: readonly ExpectedRun[] | IResolvable;
  /** Which execution events the state machine logs: "ALL", "ERROR", "FATAL" or "OFF". @default "ERROR" */
  readonly stateMachineLogLevel?: string;
  /** Log execution data (inputs and outputs, container overrides included: they may hold secrets). @default false */
  readonly logExecutionData?: boolean | IResolvable;
  /** Pace reruns through a shared launch clock (a DynamoDB table): `true`, `false`, or a Terraform bool expression. @default true */
  readonly paceLaunches?: boolean | IResolvable;
  /** Tasks the reruns of the account and region launch per second together, 0.1 to 40. @default 10 (a quarter of ECS's RunTask refill rate) */
  readonly launchesPerSecond?: number;
  /**
   * Where Terraform reads the Lambda zips, e.g. `${path.module}/lambda` in a module: each function
   * then takes `<directory>/<name>.zip`, hashed by Terraform, and whoever ships the configuration
   * copies {@link EcsRerunPipeline.packages} there. Unset: the zips are cdktf assets. @default undefined
   */
  readonly packageDirectory?: string;
  /**
   * Clusters in other accounts and/or regions (the spokes, each running an `EcsRerunSpoke`), as full
   * cluster ARNs: the pipeline becomes a hub, with a bus admitting their accounts, rules on it, and a
   * rerun role that may assume their relaunch roles. @default [] (no hub)
   */
  readonly spokeClusters?: readonly string[];
  /** An AWS Organizations ID whose accounts the hub admits too (bus policy `aws:PrincipalOrgID`). @default undefined (only the spoke clusters' accounts) */
  readonly spokeOrganizationId?: string;
  /**
   * Minutes between runs of the reconciler, which finds failed launches whose events never arrived
   * (CloudTrail event history, stopped tasks) and hands them over under the same execution names;
   * 0: no reconciler. @default 5
   */
  readonly reconcileEveryMinutes?: number;
  /** ARN of the managed policy that is the permissions boundary of every role the pipeline creates. @default undefined (no boundary) */
  readonly rolePermissionsBoundary?: string;
  /** IAM path of every role the pipeline creates but the rerun role, which keeps `/ecs-rerun/` (its mark: see role-options.ts). @default undefined ("/") */
  readonly rolePath?: string;
}
