// Public entry of the local AWS endpoint: LocalAws, the router that owns the HTTP listener and hands
// each request to the service its X-Amz-Target names (./local-aws/), and the names drill code imports.
/**
 * A local endpoint speaking the AWS JSON protocol for the few ECS, SSM, Step Functions and DynamoDB
 * operations the pipeline uses (RunTask, StartTask, DescribeTasks, ListTasks, TagResource,
 * ListTagsForResource, GetParameter, StartExecution, DescribeExecution, UpdateItem, GetItem, PutItem,
 * CloudTrail's LookupEvents, STS's AssumeRole), so the real Lambda code and the real @aws-sdk clients can be driven
 * through launch failures on cue, and any operation can be made to fail (see setFaults). It also plays CloudTrail + EventBridge: every RunTask/StartTask call
 * produces the "AWS API Call via CloudTrail" envelope the production rule would receive, and every
 * placed task reports each new lastStatus as an "ECS Task State Change" event.
 *
 * No request ever waits on a timer: a request's time comes from the injected `now()`. Placed
 * tasks move through their life (see ./task-lifecycle) on the `schedule` option, by default
 * setTimeout, which the drill fakes; and any read (DescribeTasks, tasks()) first applies the
 * steps due by now(), so answers reflect the task's state at the request's time even before its
 * timer has fired.
 */
import { randomUUID } from "node:crypto";
import { createServer, IncomingMessage, Server, ServerResponse } from "node:http";
import { listenOnLoopback, loopbackOrigin, readBody } from "../transport/loopback";
import { ECS_TARGET_PREFIX } from "./ecs/ecs";
import { CLOUDTRAIL_TARGET_PREFIX, type HistorySettings } from "./cloudtrail-history";
import type { EcsAnswer } from "./ecs/ecs-script";
import { DYNAMODB_TARGET_PREFIX, LocalDynamoDb } from "./dynamodb";
import { CallerIdentities, signedRegion } from "./identity";
import { EcsPlaces, type EcsPlace } from "./ecs/places";
import { LocalSts } from "./sts";
import { ApiError, errorReply, headerValue, parseJsonObject, send, sendText, type LocalService, type Reply, type WireReply, type WireRequest } from "./protocol";
import type { CloudTrailApiCallEvent, Identity, IdentitySpec, LocalAwsOptions, RecordedRequest } from "./shapes";
import { LocalSfn, SFN_TARGET_PREFIX, type ExecutionStarter } from "./sfn";
import { EVENTS_TARGET_PREFIX, LocalEventRules, LocalScheduler, SCHEDULER_PREFIX, schedulerRequest, type ScheduleStore } from "./schedules";
import { LocalSsm, SSM_TARGET_PREFIX } from "./ssm";
import { LocalSqs, SQS_TARGET_PREFIX } from "./sqs";
import type { EcsTask, EcsTaskStateChangeEvent } from "../simulation/task-lifecycle";

export type { EcsContainer, EcsStopCode, EcsTag, EcsTask, EcsTaskStateChangeDetail, EcsTaskStateChangeEvent, EcsTaskStatus } from "../simulation/task-lifecycle";
export { parseEcsAnswer, parseEcsScript, type EcsAnswer } from "./ecs/ecs-script";
export { parseSlackScript } from "../slack/local-slack";
export type {
  AnonymousIdentity,
  AssumedRoleIdentity,
  CloudTrailApiCallEvent,
  EcsFailure,
  IAMUserIdentity,
  Identity,
  IdentitySpec,
  LocalAwsOptions,
  RecordedRequest,
  RequestAnswer,
} from "./shapes";

// ---------------------------------------------------------------------------------------------
// Server
// ---------------------------------------------------------------------------------------------

/**
 * A fault an operation's next call meets, before anything takes effect: `5xx` (ServerException),
 * `throttle` (ThrottlingException), `drop` (the connection closes with no answer), `ok` (none).
 */
export type OperationFault = "ok" | "5xx" | "throttle" | "drop";

export class LocalAws {
  readonly region: string;
  readonly account: string;
  readonly requests: RecordedRequest[] = [];
  readonly events: CloudTrailApiCallEvent[];
  /** "ECS Task State Change" events, in the order they were sent. */
  readonly taskStateChanges: EcsTaskStateChangeEvent[];
  /** Errors thrown by the event listeners; kept rather than thrown so one bad listener cannot kill the server. */
  readonly callbackErrors: unknown[] = [];
  /** Requests by action, answer and calling role ("RunTask ok ecs-rerun-rerun"), whether or not `requests` keeps them. */
  readonly requestCounts = new Map<string, number>();

  private readonly now: () => number;
  private readonly port: number;
  private readonly keepRequests: boolean;
  private readonly identities: CallerIdentities;
  /** ECS per account and region (account: the signing key's; region: the signature's scope). */
  private readonly places: EcsPlaces;
  private readonly ssm: LocalSsm;
  /** The local STS endpoint (AssumeRole of the roles the drill deployed). */
  readonly sts: LocalSts;
  /** The local Step Functions endpoint (StartExecution). */
  readonly sfn: LocalSfn;
  /** The rules and schedules the local EventBridge and Scheduler serve. */
  private scheduleStore: ScheduleStore = { rules: {}, schedules: [] };
  /** The local DynamoDB endpoint (UpdateItem: the launch pacer's clock). */
  readonly dynamodb: LocalDynamoDb;
  /** The local SQS endpoint (the notifier's digest queue). */
  readonly sqs: LocalSqs;
  /** Operation name -> faults its next calls meet, in order (then none). */
  private faults = new Map<string, OperationFault[]>();
  /** A throttling storm: ECS calls before `untilMs` are throttled, but every `passEvery`-th (0: none) goes through. */
  private storm = { untilMs: 0, passEvery: 0, calls: 0 };
  /** X-Amz-Target prefix (the part before the ".") -> the service that answers its operations. */
  private readonly services: ReadonlyMap<string, LocalService>;
  private server?: Server;

  constructor(options: LocalAwsOptions = {}) {
    this.region = options.region ?? "ap-northeast-1";
    this.account = options.account ?? "123456789012";
    this.places = new EcsPlaces(this.account, this.region, this.callbackErrors, options);
    this.ssm = new LocalSsm(this.region, this.account, options.parameters);
    this.sfn = new LocalSfn(this.region, this.account);
    this.dynamodb = new LocalDynamoDb(options.tables);
    this.sqs = new LocalSqs(options.queues);
    this.identities = new CallerIdentities(this.account, options.identities);
    this.sts = new LocalSts(this.identities);
    this.services = new Map<string, LocalService>([
      [ECS_TARGET_PREFIX, this.places.home.ecs],
      [SSM_TARGET_PREFIX, this.ssm],
      [SFN_TARGET_PREFIX, this.sfn],
      [EVENTS_TARGET_PREFIX, new LocalEventRules(() => this.scheduleStore)],
      [SCHEDULER_PREFIX, new LocalScheduler(() => this.scheduleStore)],
      [DYNAMODB_TARGET_PREFIX, this.dynamodb],
      [SQS_TARGET_PREFIX, this.sqs],
    ]);
    this.events = this.places.home.cloudTrail.events;
    this.taskStateChanges = this.places.home.taskStore.taskStateChanges;
    this.now = options.now ?? (() => Date.now());
    this.port = options.port ?? 0;
    this.keepRequests = options.keep !== "counts";
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
    this.places.cancelTimers();
  }

  /** Forgets requests, events, tasks (and their pending transitions), client tokens and items, rewinds the script and refills the bucket. */
  reset(): void {
    this.requests.length = 0;
    this.requestCounts.clear();
    this.callbackErrors.length = 0;
    this.places.reset();
    this.places.historySettings = {};
    this.sts.reset();
    this.sfn.reset();
    this.dynamodb.reset();
    this.sqs.reset();
    this.identities.reset();
    this.faults.clear();
    this.storm = { untilMs: 0, passEvery: 0, calls: 0 };
  }

  /** Faults the next calls of each operation meet ("DescribeTasks" -> ["5xx", "ok", "throttle"]); replaces earlier ones. */
  setFaults(faults: Readonly<Record<string, readonly OperationFault[]>>): void {
    this.faults = new Map(Object.entries(faults).map(([op, list]) => [op, [...list]]));
  }

  /**
   * Throttles ECS calls made before `untilMs` (ms since the epoch), letting every `passEvery`-th
   * through (0: none), as a shared rate limit does to one caller among many; `untilMs` 0 ends it.
   */
  setEcsStorm(untilMs: number, passEvery = 0): void {
    this.storm = { untilMs, passEvery, calls: 0 };
  }

  /**
   * How CloudTrail event history answers LookupEvents in every account and region: AWS's documented
   * rate (`lookupsPerSecond: 2`, ThrottlingException beyond it; unset: no limit) and the delay after
   * which a record becomes visible. Replaces the previous settings.
   */
  setEventHistory(settings: HistorySettings): void {
    this.places.historySettings = { ...settings };
  }

  /** Puts a CloudTrail record (an event's `detail`) in the event history of its account and region, as if it had been recorded there. */
  addToEventHistory(record: Record<string, unknown>): void {
    const account = typeof record.recipientAccountId === "string" ? record.recipientAccountId : this.account;
    const region = typeof record.awsRegion === "string" ? record.awsRegion : this.region;
    this.places.at(account, region).history.add(record);
  }

  /**
   * Records a task its ECS ran before the drill began, from an "ECS Task State Change" event's
   * `detail` (its account and region are its ARN's), so ListTasks and DescribeTasks show it as ECS
   * still would (stopped tasks stay listed for a while): the task a delivered task event is about.
   * It is no task placed here: tasks(), tasksByPlace() and launchedTasks() leave it out.
   */
  addRecordedTask(detail: Record<string, unknown>): void {
    const arn = String(detail.taskArn ?? "");
    const m = /^arn:aws[a-z-]*:ecs:([a-z0-9-]+):(\d{12}):task\//.exec(arn);
    if (m === null) throw new Error(`a recorded task needs a task ARN, got ${JSON.stringify(detail.taskArn)}`);
    this.places.at(m[2], m[1]).taskStore.record(taskOfEventDetail(detail));
  }

  /** A caller the drill did not deploy (a person running the audit, say), by the access key it signs with. */
  addIdentity(accessKeyId: string, spec: IdentitySpec): void {
    this.identities.register(accessKeyId, spec);
  }

  /** The DescribeTaskDefinition answers the local ECS serves. */
  setTaskDefinitions(answers: readonly Record<string, unknown>[]): void {
    this.places.setTaskDefinitions(answers);
  }

  /** The rules (name -> targets) and schedules the local EventBridge and Scheduler serve. */
  setSchedules(store: ScheduleStore): void {
    this.scheduleStore = store;
  }

  /** Who runs the executions StartExecution starts; returns the previous one. */
  setExecutionStarter(starter: ExecutionStarter | undefined): ExecutionStarter | undefined {
    return this.sfn.setStarter(starter);
  }

  /** Replaces the CloudTrail listener (a drill run routes events back through its rule); returns the old one. */
  setCloudTrailListener(listener: ((event: CloudTrailApiCallEvent) => void) | undefined): ((event: CloudTrailApiCallEvent) => void) | undefined {
    return this.places.setCloudTrailListener(listener);
  }

  /** Replaces the task state change listener; returns the old one. */
  setTaskStateChangeListener(listener: ((event: EcsTaskStateChangeEvent) => void) | undefined): ((event: EcsTaskStateChangeEvent) => void) | undefined {
    return this.places.setTaskStateChangeListener(listener);
  }

  /** Replaces the launch script and rewinds it (records and tokens are kept). */
  setEcsScript(script: ReadonlyArray<string | EcsAnswer>): void {
    this.places.setEcsScript(script);
  }

  launchRequests(): RecordedRequest[] {
    return this.requests.filter((r) => r.action === "RunTask" || r.action === "StartTask");
  }

  /** Tasks actually placed in the home place, in launch order, as they were placed (the launch answer); a clientToken replay adds none. */
  launchedTasks(): EcsTask[] {
    return this.places.home.taskStore.launchedTasks();
  }

  /** Tasks actually placed in the home place, in launch order, as they are at now() (tags included). */
  tasks(): EcsTask[] {
    return this.places.home.taskStore.tasks(this.now());
  }

  /** Tasks placed in one account and region ("222233334444/eu-west-1"), as they are at now(). */
  tasksIn(account: string, region: string): EcsTask[] {
    return this.places.at(account, region).taskStore.tasks(this.now());
  }

  /** Tasks placed so far, as they are at now(), by place ("account/region"): every place that was called. */
  tasksByPlace(): Record<string, EcsTask[]> {
    return Object.fromEntries(this.places.all().map((p) => [`${p.account}/${p.region}`, p.taskStore.tasks(this.now())]));
  }

  requestsFor(action: string): RecordedRequest[] {
    return this.requests.filter((r) => r.action === action);
  }

  /** How many requests of `action` were answered `answer` (any answer if omitted), made by `role` (any caller if omitted). */
  countOf(action: string, answer?: string, role?: string): number {
    let n = 0;
    for (const [key, count] of this.requestCounts) {
      const [a, ans, r] = key.split(" ");
      if (a === action && (answer === undefined || ans === answer) && (role === undefined || r === role)) n += count;
    }
    return n;
  }

  private record(r: RecordedRequest): void {
    const role = r.caller.type === "AssumedRole" ? r.caller.sessionContext.sessionIssuer.userName : r.caller.type;
    const key = `${r.action} ${r.answer} ${role}`;
    this.requestCounts.set(key, (this.requestCounts.get(key) ?? 0) + 1);
    if (this.keepRequests) this.requests.push(r);
  }

  // -------------------------------------------------------------------------------------------

  /**
   * Answers one request, whichever way it came (a loopback socket, or the in-process transport of
   * drill/transport/in-process.ts): authenticates it, applies the faults due, hands it to the service
   * its X-Amz-Target names, records it, and sends what follows from it (task life, CloudTrail).
   */
  exchange(wire: WireRequest): WireReply {
    const raw = wire.body;
    const at = this.now();
    const requestId = randomUUID();
    // Scheduler is the one REST service here: its GETs are routed by path, the rest by X-Amz-Target.
    const rest = schedulerRequest(wire.method, wire.url);
    const target = rest ? `${SCHEDULER_PREFIX}.${rest.op}` : (wire.headers["x-amz-target"] ?? "");
    const [prefix, op] = target.split(".", 2);
    const action = op ?? target;
    const caller = this.identities.identify(wire.headers.authorization, at);
    // Where the call is made: the caller's account, the region its signature is scoped to.
    const account = caller.type === "Unknown" ? this.account : caller.accountId;
    const region = signedRegion(wire.headers.authorization) ?? this.region;
    if (isQueryRequest(wire)) return this.stsExchange(wire, caller, { account, region }, at, requestId);
    // ECS and CloudTrail are per account and region: the caller's, as the signature says.
    const perPlace = prefix === ECS_TARGET_PREFIX || prefix === CLOUDTRAIL_TARGET_PREFIX;
    const place: EcsPlace = perPlace ? this.places.at(account, region) : this.places.home;

    let request: Record<string, unknown> = {};
    let reply: Reply;
    try {
      if (wire.method !== "POST" && !rest) throw new ApiError("UnknownOperationException", `${wire.method} is not supported; AWS JSON 1.1 requests are POST /`);
      // AWS authenticates before it looks at the operation.
      if (caller.type === "Unknown") throw new ApiError("MissingAuthenticationTokenException", "Missing Authentication Token");
      const service = prefix === ECS_TARGET_PREFIX ? place.ecs : prefix === CLOUDTRAIL_TARGET_PREFIX ? place.history : this.services.get(prefix);
      if (!service || !service.operations.has(op)) throw new ApiError("UnknownOperationException", `Unknown operation ${JSON.stringify(target)}`);
      request = rest ? rest.request : parseJsonObject(raw);
      if (prefix === ECS_TARGET_PREFIX && at < this.storm.untilMs) {
        const n = ++this.storm.calls;
        if (this.storm.passEvery < 2 || n % this.storm.passEvery !== 0) throw new ApiError("ThrottlingException", "Rate exceeded");
      }
      // A fault may name one table ("UpdateItem:<table>"): the launch pacer's clock, not the notifier's.
      const tableFault = typeof request.TableName === "string" ? this.faults.get(`${op}:${request.TableName}`)?.shift() : undefined;
      const fault = tableFault ?? this.faults.get(op)?.shift();
      if (fault === "5xx") throw new ApiError("ServerException", `Scripted fault on ${op}`);
      if (fault === "throttle") throw new ApiError("ThrottlingException", "Rate exceeded");
      reply = fault === "drop" ? { status: 0, body: {}, answer: "error", errorCode: "NoAnswer", afterEffect: "drop" } : service.answer(op, request, at);
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      reply = errorReply(err);
    }

    this.record({
      action,
      request: this.keepRequests ? structuredClone(request) : {},
      caller,
      account,
      region,
      answer: reply.answer,
      at,
      ...(reply.errorCode ? { errorCode: reply.errorCode } : {}),
      ...(reply.tasks ? { tasks: reply.tasks } : {}),
      ...(reply.failures ? { failures: reply.failures } : {}),
    });
    // A call that took effect may still fail on its way back: a 5xx, or no answer at all.
    let answer: WireReply;
    if (reply.afterEffect === "drop") answer = { status: 0, requestId };
    else if (reply.afterEffect === "5xx") answer = { status: 500, body: JSON.stringify({ __type: "ServerException", message: "Scripted fault after the call took effect" }), requestId };
    else answer = { status: reply.status, body: JSON.stringify(reply.body), requestId };

    // A placed task reports PENDING (or PROVISIONING) at once, then lives on the scheduler's time.
    for (const task of reply.placed ?? []) place.taskStore.startLife(task);
    // Malformed bodies never become API calls, so CloudTrail has nothing to record for them.
    if (wire.method === "POST" && prefix === ECS_TARGET_PREFIX && (op === "RunTask" || op === "StartTask") && reply.errorCode !== "SerializationException" && caller.type !== "Unknown") {
      place.cloudTrail.emit(place.cloudTrail.cloudTrailEvent(op, request, reply, caller, at, requestId, { remoteAddress: wire.remoteAddress, userAgent: wire.headers["user-agent"] }));
    }
    return answer;
  }

  /** STS (AWS Query protocol, XML answers): AssumeRole, recorded like every other call. */
  private stsExchange(wire: WireRequest, caller: Identity, where: { account: string; region: string }, at: number, requestId: string): WireReply {
    const form = new URLSearchParams(wire.body);
    const reply = this.sts.answer(form, caller, at, requestId);
    const request = Object.fromEntries(form.entries());
    this.record({ action: form.get("Action") ?? "(none)", request, caller, ...where, answer: reply.status === 200 ? "ok" : reply.errorCode === "Throttling" ? "throttled" : "error", at, ...(reply.errorCode ? { errorCode: reply.errorCode } : {}) });
    return { status: reply.status, body: reply.xml, requestId, contentType: "text/xml" };
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req);
    const headers: Record<string, string | undefined> = {};
    for (const name of ["x-amz-target", "authorization", "user-agent", "content-type"]) headers[name] = headerValue(req, name);
    const reply = this.exchange({ method: req.method ?? "", url: req.url, headers, body: raw, remoteAddress: req.socket.remoteAddress });
    if (reply.body === undefined) res.destroy();
    else sendText(res, reply.status, reply.body, reply.requestId, reply.contentType);
  }
}

/** Timestamps an ECS Task State Change carries as ISO strings, and the ECS API as epoch seconds. */
const TASK_TIMESTAMPS = ["createdAt", "startedAt", "stoppingAt", "executionStoppedAt", "stoppedAt", "pullStartedAt", "pullStoppedAt", "connectivityAt"];

/** A task state change's `detail` as the ECS API shows the task: epoch-second timestamps, no `updatedAt` (events only). */
function taskOfEventDetail(detail: Record<string, unknown>): EcsTask {
  const task: Record<string, unknown> = structuredClone(detail);
  delete task.updatedAt;
  for (const key of TASK_TIMESTAMPS) if (typeof task[key] === "string") task[key] = Date.parse(task[key] as string) / 1000;
  return task as unknown as EcsTask;
}

/** An AWS Query protocol request (STS): a form-encoded POST with an Action, and no X-Amz-Target. */
function isQueryRequest(wire: WireRequest): boolean {
  return wire.method === "POST" && wire.headers["x-amz-target"] === undefined && (wire.headers["content-type"] ?? "").startsWith("application/x-www-form-urlencoded");
}
