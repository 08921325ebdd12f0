/**
 * The rerun Lambda's ECS calls: throttling retried inside a time budget, ownership read from the
 * owner tags, and the look-up that makes a repeated StartTask safe. Everything that can go wrong
 * comes back as a value or a `Deferred` (ECS gave no usable answer: try later), never a retry that
 * outlives the invocation.
 */
import {
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ListTasksCommand,
  RunTaskCommand,
  StartTaskCommand,
  type DescribeTaskDefinitionCommandOutput,
  type DescribeTasksCommandOutput,
  type ListTasksCommandOutput,
  type RunTaskCommandInput,
  type RunTaskCommandOutput,
  type StartTaskCommandInput,
  type StartTaskCommandOutput,
} from "@aws-sdk/client-ecs";
import type { LaunchFailure } from "../shared/contract";
import { describeError, logJson } from "../shared/log";
import type { RerunConfig } from "./config";
import { throttleDelayMs } from "./core/relaunch/backoff";
import { classifyEcsError, isThrottlingError } from "./core/relaunch/ecs-errors";
import { buildRerunRequest } from "./core/failure/rerun-request";
import type { EcsAnswer } from "./core/relaunch/launch-answer";
import { ownerFromTags, tagsOfTask } from "./task-state";
import { chunks, type DescribeTasksAnswer } from "./verify";

/**
 * What the handler needs from ECS: an `ECSClient` (created with `maxAttempts: 1`: throttling is
 * retried here inside the invocation's time budget, everything else by a later round of the state
 * machine, durable and visible) or a stub with the same `send`.
 */
export interface EcsSender {
  send(command: RunTaskCommand): Promise<RunTaskCommandOutput>;
  send(command: StartTaskCommand): Promise<StartTaskCommandOutput>;
  send(command: DescribeTasksCommand): Promise<DescribeTasksCommandOutput>;
  send(command: ListTasksCommand): Promise<ListTasksCommandOutput>;
  send(command: DescribeTaskDefinitionCommand): Promise<DescribeTaskDefinitionCommandOutput>;
}

/** Container definitions by task definition revision (ARN or family:revision). */
export type DefinitionCache = Map<string, NonNullable<NonNullable<DescribeTaskDefinitionCommandOutput["taskDefinition"]>["containerDefinitions"]>>;

/** ECS gave no usable answer (throttled past the budget, 5xx, no answer): the same step again, later. */
export class Deferred extends Error {
  constructor(readonly why: string) {
    super(why);
    this.name = "Deferred";
  }
}

/** A permanent ECS error (access denied, invalid parameter, ...): a human must look. */
export class EcsRefused extends Error {
  constructor(readonly why: string) {
    super(why);
    this.name = "EcsRefused";
  }
}

/** Who launched a task: ecs-rerun (event and attempt), somebody else, or not known yet. */
export type Ownership = { kind: "ours"; eventId: string; attempt: number } | { kind: "not_ours" } | { kind: "unknown"; why: string };

export interface EcsAccessDeps {
  ecs: EcsSender;
  random: () => number;
  sleep: (ms: number) => Promise<void>;
  now: () => number;
  /** Read revisions, kept by the handler for the life of the Lambda container (a revision never changes). */
  definitions: DefinitionCache;
}

function httpStatus(err: unknown): number | undefined {
  return (err as { $metadata?: { httpStatusCode?: number } } | null)?.$metadata?.httpStatusCode;
}

/** The ECS calls of one invocation, which must all end before `deadlineMs`. */
export class EcsAccess {
  constructor(
    private readonly config: Pick<RerunConfig, "throttleRetries">,
    private readonly deps: EcsAccessDeps,
    readonly deadlineMs: number,
  ) {}

  /** Milliseconds left of the budget. */
  remainingMs(): number {
    return this.deadlineMs - this.deps.now();
  }

  /**
   * One ECS call. Throttling (the call was not executed) is retried here with full jitter while
   * THROTTLE_RETRIES and the time budget allow; past either, and on 5xx or no answer, it is a
   * Deferred; any other error is EcsRefused.
   */
  async call<T>(operation: string, ctx: Record<string, unknown>, send: () => Promise<T>): Promise<T> {
    for (let retry = 1; ; retry++) {
      try {
        return await send();
      } catch (err) {
        const mapped = classifyEcsError(err);
        const fields = { ...ctx, operation, ...describeError(err), httpStatusCode: httpStatus(err), outcome: mapped.outcome };
        if (mapped.outcome === "gave_up") {
          logJson("ERROR", "ecs error", fields);
          throw new EcsRefused(mapped.message);
        }
        const delayMs = isThrottlingError(err) ? throttleDelayMs(retry, this.deps.random) : 0;
        if (mapped.outcome === "server" || retry > this.config.throttleRetries || delayMs >= this.remainingMs()) {
          logJson("WARN", "ecs gave no usable answer; handed back to the state machine", { ...fields, retry });
          throw new Deferred(mapped.message);
        }
        logJson("WARN", "ecs throttled, retrying in the handler", { ...fields, retry, throttleRetries: this.config.throttleRetries, delayMs });
        await this.deps.sleep(delayMs);
      }
    }
  }

  /**
   * Launches the `attempt`-th rerun: the original request with the shortfall, a fresh clientToken and
   * the owner tags, which ECS applies with the launch itself (core/failure/rerun-request.ts): a TagResource
   * after it could fail and leave a rerun nobody recognises as one.
   */
  async launch(failure: LaunchFailure, attempt: number, ctx: Record<string, unknown>): Promise<RunTaskCommandOutput | StartTaskCommandOutput> {
    const input = buildRerunRequest(failure, attempt);
    return failure.action === "RunTask"
      ? await this.call("RunTask", ctx, () => this.deps.ecs.send(new RunTaskCommand(input as unknown as RunTaskCommandInput)))
      : await this.call("StartTask", ctx, () => this.deps.ecs.send(new StartTaskCommand(input as unknown as StartTaskCommandInput)));
  }

  /**
   * The tasks a StartTask of this `attempt` already placed, as a launch answer; undefined when there
   * are none. StartTask has no clientToken, so an invocation that died after its StartTask took
   * effect would, when retried, start the task again: this look-up (ListTasks on the pending
   * container instances, then their owner tags) finds the first launch instead.
   */
  async startedByAttempt(failure: LaunchFailure, attempt: number, ctx: Record<string, unknown>): Promise<EcsAnswer | undefined> {
    const arns: string[] = [];
    // Stopped ones too: a task that ran and exited while this attempt waited must not run twice.
    // ECS lists a stopped task for a while after it stopped ("recently stopped tasks", ListTasks
    // API reference); the deferrals that lead here last well under an hour (see MAX_DEFERRALS).
    for (const containerInstance of failure.pendingContainerInstances ?? []) {
      for (const desiredStatus of ["RUNNING", "STOPPED"] as const) {
        const listed = await this.call("ListTasks", ctx, () => this.deps.ecs.send(new ListTasksCommand({ cluster: failure.cluster, containerInstance, desiredStatus })));
        arns.push(...(listed.taskArns ?? []));
      }
    }
    const found: NonNullable<DescribeTasksCommandOutput["tasks"]> = [];
    for (const tasks of chunks(arns)) {
      const answer = await this.call("DescribeTasks", ctx, () => this.deps.ecs.send(new DescribeTasksCommand({ cluster: failure.cluster, tasks, include: ["TAGS"] })));
      for (const task of answer.tasks ?? []) {
        const owner = ownerFromTags(task.tags);
        if (owner?.eventId === failure.eventId && owner.attempt === attempt) found.push(task);
      }
    }
    if (found.length === 0) return undefined;
    logJson("WARN", "this attempt's StartTask had already placed tasks; not sent again", { ...ctx, foundTaskArns: found.map((t) => t.taskArn) });
    return { tasks: found, failures: [] } as unknown as EcsAnswer;
  }

  /** Whether ecs-rerun launched the failure's task, read from its owner tags. */
  async owner(failure: LaunchFailure, ctx: Record<string, unknown>): Promise<Ownership> {
    const taskArn = failure.taskArn;
    if (taskArn === undefined) return { kind: "not_ours" };
    try {
      const answer = await this.call("DescribeTasks", ctx, () =>
        this.deps.ecs.send(new DescribeTasksCommand({ cluster: failure.cluster, tasks: [taskArn], include: ["TAGS"] })),
      );
      const owner = ownerFromTags(tagsOfTask(answer, taskArn));
      return owner === undefined ? { kind: "not_ours" } : { kind: "ours", ...owner };
    } catch (err) {
      // Unknown is not "not ours": a rerun of our own rerun would start a second replacement.
      if (err instanceof Deferred || err instanceof EcsRefused) return { kind: "unknown", why: err.why };
      throw err;
    }
  }

  /** DescribeTasks of the launched tasks, 100 at a time. */
  async describe(failure: LaunchFailure, ctx: Record<string, unknown>): Promise<DescribeTasksAnswer[]> {
    const answers: DescribeTasksAnswer[] = [];
    for (const tasks of chunks(failure.unconfirmedTaskArns)) {
      answers.push(await this.call("DescribeTasks", ctx, () => this.deps.ecs.send(new DescribeTasksCommand({ cluster: failure.cluster, tasks }))));
    }
    return answers;
  }

  /**
   * The task definition's container definitions (essential flags, log configuration); undefined on
   * any error. A revision never changes, so each is read once per Lambda container.
   */
  async containerDefinitions(failure: LaunchFailure, ctx: Record<string, unknown>) {
    const cached = this.deps.definitions.get(failure.taskDefinition);
    if (cached) return cached;
    try {
      const answer = await this.call("DescribeTaskDefinition", ctx, () =>
        this.deps.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: failure.taskDefinition })),
      );
      const definitions = answer.taskDefinition?.containerDefinitions;
      if (definitions && /:\d+$/.test(failure.taskDefinition)) this.deps.definitions.set(failure.taskDefinition, definitions);
      return definitions;
    } catch (err) {
      if (!(err instanceof Deferred || err instanceof EcsRefused)) throw err;
      logJson("WARN", "task definition not read: every container counts as essential, no log link", { ...ctx, why: err.why });
      return undefined;
    }
  }
}
