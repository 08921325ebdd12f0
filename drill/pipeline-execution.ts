// One event through the pipeline in the drill: the rule's pattern decides, then a state machine
// execution runs with its Task states bound to the real handlers, its event log read into the report.

import { randomUUID } from "node:crypto";
import { StateMachine, type StateMachineDefinition } from "aws-local-stepfunctions";
import type { RerunHandler } from "../lambda/rerun/handler";
import type { Notice, RerunLambdaOutput } from "../lambda/shared/contract";
import { STATES } from "../modules/pipeline/rerun-state-machine";
import type { DeliveryReport, Outcome, RunScope } from "./drill-types";
import { matchesEventPattern } from "./event-pattern-matcher";

/** How a successful execution ended, by the last decision of the Lambda. */
const OUTCOME_OF_DECISION: Record<string, Outcome> = { recovered: "recovered", not_retryable: "not_retryable", report: "program_failed" };
const MAX_EXECUTIONS = 50_000;

/** Step Functions' view of a Lambda error: the error type is the thrown error's name. */
class LambdaInvokeError extends Error {
  constructor(name: string, message: string) {
    super(JSON.stringify({ errorType: name, errorMessage: message }));
    this.name = name;
  }
}

const summarize = (notice: Notice): string => {
  const reasons = notice.reasons.length > 0 ? notice.reasons.join(", ") : "no reason";
  switch (notice.kind) {
    case "detected":
      return `detected: ${notice.action} on ${notice.clusterName} placed ${notice.placed}/${notice.requested} (${reasons})`;
    case "retrying":
      return `still short after attempt ${notice.attempt}/${notice.maxAttempts}: ${notice.remaining} to go (${reasons})`;
    case "recovered":
      return `recovered on attempt ${notice.attempt}: ${notice.placed}/${notice.requested} placed`;
    case "gave_up":
      return `gave up after attempt ${notice.attempt}/${notice.maxAttempts}${notice.message ? `: ${notice.message}` : ` (${reasons})`}`;
    case "not_retryable":
      return `not retryable (${reasons}): a human must look`;
    default:
      return `${notice.kind} (${reasons})`;
  }
};

/**
 * Returns `execute`, which runs one event (delivered, or emitted by the local endpoint) through
 * the rule and, if it matched, one execution, recording a DeliveryReport in `deliveries`.
 */
export function pipelineExecution(
  scope: RunScope,
  rerun: RerunHandler,
  deliveries: DeliveryReport[],
  notices: Notice[],
  deliverNotice: (event: number, message: string) => Promise<void>,
): (event: unknown, origin: DeliveryReport["origin"]) => Promise<void> {
  const { pipeline, clock, note, running } = scope;
  let executions = 0;
  const definition = pipeline.definition as unknown as StateMachineDefinition;
  // Validating a definition compiles JSON schemas (tens of ms); one machine serves every execution.
  const machine = new StateMachine(definition, { validationOptions: { checkArn: true, checkPaths: true } });
  const states = definition.States as Record<string, { Type: string; Resource?: string }>;

  const execute = async (event: unknown, origin: DeliveryReport["origin"]) => {
    const index = deliveries.length + 1;
    const e = event as { id?: string; "detail-type"?: string; detail?: { eventID?: string; eventName?: string; requestParameters?: { cluster?: string }; clusterArn?: string; stopCode?: string; stoppedReason?: string } };
    const detail = e.detail;
    const isTaskEvent = e["detail-type"] === "ECS Task State Change";
    const pattern = isTaskEvent ? pipeline.taskFailurePattern : pipeline.eventPattern;
    const matched = pattern !== undefined && matchesEventPattern(pattern, event);
    const feedback = origin !== "delivered";
    const report: DeliveryReport = {
      index,
      eventId: detail?.eventID ?? e.id ?? "(none)",
      matched,
      origin,
      outcome: matched ? "failed" : "ignored",
      attempts: 0,
      stateTransitions: 0,
      waits: [],
    };
    deliveries.push(report);
    if (!feedback || matched) {
      const what = isTaskEvent
        ? `task stopped (${detail?.stoppedReason?.startsWith(`${detail.stopCode}`) ? detail.stoppedReason : `${detail?.stopCode}${detail?.stoppedReason ? `: ${detail.stoppedReason}` : ""}`}) on ${detail?.clusterArn}`
        : `${origin === "cloudtrail" ? "the pipeline's own " : ""}${detail?.eventName ?? "event"} on ${detail?.requestParameters?.cluster ?? "default"}`;
      note(index, `${what} -> rule ${matched ? "matched" : "did not match: ignored"}`);
    }
    if (!matched) {
      report.endedAt = clock.elapsedSeconds();
      return;
    }
    if (++executions > MAX_EXECUTIONS) throw new Error(`more than ${MAX_EXECUTIONS} executions: the pipeline is looping`);

    let lastState = "";
    let lastDecision = "";
    const executionArn = `arn:aws:states:${pipeline.region}:123456789012:execution:ecs-rerun:${randomUUID()}`;
    report.executionArn = executionArn;
    const lambdaInvoke = async (input: unknown) => {
      const { Payload } = input as { Payload: { action?: string; attempt?: number; failure?: { action?: string; remaining?: number } } };
      const launching = Payload.action === "rerun" ? `${Payload.failure?.action} for ${Payload.failure?.remaining} (attempt ${Payload.attempt})` : undefined;
      try {
        const output = await clock.track(() => rerun(Payload));
        report.attempts = output.decision.attempt;
        lastDecision = output.decision.next;
        if (Payload.action === "classify") {
          note(index, `classified: ${output.decision.retryable ? "retryable" : "not retryable"} (${output.failure.reasons.join(", ") || "no reason"}), shortfall ${output.failure.remaining}`);
        }
        if (launching) {
          const f = output.failure;
          const rest = f.remaining > 0 ? `, still short ${f.remaining} (${f.reasons.join(", ") || output.decision.message})` : "";
          note(index, `launch: ${launching} -> placed ${f.placed}/${f.requested}${rest}`);
        }
        // Lambda returns JSON: what Step Functions sees has been through a round trip.
        return { StatusCode: 200, ExecutedVersion: "$LATEST", Payload: JSON.parse(JSON.stringify(output)) as RerunLambdaOutput };
      } catch (err) {
        if (launching) note(index, `launch: ${launching} -> ${(err as Error).name}`);
        throw new LambdaInvokeError((err as Error).name, (err as Error).message);
      }
    };
    const snsPublish = (input: unknown) => {
      const message = (input as { Message: string }).Message;
      const notice = JSON.parse(message) as Notice;
      notices.push(notice);
      note(index, `notice: ${summarize(notice)}`);
      const delivery = deliverNotice(index, message);
      running.add(delivery);
      void delivery.finally(() => running.delete(delivery));
      return { MessageId: randomUUID() };
    };
    const handlers: Record<string, (input: unknown) => Promise<unknown> | unknown> = {};
    for (const [name, state] of Object.entries(states)) {
      if (state.Type !== "Task") continue;
      if (state.Resource === "arn:aws:states:::lambda:invoke") handlers[name] = lambdaInvoke;
      else if (state.Resource === "arn:aws:states:::sns:publish") handlers[name] = snsPublish;
      else throw new Error(`the drill cannot run Task state ${name} (${state.Resource})`);
    }

    const execution = machine.run(event as never, {
      overrides: { taskResourceLocalHandlers: handlers as never },
      context: { Execution: { Id: executionArn, Name: executionArn.split(":").pop(), StartTime: new Date().toISOString(), Input: event as never } },
    });
    let failure: { Error: string; Cause: unknown } | undefined;
    const logs = (async () => {
      for await (const e of execution.eventLogs) {
        if (e.type === "StateEntered") {
          report.stateTransitions++;
          lastState = e.state.name;
          if (e.state.type === "Wait") {
            const seconds = Number((e.state.input as { decision?: { delaySeconds?: number } }).decision?.delaySeconds ?? 0);
            report.waits.push(seconds);
            note(index, `wait ${seconds} s (backoff before attempt ${(e.state.input as { decision?: { nextAttempt?: number } }).decision?.nextAttempt})`);
          }
        } else if (e.type === "StateRetried") {
          report.stateTransitions++;
          note(index, `${e.state.name} retried by Step Functions (retrier ${e.retry.attempt})`);
        } else if (e.type === "ExecutionFailed") {
          failure = { Error: e.Error, Cause: e.Cause };
        }
      }
    })();
    try {
      await execution.result;
    } catch {
      // The failure is read from the event log, which says which Fail state or error ended it.
    }
    await logs;
    report.endedAt = clock.elapsedSeconds();
    if (failure) {
      report.outcome = failure.Error === "GaveUp" ? "gave_up" : failure.Error === "InvalidEvent" ? "invalid_event" : "failed";
      report.error = `${failure.Error}: ${typeof failure.Cause === "string" ? failure.Cause : JSON.stringify(failure.Cause)}`;
    } else {
      report.outcome = lastState === STATES.alreadyHandled ? "already_handled" : (OUTCOME_OF_DECISION[lastDecision] ?? "failed");
    }
    note(index, `execution ended: ${report.outcome}${report.error ? ` (${report.error})` : ""} after ${report.stateTransitions} state transitions`);
  };
  return execute;
}
