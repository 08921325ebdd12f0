/**
 * A local stand-in for Slack that misbehaves on cue, so the drill can show that a notification
 * failure (5xx, a rate limit, or a Slack that never answers) is noticed and survived. It speaks an
 * incoming webhook (any path outside /api/: "ok" as text) and the two Web API methods the notifier
 * uses with a bot token, `chat.postMessage` (also in a thread, `thread_ts`) and `chat.update`, which
 * answer JSON `{"ok": true, "channel", "ts", ...}` or `{"ok": false, "error"}` as Slack does, and
 * check the bearer token. "429" answers HTTP 429 with `Retry-After` (Slack API, "Rate limits"). Every
 * post is counted per second of the clock (simulated in the drill): ground truth for the rate.
 * No timers: a "timeout" simply never answers, the client's own deadline does the rest.
 */
import { listenOnLoopback, loopbackOrigin, readBody } from "../transport/loopback";
import { createServer, IncomingMessage, Server, ServerResponse } from "node:http";
import { Socket } from "node:net";

export type SlackAnswer = "ok" | "500" | "timeout" | "429";

const SLACK_ANSWERS: readonly SlackAnswer[] = ["ok", "500", "timeout", "429"];
/** The Web API methods answered under /api/. */
export type SlackMethod = "webhook" | "chat.postMessage" | "chat.update";

/** "500,timeout,ok" -> answers, in order; throws on anything else. */
export function parseSlackScript(s: string): SlackAnswer[] {
  return s.split(",").map((raw, i) => {
    const entry = raw.trim();
    if (!(SLACK_ANSWERS as readonly string[]).includes(entry)) {
      throw new Error(`Slack script "${s}", entry ${i + 1}: invalid entry "${raw}": expected one of ${SLACK_ANSWERS.join(", ")}`);
    }
    return entry as SlackAnswer;
  });
}

export interface SlackDelivery {
  payload: unknown;
  /** "invalid_payload" = the body was not JSON (Slack answers 400 and it consumes no script entry); "api_error": the Web API said ok: false. */
  answeredWith: SlackAnswer | "invalid_payload" | "api_error";
  path: string;
  /** Which kind of post it was. */
  method: SlackMethod;
  /** When it arrived (ms since the epoch, on the clock the drill runs: simulated). */
  at: number;
}

/** A message the Web API holds: where, its `ts`, what it says now, and its thread. */
export interface SlackApiMessage {
  readonly channel: string;
  readonly ts: string;
  payload: unknown;
  updates: number;
  readonly replies: unknown[];
}

export interface LocalSlackOptions {
  /** Answers for successive posts; the last one repeats. Default ["ok"]. */
  script?: ReadonlyArray<SlackAnswer>;
  /** Default 0 (ephemeral). */
  port?: number;
  /** Keep every post in `received` ("all"), or count them in `answerCounts` only ("counts", for storms). Default "all". */
  keep?: "all" | "counts";
  /** The bot token the Web API accepts. Default "xoxb-drill-token". */
  botToken?: string;
  /** Retry-After of a "429" answer, seconds. Default 1. */
  retryAfterSeconds?: number;
}

export class LocalSlack {
  readonly received: SlackDelivery[] = [];

  private script: SlackAnswer[];
  private cursor = 0;
  private readonly port: number;
  private readonly keep: boolean;
  private server?: Server;
  private readonly sockets = new Set<Socket>();
  private readonly botToken: string;
  private readonly retryAfterSeconds: number;
  /** Web API messages by ts (top-level ones; replies live in their parent's thread). */
  readonly messages = new Map<string, SlackApiMessage>();
  /** Posts per whole second of the clock, whatever was answered. */
  readonly postsBySecond = new Map<number, number>();
  /** Every post whose payload a counter reads (`onPost`), kept or not. */
  onPost?: (delivery: SlackDelivery) => void;
  private tsSeq = 0;

  constructor(options: LocalSlackOptions = {}) {
    this.script = LocalSlack.toScript(options.script ?? ["ok"]);
    this.port = options.port ?? 0;
    this.keep = options.keep !== "counts";
    this.botToken = options.botToken ?? "xoxb-drill-token";
    this.retryAfterSeconds = options.retryAfterSeconds ?? 1;
  }

  /** The Web API's base URL (as SLACK_API_URL takes it). */
  get apiUrl(): string {
    return `${loopbackOrigin(this.server, "LocalSlack")}/api`;
  }

  /** The token the Web API accepts. */
  get token(): string {
    return this.botToken;
  }

  /** The most posts received in any one second. */
  peakPerSecond(): number {
    return Math.max(0, ...this.postsBySecond.values());
  }

  private static toScript(script: ReadonlyArray<SlackAnswer>): SlackAnswer[] {
    if (script.length === 0) throw new Error("Slack script needs at least one entry (the last entry repeats forever)");
    for (const e of script) {
      if (!SLACK_ANSWERS.includes(e)) throw new Error(`Invalid Slack script entry "${String(e)}": expected one of ${SLACK_ANSWERS.join(", ")}`);
    }
    return [...script];
  }

  async start(): Promise<{ url: string }> {
    if (this.server) throw new Error("LocalSlack already started");
    const server = createServer((req, res) => {
      this.handle(req, res).catch(() => res.destroy());
    });
    server.on("connection", (socket: Socket) => {
      this.sockets.add(socket);
      socket.on("close", () => this.sockets.delete(socket));
    });
    this.server = server;
    await listenOnLoopback(server, this.port);
    return { url: this.url };
  }

  /** The webhook URL; any path is accepted, this one looks like a real webhook. */
  get url(): string {
    return `${loopbackOrigin(this.server, "LocalSlack")}/services/T00000000/B00000000/drill`;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    // A "timeout" answer holds its socket open forever; close() alone would wait for it.
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
    await closed;
  }

  reset(): void {
    this.received.length = 0;
    this.messages.clear();
    this.postsBySecond.clear();
    for (const k of Object.keys(this.answerCounts)) delete this.answerCounts[k];
    this.cursor = 0;
  }

  /** Replaces the script and rewinds it (what was received is kept). */
  setScript(script: ReadonlyArray<SlackAnswer>): void {
    this.script = LocalSlack.toScript(script);
    this.cursor = 0;
  }

  /** Payloads that were answered 200 "ok", i.e. that a person would have seen. */
  delivered(): unknown[] {
    return this.received.filter((r) => r.answeredWith === "ok").map((r) => r.payload);
  }

  /**
   * Answers one post, whichever way it came (a loopback socket, or the drill's in-process fetch):
   * status, text and headers, or undefined for a Slack that never answers ("timeout").
   */
  exchange(method: string, path: string, contentType: string, raw: string, authorization?: string): { status: number; text: string; headers?: Record<string, string> } | undefined {
    if (method !== "POST") return { status: 405, text: "invalid_method" };
    const api = path.startsWith("/api/") ? path.slice("/api/".length) : undefined;
    const kind: SlackMethod = api === "chat.postMessage" || api === "chat.update" ? api : "webhook";
    if (api !== undefined && kind === "webhook") return json(200, { ok: false, error: "unknown_method" });
    const at = Date.now();
    const second = Math.floor(at / 1000);
    this.postsBySecond.set(second, (this.postsBySecond.get(second) ?? 0) + 1);
    const payload = parsePayload(raw, contentType);
    if (payload === undefined) {
      this.keepDelivery({ payload: raw, answeredWith: "invalid_payload", path, method: kind, at });
      return kind === "webhook" ? { status: 400, text: "invalid_payload" } : json(200, { ok: false, error: "invalid_json" });
    }
    const answer = this.script[Math.min(this.cursor, this.script.length - 1)];
    this.cursor++;
    if (answer === "429") {
      this.keepDelivery({ payload, answeredWith: answer, path, method: kind, at });
      const headers = { "Retry-After": String(this.retryAfterSeconds) };
      return kind === "webhook" ? { status: 429, text: "rate_limited", headers } : { ...json(429, { ok: false, error: "ratelimited" }), headers: { ...headers, "content-type": "application/json" } };
    }
    if (answer === "500") {
      this.keepDelivery({ payload, answeredWith: answer, path, method: kind, at });
      return { status: 500, text: "internal_error" };
    }
    if (answer === "timeout") {
      this.keepDelivery({ payload, answeredWith: answer, path, method: kind, at });
      // Deliberately no answer; stop() destroys the socket.
      return undefined;
    }
    if (kind === "webhook") {
      this.keepDelivery({ payload, answeredWith: "ok", path, method: kind, at });
      return { status: 200, text: "ok" };
    }
    const result = this.webApi(kind, payload as Record<string, unknown>, authorization, at);
    this.keepDelivery({ payload, answeredWith: result.ok === true ? "ok" : "api_error", path, method: kind, at });
    return json(200, result);
  }

  /** chat.postMessage and chat.update, as the Web API answers them (HTTP 200 either way). */
  private webApi(kind: "chat.postMessage" | "chat.update", body: Record<string, unknown>, authorization: string | undefined, at: number): Record<string, unknown> {
    if (authorization !== `Bearer ${this.botToken}`) return { ok: false, error: authorization ? "invalid_auth" : "not_authed" };
    const channel = body.channel;
    if (typeof channel !== "string" || channel === "") return { ok: false, error: "channel_not_found" };
    if (typeof body.text !== "string" && !Array.isArray(body.blocks)) return { ok: false, error: "no_text" };
    if (Array.isArray(body.blocks) && body.blocks.length > 50) return { ok: false, error: "invalid_blocks" };
    if (kind === "chat.update") {
      const message = typeof body.ts === "string" ? this.messages.get(body.ts) : undefined;
      if (message === undefined || message.channel !== channel) return { ok: false, error: "message_not_found" };
      message.payload = body;
      message.updates++;
      return { ok: true, channel, ts: message.ts, text: body.text };
    }
    const ts = `${Math.floor(at / 1000)}.${String(++this.tsSeq).padStart(6, "0")}`;
    if (typeof body.thread_ts === "string") {
      const parent = this.messages.get(body.thread_ts);
      if (parent === undefined || parent.channel !== channel) return { ok: false, error: "thread_not_found" };
      parent.replies.push(body);
      return { ok: true, channel, ts, message: { text: body.text, thread_ts: parent.ts } };
    }
    this.messages.set(ts, { channel, ts, payload: body, updates: 0, replies: [] });
    return { ok: true, channel, ts, message: { text: body.text } };
  }

  /** Posts by answer ("ok", "500", "timeout", "invalid_payload"), whether or not `received` keeps them. */
  readonly answerCounts: Record<string, number> = {};

  private keepDelivery(delivery: SlackDelivery): void {
    this.answerCounts[delivery.answeredWith] = (this.answerCounts[delivery.answeredWith] ?? 0) + 1;
    this.onPost?.(delivery);
    if (this.keep) this.received.push(delivery);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req);
    const answer = this.exchange(req.method ?? "", req.url ?? "/", req.headers["content-type"] ?? "", raw, req.headers.authorization);
    if (answer !== undefined) reply(res, answer.status, answer.text, answer.headers);
  }
}

function json(status: number, body: Record<string, unknown>): { status: number; text: string; headers: Record<string, string> } {
  return { status, text: JSON.stringify(body), headers: { "content-type": "application/json; charset=utf-8" } };
}

function reply(res: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { "Content-Type": "text/html", ...headers, "Content-Length": Buffer.byteLength(text) });
  res.end(text);
}


/** Webhooks take a JSON body, or (older integrations) a form field "payload" holding the JSON. */
function parsePayload(raw: string, contentType: string): unknown {
  let json = raw;
  if (contentType.startsWith("application/x-www-form-urlencoded")) {
    const field = new URLSearchParams(raw).get("payload");
    if (field === null) return undefined;
    json = field;
  }
  try {
    return JSON.parse(json) as unknown;
  } catch {
    return undefined;
  }
}
