/**
 * Thin shell of the notifier Lambda: SNS records in, Slack posts out, and once a minute (a schedule)
 * the storm digest.
 *
 * Each notice of a failure is counted in its minute (store.ts). Up to DIGEST_ABOVE_PER_MINUTE a
 * minute it is posted on its own, at once unless the Slack clock (one post a second) gives it a later
 * slot; above that, or when its slot is more than MAX_SLOT_WAIT_MS away, or when Slack answers 429,
 * it is folded into the digest queue, and the next flush posts it in that minute's digest. Alarms and
 * other messages are never folded. The secret (webhook URL or bot token) is read from SSM at run
 * time, cached for 5 minutes, and never logged or put in an error message.
 */
import type { SNSEvent } from "aws-lambda";
import { NOTICE_KINDS, type Notice, type NoticeKind } from "../shared/contract";
import { SlackDeliveryError, SlackRateLimitedError } from "../shared/errors";
import { describeError, logJson } from "../shared/log";
import { DEFAULT_SLACK_API_URL, DIGEST_ABOVE_PER_MINUTE, SLACK_POSTS_PER_SECOND, type NotifierConfig } from "./config";
import { folds, formatDigest, windowKey } from "./core/digest";
import { DigestQueue, type DigestQueueSender } from "./digest-queue";
import { formatSlackMessage, parseMessage, type ParsedMessage, type SlackMessage } from "./format";
import { SlackApi, type SlackTarget } from "./slack-api";
import { SlackSecret, type SsmSender } from "./secret";
import { NOTICE_STORE_UNAVAILABLE, NoticeStore, type NoticeStoreSender } from "./store";

export { redact } from "./slack-api";

export { WEBHOOK_CACHE_TTL_MS, type SsmSender } from "./secret";

export interface NotifierDeps {
  /** SSMClient or a stub with the same `send`. */
  ssm: SsmSender;
  /** Global fetch by default. */
  fetch?: typeof fetch;
  /** Clock, ms since epoch; default Date.now. */
  now?: () => number;
  /** Waits for a Slack slot (a simulated clock injects its own); default a real timer. */
  sleep?: (ms: number) => Promise<void>;
  /** [0, 1) for the store's retry jitter; default Math.random. */
  random?: () => number;
  /** DynamoDB for NOTICE_TABLE (created only when it is set). */
  dynamodb?: NoticeStoreSender;
  /** SQS for DIGEST_QUEUE_URL (created only when it is set). */
  sqs?: DigestQueueSender;
}

/** The scheduled event that asks for the minute's digest (an EventBridge schedule). */
export interface FlushEvent {
  readonly "detail-type": "Scheduled Event";
  readonly source?: string;
}

export type NotifierHandler = (event: SNSEvent | FlushEvent, context?: { getRemainingTimeInMillis?: () => number }) => Promise<void>;

/** Longest wait for a slot on the Slack clock; a notice whose slot is farther goes to the digest. */
export const MAX_SLOT_WAIT_MS = 10_000;
/** The digest goes out at most once in this long (a schedule asks once a minute; invocations may be late or doubled). */
export const DIGEST_MIN_GAP_MS = 55_000;
/** Notices one digest counts at most; the rest wait for the next. */
export const DIGEST_MAX_NOTICES = 10_000;
/** How long a notice taken for a digest stays hidden: longer than a flush may take (the function's 60 s timeout). */
export const DIGEST_VISIBILITY_SECONDS = 120;
/** Without a Lambda context (tests, the drill): the function's 60 s timeout. */
const DEFAULT_BUDGET_MS = 60_000;

const realSetTimeout = setTimeout;
const realSleep = (ms: number) => new Promise<void>((resolve) => realSetTimeout(resolve, ms));

function correlation(parsed: ParsedMessage): Record<string, unknown> {
  if (parsed.kind === "text") return { kind: "text" };
  if (parsed.kind === "alarm") return { kind: "alarm", alarmName: parsed.alarm.AlarmName, state: parsed.alarm.NewStateValue };
  const n = parsed.notice;
  return {
    kind: n.kind,
    cluster: n.cluster,
    taskDefinition: n.taskDefinition,
    reasons: n.reasons,
    attempt: n.attempt,
    eventId: n.eventId,
    executionArn: n.executionArn,
    source: n.source,
    failureType: n.failureType,
    taskArn: n.taskArn,
  };
}

const isNotice = (parsed: ParsedMessage): parsed is { kind: NoticeKind; notice: Notice } => (NOTICE_KINDS as readonly string[]).includes(parsed.kind);

export function makeHandler(config: NotifierConfig, deps: NotifierDeps): NotifierHandler {
  const notifier = new Notifier(config, deps);
  // Read at each call: a clock faked after the handler was made (the drill's) must be the one it reads.
  const now = deps.now ?? (() => Date.now());
  return async function handler(event, context): Promise<void> {
    const started = now();
    const remainingMs = () => context?.getRemainingTimeInMillis?.() ?? DEFAULT_BUDGET_MS - (now() - started);
    if ((event as FlushEvent)["detail-type"] === "Scheduled Event") return notifier.flush(remainingMs);
    const records = Array.isArray((event as SNSEvent)?.Records) ? (event as SNSEvent).Records : [];
    for (const record of records) {
      const message = typeof record?.Sns?.Message === "string" ? record.Sns.Message : JSON.stringify(record?.Sns?.Message ?? null);
      await notifier.notice(message, record?.Sns?.MessageId, remainingMs);
    }
  };
}

/** What one handler keeps between invocations (the secret, the store, the queue) and its two jobs: a notice, the digest. */
class Notifier {
  private readonly fetch: typeof fetch;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly bot: boolean;
  private readonly secret: SlackSecret;
  private readonly store?: NoticeStore;
  private readonly queue?: DigestQueue;
  private readonly threshold: number;
  private readonly perSecond: number;

  constructor(
    private readonly config: NotifierConfig,
    deps: NotifierDeps,
  ) {
    this.fetch = deps.fetch ?? fetch;
    // Read at each call: a clock faked after the handler was made (the drill's) must be the one it reads.
    this.now = deps.now ?? (() => Date.now());
    this.sleep = deps.sleep ?? realSleep;
    this.bot = config.slackBotTokenParameter !== undefined;
    const parameter = (this.bot ? config.slackBotTokenParameter : config.slackWebhookParameter) as string;
    this.secret = new SlackSecret({ parameter, variable: this.bot ? "SLACK_BOT_TOKEN_PARAMETER" : "SLACK_WEBHOOK_PARAMETER", bot: this.bot }, deps.ssm, this.now);
    if (config.noticeTable && deps.dynamodb) this.store = new NoticeStore(config.noticeTable, deps.dynamodb, { now: this.now, sleep: this.sleep, random: deps.random ?? Math.random });
    if (config.digestQueueUrl && deps.sqs) this.queue = new DigestQueue(config.digestQueueUrl, deps.sqs);
    this.threshold = config.digestAbovePerMinute ?? DIGEST_ABOVE_PER_MINUTE.default;
    this.perSecond = config.slackPostsPerSecond ?? SLACK_POSTS_PER_SECOND.default;
  }

  private async slack(): Promise<SlackApi> {
    const value = await this.secret.get();
    const target: SlackTarget = this.bot ? { kind: "bot", apiUrl: this.config.slackApiUrl ?? DEFAULT_SLACK_API_URL, token: value, channel: this.config.slackChannel as string } : { kind: "webhook", url: value };
    return new SlackApi(target, this.fetch, this.config.slackTimeoutMs);
  }

  /** A store failure never stops a notice: it is posted as it would be without the store, and counted (an alarm watches the phrase). */
  private storeUnavailable(err: unknown, ctx: Record<string, unknown>, what: string): void {
    logJson("ERROR", `${NOTICE_STORE_UNAVAILABLE}: ${what}`, { ...ctx, table: this.config.noticeTable, ...describeError(err) });
  }

  /** Waits for this post's slot on the Slack clock; how many ms it is away when more than MAX_SLOT_WAIT_MS (then it did not wait). */
  private async awaitSlot(ctx: Record<string, unknown>): Promise<number> {
    if (!this.store) return 0;
    let slot: number;
    try {
      slot = await this.store.reserveSlackSlot(this.perSecond);
    } catch (err) {
      this.storeUnavailable(err, ctx, "posting unpaced");
      return 0;
    }
    const wait = slot - this.now();
    if (wait > MAX_SLOT_WAIT_MS) return wait;
    if (wait > 0) await this.sleep(wait);
    return 0;
  }

  private async fold(message: string, ctx: Record<string, unknown>, why: string): Promise<void> {
    await this.queue!.fold(message);
    logJson("INFO", "notice folded into the digest", { ...ctx, why });
  }

  /** Slack said 429: hold the pipeline's clock until Retry-After has passed. */
  private async rateLimited(err: SlackRateLimitedError, ctx: Record<string, unknown>): Promise<void> {
    try {
      await this.store?.holdSlackUntil(this.now() + err.retryAfterSeconds * 1000);
    } catch (storeErr) {
      this.storeUnavailable(storeErr, ctx, "Retry-After not kept");
    }
  }

  /** Posts one message; with a bot token a failure's later steps update its first message and reply in its thread. */
  private async deliver(api: SlackApi, parsed: ParsedMessage, payload: SlackMessage, ctx: Record<string, unknown>): Promise<void> {
    const executionArn = isNotice(parsed) ? parsed.notice.executionArn : undefined;
    const store = this.store;
    if (!this.bot || !store || !executionArn) {
      await api.post(payload, ctx);
      return;
    }
    let thread: { channel: string; ts: string } | undefined;
    try {
      thread = await store.thread(executionArn);
    } catch (err) {
      this.storeUnavailable(err, ctx, "posting a new message instead of a reply");
    }
    if (thread === undefined) {
      const posted = await api.post(payload, ctx);
      if (posted.channel && posted.ts) {
        // Posted already: a failure to keep its ts costs the thread, never a second post.
        await store.keepThread(executionArn, posted.channel, posted.ts).catch((err: unknown) => this.storeUnavailable(err, ctx, "thread not kept"));
      }
      return;
    }
    // The first message shows where the failure stands now; the thread keeps every step.
    try {
      await api.update(thread.channel, thread.ts, payload, { ...ctx, threadTs: thread.ts });
    } catch (err) {
      if (err instanceof SlackRateLimitedError) throw err;
      logJson("WARN", "first message not updated; the step still goes to its thread", { ...ctx, ...describeError(err) });
    }
    await api.post(payload, { ...ctx, threadTs: thread.ts }, thread.ts);
  }

  /** One SNS message: counted in its minute, then posted (waiting for its Slack slot) or folded into the digest. */
  async notice(message: string, messageId: string | undefined, remaining: () => number): Promise<void> {
    const parsed = parseMessage(message);
    const ctx = { ...correlation(parsed), snsMessageId: messageId };
    // A self-test is posted on its own whatever the storm: it is the message its sender waits for.
    const foldable = isNotice(parsed) && parsed.kind !== "self_test" && this.queue !== undefined;
    if (foldable && this.store) {
      let count: number | undefined;
      try {
        count = await this.store.countNotice(windowKey(this.now()));
      } catch (err) {
        this.storeUnavailable(err, ctx, "not counted for the storm threshold");
      }
      if (count !== undefined && folds(count, this.threshold)) return this.fold(message, { ...ctx, countThisMinute: count }, `more than ${this.threshold} notices this minute`);
    }
    const payload = formatSlackMessage(message, { region: this.config.region });
    const api = await this.slack();
    const away = await this.awaitSlot(ctx);
    if (away > 0) {
      if (foldable) return this.fold(message, ctx, `its Slack slot is ${Math.ceil(away / 1000)} s away`);
      // An alarm is never folded: it waits its turn, as long as the invocation has time to post after it.
      await this.sleep(Math.max(0, Math.min(away, remaining() - 15_000)));
    }
    try {
      await this.deliver(api, parsed, payload, ctx);
    } catch (err) {
      if (err instanceof SlackRateLimitedError) {
        await this.rateLimited(err, ctx);
        // Slack posted nothing: the digest counts it once Slack has room.
        if (foldable) return this.fold(message, ctx, `Slack answered 429 (Retry-After ${err.retryAfterSeconds} s)`);
      }
      // The secret may have been rotated or revoked: read it again on the next attempt.
      if (!(err instanceof SlackRateLimitedError)) this.secret.forget();
      throw err;
    }
  }

  /** The minute's digest: every folded notice waiting, posted once; deleted only once posted. */
  async flush(remainingMs: () => number): Promise<void> {
    const { store, queue } = this;
    if (!store || !queue) return;
    if (!(await store.claimDigest(DIGEST_MIN_GAP_MS))) {
      logJson("INFO", "digest skipped: one went out less than a minute ago", {});
      return;
    }
    const taken = await queue.takeAll(DIGEST_MAX_NOTICES, DIGEST_VISIBILITY_SECONDS, () => remainingMs() > 30_000);
    if (taken.length === 0) return;
    const notices = taken.map((t) => parseMessage(t.body)).filter(isNotice).map((p) => p.notice);
    const times = notices.map((n) => Date.parse(n.eventTime)).filter(Number.isFinite);
    const digest = formatDigest(notices, { region: this.config.region, fromMs: Math.min(this.now(), ...times), toMs: this.now() });
    const ctx = { kind: "digest", notices: notices.length };
    const api = await this.slack();
    const away = await this.awaitSlot(ctx);
    // A digest waits its turn too; farther than the budget allows, the next flush posts it.
    if (away > 0) {
      if (away > remainingMs() - 15_000) {
        logJson("INFO", "digest deferred: Slack clock busy", { ...ctx, awayMs: away });
        return;
      }
      await this.sleep(away);
    }
    try {
      await api.post(digest, ctx);
    } catch (err) {
      if (err instanceof SlackRateLimitedError) {
        // Not deleted: the notices come back after their visibility timeout and a later digest counts them.
        await this.rateLimited(err, ctx);
        return;
      }
      this.secret.forget();
      throw err;
    }
    const notDeleted = await queue.remove(taken);
    logJson(notDeleted > 0 ? "WARN" : "INFO", "digest posted", { ...ctx, notDeleted });
  }
}

export { SlackDeliveryError };
