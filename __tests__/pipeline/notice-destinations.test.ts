// Always a destination: a pipeline whose notices and alarms reach no one is refused (the app in the
// settings' words, the construct at synth), unless its user says so; and the alarm actions the user
// gives reach every alarm of every stack.
import { App, TerraformStack, Testing } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { SnsTopicSubscription } from "@cdktf/provider-aws/lib/sns-topic-subscription";
import { DEMO_JOB } from "../../jobs";
import { buildApp } from "../../modules/app";
import { ConfigError } from "../../modules/config";
import { EcsRerunPipeline, type EcsRerunPipelineProps } from "../../modules/pipeline/rerun-pipeline";
import { EcsRerunSpoke, type EcsRerunSpokeProps } from "../../modules/spoke/ecs-rerun-spoke";
import { resourcesOf, synthJson } from "../support/synth";

const ON_CALL = "arn:aws:sns:eu-west-1:222233334444:on-call";
const HUB = {
  ECS_RERUN_HUB_EVENT_BUS_ARN: "arn:aws:events:us-east-1:111122223333:event-bus/ecs-rerun-hub",
  ECS_RERUN_HUB_RERUN_ROLE_ARN: "arn:aws:iam::111122223333:role/ecs-rerun/ecs-rerun-rerun-us-east-1",
};

/** Runs the app's synth-time validations (Testing.synth skips them; `npm run synth` runs them). */
function synthesize(build: (stack: TerraformStack) => void): () => void {
  return () => {
    const app = new App({ outdir: Testing.app().outdir });
    const stack = new TerraformStack(app, "s");
    new AwsProvider(stack, "aws", { region: "eu-west-1" });
    build(stack);
    app.synth();
  };
}
const pipeline = (props: Partial<EcsRerunPipelineProps>, more?: (p: EcsRerunPipeline, stack: TerraformStack) => void) =>
  synthesize((stack) => {
    const p = new EcsRerunPipeline(stack, "pipeline", { clusters: ["batch-ec2"], region: "eu-west-1", ...props });
    more?.(p, stack);
  });
const spoke = (props: Partial<EcsRerunSpokeProps>) =>
  synthesize((stack) => new EcsRerunSpoke(stack, "spoke", { clusters: ["batch-ec2"], hubEventBusArn: HUB.ECS_RERUN_HUB_EVENT_BUS_ARN, hubRerunRoleArn: HUB.ECS_RERUN_HUB_RERUN_ROLE_ARN, region: "eu-west-1", ...props }));

describe("EcsRerunPipeline refuses at synth a pipeline whose notices reach no one", () => {
  test("no Slack, no email, no alarm action, no subscription: refused, naming the props that would give one", () => {
    expect(pipeline({})).toThrow(/EcsRerunPipeline: its notices and alarms would reach no one: no slackWebhookParameterName, no notificationEmails, no alarmActions .*allowNoDestination: true/);
  });

  test("alarm actions count only while the alarms exist", () => {
    expect(pipeline({ alarmActions: [ON_CALL], createAlarms: false })).toThrow(/would reach no one/);
    expect(pipeline({ alarmActions: [ON_CALL] })).not.toThrow();
  });

  test.each<[string, Partial<EcsRerunPipelineProps>]>([
    ["Slack", { slackWebhookParameterName: "/ecs-rerun/slack-webhook" }],
    ["an email", { notificationEmails: ["ops@example.com"] }],
    ["the explicit opt-out", { allowNoDestination: true }],
  ])("%s is a destination", (_name, props) => {
    expect(pipeline(props)).not.toThrow();
  });

  test("a subscription its user adds to the topic in the same stack counts; one to another topic does not", () => {
    expect(pipeline({}, (p, stack) => new SnsTopicSubscription(stack, "pager", { topicArn: p.topic.arn, protocol: "https", endpoint: "https://pager.example.com/hook" }))).not.toThrow();
    expect(pipeline({}, (_p, stack) => new SnsTopicSubscription(stack, "elsewhere", { topicArn: ON_CALL, protocol: "https", endpoint: "https://pager.example.com/hook" }))).toThrow(/would reach no one/);
  });
});

describe("EcsRerunSpoke refuses at synth alarms that reach no one (it has no topic)", () => {
  test("without alarm actions, or with the alarms off", () => {
    expect(spoke({})).toThrow(/EcsRerunSpoke: its alarms .* would reach no one: .*alarmActions/);
    expect(spoke({ alarmActions: [ON_CALL], createAlarms: false })).toThrow(/would reach no one/);
  });
  test("with alarm actions, or explicitly allowed", () => {
    expect(spoke({ alarmActions: [ON_CALL] })).not.toThrow();
    expect(spoke({ allowNoDestination: true })).not.toThrow();
  });
});

describe("the app", () => {
  const build = (env: Record<string, string>) => () => buildApp(Testing.app(), env, { jobs: [DEMO_JOB] });

  test("ECS_RERUN_SLACK_WEBHOOK_PARAMETER=none alone is refused, naming every setting that would give the notices a reader", () => {
    expect(build({ ECS_RERUN_SLACK_WEBHOOK_PARAMETER: "none" })).toThrow(ConfigError);
    let message = "";
    try {
      build({ ECS_RERUN_SLACK_WEBHOOK_PARAMETER: "none" })();
    } catch (e) {
      message = (e as Error).message;
    }
    for (const setting of ["ECS_RERUN_SLACK_WEBHOOK_PARAMETER", "ECS_RERUN_NOTIFICATION_EMAILS", "ECS_RERUN_ALARM_ACTIONS", "ECS_RERUN_ALLOW_NO_DESTINATION=true"]) expect(message).toContain(setting);
  });

  test("an email-only team gets no Slack notifier (nothing failing into the dead-letter queue)", () => {
    const { rerun } = build({ ECS_RERUN_SLACK_WEBHOOK_PARAMETER: "none", ECS_RERUN_NOTIFICATION_EMAILS: "ops@example.com" })();
    const tf = synthJson(rerun!);
    expect(resourcesOf(tf, "aws_lambda_function").map((f) => f.function_name)).not.toContain("ecs-rerun-notifier");
    expect(resourcesOf(tf, "aws_sns_topic_subscription").map((s) => s.protocol)).toEqual(["email"]);
  });

  test("the demo (no settings) keeps its Slack default; silence asked for explicitly is allowed", () => {
    expect(build({})).not.toThrow();
    expect(build({ ECS_RERUN_SLACK_WEBHOOK_PARAMETER: "none", ECS_RERUN_ALLOW_NO_DESTINATION: "true" })).not.toThrow();
  });

  test("a spoke stack without alarm actions is refused: its alarms would reach no one", () => {
    expect(build({ ...HUB, ECS_RERUN_REGION: "eu-west-1" })).toThrow(/ecs-rerun-spoke stack's alarms .* would reach no one: .*ECS_RERUN_ALARM_ACTIONS/);
  });

  test("with ECS_RERUN_ALARM_ACTIONS set, every aws_cloudwatch_metric_alarm of every stack lists it", () => {
    const built = build({ ...HUB, ECS_RERUN_REGION: "eu-west-1", ECS_RERUN_ALARM_ACTIONS: ON_CALL, ECS_RERUN_SPOKE_CLUSTERS: "arn:aws:ecs:ap-northeast-1:222233334444:cluster/batch-ec2" })();
    const stacks = [built.cluster!, built.rerun!, built.spoke!];
    const alarms = stacks.flatMap((stack) => resourcesOf(synthJson(stack), "aws_cloudwatch_metric_alarm").map((a) => ({ stack: stack.node.id, name: a.alarm_name, actions: a.alarm_actions as string[] })));
    // The pipeline's (topic too), its missed-run and reconciler alarms, the cluster's and the spoke's.
    expect(alarms.map((a) => a.name)).toEqual(expect.arrayContaining(["ecs-rerun-gave-up", "ecs-rerun-print-date-missed-run", "ecs-rerun-found-by-reconciler", "ecs-rerun-launch-pacer-failures", "batch-ec2-schedule-dlq-not-empty", "ecs-rerun-forward-dead-letters"]));
    expect(alarms.filter((a) => !a.actions.includes(ON_CALL))).toEqual([]);
    expect(new Set(alarms.map((a) => a.stack))).toEqual(new Set(["ecs-cluster", "ecs-rerun", "ecs-rerun-spoke"]));
  });
});
