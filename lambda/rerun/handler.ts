/**
 * Thin shell of the rerun Lambda: validates the payload, calls ECS, maps errors, logs.
 * Everything that decides something lives in core.ts.
 */
import {
  RunTaskCommand,
  StartTaskCommand,
  type RunTaskCommandInput,
  type RunTaskCommandOutput,
  type StartTaskCommandInput,
  type StartTaskCommandOutput,
} from "@aws-sdk/client-ecs";
import type { Decision, LaunchFailure, RerunInput, RerunLambdaOutput } from "../shared/contract";
import { EcsServerError, EcsThrottledError } from "../shared/errors";
import { describeError, logJson } from "../shared/log";
import type { RerunConfig } from "./config";
import {
  applyAnswer,
  buildNotice,
  buildRerunRequest,
  classifyEcsError,
  clientToken,
  decide,
  noticeKindAfterRerun,
  parseInvocation,
  parseLaunchEvent,
} from "./core";

/**
 * What the handler needs from ECS: an `ECSClient` (created with `maxAttempts: 1`: every retry
 * happens in Step Functions, durable and visible, and StartTask has no idempotency token so the
 * SDK must not silently repeat it) or a stub with the same `send`.
 */
export interface EcsSender {
  send(command: RunTaskCommand): Promise<RunTaskCommandOutput>;
  send(command: StartTaskCommand): Promise<StartTaskCommandOutput>;
}

export interface RerunDeps {
  ecs: EcsSender;
  /** [0, 1) source for FULL jitter; default Math.random. */
  random?: () => number;
}

export type RerunHandler = (payload: unknown) => Promise<RerunLambdaOutput>;

function correlation(failure: LaunchFailure, attempt: number, executionArn: string): Record<string, unknown> {
  return {
    cluster: failure.cluster,
    taskDefinition: failure.taskDefinition,
    reasons: failure.reasons,
    attempt,
    eventId: failure.eventId,
    executionArn,
    action: failure.action,
    requested: failure.requested,
    placed: failure.placed,
    remaining: failure.remaining,
  };
}

function decisionFields(decision: Decision): Record<string, unknown> {
  return {
    next: decision.next,
    retryable: decision.retryable,
    delaySeconds: decision.delaySeconds,
    maxAttempts: decision.maxAttempts,
    message: decision.message,
  };
}

export function makeHandler(config: RerunConfig, deps: RerunDeps): RerunHandler {
  const random = deps.random ?? Math.random;

  async function send(failure: LaunchFailure, attempt: number) {
    const input = buildRerunRequest(failure, attempt);
    if (failure.action === "RunTask") {
      return deps.ecs.send(new RunTaskCommand(input as unknown as RunTaskCommandInput));
    }
    return deps.ecs.send(new StartTaskCommand(input as unknown as StartTaskCommandInput));
  }

  async function rerun(input: RerunInput): Promise<RerunLambdaOutput> {
    const { failure, attempt, executionArn } = input;
    const ctx = correlation(failure, attempt, executionArn);

    const gaveUp = (message: string): RerunLambdaOutput => {
      const decision: Decision = {
        next: "gave_up",
        attempt,
        nextAttempt: attempt + 1,
        maxAttempts: config.maxAttempts,
        delaySeconds: 0,
        retryable: false,
        message,
      };
      return { failure, decision, notice: buildNotice("gave_up", failure, decision, executionArn) };
    };

    if (failure.remaining <= 0) {
      // Nothing left to place (e.g. a replayed input): do not launch anything.
      const decision = decide(failure, attempt, config, random);
      logJson("INFO", "rerun not needed", { ...ctx, ...decisionFields(decision) });
      return { failure, decision, notice: buildNotice(noticeKindAfterRerun(decision), failure, decision, executionArn) };
    }
    if (failure.action === "StartTask" && (failure.pendingContainerInstances ?? []).length === 0) {
      const out = gaveUp("no pending container instance left to start the task on");
      logJson("WARN", "rerun not sent", { ...ctx, ...decisionFields(out.decision) });
      return out;
    }

    logJson("INFO", "rerun sent", {
      ...ctx,
      ...(failure.action === "RunTask" ? { clientToken: clientToken(failure.eventId, attempt) } : {}),
      ...(failure.action === "StartTask" ? { containerInstances: failure.pendingContainerInstances } : {}),
    });
    let answer: RunTaskCommandOutput | StartTaskCommandOutput;
    try {
      answer = await send(failure, attempt);
    } catch (err) {
      const mapped = classifyEcsError(err, failure.action);
      const status = (err as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;
      logJson(mapped.outcome === "gave_up" ? "ERROR" : "WARN", "ecs error", {
        ...ctx,
        ...describeError(err),
        httpStatusCode: status,
        outcome: mapped.outcome,
      });
      if (mapped.outcome === "throttled") throw new EcsThrottledError(mapped.message, { cause: err });
      if (mapped.outcome === "server") throw new EcsServerError(mapped.message, { cause: err });
      return gaveUp(mapped.message);
    }

    const updated = applyAnswer(failure, answer);
    const decision = decide(updated, attempt, config, random);
    logJson(decision.next === "recovered" || decision.next === "retry" ? "INFO" : "WARN", "rerun answered", {
      ...correlation(updated, attempt, executionArn),
      ...decisionFields(decision),
      newTaskArns: updated.taskArns.slice(failure.taskArns.length),
    });
    return { failure: updated, decision, notice: buildNotice(noticeKindAfterRerun(decision), updated, decision, executionArn) };
  }

  return async function handler(payload: unknown): Promise<RerunLambdaOutput> {
    try {
      const input = parseInvocation(payload);
      if (input.action === "rerun") return await rerun(input);
      const failure = parseLaunchEvent(input.event);
      const decision = decide(failure, 0, config, random);
      logJson("INFO", "launch failure classified", {
        ...correlation(failure, 0, input.executionArn),
        ...decisionFields(decision),
      });
      return { failure, decision, notice: buildNotice("detected", failure, decision, input.executionArn) };
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
