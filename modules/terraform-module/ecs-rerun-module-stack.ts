/** The pipeline as a plain Terraform child module: variables in, the construct, outputs out. */
import { RECONCILE_EVERY_MINUTES } from "../pipeline/reconciler/reconciler-names";
import type { Construct } from "constructs";
import { Token, ref, type TerraformVariableConfig } from "cdktf";
import { hcl, hclString, raw } from "../hcl/hcl-expression";
import { DEFAULT_RETRYABLE_STOPPED_REASONS } from "../../lambda/rerun/config";
import { DEFAULT_LAUNCHES_PER_SECOND } from "../../lambda/rerun/core/relaunch/pacing";
import { EXPECTED_RUN_LIMITS } from "../pipeline/missed-runs/missed-run";
import { attributeOf } from "../hcl/presence";
import { DEFAULT_IGNORE_STARTED_BY, DEFAULT_RETRYABLE_REASONS, EcsRerunPipeline, INPUT_LIMITS, type EcsRerunPipelineProps } from "../pipeline/rerun-pipeline";
import { ORGANIZATION_ID_PATTERN, SPOKE_CLUSTER_ARN_PATTERN } from "../pipeline/hub/spoke-rule-patterns";
import { ROLE_ARN_PATTERN } from "../pipeline/iam/infrastructure-roles";
import { DEFAULT_NOTIFY, NOTICE_LIMITS } from "../pipeline/notices/notify-inputs";
import { ModuleStack, eachMatches, eachRun, noneBlank, nullOrMatches, passRoleArnsChecks, required, wholeNumber, type Check } from "./module-stack-base";

/** Addresses of the module's blocks; importers keep finding them here. */
export { moduleAddress, snakeCase } from "./module-stack-base";

/** Name of the module's repository, as registries want it: `terraform-<provider>-<name>`. */
export const MODULE_REPOSITORY = "terraform-aws-ecs-rerun";

/**
 * Terraform versions the module works with: 1.5 brought `check` blocks ("Check blocks are only
 * available in Terraform v1.5.0 and later", Terraform language documentation, Checks), which warn at
 * plan when notices would reach no one; 1.3 `startswith` and defaults of `optional()` object
 * attributes (`expected_runs`); `one` is from 0.15, `nullable` from 1.1, preconditions from 1.2.
 * Cross-variable validation would need 1.9, so the two such rules (max delay >= first delay, verify
 * timeout >= verify interval) are preconditions instead.
 */
export const REQUIRED_TERRAFORM_VERSION = ">= 1.5.0";

/**
 * AWS provider versions the module works with: 6.x. The module reads its region from the `region`
 * attribute of `data.aws_region`, which 6.0 added; 6.x deprecates `name` ("name is deprecated. Use
 * region instead.", the data source's schema in the provider's source, internal/service/meta/
 * region_data_source.go) and, from 6.47, `id` too (hashicorp/terraform-provider-aws#48036), so every
 * plan on 6.x would warn about either, and 5.x has no `region` attribute: no attribute of that data
 * source is valid and warning-free on both majors. Checked with scripts/provider-schema.ts against
 * the schemas the bindings were generated from: @cdktf/provider-aws 21.0.0 (provider 6.0.0) and
 * 21.22.1 (6.25.0, installed) have every type, argument and attribute the module uses; 20.0.0
 * (5.99.1, the last 5.x) lacks `region`. terraform-aws-modules' own modules ask for 6.x too (their
 * lambda module: `>= 6.23.0`). 7.0 may remove what 6.x deprecates, hence `< 7.0.0`.
 */
export const AWS_PROVIDER_VERSION = ">= 6.0.0, < 7.0.0";

/** `trail_force_destroy`, the same in the root module and the spoke. */
export const TRAIL_FORCE_DESTROY_DESCRIPTION =
  "Let terraform destroy delete the trail's S3 bucket with the logs in it (false: a destroy stops at the non-empty bucket, so the audit logs are never lost by accident). Apply it before the destroy: the provider reads it from state.";

/** Directory of the Lambda zips inside the module; `path.module` keeps it right wherever the module is called from. */
export const MODULE_PACKAGE_DIRECTORY = "lambda";

/**
 * Values the module's examples set: the variables without a default, and a destination for the
 * notices (without one every plan warns: a topic nobody reads is silence).
 */
export const EXAMPLE_INPUTS: Readonly<Record<string, unknown>> = { clusters: ["batch-ec2"], notification_emails: ["ops@example.com"] };

/**
 * The rerun pipeline as a Terraform child module: the same {@link EcsRerunPipeline} as the `ecs-rerun`
 * stack, fed with Terraform variables instead of literals, with outputs, tags on every resource, and
 * neither a provider nor a backend (the calling configuration owns both). Built by
 * `npm run build:module`, not by `cdktf synth`: it has no provider of its own, which synth refuses.
 */
export class EcsRerunModuleStack extends ModuleStack {
  /** The pipeline. */
  public readonly pipeline: EcsRerunPipeline;
  /** What the pipeline was given: each prop a variable (the app's settings test reads which is which). */
  public readonly pipelineProps: EcsRerunPipelineProps;

  constructor(scope: Construct, id: string) {
    super(scope, id, { terraform: REQUIRED_TERRAFORM_VERSION, aws: AWS_PROVIDER_VERSION });
    const L = INPUT_LIMITS;
    const variable = (name: string, config: TerraformVariableConfig, ...checks: Check[]) => this.variable(name, config, ...checks);
    const nothing = Token.nullValue();

    const create = variable("create", { type: "bool", default: true, nullable: false, description: "Whether to create anything at all (false: the module creates nothing)." });
    const clusters = variable(
      "clusters",
      { type: "list(string)", nullable: false, description: "Protected ECS clusters, by name or ARN, in the provider's account and region. Rejected RunTask/StartTask calls on them are rerun. A long list is spread over several EventBridge rules, each within the 2,048-character pattern quota; the values must be known at plan (for a cluster created in the same configuration, pass its name rather than its ARN)." },
      (v) => ({ condition: hcl`length(${raw(v)}) > 0`, errorMessage: "Name at least one cluster." }),
      eachMatches(L.clusterPattern, "a cluster name or a cluster ARN"),
    );
    const name = variable(
      "name",
      { type: "string", default: "ecs-rerun", nullable: false, description: "Prefix of every resource name; IAM role names, global in an account, add the region. Two pipelines in one account and region need different names." },
      (v) => ({ condition: hcl`can(regex(${L.namePattern}, ${raw(v)}))`, errorMessage: "Must be 1 to 40 letters, digits or dashes." }),
    );
    const retryableReasons = variable(
      "retryable_reasons",
      { type: "list(string)", default: [...DEFAULT_RETRYABLE_REASONS], nullable: false, description: "Failure reasons that are rerun (a trailing * matches a prefix). Others, such as ATTRIBUTE or MISSING, describe a configuration: a human is told instead." },
      noneBlank("Reasons"),
    );
    const maxAttempts = variable("max_attempts", { type: "number", default: 3, nullable: false, description: "Reruns before giving up (and alarming)." }, wholeNumber(L.maxAttempts));
    const firstDelay = variable("first_delay_seconds", { type: "number", default: 30, nullable: false, description: "Wait before the first rerun, in seconds (the cap of its jitter)." }, wholeNumber(L.firstDelaySeconds));
    const backoffRate = variable("backoff_rate", { type: "number", default: 2, nullable: false, description: "Factor by which each wait's cap grows." }, (v) => ({
      condition: hcl`${raw(v)} >= ${L.backoffRate.min} && ${raw(v)} <= ${L.backoffRate.max}`,
      errorMessage: `Must be a number from ${L.backoffRate.min} to ${L.backoffRate.max}.`,
    }));
    const maxDelay = variable("max_delay_seconds", { type: "number", default: 300, nullable: false, description: "Largest wait, in seconds; not less than first_delay_seconds." }, wholeNumber(L.maxDelaySeconds));
    const jitter = variable("jitter", { type: "string", default: "FULL", nullable: false, description: "FULL: each wait is uniform between 0 and its cap; NONE: the cap itself." }, (v) => ({
      condition: hcl`contains(${[...L.jitter]}, ${raw(v)})`,
      errorMessage: `Must be one of ${L.jitter.join(", ")}.`,
    }));
    const ignoreStartedBy = variable("ignore_started_by", {
      type: "list(string)",
      default: [...DEFAULT_IGNORE_STARTED_BY],
      nullable: false,
      description: "startedBy values whose failed calls are left alone, because their callers retry on their own. Calls without startedBy are always caught.",
    });
    const catchFailedToStart = variable("catch_failed_to_start", {
      type: "bool",
      default: true,
      nullable: false,
      description: "Catch tasks that ECS accepted but stopped before they started (TaskFailedToStart) and rerun them when their stopped reason is retryable.",
    });
    const reportProgramFailures = variable("report_program_failures", {
      type: "bool",
      default: true,
      nullable: false,
      description: "Report tasks that started and exited non-zero (program failures). They are reported, not rerun, unless their family is in rerun_program_failure_families.",
    });
    const rerunFamilies = variable(
      "rerun_program_failure_families",
      { type: "list(string)", default: [], nullable: false, description: "Task definition families whose program failures are rerun instead of only reported (jobs safe to run twice)." },
      eachMatches(L.familyPattern, "a task definition family name"),
    );
    const retryableStoppedReasons = variable(
      "retryable_stopped_reasons",
      {
        type: "list(string)",
        default: [...DEFAULT_RETRYABLE_STOPPED_REASONS],
        nullable: false,
        description: "Stopped reasons of tasks that failed to start which are worth a rerun, as case-insensitive globs (* matches any run of characters): capacity, agent, registry and network timeouts. Others (an image that does not exist, a denied pull) are reported to a human.",
      },
      noneBlank("Reasons"),
    );
    const verifyInterval = variable(
      "verify_interval_seconds",
      { type: "number", default: 30, nullable: false, description: "Seconds between a rerun and the check that its tasks started. 0: placed tasks count as started (no check)." },
      wholeNumber(L.verifyIntervalSeconds),
    );
    const verifyTimeout = variable(
      "verify_timeout_seconds",
      { type: "number", default: 900, nullable: false, description: "Seconds a rerun's tasks may take to start before the pipeline gives up; not less than verify_interval_seconds." },
      wholeNumber(L.verifyTimeoutSeconds),
    );
    const paceLaunches = variable("pace_launches", {
      type: "bool",
      default: true,
      nullable: false,
      description:
        "Pace reruns through a shared launch clock (one DynamoDB item), so a storm of rejected launches goes out at launches_per_second instead of fighting ECS's throttle. false: no table; every rerun launches at once.",
    });
    const launchesPerSecond = variable(
      "launches_per_second",
      {
        type: "number",
        default: DEFAULT_LAUNCHES_PER_SECOND,
        nullable: false,
        description: `Tasks the reruns of this account and region launch per second together when pace_launches is on. ECS's RunTask refills 40 per second (Fargate launches 20) for all of the account's callers: the default leaves most of that to them.`,
      },
      (v) => ({
        condition: hcl`${raw(v)} >= ${L.launchesPerSecond.min} && ${raw(v)} <= ${L.launchesPerSecond.max}`,
        errorMessage: `Must be a number from ${L.launchesPerSecond.min} to ${L.launchesPerSecond.max} (ECS's RunTask refill rate).`,
      }),
    );
    const reconcileEvery = variable(
      "reconcile_every_minutes",
      {
        type: "number",
        default: RECONCILE_EVERY_MINUTES.default,
        nullable: false,
        description:
          "Minutes between runs of the reconciler, which finds rejected launches and tasks that failed to start whose events never arrived (CloudTrail event history, stopped tasks) and reruns them under the same execution names as the event path. 0: no reconciler.",
      },
      wholeNumber({ min: 0, max: RECONCILE_EVERY_MINUTES.max }),
    );
    const slackParameter = variable(
      "slack_webhook_parameter_name",
      { type: "string", default: nothing, description: "Name of the SSM SecureString parameter holding the Slack webhook URL (never the URL itself: it would land in state). null: no Slack notifier." },
      (v) => ({
        condition: hcl`${raw(v)} == null || (can(regex(${L.parameterNamePattern}, ${raw(v)})) && try(length(${raw(v)}), 0) <= ${L.parameterNameMaxLength})`,
        errorMessage: "Must be null or the name of an SSM parameter (never the webhook URL itself).",
      }),
    );
    const slackKey = variable(
      "slack_webhook_kms_key_arn",
      { type: "string", default: nothing, description: "ARN of the customer-managed KMS key of that parameter. null: it uses the aws/ssm key." },
      nullOrMatches(L.kmsKeyArnPattern, "a KMS key ARN"),
    );
    // Which notices are told and how Slack gets them (notify-inputs.ts).
    const N = NOTICE_LIMITS;
    const notifyOn = variable(
      "notify_on",
      { type: "string", default: DEFAULT_NOTIFY, nullable: false, description: "Which steps of a failure are told: outcomes (one message when it ends, one \"still trying\" when it stays open past still_trying_after_seconds; problems at once), problems (as outcomes, without recoveries) or every-step (detected, each retry, the outcome)." },
      (v) => ({ condition: hcl`contains(${[...N.notify]}, ${raw(v)})`, errorMessage: `Must be one of ${N.notify.join(", ")}.` }),
    );
    const stillTrying = variable(
      "still_trying_after_seconds",
      { type: "number", default: N.stillTryingAfterSeconds.default, nullable: false, description: "Seconds a failure may stay open before its one \"still trying\" message (notify_on outcomes or problems)." },
      wholeNumber(N.stillTryingAfterSeconds),
    );
    const digestAbove = variable(
      "digest_above_per_minute",
      { type: "number", default: N.digestAbovePerMinute.default, nullable: false, description: "Notices of the pipeline in one minute above which the rest of that minute's notices fold into a digest posted at most once a minute (counts by outcome, cluster and reason; problems by name)." },
      wholeNumber(N.digestAbovePerMinute),
    );
    const slackBotToken = variable(
      "slack_bot_token_parameter_name",
      { type: "string", default: nothing, description: "Name of an SSM SecureString holding a Slack bot token (xoxb-...), instead of slack_webhook_parameter_name: a failure's first message is posted with chat.postMessage, updated in place (chat.update) and later steps go to its thread. With slack_channel_id. null: the webhook, if any." },
      (v) => ({
        condition: hcl`${raw(v)} == null || (can(regex(${L.parameterNamePattern}, ${raw(v)})) && !startswith(coalesce(${raw(v)}, "-"), "xox"))`,
        errorMessage: "Must be null or the name of an SSM parameter (never the token itself).",
      }),
    );
    const slackChannel = variable(
      "slack_channel_id",
      { type: "string", default: nothing, description: "ID of the Slack channel the bot posts to (C0123456789), with slack_bot_token_parameter_name." },
      nullOrMatches(N.slackChannelIdPattern, "a Slack channel ID such as C0123456789"),
    );
    const emails = variable(
      "notification_emails",
      { type: "list(string)", default: [], nullable: false, description: "Email addresses subscribed to the notices (each must confirm its subscription)." },
      eachMatches(L.emailPattern, "an email address"),
    );
    const kmsKey = variable(
      "kms_key_arn",
      { type: "string", default: nothing, description: "ARN of the KMS key encrypting the topic; its policy must let CloudWatch alarms use it. null: the module creates one." },
      nullOrMatches(L.kmsKeyArnPattern, "a KMS key ARN"),
    );
    const families = variable(
      "task_definition_families",
      { type: "list(string)", default: [], nullable: false, description: "Task definition families the pipeline may rerun. Empty: any family of the account." },
      eachMatches(L.familyPattern, "a task definition family name"),
    );
    const passRoles = variable(
      "pass_role_arns",
      { type: "list(string)", default: nothing, description: "Roles the rerun may pass to tasks (the original tasks' task and execution roles), at least one. null: any role of the account, passed to ECS tasks only." },
      ...passRoleArnsChecks,
    );
    const infrastructureRoles = variable(
      "infrastructure_role_arns",
      {
        type: "list(string)",
        default: [],
        nullable: false,
        description:
          "ECS infrastructure roles of tasks' managed EBS volumes (RunTask volumeConfigurations[].managedEBSVolume.roleArn), which the rerun may pass to ecs.amazonaws.com and nowhere else. Empty: a rerun of a task with such a volume is refused up front and a human is told.",
      },
      eachMatches(ROLE_ARN_PATTERN, "an IAM role ARN"),
    );
    const logRetention = variable("log_retention_days", { type: "number", default: 30, nullable: false, description: "Days the Lambda and state machine logs are kept." }, (v) => ({
      condition: hcl`contains(${[...L.logRetentionDays]}, ${raw(v)})`,
      errorMessage: "Must be a retention CloudWatch Logs offers (1, 3, 5, 7, 14, 30, 60, 90, ... 3653).",
    }));
    const createTrail = variable("create_trail", {
      type: "bool",
      default: false,
      nullable: false,
      description: "Create a CloudTrail trail logging write management events. EventBridge sees rejected launches only through a trail; one per account and region is enough.",
    });
    const trailForceDestroy = variable("trail_force_destroy", { type: "bool", default: false, nullable: false, description: TRAIL_FORCE_DESTROY_DESCRIPTION });
    const createAlarms = variable("create_alarms", {
      type: "bool",
      default: true,
      nullable: false,
      description: "Create the alarms (gave up, dead letters, rerun Lambda errors, notices that could not be published, launch pacer failures), which notify the topic.",
    });
    const alarmActions = variable(
      "alarm_actions",
      { type: "list(string)", default: [], nullable: false, description: "More actions of every alarm besides the topic, the missed-run alarms' too (e.g. another SNS topic): where an alarm still goes when the topic itself is broken." },
      eachMatches("^arn:", "an ARN"),
    );
    const allowNoDestination = variable("allow_no_destination", {
      type: "bool",
      default: false,
      nullable: false,
      description:
        "Accept notices and alarms that reach no one the module knows of (no slack_webhook_parameter_name, no notification_emails, no alarm_actions): true when you subscribe topic_arn yourself, or want silence. false: every plan warns (a check block) until one is set.",
    });
    const createDashboard = variable("create_dashboard", {
      type: "bool",
      default: true,
      nullable: false,
      description: "Create a CloudWatch dashboard <name>-<region>: failures found (by their event or by the reconciler), how they ended, time to recovery, launches paced, notices that failed, missed runs.",
    });
    const sfnLogLevel = variable(
      "state_machine_log_level",
      { type: "string", default: "ERROR", nullable: false, description: "Which execution events the state machine logs: ALL, ERROR, FATAL or OFF." },
      (v) => ({ condition: hcl`contains(${[...L.stateMachineLogLevel]}, ${raw(v)})`, errorMessage: "Must be ALL, ERROR, FATAL or OFF." }),
    );
    const logExecutionData = variable("log_execution_data", {
      type: "bool",
      default: false,
      nullable: false,
      description: "Log execution data (states' inputs and outputs). They hold the tasks' container overrides, which may carry secrets: leave false unless debugging.",
    });
    const R = EXPECTED_RUN_LIMITS;
    const expectedRuns = variable(
      "expected_runs",
      {
        type: `list(object({ name = string, family = optional(string), started_by = optional(string), interval_seconds = number, grace_seconds = optional(number, ${R.defaultGraceSeconds}) }))`,
        default: [],
        nullable: false,
        description: `Jobs that must succeed at least once per interval_seconds: each gets a missed-run alarm (a dead man's switch) notifying the topic when interval_seconds + grace_seconds (grace: ${R.defaultGraceSeconds} unless given; at most 7 days in all) pass without a successful run. A run is a task definition family or a started_by value: give exactly one.`,
      },
      eachRun(`can(regex(${hclString(R.namePattern)}, r.name))`, "Every name must be 1 to 60 letters, digits or dashes."),
      (v) => ({ condition: hcl`length(distinct([for r in ${raw(v)} : r.name])) == length(${raw(v)})`, errorMessage: "Every run needs a name no other run has." }),
      eachRun("(r.family == null) != (r.started_by == null)", "Every run needs exactly one of family and started_by."),
      eachRun(`r.interval_seconds == floor(r.interval_seconds) && r.interval_seconds >= ${R.minIntervalSeconds}`, `interval_seconds must be a whole number of at least ${R.minIntervalSeconds}.`),
      eachRun("r.grace_seconds == floor(r.grace_seconds) && r.grace_seconds >= 0", "grace_seconds must be a whole number of at least 0."),
      eachRun(`r.interval_seconds + r.grace_seconds <= ${R.maxWindowSeconds}`, `CloudWatch alarms look back at most 7 days: interval_seconds + grace_seconds must be at most ${R.maxWindowSeconds}.`),
    );
    const spokeClusters = variable(
      "spoke_clusters",
      {
        type: "list(string)",
        default: [],
        nullable: false,
        description:
          "Clusters in other accounts and/or regions, as full ARNs, each protected by a spoke (the modules/spoke submodule) that forwards its failures here: the pipeline becomes a hub with an event bus admitting their accounts and a rerun role that may assume their relaunch roles. Empty (and no spoke_organization_id): no hub.",
      },
      eachMatches(SPOKE_CLUSTER_ARN_PATTERN, "a full cluster ARN (arn:aws:ecs:REGION:ACCOUNT:cluster/NAME)"),
    );
    const spokeOrganization = variable(
      "spoke_organization_id",
      { type: "string", default: nothing, description: "AWS Organizations ID (o-...) whose accounts the hub bus admits too, and whose relaunch roles the rerun role may assume. null: only the accounts of spoke_clusters." },
      nullOrMatches(ORGANIZATION_ID_PATTERN, "an AWS Organizations ID (o- and 10 to 32 lower-case letters or digits)"),
    );
    const roles = this.roleOptionVariables("the rerun role");
    const tags = variable("tags", { type: "map(string)", default: {}, nullable: false, description: "Tags on every resource that takes tags." });

    this.pipelineProps = {
      create: create.booleanValue,
      clusters: clusters.listValue,
      name: name.stringValue,
      retryableReasons: retryableReasons.listValue,
      maxAttempts: maxAttempts.numberValue,
      firstDelaySeconds: firstDelay.numberValue,
      backoffRate: backoffRate.numberValue,
      maxDelaySeconds: maxDelay.numberValue,
      jitter: jitter.stringValue as "FULL" | "NONE",
      ignoreStartedBy: ignoreStartedBy.listValue,
      catchFailedToStart: catchFailedToStart.booleanValue,
      reportProgramFailures: reportProgramFailures.booleanValue,
      rerunProgramFailureFamilies: rerunFamilies.listValue,
      retryableStoppedReasons: retryableStoppedReasons.listValue,
      verifyIntervalSeconds: verifyInterval.numberValue,
      verifyTimeoutSeconds: verifyTimeout.numberValue,
      paceLaunches: paceLaunches.booleanValue,
      launchesPerSecond: launchesPerSecond.numberValue,
      reconcileEveryMinutes: reconcileEvery.numberValue,
      slackWebhookParameterName: slackParameter.stringValue,
      slackWebhookKmsKeyArn: slackKey.stringValue,
      slackBotTokenParameterName: slackBotToken.stringValue,
      slackChannelId: slackChannel.stringValue,
      notify: notifyOn.stringValue,
      stillTryingAfterSeconds: stillTrying.numberValue,
      digestAbovePerMinute: digestAbove.numberValue,
      notificationEmails: emails.listValue,
      kmsKeyArn: kmsKey.stringValue,
      taskDefinitionFamilies: families.listValue,
      passRoleArns: passRoles.listValue,
      infrastructureRoleArns: infrastructureRoles.listValue,
      logRetentionDays: logRetention.numberValue,
      createTrail: createTrail.booleanValue,
      trailForceDestroy: trailForceDestroy.booleanValue,
      createAlarms: createAlarms.booleanValue,
      alarmActions: alarmActions.listValue,
      allowNoDestination: allowNoDestination.booleanValue,
      createDashboard: createDashboard.booleanValue,
      expectedRuns: expectedRuns.value,
      stateMachineLogLevel: sfnLogLevel.stringValue,
      logExecutionData: logExecutionData.booleanValue,
      packageDirectory: `${Token.asString(ref("path.module"))}/${MODULE_PACKAGE_DIRECTORY}`,
      spokeClusters: spokeClusters.listValue,
      spokeOrganizationId: spokeOrganization.stringValue,
      rolePermissionsBoundary: roles.permissionsBoundary,
      rolePath: roles.path,
    };
    this.pipeline = new EcsRerunPipeline(this, "pipeline", this.pipelineProps);

    this.tagEverything(tags);

    const p = this.pipeline;
    const output = (id: string, value: unknown, description: string) => this.output(id, value, description);
    output("state_machine_arn", attributeOf(p.stateMachine, "arn"), "ARN of the rerun state machine (Step Functions, Standard).");
    output("topic_arn", attributeOf(p.topic, "arn"), "ARN of the SNS topic of rerun notices (structured JSON); subscribe more endpoints to it.");
    output("kms_key_arn", p.kmsKeyArn, "ARN of the KMS key encrypting the topic: the one given, or the one created.");
    output("rule_arn", attributeOf(p.rule, "arn"), "ARN of the EventBridge rule catching rejected launches (the first one: a long clusters list adds rules named <name>-launch-failures-N).");
    output("rerun_function_arn", attributeOf(p.rerunFunction, "arn"), "ARN of the Lambda that classifies failures and reruns tasks.");
    output("starter_function_arn", attributeOf(p.starterFunction, "arn"), "ARN of the Lambda the rules invoke: it starts one execution per failure, named after it.");
    output("rerun_role_arn", attributeOf(p.rerunRole, "arn"), "ARN of the rerun Lambda's role. Its IAM path /ecs-rerun/ marks it as a relaunch role, whose calls no ecs-rerun pipeline's rules catch, so reruns never loop and pipelines sharing a cluster leave each other's reruns alone.");
    output("notifier_function_arn", attributeOf(required(p.notifierFunction, "notifier"), "arn"), "ARN of the Slack notifier Lambda; null without slack_webhook_parameter_name or slack_bot_token_parameter_name.");
    output("dead_letter_queue_url", attributeOf(p.deadLetterQueue, "url"), "URL of the dead-letter queue of undeliverable events and notices.");
    output("dead_letter_queue_arn", attributeOf(p.deadLetterQueue, "arn"), "ARN of the dead-letter queue of undeliverable events and notices.");
    output("trail_arn", attributeOf(required(p.trail, "trail").trail, "arn"), "ARN of the management-events trail; null unless create_trail.");
    output(
      "task_failures_rule_arn",
      attributeOf(required(p.taskStateRule, "task-failures rule"), "arn"),
      "ARN of the EventBridge rule catching tasks that stopped before starting or exited non-zero; null when catch_failed_to_start and report_program_failures are both false.",
    );
    output("missed_run_alarm_arns", required(p.missedRuns, "missed-run alarms").alarmArns, "ARNs of the missed-run alarms, by expected_runs name.");
    output("hub_event_bus_arn", attributeOf(required(p.hubBus, "hub bus"), "arn"), "ARN of the event bus the spokes forward to (the spoke submodule's hub_event_bus_arn); null without spoke_clusters or spoke_organization_id.");
    output("reconciler_function_arn", attributeOf(required(p.reconciler, "reconciler").function, "arn"), "ARN of the reconciler Lambda, which finds failures whose events never arrived; null when reconcile_every_minutes is 0.");
    output("dashboard_name", attributeOf(required(p.dashboard, "dashboard").dashboard, "dashboard_name"), "Name of the CloudWatch dashboard (<name>-<region>); null unless create_dashboard.");
    output(
      "reconciler_role_arn",
      attributeOf(required(p.reconciler, "reconciler").role, "arn"),
      "ARN of the reconciler Lambda's role: give it to each spoke (the spoke submodule's hub_reconciler_role_arn), whose sweep role it alone may assume; null when reconcile_every_minutes is 0.",
    );
    output("launch_pacer_table_arn", attributeOf(required(p.launchPacer, "launch pacer").table, "arn"), "ARN of the DynamoDB table holding the shared launch clock; null unless pace_launches.");
    output("notices_table_arn", attributeOf(required(p.noticeStorm, "notice storm").table, "arn"), "ARN of the notifier's DynamoDB table (notices per minute, the Slack clock, a bot's threads); null without a Slack notifier.");
    output("digest_queue_url", attributeOf(required(p.noticeStorm, "notice storm").queue, "url"), "URL of the SQS queue where notices folded in a storm wait for the minute's digest; null without a Slack notifier.");
  }
}
