// The AWS JSON 1.1 wire the local services share: API errors, replies and how they are sent,
// request bodies and headers, and the small helpers more than one service uses.
import { createHash } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { EcsTask, SimulatedTask } from "../simulation/task-lifecycle";
import type { EcsFailure, RequestAnswer } from "./shapes";

/** Errors whose HTTP status is not 400. The SDK sets $fault from the status, and retries 5xx. */
const ERROR_STATUS: Record<string, number> = {
  ServerException: 500,
  InternalFailure: 500,
  InternalServerError: 500,
  ServiceUnavailableException: 503,
  ServiceUnavailable: 503,
};

export class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly extra: Record<string, unknown> = {},
    /** The HTTP status, where the service's own differs from the usual (CloudTrail's ThrottlingException is a 429). */
    private readonly httpStatus?: number,
  ) {
    super(message);
  }
  get status(): number {
    return this.httpStatus ?? ERROR_STATUS[this.code] ?? 400;
  }
}

export interface Reply {
  status: number;
  body: Record<string, unknown>;
  answer: RequestAnswer;
  errorCode?: string;
  errorMessage?: string;
  tasks?: EcsTask[];
  failures?: EcsFailure[];
  /** Tasks this call placed: their first state change event is sent and their life scheduled after the answer. */
  placed?: SimulatedTask[];
  /** The call took effect, but the caller gets a ServerException ("5xx") or no answer at all ("drop"). */
  afterEffect?: "5xx" | "drop";
}

/** A service behind the LocalAws router: the operations it answers under its X-Amz-Target prefix. */
export interface LocalService {
  readonly operations: ReadonlySet<string | undefined>;
  /** Answers one known operation of this service; throws ApiError for an error answer. */
  answer(op: string, request: Record<string, unknown>, at: number): Reply;
}

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

export function errorReply(err: ApiError): Reply {
  return {
    status: err.status,
    // Bare error names, as ECS and SSM send them; the SDK maps "__type" to its exception classes.
    body: { __type: err.code, message: err.message, ...err.extra },
    answer: err.code === "ThrottlingException" ? "throttled" : "error",
    errorCode: err.code,
    errorMessage: err.message,
  };
}

/** One request as the wire carries it, whichever way it came: header names in lower case. */
export interface WireRequest {
  readonly method: string;
  /** Path and query: what routes the one REST service here (Scheduler); the rest are POST / by X-Amz-Target. */
  readonly url?: string;
  readonly headers: Readonly<Record<string, string | undefined>>;
  readonly body: string;
  readonly remoteAddress?: string;
}

/** The answer to a WireRequest: a status and a JSON body, or no body at all (the connection is dropped). */
export interface WireReply {
  readonly status: number;
  readonly body?: string;
  readonly requestId: string;
  /** Default: AWS JSON 1.1; STS's Query protocol answers in XML. */
  readonly contentType?: string;
}

/** Headers of an AWS JSON answer (or of another content type, STS's XML). */
export function replyHeaders(text: string, requestId: string, contentType = "application/x-amz-json-1.1"): Record<string, string> {
  return { "content-type": contentType, "content-length": String(Buffer.byteLength(text)), "x-amzn-requestid": requestId };
}

export function send(res: ServerResponse, status: number, body: Record<string, unknown>, requestId: string): void {
  sendText(res, status, JSON.stringify(body), requestId);
}

export function sendText(res: ServerResponse, status: number, text: string, requestId: string, contentType = "application/x-amz-json-1.1"): void {
  res.writeHead(status, {
    "Content-Type": contentType,
    "Content-Length": Buffer.byteLength(text),
    "x-amzn-RequestId": requestId,
  });
  res.end(text);
}


export function parseJsonObject(raw: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = raw.trim() === "" ? {} : JSON.parse(raw);
  } catch (err) {
    throw new ApiError("SerializationException", `Malformed JSON body: ${(err as Error).message}`);
  }
  if (!isObject(value)) throw new ApiError("SerializationException", "Request body must be a JSON object");
  return value;
}

export function headerValue(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

export function md5Hex(s: string): string {
  return createHash("md5").update(s).digest("hex");
}

export function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
}
