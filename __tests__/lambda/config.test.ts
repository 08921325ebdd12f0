import { readConfig as readNotifierConfig } from "../../lambda/notifier/config";
import { DEFAULT_RETRYABLE_REASONS, DEFAULT_RETRYABLE_STOPPED_REASONS, readConfig } from "../../lambda/rerun/config";
import { ConfigurationError } from "../../lambda/shared/errors";

describe("rerun readConfig", () => {
  it("uses the documented defaults when nothing is set", () => {
    expect(readConfig({})).toEqual({
      retryableReasons: ["AGENT", "RESOURCE:*", "Capacity is unavailable at this time*"],
      retryableStoppedReasons: [
        "TaskFailedToStart: RESOURCE:*",
        "*RESOURCE:*",
        "*AGENT*",
        "*Capacity is unavailable at this time*",
        "CannotPullContainerError:*timeout*",
        "CannotPullContainerError:*deadline exceeded*",
        "CannotPullContainerError:*request canceled*",
        "*Timeout waiting for network interface provisioning*",
        "ResourceInitializationError:*timeout*",
      ],
      rerunProgramFailureFamilies: [],
      maxAttempts: 3,
      firstDelaySeconds: 30,
      backoffRate: 2,
      maxDelaySeconds: 300,
      jitter: "FULL",
      verifyIntervalSeconds: 30,
      verifyTimeoutSeconds: 900,
      throttleRetries: 6,
      quickCheckSeconds: 20,
      infrastructureRoleArns: [],
      notify: "every-step",
      stillTryingAfterSeconds: 600,
    });
    expect(readConfig({}).retryableReasons).toEqual([...DEFAULT_RETRYABLE_REASONS]);
    expect(readConfig({}).retryableStoppedReasons).toEqual([...DEFAULT_RETRYABLE_STOPPED_REASONS]);
  });

  it("treats blank values as unset", () => {
    expect(readConfig({ MAX_ATTEMPTS: "", JITTER: "  " })).toMatchObject({ maxAttempts: 3, jitter: "FULL" });
  });

  it("reads every variable", () => {
    expect(
      readConfig({
        RETRYABLE_REASONS: '["AGENT","RESOURCE:MEMORY"]',
        MAX_ATTEMPTS: "5",
        FIRST_DELAY_SECONDS: "10",
        BACKOFF_RATE: "1.5",
        MAX_DELAY_SECONDS: "600",
        JITTER: "NONE",
        RETRYABLE_STOPPED_REASONS: '["*RESOURCE:*"]',
        RERUN_PROGRAM_FAILURE_FAMILIES: '["nightly-report"]',
        VERIFY_INTERVAL_SECONDS: "0",
        VERIFY_TIMEOUT_SECONDS: "120",
        THROTTLE_RETRIES: "0",
        QUICK_CHECK_SECONDS: "0",
        INFRASTRUCTURE_ROLE_ARNS: '["arn:aws:iam::123456789012:role/ecsInfrastructureRole"]',
        NOTIFY: "problems",
        STILL_TRYING_AFTER_SECONDS: "120",
      }),
    ).toEqual({
      retryableReasons: ["AGENT", "RESOURCE:MEMORY"],
      retryableStoppedReasons: ["*RESOURCE:*"],
      rerunProgramFailureFamilies: ["nightly-report"],
      maxAttempts: 5,
      firstDelaySeconds: 10,
      backoffRate: 1.5,
      maxDelaySeconds: 600,
      jitter: "NONE",
      verifyIntervalSeconds: 0,
      verifyTimeoutSeconds: 120,
      throttleRetries: 0,
      quickCheckSeconds: 0,
      infrastructureRoleArns: ["arn:aws:iam::123456789012:role/ecsInfrastructureRole"],
      notify: "problems",
      stillTryingAfterSeconds: 120,
    });
  });

  it.each<[Record<string, string>, RegExp]>([
    [{ MAX_ATTEMPTS: "0" }, /^MAX_ATTEMPTS="0" is invalid: expected an integer from 1 to 10$/],
    [{ MAX_ATTEMPTS: "11" }, /^MAX_ATTEMPTS="11" .*1 to 10/],
    [{ MAX_ATTEMPTS: "2.5" }, /^MAX_ATTEMPTS="2.5" .*integer/],
    [{ MAX_ATTEMPTS: "three" }, /^MAX_ATTEMPTS="three"/],
    [{ FIRST_DELAY_SECONDS: "-1" }, /^FIRST_DELAY_SECONDS="-1" .*0 to 3600/],
    [{ FIRST_DELAY_SECONDS: "3601" }, /^FIRST_DELAY_SECONDS="3601"/],
    [{ BACKOFF_RATE: "0.5" }, /^BACKOFF_RATE="0.5" .*a number from 1 to 10/],
    [{ BACKOFF_RATE: "NaN" }, /^BACKOFF_RATE="NaN"/],
    [{ MAX_DELAY_SECONDS: "0" }, /^MAX_DELAY_SECONDS="0" .*1 to 86400/],
    [{ MAX_DELAY_SECONDS: "86401" }, /^MAX_DELAY_SECONDS="86401"/],
    [{ JITTER: "full" }, /^JITTER="full" .*one of "FULL", "NONE"/],
    [{ RETRYABLE_REASONS: "AGENT" }, /^RETRYABLE_REASONS="AGENT" .*JSON array of non-empty strings/],
    [{ RETRYABLE_REASONS: '["AGENT", 3]' }, /^RETRYABLE_REASONS=.*JSON array/],
    [{ RETRYABLE_REASONS: '{"a":1}' }, /^RETRYABLE_REASONS=/],
    [{ FIRST_DELAY_SECONDS: "60", MAX_DELAY_SECONDS: "30" }, /MAX_DELAY_SECONDS=30 is invalid: expected a value >= FIRST_DELAY_SECONDS=60/],
    [{ FIRST_DELAY_SECONDS: "600" }, /MAX_DELAY_SECONDS=300 \(default\) is invalid/],
    [{ RETRYABLE_STOPPED_REASONS: "*timeout*" }, /^RETRYABLE_STOPPED_REASONS="\*timeout\*" .*JSON array/],
    [{ RERUN_PROGRAM_FAILURE_FAMILIES: '[""]' }, /^RERUN_PROGRAM_FAILURE_FAMILIES=.*JSON array of non-empty strings/],
    [{ VERIFY_INTERVAL_SECONDS: "-1" }, /^VERIFY_INTERVAL_SECONDS="-1" .*0 to 3600/],
    [{ VERIFY_INTERVAL_SECONDS: "3601" }, /^VERIFY_INTERVAL_SECONDS="3601"/],
    [{ VERIFY_TIMEOUT_SECONDS: "59" }, /^VERIFY_TIMEOUT_SECONDS="59" .*60 to 86400/],
    [{ VERIFY_TIMEOUT_SECONDS: "86401" }, /^VERIFY_TIMEOUT_SECONDS="86401"/],
    [{ VERIFY_INTERVAL_SECONDS: "1200" }, /VERIFY_TIMEOUT_SECONDS=900 \(default\) is invalid: expected a value >= VERIFY_INTERVAL_SECONDS=1200/],
    [{ THROTTLE_RETRIES: "11" }, /^THROTTLE_RETRIES="11" .*0 to 10/],
    [{ THROTTLE_RETRIES: "two" }, /^THROTTLE_RETRIES="two"/],
    [{ NOTIFY: "outcome" }, /^NOTIFY="outcome" .*one of "outcomes", "problems", "every-step"/],
    [{ STILL_TRYING_AFTER_SECONDS: "59" }, /^STILL_TRYING_AFTER_SECONDS="59" .*60 to 86400/],
  ])("rejects %j with a message naming variable, value and what is allowed", (env, message) => {
    expect(() => readConfig(env)).toThrow(ConfigurationError);
    expect(() => readConfig(env)).toThrow(message);
  });
});

describe("notifier readConfig", () => {
  it("requires SLACK_WEBHOOK_PARAMETER or SLACK_BOT_TOKEN_PARAMETER and names both", () => {
    expect(() => readNotifierConfig({})).toThrow(ConfigurationError);
    expect(() => readNotifierConfig({})).toThrow(/^SLACK_WEBHOOK_PARAMETER or SLACK_BOT_TOKEN_PARAMETER is required/);
  });

  it("takes a bot token's parameter with a channel ID, and refuses one without, or a token in its place", () => {
    expect(readNotifierConfig({ SLACK_BOT_TOKEN_PARAMETER: "/ecs-rerun/slack-bot-token", SLACK_CHANNEL: "C0123456789" })).toMatchObject({
      slackBotTokenParameter: "/ecs-rerun/slack-bot-token",
      slackChannel: "C0123456789",
      slackApiUrl: "https://slack.com/api",
    });
    expect(() => readNotifierConfig({ SLACK_BOT_TOKEN_PARAMETER: "/p" })).toThrow(/^SLACK_CHANNEL="" is invalid: a bot token needs the ID/);
    expect(() => readNotifierConfig({ SLACK_BOT_TOKEN_PARAMETER: "xoxb-1234-SeCrEt", SLACK_CHANNEL: "C0123456789" })).toThrow(/looks like a token/);
    expect(() => readNotifierConfig({ SLACK_BOT_TOKEN_PARAMETER: "/p", SLACK_WEBHOOK_PARAMETER: "/q", SLACK_CHANNEL: "C0123456789" })).toThrow(/both set/);
  });

  it("refuses a webhook URL in place of the parameter name without echoing it", () => {
    const secret = "https://hooks.slack.com/services/T000/B000/XXXXSECRETXXXX";
    expect(() => readNotifierConfig({ SLACK_WEBHOOK_PARAMETER: secret })).toThrow(/must be the NAME of an SSM SecureString/);
    try {
      readNotifierConfig({ SLACK_WEBHOOK_PARAMETER: secret });
    } catch (err) {
      expect((err as Error).message).not.toContain("XXXXSECRETXXXX");
    }
  });

  it("defaults the timeout to 5000 ms and the link region to AWS_REGION", () => {
    expect(readNotifierConfig({ SLACK_WEBHOOK_PARAMETER: "/ecs-rerun/slack-webhook", AWS_REGION: "eu-west-1" })).toEqual({
      slackWebhookParameter: "/ecs-rerun/slack-webhook",
      slackApiUrl: "https://slack.com/api",
      slackTimeoutMs: 5000,
      region: "eu-west-1",
      digestAbovePerMinute: 20,
      slackPostsPerSecond: 1,
    });
  });

  it.each(["99", "30001", "fast"])("rejects SLACK_TIMEOUT_MS=%s", (value) => {
    expect(() => readNotifierConfig({ SLACK_WEBHOOK_PARAMETER: "/p", SLACK_TIMEOUT_MS: value })).toThrow(
      new RegExp(`^SLACK_TIMEOUT_MS="${value}" is invalid: expected an integer from 100 to 30000`),
    );
  });
});
