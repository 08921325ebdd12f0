/**
 * Thin shell of the rerun Lambda: validates the payload, calls ECS, maps errors, logs.
 * Everything that decides something lives in the pure modules (core/, task-state.ts, verify.ts).
 */
import {
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  RunTaskCommand,
  StartTaskCommand,
  TagResourceCommand,
  type DescribeTaskDefinitionCommandOutput,
  type DescribeTasksCommandOutput,
  type RunTaskCommandInput,
  type RunTaskCommandOutput,
  type StartTaskCommandInput,
  type StartTaskCommandOutput,
  type TagResourceCommandOutput,
} from "@aws-sdk/client-ecs";
import {
  OWNER_TAG_ATTEMPT,
  OWNER_TAG_EVENT_ID,
  type ClassifyInput,
  type Decision,
  type LaunchFailure,
  type RerunInput,
  type RerunLambdaOutput,
} from "../shared/contract";
import { AlreadyHandledError, EcsServerError, EcsThrottledError } from "../shared/errors";
import { describeError, logJson } from "../shared/log";
import type { RerunConfig } from "./config";
import { throttleDelayMs } from "./core/backoff";
import { decide } from "./core/decision";
import { classifyEcsError, isThrottlingError } from "./core/ecs-errors";
import { parseInvocation } from "./core/invocation";
import { buildNotice, noticeKindAfterClassify, noticeKindAfterRerun } from "./core/notice";
import { programFailureRerunAllowed } from "./core/reason-classification";
import { buildRerunRequest, rerunClientToken } from "./core/rerun-request";
import { ownerFromTags, parseFailureEvent, tagsOfTask, withLogLinks } from "./task-state";
import { applyLaunch, applyVerification, chunks, withoutVerification, type DescribeTasksAnswer } from "./verify";

/**
 * What the handler needs from ECS: an `ECSClient` (created with `maxAttempts: 1`: throttling is
 * retried by the handler itself, everything else in Step Functions, durable and visible; StartTask
 * has no idempotency token so the SDK must not silently repeat it) or a stub with the same `send`.
 */
export interface EcsSender {
  send(command: RunTaskCommand): Promise<RunTaskCommandOutput>;
  send(command: StartTaskCommand): Promise<StartTaskCommandOutput>;
  send(command: DescribeTasksCommand): Promise<DescribeTasksCommandOutput>;
  send(command: TagResourceCommand): Promise<TagResourceCommandOutput>;
  send(command: DescribeTaskDefinitionCommand): Promise<DescribeTaskDefinitionCommandOutput>;
}

export interface RerunDeps {
  ecs: EcsSender;
  /** [0, 1) source for FULL jitter (Step Functions waits and in-handler throttle retries); default Math.random. */
  random?: () => number;
  /**
   * Sleep between in-handler retries of a throttled ECS call; default a real timer. Injectable
   * because a simulated clock (the drill) does not advance while a handler runs.
   */
  sleep?: (ms: number) => Promise<void>;
  /** Clock for verification deadlines, ms since the epoch; default Date.now (read at each call). */
  now?: () => number;
}

export type RerunHandler = (payload: unknown) => Promise<RerunLambdaOutput>;

// Captured at load: a timer faked later (tests, the drill's simulated clock) must not freeze the
// default sleep; whoever fakes time injects `sleep` instead.
const realSetTimeout = setTimeout;
const realSleep = (ms: number) => new Promise<void>((resolve) => realSetTimeout(resolve, ms));

function correlation(failure: LaunchFailure, attempt: number, executionArn: string): Record<string, unknown> {
  return {
    cluster: failure.cluster,
    taskDefinition: failure.taskDefinition,
    reasons: failure.reasons,
    attempt,
    eventId: failure.eventId,
    executionArn,
    source: failure.source,
    failureType: failure.failureType,
    taskArn: failure.taskArn,
    action: failure.action,
    requested: failure.requested,
    placed: failure.placed,
    remaining: failure.remaining,
    attemptsLaunched: failure.attemptsLaunched,
    unconfirmedTaskArns: failure.unconfirmedTaskArns.length > 0 ? failure.unconfirmedTaskArns : undefined,
  };
}

function decisionFields(decision: Decision): Record<string, unknown> {
  return {
    next: decision.next,
    retryable: decision.retryable,
    delaySeconds: decision.delaySeconds,
    nextAttempt: decision.nextAttempt,
    maxAttempts: decision.maxAttempts,
    message: decision.message,
  };
}

function httpStatus(err: unknown): number | undefined {
  return (err as { $metadata?: { httpStatusCode?: number } } | null)?.$metadata?.httpStatusCode;
}

/** How often the handler looks at a fresh launch during its quick check. */
export const QUICK_CHECK_INTERVAL_SECONDS = 5;

export function makeHandler(config: RerunConfig, deps: RerunDeps): RerunHandler {
  const random = deps.random ?? Math.random;
  const sleep = deps.sleep ?? realSleep;
  const now = deps.now ?? (() => Date.now());

  /**
   * One ECS call, with throttling retried here up to THROTTLE_RETRIES times (full jitter, 1 s base,
   * 16 s cap). A throttled call was not executed, so repeating it is safe even for StartTask; doing
   * it here keeps a throttling storm from multiplying Step Functions transitions. Anything else,
   * or throttling beyond the retries, is thrown to the caller.
   */
  async function callEcs<T>(operation: string, ctx: Record<string, unknown>, call: () => Promise<T>): Promise<T> {
    for (let retry = 1; ; retry++) {
      try {
        return await call();
      } catch (err) {
        if (!isThrottlingError(err) || retry > config.throttleRetries) throw err;
        const delayMs = throttleDelayMs(retry, random);
        logJson("WARN", "ecs throttled, retrying in the handler", {
          ...ctx,
          operation,
          retry,
          throttleRetries: config.throttleRetries,
          delayMs,
          ...describeError(err),
        });
        await sleep(delayMs);
      }
    }
  }

  async function launch(failure: LaunchFailure, attempt: number, ctx: Record<string, unknown>) {
    const input = buildRerunRequest(failure, attempt);
    if (failure.action === "RunTask") {
      return callEcs("RunTask", ctx, () => deps.ecs.send(new RunTaskCommand(input as unknown as RunTaskCommandInput)));
    }
    return callEcs("StartTask", ctx, () => deps.ecs.send(new StartTaskCommand(input as unknown as StartTaskCommandInput)));
  }

  /**
   * Tags each task right after its launch, so a later "ECS Task State Change" about it is known
   * as the pipeline's own. Tagging after the launch (not `tags` in the request) keeps the launch
   * request identical to the original's. A failure is logged and ignored: the task runs anyway,
   * and the launching execution verifies it itself.
   */
  async function tagLaunched(taskArns: readonly string[], eventId: string, attempt: number, ctx: Record<string, unknown>): Promise<void> {
    for (const resourceArn of taskArns) {
      try {
        await callEcs("TagResource", ctx, () =>
          deps.ecs.send(
            new TagResourceCommand({
              resourceArn,
              tags: [
                { key: OWNER_TAG_EVENT_ID, value: eventId },
                { key: OWNER_TAG_ATTEMPT, value: String(attempt) },
              ],
            }),
          ),
        );
      } catch (err) {
        logJson("WARN", "launched task not tagged", { ...ctx, launchedTaskArn: resourceArn, ...describeError(err), httpStatusCode: httpStatus(err) });
      }
    }
  }

  /** The owning event and attempt when the pipeline launched the task; undefined if not, or if unknown. */
  async function taskOwner(failure: LaunchFailure, ctx: Record<string, unknown>): Promise<{ eventId: string; attempt: number } | undefined> {
    const taskArn = failure.taskArn;
    if (taskArn === undefined) return undefined;
    try {
      const answer = await callEcs("DescribeTasks", ctx, () =>
        deps.ecs.send(new DescribeTasksCommand({ cluster: failure.cluster, tasks: [taskArn], include: ["TAGS"] })),
      );
      return ownerFromTags(tagsOfTask(answer, taskArn));
    } catch (err) {
      // Unknown ownership is handled as "not ours": missing a real failure is worse than the
      // rare second count of one of our own tasks (see the README).
      logJson("WARN", "task ownership unknown; handled as not launched by ecs-rerun", { ...ctx, ...describeError(err), httpStatusCode: httpStatus(err) });
      return undefined;
    }
  }

  /** Adds log group/stream of the failing containers; without them on any error (the report still goes out). */
  async function withLogs(failure: LaunchFailure, ctx: Record<string, unknown>): Promise<LaunchFailure> {
    const containers = failure.containers;
    if (containers === undefined || containers.length === 0 || failure.taskArn === undefined) return failure;
    const taskArn = failure.taskArn;
    try {
      const answer = await callEcs("DescribeTaskDefinition", ctx, () =>
        deps.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: failure.taskDefinition })),
      );
      return { ...failure, containers: withLogLinks(containers, answer.taskDefinition?.containerDefinitions, taskArn) };
    } catch (err) {
      logJson("WARN", "log link not derived", { ...ctx, ...describeError(err), httpStatusCode: httpStatus(err) });
      return failure;
    }
  }

  async function classify(input: ClassifyInput): Promise<RerunLambdaOutput> {
    let failure = parseFailureEvent(input.event);
    const ctx = correlation(failure, 0, input.executionArn);

    if (failure.failureType === "failed_to_start") {
      const owner = await taskOwner(failure, ctx);
      if (owner !== undefined) {
        logJson("INFO", "failure of a task ecs-rerun launched: counted by its own execution", { ...ctx, ownerEventId: owner.eventId, ownerAttempt: owner.attempt });
        throw new AlreadyHandledError(
          `task ${failure.taskArn} was launched by ecs-rerun for event ${owner.eventId} (attempt ${owner.attempt}); the execution that launched it counts this failure`,
        );
      }
    }
    if (failure.failureType === "program_failed") {
      // Ownership matters only where it changes the decision: an opted-in family is rerun unless
      // the failed task was itself a rerun.
      if (programFailureRerunAllowed(failure.taskDefinition, config.rerunProgramFailureFamilies)) {
        const owner = await taskOwner(failure, ctx);
        if (owner !== undefined) failure = { ...failure, rerunOf: owner };
      }
      failure = await withLogs(failure, ctx);
    }

    const decision = decide(failure, config, now(), random);
    logJson(decision.next === "retry" || decision.next === "recovered" ? "INFO" : "WARN", "launch failure classified", {
      ...correlation(failure, 0, input.executionArn),
      ...decisionFields(decision),
      stoppedReason: failure.stoppedReason,
      containers: failure.containers,
    });
    return { failure, decision, notice: buildNotice(noticeKindAfterClassify(decision), failure, decision, input.executionArn) };
  }

  async function rerun(input: RerunInput): Promise<RerunLambdaOutput> {
    const { attempt, executionArn } = input;
    let failure = input.failure;

    const gaveUp = (current: LaunchFailure, attemptNumber: number, message: string): RerunLambdaOutput => {
      const decision: Decision = {
        next: "gave_up",
        attempt: attemptNumber,
        nextAttempt: attemptNumber + 1,
        maxAttempts: config.maxAttempts,
        delaySeconds: 0,
        retryable: false,
        message,
      };
      return { failure: current, decision, notice: buildNotice("gave_up", current, decision, executionArn) };
    };

    // Verification switched off while this execution waited: what was placed counts as started
    // (checking with a 0 s interval would spin until the deadline).
    if (failure.unconfirmedTaskArns.length > 0 && config.verifyIntervalSeconds === 0) {
      logJson("INFO", "verification off; launched tasks counted as started", correlation(failure, attempt, executionArn));
      failure = withoutVerification(failure);
    }

    /** Whether the tasks launched so far started: updates `failure`, or answers a give-up. */
    const checkLaunched = async (): Promise<RerunLambdaOutput | undefined> => {
      const ctx = correlation(failure, attempt, executionArn);
      const answers: DescribeTasksAnswer[] = [];
      for (const tasks of chunks(failure.unconfirmedTaskArns)) {
        try {
          answers.push(await callEcs("DescribeTasks", ctx, () => deps.ecs.send(new DescribeTasksCommand({ cluster: failure.cluster, tasks }))));
        } catch (err) {
          const mapped = classifyEcsError(err, "read");
          logJson(mapped.outcome === "gave_up" ? "ERROR" : "WARN", "ecs error", { ...ctx, operation: "DescribeTasks", ...describeError(err), httpStatusCode: httpStatus(err), outcome: mapped.outcome });
          if (mapped.outcome === "throttled") throw new EcsThrottledError(mapped.message, { cause: err });
          if (mapped.outcome === "server") throw new EcsServerError(mapped.message, { cause: err });
          return gaveUp(failure, failure.attemptsLaunched, `cannot check that launched tasks started: ${mapped.message}`);
        }
      }
      const checked = applyVerification(failure, answers);
      failure = checked.failure;
      logJson(checked.failedToStart.length > 0 ? "WARN" : "INFO", "launched tasks checked", {
        ...correlation(failure, attempt, executionArn),
        started: checked.started,
        failedToStart: checked.failedToStart,
        pending: checked.pending,
      });
      return undefined;
    };

    // (a) Did the tasks launched earlier start?
    if (failure.unconfirmedTaskArns.length > 0) {
      const out = await checkLaunched();
      if (out) return out;
    }

    // (b) Launch, once per attempt, while tasks are owed.
    if (attempt > failure.attemptsLaunched && failure.remaining > 0) {
      const ctx = correlation(failure, attempt, executionArn);
      if (failure.action === "StartTask" && (failure.pendingContainerInstances ?? []).length === 0) {
        const out = gaveUp(failure, attempt, "no pending container instance left to start the task on");
        logJson("WARN", "rerun not sent", { ...ctx, ...decisionFields(out.decision) });
        return out;
      }
      logJson("INFO", "rerun sent", {
        ...ctx,
        ...(failure.action === "RunTask" ? { clientToken: rerunClientToken(failure, attempt) } : {}),
        ...(failure.action === "StartTask" ? { containerInstances: failure.pendingContainerInstances } : {}),
      });
      let answer: RunTaskCommandOutput | StartTaskCommandOutput;
      try {
        answer = await launch(failure, attempt, ctx);
      } catch (err) {
        const mapped = classifyEcsError(err, failure.action);
        logJson(mapped.outcome === "gave_up" ? "ERROR" : "WARN", "ecs error", {
          ...ctx,
          operation: failure.action,
          ...describeError(err),
          httpStatusCode: httpStatus(err),
          outcome: mapped.outcome,
        });
        if (mapped.outcome === "throttled") throw new EcsThrottledError(mapped.message, { cause: err });
        if (mapped.outcome === "server") throw new EcsServerError(mapped.message, { cause: err });
        return gaveUp(failure, attempt, mapped.message);
      }
      const launched = applyLaunch(failure, answer, attempt, {
        verify: config.verifyIntervalSeconds > 0,
        nowMs: now(),
        verifyTimeoutSeconds: config.verifyTimeoutSeconds,
      });
      failure = launched.failure;
      logJson("INFO", "rerun answered", {
        ...correlation(failure, attempt, executionArn),
        newTaskArns: launched.launchedTaskArns,
        verifyDeadline: failure.verifyDeadline,
      });
      await tagLaunched(launched.launchedTaskArns, failure.eventId, attempt, ctx);

      // On warm instances tasks start within seconds: a short look here spares the execution a
      // wait-and-check round (two state transitions); slow starts (capacity provisioning) still
      // get the durable check after VERIFY_INTERVAL_SECONDS.
      for (let waited = 0; failure.unconfirmedTaskArns.length > 0 && waited + QUICK_CHECK_INTERVAL_SECONDS <= config.quickCheckSeconds; waited += QUICK_CHECK_INTERVAL_SECONDS) {
        await sleep(QUICK_CHECK_INTERVAL_SECONDS * 1000);
        const out = await checkLaunched();
        if (out) return out;
        if (failure.remaining > 0) break;
      }
    }

    // (c) Decide.
    const decision = decide(failure, config, now(), random);
    logJson(decision.next === "recovered" || decision.next === "retry" || decision.next === "verify" ? "INFO" : "WARN", "rerun decided", {
      ...correlation(failure, attempt, executionArn),
      ...decisionFields(decision),
    });
    return { failure, decision, notice: buildNotice(noticeKindAfterRerun(decision), failure, decision, executionArn) };
  }

  return async function handler(payload: unknown): Promise<RerunLambdaOutput> {
    try {
      const input = parseInvocation(payload);
      if (input.action === "rerun") return await rerun(input);
      return await classify(input);
    } catch (err) {
      if (err instanceof Error && err.name === "InvalidEventError") {
        logJson("ERROR", "invalid input", {
          ...describeError(err),
          executionArn: (payload as { executionArn?: unknown } | null)?.executionArn,
        });
      }
      throw err;
    }
  };
}
