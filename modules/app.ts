/**
 * Builds the app's stacks from the user's jobs and settings: `main.ts` synthesizes it, the tests and
 * the drill build it in memory. Every user input is checked here first, so a mistake is reported as a
 * {@link ConfigError} naming what the user wrote rather than a construct's internal name; a value a
 * construct refuses ({@link InputError}) is reported the same way, naming the setting it came from.
 *
 * What is built: the `ecs-cluster` stack (the cluster and the jobs of jobs.ts) when the pipeline
 * protects its cluster (by default, or when ECS_RERUN_PROTECTED_CLUSTERS names it); the `ecs-rerun`
 * stack (the pipeline) unless ECS_RERUN_CREATE=false; the `ecs-rerun-spoke` stack when the hub's two
 * outputs are given.
 */
import type { App } from "cdktf";
import { ConfigError, resolveClusterConfig, type ClusterStackConfig, type ResolvedClusterStackConfig, type ScheduledTaskConfig } from "./config";
import { checkJobs } from "./jobs-check";
import { InputError } from "./input-error";
import { DEFAULT_REGION, NO_SLACK, SETTINGS_LIST, howToSet, readSettingsWithSources, type Setting, type SettingKey, type Settings } from "./settings/settings";
import type { EcsClusterStack } from "./cluster/ecs-cluster-stack";
import type { EcsRerunStack, EcsRerunStackProps } from "./pipeline/ecs-rerun-stack";
import type { EcsRerunSpokeStack, EcsRerunSpokeStackProps } from "./spoke/ecs-rerun-spoke-stack";
import { ExpectedRunError, resolveExpectedRun, type ExpectedRun } from "./pipeline/missed-runs/missed-run";

/**
 * The stacks' classes, loaded when the stacks are built rather than with this file: every setting and
 * job is checked first, so `npm run synth` refuses a mistake before their code (the constructs and the
 * provider's classes, ~0.5 s of CPU) has loaded.
 */
function stackClasses() {
  /* eslint-disable @typescript-eslint/no-require-imports */
  return {
    EcsClusterStack: (require("./cluster/ecs-cluster-stack") as typeof import("./cluster/ecs-cluster-stack")).EcsClusterStack,
    EcsRerunStack: (require("./pipeline/ecs-rerun-stack") as typeof import("./pipeline/ecs-rerun-stack")).EcsRerunStack,
    EcsRerunSpokeStack: (require("./spoke/ecs-rerun-spoke-stack") as typeof import("./spoke/ecs-rerun-spoke-stack")).EcsRerunSpokeStack,
  };
  /* eslint-enable @typescript-eslint/no-require-imports */
}

/** Where the demo expects the Slack webhook URL (an SSM SecureString you create). */
export const DEMO_SLACK_WEBHOOK_PARAMETER = "/ecs-rerun/slack-webhook";

/** What {@link buildApp} deploys besides the settings. */
export interface AppInputs {
  /** The scheduled jobs of the `ecs-cluster` stack (main.ts passes JOBS of jobs.ts, unchecked: tsx strips types). */
  readonly jobs: unknown;
  /** How errors name the jobs list. @default "jobs" */
  readonly jobsLabel?: string;
  /** The demo job among them (jobs.ts's DEMO_JOB): left out, not refused, when the pipeline protects only other clusters. @default none */
  readonly demoJob?: ScheduledTaskConfig;
  /** What settings.ts exports (the typed settings file). @default {} */
  readonly settingsFile?: Readonly<Record<string, unknown>>;
}

/** The stacks {@link buildApp} built. */
export interface BuiltApp {
  /** The cluster and its jobs; absent when the pipeline protects only other clusters. */
  readonly cluster?: EcsClusterStack;
  /** The pipeline; absent with ECS_RERUN_CREATE=false. */
  readonly rerun?: EcsRerunStack;
  /** A spoke of a hub, when the hub's outputs are given. */
  readonly spoke?: EcsRerunSpokeStack;
  /** The checked settings. */
  readonly settings: Settings;
  /** The region every stack deploys to. */
  readonly region: string;
  /** Where the region was set (`ECS_RERUN_REGION`, `AWS_REGION`, ...); undefined: the default. */
  readonly regionSetBy?: string;
}

/** Settings app.ts resolves itself rather than passing them to their prop as they are. */
const RESOLVED_HERE: ReadonlySet<SettingKey> = new Set<SettingKey>(["slackWebhookParameter", "protectedClusters", "expectedRuns"]);

/** Every setting with a prop of the given construct, as that prop takes it (app.ts resolves a few itself). */
function passedAsTheyAre(o: Settings, which: "prop" | "spokeProp"): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const s of SETTINGS_LIST) {
    const prop = s[which];
    const value = o[s.key];
    if (prop !== undefined && value !== undefined && !RESOLVED_HERE.has(s.key)) out[prop] = value;
  }
  return out;
}

/** Whether the clusters `protectedClusters` names include the cluster stack's (by name, or by its ARN's name). */
const protects = (clusters: readonly string[], clusterName: string) => clusters.some((c) => c === clusterName || c.endsWith(`:cluster/${clusterName}`));

/**
 * The pipeline stack's props from the settings: every setting with a prop as it is, and those app.ts
 * resolves: Slack's default webhook, the protected clusters' default, the expected runs of the jobs
 * with those of the settings.
 */
export function pipelineStackProps(o: Settings, clusterName: string, jobRuns: readonly ExpectedRun[]): EcsRerunStackProps {
  // The webhook's default applies unless Slack is turned off (none) or reached through a bot token.
  const webhook = o.slackWebhookParameter === NO_SLACK ? undefined : o.slackWebhookParameter;
  const slack = o.slackBotTokenParameter !== undefined || o.slackWebhookParameter === NO_SLACK ? webhook : (webhook ?? DEMO_SLACK_WEBHOOK_PARAMETER);
  const expectedRuns = [...jobRuns, ...(o.expectedRuns ?? [])];
  return {
    ...passedAsTheyAre(o, "prop"),
    region: o.region ?? DEFAULT_REGION,
    ...(o.accountId !== undefined ? { accountId: o.accountId } : {}),
    ...(o.tags !== undefined ? { tags: o.tags } : {}),
    // Protects the cluster by name, not by a cross-stack reference: the pipeline deploys on its own,
    // and protects clusters it did not create the same way.
    clusters: o.protectedClusters ?? [clusterName],
    // Only the parameter's name; create it once with
    // `aws ssm put-parameter --type SecureString --name /ecs-rerun/slack-webhook --value https://hooks.slack.com/...`.
    slackWebhookParameterName: slack,
    // A dead man's switch per scheduled job of the cluster stack, and per run the settings declare.
    expectedRuns,
  };
}

/**
 * The spoke stack's props: its clusters are ECS_RERUN_PROTECTED_CLUSTERS rather than a setting of
 * their own: in each account and region the app is synthesized for, that setting already means "the
 * clusters protected here" (the pipeline watches them itself; a spoke forwards them to the hub), with
 * the same default (the cluster stack's cluster).
 */
export function spokeStackProps(o: Settings, clusterName: string): EcsRerunSpokeStackProps {
  return {
    ...(passedAsTheyAre(o, "spokeProp") as Pick<EcsRerunSpokeStackProps, "hubEventBusArn" | "hubRerunRoleArn">),
    region: o.region ?? DEFAULT_REGION,
    ...(o.accountId !== undefined ? { accountId: o.accountId } : {}),
    ...(o.tags !== undefined ? { tags: o.tags } : {}),
    clusters: o.protectedClusters ?? [clusterName],
  };
}

/** Builds every stack of the app; `main.ts` synthesizes it, tests and the drill build it in memory. */
export function buildApp(app: App, env: NodeJS.ProcessEnv, inputs: AppInputs): BuiltApp {
  const { settings: o, sources } = readSettingsWithSources(env, app.node.getAllContext() as Record<string, unknown>, inputs.settingsFile ?? {});
  const label = inputs.jobsLabel ?? "jobs";
  const jobs = checkJobs(inputs.jobs, label);
  const region = o.region ?? DEFAULT_REGION;
  const clusterName = o.clusterName ?? "batch-ec2";
  const pipeline = o.create !== false;
  // The cluster stack exists for the pipeline's sake only when it protects its cluster; a pipeline of
  // your own clusters deploys nothing of the demo, and refuses jobs that would run unprotected.
  const withCluster = !pipeline || o.protectedClusters === undefined || protects(o.protectedClusters, clusterName);
  const ownJobs = jobs.filter((j) => j !== inputs.demoJob);
  if (!withCluster && ownJobs.length > 0) {
    throw new ConfigError(
      `${howToSet("protectedClusters")} names only other clusters, so the ecs-cluster stack (cluster ${clusterName}) is left out, but ${label} has jobs for it (${ownJobs.map((j) => j.name).join(", ")}): add ${clusterName} to ECS_RERUN_PROTECTED_CLUSTERS to deploy them protected, or take them out of ${label}`,
    );
  }
  const clusterConfig: ClusterStackConfig = {
    region,
    ...(o.accountId !== undefined ? { accountId: o.accountId } : {}),
    clusterName,
    network: o.vpcId ? { kind: "existing", vpcId: o.vpcId, subnetIds: o.subnetIds ?? [], ...(o.assignPublicIp !== undefined ? { assignPublicIp: o.assignPublicIp } : {}) } : o.vpcCidr ? { kind: "new", cidr: o.vpcCidr } : undefined,
    ...(o.instanceType !== undefined ? { instanceType: o.instanceType } : {}),
    ...(o.minInstances !== undefined ? { minInstances: o.minInstances } : {}),
    ...(o.maxInstances !== undefined ? { maxInstances: o.maxInstances } : {}),
    ...(o.rootVolumeGiB !== undefined ? { rootVolumeGiB: o.rootVolumeGiB } : {}),
    ...(o.tags !== undefined ? { tags: o.tags } : {}),
    alarmActions: o.alarmActions,
    scheduledTasks: withCluster ? jobs : [],
  };
  // Checked here with the jobs named as the user wrote them; the stack resolves the same config again.
  const resolved = resolveClusterConfig(clusterConfig, { scheduledTasks: label });
  const jobRuns = withCluster ? expectedRunsOfJobs(resolved, label, o.expectedRuns ?? []) : [];

  if (o.slackBotTokenParameter !== undefined && o.slackWebhookParameter !== undefined && o.slackWebhookParameter !== NO_SLACK) {
    throw new ConfigError(`${howToSet("slackWebhookParameter")} and ${howToSet("slackBotTokenParameter")} are both set: Slack is reached one way, a webhook or a bot; set one of them`);
  }
  const spokeWanted = pipeline && o.hubEventBusArn !== undefined && o.hubRerunRoleArn !== undefined;
  const rerunProps = pipeline ? pipelineStackProps(o, clusterName, jobRuns) : undefined;
  if (rerunProps) requireDestinations(o, rerunProps.slackWebhookParameterName ?? o.slackBotTokenParameter, spokeWanted);

  const { EcsClusterStack, EcsRerunStack, EcsRerunSpokeStack } = stackClasses();
  const cluster = withCluster ? new EcsClusterStack(app, "ecs-cluster", clusterConfig) : undefined;
  const rerun = rerunProps ? refusedAsSettings("prop", () => new EcsRerunStack(app, "ecs-rerun", rerunProps)) : undefined;
  // A spoke for this account and region, only when the hub's two outputs are given.
  const spoke = spokeWanted ? refusedAsSettings("spokeProp", () => new EcsRerunSpokeStack(app, "ecs-rerun-spoke", spokeStackProps(o, clusterName))) : undefined;
  return { cluster, rerun, spoke, settings: o, region, regionSetBy: sources.region };
}

/** The missed-run watch of each job of the cluster stack (its interval follows its schedule), checked, named apart from the settings' runs. */
function expectedRunsOfJobs(resolved: ResolvedClusterStackConfig, label: string, settingRuns: readonly ExpectedRun[]): ExpectedRun[] {
  const runs: ExpectedRun[] = [];
  resolved.scheduledTasks.forEach((t, i) => {
    if (!t.alarmOnMissedRun || t.intervalSeconds === undefined) return;
    const run = { name: t.name, family: t.name, intervalSeconds: t.intervalSeconds, graceSeconds: t.missedRunGraceSeconds };
    try {
      resolveExpectedRun(run);
    } catch (e) {
      if (!(e instanceof ExpectedRunError)) throw e;
      throw new ConfigError(`${label}[${i}] ("${t.name}"): its missed-run alarm cannot work: ${e.message}; use a shorter interval or grace, or alarmOnMissedRun: false`);
    }
    if (settingRuns.some((r) => r.name === t.name)) {
      throw new ConfigError(`${howToSet("expectedRuns")} declares a run named "${t.name}", which is the name of ${label}[${i}], whose own missed-run alarm has it: name the run otherwise, or give the job alarmOnMissedRun: false`);
    }
    runs.push(run);
  });
  return runs;
}

/**
 * Always a destination: refuses, naming the settings that would give one, a pipeline whose notices and
 * alarms would reach no one (Slack turned off, no emails or alarm actions), and a spoke stack whose
 * alarms would (no alarm actions: a spoke has no topic), unless ECS_RERUN_ALLOW_NO_DESTINATION=true.
 * The constructs refuse the same at synth; this says it in the settings' own words first.
 */
function requireDestinations(o: Settings, slack: string | undefined, spoke: boolean): void {
  if (o.allowNoDestination === true) return;
  const allow = "or ECS_RERUN_ALLOW_NO_DESTINATION=true if you subscribe the notices topic yourself or want silence";
  const hasActions = (o.alarmActions ?? []).length > 0;
  if (slack === undefined && (o.notificationEmails ?? []).length === 0 && !hasActions) {
    throw new ConfigError(
      `ECS_RERUN_SLACK_WEBHOOK_PARAMETER=${NO_SLACK}: the ecs-rerun stack's notices and alarms would reach no one. Set ECS_RERUN_SLACK_WEBHOOK_PARAMETER (the name of an SSM SecureString holding a Slack webhook URL), ECS_RERUN_NOTIFICATION_EMAILS (addresses) or ECS_RERUN_ALARM_ACTIONS (SNS topic ARNs), ${allow}`,
    );
  }
  if (spoke && !hasActions) {
    throw new ConfigError(`the ecs-rerun-spoke stack's alarms (failures it could not forward to the hub) would reach no one: a spoke has no topic, so set ECS_RERUN_ALARM_ACTIONS (SNS topic ARNs of this account and region), ${allow}`);
  }
}

/**
 * Builds a stack, reporting a value its construct refuses (an InputError naming the prop) as a
 * ConfigError naming the setting that gave the prop, not as a stack trace: a limit only the construct
 * can measure (how many clusters a role's policies hold, how many accounts a hub's) or a rule between
 * props (the largest wait not below the first).
 */
function refusedAsSettings<T>(which: "prop" | "spokeProp", build: () => T): T {
  try {
    return build();
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    const setting: Setting | undefined = SETTINGS_LIST.find((s) => s[which] === e.prop);
    throw new ConfigError(setting ? `${howToSet(setting)}: ${e.message}` : e.message);
  }
}
