/**
 * A local stand-in for a Slack incoming webhook that misbehaves on cue, so the drill can show
 * that a notification failure (5xx, or a webhook that never answers) is noticed and survived.
 * No timers: a "timeout" simply never answers, the client's own deadline does the rest.
 */
import { listenOnLoopback, loopbackOrigin, readBody } from "./loopback";
import { createServer, IncomingMessage, Server, ServerResponse } from "node:http";
import { Socket } from "node:net";

export type SlackAnswer = "ok" | "500" | "timeout";

const SLACK_ANSWERS: readonly SlackAnswer[] = ["ok", "500", "timeout"];

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
  /** "invalid_payload" = the body was not JSON (Slack answers 400 and it consumes no script entry). */
  answeredWith: SlackAnswer | "invalid_payload";
  path: string;
}

export interface LocalSlackOptions {
  /** Answers for successive posts; the last one repeats. Default ["ok"]. */
  script?: ReadonlyArray<SlackAnswer>;
  /** Default 0 (ephemeral). */
  port?: number;
  /** Keep every post in `received` ("all"), or count them in `answerCounts` only ("counts", for storms). Default "all". */
  keep?: "all" | "counts";
}

export class LocalSlack {
  readonly received: SlackDelivery[] = [];

  private script: SlackAnswer[];
  private cursor = 0;
  private readonly port: number;
  private readonly keep: boolean;
  private server?: Server;
  private readonly sockets = new Set<Socket>();

  constructor(options: LocalSlackOptions = {}) {
    this.script = LocalSlack.toScript(options.script ?? ["ok"]);
    this.port = options.port ?? 0;
    this.keep = options.keep !== "counts";
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
   * status and text, or undefined for a webhook that never answers ("timeout").
   */
  exchange(method: string, path: string, contentType: string, raw: string): { status: number; text: string } | undefined {
    if (method !== "POST") return { status: 405, text: "invalid_method" };
    const payload = parsePayload(raw, contentType);
    if (payload === undefined) {
      this.keepDelivery({ payload: raw, answeredWith: "invalid_payload", path });
      return { status: 400, text: "invalid_payload" };
    }
    const answer = this.script[Math.min(this.cursor, this.script.length - 1)];
    this.cursor++;
    this.keepDelivery({ payload, answeredWith: answer, path });
    if (answer === "ok") return { status: 200, text: "ok" };
    if (answer === "500") return { status: 500, text: "internal_error" };
    // "timeout": deliberately no answer; stop() destroys the socket.
    return undefined;
  }

  /** Posts by answer ("ok", "500", "timeout", "invalid_payload"), whether or not `received` keeps them. */
  readonly answerCounts: Record<string, number> = {};

  private keepDelivery(delivery: SlackDelivery): void {
    this.answerCounts[delivery.answeredWith] = (this.answerCounts[delivery.answeredWith] ?? 0) + 1;
    if (this.keep) this.received.push(delivery);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req);
    const answer = this.exchange(req.method ?? "", req.url ?? "/", req.headers["content-type"] ?? "", raw);
    if (answer !== undefined) reply(res, answer.status, answer.text);
  }
}

function reply(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { "Content-Type": "text/html", "Content-Length": Buffer.byteLength(text) });
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
