/** Synthesizes the ecs-rerun stack and reads back what the drill runs: patterns, state machine, Lambda settings, alarms. */
import { Testing } from "cdktf";
import { DEMO_JOB } from "../../jobs";
import { buildApp, DEMO_SLACK_WEBHOOK_PARAMETER } from "../../modules/app";
import { EcsRerunStack } from "../../modules/pipeline/ecs-rerun-stack";
import { PACER_FAILURE_METRIC } from "../../modules/pipeline/pacing/launch-pacer";
import { NOTICE_STORE_FAILURE_METRIC } from "../../modules/pipeline/notices/notice-storm";
import { FOUND_BY_RECONCILER_METRIC } from "../../modules/pipeline/reconciler/reconciler-names";
import { PIPELINE_METRICS } from "../../modules/pipeline/dashboard/pipeline-metrics";
import type { AlarmSpec } from "../simulation/cloudwatch";
import { synthesizeHub, type SynthesizedHub } from "./synthesized-hub";
import { sharedText } from "./run-share";
import type { PolicyDocument } from "../local-aws/iam-policy";

/** The account the drill's local AWS answers as (LocalAws's default), which deployed values name. */
export const DRILL_ACCOUNT = "123456789012";

/** One of the pipeline's roles as CloudTrail names it: its name and IAM path. */
export interface SynthesizedRole {
  readonly name: string;
  readonly path: string;
}

/** The parts of the synthesized `ecs-rerun` stack the drill runs. */
export interface SynthesizedPipeline {
  /** The launch-failure rule's `event_pattern`, parsed, as deployed (the first rule's, when the pattern is split). */
  readonly eventPattern: Record<string, unknown>;
  /** Every launch-failure rule's pattern, as deployed: an event is caught when one of them matches. */
  readonly eventPatterns: readonly Record<string, unknown>[];
  /** The state machine's ASL definition, parsed (Lambda and topic ARNs are still Terraform references). */
  readonly definition: Record<string, unknown>;
  /** Environment of the rerun Lambda, as synthesized (the pacer's table reference filled in, as Terraform would). */
  readonly rerunEnvironment: Record<string, string>;
  /** The launch pacer's table (name, partition key) and its failure filter's pattern, when reruns are paced. */
  readonly launchPacer?: { readonly table: string; readonly hashKey: string; readonly failurePattern: string };
  /** Environment of the notifier Lambda, as synthesized (absent without a Slack parameter). */
  readonly notifierEnvironment?: Record<string, string>;
  /** The notifier's table and digest queue (as Terraform would name them), when there is a notifier. */
  readonly noticeStorm?: { readonly table: string; readonly hashKey: string; readonly queueUrl: string; readonly maxReceiveCount: number; readonly schedule: string; readonly storeFailurePattern: string };
  /** How many times Lambda retries a failed notifier invocation before the on-failure destination. */
  readonly notifierMaxRetries: number;
  /** Name of the rerun Lambda's role: the identity its ECS calls carry. */
  readonly rerunRoleName: string;
  /** The roles whose credentials the Lambdas call AWS with, as CloudTrail names them. */
  readonly roles: { readonly rerun: SynthesizedRole; readonly starter: SynthesizedRole; readonly notifier?: SynthesizedRole };
  /** The state machine's ARN as the starter's STATE_MACHINE_ARN would hold it once deployed. */
  readonly stateMachineArn: string;
  /** The starter Lambda's environment, as synthesized. */
  readonly starterEnvironment: Record<string, string>;
  /** Region of the stack's provider. */
  readonly region: string;
  /** The account the pipeline is deployed in (the drill's). */
  readonly account: string;
  /** The rerun Lambda's ARN, as `context.invokedFunctionArn` gives it to the handler. */
  readonly rerunFunctionArn: string;
  /** The rerun role's ARN and its inline policies, as deployed (what the local STS checks an AssumeRole of it against). */
  readonly rerunRoleArn: string;
  readonly rerunRolePolicies: readonly PolicyDocument[];
  /** The hub part and the spokes, when the protected clusters include other accounts or regions. */
  readonly hub?: SynthesizedHub;
  /** The task-failures rule's pattern (tasks that never started, program failures), when enabled (the first rule's, when split). */
  readonly taskFailurePattern?: Record<string, unknown>;
  /** Every task-failures rule's pattern: an event is caught when one of them matches. */
  readonly taskFailurePatterns: readonly Record<string, unknown>[];
  /** The successful-runs rule's pattern, when expected runs are watched (the first rule's, when split). */
  readonly successPattern?: Record<string, unknown>;
  /** Every successful-runs rule's pattern. */
  readonly successPatterns: readonly Record<string, unknown>[];
  /** Metric filters on the successful-runs log group (the launch pacer's is `launchPacer.failurePattern`). */
  readonly metricFilters: readonly { pattern: string; metricName: string }[];
  /** The dashboard's metric filters (dashboard/pipeline-metrics.ts), as synthesized; none when it is off. */
  readonly dashboardFilters: readonly { pattern: string; metricName: string; value: string; namespace: string; logGroupName: string }[];
  /** The missed-run alarms. */
  readonly missedRunAlarms: readonly AlarmSpec[];
  /** The reconciler, unless reconcile_every_minutes is 0. */
  readonly reconciler?: SynthesizedReconciler;
}

/** What the drill runs of the synthesized reconciler. */
export interface SynthesizedReconciler {
  /** Its Lambda's environment, as deployed (the state machine's ARN and the cursor table's name filled in), with AWS_REGION. */
  readonly environment: Record<string, string>;
  /** The cursor table and its partition key. */
  readonly cursorTable: { readonly name: string; readonly hashKey: string };
  /** Minutes between runs, from its schedule's rate expression. */
  readonly everyMinutes: number;
  /** Its Lambda's name and timeout. */
  readonly functionName: string;
  readonly timeoutSeconds: number;
  /** Its role, its ARN and its inline policies as deployed (what the local STS checks an AssumeRole of it against). */
  readonly role: SynthesizedRole;
  readonly roleArn: string;
  readonly rolePolicies: readonly PolicyDocument[];
  /** The pattern of its FoundByReconciler metric filter. */
  readonly foundPattern: string;
}

type Resources = Record<string, Record<string, Record<string, unknown>>>;

/** What synth wrote for one resource of the construct tree. */
function synthesized(resources: Resources, resource: { terraformResourceType: string; friendlyUniqueId: string } | undefined) {
  return resource ? resources[resource.terraformResourceType]?.[resource.friendlyUniqueId] : undefined;
}

/**
 * A synthesized value as Terraform would deploy it in the drill's account: the references to where
 * the pipeline runs (partition, account, region data sources) filled in.
 */
export function deployed(text: string, region: string, account: string = DRILL_ACCOUNT): string {
  return text
    .replace(/\$\{data\.aws_partition\.[A-Za-z0-9_-]+\.partition\}/g, "aws")
    .replace(/\$\{data\.aws_caller_identity\.[A-Za-z0-9_-]+\.account_id\}/g, account)
    .replace(/\$\{data\.aws_region\.[A-Za-z0-9_-]+\.region\}/g, region);
}

/** The patterns of a rule and of its later parts (a for_each block whose keys are the parts), in order, as deployed. */
function patternsOf(rule: Record<string, unknown> | undefined, more: Record<string, unknown> | undefined, region: string, account: string = DRILL_ACCOUNT): Record<string, unknown>[] {
  if (!rule) return [];
  const later = (more?.for_each ?? {}) as Record<string, string>;
  const texts = [rule.event_pattern as string, ...Object.keys(later).sort((a, b) => Number(a) - Number(b)).map((k) => later[k])];
  return texts.map((t) => JSON.parse(deployed(t, region, account)) as Record<string, unknown>);
}

function required<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`the synthesized ecs-rerun stack has no ${what}`);
  return value;
}

/** What {@link synthesizePipeline} is asked for. */
export interface PipelineOptions {
  /** Clusters the pipeline protects. @default the app's default (the cluster stack's) */
  readonly clusters?: readonly string[];
  /** Cluster ARNs of the hub's spokes. @default none (no hub) */
  readonly spokeClusters?: readonly string[];
  /** The hub admits this AWS Organization too (spokeOrganizationId). @default none */
  readonly spokeOrganizationId?: string;
  /** Clusters of the organization's accounts with a spoke deployed, which spokeClusters does not list. @default none */
  readonly organizationClusters?: readonly string[];
  /** The settings' environment variables. @default none */
  readonly env?: NodeJS.ProcessEnv;
}

/** Pipelines synthesized in this process, by their options, as JSON: a drill started twice alike reads the same stack. */
const synthesizedBefore = new Map<string, string>();

/**
 * Synthesizes the `ecs-rerun` stack in memory through `buildApp`, the code path `npm run synth`
 * takes, and reads back what the drill needs. Nothing is copied by hand: the drill runs what
 * Terraform would deploy. It deploys the demo job (jobs.ts), whatever JOBS holds: the scenarios
 * (a missed run of print-date) are about the demo, and a user's own jobs must not change them.
 * The same options give the same stack (synthesis is deterministic): each is synthesized once per
 * process, and every caller gets its own copy (the Step Functions interpreter writes into the
 * definition it is given).
 */
export function synthesizePipeline(options: PipelineOptions = {}): SynthesizedPipeline {
  const key = JSON.stringify(options);
  let text = synthesizedBefore.get(key);
  if (text === undefined) {
    text = sharedText("pipeline", key, () => {
      const pipeline = synthesizeOnce(options);
      // A copy through JSON rather than structuredClone, whose copies are of another realm's Object and
      // Array under jest; checked once, so a field JSON cannot carry (undefined, Infinity) is caught here.
      const lost = notJson(pipeline, "pipeline");
      if (lost !== undefined) throw new Error(`the synthesized pipeline does not survive a JSON copy (${lost}): keep its fields to JSON values`);
      return JSON.stringify(pipeline);
    });
    synthesizedBefore.set(key, text);
  }
  return JSON.parse(text) as SynthesizedPipeline;
}

/**
 * The path of the first value JSON would not carry as it is (undefined in a list, a non-finite
 * number, a class instance), if any. A property that is undefined is dropped, and reads the same.
 */
function notJson(value: unknown, path: string): string | undefined {
  if (value === null || typeof value === "string" || typeof value === "boolean") return undefined;
  if (typeof value === "number") return Number.isFinite(value) ? undefined : path;
  if (Array.isArray(value)) return value.map((v, i) => notJson(v, `${path}[${i}]`)).find((p) => p !== undefined);
  if (typeof value !== "object" || Object.prototype.toString.call(value) !== "[object Object]") return path;
  return Object.entries(value)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => notJson(v, `${path}.${k}`))
    .find((p) => p !== undefined);
}

function synthesizeOnce(options: PipelineOptions): SynthesizedPipeline {
  const env: NodeJS.ProcessEnv = { ...(options.env ?? {}) };
  if (options.clusters) env.ECS_RERUN_PROTECTED_CLUSTERS = options.clusters.join(",");
  const app = Testing.app();
  const spokeClusters = options.spokeClusters ?? [];
  // The app's settings have no spoke clusters (a hub is a construct and module feature): a hub drill
  // deploys the pipeline stack itself, as buildApp does but with spokeClusters (and without the
  // demo job's missed-run alarm, which watches the home cluster stack the hub drill does not run).
  const org = options.spokeOrganizationId;
  const isHub = spokeClusters.length > 0 || org !== undefined;
  const rerun = !isHub
    ? buildApp(app, env, { jobs: [DEMO_JOB], demoJob: DEMO_JOB }).rerun!
    : new EcsRerunStack(app, "ecs-rerun", {
        region: env.ECS_RERUN_REGION ?? "ap-northeast-1",
        clusters: options.clusters ?? ["batch-ec2"],
        slackWebhookParameterName: DEMO_SLACK_WEBHOOK_PARAMETER,
        spokeClusters,
        ...(org !== undefined ? { spokeOrganizationId: org } : {}),
      });
  const tf = JSON.parse(Testing.synth(rerun)) as { resource: Resources; provider: { aws: { region: string }[] } };
  const r = tf.resource;
  const p = rerun.pipeline;
  const rule = required(synthesized(r, p.rule), "launch-failure rule");
  const machine = required(synthesized(r, p.stateMachine), "state machine");
  const rerunFn = required(synthesized(r, p.rerunFunction), "rerun Lambda");
  const notifierFn = synthesized(r, p.notifierFunction);
  const invokeConfig = p.notifierFunction
    ? Object.values(r.aws_lambda_function_event_invoke_config ?? {}).find((c) => String(c.function_name).includes(`.${p.notifierFunction!.friendlyUniqueId}.`))
    : undefined;
  const rerunRole = required(synthesized(r, p.rerunRole), "rerun role");
  const starterFn = required(synthesized(r, p.starterFunction), "starter Lambda");
  const region = tf.provider.aws[0].region;
  // Terraform fills in the references to where the pipeline runs (SPOKE_ROLE_ARN_PATTERN's partition).
  const envOf = (fn: Record<string, unknown>) => Object.fromEntries(Object.entries((fn.environment as { variables: Record<string, string> }).variables).map(([k, v]) => [k, deployed(v, region)]));
  const eventPatterns = patternsOf(rule, synthesized(r, p.moreRules), region);
  const taskFailurePatterns = patternsOf(synthesized(r, p.taskStateRule), synthesized(r, p.moreTaskStateRules), region);
  const successPatterns = patternsOf(synthesized(r, p.missedRuns?.rule), synthesized(r, p.missedRuns?.moreRules), region);
  const roleOf = (role: Record<string, unknown>): SynthesizedRole => ({ name: role.name as string, path: (role.path as string | undefined) ?? "/" });
  // A function's `role` is "${aws_iam_role.<id>.arn}": the role it names.
  const roleNamed = (fn: Record<string, unknown> | undefined) => {
    const id = /\$\{aws_iam_role\.([A-Za-z0-9_-]+)\.arn\}/.exec(String(fn?.role ?? ""))?.[1];
    const role = id === undefined ? undefined : r.aws_iam_role?.[id];
    return role ? roleOf(role) : undefined;
  };
  const pacerTable = synthesized(r, p.launchPacer?.table);
  const filters = Object.values(r.aws_cloudwatch_log_metric_filter ?? {});
  const isPacerFilter = (f: Record<string, unknown>) => (f.metric_transformation as { name: string }).name === PACER_FAILURE_METRIC;
  // The reconciler's filter counts what it found, not runs of a job; the dashboard's count outcomes.
  const isReconcilerFilter = (f: Record<string, unknown>) => (f.metric_transformation as { name: string }).name === FOUND_BY_RECONCILER_METRIC;
  const dashboardMetrics = new Set<string>(Object.values(PIPELINE_METRICS).map((m) => m.metric));
  const isDashboardFilter = (f: Record<string, unknown>) => dashboardMetrics.has((f.metric_transformation as { name: string }).name);
  // The notifier's store failures: counted by the drill from the notifier's log lines, like the pacer's.
  const isStoreFilter = (f: Record<string, unknown>) => (f.metric_transformation as { name: string }).name === NOTICE_STORE_FAILURE_METRIC;
  const pacerFilter = filters.find(isPacerFilter);
  const launchPacer = pacerTable && pacerFilter ? { table: pacerTable.name as string, hashKey: pacerTable.hash_key as string, failurePattern: pacerFilter.pattern as string } : undefined;
  // Terraform fills the table's name in at apply; the drill names it as the table is named.
  const rerunEnvironment = { ...envOf(rerunFn), ...(launchPacer ? { PACER_TABLE: launchPacer.table } : {}) };
  // The notifier's storm parts: Terraform fills in the table's name and the queue's URL at apply.
  const stormTable = synthesized(r, p.noticeStorm?.table);
  const stormQueue = synthesized(r, p.noticeStorm?.queue);
  const stormSchedule = synthesized(r, p.noticeStorm?.schedule);
  const noticeStorm =
    stormTable && stormQueue && stormSchedule
      ? {
          table: stormTable.name as string,
          hashKey: stormTable.hash_key as string,
          queueUrl: `https://sqs.${region}.amazonaws.com/${DRILL_ACCOUNT}/${stormQueue.name as string}`,
          maxReceiveCount: (JSON.parse(stormQueue.redrive_policy as string) as { maxReceiveCount: number }).maxReceiveCount,
          schedule: stormSchedule.schedule_expression as string,
          storeFailurePattern: (filters.find(isStoreFilter)?.pattern as string | undefined) ?? "",
        }
      : undefined;
  const rerunRoleArn = `arn:aws:iam::${DRILL_ACCOUNT}:role${(rerunRole.path as string | undefined) ?? "/"}${rerunRole.name as string}`;
  const stateMachineArn = `arn:aws:states:${region}:${DRILL_ACCOUNT}:stateMachine:${machine.name as string}`;
  // A role's inline policies: those whose `role` is "${aws_iam_role.<the role>.id|name}".
  const policiesOf = (role: { friendlyUniqueId: string }) => {
    const ref = new RegExp(`^\\$\\{aws_iam_role\\.${role.friendlyUniqueId}\\.(id|name)\\}$`);
    return Object.values(r.aws_iam_role_policy ?? {})
      .filter((policy) => ref.test(String(policy.role)))
      .map((policy) => JSON.parse(deployed(policy.policy as string, region)) as PolicyDocument);
  };
  const rerunRolePolicies = policiesOf(p.rerunRole);
  const reconciler = p.reconciler && synthesizedReconciler(p.reconciler, r, { region, stateMachineArn, envOf, roleOf, policiesOf });
  const hub = !isHub
    ? undefined
    : synthesizeHub(
        p,
        r,
        {
          place: { account: DRILL_ACCOUNT, region },
          spokeClusters,
          rerunRoleArn,
          reconcilerRoleArn: reconciler?.roleArn,
          ...(org !== undefined ? { organization: { id: org, clusters: options.organizationClusters ?? [] } } : {}),
        },
        { deployed, patternsOf },
      );
  return {
    hub,
    rerunRoleArn,
    rerunRolePolicies,
    account: DRILL_ACCOUNT,
    rerunFunctionArn: `arn:aws:lambda:${region}:${DRILL_ACCOUNT}:function:${rerunFn.function_name as string}`,
    taskFailurePattern: taskFailurePatterns[0],
    taskFailurePatterns,
    successPattern: successPatterns[0],
    successPatterns,
    metricFilters: filters.filter((f) => !isPacerFilter(f) && !isReconcilerFilter(f) && !isDashboardFilter(f) && !isStoreFilter(f)).map((f) => ({
      pattern: f.pattern as string,
      metricName: (f.metric_transformation as { name: string }).name,
    })),
    dashboardFilters: filters.filter(isDashboardFilter).map((f) => {
      const t = f.metric_transformation as { name: string; value: string; namespace: string };
      return { pattern: f.pattern as string, metricName: t.name, value: t.value, namespace: t.namespace, logGroupName: f.log_group_name as string };
    }),
    missedRunAlarms: Object.values(r.aws_cloudwatch_metric_alarm ?? {})
      .filter((a) => String(a.alarm_name).endsWith("-missed-run"))
      .map((a) => a as unknown as AlarmSpec),
    eventPattern: eventPatterns[0],
    eventPatterns,
    definition: JSON.parse(machine.definition as string),
    rerunEnvironment,
    launchPacer,
    noticeStorm,
    notifierEnvironment: notifierFn ? { ...envOf(notifierFn), ...(noticeStorm ? { NOTICE_TABLE: noticeStorm.table, DIGEST_QUEUE_URL: noticeStorm.queueUrl } : {}) } : undefined,
    notifierMaxRetries: (invokeConfig?.maximum_retry_attempts as number | undefined) ?? 2,
    rerunRoleName: rerunRole.name as string,
    roles: { rerun: roleOf(rerunRole), starter: required(roleNamed(starterFn), "starter role"), notifier: roleNamed(notifierFn) },
    // Terraform fills the ARN in at apply; the drill names it as AWS would.
    stateMachineArn,
    ...(reconciler ? { reconciler } : {}),
    starterEnvironment: envOf(starterFn),
    region,
  };
}

/** Reads back the synthesized reconciler as Terraform would deploy it in the drill's account. */
function synthesizedReconciler(
  rc: NonNullable<EcsRerunStack["pipeline"]["reconciler"]>,
  r: Resources,
  at: {
    region: string;
    stateMachineArn: string;
    envOf: (fn: Record<string, unknown>) => Record<string, string>;
    roleOf: (role: Record<string, unknown>) => SynthesizedRole;
    policiesOf: (role: { friendlyUniqueId: string }) => PolicyDocument[];
  },
): SynthesizedReconciler {
  const fn = required(synthesized(r, rc.function), "reconciler Lambda");
  const table = required(synthesized(r, rc.cursorTable), "reconciler cursor table");
  const schedule = required(synthesized(r, rc.schedule), "reconciler schedule");
  const role = at.roleOf(required(synthesized(r, rc.role), "reconciler role"));
  const rate = /^rate\((\d+) minutes?\)$/.exec(String(schedule.schedule_expression));
  if (rate === null) throw new Error(`the reconciler's schedule ${JSON.stringify(schedule.schedule_expression)} is no rate the drill reads`);
  const found = Object.values(r.aws_cloudwatch_log_metric_filter ?? {}).find((f) => (f.metric_transformation as { name: string }).name === FOUND_BY_RECONCILER_METRIC);
  return {
    // Terraform fills the references in at apply (the state machine's ARN, the table's name); Lambda sets AWS_REGION.
    environment: { ...at.envOf(fn), STATE_MACHINE_ARN: at.stateMachineArn, CURSOR_TABLE: table.name as string, AWS_REGION: at.region },
    cursorTable: { name: table.name as string, hashKey: table.hash_key as string },
    everyMinutes: Number(rate[1]),
    functionName: fn.function_name as string,
    timeoutSeconds: fn.timeout as number,
    role,
    roleArn: `arn:aws:iam::${DRILL_ACCOUNT}:role${role.path}${role.name}`,
    rolePolicies: at.policiesOf(rc.role),
    foundPattern: required(found, "FoundByReconciler metric filter").pattern as string,
  };
}
