/** The notifier Lambda's settings, read and validated once from its environment at cold start. */
import { ConfigurationError } from "../shared/errors";
import { type Env, envValue, intInRange, requiredString } from "../shared/env";

export interface NotifierConfig {
  /** NAME (or ARN) of the SSM SecureString holding the Slack webhook URL. Never the URL itself. */
  slackWebhookParameter: string;
  /** Timeout of the Slack POST, ms (100..30000). */
  slackTimeoutMs: number;
  /** Region for console links when a message carries none (Lambda sets AWS_REGION). */
  region: string;
}

export const DEFAULT_SLACK_TIMEOUT_MS = 5000;

/** DIGEST_ABOVE_PER_MINUTE: notices of a minute above which they fold into that minute's digest. */
export const DIGEST_ABOVE_PER_MINUTE = { min: 1, max: 1000, default: 20 } as const;
/** A Slack channel ID (public C..., private G..., or a DM D...), as chat.postMessage's `channel` takes it. */
export const SLACK_CHANNEL_ID_PATTERN = "^[CGD][A-Z0-9]{8,20}$";

/**
 * Reads and validates the notifier's environment; throws ConfigurationError naming the variable.
 *
 * SLACK_WEBHOOK_PARAMETER  required: name of an SSM SecureString parameter (e.g. /ecs-rerun/slack-webhook)
 * SLACK_TIMEOUT_MS         integer 100..30000, default 5000
 * AWS_REGION               set by Lambda; default "us-east-1" (links only)
 */
export function readConfig(env: Env): NotifierConfig {
  const slackWebhookParameter = requiredString(env, "SLACK_WEBHOOK_PARAMETER", "the name of the SSM SecureString parameter that holds the Slack webhook URL");
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(slackWebhookParameter)) {
    // Deliberately does not echo the value: it is probably the secret itself.
    throw new ConfigurationError(
      "SLACK_WEBHOOK_PARAMETER looks like a URL: it must be the NAME of an SSM SecureString parameter holding the webhook URL, never the URL itself",
    );
  }
  return {
    slackWebhookParameter,
    slackTimeoutMs: intInRange(env, "SLACK_TIMEOUT_MS", 100, 30000, DEFAULT_SLACK_TIMEOUT_MS),
    region: envValue(env, "AWS_REGION") ?? "us-east-1",
  };
}
