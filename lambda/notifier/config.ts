/** The notifier Lambda's settings, read and validated once from its environment at cold start. */
import { ConfigurationError } from "../shared/errors";
import { type Env, envValue, intInRange, numberInRange } from "../shared/env";

export interface NotifierConfig {
  /** NAME (or ARN) of the SSM SecureString holding the Slack webhook URL. Never the URL itself. Unset: a bot token instead. */
  slackWebhookParameter?: string;
  /** NAME of the SSM SecureString holding a Slack bot token (xoxb-...), instead of a webhook. */
  slackBotTokenParameter?: string;
  /** The channel ID the bot posts to (with slackBotTokenParameter). */
  slackChannel?: string;
  /** Base URL of Slack's Web API. @default "https://slack.com/api" (GovSlack: https://slack-gov.com/api) */
  slackApiUrl?: string;
  /** The notifier's table (store.ts): the storm threshold, the Slack clock, the digest gate, threads. Unset: no folding, no pacing. */
  noticeTable?: string;
  /** The digest queue (digest-queue.ts). Unset: no folding. */
  digestQueueUrl?: string;
  /** Notices of a minute above which they fold into the digest. @default 20 */
  digestAbovePerMinute?: number;
  /** Posts a second this pipeline makes to Slack (the Slack clock). @default 1 */
  slackPostsPerSecond?: number;
  /** Timeout of the Slack POST, ms (100..30000). */
  slackTimeoutMs: number;
  /** Region for console links when a message carries none (Lambda sets AWS_REGION). */
  region: string;
}

export const DEFAULT_SLACK_TIMEOUT_MS = 5000;
export const DEFAULT_SLACK_API_URL = "https://slack.com/api";
/** SLACK_POSTS_PER_SECOND: Slack takes about one message a second per channel (Slack API, "Rate limits"). */
export const SLACK_POSTS_PER_SECOND = { min: 0.1, max: 10, default: 1 } as const;

/** DIGEST_ABOVE_PER_MINUTE: notices of a minute above which they fold into that minute's digest. */
export const DIGEST_ABOVE_PER_MINUTE = { min: 1, max: 1000, default: 20 } as const;
/** A Slack channel ID (public C..., private G..., or a DM D...), as chat.postMessage's `channel` takes it. */
export const SLACK_CHANNEL_ID_PATTERN = "^[CGD][A-Z0-9]{8,20}$";

/**
 * Reads and validates the notifier's environment; throws ConfigurationError naming the variable.
 *
 * SLACK_WEBHOOK_PARAMETER    name of an SSM SecureString holding the webhook URL (e.g. /ecs-rerun/slack-webhook), or:
 * SLACK_BOT_TOKEN_PARAMETER  name of an SSM SecureString holding a bot token, with
 * SLACK_CHANNEL              the channel ID the bot posts to (C0123456789)
 * SLACK_API_URL              default https://slack.com/api
 * SLACK_TIMEOUT_MS           integer 100..30000, default 5000
 * NOTICE_TABLE               the notifier's DynamoDB table; unset: no folding and no pacing
 * DIGEST_QUEUE_URL           the digest queue; unset: no folding
 * DIGEST_ABOVE_PER_MINUTE    integer 1..1000, default 20
 * SLACK_POSTS_PER_SECOND     number 0.1..10, default 1
 * AWS_REGION                 set by Lambda; default "us-east-1" (links only)
 */
export function readConfig(env: Env): NotifierConfig {
  const slackWebhookParameter = envValue(env, "SLACK_WEBHOOK_PARAMETER");
  const slackBotTokenParameter = envValue(env, "SLACK_BOT_TOKEN_PARAMETER");
  if (slackWebhookParameter === undefined && slackBotTokenParameter === undefined) {
    throw new ConfigurationError("SLACK_WEBHOOK_PARAMETER or SLACK_BOT_TOKEN_PARAMETER is required (the name of the SSM SecureString parameter that holds the Slack webhook URL, or a bot token) but neither is set");
  }
  if (slackWebhookParameter !== undefined && slackBotTokenParameter !== undefined) {
    throw new ConfigurationError("SLACK_WEBHOOK_PARAMETER and SLACK_BOT_TOKEN_PARAMETER are both set: Slack is reached one way; set one");
  }
  for (const [name, value] of [["SLACK_WEBHOOK_PARAMETER", slackWebhookParameter], ["SLACK_BOT_TOKEN_PARAMETER", slackBotTokenParameter]] as const) {
    // Deliberately does not echo the value: it is probably the secret itself.
    if (value !== undefined && (/^[a-z][a-z0-9+.-]*:\/\//i.test(value) || /^xox[a-z]-/.test(value))) {
      throw new ConfigurationError(`${name} looks like ${/^xox/.test(value) ? "a token" : "a URL"}: it must be the NAME of an SSM SecureString parameter holding it, never the secret itself`);
    }
  }
  const slackChannel = envValue(env, "SLACK_CHANNEL");
  if (slackBotTokenParameter !== undefined && (slackChannel === undefined || !new RegExp(SLACK_CHANNEL_ID_PATTERN).test(slackChannel))) {
    throw new ConfigurationError(`SLACK_CHANNEL=${JSON.stringify(slackChannel ?? "")} is invalid: a bot token needs the ID of the channel it posts to, such as "C0123456789"`);
  }
  const noticeTable = envValue(env, "NOTICE_TABLE");
  const digestQueueUrl = envValue(env, "DIGEST_QUEUE_URL");
  return {
    ...(slackWebhookParameter !== undefined ? { slackWebhookParameter } : { slackBotTokenParameter, slackChannel }),
    slackApiUrl: envValue(env, "SLACK_API_URL") ?? DEFAULT_SLACK_API_URL,
    slackTimeoutMs: intInRange(env, "SLACK_TIMEOUT_MS", 100, 30000, DEFAULT_SLACK_TIMEOUT_MS),
    region: envValue(env, "AWS_REGION") ?? "us-east-1",
    ...(noticeTable !== undefined ? { noticeTable } : {}),
    ...(digestQueueUrl !== undefined ? { digestQueueUrl } : {}),
    digestAbovePerMinute: intInRange(env, "DIGEST_ABOVE_PER_MINUTE", DIGEST_ABOVE_PER_MINUTE.min, DIGEST_ABOVE_PER_MINUTE.max, DIGEST_ABOVE_PER_MINUTE.default),
    slackPostsPerSecond: numberInRange(env, "SLACK_POSTS_PER_SECOND", SLACK_POSTS_PER_SECOND.min, SLACK_POSTS_PER_SECOND.max, SLACK_POSTS_PER_SECOND.default),
  };
}
