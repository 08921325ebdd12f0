/**
 * The settings of the `ecs-rerun` stack (the pipeline) and of the `ecs-rerun-spoke` stack: one per
 * variable of the Terraform module and of its spoke submodule, of the same meaning, named alike
 * (`max_attempts` <-> `maxAttempts` <-> `ECS_RERUN_MAX_ATTEMPTS`) except where an older setting's name
 * says more in the app (`protectedClusters` beside the cluster stack's `clusterName`). Their rules are
 * the constructs' own limits (INPUT_LIMITS, NOTICE_LIMITS, ROLE_OPTION_LIMITS, EXPECTED_RUN_LIMITS),
 * never copies of them.
 */
import { INPUT_LIMITS } from "../pipeline/pipeline-inputs";
import { DEFAULT_NOTIFY, NOTICE_LIMITS } from "../pipeline/notices/notify-inputs";
import { ORGANIZATION_ID_PATTERN } from "../pipeline/hub/spoke-rule-patterns";
import { RECONCILE_EVERY_MINUTES } from "../pipeline/reconciler/reconciler-names";
import { ROLE_ARN_PATTERN } from "../pipeline/iam/infrastructure-roles";
import { ROLE_OPTION_LIMITS } from "../pipeline/iam/role-options";
import { resolveExpectedRun, type ExpectedRun } from "../pipeline/missed-runs/missed-run";
import { EVENT_BUS_ARN_PATTERN, HUB_RERUN_ROLE_ARN_PATTERN } from "../spoke/spoke-policies";
import { SPOKE_CLUSTER_ARN_PATTERN } from "../../lambda/rerun/core/relaunch/place";
import { setting } from "./setting-spec";
import { flag, list, number, numberOneOf, objects, oneOf, pattern, text, type Rule } from "./setting-types";

/**
 * A spoke cluster: a full cluster ARN (the hub learns the spoke's account and region from it, so a
 * bare name cannot do), with the region and name forms the rest of the schema accepts.
 */
export const SPOKE_CLUSTER_ARN = {
  pattern: new RegExp(SPOKE_CLUSTER_ARN_PATTERN),
  allowed: 'a full cluster ARN of another account or region, such as "arn:aws:ecs:eu-west-1:222233334444:cluster/batch-ec2"',
} as const;

/** The value of ECS_RERUN_SLACK_WEBHOOK_PARAMETER that turns Slack off (an empty variable counts as unset, so it cannot). */
export const NO_SLACK = "none";

const L = INPUT_LIMITS;
const N = NOTICE_LIMITS;
const R = ROLE_OPTION_LIMITS;
const anyText: Rule = { test: (v) => v.trim() !== "", allowed: "a non-empty string" };
const family = pattern(L.familyPattern, "a task definition family name (1-255 letters, digits, - or _)");
const kmsKey = pattern(L.kmsKeyArnPattern, 'a KMS key ARN such as "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"');

/** The pipeline's settings (and the spoke's where both stacks have the input). */
export const PIPELINE_SETTINGS = {
  create: setting({ env: "ECS_RERUN_CREATE", type: flag(), meaning: "`false`: no `ecs-rerun` or `ecs-rerun-spoke` stack, only the cluster", default: "`true`", module: "create", example: false }),
  name: setting({
    env: "ECS_RERUN_NAME",
    type: text(pattern(L.namePattern, "1-40 letters, digits or dashes")),
    meaning: "prefix of every resource name of the pipeline and the spoke (a hub and its spokes share it; two pipelines in one account and region need two)",
    default: "`ecs-rerun`",
    module: "name",
    prop: "name",
    spokeProp: "name",
    example: "batch-rerun",
  }),
  protectedClusters: setting({
    env: "ECS_RERUN_PROTECTED_CLUSTERS",
    type: list(pattern(L.clusterPattern, "a cluster name (1-255 letters, digits, - or _) or a cluster ARN"), { min: 1 }),
    meaning: "clusters (names, or ARNs of this account and region) the pipeline protects, or the `ecs-rerun-spoke` stack forwards to its hub; naming only your own leaves out the `ecs-cluster` stack and its demo",
    default: "the `ecs-cluster` stack's cluster",
    module: "clusters",
    prop: "clusters",
    spokeProp: "clusters",
    example: ["prod-a", "prod-b"],
  }),
  // Where notices go, and which (notify-inputs.ts).
  slackWebhookParameter: setting({
    env: "ECS_RERUN_SLACK_WEBHOOK_PARAMETER",
    type: text(pattern(L.parameterNamePattern, `the NAME of an SSM parameter, such as "/ecs-rerun/slack-webhook" (letters, digits and _ . / -), or ${NO_SLACK} for no Slack`, L.parameterNameMaxLength)),
    meaning: `name of the SSM SecureString holding the Slack webhook URL; \`${NO_SLACK}\`: no Slack notifier (then emails or alarm actions must reach someone)`,
    default: "`/ecs-rerun/slack-webhook`",
    module: "slack_webhook_parameter_name",
    prop: "slackWebhookParameterName",
    secretAdvice:
      "it takes the NAME of the SSM SecureString parameter that holds the webhook URL, never the URL itself (it would land in Terraform state). " +
      "Store the URL once with: aws ssm put-parameter --type SecureString --name /ecs-rerun/slack-webhook --value '<webhook URL>', then set the name /ecs-rerun/slack-webhook here (or leave it unset: that is the default)",
    example: "/team/slack",
  }),
  slackWebhookKmsKeyArn: setting({ env: "ECS_RERUN_SLACK_WEBHOOK_KMS_KEY_ARN", type: text(kmsKey), meaning: "customer-managed KMS key of that parameter", default: "the `aws/ssm` key", module: "slack_webhook_kms_key_arn", prop: "slackWebhookKmsKeyArn", example: "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab" }),
  slackBotTokenParameter: setting({
    env: "ECS_RERUN_SLACK_BOT_TOKEN_PARAMETER",
    type: text(pattern(L.parameterNamePattern, 'the NAME of an SSM parameter, such as "/ecs-rerun/slack-bot-token" (letters, digits and _ . / -)', L.parameterNameMaxLength)),
    meaning: "name of an SSM SecureString holding a Slack bot token, instead of the webhook: a failure's first message is updated in place and threaded (with `slackChannelId`)",
    default: "none (the webhook)",
    module: "slack_bot_token_parameter_name",
    prop: "slackBotTokenParameterName",
    secretAdvice:
      "it takes the NAME of the SSM SecureString parameter that holds the bot token, never the token itself (it would land in Terraform state). " +
      "Store the token once with: aws ssm put-parameter --type SecureString --name /ecs-rerun/slack-bot-token --value '<xoxb-... token>', then set the name here",
    example: "/team/slack-bot",
  }),
  slackChannelId: setting({
    env: "ECS_RERUN_SLACK_CHANNEL_ID",
    type: text(pattern(N.slackChannelIdPattern, 'a Slack channel ID such as "C0123456789" (in Slack: the channel\'s details, at the bottom)')),
    meaning: "ID of the channel the bot posts to (with `slackBotTokenParameter`)",
    default: "none",
    module: "slack_channel_id",
    prop: "slackChannelId",
    example: "C0123456789",
  }),
  notificationEmails: setting({ env: "ECS_RERUN_NOTIFICATION_EMAILS", type: list(pattern(L.emailPattern, "an email address")), meaning: "addresses subscribed to the notices", default: "none", module: "notification_emails", prop: "notificationEmails", example: ["ops@example.com"] }),
  notify: setting({
    env: "ECS_RERUN_NOTIFY",
    type: oneOf(N.notify),
    meaning: "which steps of a failure are told: `outcomes` (one message when it ends, one \"still trying\" past `stillTryingAfterSeconds`; problems at once), `problems` (no message for recoveries) or `every-step`",
    default: `\`${DEFAULT_NOTIFY}\``,
    module: "notify_on",
    prop: "notify",
    example: "problems",
  }),
  stillTryingAfterSeconds: setting({ env: "ECS_RERUN_STILL_TRYING_AFTER_SECONDS", type: number(N.stillTryingAfterSeconds, "seconds"), meaning: "seconds a failure may stay open before its one \"still trying\" message", module: "still_trying_after_seconds", prop: "stillTryingAfterSeconds", example: 900 }),
  digestAbovePerMinute: setting({ env: "ECS_RERUN_DIGEST_ABOVE_PER_MINUTE", type: number(N.digestAbovePerMinute, "notices"), meaning: "notices in a minute above which they fold into one digest a minute", module: "digest_above_per_minute", prop: "digestAbovePerMinute", example: 30 }),
  allowNoDestination: setting({
    env: "ECS_RERUN_ALLOW_NO_DESTINATION",
    type: flag(),
    meaning: "`true`: accept notices and alarms that reach no one synth knows of (no Slack, emails or alarm actions; you subscribe the topic yourself), instead of refusing",
    module: "allow_no_destination",
    prop: "allowNoDestination",
    spokeProp: "allowNoDestination",
    example: true,
  }),
  createAlarms: setting({ env: "ECS_RERUN_CREATE_ALARMS", type: flag(), meaning: "`false`: none of the pipeline's or the spoke's alarms (gave up, dead letters, errors, ...)", module: "create_alarms", prop: "createAlarms", spokeProp: "createAlarms", example: false }),
  createDashboard: setting({ env: "ECS_RERUN_CREATE_DASHBOARD", type: flag(), meaning: "`false`: no CloudWatch dashboard (and none of the metric filters it draws)", module: "create_dashboard", prop: "createDashboard", example: false }),
  createTrail: setting({
    env: "ECS_RERUN_CREATE_TRAIL",
    type: flag(),
    meaning: "`true`: a CloudTrail trail logging write management events, with its S3 bucket (EventBridge sees rejected launches only through a trail; one per account and region is enough)",
    module: "create_trail",
    prop: "createTrail",
    spokeProp: "createTrail",
    example: true,
  }),
  trailForceDestroy: setting({ env: "ECS_RERUN_TRAIL_FORCE_DESTROY", type: flag(), meaning: "`true`: a destroy may delete the trail's bucket with the logs in it (deploy it before the destroy)", module: "trail_force_destroy", prop: "trailForceDestroy", spokeProp: "trailForceDestroy", example: true }),
  // How failures are caught and rerun.
  retryableReasons: setting({ env: "ECS_RERUN_RETRYABLE_REASONS", type: list(anyText), meaning: "failure reasons that are rerun (a trailing `*` matches a prefix); others tell a human", module: "retryable_reasons", prop: "retryableReasons", example: ["AGENT", "RESOURCE:*"] }),
  maxAttempts: setting({ env: "ECS_RERUN_MAX_ATTEMPTS", type: number(L.maxAttempts, "reruns"), meaning: "reruns before giving up (and alarming)", module: "max_attempts", prop: "maxAttempts", example: 5 }),
  firstDelaySeconds: setting({ env: "ECS_RERUN_FIRST_DELAY_SECONDS", type: number(L.firstDelaySeconds, "seconds"), meaning: "wait before the first rerun (the cap of its jitter)", module: "first_delay_seconds", prop: "firstDelaySeconds", example: 60 }),
  backoffRate: setting({ env: "ECS_RERUN_BACKOFF_RATE", type: number(L.backoffRate, "", { decimals: true }), meaning: "factor by which each wait's cap grows", module: "backoff_rate", prop: "backoffRate", example: 1.5 }),
  maxDelaySeconds: setting({ env: "ECS_RERUN_MAX_DELAY_SECONDS", type: number(L.maxDelaySeconds, "seconds"), meaning: "largest wait (not less than `firstDelaySeconds`)", module: "max_delay_seconds", prop: "maxDelaySeconds", example: 600 }),
  jitter: setting({ env: "ECS_RERUN_JITTER", type: oneOf(L.jitter), meaning: "`FULL`: each wait is uniform between 0 and its cap; `NONE`: the cap itself", module: "jitter", prop: "jitter", example: "NONE" }),
  verifyIntervalSeconds: setting({ env: "ECS_RERUN_VERIFY_INTERVAL_SECONDS", type: number(L.verifyIntervalSeconds, "seconds"), meaning: "seconds between a rerun and the check that its tasks started (`0`: placed tasks count as started)", module: "verify_interval_seconds", prop: "verifyIntervalSeconds", example: 60 }),
  verifyTimeoutSeconds: setting({ env: "ECS_RERUN_VERIFY_TIMEOUT_SECONDS", type: number(L.verifyTimeoutSeconds, "seconds"), meaning: "seconds a rerun's tasks may take to start before the pipeline gives up", module: "verify_timeout_seconds", prop: "verifyTimeoutSeconds", example: 1800 }),
  ignoreStartedBy: setting({ env: "ECS_RERUN_IGNORE_STARTED_BY", type: list(anyText), meaning: "`startedBy` values whose failed calls are left alone, because their callers retry on their own (`[]`: none)", module: "ignore_started_by", prop: "ignoreStartedBy", spokeProp: "ignoreStartedBy", example: ["my-scheduler"] }),
  catchFailedToStart: setting({ env: "ECS_RERUN_CATCH_FAILED_TO_START", type: flag(), meaning: "catch tasks ECS accepted but stopped before they started (`TaskFailedToStart`), and rerun the retryable ones", module: "catch_failed_to_start", prop: "catchFailedToStart", spokeProp: "catchFailedToStart", example: false }),
  reportProgramFailures: setting({ env: "ECS_RERUN_REPORT_PROGRAM_FAILURES", type: flag(), meaning: "report tasks that started and exited non-zero (never rerun unless in `rerunProgramFailureFamilies`)", module: "report_program_failures", prop: "reportProgramFailures", spokeProp: "reportProgramFailures", example: false }),
  rerunProgramFailureFamilies: setting({ env: "ECS_RERUN_RERUN_PROGRAM_FAILURE_FAMILIES", type: list(family), meaning: "task definition families whose program failures are rerun instead of only reported (jobs safe to run twice)", module: "rerun_program_failure_families", prop: "rerunProgramFailureFamilies", example: ["idempotent-job"] }),
  retryableStoppedReasons: setting({ env: "ECS_RERUN_RETRYABLE_STOPPED_REASONS", type: list(anyText), meaning: "stopped reasons of tasks that failed to start which are worth a rerun, as case-insensitive globs", module: "retryable_stopped_reasons", prop: "retryableStoppedReasons", example: ["*RESOURCE:MEMORY*"] }),
  paceLaunches: setting({ env: "ECS_RERUN_PACE_LAUNCHES", type: flag(), meaning: "pace reruns through a shared launch clock (a DynamoDB table), so a storm goes out at `launchesPerSecond`", module: "pace_launches", prop: "paceLaunches", example: false }),
  launchesPerSecond: setting({ env: "ECS_RERUN_LAUNCHES_PER_SECOND", type: number(L.launchesPerSecond, "tasks a second", { decimals: true }), meaning: "tasks the reruns of this account and region launch per second together", module: "launches_per_second", prop: "launchesPerSecond", example: 5 }),
  reconcileEveryMinutes: setting({
    env: "ECS_RERUN_RECONCILE_EVERY_MINUTES",
    type: number(L.reconcileEveryMinutes, "minutes", { orZero: "for no reconciler" }),
    meaning: "minutes between runs of the reconciler, which finds failed launches whose events never arrived (`0`: no reconciler)",
    default: `\`${RECONCILE_EVERY_MINUTES.default}\``,
    module: "reconcile_every_minutes",
    prop: "reconcileEveryMinutes",
    example: 10,
  }),
  // What the pipeline may do, and with which keys and roles.
  kmsKeyArn: setting({ env: "ECS_RERUN_KMS_KEY_ARN", type: text(kmsKey), meaning: "KMS key encrypting the notices topic (its policy must let CloudWatch alarms use it)", default: "a key the stack creates", module: "kms_key_arn", prop: "kmsKeyArn", example: "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab" }),
  taskDefinitionFamilies: setting({ env: "ECS_RERUN_TASK_DEFINITION_FAMILIES", type: list(family), meaning: "task definition families the pipeline (or the hub, in a spoke) may rerun", default: "any family of the account", module: "task_definition_families", prop: "taskDefinitionFamilies", spokeProp: "taskDefinitionFamilies", example: ["print-date"] }),
  passRoleArns: setting({
    env: "ECS_RERUN_PASS_ROLE_ARNS",
    type: list(pattern(L.passRoleArnPattern, 'an IAM role ARN such as "arn:aws:iam::123456789012:role/batch-task"'), { min: 1 }),
    meaning: "roles a rerun may pass to tasks (the original tasks' task and execution roles)",
    default: "any role of the account, passed to ECS tasks only",
    module: "pass_role_arns",
    prop: "passRoleArns",
    spokeProp: "passRoleArns",
    example: ["arn:aws:iam::123456789012:role/batch-task"],
  }),
  infrastructureRoleArns: setting({
    env: "ECS_RERUN_INFRASTRUCTURE_ROLE_ARNS",
    type: list(pattern(ROLE_ARN_PATTERN, "an IAM role ARN, such as \"arn:aws:iam::123456789012:role/ecsInfrastructureRole\"")),
    meaning: "ECS infrastructure roles of tasks' managed EBS volumes, which a rerun may pass to `ecs.amazonaws.com`",
    default: "none (such a rerun is refused, a human told)",
    module: "infrastructure_role_arns",
    prop: "infrastructureRoleArns",
    example: ["arn:aws:iam::123456789012:role/ecsInfrastructureRole"],
  }),
  rolePermissionsBoundary: setting({
    env: "ECS_RERUN_ROLE_PERMISSIONS_BOUNDARY",
    type: text(pattern(R.permissionsBoundaryPattern, "the ARN of a managed policy (arn:aws:iam::ACCOUNT:policy/NAME or arn:aws:iam::aws:policy/NAME)")),
    meaning: "permissions boundary of every IAM role of the pipeline and the spoke (it must allow what their policies grant)",
    default: "no boundary",
    module: "role_permissions_boundary",
    prop: "rolePermissionsBoundary",
    spokeProp: "rolePermissionsBoundary",
    example: "arn:aws:iam::123456789012:policy/team-boundary",
  }),
  rolePath: setting({
    env: "ECS_RERUN_ROLE_PATH",
    type: text({
      test: (v) => new RegExp(R.pathPattern).test(v) && v.length <= R.pathMaxLength && !v.startsWith(R.reservedPathPrefix),
      allowed: `"/" or a path that begins and ends with "/" (e.g. "/platform/batch/"), of printable ASCII without spaces, at most ${R.pathMaxLength} characters, outside ${R.reservedPathPrefix} (the relaunch roles' mark)`,
    }),
    meaning: `IAM path of every role of the pipeline and the spoke but the relaunch roles, which keep \`${R.reservedPathPrefix}\` (changing it replaces the roles)`,
    default: "`/`",
    module: "role_path",
    prop: "rolePath",
    spokeProp: "rolePath",
    example: "/platform/batch/",
  }),
  // Logs.
  logRetentionDays: setting({ env: "ECS_RERUN_LOG_RETENTION_DAYS", type: numberOneOf(L.logRetentionDays, "the retentions CloudWatch Logs offers"), meaning: "days the pipeline's Lambda and state machine logs are kept (a job's own: its `logRetentionDays` in jobs.ts)", module: "log_retention_days", prop: "logRetentionDays", example: 90 }),
  stateMachineLogLevel: setting({ env: "ECS_RERUN_STATE_MACHINE_LOG_LEVEL", type: oneOf(L.stateMachineLogLevel), meaning: "which execution events the state machine logs", module: "state_machine_log_level", prop: "stateMachineLogLevel", example: "ALL" }),
  logExecutionData: setting({ env: "ECS_RERUN_LOG_EXECUTION_DATA", type: flag(), meaning: "`true`: log states' inputs and outputs, whose container overrides may hold secrets (for debugging)", module: "log_execution_data", prop: "logExecutionData", example: true }),
  expectedRuns: setting({
    env: "ECS_RERUN_EXPECTED_RUNS",
    type: objects<ExpectedRun>(
      { name: { kind: "string", required: true }, family: { kind: "string" }, startedBy: { kind: "string" }, intervalSeconds: { kind: "number", required: true }, graceSeconds: { kind: "number" } },
      "objects { name, family or startedBy, intervalSeconds, graceSeconds? }, one per job that must succeed once per interval",
      (run) => void resolveExpectedRun(run),
    ),
    meaning: "jobs of your own clusters that must succeed at least once per `intervalSeconds` (each gets a missed-run alarm), besides the jobs of jobs.ts, which get theirs from their schedules",
    default: "the jobs of jobs.ts on a protected cluster",
    module: "expected_runs",
    prop: "expectedRuns",
    example: [{ name: "nightly-report", family: "report", intervalSeconds: 86400 }],
  }),
  // A hub: clusters of other accounts and regions, each with a spoke there (`ecs-rerun-spoke`).
  spokeClusters: setting({
    env: "ECS_RERUN_SPOKE_CLUSTERS",
    type: list(pattern(SPOKE_CLUSTER_ARN.pattern, SPOKE_CLUSTER_ARN.allowed)),
    meaning: "makes `ecs-rerun` a hub: full ARNs of clusters in other accounts or regions, each with a spoke",
    default: "none (no hub)",
    module: "spoke_clusters",
    prop: "spokeClusters",
    example: ["arn:aws:ecs:us-west-2:222233334444:cluster/batch"],
  }),
  spokeOrganizationId: setting({
    env: "ECS_RERUN_SPOKE_ORGANIZATION_ID",
    type: text(pattern(ORGANIZATION_ID_PATTERN, 'an AWS Organizations ID such as "o-a1b2c3d4e5" (o- and 10 to 32 lowercase letters or digits)')),
    meaning: "the hub's bus admits every account of this AWS Organization too",
    default: "only the spoke clusters' accounts",
    module: "spoke_organization_id",
    prop: "spokeOrganizationId",
    example: "o-a1b2c3d4e5",
  }),
  // A spoke: given both, the app adds the `ecs-rerun-spoke` stack for this account and region.
  hubEventBusArn: setting({
    env: "ECS_RERUN_HUB_EVENT_BUS_ARN",
    type: text(pattern(EVENT_BUS_ARN_PATTERN, 'the ARN of the hub\'s event bus, such as "arn:aws:events:us-east-1:111122223333:event-bus/ecs-rerun-hub" (the ecs-rerun stack\'s output hub_event_bus_arn)')),
    meaning: "adds the `ecs-rerun-spoke` stack forwarding to this hub bus (the hub's output `hub_event_bus_arn`; with `hubRerunRoleArn`)",
    default: "no spoke stack",
    module: "hub_event_bus_arn",
    spokeProp: "hubEventBusArn",
    example: "arn:aws:events:us-east-1:111122223333:event-bus/ecs-rerun-hub",
  }),
  hubRerunRoleArn: setting({
    env: "ECS_RERUN_HUB_RERUN_ROLE_ARN",
    type: text(pattern(HUB_RERUN_ROLE_ARN_PATTERN, 'the ARN of the hub\'s rerun role, under the path /ecs-rerun/, such as "arn:aws:iam::111122223333:role/ecs-rerun/ecs-rerun-rerun-us-east-1" (the ecs-rerun stack\'s output rerun_role_arn)')),
    meaning: "the hub's rerun role, the only principal the spoke's relaunch role trusts (the hub's output `rerun_role_arn`; with `hubEventBusArn`)",
    default: "no spoke stack",
    module: "hub_rerun_role_arn",
    spokeProp: "hubRerunRoleArn",
    example: "arn:aws:iam::111122223333:role/ecs-rerun/ecs-rerun-rerun-us-east-1",
  }),
  hubReconcilerRoleArn: setting({
    env: "ECS_RERUN_HUB_RECONCILER_ROLE_ARN",
    type: text(pattern(ROLE_ARN_PATTERN, 'the ARN of the hub\'s reconciler role, such as "arn:aws:iam::111122223333:role/ecs-rerun-reconciler-us-east-1" (the ecs-rerun stack\'s output reconciler_role_arn)')),
    meaning: "the hub's reconciler role, the only principal the spoke's read-only sweep role trusts (the hub's output `reconciler_role_arn`; with the two above)",
    default: "no sweep role: the hub's reconciler cannot sweep this place",
    module: "hub_reconciler_role_arn",
    spokeProp: "hubReconcilerRoleArn",
    example: "arn:aws:iam::111122223333:role/ecs-rerun-reconciler-us-east-1",
  }),
};
