import { Testing } from "cdktf";
import { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import { DEMO_JOB } from "../jobs";
import { buildApp } from "../modules/app";
import { ConfigError } from "../modules/config";
import { SettingsError } from "../modules/settings/settings";
import { resourcesOf, synthJson, type TfJson } from "./support/synth";

describe("the app", () => {
  const app = Testing.app();
  const { cluster, rerun } = buildApp(app, { ECS_RERUN_REGION: "ap-northeast-1" }, { jobs: [DEMO_JOB] });

  test("builds the two stacks under the names later tooling reads", () => {
    expect(app.node.children.map((c) => c.node.id).sort()).toEqual(["ecs-cluster", "ecs-rerun"]);
    expect(cluster!.config.region).toBe("ap-northeast-1");
  });

  test("the pipeline protects the cluster stack's cluster by name", () => {
    expect(rerun!.pipeline.eventPattern).toMatchObject({ detail: { requestParameters: { cluster: ["batch-ec2", { suffix: ":cluster/batch-ec2" }] } } });
  });

  test("the demo job has a missed-run alarm whose window follows its rate(1 day) schedule", () => {
    expect(Testing.synth(rerun!)).toHaveResourceWithProperties(CloudwatchMetricAlarm, {
      alarm_name: "ecs-rerun-print-date-missed-run",
      metric_name: "SuccessfulRuns-print-date",
      // One day of interval plus an hour of grace, judged hour by hour.
      period: 3600,
      evaluation_periods: 25,
      treat_missing_data: "breaching",
    });
  });

  test("protects other clusters when told to, and then deploys nothing of the demo", () => {
    const other = Testing.app();
    const built = buildApp(other, { ECS_RERUN_PROTECTED_CLUSTERS: "a,arn:aws:ecs:us-east-1:123456789012:cluster/b" }, { jobs: [DEMO_JOB], demoJob: DEMO_JOB });
    expect(built.rerun!.pipeline.eventPattern).toMatchObject({ detail: { requestParameters: { cluster: ["a", { suffix: ":cluster/a" }, "b", "arn:aws:ecs:us-east-1:123456789012:cluster/b"] } } });
    // No cluster stack, no demo job, and so no missed-run alarm in ALARM from the first day.
    expect(other.node.children.map((c) => c.node.id)).toEqual(["ecs-rerun"]);
    expect(built.rerun!.pipeline.missedRuns).toBeUndefined();
  });

  test("naming the cluster stack's cluster among one's own keeps it and its jobs' alarms", () => {
    const built = buildApp(Testing.app(), { ECS_RERUN_PROTECTED_CLUSTERS: "prod,batch-ec2" }, { jobs: [DEMO_JOB], demoJob: DEMO_JOB });
    expect(built.cluster).toBeDefined();
    expect(Object.keys(built.rerun!.pipeline.missedRuns!.alarmArns)).toEqual(["print-date"]);
  });

  test("a job of one's own for a cluster the pipeline would not protect is refused, naming it", () => {
    const nightly = { ...DEMO_JOB, name: "nightly" };
    const build = () => buildApp(Testing.app(), { ECS_RERUN_PROTECTED_CLUSTERS: "prod" }, { jobs: [DEMO_JOB, nightly], jobsLabel: "JOBS (jobs.ts)", demoJob: DEMO_JOB });
    expect(build).toThrow(ConfigError);
    expect(build).toThrow(/^ECS_RERUN_PROTECTED_CLUSTERS \(context key "protectedClusters"\) names only other clusters, so the ecs-cluster stack \(cluster batch-ec2\) is left out, but JOBS \(jobs\.ts\) has jobs for it \(nightly\): add batch-ec2/);
  });

  test("expected runs of one's own clusters come from the settings, beside the jobs' own", () => {
    const runs = [{ name: "nightly-report", family: "report", intervalSeconds: 86400 }];
    const built = buildApp(Testing.app(), {}, { jobs: [DEMO_JOB], settingsFile: { expectedRuns: runs } });
    expect(Object.keys(built.rerun!.pipeline.missedRuns!.alarmArns).sort()).toEqual(["nightly-report", "print-date"]);
    const clash = () => buildApp(Testing.app(), {}, { jobs: [DEMO_JOB], settingsFile: { expectedRuns: [{ ...runs[0], name: "print-date" }] } });
    expect(clash).toThrow(/^ECS_RERUN_EXPECTED_RUNS \(context key "expectedRuns"\) declares a run named "print-date", which is the name of jobs\[0\]/);
  });

  test("ECS_RERUN_CREATE_TRAIL=true creates the trail, the same as the module's create_trail", () => {
    const tf = synthJson(buildApp(Testing.app(), { ECS_RERUN_CREATE_TRAIL: "true" }, { jobs: [DEMO_JOB] }).rerun!);
    expect(resourcesOf(tf, "aws_cloudtrail")).toEqual([expect.objectContaining({ name: "ecs-rerun-management-events", is_multi_region_trail: expect.anything() })]);
  });

  test("ECS_RERUN_CREATE=false leaves the pipeline out: the cluster alone", () => {
    const only = Testing.app();
    const built = buildApp(only, { ECS_RERUN_CREATE: "false" }, { jobs: [DEMO_JOB] });
    expect(only.node.children.map((c) => c.node.id)).toEqual(["ecs-cluster"]);
    expect(built.rerun).toBeUndefined();
  });

  test("a value the construct refuses is a ConfigError naming the setting", () => {
    const build = () => buildApp(Testing.app(), { ECS_RERUN_MAX_DELAY_SECONDS: "10" }, { jobs: [DEMO_JOB] });
    expect(build).toThrow(ConfigError);
    expect(build).toThrow(/^ECS_RERUN_MAX_DELAY_SECONDS \(context key "maxDelaySeconds"\): maxDelaySeconds = 10 is invalid: expected a whole number from max\(1, firstDelaySeconds=30\) to 86400$/);
  });

  test("the account, when given, pins every provider and names every state file; the region names them always", () => {
    const app = Testing.app();
    const built = buildApp(app, { ECS_RERUN_REGION: "eu-west-1", ECS_RERUN_ACCOUNT_ID: "123456789012" }, { jobs: [DEMO_JOB] });
    for (const stack of [built.cluster!, built.rerun!]) {
      const tf = synthJson(stack);
      expect(tf.provider).toEqual({ aws: [expect.objectContaining({ region: "eu-west-1", allowed_account_ids: ["123456789012"] })] });
      expect(tf.terraform).toMatchObject({ backend: { local: { path: expect.stringMatching(new RegExp(`/terraform\\.${stack.node.id}\\.123456789012\\.eu-west-1\\.tfstate$`)) } } });
    }
    expect(synthJson(buildApp(Testing.app(), {}, { jobs: [DEMO_JOB] }).cluster!).terraform).toMatchObject({ backend: { local: { path: expect.stringMatching(/\/terraform\.ecs-cluster\.us-east-1\.tfstate$/) } } });
  });

  test("reads cdktf context, and refuses a context key that is no setting", () => {
    const { cluster: named } = buildApp(Testing.app({ context: { clusterName: "from-context" } }), {}, { jobs: [DEMO_JOB] });
    expect(named!.config.clusterName).toBe("from-context");
    expect(() => buildApp(Testing.app({ context: { clustername: "x" } }), {}, { jobs: [DEMO_JOB] })).toThrow(SettingsError);
  });

  test("Slack is reached one way: a bot token replaces the default webhook, and both at once are refused naming both settings", () => {
    const bot = { ECS_RERUN_SLACK_BOT_TOKEN_PARAMETER: "/team/slack-bot", ECS_RERUN_SLACK_CHANNEL_ID: "C0123456789" };
    const { rerun } = buildApp(Testing.app(), bot, { jobs: [DEMO_JOB] });
    const env = (JSON.parse(Testing.synth(rerun!)) as { resource: { aws_lambda_function: Record<string, { function_name: string; environment: { variables: Record<string, string> } }> } }).resource.aws_lambda_function;
    const notifier = Object.values(env).find((f) => f.function_name === "ecs-rerun-notifier")!;
    expect(notifier.environment.variables).toMatchObject({ SLACK_BOT_TOKEN_PARAMETER: "/team/slack-bot", SLACK_CHANNEL: "C0123456789" });
    expect(notifier.environment.variables.SLACK_WEBHOOK_PARAMETER).toBeUndefined();
    const both = () => buildApp(Testing.app(), { ...bot, ECS_RERUN_SLACK_WEBHOOK_PARAMETER: "/team/slack" }, { jobs: [DEMO_JOB] });
    expect(both).toThrow(ConfigError);
    expect(both).toThrow(/ECS_RERUN_SLACK_WEBHOOK_PARAMETER .* and ECS_RERUN_SLACK_BOT_TOKEN_PARAMETER .* are both set/);
  });

  test("a job whose missed-run alarm cannot work is a ConfigError naming the job", () => {
    const monthly = { ...DEMO_JOB, name: "monthly", schedule: "rate(30 days)" };
    const build = () => buildApp(Testing.app(), {}, { jobs: [DEMO_JOB, monthly], jobsLabel: "JOBS (jobs.ts)" });
    expect(build).toThrow(ConfigError);
    expect(build).toThrow(/^JOBS \(jobs\.ts\)\[1\] \("monthly"\): its missed-run alarm cannot work: interval \+ grace = 2595600 s is invalid/);
  });
});

describe("the app as a hub and as a spoke", () => {
  const EU = "arn:aws:ecs:eu-west-1:222233334444:cluster/batch-ec2";
  const US = "arn:aws:ecs:us-west-2:333344445555:cluster/jobs";
  const BUS = "arn:aws:events:us-east-1:111122223333:event-bus/ecs-rerun-hub";
  const ROLE = "arn:aws:iam::111122223333:role/ecs-rerun/ecs-rerun-rerun-us-east-1";
  const SPOKE_ENV = { ECS_RERUN_REGION: "eu-west-1", ECS_RERUN_HUB_EVENT_BUS_ARN: BUS, ECS_RERUN_HUB_RERUN_ROLE_ARN: ROLE };
  const build = (env: NodeJS.ProcessEnv, context: Record<string, unknown> = {}) => buildApp(Testing.app({ context }), env, { jobs: [DEMO_JOB] });
  const busPolicy = (tf: TfJson) => JSON.parse(resourcesOf(tf, "aws_cloudwatch_event_bus_policy")[0].policy as string) as { Statement: { Sid: string; Principal: unknown; Condition?: unknown }[] };

  test("without their settings: two stacks, no hub, no spoke outputs", () => {
    const { rerun, spoke } = build({});
    expect(spoke).toBeUndefined();
    const tf = synthJson(rerun!);
    expect(resourcesOf(tf, "aws_cloudwatch_event_bus")).toEqual([]);
    expect(Object.keys(tf.output!)).not.toEqual(expect.arrayContaining(["hub_event_bus_arn"]));
  });

  test("ECS_RERUN_SPOKE_CLUSTERS makes ecs-rerun a hub: its bus admits exactly the spoke clusters' accounts", () => {
    const { rerun } = build({ ECS_RERUN_SPOKE_CLUSTERS: `${EU},${US}` });
    const tf = synthJson(rerun!);
    expect(resourcesOf(tf, "aws_cloudwatch_event_bus")).toEqual([expect.objectContaining({ name: "ecs-rerun-hub" })]);
    const statements = busPolicy(tf).Statement;
    expect(statements).toEqual([expect.objectContaining({ Sid: "SpokeAccountsPutEvents" })]);
    expect(statements[0].Principal).toEqual({ AWS: [expect.stringMatching(/:iam::222233334444:root$/), expect.stringMatching(/:iam::333344445555:root$/)] });
    // The rules on the bus take the spokes' places only.
    const spokeRule = resourcesOf(tf, "aws_cloudwatch_event_rule").find((r) => r.name === "ecs-rerun-spoke-failures")!;
    expect(JSON.parse(spokeRule.event_pattern as string)).toMatchObject({ account: ["222233334444", "333344445555"], region: ["eu-west-1", "us-west-2"] });
    // What a spoke is then deployed with.
    expect(tf.output).toMatchObject({ hub_event_bus_arn: { value: expect.stringContaining("aws_cloudwatch_event_bus.") }, rerun_role_arn: { value: expect.stringContaining("rerun-role") } });
  });

  test("reads the hub's settings from context too, and admits an organization", () => {
    const { rerun } = build({}, { spokeClusters: [EU], spokeOrganizationId: "o-a1b2c3d4e5" });
    const org = busPolicy(synthJson(rerun!)).Statement.find((s) => s.Sid === "OrganizationPutEvents");
    expect(org).toMatchObject({ Principal: "*", Condition: { StringEquals: { "aws:PrincipalOrgID": "o-a1b2c3d4e5" } } });
  });

  test("a hub of more accounts than its rerun role's policy holds is a ConfigError naming the setting", () => {
    const many = Array.from({ length: 120 }, (_, i) => `arn:aws:ecs:eu-west-1:${100000000000 + i}:cluster/c`).join(",");
    const run = () => build({ ECS_RERUN_SPOKE_CLUSTERS: many });
    expect(run).toThrow(ConfigError);
    expect(run).toThrow(/^ECS_RERUN_SPOKE_CLUSTERS \(context key "spokeClusters"\): spokeClusters name 120 accounts/);
  });

  describe("the ecs-rerun-spoke stack", () => {
    const app = Testing.app();
    const { spoke } = buildApp(app, { ...SPOKE_ENV, ECS_RERUN_ALARM_ACTIONS: "arn:aws:sns:eu-west-1:222233334444:ops" }, { jobs: [DEMO_JOB] });
    const tf = synthJson(spoke!);

    test("is a third stack, beside the two whose IDs do not change", () => {
      expect(app.node.children.map((c) => c.node.id).sort()).toEqual(["ecs-cluster", "ecs-rerun", "ecs-rerun-spoke"]);
      expect(tf.provider).toEqual({ aws: [expect.objectContaining({ region: "eu-west-1" })] });
    });

    test("its relaunch role trusts exactly the hub's rerun role", () => {
      const role = resourcesOf(tf, "aws_iam_role").find((r) => r.name === "ecs-rerun-relaunch-eu-west-1")!;
      expect(role.path).toBe("/ecs-rerun/");
      expect(JSON.parse(role.assume_role_policy as string)).toEqual({
        Version: "2012-10-17",
        Statement: [{ Sid: "TheHubRerunRoleOnly", Effect: "Allow", Principal: { AWS: ROLE }, Action: "sts:AssumeRole" }],
      });
    });

    test("forwards the failures of the cluster stack's cluster (the default) to the hub's bus", () => {
      const rules = resourcesOf(tf, "aws_cloudwatch_event_rule");
      expect(rules.map((r) => r.name).sort()).toEqual(["ecs-rerun-forward-launch-failures", "ecs-rerun-forward-task-failures"]);
      for (const r of rules) expect(r.event_pattern).toContain(":cluster/batch-ec2");
      const targets = resourcesOf(tf, "aws_cloudwatch_event_target");
      expect(targets).toHaveLength(2);
      for (const t of targets) expect(t).toMatchObject({ arn: BUS, role_arn: expect.stringContaining("forward-role") });
    });

    test("its alarms go where the cluster's go", () => {
      const alarms = resourcesOf(tf, "aws_cloudwatch_metric_alarm");
      expect(alarms.length).toBeGreaterThan(0);
      for (const a of alarms) expect(a.alarm_actions).toEqual(["arn:aws:sns:eu-west-1:222233334444:ops"]);
    });

    test("protects the clusters ECS_RERUN_PROTECTED_CLUSTERS names", () => {
      const { spoke: named } = build({ ...SPOKE_ENV, ECS_RERUN_PROTECTED_CLUSTERS: `reports,${EU}`, ECS_RERUN_ALARM_ACTIONS: "arn:aws:sns:eu-west-1:222233334444:ops" });
      const launch = resourcesOf(synthJson(named!), "aws_cloudwatch_event_rule").find((r) => r.name === "ecs-rerun-forward-launch-failures")!;
      expect(JSON.parse(launch.event_pattern as string)).toMatchObject({ detail: { requestParameters: { cluster: expect.arrayContaining(["reports", EU]) } } });
    });

    test("keeps its state apart per region", () => {
      expect(tf.terraform).toMatchObject({ backend: { local: { path: expect.stringMatching(/\/terraform\.ecs-rerun-spoke\.eu-west-1\.tfstate$/) } } });
    });
  });
});
