/**
 * Thin shell of the notifier Lambda: SNS records in, Slack posts out.
 * The webhook URL is a secret: it is read from SSM at run time, cached for 5 minutes, and never
 * logged or put in an error message.
 */
import { GetParameterCommand, type GetParameterCommandOutput } from "@aws-sdk/client-ssm";
import type { SNSEvent } from "aws-lambda";
import { ConfigurationError, SlackDeliveryError } from "../shared/errors";
import { describeError, logJson } from "../shared/log";
import type { NotifierConfig } from "./config";
import { formatSlackMessage, parseMessage, type ParsedMessage } from "./format";

export interface SsmSender {
  send(command: GetParameterCommand): Promise<GetParameterCommandOutput>;
}

export interface NotifierDeps {
  /** SSMClient or a stub with the same `send`. */
  ssm: SsmSender;
  /** Global fetch by default. */
  fetch?: typeof fetch;
  /** Clock for the webhook cache, ms since epoch; default Date.now. */
  now?: () => number;
}

export type NotifierHandler = (event: SNSEvent) => Promise<void>;

export const WEBHOOK_CACHE_TTL_MS = 5 * 60 * 1000;

const REDACTED = "[redacted]";

/** Removes the webhook URL (and its path, the secret part) from any text that might echo it. */
export function redact(text: string, url: string | undefined): string {
  if (!url) return text;
  let out = text.split(url).join(REDACTED);
  try {
    const { pathname } = new URL(url);
    if (pathname.length > 1) out = out.split(pathname).join(REDACTED);
  } catch {
    /* not a URL: nothing more to remove */
  }
  return out;
}

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

/** A short, URL-free name for a fetch failure: TimeoutError, AbortError, ECONNREFUSED, ... */
function errorCode(err: unknown): string {
  const e = err as { name?: unknown; code?: unknown; cause?: { code?: unknown; name?: unknown } } | undefined;
  if (e?.name === "TimeoutError" || e?.name === "AbortError") return e.name;
  for (const candidate of [e?.cause?.code, e?.code, e?.cause?.name, e?.name]) {
    if (typeof candidate === "string" && candidate !== "") return candidate;
  }
  return "unknown error";
}

export function makeHandler(config: NotifierConfig, deps: NotifierDeps): NotifierHandler {
  const doFetch = deps.fetch ?? fetch;
  const now = deps.now ?? Date.now;
  // Lives as long as the handler, i.e. the execution environment when built in index.ts.
  let cached: { url: string; expiresAt: number } | undefined;

  // One read at a time: notices that arrive while the parameter is being read share that read
  // (Lambda runs one invocation per environment at a time, but a handler serving many at once, as
  // in the drill, would otherwise send one GetParameter per waiting notice).
  let reading: Promise<string> | undefined;

  function webhookUrl(): Promise<string> {
    if (cached && now() < cached.expiresAt) return Promise.resolve(cached.url);
    reading ??= readWebhookUrl().finally(() => (reading = undefined));
    return reading;
  }

  async function readWebhookUrl(): Promise<string> {
    const name = config.slackWebhookParameter;
    let out: GetParameterCommandOutput;
    try {
      out = await deps.ssm.send(new GetParameterCommand({ Name: name, WithDecryption: true }));
    } catch (err) {
      const { errorName } = describeError(err);
      if (errorName === "ParameterNotFound" || errorName === "ParameterVersionNotFound") {
        throw new ConfigurationError(`SSM parameter ${name} (SLACK_WEBHOOK_PARAMETER) was not found: create it as a SecureString holding the Slack webhook URL`);
      }
      if (errorName === "AccessDeniedException") {
        throw new ConfigurationError(`not allowed to read SSM parameter ${name} (SLACK_WEBHOOK_PARAMETER): grant ssm:GetParameter and kms:Decrypt`);
      }
      throw err;
    }
    const url = out.Parameter?.Value?.trim();
    if (!url) throw new ConfigurationError(`SSM parameter ${name} (SLACK_WEBHOOK_PARAMETER) is empty`);
    let protocol: string;
    try {
      protocol = new URL(url).protocol;
    } catch {
      protocol = "";
    }
    if (protocol !== "https:" && protocol !== "http:") {
      throw new ConfigurationError(`SSM parameter ${name} (SLACK_WEBHOOK_PARAMETER) does not hold an http(s) URL`);
    }
    cached = { url, expiresAt: now() + WEBHOOK_CACHE_TTL_MS };
    return url;
  }

  async function post(url: string, body: string, ctx: Record<string, unknown>): Promise<void> {
    const timeoutMs = config.slackTimeoutMs;
    let response: Response;
    try {
      response = await doFetch(url, {
        method: "POST",
        // A fresh connection per post: a pooled keep-alive socket can go stale while the Lambda
        // environment is frozen between invocations, and a POST on it fails without a retry.
        headers: { "content-type": "application/json; charset=utf-8", connection: "close" },
        body,
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (err) {
      const code = errorCode(err);
      const timedOut = code === "TimeoutError" || code === "AbortError";
      const message = timedOut
        ? `Slack did not answer within ${timeoutMs} ms`
        : `Slack request failed (${redact(code, url)})`;
      logJson("ERROR", "slack delivery failed", { ...ctx, reason: timedOut ? "timeout" : "network", errorCode: redact(code, url) });
      throw new SlackDeliveryError(message);
    }
    if (response.ok) {
      await response.body?.cancel().catch(() => undefined);
      logJson("INFO", "slack posted", { ...ctx, httpStatus: response.status });
      return;
    }
    let snippet = "";
    try {
      snippet = redact((await response.text()).slice(0, 200), url).replace(/\s+/g, " ").trim();
    } catch {
      /* body unreadable: the status says enough */
    }
    logJson("ERROR", "slack delivery failed", { ...ctx, reason: "http", httpStatus: response.status, body: snippet });
    throw new SlackDeliveryError(`Slack answered HTTP ${response.status}${snippet ? `: ${snippet}` : ""}`);
  }

  return async function handler(event: SNSEvent): Promise<void> {
    const records = Array.isArray(event?.Records) ? event.Records : [];
    for (const record of records) {
      const message = typeof record?.Sns?.Message === "string" ? record.Sns.Message : JSON.stringify(record?.Sns?.Message ?? null);
      const parsed = parseMessage(message);
      const ctx = { ...correlation(parsed), snsMessageId: record?.Sns?.MessageId };
      const payload = formatSlackMessage(message, { region: config.region });
      const url = await webhookUrl();
      try {
        await post(url, JSON.stringify(payload), ctx);
      } catch (err) {
        // The webhook may have been rotated or revoked: read it again on the next attempt.
        cached = undefined;
        throw err;
      }
    }
  };
}
