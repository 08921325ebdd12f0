// The drill's in-process transport: the real SDK clients and the real notifier reach the same local
// endpoints (LocalAws, LocalSlack) without a loopback socket, for storms of thousands where the
// sockets, not the pipeline, would be most of the work. Only the socket is skipped: the SDK still
// builds, signs and serialises every request and parses every answer, and the endpoints answer
// through the very code their HTTP servers use (`exchange`).
import type { ECSClientConfig } from "@aws-sdk/client-ecs";
import type { LocalAws } from "../local-aws/local-aws";
import { replyHeaders } from "../local-aws/protocol";
import type { LocalSlack } from "../slack/local-slack";

/** What an SDK client's `requestHandler` must do: one HTTP request in, one response out. */
interface SdkRequestHandler {
  handle(request: SdkHttpRequest, options?: { abortSignal?: AbortSignal }): Promise<{ response: SdkHttpResponse }>;
  updateHttpClientConfig(key: never, value: never): void;
  httpHandlerConfigs(): Record<string, never>;
  destroy(): void;
}

/** The parts of the SDK's HttpRequest the endpoint reads. */
interface SdkHttpRequest {
  method: string;
  path?: string;
  query?: Record<string, string | string[] | null>;
  headers: Record<string, string>;
  body?: unknown;
}

/** An SDK HttpResponse: the SDK takes any object with a numeric statusCode and headers, and a Uint8Array body as is. */
interface SdkHttpResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: Uint8Array;
}

function bodyText(body: unknown): string {
  if (body === undefined || body === null) return "";
  if (typeof body === "string") return body;
  // The SDK's JSON bodies are Uint8Array subclasses whose valueOf() decodes (and warns): read the bytes.
  if (body instanceof Uint8Array) return Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString("utf8");
  throw new Error("the in-process transport takes string or byte bodies only (AWS JSON protocols)");
}

/**
 * A request handler for `new ECSClient({ requestHandler })` (or any JSON-protocol client) that
 * hands each request to `aws.exchange`. A dropped connection ("drop" faults) is an error without an
 * HTTP status, as a socket that hung up is to the SDK.
 */
export function inProcessRequestHandler(aws: LocalAws): NonNullable<ECSClientConfig["requestHandler"]> {
  const handler: SdkRequestHandler = {
    async handle(request) {
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(request.headers)) headers[name.toLowerCase()] = value;
      const query = new URLSearchParams();
      for (const [k, v] of Object.entries(request.query ?? {})) for (const x of v === null ? [] : Array.isArray(v) ? v : [v]) query.append(k, x);
      const url = `${request.path ?? "/"}${query.size > 0 ? `?${query.toString()}` : ""}`;
      const reply = aws.exchange({ method: request.method, url, headers, body: bodyText(request.body), remoteAddress: "127.0.0.1" });
      if (reply.body === undefined) throw Object.assign(new Error("socket hang up"), { code: "ECONNRESET" });
      return { response: { statusCode: reply.status, headers: replyHeaders(reply.body, reply.requestId, reply.contentType), body: Buffer.from(reply.body, "utf8") } };
    },
    updateHttpClientConfig() {},
    httpHandlerConfigs: () => ({}),
    destroy() {},
  };
  // Every client of the SDK takes the same handler type (@smithy's RequestHandler); this one fills the
  // part of it the SDK uses, which its own types spell with more generics than this file needs.
  return handler as unknown as NonNullable<ECSClientConfig["requestHandler"]>;
}

/**
 * A `fetch` for the notifier that posts to `slack.exchange`. A webhook that never answers keeps the
 * caller waiting until its own AbortSignal fires, as a hung socket does.
 */
export function inProcessFetch(slack: LocalSlack): typeof fetch {
  return (async (input: string | URL | Request, init?: RequestInit) => {
    const url = new URL(typeof input === "string" || input instanceof URL ? input : input.url);
    const headers = new Headers(init?.headers);
    const answer = slack.exchange(init?.method ?? "GET", url.pathname, headers.get("content-type") ?? "", typeof init?.body === "string" ? init.body : "", headers.get("authorization") ?? undefined);
    if (answer === undefined) {
      const signal = init?.signal;
      return new Promise<Response>((_, reject) => {
        if (signal?.aborted) reject(signal.reason);
        signal?.addEventListener("abort", () => reject(signal.reason), { once: true });
      });
    }
    return new Response(answer.text, { status: answer.status, headers: { "content-type": "text/html", ...answer.headers } });
  }) as typeof fetch;
}
