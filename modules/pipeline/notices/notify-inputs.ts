// Which notices a pipeline tells and where Slack gets them: the props, their limits and defaults, the
// checks literal values must pass, and what they set in the rerun Lambda and the state machine.
import { Token, conditional, type IResolvable } from "cdktf";
import { hcl } from "../../hcl/hcl-expression";
import { InputError } from "../../input-error";
import { allOf, anyOf, isSet, type Presence } from "../../hcl/presence";
import { NOTIFY_MODES, type NotifyMode } from "../../../lambda/shared/contract";
import { STILL_TRYING_AFTER_SECONDS } from "../../../lambda/rerun/config";
import { DIGEST_ABOVE_PER_MINUTE, SLACK_CHANNEL_ID_PATTERN } from "../../../lambda/notifier/config";

/** The notice props of {@link EcsRerunPipelineProps} (rerun-pipeline.ts extends this). */
export interface NoticeProps {
  /**
   * Which steps of a failure are told: "outcomes" (one message when it ends, one "still trying" when
   * it stays open past `stillTryingAfterSeconds`; problems at once), "problems" (as outcomes, without
   * recoveries), or "every-step" (detected, each retry, the outcome). @default "outcomes"
   */
  readonly notify?: NotifyMode | string;
  /** Seconds a failure may stay open before its one "still trying" message (outcomes, problems). @default 600 */
  readonly stillTryingAfterSeconds?: number;
  /** Notices of one pipeline in one minute above which they fold into a digest posted at most once a minute. @default 20 */
  readonly digestAbovePerMinute?: number;
  /**
   * Name of an SSM SecureString holding a Slack bot token (xoxb-...), instead of a webhook: a
   * failure's first message is posted with chat.postMessage, updated in place and threaded. With
   * `slackChannelId`. @default undefined (the webhook, if any)
   */
  readonly slackBotTokenParameterName?: string;
  /** ID of the channel the bot posts to (C0123456789), with `slackBotTokenParameterName`. @default undefined */
  readonly slackChannelId?: string;
}

/** Limits of the notice inputs; the module turns them into validation blocks. */
export const NOTICE_LIMITS = {
  notify: NOTIFY_MODES,
  stillTryingAfterSeconds: STILL_TRYING_AFTER_SECONDS,
  digestAbovePerMinute: DIGEST_ABOVE_PER_MINUTE,
  slackChannelIdPattern: SLACK_CHANNEL_ID_PATTERN,
} as const;

/** The default NOTIFY: one message per failure. */
export const DEFAULT_NOTIFY: NotifyMode = "outcomes";

/** The notice props with their defaults, each literal one checked. */
export interface NoticeInputs {
  readonly notify: string;
  readonly stillTryingAfterSeconds: number;
  readonly digestAbovePerMinute: number;
  /**
   * Whether the state machine routes on `decision.publish`: literal "every-step" keeps the definition
   * byte for byte as before notify modes; a Terraform expression gets the route (with every-step the
   * Lambda leaves `publish` unset and the route is never taken).
   */
  readonly quietSteps: boolean;
  /** The rerun Lambda's NOTIFY and STILL_TRYING_AFTER_SECONDS (none for literal every-step: its default). */
  readonly rerunEnvironment: Record<string, string>;
}

const numberText = (v: number) => (Token.isUnresolved(v) ? Token.asString(v) : String(v));

function check<T>(value: T, name: string, ok: (v: T) => boolean, allowed: string): void {
  if (!Token.isUnresolved(value) && !ok(value)) throw new InputError(name, `${name} = ${JSON.stringify(value)} is invalid: ${allowed}`);
}

/** Fills in the defaults of the notice props and refuses literal values that are not allowed. */
export function resolveNoticeInputs(props: NoticeProps): NoticeInputs {
  const notify = props.notify ?? DEFAULT_NOTIFY;
  check(notify, "notify", (v) => (NOTIFY_MODES as readonly string[]).includes(v), `expected one of ${NOTIFY_MODES.map((m) => JSON.stringify(m)).join(", ")}`);
  const still = props.stillTryingAfterSeconds ?? STILL_TRYING_AFTER_SECONDS.default;
  check(still, "stillTryingAfterSeconds", (v) => Number.isInteger(v) && v >= STILL_TRYING_AFTER_SECONDS.min && v <= STILL_TRYING_AFTER_SECONDS.max, `expected a whole number of seconds from ${STILL_TRYING_AFTER_SECONDS.min} to ${STILL_TRYING_AFTER_SECONDS.max}`);
  const digest = props.digestAbovePerMinute ?? DIGEST_ABOVE_PER_MINUTE.default;
  check(digest, "digestAbovePerMinute", (v) => Number.isInteger(v) && v >= DIGEST_ABOVE_PER_MINUTE.min && v <= DIGEST_ABOVE_PER_MINUTE.max, `expected a whole number from ${DIGEST_ABOVE_PER_MINUTE.min} to ${DIGEST_ABOVE_PER_MINUTE.max}`);
  const bot = props.slackBotTokenParameterName;
  if (bot !== undefined) check(bot, "slackBotTokenParameterName", (v) => /^\/?[a-zA-Z0-9_./-]+$/.test(v) && !/^xox/.test(v), 'expected the NAME of an SSM SecureString holding the bot token (the token itself, "xox...", never goes into config)');
  if (props.slackChannelId !== undefined) check(props.slackChannelId, "slackChannelId", (v) => new RegExp(SLACK_CHANNEL_ID_PATTERN).test(v), 'expected a Slack channel ID such as "C0123456789" (the channel\'s name may change; its ID does not)');
  const literalBot = bot !== undefined && !Token.isUnresolved(bot);
  const literalChannel = props.slackChannelId !== undefined && !Token.isUnresolved(props.slackChannelId);
  if (literalBot !== literalChannel && !Token.isUnresolved(bot) && !Token.isUnresolved(props.slackChannelId)) {
    throw new InputError(literalBot ? "slackChannelId" : "slackBotTokenParameterName", `${literalBot ? "slackBotTokenParameterName" : "slackChannelId"} is set but ${literalBot ? "slackChannelId" : "slackBotTokenParameterName"} is not: a bot posts to one channel with one token; set both, or neither for the webhook`);
  }
  const everyStep = notify === "every-step";
  return {
    notify,
    stillTryingAfterSeconds: still,
    digestAbovePerMinute: digest,
    quietSteps: !everyStep,
    rerunEnvironment: everyStep ? {} : { NOTIFY: notify, STILL_TRYING_AFTER_SECONDS: numberText(still) },
  };
}

/** How the notifier reaches Slack: which parameter it reads, its environment, the checks Terraform makes. */
export interface SlackInputs {
  /** Whether there is a notifier: a webhook or a bot token is given. */
  readonly presence: Presence;
  /** The parameter the notifier reads (the webhook's, or the bot token's). */
  readonly parameterName: string;
  readonly environment: Record<string, string>;
  /** For the module, whose values Terraform knows: one way to Slack, and a bot's channel. */
  readonly preconditions: { condition: IResolvable; errorMessage: string }[];
}

/**
 * The Slack inputs: a literal webhook keeps the notifier's environment as it always was
 * (SLACK_WEBHOOK_PARAMETER alone); a literal bot token sets SLACK_BOT_TOKEN_PARAMETER and
 * SLACK_CHANNEL; Terraform expressions (the module) set all three, "" for the unset ones (the
 * notifier reads a blank variable as unset).
 */
export function slackInputs(create: Presence, webhook: string | undefined, bot: string | undefined, channel: string | undefined): SlackInputs | undefined {
  const tokens = [webhook, bot, channel].some((v) => Token.isUnresolved(v));
  if (!tokens) {
    if (webhook !== undefined && bot !== undefined) throw new InputError("slackBotTokenParameterName", "slackWebhookParameterName and slackBotTokenParameterName are both set: Slack is reached one way, a webhook or a bot; set one");
    const presence = allOf(create, webhook !== undefined || bot !== undefined);
    if (presence === false) return undefined;
    if (bot !== undefined) return { presence, parameterName: bot, environment: { SLACK_BOT_TOKEN_PARAMETER: bot, SLACK_CHANNEL: channel! }, preconditions: [] };
    return { presence, parameterName: webhook!, environment: { SLACK_WEBHOOK_PARAMETER: webhook! }, preconditions: [] };
  }
  const orBlank = (v: string | undefined) => (v === undefined ? "" : Token.isUnresolved(v) ? Token.asString(conditional(isSet(v), v, "")) : v);
  const presence = allOf(create, anyOf(isSet(webhook), isSet(bot)));
  if (presence === false) return undefined;
  const parameterName = webhook === undefined ? bot! : bot === undefined ? webhook : Token.asString(conditional(isSet(webhook), webhook, bot));
  return {
    presence,
    parameterName,
    environment: { SLACK_WEBHOOK_PARAMETER: orBlank(webhook), SLACK_BOT_TOKEN_PARAMETER: orBlank(bot), SLACK_CHANNEL: orBlank(channel) },
    preconditions: [
      ...(webhook !== undefined && bot !== undefined ? [{ condition: hcl`${webhook} == null || ${bot} == null`, errorMessage: "Set slack_webhook_parameter_name or slack_bot_token_parameter_name, not both: Slack is reached one way." }] : []),
      ...(bot !== undefined ? [{ condition: hcl`${bot} == null || ${channel ?? Token.nullValue()} != null`, errorMessage: "slack_bot_token_parameter_name needs slack_channel_id: the ID of the channel the bot posts to." }] : []),
    ],
  };
}
