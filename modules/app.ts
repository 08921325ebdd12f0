/**
 * Builds the app's stacks (two, and a spoke's third when its settings are given) from the user's jobs
 * and settings: `main.ts` synthesizes it, the tests
 * and the drill build it in memory. Every user input is checked here first, so a mistake is reported
 * as a {@link ConfigError} naming what the user wrote rather than a construct's internal name.
 */
import type { App } from "cdktf";
import { ConfigError, resolveClusterConfig, type ClusterStackConfig, type ScheduledTaskConfig } from "./config";
import { NO_SLACK, readSettings, type Settings } from "./settings/settings";
import { EcsClusterStack } from "./cluster/ecs-cluster-stack";
import { EcsRerunStack } from "./pipeline/ecs-rerun-stack";
import { HubInputError } from "./pipeline/hub-bus";
import { EcsRerunSpokeStack } from "./spoke/ecs-rerun-spoke-stack";
import { ExpectedRunError, resolveExpectedRun, type ExpectedRun } from "./pipeline/missed-run";

/** Where the demo expects the Slack webhook URL (an SSM SecureString you create). */
export const DEMO_SLACK_WEBHOOK_PARAMETER = "/ecs-rerun/slack-webhook";

/** What {@link buildApp} deploys besides the settings. */
export interface AppInputs {
  /** The scheduled jobs of the `ecs-cluster` stack (main.ts passes JOBS of jobs.ts). */
  readonly jobs: readonly ScheduledTaskConfig[];
  /** How errors name the jobs list. @default "jobs" */
  readonly jobsLabel?: string;
}

/** Builds every stack of the app; `main.ts` synthesizes it, tests and the drill build it in memory. */
export function buildApp(app: App, env: NodeJS.ProcessEnv, inputs: AppInputs): { cluster: EcsClusterStack; rerun: EcsRerunStack; spoke?: EcsRerunSpokeStack } {
  const o = readSettings(env, app.node.getAllContext() as Record<string, unknown>);
  const label = inputs.jobsLabel ?? "jobs";
  const clusterConfig: ClusterStackConfig = {
    region: o.region,
    clusterName: o.clusterName,
    network: o.vpcId ? { kind: "existing", vpcId: o.vpcId, subnetIds: o.subnetIds ?? [] } : undefined,
    alarmActions: o.alarmActions,
    scheduledTasks: inputs.jobs,
  };
  // Checked here with the jobs named as the user wrote them; the stack resolves the same config again.
  const resolved = resolveClusterConfig(clusterConfig, { scheduledTasks: label });
  const expectedRuns: ExpectedRun[] = [];
  resolved.scheduledTasks.forEach((t, i) => {
    if (!t.alarmOnMissedRun || t.intervalSeconds === undefined) return;
    const run = { name: t.name, family: t.name, intervalSeconds: t.intervalSeconds, graceSeconds: t.missedRunGraceSeconds };
    try {
      resolveExpectedRun(run);
    } catch (e) {
      if (!(e instanceof ExpectedRunError)) throw e;
      throw new ConfigError(`${label}[${i}] ("${t.name}"): its missed-run alarm cannot work: ${e.message}; use a shorter interval or grace, or alarmOnMissedRun: false`);
    }
    expectedRuns.push(run);
  });

  if (o.slackBotTokenParameter !== undefined && o.slackWebhookParameter !== undefined && o.slackWebhookParameter !== NO_SLACK) {
    throw new ConfigError("ECS_RERUN_SLACK_WEBHOOK_PARAMETER (context key \"slackWebhookParameter\") and ECS_RERUN_SLACK_BOT_TOKEN_PARAMETER (context key \"slackBotTokenParameter\") are both set: Slack is reached one way, a webhook or a bot; set one of them");
  }
  // The webhook's default applies unless Slack is turned off (none) or reached through a bot token.
  const webhook = o.slackWebhookParameter === NO_SLACK ? undefined : o.slackWebhookParameter;
  const slack = o.slackBotTokenParameter !== undefined || o.slackWebhookParameter === NO_SLACK ? webhook : (webhook ?? DEMO_SLACK_WEBHOOK_PARAMETER);
  const spokeWanted = o.hubEventBusArn !== undefined && o.hubRerunRoleArn !== undefined;
  requireDestinations(o, slack ?? o.slackBotTokenParameter, spokeWanted);

  const cluster = new EcsClusterStack(app, "ecs-cluster", clusterConfig);
  // Protects the cluster by name, not by a cross-stack reference: the pipeline deploys on its own,
  // and protects clusters it did not create the same way.
  const rerun = hubStack(() =>
    new EcsRerunStack(app, "ecs-rerun", {
      region: cluster.config.region,
      clusters: o.protectedClusters ?? [cluster.config.clusterName],
      // Only the parameter's name; create it once with
      // `aws ssm put-parameter --type SecureString --name /ecs-rerun/slack-webhook --value https://hooks.slack.com/...`.
      slackWebhookParameterName: slack,
      slackBotTokenParameterName: o.slackBotTokenParameter,
      slackChannelId: o.slackChannelId,
      // Unset: the construct's defaults (outcomes, 600 s, 20 a minute).
      ...(o.notify !== undefined ? { notify: o.notify } : {}),
      ...(o.stillTryingAfterSeconds !== undefined ? { stillTryingAfterSeconds: Number(o.stillTryingAfterSeconds) } : {}),
      ...(o.digestAbovePerMinute !== undefined ? { digestAbovePerMinute: Number(o.digestAbovePerMinute) } : {}),
      notificationEmails: o.notificationEmails,
      // Every alarm of the pipeline, its missed-run alarms too, notifies these besides the topic.
      alarmActions: o.alarmActions,
      ...(o.allowNoDestination === "true" ? { allowNoDestination: true } : {}),
      ...(o.createDashboard === "false" ? { createDashboard: false } : {}),
      infrastructureRoleArns: o.infrastructureRoleArns,
      // A dead man's switch per scheduled job of the cluster stack: its interval follows the schedule.
      expectedRuns,
      // A hub when given spokes; unset, both are undefined and the stack is as it always was.
      spokeClusters: o.spokeClusters,
      spokeOrganizationId: o.spokeOrganizationId,
      // Unset: the construct's default (every 5 minutes); 0 turns the reconciler off.
      ...(o.reconcileEveryMinutes !== undefined ? { reconcileEveryMinutes: Number(o.reconcileEveryMinutes) } : {}),
    }),
  );

  // A spoke for this account and region, only when the hub's two outputs are given. Its clusters are
  // ECS_RERUN_PROTECTED_CLUSTERS rather than a setting of their own: in each account and region the
  // app is synthesized for, that setting already means "the clusters protected here" (the pipeline
  // watches them itself; a spoke forwards them to the hub), with the same default (the cluster
  // stack's cluster). A second list named like ECS_RERUN_SPOKE_CLUSTERS (the hub's ARNs of
  // *other* places) would invite setting one for the other.
  const spoke =
    o.hubEventBusArn !== undefined && o.hubRerunRoleArn !== undefined
      ? new EcsRerunSpokeStack(app, "ecs-rerun-spoke", {
          region: cluster.config.region,
          clusters: o.protectedClusters ?? [cluster.config.clusterName],
          hubEventBusArn: o.hubEventBusArn,
          hubRerunRoleArn: o.hubRerunRoleArn,
          ...(o.hubReconcilerRoleArn !== undefined ? { hubReconcilerRoleArn: o.hubReconcilerRoleArn } : {}),
          // A spoke has no topic of its own: its alarms go where the cluster's go.
          alarmActions: o.alarmActions,
          ...(o.allowNoDestination === "true" ? { allowNoDestination: true } : {}),
        })
      : undefined;
  return { cluster, rerun, spoke };
}

/**
 * Always a destination: refuses, naming the settings that would give one, a pipeline whose notices and
 * alarms would reach no one (Slack turned off, no emails, no alarm actions), and a spoke stack whose
 * alarms would (no alarm actions: a spoke has no topic), unless ECS_RERUN_ALLOW_NO_DESTINATION=true.
 * The constructs refuse the same at synth; this says it in the settings' own words first.
 */
function requireDestinations(o: Settings, slack: string | undefined, spoke: boolean): void {
  if (o.allowNoDestination === "true") return;
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
 * Builds the pipeline stack, reporting the one hub limit only the construct can measure (the rerun
 * role's policy naming every spoke account) as a ConfigError naming the setting, not a stack trace.
 */
function hubStack(build: () => EcsRerunStack): EcsRerunStack {
  try {
    return build();
  } catch (e) {
    if (e instanceof HubInputError) {
      const env = e.prop === "spokeClusters" ? "ECS_RERUN_SPOKE_CLUSTERS" : "ECS_RERUN_SPOKE_ORGANIZATION_ID";
      throw new ConfigError(`${env} (context key "${e.prop}"): ${e.message}`);
    }
    throw e;
  }
}
