/** Builds the app's stacks (cluster, pipeline, Terraform module) from the settings: the one entry main.ts calls. */
import type { App } from "cdktf";
import { readOverrides, type ClusterStackConfig } from "./config";
import { EcsClusterStack } from "./cluster/ecs-cluster-stack";
import { EcsRerunStack } from "./pipeline/ecs-rerun-stack";

/** The demo's scheduled job: prints the date once a day, so leaving it deployed costs cents. */
export const DEMO_TASKS: ClusterStackConfig["scheduledTasks"] = [
  {
    name: "print-date",
    schedule: "rate(1 day)",
    image: "public.ecr.aws/docker/library/busybox:1.37",
    command: ["sh", "-c", "date -u +%Y-%m-%dT%H:%M:%SZ"],
    cpu: 128,
    memory: 64,
  },
];

/** Where the demo expects the Slack webhook URL (an SSM SecureString you create). */
export const DEMO_SLACK_WEBHOOK_PARAMETER = "/ecs-rerun/slack-webhook";

/** Builds every stack of the app; `main.ts` synthesizes it, tests and benchmarks build it in memory. */
export function buildApp(app: App, env: NodeJS.ProcessEnv): { cluster: EcsClusterStack; rerun: EcsRerunStack } {
  const o = readOverrides(env, (key) => app.node.tryGetContext(key));
  const cluster = new EcsClusterStack(app, "ecs-cluster", {
    region: o.region,
    clusterName: o.clusterName,
    network: o.vpcId ? { kind: "existing", vpcId: o.vpcId, subnetIds: o.subnetIds ?? [] } : undefined,
    alarmActions: o.alarmActions,
    scheduledTasks: DEMO_TASKS,
  });
  // Protects the cluster by name, not by a cross-stack reference: the pipeline deploys on its own,
  // and protects clusters it did not create the same way.
  const rerun = new EcsRerunStack(app, "ecs-rerun", {
    region: cluster.config.region,
    clusters: o.protectedClusters ?? [cluster.config.clusterName],
    // Only the parameter's name; create it once with
    // `aws ssm put-parameter --type SecureString --name /ecs-rerun/slack-webhook --value https://hooks.slack.com/...`.
    slackWebhookParameterName: o.slackWebhookParameter ?? DEMO_SLACK_WEBHOOK_PARAMETER,
    notificationEmails: o.notificationEmails,
    // A dead man's switch per scheduled job of the cluster stack: its interval follows the schedule.
    expectedRuns: cluster.config.scheduledTasks
      .filter((t) => t.alarmOnMissedRun && t.intervalSeconds !== undefined)
      .map((t) => ({ name: t.name, family: t.name, intervalSeconds: t.intervalSeconds!, graceSeconds: t.missedRunGraceSeconds })),
  });
  return { cluster, rerun };
}
