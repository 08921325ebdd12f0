/**
 * A local endpoint speaking the AWS JSON 1.1 protocol for the few ECS and SSM operations the
 * rerun path uses (RunTask, StartTask, DescribeTasks, TagResource, ListTagsForResource,
 * GetParameter), so the real Lambda code and the real @aws-sdk clients can be driven through
 * launch failures on cue. It also plays CloudTrail + EventBridge: every RunTask/StartTask call
 * produces the "AWS API Call via CloudTrail" envelope the production rule would receive, and every
 * placed task reports each new lastStatus as an "ECS Task State Change" event.
 *
 * No request ever waits on a timer: a request's time comes from the injected `now()`. Placed
 * tasks move through their life (see ./task-lifecycle) on the `schedule` option, by default
 * setTimeout, which the drill fakes; and any read (DescribeTasks, tasks()) first applies the
 * steps due by now(), so answers reflect the task's state at the request's time even before its
 * timer has fired.
 */
import { listenOnLoopback, loopbackOrigin, readBody } from "./loopback";
import { createHash, randomBytes, randomUUID } from "node:crypto";
import { createServer, IncomingMessage, Server, ServerResponse } from "node:http";
import { SimulatedTask, taskStateChangeEvent, type EcsTag, type EcsTask, type EcsTaskStateChangeEvent, type TaskFate, type TaskTransition } from "./task-lifecycle";

export type { EcsContainer, EcsStopCode, EcsTag, EcsTask, EcsTaskStateChangeDetail, EcsTaskStateChangeEvent, EcsTaskStatus } from "./task-lifecycle";

// ---------------------------------------------------------------------------------------------
// Script of launch answers
// ---------------------------------------------------------------------------------------------

/**
 * One scripted answer to a launch call. Tasks placed by "ok" and "partial" run and exit 0; "exit"
 * places tasks that run and exit with `exitCode`; "nostart" places tasks that stop without starting.
 * `startSeconds`/`runSeconds` override the server's defaults for the tasks of that answer.
 */
export type EcsAnswer =
  | { kind: "ok"; startSeconds?: number; runSeconds?: number }
  | { kind: "exit"; exitCode: number; startSeconds?: number; runSeconds?: number }
  | { kind: "nostart"; reason: string; startSeconds?: number }
  | { kind: "fail"; reason: string }
  | { kind: "partial"; placed: number }
  | { kind: "throttle" }
  | { kind: "error"; name: string };

const ECS_SCRIPT_HELP =
  'expected "ok", "exit:N", "nostart:REASON", "throttle", "partial:N", "error:ExceptionName" or an upper-case ECS failure reason such as "AGENT" or "RESOURCE:MEMORY"';

/** Parses one script entry; throws with the offending text so a typo in a drill scenario fails loudly. */
export function parseEcsAnswer(entry: string): EcsAnswer {
  const e = entry.trim();
  if (e === "ok") return { kind: "ok" };
  if (e === "throttle") return { kind: "throttle" };
  if (e.startsWith("nostart:")) {
    const reason = e.slice("nostart:".length).trim();
    if (reason === "") throw new Error(`Invalid ECS script entry "${entry}": nostart:REASON needs the stoppedReason, such as "TaskFailedToStart: RESOURCE:MEMORY"`);
    return { kind: "nostart", reason };
  }
  if (e.startsWith("exit:")) {
    const n = e.slice("exit:".length);
    if (!/^\d{1,3}$/.test(n) || Number(n) > 255) throw new Error(`Invalid ECS script entry "${entry}": exit:N needs the essential container's exit code, 0 to 255`);
    return { kind: "exit", exitCode: Number(n) };
  }
  if (e.startsWith("partial:")) {
    const n = e.slice("partial:".length);
    if (!/^\d+$/.test(n)) throw new Error(`Invalid ECS script entry "${entry}": partial:N needs a whole number of tasks to place`);
    return { kind: "partial", placed: Number(n) };
  }
  if (e.startsWith("error:")) {
    const name = e.slice("error:".length);
    if (!/^[A-Z][A-Za-z0-9]*$/.test(name)) throw new Error(`Invalid ECS script entry "${entry}": error:NAME needs an exception name such as ClientException`);
    return { kind: "error", name };
  }
  // Real reasons are upper case ("AGENT", "RESOURCE:MEMORY", "EMPTY CAPACITY PROVIDER"); insisting on
  // that catches typos such as "okk" or "Ok" instead of silently turning them into failure reasons.
  if (/^[A-Z][A-Z0-9_]*( [A-Z0-9_]+)*(:[A-Z0-9_.*-]+)?$/.test(e)) return { kind: "fail", reason: e };
  throw new Error(`Invalid ECS script entry "${entry}": ${ECS_SCRIPT_HELP}`);
}

function isEcsAnswer(entry: string): boolean {
  try {
    parseEcsAnswer(entry);
    return true;
  } catch {
    return false;
  }
}

/**
 * "AGENT,RESOURCE:MEMORY,ok" -> answers, in order. Entries are separated by commas, and spaces
 * around an entry are ignored.
 *
 * Entries:
 * - `ok`: every requested task is placed, runs (RUNNING after startSeconds) and exits 0.
 * - `exit:N`: placed and runs, then its essential container exits with code N (0-255).
 * - `nostart:REASON`: placed (PENDING, or PROVISIONING with a capacity provider), then STOPPED
 *   with stopCode TaskFailedToStart and stoppedReason REASON, verbatim.
 * - `partial:N`: N of the requested tasks are placed (and run and exit 0), the rest fail with AGENT.
 * - an upper-case failure reason (`AGENT`, `RESOURCE:MEMORY`): nothing is placed; each requested
 *   task gets a failure with that reason.
 * - `throttle`: ThrottlingException. `error:NAME`: the exception NAME (e.g. ServerException).
 *
 * A nostart REASON is free text and may contain colons and commas: a comma ends it only where what
 * follows the comma is itself a valid entry. So
 * `nostart:CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref docker.io/library/x:1, not found,ok`
 * is two entries, the reason ending in ", not found". A reason that must contain a comma followed by
 * something that reads as an entry (", ok", ", AGENT") cannot be written here; pass
 * `{ kind: "nostart", reason }` to the ecsScript option instead.
 */
export function parseEcsScript(s: string): EcsAnswer[] {
  const entries: string[] = [];
  for (const piece of s.split(",")) {
    const last = entries.length - 1;
    // A blank piece is never part of a reason: "nostart:X,,ok" is a typo, reported as such.
    if (last >= 0 && entries[last].trim().startsWith("nostart:") && piece.trim() !== "" && !isEcsAnswer(piece)) entries[last] += `,${piece}`;
    else entries.push(piece);
  }
  return entries.map((entry, i) => {
    try {
      return parseEcsAnswer(entry);
    } catch (err) {
      throw new Error(`ECS script "${s}", entry ${i + 1}: ${(err as Error).message}`);
    }
  });
}

export { parseSlackScript } from "./local-slack";

// ---------------------------------------------------------------------------------------------
// Shapes
// ---------------------------------------------------------------------------------------------

export interface AssumedRoleIdentity {
  type: "AssumedRole";
  principalId: string;
  arn: string;
  accountId: string;
  accessKeyId: string;
  sessionContext: {
    sessionIssuer: { type: "Role"; principalId: string; arn: string; accountId: string; userName: string };
    attributes: { creationDate: string; mfaAuthenticated: "false" };
    webIdFederationData: Record<string, never>;
  };
  invokedBy?: string;
}

export interface IAMUserIdentity {
  type: "IAMUser";
  principalId: string;
  arn: string;
  accountId: string;
  accessKeyId: string;
  userName: string;
}

/** Caller of a request that carried no SigV4 Authorization header (it is refused). */
export interface AnonymousIdentity {
  type: "Unknown";
}

export type Identity = AssumedRoleIdentity | IAMUserIdentity | AnonymousIdentity;

export interface IdentitySpec {
  roleName: string;
  /** Default: 32 hex characters derived from the access key id, like the session names AWS services use. */
  sessionName?: string;
  /** Service principal acting for the role ("events.amazonaws.com", "states.amazonaws.com"): sets
   *  userIdentity.invokedBy, sourceIPAddress and userAgent the way CloudTrail does for service calls. */
  invokedBy?: string;
}

export interface EcsFailure {
  arn?: string;
  reason?: string;
  detail?: string;
}

export type RequestAnswer = "ok" | "failed" | "throttled" | "error" | "replayed";

export interface RecordedRequest {
  /** Operation name ("RunTask", "GetParameter"), or the raw X-Amz-Target when it is not one we know. */
  action: string;
  /** The JSON body as received ({} when it could not be parsed). */
  request: Record<string, unknown>;
  caller: Identity;
  /** "failed" = HTTP 200 with a non-empty failures list (including partial placement). */
  answer: RequestAnswer;
  at: number;
  errorCode?: string;
  tasks?: EcsTask[];
  failures?: EcsFailure[];
}

export interface CloudTrailApiCallEvent {
  version: "0";
  id: string;
  "detail-type": "AWS API Call via CloudTrail";
  source: "aws.ecs";
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: {
    eventVersion: string;
    userIdentity: Identity;
    eventTime: string;
    eventSource: "ecs.amazonaws.com";
    eventName: "RunTask" | "StartTask";
    awsRegion: string;
    sourceIPAddress: string;
    userAgent: string;
    errorCode?: string;
    errorMessage?: string;
    requestParameters: Record<string, unknown>;
    responseElements: { tasks: Array<Record<string, unknown>>; failures: EcsFailure[] } | null;
    requestID: string;
    eventID: string;
    readOnly: false;
    eventType: "AwsApiCall";
    managementEvent: true;
    recipientAccountId: string;
    eventCategory: "Management";
  };
}

export interface LocalAwsOptions {
  region?: string;
  account?: string;
  /** Answers for successive RunTask/StartTask calls; the last one repeats. Default ["ok"]. */
  ecsScript?: ReadonlyArray<string | EcsAnswer>;
  /** SSM parameters, all served as SecureString. */
  parameters?: Record<string, string>;
  /** accessKeyId -> role the key belongs to; unknown keys are treated as IAM users. */
  identities?: Record<string, IdentitySpec>;
  /** Token bucket in front of RunTask/StartTask, like ECS's per-account API rate limit. */
  throttle?: { burst: number; refillPerSecond: number };
  /** Milliseconds since the epoch. Default Date.now. */
  now?: () => number;
  onCloudTrailEvent?: (event: CloudTrailApiCallEvent) => void;
  /** Receives an "ECS Task State Change" event each time a placed task reaches a new lastStatus. */
  onTaskStateChange?: (event: EcsTaskStateChangeEvent) => void;
  /** Seconds from placement to RUNNING (or to STOPPED, for a task that never starts). Default 5. */
  startSeconds?: number;
  /** Seconds from RUNNING to STOPPED. Default 60. */
  runSeconds?: number;
  /**
   * Runs `fn` after `ms` milliseconds; moves placed tasks through their life. Default: the global
   * setTimeout as it is at call time (so a faked clock's), unref'd and cancelled by stop()/reset().
   * Tests can pass a queue they drain by hand. A callback that runs after reset() does nothing.
   */
  schedule?: (ms: number, fn: () => void) => void;
  /** Default 0 (ephemeral). */
  port?: number;
}

// ---------------------------------------------------------------------------------------------
// Server
// ---------------------------------------------------------------------------------------------

const ECS_TARGET_PREFIX = "AmazonEC2ContainerServiceV20141113";
const SSM_TARGET_PREFIX = "AmazonSSM";
const MAX_TASKS_PER_RUNTASK = 10;
const MAX_INSTANCES_PER_STARTTASK = 10;
const MAX_TAGS_PER_RESOURCE = 50;
const ECS_OPERATIONS = new Set<string | undefined>(["RunTask", "StartTask", "DescribeTasks", "TagResource", "ListTagsForResource"]);
// CloudTrail's current record version; consumers must accept any 1.x (the fixtures are 1.08).
const CLOUDTRAIL_EVENT_VERSION = "1.11";

/** Errors whose HTTP status is not 400. The SDK sets $fault from the status, and retries 5xx. */
const ERROR_STATUS: Record<string, number> = {
  ServerException: 500,
  InternalFailure: 500,
  InternalServerError: 500,
  ServiceUnavailableException: 503,
  ServiceUnavailable: 503,
};

class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }
  get status(): number {
    return ERROR_STATUS[this.code] ?? 400;
  }
}

interface Reply {
  status: number;
  body: Record<string, unknown>;
  answer: RequestAnswer;
  errorCode?: string;
  errorMessage?: string;
  tasks?: EcsTask[];
  failures?: EcsFailure[];
  /** Tasks this call placed: their first state change event is sent and their life scheduled after the answer. */
  placed?: SimulatedTask[];
}

interface StoredToken {
  fingerprint: string;
  tasks: EcsTask[];
  failures: EcsFailure[];
}

export class LocalAws {
  readonly region: string;
  readonly account: string;
  readonly requests: RecordedRequest[] = [];
  readonly events: CloudTrailApiCallEvent[] = [];
  /** "ECS Task State Change" events, in the order they were sent. */
  readonly taskStateChanges: EcsTaskStateChangeEvent[] = [];
  /** Errors thrown by the event listeners; kept rather than thrown so one bad listener cannot kill the server. */
  readonly callbackErrors: unknown[] = [];

  private script: EcsAnswer[];
  private cursor = 0;
  private readonly parameters: Record<string, string>;
  private readonly identities: Record<string, IdentitySpec>;
  private readonly throttleSpec?: { burst: number; refillPerSecond: number };
  private bucket: { tokens: number; at?: number };
  private readonly now: () => number;
  private onCloudTrailEvent?: (event: CloudTrailApiCallEvent) => void;
  private onTaskStateChange?: (event: EcsTaskStateChangeEvent) => void;
  private readonly startSeconds: number;
  private readonly runSeconds: number;
  private readonly schedule: (ms: number, fn: () => void) => void;
  /** Cancels for the default scheduler's pending timers. */
  private readonly timers = new Set<() => void>();
  private readonly port: number;
  private readonly tokens = new Map<string, StoredToken>();
  private readonly taskStore = new Map<string, SimulatedTask>();
  private readonly firstSeen = new Map<string, number>();
  private server?: Server;

  constructor(options: LocalAwsOptions = {}) {
    this.region = options.region ?? "ap-northeast-1";
    this.account = options.account ?? "123456789012";
    this.script = LocalAws.toScript(options.ecsScript ?? ["ok"]);
    this.parameters = { ...(options.parameters ?? {}) };
    this.identities = { ...(options.identities ?? {}) };
    if (options.throttle) {
      const { burst, refillPerSecond } = options.throttle;
      if (!(burst >= 1) || !(refillPerSecond >= 0)) throw new Error(`throttle needs burst >= 1 and refillPerSecond >= 0, got ${JSON.stringify(options.throttle)}`);
      this.throttleSpec = { burst, refillPerSecond };
    }
    this.bucket = { tokens: this.throttleSpec?.burst ?? 0 };
    this.now = options.now ?? (() => Date.now());
    this.onCloudTrailEvent = options.onCloudTrailEvent;
    this.onTaskStateChange = options.onTaskStateChange;
    this.startSeconds = options.startSeconds ?? 5;
    this.runSeconds = options.runSeconds ?? 60;
    for (const [name, v] of [["startSeconds", this.startSeconds], ["runSeconds", this.runSeconds]] as const) {
      if (!(v >= 0) || !Number.isFinite(v)) throw new Error(`${name} must be a finite number >= 0, got ${v}`);
    }
    this.schedule = options.schedule ?? ((ms, fn) => this.scheduleTimer(ms, fn));
    this.port = options.port ?? 0;
  }

  private static toScript(script: ReadonlyArray<string | EcsAnswer>): EcsAnswer[] {
    if (script.length === 0) throw new Error("ecsScript needs at least one entry (the last entry repeats forever)");
    return script.map((e) => {
      if (typeof e === "string") return parseEcsAnswer(e);
      for (const key of ["startSeconds", "runSeconds"] as const) {
        const v = (e as { startSeconds?: number; runSeconds?: number })[key];
        if (v !== undefined && (!(v >= 0) || !Number.isFinite(v))) throw new Error(`Invalid ECS script entry ${JSON.stringify(e)}: ${key} must be a finite number >= 0`);
      }
      return { ...e };
    });
  }

  async start(): Promise<{ endpoint: string }> {
    if (this.server) throw new Error("LocalAws already started");
    const server = createServer((req, res) => {
      this.handle(req, res).catch((err: unknown) => {
        if (!res.headersSent) {
          send(res, 500, { __type: "InternalFailure", message: String(err) }, randomUUID());
        } else {
          res.destroy();
        }
      });
    });
    this.server = server;
    await listenOnLoopback(server, this.port);
    return { endpoint: this.endpoint };
  }

  get endpoint(): string {
    return `${loopbackOrigin(this.server, "LocalAws")}`;
  }

  /** Closes the server and cancels the default scheduler's pending timers (tasks stay where they are; a read still catches them up to now()). */
  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    // The SDK keeps connections alive; without this close() would wait for them to idle out.
    server.closeAllConnections();
    await closed;
    this.cancelTimers();
  }

  /** Forgets requests, events, tasks (and their pending transitions) and client tokens, rewinds the script and refills the bucket. */
  reset(): void {
    this.requests.length = 0;
    this.events.length = 0;
    this.taskStateChanges.length = 0;
    this.callbackErrors.length = 0;
    this.tokens.clear();
    this.taskStore.clear();
    this.cancelTimers();
    this.firstSeen.clear();
    this.cursor = 0;
    this.bucket = { tokens: this.throttleSpec?.burst ?? 0 };
  }

  /** Replaces the CloudTrail listener (a drill run routes events back through its rule); returns the old one. */
  setCloudTrailListener(listener: ((event: CloudTrailApiCallEvent) => void) | undefined): ((event: CloudTrailApiCallEvent) => void) | undefined {
    const previous = this.onCloudTrailEvent;
    this.onCloudTrailEvent = listener;
    return previous;
  }

  /** Replaces the task state change listener; returns the old one. */
  setTaskStateChangeListener(listener: ((event: EcsTaskStateChangeEvent) => void) | undefined): ((event: EcsTaskStateChangeEvent) => void) | undefined {
    const previous = this.onTaskStateChange;
    this.onTaskStateChange = listener;
    return previous;
  }

  /** Replaces the launch script and rewinds it (records and tokens are kept). */
  setEcsScript(script: ReadonlyArray<string | EcsAnswer>): void {
    this.script = LocalAws.toScript(script);
    this.cursor = 0;
  }

  launchRequests(): RecordedRequest[] {
    return this.requests.filter((r) => r.action === "RunTask" || r.action === "StartTask");
  }

  /** Tasks actually placed, in launch order, as they were placed (the launch answer); a clientToken replay adds none. */
  launchedTasks(): EcsTask[] {
    return [...this.taskStore.values()].map((t) => structuredClone(t.launched));
  }

  /** Tasks actually placed, in launch order, as they are at now() (tags included). */
  tasks(): EcsTask[] {
    const at = this.now();
    return [...this.taskStore.values()].map((t) => {
      this.advance(t, at);
      return t.snapshot({ tags: true });
    });
  }

  requestsFor(action: string): RecordedRequest[] {
    return this.requests.filter((r) => r.action === action);
  }

  // -------------------------------------------------------------------------------------------

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req);
    const at = this.now();
    const requestId = randomUUID();
    const target = headerValue(req, "x-amz-target") ?? "";
    const [prefix, op] = target.split(".", 2);
    const action = op ?? target;
    const caller = this.identify(headerValue(req, "authorization"), at);

    let request: Record<string, unknown> = {};
    let reply: Reply;
    try {
      if (req.method !== "POST") throw new ApiError("UnknownOperationException", `${req.method} is not supported; AWS JSON 1.1 requests are POST /`);
      // AWS authenticates before it looks at the operation.
      if (caller.type === "Unknown") throw new ApiError("MissingAuthenticationTokenException", "Missing Authentication Token");
      const known =
        (prefix === ECS_TARGET_PREFIX && ECS_OPERATIONS.has(op)) ||
        (prefix === SSM_TARGET_PREFIX && op === "GetParameter");
      if (!known) throw new ApiError("UnknownOperationException", `Unknown operation ${JSON.stringify(target)}`);
      request = parseJsonObject(raw);
      if (op === "RunTask" || op === "StartTask") reply = this.launch(op, request, at);
      else if (op === "DescribeTasks") reply = this.describeTasks(request, at);
      else if (op === "TagResource") reply = this.tagResource(request, at);
      else if (op === "ListTagsForResource") reply = this.listTagsForResource(request, at);
      else reply = this.getParameter(request, at);
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      reply = errorReply(err);
    }

    this.requests.push({
      action,
      request: structuredClone(request),
      caller,
      answer: reply.answer,
      at,
      ...(reply.errorCode ? { errorCode: reply.errorCode } : {}),
      ...(reply.tasks ? { tasks: reply.tasks } : {}),
      ...(reply.failures ? { failures: reply.failures } : {}),
    });
    send(res, reply.status, reply.body, requestId);

    // A placed task reports PENDING (or PROVISIONING) at once, then lives on the scheduler's time.
    for (const task of reply.placed ?? []) {
      this.emitTaskState(task.stateChangeEvent(this.account, this.region));
      this.armNext(task, 0);
    }
    // Malformed bodies never become API calls, so CloudTrail has nothing to record for them.
    if (req.method === "POST" && prefix === ECS_TARGET_PREFIX && (op === "RunTask" || op === "StartTask") && reply.errorCode !== "SerializationException" && caller.type !== "Unknown") {
      this.emit(this.cloudTrailEvent(op, request, reply, caller, at, requestId, req));
    }
  }

  private launch(op: "RunTask" | "StartTask", request: Record<string, unknown>, at: number): Reply {
    // The rate limit sits in front of everything else: a throttled call is never validated,
    // never consumes a script entry and never stores its clientToken.
    if (!this.takeBucketToken(at)) throw new ApiError("ThrottlingException", "Rate exceeded");

    const clusterName = clusterNameOf(request.cluster);
    if (typeof request.taskDefinition !== "string" || request.taskDefinition === "") {
      throw new ApiError("InvalidParameterException", "taskDefinition is required");
    }

    // One slot per requested task: the container instance it would land on (none on Fargate).
    let slots: Array<string | undefined>;
    if (op === "RunTask") {
      const count = request.count ?? 1;
      if (typeof count !== "number" || !Number.isInteger(count) || count < 1 || count > MAX_TASKS_PER_RUNTASK) {
        throw new ApiError("InvalidParameterException", `count must be between 1 and ${MAX_TASKS_PER_RUNTASK}`);
      }
      const onFargate = request.launchType === "FARGATE" || capacityProviderOf(request)?.startsWith("FARGATE") === true;
      slots = Array.from({ length: count }, () => (onFargate ? undefined : this.containerInstanceArn(clusterName)));
    } else {
      const instances = request.containerInstances;
      if (!Array.isArray(instances) || instances.length === 0 || instances.length > MAX_INSTANCES_PER_STARTTASK || !instances.every((i) => typeof i === "string")) {
        throw new ApiError("InvalidParameterException", `containerInstances must list 1 to ${MAX_INSTANCES_PER_STARTTASK} container instances`);
      }
      slots = (instances as string[]).map((i) => (i.startsWith("arn:") ? i : `${this.arnPrefix()}:container-instance/${clusterName}/${i}`));
    }

    // StartTask has no clientToken in the ECS API, so only RunTask is idempotent.
    const clientToken = op === "RunTask" && typeof request.clientToken === "string" ? request.clientToken : undefined;
    const fingerprint = op + canonicalJson(request);
    if (clientToken !== undefined) {
      const prior = this.tokens.get(clientToken);
      if (prior && prior.fingerprint === fingerprint) {
        return { status: 200, body: { tasks: prior.tasks, failures: prior.failures }, answer: "replayed", tasks: prior.tasks, failures: prior.failures };
      }
      if (prior) {
        throw new ApiError(
          "ConflictException",
          "The RunTask request could not be processed due to conflicts. The provided clientToken is already in use with a different RunTask request.",
          { resourceIds: prior.tasks.map((t) => t.taskArn) },
        );
      }
    }

    const entry = this.script[Math.min(this.cursor, this.script.length - 1)];
    this.cursor++;
    let placedCount: number;
    let reason = "AGENT";
    let fate: TaskFate = { kind: "runs", exitCode: 0 };
    let startSeconds = this.startSeconds;
    let runSeconds = this.runSeconds;
    switch (entry.kind) {
      case "throttle":
        throw new ApiError("ThrottlingException", "Rate exceeded");
      case "error":
        throw new ApiError(entry.name, `Scripted ${entry.name}`);
      case "ok":
      case "exit":
      case "nostart":
        placedCount = slots.length;
        if (entry.kind === "exit") fate = { kind: "runs", exitCode: entry.exitCode };
        if (entry.kind === "nostart") fate = { kind: "nostart", reason: entry.reason };
        startSeconds = entry.startSeconds ?? startSeconds;
        if (entry.kind !== "nostart") runSeconds = entry.runSeconds ?? runSeconds;
        break;
      case "partial":
        placedCount = Math.min(entry.placed, slots.length);
        break;
      case "fail":
        placedCount = 0;
        reason = entry.reason;
        break;
    }

    const placed = slots.slice(0, placedCount).map((slot) => this.newTask(request, clusterName, slot, at, fate, { startSeconds, runSeconds }));
    const tasks = placed.map((t) => structuredClone(t.launched));
    const failures: EcsFailure[] = slots.slice(placedCount).map((slot) => ({ arn: slot ?? this.containerInstanceArn(clusterName), reason }));
    for (const t of placed) this.taskStore.set(t.taskArn, t);
    if (clientToken !== undefined) this.tokens.set(clientToken, { fingerprint, tasks, failures });
    return { status: 200, body: { tasks, failures }, answer: failures.length > 0 ? "failed" : "ok", tasks, failures, placed };
  }

  private describeTasks(request: Record<string, unknown>, at: number): Reply {
    const clusterName = clusterNameOf(request.cluster);
    const wanted = request.tasks;
    if (!Array.isArray(wanted) || !wanted.every((t) => typeof t === "string")) {
      throw new ApiError("InvalidParameterException", "tasks must be a list of task ARNs or IDs");
    }
    const include = request.include ?? [];
    if (!Array.isArray(include) || !include.every((i) => i === "TAGS")) {
      throw new ApiError("InvalidParameterException", 'include accepts only "TAGS"');
    }
    const withTags = include.includes("TAGS");
    const tasks: EcsTask[] = [];
    const failures: EcsFailure[] = [];
    for (const ref of wanted as string[]) {
      // An ID is only meaningful within the cluster named in the request; an ARN names its own.
      const arn = ref.startsWith("arn:") ? ref : `${this.arnPrefix()}:task/${clusterName}/${ref}`;
      const task = this.taskStore.get(arn);
      if (!task) {
        failures.push({ arn: ref, reason: "MISSING" });
        continue;
      }
      // The answer is the task as of this request, even if a transition's timer has not fired yet.
      this.advance(task, at);
      tasks.push(task.snapshot({ tags: withTags }));
    }
    return { status: 200, body: { tasks, failures }, answer: "ok", tasks, failures };
  }

  private tagResource(request: Record<string, unknown>, at: number): Reply {
    const task = this.taggedTask(request.resourceArn, at);
    const tags = request.tags;
    if (!Array.isArray(tags) || tags.length === 0 || !tags.every((t) => isObject(t) && typeof t.key === "string" && t.key !== "" && (t.value === undefined || typeof t.value === "string"))) {
      throw new ApiError("InvalidParameterException", "tags must be a non-empty list of {key, value} with non-empty keys");
    }
    const keys = new Set([...task.tags().map((t) => t.key), ...(tags as EcsTag[]).map((t) => t.key)]);
    if (keys.size > MAX_TAGS_PER_RESOURCE) throw new ApiError("InvalidParameterException", `a resource can have at most ${MAX_TAGS_PER_RESOURCE} tags`);
    task.tag((tags as EcsTag[]).map((t) => ({ key: t.key, ...(t.value !== undefined ? { value: t.value } : {}) })));
    return { status: 200, body: {}, answer: "ok" };
  }

  private listTagsForResource(request: Record<string, unknown>, at: number): Reply {
    const task = this.taggedTask(request.resourceArn, at);
    return { status: 200, body: { tags: task.tags() }, answer: "ok" };
  }

  /** The task a TagResource/ListTagsForResource names; only tasks placed here can be tagged. */
  private taggedTask(resourceArn: unknown, at: number): SimulatedTask {
    if (typeof resourceArn !== "string" || resourceArn === "") throw new ApiError("InvalidParameterException", "resourceArn is required");
    const task = this.taskStore.get(resourceArn);
    if (!task) throw new ApiError("InvalidParameterException", `The specified resource ${resourceArn} was not found.`);
    this.advance(task, at);
    return task;
  }

  private getParameter(request: Record<string, unknown>, at: number): Reply {
    const rawName = request.Name;
    if (typeof rawName !== "string" || rawName === "") throw new ApiError("ValidationException", "Parameter Name is required");
    // GetParameter accepts the full ARN as well as the name; the ARN of "/a/b" ends in "parameter/a/b".
    const fromArn = /^arn:aws[\w-]*:ssm:[^:]*:[^:]*:parameter\/(.*)$/.exec(rawName)?.[1];
    const candidates = fromArn === undefined ? [rawName] : [`/${fromArn}`, fromArn];
    const found = candidates.find((n) => Object.prototype.hasOwnProperty.call(this.parameters, n));
    if (found === undefined) throw new ApiError("ParameterNotFound", `Parameter ${rawName} not found.`);
    const plain = this.parameters[found];
    // A SecureString read without WithDecryption returns the KMS ciphertext, never the secret.
    const value = request.WithDecryption === true ? plain : fakeCiphertext(found, plain);
    return {
      status: 200,
      answer: "ok",
      body: {
        Parameter: {
          Name: found,
          Type: "SecureString",
          Value: value,
          Version: 1,
          LastModifiedDate: at / 1000,
          ARN: `arn:aws:ssm:${this.region}:${this.account}:parameter/${found.replace(/^\//, "")}`,
          DataType: "text",
        },
      },
    };
  }

  // -------------------------------------------------------------------------------------------

  private takeBucketToken(at: number): boolean {
    const spec = this.throttleSpec;
    if (!spec) return true;
    if (this.bucket.at === undefined || at < this.bucket.at) {
      // First call, or the clock was swapped for a fake one that starts earlier: start counting here.
      this.bucket.at = at;
    } else {
      this.bucket.tokens = Math.min(spec.burst, this.bucket.tokens + ((at - this.bucket.at) * spec.refillPerSecond) / 1000);
      this.bucket.at = at;
    }
    if (this.bucket.tokens < 1) return false;
    this.bucket.tokens -= 1;
    return true;
  }

  private arnPrefix(): string {
    return `arn:aws:ecs:${this.region}:${this.account}`;
  }

  private containerInstanceArn(clusterName: string): string {
    return `${this.arnPrefix()}:container-instance/${clusterName}/${md5Hex(`${this.account}/${clusterName}`)}`;
  }

  private newTask(
    request: Record<string, unknown>,
    clusterName: string,
    containerInstanceArn: string | undefined,
    at: number,
    fate: TaskFate,
    timings: { startSeconds: number; runSeconds: number },
  ): SimulatedTask {
    const id = randomBytes(16).toString("hex");
    const taskArn = `${this.arnPrefix()}:task/${clusterName}/${id}`;
    const taskDefinitionArn = this.taskDefinitionArn(request.taskDefinition as string);
    const family = taskDefinitionArn.replace(/^.*:task-definition\//, "").replace(/:\d+$/, "");
    const overrides = isObject(request.overrides) ? structuredClone(request.overrides) : {};
    const containerOverrides = Array.isArray(overrides.containerOverrides) ? overrides.containerOverrides : [];
    // The task definition is not known here: its containers are those the overrides name (the
    // first being the essential one), or a single "app".
    const named = containerOverrides.filter((c): c is { name: string } => isObject(c) && typeof c.name === "string").map((c) => c.name);
    const names = named.length > 0 ? [...new Set(named)] : ["app"];
    const capacityProviderName = capacityProviderOf(request);
    return new SimulatedTask(
      {
        taskArn,
        clusterArn: `${this.arnPrefix()}:cluster/${clusterName}`,
        taskDefinitionArn,
        containerInstanceArn,
        ...(typeof request.startedBy === "string" ? { startedBy: request.startedBy } : {}),
        group: typeof request.group === "string" ? request.group : `family:${family}`,
        // With neither a launch type nor a strategy (and no cluster default) ECS falls back to EC2.
        ...(typeof request.launchType === "string" ? { launchType: request.launchType } : capacityProviderName ? {} : { launchType: "EC2" }),
        ...(capacityProviderName ? { capacityProviderName } : {}),
        overrides,
        containers: names.map((name) => ({ name, containerArn: `${this.arnPrefix()}:container/${clusterName}/${id}/${randomUUID()}` })),
        enableExecuteCommand: request.enableExecuteCommand === true,
        tags: Array.isArray(request.tags) ? (structuredClone(request.tags) as EcsTag[]) : [],
        createdMs: at,
      },
      fate,
      timings,
    );
  }

  // -------------------------------------------------------------------------------------------
  // Task life

  /**
   * Schedules the task's step `index` (with any later steps planned for the same moment, such as
   * PROVISIONING -> PENDING -> RUNNING), timed from the previous step's planned time; each timer
   * arms the next.
   */
  private armNext(task: SimulatedTask, index: number): void {
    const times = task.stepTimes;
    if (index >= times.length) return;
    let last = index;
    while (last + 1 < times.length && times[last + 1] === times[index]) last++;
    const delay = times[index] - (index === 0 ? task.createdMs : times[index - 1]);
    this.schedule(delay, () => {
      // A task forgotten by reset() (or never stored) lives no further.
      if (this.taskStore.get(task.taskArn) !== task) return;
      this.emitTransitions(task.applyThrough(last));
      this.armNext(task, last + 1);
    });
  }

  /** Applies the steps due by `at` that no timer has applied yet. */
  private advance(task: SimulatedTask, at: number): void {
    this.emitTransitions(task.advanceTo(at));
  }

  /** One event per transition, each with the task as it then was (a catch-up may apply several at once). */
  private emitTransitions(transitions: TaskTransition[]): void {
    for (const t of transitions) this.emitTaskState(taskStateChangeEvent(t.task, t.atMs, this.account, this.region));
  }

  private scheduleTimer(ms: number, fn: () => void): void {
    // Read at call time: under the drill this is the simulated clock's setTimeout.
    const set = globalThis.setTimeout;
    const clear = globalThis.clearTimeout;
    const cancel = () => {
      try {
        clear(handle);
      } catch {
        // A fake clock that has been uninstalled: its timers are gone already.
      }
    };
    const handle = set(() => {
      this.timers.delete(cancel);
      fn();
    }, ms);
    (handle as { unref?: () => void }).unref?.();
    this.timers.add(cancel);
  }

  private cancelTimers(): void {
    for (const cancel of this.timers) cancel();
    this.timers.clear();
  }

  private taskDefinitionArn(ref: string): string {
    if (ref.startsWith("arn:")) return ref;
    // A bare family means "latest ACTIVE revision"; we have no registry, so call it revision 1.
    return `${this.arnPrefix()}:task-definition/${ref.includes(":") ? ref : `${ref}:1`}`;
  }

  private identify(authorization: string | undefined, at: number): Identity {
    const akid = authorization ? /Credential=([^/,\s]+)\//.exec(authorization)?.[1] : undefined;
    if (!akid) return { type: "Unknown" };
    if (!this.firstSeen.has(akid)) this.firstSeen.set(akid, at);
    const spec = this.identities[akid];
    if (!spec) {
      return {
        type: "IAMUser",
        principalId: `AIDA${upperHex(akid, 17)}`,
        // Unknown keys have no user name to show; the key id keeps different callers apart.
        arn: `arn:aws:iam::${this.account}:user/${akid}`,
        accountId: this.account,
        accessKeyId: akid,
        userName: akid,
      };
    }
    const roleId = `AROA${upperHex(spec.roleName, 17)}`;
    const session = spec.sessionName ?? md5Hex(akid);
    return {
      type: "AssumedRole",
      principalId: `${roleId}:${session}`,
      arn: `arn:aws:sts::${this.account}:assumed-role/${spec.roleName}/${session}`,
      accountId: this.account,
      accessKeyId: akid,
      sessionContext: {
        sessionIssuer: { type: "Role", principalId: roleId, arn: `arn:aws:iam::${this.account}:role/${spec.roleName}`, accountId: this.account, userName: spec.roleName },
        attributes: { creationDate: isoSeconds(this.firstSeen.get(akid) ?? at), mfaAuthenticated: "false" },
        webIdFederationData: {},
      },
      ...(spec.invokedBy ? { invokedBy: spec.invokedBy } : {}),
    };
  }

  private cloudTrailEvent(
    op: "RunTask" | "StartTask",
    request: Record<string, unknown>,
    reply: Reply,
    caller: Identity,
    at: number,
    requestId: string,
    req: IncomingMessage,
  ): CloudTrailApiCallEvent {
    const time = isoSeconds(at);
    const invokedBy = caller.type === "AssumedRole" ? caller.invokedBy : undefined;
    const ok = reply.errorCode === undefined;
    return {
      version: "0",
      id: randomUUID(),
      "detail-type": "AWS API Call via CloudTrail",
      source: "aws.ecs",
      account: this.account,
      time,
      region: this.region,
      resources: [],
      detail: {
        eventVersion: CLOUDTRAIL_EVENT_VERSION,
        userIdentity: structuredClone(caller),
        eventTime: time,
        eventSource: "ecs.amazonaws.com",
        eventName: op,
        awsRegion: this.region,
        sourceIPAddress: invokedBy ?? req.socket.remoteAddress ?? "127.0.0.1",
        userAgent: invokedBy ?? headerValue(req, "user-agent") ?? "",
        ...(ok ? {} : { errorCode: reply.errorCode, errorMessage: reply.errorMessage }),
        requestParameters: structuredClone(request),
        // Failed calls (throttled, errors) carry no response in CloudTrail.
        responseElements: ok ? { tasks: (reply.tasks ?? []).map(cloudTrailTask), failures: structuredClone(reply.failures ?? []) } : null,
        requestID: requestId,
        eventID: randomUUID(),
        readOnly: false,
        eventType: "AwsApiCall",
        managementEvent: true,
        recipientAccountId: this.account,
        eventCategory: "Management",
      },
    };
  }

  private emit(event: CloudTrailApiCallEvent): void {
    this.events.push(event);
    if (!this.onCloudTrailEvent) return;
    try {
      this.onCloudTrailEvent(structuredClone(event));
    } catch (err) {
      this.callbackErrors.push(err);
    }
  }

  private emitTaskState(event: EcsTaskStateChangeEvent): void {
    this.taskStateChanges.push(event);
    if (!this.onTaskStateChange) return;
    try {
      this.onTaskStateChange(structuredClone(event));
    } catch (err) {
      this.callbackErrors.push(err);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

function errorReply(err: ApiError): Reply {
  return {
    status: err.status,
    // Bare error names, as ECS and SSM send them; the SDK maps "__type" to its exception classes.
    body: { __type: err.code, message: err.message, ...err.extra },
    answer: err.code === "ThrottlingException" ? "throttled" : "error",
    errorCode: err.code,
    errorMessage: err.message,
  };
}

function send(res: ServerResponse, status: number, body: Record<string, unknown>, requestId: string): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "Content-Type": "application/x-amz-json-1.1",
    "Content-Length": Buffer.byteLength(text),
    "x-amzn-RequestId": requestId,
  });
  res.end(text);
}


function parseJsonObject(raw: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = raw.trim() === "" ? {} : JSON.parse(raw);
  } catch (err) {
    throw new ApiError("SerializationException", `Malformed JSON body: ${(err as Error).message}`);
  }
  if (!isObject(value)) throw new ApiError("SerializationException", "Request body must be a JSON object");
  return value;
}

function headerValue(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function clusterNameOf(cluster: unknown): string {
  if (typeof cluster !== "string" || cluster === "") return "default";
  const i = cluster.indexOf(":cluster/");
  return i >= 0 ? cluster.slice(i + ":cluster/".length) : cluster;
}

function capacityProviderOf(request: Record<string, unknown>): string | undefined {
  const strategy = request.capacityProviderStrategy;
  if (!Array.isArray(strategy) || strategy.length === 0 || !isObject(strategy[0])) return undefined;
  const cp = strategy[0].capacityProvider;
  return typeof cp === "string" ? cp : undefined;
}

function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(",")}]`;
  if (isObject(v)) {
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(v[k])}`)
      .join(",")}}`;
  }
  return JSON.stringify(v) ?? "null";
}

function md5Hex(s: string): string {
  return createHash("md5").update(s).digest("hex");
}

function upperHex(s: string, length: number): string {
  return createHash("sha256").update(s).digest("hex").slice(0, length).toUpperCase();
}

function fakeCiphertext(name: string, value: string): string {
  // Real SecureString ciphertext is a KMS blob whose base64 starts with "AQICAH".
  const header = Buffer.from([0x01, 0x02, 0x02, 0x00, 0x78]);
  return Buffer.concat([header, createHash("sha256").update(`${name}\0${value}`).digest()]).toString("base64");
}

function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** CloudTrail renders task timestamps as Java's "Mar 5, 2025, 3:00:06 AM" (UTC), not epoch seconds. */
function cloudTrailTimestamp(epochSeconds: number): string {
  const d = new Date(epochSeconds * 1000);
  const h = d.getUTCHours();
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${MONTHS[d.getUTCMonth()]} ${d.getUTCDate()}, ${d.getUTCFullYear()}, ${h % 12 === 0 ? 12 : h % 12}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} ${h < 12 ? "AM" : "PM"}`;
}

function cloudTrailTask(task: EcsTask): Record<string, unknown> {
  const out: Record<string, unknown> = structuredClone(task) as unknown as Record<string, unknown>;
  for (const field of ["createdAt", "startedAt", "stoppingAt", "executionStoppedAt", "stoppedAt"] as const) {
    const v = task[field];
    if (typeof v === "number") out[field] = cloudTrailTimestamp(v);
  }
  return out;
}
