// The one schema of settings: environment variables and cdktf context keys, each value checked,
// unknown names refused with a suggestion, settings that go together checked together.
import { ConfigError } from "../../modules/config";
import { editDistance, nearestName } from "../../modules/settings/nearest-name";
import { SETTINGS_LIST, SETTING_SCHEMA, SettingsError, readSettings, type SettingKey } from "../../modules/settings/settings";

/** The problems readSettings reports, or [] when it accepts. */
function problems(env: Record<string, string>, context: Record<string, unknown> = {}, file: Record<string, unknown> = {}): readonly string[] {
  try {
    readSettings(env, context, file);
    return [];
  } catch (e) {
    if (e instanceof SettingsError) return e.problems;
    throw e;
  }
}

const WEBHOOK = ["https://hooks.slack.com", "services", "T00000000", "B00000000", "abcdefghijklmnopqrstuvwx"].join("/");

describe("reading settings", () => {
  /** What a setting needs beside it to be read alone (settings that go together, or need another). */
  const PARTNERS: Partial<Record<SettingKey, Record<string, unknown>>> = {
    vpcId: { subnetIds: ["subnet-01"] },
    subnetIds: { vpcId: "vpc-0abc" },
    assignPublicIp: { vpcId: "vpc-0abc", subnetIds: ["subnet-01"] },
    slackBotTokenParameter: { slackChannelId: "C0123456789" },
    slackChannelId: { slackBotTokenParameter: "/team/slack-bot" },
    hubEventBusArn: { hubRerunRoleArn: "arn:aws:iam::111122223333:role/ecs-rerun/ecs-rerun-rerun-us-east-1" },
    hubRerunRoleArn: { hubEventBusArn: "arn:aws:events:us-east-1:111122223333:event-bus/ecs-rerun-hub" },
    hubReconcilerRoleArn: { hubEventBusArn: "arn:aws:events:us-east-1:111122223333:event-bus/ecs-rerun-hub", hubRerunRoleArn: "arn:aws:iam::111122223333:role/ecs-rerun/ecs-rerun-rerun-us-east-1" },
    protectedClusters: {},
  };
  /** A value as a variable spells it: a list comma-separated, an object as JSON, the rest as text. */
  const spelled = (v: unknown) => (Array.isArray(v) && v.every((x) => typeof x === "string") ? v.join(",") : typeof v === "object" ? JSON.stringify(v) : String(v));
  const envOf = (values: Record<string, unknown>) => Object.fromEntries(Object.entries(values).map(([k, v]) => [SETTING_SCHEMA[k as SettingKey].env, spelled(v)]));

  test.each(SETTINGS_LIST.map((s) => [s.env, s] as const))("%s is read from its variable, settings.ts and context alike", (_env, s) => {
    const given = { [s.key]: s.example, ...PARTNERS[s.key] };
    const expected = { [s.key]: s.example, ...PARTNERS[s.key] };
    expect(readSettings(envOf(given), {})).toEqual(expected);
    expect(readSettings({}, {}, given)).toEqual(expected);
    expect(readSettings({}, given)).toEqual(expected);
  });

  test("each variable is ECS_RERUN_ and its key in SNAKE_CASE; each module variable its key in snake_case, but the four older names", () => {
    const snake = (k: string) => k.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toLowerCase();
    // Letter for letter (rootVolumeGiB is ROOT_VOLUME_GIB, not ..._GI_B).
    for (const s of SETTINGS_LIST) expect(s.env.replace(/^ECS_RERUN_/, "").replace(/_/g, "").toLowerCase()).toBe(s.key.toLowerCase());
    const renamed = SETTINGS_LIST.filter((s) => s.module !== undefined && s.module !== snake(s.key)).map((s) => `${s.key}:${s.module}`);
    expect(renamed).toEqual(["protectedClusters:clusters", "slackWebhookParameter:slack_webhook_parameter_name", "slackBotTokenParameter:slack_bot_token_parameter_name", "notify:notify_on"]);
  });

  test("values take their own types: numbers, true and false, lists, maps and objects", () => {
    const env = { ECS_RERUN_MAX_ATTEMPTS: "5", ECS_RERUN_BACKOFF_RATE: "1.5", ECS_RERUN_CREATE_TRAIL: "true", ECS_RERUN_TAGS: "Team=batch, CostCenter=42", ECS_RERUN_IGNORE_STARTED_BY: "[]" };
    expect(readSettings(env, {})).toEqual({ maxAttempts: 5, backoffRate: 1.5, createTrail: true, tags: { Team: "batch", CostCenter: "42" }, ignoreStartedBy: [] });
    expect(readSettings({}, { maxAttempts: "5", createTrail: "true", tags: { Team: "batch" } })).toEqual({ maxAttempts: 5, createTrail: true, tags: { Team: "batch" } });
    expect(readSettings({ ECS_RERUN_EXPECTED_RUNS: '[{"name":"nightly","startedBy":"events-rule/nightly","intervalSeconds":86400}]' }, {})).toEqual({
      expectedRuns: [{ name: "nightly", startedBy: "events-rule/nightly", intervalSeconds: 86400 }],
    });
  });

  test("a variable wins over settings.ts, which wins over context; each is checked", () => {
    expect(readSettings({ ECS_RERUN_MAX_ATTEMPTS: "5" }, { maxAttempts: 2 }, { maxAttempts: 4 }).maxAttempts).toBe(5);
    expect(readSettings({}, { maxAttempts: 2 }, { maxAttempts: 4 }).maxAttempts).toBe(4);
    expect(problems({ ECS_RERUN_MAX_ATTEMPTS: "5" }, {}, { maxAttempts: 40 })).toEqual(["settings.ts: maxAttempts = 40: expected a whole number of reruns from 1 to 10"]);
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

  test("a variable nothing is near lists every setting", () => {
    const [problem] = problems({ ECS_RERUN_COLOUR: "blue" });
    expect(problem).toMatch(/^ECS_RERUN_COLOUR="blue": there is no such setting; the settings are ECS_RERUN_REGION, ECS_RERUN_ACCOUNT_ID, /);
    for (const s of SETTINGS_LIST) expect(problem).toContain(s.env);
  });

  test.each<[string, Record<string, string>, Record<string, unknown>, Record<string, unknown>, string]>([
    ["an unknown region", { ECS_RERUN_REGION: "xx-nowhere-9" }, {}, {}, /^ECS_RERUN_REGION="xx-nowhere-9": this is no AWS region the AWS SDK knows \(\d+ regions in the partition data of @aws-sdk\/core [\d.]+\), such as us-east-1, eu-west-1 or ap-northeast-1$/.source],
    ["a region one letter off", { ECS_RERUN_REGION: "eu-wset-1" }, {}, {}, /did you mean eu-west-1\?$/.source],
    ["only commas for the clusters", { ECS_RERUN_PROTECTED_CLUSTERS: ",," }, {}, {}, /^ECS_RERUN_PROTECTED_CLUSTERS=",,": names nothing \(only commas and spaces\); expected a list of strings, each a cluster name/.source],
    ["an empty list of clusters in settings.ts", {}, {}, { protectedClusters: [] }, /^settings\.ts: protectedClusters = \[\]: expected at least 1 item, each a cluster name/.source],
    ["a string for true in settings.ts", {}, {}, { createTrail: "true" }, /^settings\.ts: createTrail = "true": this is a string, expected true or false$/.source],
    ["a misspelt key in settings.ts", {}, {}, { creatTrail: true }, /^settings\.ts: creatTrail = true: there is no such setting; did you mean createTrail\?$/.source],
    ["a fraction where a whole number is wanted", { ECS_RERUN_MAX_ATTEMPTS: "2.5" }, {}, {}, /^ECS_RERUN_MAX_ATTEMPTS="2.5": expected a whole number of reruns from 1 to 10$/.source],
    ["a log retention CloudWatch does not offer", {}, { logRetentionDays: 31 }, {}, /^context key "logRetentionDays" = 31: expected one of 1, 3, 5, 7, 14, 30, /.source],
    ["the relaunch roles' path", { ECS_RERUN_ROLE_PATH: "/ecs-rerun/mine/" }, {}, {}, /^ECS_RERUN_ROLE_PATH="\/ecs-rerun\/mine\/": expected "\/" or a path .* outside \/ecs-rerun\//.source],
    ["an expected run with a misspelt field", { ECS_RERUN_EXPECTED_RUNS: '[{"name":"n","family":"f","intervalSecond":600}]' }, {}, {}, /^ECS_RERUN_EXPECTED_RUNS=.*: item 1: there is no field intervalSecond; did you mean intervalSeconds\?$/.source],
    ["an expected run with both family and startedBy", {}, {}, { expectedRuns: [{ name: "n", family: "f", startedBy: "s", intervalSeconds: 600 }] }, /^settings\.ts: expectedRuns = .*: item 1: expectedRuns "n" is invalid: give exactly one of family and startedBy$/.source],
    ["a tag key AWS reserves", { ECS_RERUN_TAGS: "aws:owner=me" }, {}, {}, /^ECS_RERUN_TAGS="aws:owner=me": key "aws:owner" is not 1-128 letters/.source],
    ["a new VPC's block with an existing VPC", { ECS_RERUN_VPC_CIDR: "10.1.0.0/16", ECS_RERUN_VPC_ID: "vpc-1", ECS_RERUN_SUBNET_IDS: "subnet-1" }, {}, {}, /^ECS_RERUN_VPC_CIDR="10\.1\.0\.0\/16" and ECS_RERUN_VPC_ID \(context key "vpcId"\) are both set: /.source],
    ["a public IP without a VPC of one's own", { ECS_RERUN_ASSIGN_PUBLIC_IP: "true" }, {}, {}, /^ECS_RERUN_ASSIGN_PUBLIC_IP="true" needs ECS_RERUN_VPC_ID \(context key "vpcId"\): /.source],
  ])("refuses %s", (_name, env, context, file, problem) => {
    const found = problems(env, context, file);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(new RegExp(problem));
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
