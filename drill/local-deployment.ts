// The drill's deployment: the pipeline synthesized for the drill's place and options, and the local
// endpoints it runs against (LocalAws with the Lambdas' identities, tables, queues and roles as
// synthesized; LocalSlack), started. The Drill (runner.ts) runs events through what this returns.
import { LocalAws } from "./local-aws/local-aws";
import { LocalSlack } from "./slack/local-slack";
import type { DrillOptions } from "./drill-types";
import { DRILL_ACCOUNT, synthesizePipeline, type SynthesizedPipeline } from "./synthesized/synthesized-pipeline";
import { splitClusters } from "./synthesized/synthesized-hub";

/** The access keys each caller signs with; LocalAws maps each to the role CloudTrail names. */
export const RERUN_ACCESS_KEY = "ASIADRILLRERUNROLE01";
export const SCHEDULER_ACCESS_KEY = "ASIADRILLEVENTSROLE1";
export const NOTIFIER_ACCESS_KEY = "ASIADRILLNOTIFIER001";
export const STARTER_ACCESS_KEY = "ASIADRILLSTARTER0001";
export const RECONCILER_ACCESS_KEY = "ASIADRILLRECONCILER1";
/** The bot token's parameter and channel a drill with `slackBot` deploys. */
export const DRILL_BOT_TOKEN_PARAMETER = "/ecs-rerun/slack-bot-token";
export const DRILL_SLACK_CHANNEL = "C0DRILL0001";

/** The answers reruns get: all but the first (the original call's), unless it is the only one. */
export function rerunAnswers<T>(script: readonly T[]): T[] {
  return script.length > 1 ? script.slice(1) : [...script];
}

/** What a drill runs on: the synthesized pipeline and its local endpoints, started. */
export interface LocalDeployment {
  readonly pipeline: SynthesizedPipeline;
  readonly aws: LocalAws;
  readonly slack: LocalSlack;
}

/** Synthesizes the pipeline and starts the local endpoints. */
export async function deployLocally(options: DrillOptions): Promise<LocalDeployment> {
  const region = options.region ?? "ap-northeast-1";
  // Cluster ARNs of another account or region are the hub's spokes, each deployed as a spoke there.
  const clusters = splitClusters(options.clusters ?? ["batch-ec2"], { account: DRILL_ACCOUNT, region });
  const pipeline = synthesizePipeline({
    clusters: clusters.home.length > 0 ? clusters.home : ["batch-ec2"],
    spokeClusters: clusters.spokes,
    ...(options.spokeOrganizationId !== undefined ? { spokeOrganizationId: options.spokeOrganizationId, organizationClusters: options.organizationClusters } : {}),
    env: {
      ECS_RERUN_REGION: region,
      ...(options.notify ? { ECS_RERUN_NOTIFY: options.notify } : {}),
      ...(options.slackBot ? { ECS_RERUN_SLACK_BOT_TOKEN_PARAMETER: DRILL_BOT_TOKEN_PARAMETER, ECS_RERUN_SLACK_CHANNEL_ID: DRILL_SLACK_CHANNEL } : {}),
      ...(options.digestAbovePerMinute !== undefined ? { ECS_RERUN_DIGEST_ABOVE_PER_MINUTE: String(options.digestAbovePerMinute) } : {}),
      ...(options.stillTryingAfterSeconds !== undefined ? { ECS_RERUN_STILL_TRYING_AFTER_SECONDS: String(options.stillTryingAfterSeconds) } : {}),
    },
  });
  const keep = options.keep === "summary" ? "counts" : "all";
  const slack = new LocalSlack({ script: options.slack ?? ["ok"], keep });
  const { url } = await slack.start();
  const parameters: Record<string, string> = {};
  const notifierEnv = pipeline.notifierEnvironment;
  if (notifierEnv?.SLACK_WEBHOOK_PARAMETER) parameters[notifierEnv.SLACK_WEBHOOK_PARAMETER] = `${url}/services/T000/B000/drill`;
  if (notifierEnv?.SLACK_BOT_TOKEN_PARAMETER) parameters[notifierEnv.SLACK_BOT_TOKEN_PARAMETER] = slack.token;
  const storm = pipeline.noticeStorm;
  const aws = new LocalAws({
    region: pipeline.region,
    ecsScript: rerunAnswers(options.ecs ?? ["ok"]),
    parameters,
    tables: {
      ...(pipeline.launchPacer ? { [pipeline.launchPacer.table]: { hashKey: pipeline.launchPacer.hashKey } } : {}),
      ...(storm ? { [storm.table]: { hashKey: storm.hashKey } } : {}),
      ...(pipeline.reconciler ? { [pipeline.reconciler.cursorTable.name]: { hashKey: pipeline.reconciler.cursorTable.hashKey } } : {}),
    },
    queues: storm ? { [storm.queueUrl]: { maxReceiveCount: storm.maxReceiveCount } } : {},
    throttle: options.throttle,
    keep,
    identities: {
      // Each Lambda calls with its own role, path included, as CloudTrail records it.
      [RERUN_ACCESS_KEY]: { roleName: pipeline.roles.rerun.name, path: pipeline.roles.rerun.path },
      ...(pipeline.roles.notifier ? { [NOTIFIER_ACCESS_KEY]: { roleName: pipeline.roles.notifier.name, path: pipeline.roles.notifier.path } } : {}),
      [STARTER_ACCESS_KEY]: { roleName: pipeline.roles.starter.name, path: pipeline.roles.starter.path },
      [SCHEDULER_ACCESS_KEY]: { roleName: "batch-ec2-print-date-events", invokedBy: "events.amazonaws.com" },
      ...(pipeline.reconciler ? { [RECONCILER_ACCESS_KEY]: { roleName: pipeline.reconciler.role.name, path: pipeline.reconciler.role.path } } : {}),
    },
  });
  // The roles STS lets assume: the spokes' relaunch and sweep roles, with the trust each was synthesized with.
  aws.sts.setRoles(pipeline.hub?.spokes.flatMap((s) => [s.relaunchRole, ...(s.sweepRole ? [s.sweepRole] : [])]) ?? []);
  // And the rerun and reconciler roles may assume only what their synthesized inline policies allow.
  aws.sts.setIdentityPolicies({
    [pipeline.rerunRoleArn]: pipeline.rerunRolePolicies,
    ...(pipeline.reconciler ? { [pipeline.reconciler.roleArn]: pipeline.reconciler.rolePolicies } : {}),
  });
  aws.setSchedules(options.schedules ?? { rules: {}, schedules: [] });
  aws.setTaskDefinitions(options.taskDefinitions ?? []);
  await aws.start();
  return { pipeline, aws, slack };
}
