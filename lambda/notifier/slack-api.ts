/**
 * Posting to Slack, the one place the notifier speaks HTTP: an incoming webhook (the URL is the
 * secret) or the Web API with a bot token (`chat.postMessage`, `chat.update`). Neither the URL nor
 * the token is ever logged or put in an error message.
 *
 * Slack API facts this relies on (Slack API, "Rate limits", api.slack.com/docs/rate-limits; method
 * references chat.postMessage and chat.update):
 * - posting messages: "1 per second", "short bursts >1 allowed"; chat.postMessage "generally allows
 *   posting one message per second per channel, while also maintaining a workspace-wide limit";
 *   the same holds for incoming webhooks. Over the limit: HTTP 429 with `Retry-After` (seconds).
 * - Web API calls answer HTTP 200 with `{"ok": true, "channel", "ts", ...}` or `{"ok": false,
 *   "error": "..."}`; a token goes in `Authorization: Bearer`, a JSON body with
 *   `Content-Type: application/json; charset=utf-8`.
 * - chat.postMessage's `thread_ts` (a parent message's `ts`) makes the message a reply in its thread;
 *   chat.update takes `channel` and `ts` of the message and replaces its `text` and `blocks`
 *   (`message_not_found` when there is no such message).
 */
import { SlackDeliveryError, SlackRateLimitedError } from "../shared/errors";
import { logJson } from "../shared/log";
import type { SlackMessage } from "./format";

/** Where posts go: a webhook URL, or the Web API with a bot token and a channel. */
export type SlackTarget = { readonly kind: "webhook"; readonly url: string } | { readonly kind: "bot"; readonly apiUrl: string; readonly token: string; readonly channel: string };

/** What Slack says of a message it took: its channel and `ts` (Web API only). */
export interface Posted {
  readonly channel?: string;
  readonly ts?: string;
}

const REDACTED = "[redacted]";

/** Removes a secret (the webhook URL and its path, or a token) from any text that might echo it. */
export function redact(text: string, secret: string | undefined): string {
  if (!secret) return text;
  let out = text.split(secret).join(REDACTED);
  try {
    const { pathname } = new URL(secret);
    if (pathname.length > 1) out = out.split(pathname).join(REDACTED);
  } catch {
    /* not a URL: nothing more to remove */
  }
  return out;
}

/** A short, URL-free name for a fetch failure: TimeoutError, AbortError, ECONNREFUSED, ... */
function errorCode(err: unknown): string {
  const e = err as { name?: unknown; code?: unknown; cause?: { code?: unknown; name?: unknown } } | undefined;
  if (e?.name === "TimeoutError" || e?.name === "AbortError") return e.name;
  for (const candidate of [e?.cause?.code, e?.code, e?.cause?.name, e?.name]) {
    if (typeof candidate === "string" && candidate !== "") return candidate;
  }
  return "unknown error";
}

/** Retry-After in whole seconds (Slack sends an integer); an absent or odd one counts as 1. */
export function retryAfterSeconds(header: string | null): number {
  const n = Number(header);
  return Number.isFinite(n) && n >= 0 ? Math.ceil(n) : 1;
}

export class SlackApi {
  constructor(
    private readonly target: SlackTarget,
    private readonly doFetch: typeof fetch,
    private readonly timeoutMs: number,
  ) {}

  private get secret(): string {
    return this.target.kind === "webhook" ? this.target.url : this.target.token;
  }

  /** Posts a new message (in `threadTs`'s thread, when given: Web API only). */
  post(message: SlackMessage, ctx: Record<string, unknown>, threadTs?: string): Promise<Posted> {
    if (this.target.kind === "webhook") return this.send(this.target.url, message, ctx, "webhook");
    return this.send(`${this.target.apiUrl}/chat.postMessage`, { channel: this.target.channel, ...message, ...(threadTs ? { thread_ts: threadTs } : {}) }, ctx, "chat.postMessage");
  }

  /** Replaces a message the bot posted (Web API only). */
  update(channel: string, ts: string, message: SlackMessage, ctx: Record<string, unknown>): Promise<Posted> {
    if (this.target.kind !== "bot") throw new Error("chat.update needs a bot token");
    return this.send(`${this.target.apiUrl}/chat.update`, { channel, ts, ...message }, ctx, "chat.update");
  }

  private async send(url: string, body: Record<string, unknown> | SlackMessage, ctx: Record<string, unknown>, method: string): Promise<Posted> {
    const headers: Record<string, string> = {
      "content-type": "application/json; charset=utf-8",
      // A fresh connection per post: a pooled keep-alive socket can go stale while the Lambda
      // environment is frozen between invocations, and a POST on it fails without a retry.
      connection: "close",
    };
    if (this.target.kind === "bot") headers.authorization = `Bearer ${this.target.token}`;
    let response: Response;
    try {
      response = await this.doFetch(url, { method: "POST", headers, body: JSON.stringify(body), signal: AbortSignal.timeout(this.timeoutMs) });
    } catch (err) {
      const code = redact(errorCode(err), this.secret);
      const timedOut = code === "TimeoutError" || code === "AbortError";
      logJson("ERROR", "slack delivery failed", { ...ctx, method, reason: timedOut ? "timeout" : "network", errorCode: code });
      throw new SlackDeliveryError(timedOut ? `Slack did not answer within ${this.timeoutMs} ms` : `Slack request failed (${code})`);
    }
    let text = "";
    try {
      text = await response.text();
    } catch {
      /* body unreadable: the status says enough */
    }
    const snippet = redact(text.slice(0, 200), this.secret).replace(/\s+/g, " ").trim();
    if (response.status === 429) {
      const wait = retryAfterSeconds(response.headers.get("retry-after"));
      logJson("WARN", "slack rate limited", { ...ctx, method, httpStatus: 429, retryAfterSeconds: wait });
      throw new SlackRateLimitedError(`Slack answered HTTP 429 (rate limited): retry after ${wait} s`, wait);
    }
    if (!response.ok) {
      logJson("ERROR", "slack delivery failed", { ...ctx, method, reason: "http", httpStatus: response.status, body: snippet });
      throw new SlackDeliveryError(`Slack answered HTTP ${response.status}${snippet ? `: ${snippet}` : ""}`);
    }
    if (this.target.kind === "webhook") {
      logJson("INFO", "slack posted", { ...ctx, method, httpStatus: response.status });
      return {};
    }
    let answer: { ok?: unknown; error?: unknown; channel?: unknown; ts?: unknown } = {};
    try {
      answer = JSON.parse(text) as typeof answer;
    } catch {
      /* not JSON: not Slack's Web API */
    }
    if (answer.ok !== true) {
      const error = typeof answer.error === "string" ? redact(answer.error, this.secret) : `an answer without "ok": ${snippet}`;
      logJson("ERROR", "slack delivery failed", { ...ctx, method, reason: "api", error });
      throw Object.assign(new SlackDeliveryError(`Slack ${method} answered ${error}`), { slackError: error });
    }
    logJson("INFO", "slack posted", { ...ctx, method, httpStatus: response.status });
    return { channel: typeof answer.channel === "string" ? answer.channel : undefined, ts: typeof answer.ts === "string" ? answer.ts : undefined };
  }
}
