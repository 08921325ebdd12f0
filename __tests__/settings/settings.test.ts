// The one schema of settings: environment variables and cdktf context keys, each value checked,
// unknown names refused with a suggestion, settings that go together checked together.
import { ConfigError } from "../../modules/config";
import { editDistance, nearestName } from "../../modules/settings/nearest-name";
import { SETTINGS, SettingsError, readSettings } from "../../modules/settings/settings";

/** The problems readSettings reports, or [] when it accepts. */
function problems(env: Record<string, string>, context: Record<string, unknown> = {}): readonly string[] {
  try {
    readSettings(env, context);
    return [];
  } catch (e) {
    if (e instanceof SettingsError) return e.problems;
    throw e;
  }
}

const WEBHOOK = ["https://hooks.slack.com", "services", "T00000000", "B00000000", "abcdefghijklmnopqrstuvwx"].join("/");

describe("reading settings", () => {
  test("every setting is read from its environment variable", () => {
    const values: Record<string, string> = {
      ECS_RERUN_REGION: "eu-west-1",
      ECS_RERUN_CLUSTER_NAME: "batch",
      ECS_RERUN_VPC_ID: "vpc-0abc",
      ECS_RERUN_SUBNET_IDS: "subnet-01,subnet-02",
      ECS_RERUN_ALARM_ACTIONS: "arn:aws:sns:eu-west-1:123456789012:ops",
      ECS_RERUN_PROTECTED_CLUSTERS: "a,b",
      ECS_RERUN_SLACK_WEBHOOK_PARAMETER: "/team/slack",
      ECS_RERUN_NOTIFICATION_EMAILS: "ops@example.com",
      ECS_RERUN_INFRASTRUCTURE_ROLE_ARNS: "arn:aws:iam::123456789012:role/ecsInfrastructureRole",
      ECS_RERUN_SPOKE_CLUSTERS: "arn:aws:ecs:us-west-2:222233334444:cluster/batch",
      ECS_RERUN_SPOKE_ORGANIZATION_ID: "o-a1b2c3d4e5",
      ECS_RERUN_RECONCILE_EVERY_MINUTES: "10",
      ECS_RERUN_ALLOW_NO_DESTINATION: "false",
      ECS_RERUN_CREATE_DASHBOARD: "false",
      ECS_RERUN_NOTIFY: "problems",
      ECS_RERUN_STILL_TRYING_AFTER_SECONDS: "900",
      ECS_RERUN_DIGEST_ABOVE_PER_MINUTE: "30",
      ECS_RERUN_SLACK_BOT_TOKEN_PARAMETER: "/team/slack-bot",
      ECS_RERUN_SLACK_CHANNEL_ID: "C0123456789",
      ECS_RERUN_HUB_EVENT_BUS_ARN: "arn:aws:events:us-east-1:111122223333:event-bus/ecs-rerun-hub",
      ECS_RERUN_HUB_RERUN_ROLE_ARN: "arn:aws:iam::111122223333:role/ecs-rerun/ecs-rerun-rerun-us-east-1",
      ECS_RERUN_HUB_RECONCILER_ROLE_ARN: "arn:aws:iam::111122223333:role/ecs-rerun-reconciler-us-east-1",
    };
    expect(Object.keys(values).sort()).toEqual(SETTINGS.map((s) => s.env).sort());
    expect(readSettings(values, {})).toEqual({
      region: "eu-west-1",
      clusterName: "batch",
      vpcId: "vpc-0abc",
      subnetIds: ["subnet-01", "subnet-02"],
      alarmActions: ["arn:aws:sns:eu-west-1:123456789012:ops"],
      protectedClusters: ["a", "b"],
      slackWebhookParameter: "/team/slack",
      notificationEmails: ["ops@example.com"],
      infrastructureRoleArns: ["arn:aws:iam::123456789012:role/ecsInfrastructureRole"],
      spokeClusters: ["arn:aws:ecs:us-west-2:222233334444:cluster/batch"],
      spokeOrganizationId: "o-a1b2c3d4e5",
      reconcileEveryMinutes: "10",
      allowNoDestination: "false",
      createDashboard: "false",
      notify: "problems",
      stillTryingAfterSeconds: "900",
      digestAbovePerMinute: "30",
      slackBotTokenParameter: "/team/slack-bot",
      slackChannelId: "C0123456789",
      hubEventBusArn: "arn:aws:events:us-east-1:111122223333:event-bus/ecs-rerun-hub",
      hubRerunRoleArn: "arn:aws:iam::111122223333:role/ecs-rerun/ecs-rerun-rerun-us-east-1",
      hubReconcilerRoleArn: "arn:aws:iam::111122223333:role/ecs-rerun-reconciler-us-east-1",
    });
  });

  test("environment variables win over cdktf context, which wins over AWS_REGION", () => {
    expect(readSettings({ ECS_RERUN_REGION: "eu-west-1", AWS_REGION: "us-west-2" }, { region: "ap-northeast-1" }).region).toBe("eu-west-1");
    expect(readSettings({ AWS_REGION: "us-west-2" }, { region: "ap-northeast-1" }).region).toBe("ap-northeast-1");
    expect(readSettings({ AWS_REGION: "us-west-2", AWS_DEFAULT_REGION: "eu-west-1" }, {}).region).toBe("us-west-2");
    expect(readSettings({ AWS_DEFAULT_REGION: "eu-west-1" }, {}).region).toBe("eu-west-1");
  });

  test("a list in context is a JSON array of strings, or one comma-separated string", () => {
    expect(readSettings({}, { protectedClusters: ["prod-a", "prod-b"] }).protectedClusters).toEqual(["prod-a", "prod-b"]);
    expect(readSettings({}, { protectedClusters: "prod-a, prod-b" }).protectedClusters).toEqual(["prod-a", "prod-b"]);
  });

  test("splits comma lists, and an empty value or JSON null is unset", () => {
    const o = readSettings({ ECS_RERUN_PROTECTED_CLUSTERS: "a, b,", ECS_RERUN_CLUSTER_NAME: "" }, { region: null });
    expect(o).toEqual({ protectedClusters: ["a", "b"] });
  });

  test("leaves cdktf's own context keys alone", () => {
    expect(readSettings({}, { cdktfVersion: "0.21.0", cdktfJsonPath: "/x/cdktf.json", cdktfRelativeModules: ["./"], excludeStackIdFromLogicalIds: "true" })).toEqual({});
  });

  test("is a ConfigError, whose message lists every problem", () => {
    const run = () => readSettings({ ECS_RERUN_CLUSTERNAME: "x", ECS_RERUN_REGION: "tokyo" }, {});
    expect(run).toThrow(ConfigError);
    expect(run).toThrow(/^2 problems with the settings:\n {2}- ECS_RERUN_CLUSTERNAME="x": .*\n {2}- ECS_RERUN_REGION="tokyo": /);
  });
});

describe("refusing settings", () => {
  test.each<[string, Record<string, string>, Record<string, unknown>, string]>([
    ["a misspelt variable", { ECS_RERUN_CLUSTERNAME: "x" }, {}, 'ECS_RERUN_CLUSTERNAME="x": there is no such setting; did you mean ECS_RERUN_CLUSTER_NAME?'],
    ["a variable in the wrong case", { ecs_rerun_region: "eu-west-1" }, {}, 'ecs_rerun_region="eu-west-1": there is no such setting; did you mean ECS_RERUN_REGION?'],
    ["a variable nothing is near", { ECS_RERUN_COLOUR: "blue" }, {}, 'ECS_RERUN_COLOUR="blue": there is no such setting; the settings are ECS_RERUN_REGION, ECS_RERUN_CLUSTER_NAME, ECS_RERUN_VPC_ID, ECS_RERUN_SUBNET_IDS, ECS_RERUN_ALARM_ACTIONS, ECS_RERUN_PROTECTED_CLUSTERS, ECS_RERUN_SLACK_WEBHOOK_PARAMETER, ECS_RERUN_NOTIFICATION_EMAILS, ECS_RERUN_INFRASTRUCTURE_ROLE_ARNS, ECS_RERUN_SPOKE_CLUSTERS, ECS_RERUN_SPOKE_ORGANIZATION_ID, ECS_RERUN_RECONCILE_EVERY_MINUTES, ECS_RERUN_ALLOW_NO_DESTINATION, ECS_RERUN_CREATE_DASHBOARD, ECS_RERUN_NOTIFY, ECS_RERUN_STILL_TRYING_AFTER_SECONDS, ECS_RERUN_DIGEST_ABOVE_PER_MINUTE, ECS_RERUN_SLACK_BOT_TOKEN_PARAMETER, ECS_RERUN_SLACK_CHANNEL_ID, ECS_RERUN_HUB_EVENT_BUS_ARN, ECS_RERUN_HUB_RERUN_ROLE_ARN, ECS_RERUN_HUB_RECONCILER_ROLE_ARN'],
    ["a notify mode that is none", { ECS_RERUN_NOTIFY: "outcome" }, {}, 'ECS_RERUN_NOTIFY="outcome": expected one of outcomes, problems, every-step'],
    ["a still-trying threshold under a minute", {}, { stillTryingAfterSeconds: "30" }, 'context key "stillTryingAfterSeconds" = "30": expected a whole number of seconds from 60 to 86400'],
    ["a bot token without its channel", { ECS_RERUN_SLACK_BOT_TOKEN_PARAMETER: "/team/slack-bot" }, {}, 'ECS_RERUN_SLACK_BOT_TOKEN_PARAMETER="/team/slack-bot" is set but ECS_RERUN_SLACK_CHANNEL_ID (context key "slackChannelId") is not: a bot posts to one channel with one token; set both, or neither for the webhook'],
    ["a misspelt context key", {}, { clusterNmae: "x" }, 'context key "clusterNmae" = "x": there is no such setting; did you mean "clusterName"?'],
    ["a context key written as the variable", {}, { ECS_RERUN_VPC_ID: "vpc-1" }, 'context key "ECS_RERUN_VPC_ID" = "vpc-1": there is no such setting; did you mean "vpcId"?'],
    ["a bad cluster name", { ECS_RERUN_CLUSTER_NAME: "bad name!" }, {}, 'ECS_RERUN_CLUSTER_NAME="bad name!": expected 1-255 letters, digits, - or _'],
    ["a bad region from AWS_REGION", { AWS_REGION: "tokyo" }, {}, 'AWS_REGION="tokyo": expected an AWS region such as "us-east-1"'],
    ["one bad item of a list", { ECS_RERUN_SUBNET_IDS: "subnet-01,sn-2", ECS_RERUN_VPC_ID: "vpc-1" }, {}, 'ECS_RERUN_SUBNET_IDS="subnet-01,sn-2": "sn-2" is not a subnet ID such as "subnet-0abc123"'],
    ["a bad cluster to protect", { ECS_RERUN_PROTECTED_CLUSTERS: "bad cluster!" }, {}, 'ECS_RERUN_PROTECTED_CLUSTERS="bad cluster!": expected a cluster name (1-255 letters, digits, - or _) or a cluster ARN'],
    ["a bad email", {}, { notificationEmails: ["ops@example.com", "nobody"] }, 'context key "notificationEmails" = ["ops@example.com","nobody"]: "nobody" is not an email address'],
    ["a list where one string is wanted", {}, { clusterName: ["a", "b"] }, 'context key "clusterName" = ["a","b"]: this is a list, expected one string: 1-255 letters, digits, - or _'],
    ["a number where a string is wanted", {}, { clusterName: 5 }, 'context key "clusterName" = 5: this is a number, expected one string: 1-255 letters, digits, - or _'],
    ["NaN", {}, { region: NaN }, 'context key "region" = NaN: this is a number, expected one string: an AWS region such as "us-east-1"'],
    ["a boolean", {}, { slackWebhookParameter: true }, 'context key "slackWebhookParameter" = true: this is a boolean, expected one string: the NAME of an SSM parameter, such as "/ecs-rerun/slack-webhook" (letters, digits and _ . / -), or none for no Slack'],
    ["a number where a list is wanted", {}, { protectedClusters: 5 }, 'context key "protectedClusters" = 5: this is a number, expected a list of strings (a JSON array, or one comma-separated string): a cluster name (1-255 letters, digits, - or _) or a cluster ARN'],
    ["a list holding a number", {}, { protectedClusters: ["a", 5] }, 'context key "protectedClusters" = ["a",5]: item 2 is a number; expected a list of strings, each a cluster name (1-255 letters, digits, - or _) or a cluster ARN'],
    ["subnets without their VPC", { ECS_RERUN_SUBNET_IDS: "subnet-01" }, {}, 'ECS_RERUN_SUBNET_IDS="subnet-01" is set but ECS_RERUN_VPC_ID (context key "vpcId") is not: instances in an existing VPC need subnets of it, and subnets are used only with their VPC; set both, or neither for a new VPC'],
    ["a VPC without subnets", {}, { vpcId: "vpc-1" }, 'context key "vpcId" = "vpc-1" is set but ECS_RERUN_SUBNET_IDS (context key "subnetIds") is not: instances in an existing VPC need subnets of it, and subnets are used only with their VPC; set both, or neither for a new VPC'],
  ])("%s", (_name, env, context, problem) => {
    expect(problems(env, context)).toEqual([problem]);
  });

  test("a value a variable overrides is still checked", () => {
    expect(problems({ ECS_RERUN_CLUSTER_NAME: "ok" }, { clusterName: 5 })).toEqual([expect.stringMatching(/^context key "clusterName" = 5: this is a number/)]);
  });

  test("AWS_REGION is someone else's: not looked at when the setting is given", () => {
    expect(problems({ ECS_RERUN_REGION: "eu-west-1", AWS_REGION: "whatever" })).toEqual([]);
  });
});

describe("secrets in settings", () => {
  test("a webhook URL given as the parameter name is refused without being echoed", () => {
    for (const [env, context] of [[{ ECS_RERUN_SLACK_WEBHOOK_PARAMETER: WEBHOOK }, {}], [{}, { slackWebhookParameter: WEBHOOK }]] as const) {
      const found = problems(env, context);
      expect(found).toHaveLength(1);
      expect(found[0]).not.toContain("hooks.slack.com");
      expect(found[0]).not.toContain("abcdefghijklmnopqrstuvwx");
      expect(found[0]).toMatch(/holds a Slack webhook URL \(not shown here: it may be a secret\): it takes the NAME of the SSM SecureString parameter/);
      expect(found[0]).toContain("aws ssm put-parameter --type SecureString --name /ecs-rerun/slack-webhook");
    }
  });

  test("a URL in any setting, or in a misspelt variable, is not echoed either", () => {
    const found = problems({ ECS_RERUN_CLUSTER_NAME: WEBHOOK, ECS_RERUN_SLACK_WEBHOOK: WEBHOOK }, { notificationEmails: ["ops@example.com", WEBHOOK] });
    expect(found).toHaveLength(3);
    for (const p of found) expect(p).not.toContain("hooks.slack.com");
    expect(found).toContain("ECS_RERUN_SLACK_WEBHOOK=(not shown: it looks like a Slack webhook URL, which may be a secret): there is no such setting; did you mean ECS_RERUN_SLACK_WEBHOOK_PARAMETER?");
  });
});

describe("nearest names", () => {
  test.each([
    ["kitten", "sitting", 3],
    ["", "abc", 3],
    ["abc", "abc", 0],
    ["clustername", "clusternmae", 2],
  ])("editDistance(%s, %s) = %i", (a, b, d) => {
    expect(editDistance(a, b)).toBe(d);
  });

  test("suggests only a near name", () => {
    expect(nearestName("regoin", ["region", "vpcId"])).toBe("region");
    expect(nearestName("colour", ["region", "vpcId"])).toBeUndefined();
    expect(nearestName("x", [])).toBeUndefined();
  });
});
