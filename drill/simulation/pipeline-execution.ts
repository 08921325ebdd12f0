// One event through the pipeline in the drill: the rule's pattern decides, the real starter Lambda
// asks the local Step Functions endpoint for a named execution, and each new execution runs with
// its Task states bound to the real handlers, its event log read into the report.

import { randomUUID } from "node:crypto";
import { StateMachine, type StateMachineDefinition } from "aws-local-stepfunctions";
import type { RerunHandler } from "../../lambda/rerun/handler";
import type { StarterHandler } from "../../lambda/starter/handler";
import type { Notice, RerunLambdaOutput } from "../../lambda/shared/contract";
import { STATES } from "../../modules/pipeline/orchestration/rerun-state-machine";
import { invokeAsync, LAMBDA_ASYNC_RETRY_DELAYS_S } from "./async-invoke";
import type { DeliveryReport, DeliverySummary, DrillFaults, Outcome, RunScope } from "../drill-types";
import { routeEvent } from "./event-routing";
import { checkedBefore } from "../synthesized/run-share";
import type { ExecutionStarter } from "../local-aws/sfn";
import { foundByReconciler } from "../../lambda/reconciler/core/found-event";

/** How a successful execution ended, by the last decision of the Lambda. */
const OUTCOME_OF_DECISION: Record<string, Outcome> = { recovered: "recovered", not_retryable: "not_retryable", needs_human: "needs_human", report: "program_failed", self_test: "self_test" };
const MAX_EXECUTIONS = 50_000;
/** The rerun Lambda's timeout (the pipeline's 90 s): an invocation learns its remaining time from it. */
const RERUN_TIMEOUT_MS = 90_000;

/** Step Functions' view of a Lambda error: the error type is the thrown error's name. */
class LambdaInvokeError extends Error {
  constructor(name: string, message: string) {
    super(JSON.stringify({ errorType: name, errorMessage: message }));
    this.name = name;
  }
}

/** An SNS error as the sns:publish integration names it. */
class SnsError extends Error {
  constructor(name: string, message: string) {
    super(message);
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

/** What {@link pipelineExecution} needs besides the run's scope. */
export interface PipelineExecutionDeps {
  /** The starter Lambda, bound to a real Step Functions client on the local endpoint. */
  readonly starter: StarterHandler;
  /**
   * A rerun Lambda for one invocation; `died` is called when the invocation should be cut off
   * after its first ECS call (the drill's stand-in for a timeout mid-way).
   */
  readonly rerunFor: (invocation: { dies: boolean; onDeath: () => void; deadline: number }) => RerunHandler;
  /** Where each delivery's report goes: kept whole in a list, and folded into the summary once it ends. */
  readonly reports: ReportSink;
  /** Notices published, in order; undefined: counted only. */
  readonly notices?: Notice[];
  readonly deliverNotice: (event: number, message: string) => Promise<void>;
  /** Parks a message in the pipeline's dead-letter queue (sqs:sendMessage from the state machine). */
  readonly park: (message: string, error: string) => void;
  readonly faults: DrillFaults;
  /** The state machine definition to run (the synthesized one, or a planted variant of it). */
  readonly definition: Record<string, unknown>;
}

/**
 * Keeps the reports of one run: every report whole in `deliveries` (`keep: true`), or none (a storm
 * of thousands keeps no per-event state once an event is done), and always the summary, which each
 * report joins when it ends.
 */
export class ReportSink {
  readonly deliveries: DeliveryReport[] = [];
  readonly summary: DeliverySummary = { outcomes: {}, delivered: { ended: 0, recovered: 0, stateTransitionsOfRecovered: 0, lastRecoveredAt: 0 } };
  private count = 0;

  constructor(private readonly keep: boolean) {}

  /** Index (1-based) of a new report. */
  next(): number {
    return ++this.count;
  }

  add(report: DeliveryReport): void {
    if (this.keep) this.deliveries.push(report);
  }

  /** The report's delivery is over (its outcome and end are final). */
  ended(report: DeliveryReport): void {
    const key = `${report.origin} ${report.outcome}`;
    const summary = this.summary;
    summary.outcomes[key] = (summary.outcomes[key] ?? 0) + 1;
    if (report.origin !== "delivered") return;
    summary.delivered.ended++;
    if (report.outcome !== "recovered") return;
    summary.delivered.recovered++;
    summary.delivered.stateTransitionsOfRecovered += report.stateTransitions;
    summary.delivered.lastRecoveredAt = Math.max(summary.delivered.lastRecoveredAt, report.endedAt ?? 0);
  }
}

// Validating a definition compiles JSON schemas (tens of ms): one machine per definition serves
// every execution of every run.
const machines = new Map<string, StateMachine>();
function machineFor(definition: StateMachineDefinition): StateMachine {
  const key = JSON.stringify(definition);
  let machine = machines.get(key);
  if (machine === undefined) {
    // Validated (asl-validator, through the interpreter) once per test run, and in every process outside one.
    const validation = checkedBefore("asl-valid", key);
    machine = new StateMachine(definition, { validationOptions: validation.before ? { noValidate: true } : { checkArn: true, checkPaths: true } });
    validation.passed();
    machines.set(key, machine);
  }
  return machine;
}

/**
 * Returns `deliver`, which takes one event (delivered, or emitted by the local endpoint) through the
 * rule and the starter, recording a DeliveryReport in `reports`, and `runExecution`, which the
 * local Step Functions endpoint calls for each execution it starts.
 */
export function pipelineExecution(
  scope: RunScope,
  deps: PipelineExecutionDeps,
): { deliver: (event: unknown, origin: DeliveryReport["origin"], putOnHubBusBy?: string) => Promise<void>; runExecution: ExecutionStarter; executions: () => number } {
  const { pipeline, clock, note, metrics } = scope;
  const { reports, notices, deliverNotice, faults } = deps;
  let executions = 0;
  let invocations = 0;
  let publishes = 0;
  const definition = deps.definition as unknown as StateMachineDefinition;
  const machine = machineFor(definition);
  const states = definition.States as Record<string, { Type: string; Resource?: string }>;
  /** Deliveries waiting for the execution their starter asked for, by the event's JSON. */
  const waiting = new Map<string, DeliveryReport[]>();

  const deliver = async (event: unknown, origin: DeliveryReport["origin"], putOnHubBusBy?: string) => {
    const index = reports.next();
    const e = event as { id?: string; "detail-type"?: string; detail?: { eventID?: string; eventName?: string; requestParameters?: { cluster?: string }; clusterArn?: string; stopCode?: string; stoppedReason?: string } };
    const detail = e.detail;
    const isTaskEvent = e["detail-type"] === "ECS Task State Change";
    // A long cluster list is split over several rules: the event is caught when one of them matches.
    // With spokes, an event of another place goes through its spoke's rules and the hub bus first.
    // Invoked: straight to the starter (aws lambda invoke), no rule in between.
    const { matched, via } = origin === "invoked" ? { matched: true, via: "the starter, invoked directly (no rule)" } : routeEvent(pipeline, event, putOnHubBusBy);
    const report: DeliveryReport = {
      index,
      ...(isTaskEvent && typeof (detail as { taskArn?: unknown } | undefined)?.taskArn === "string" ? { taskArn: (detail as { taskArn: string }).taskArn } : {}),
      eventId: detail?.eventID ?? e.id ?? "(none)",
      matched,
      origin,
      outcome: matched ? "failed" : "ignored",
      attempts: 0,
      stateTransitions: 0,
      waits: [],
    };
    reports.add(report);
    if (origin === "delivered" || origin === "invoked" || matched) {
      const what = isTaskEvent
        ? `task stopped (${detail?.stoppedReason?.startsWith(`${detail.stopCode}`) ? detail.stoppedReason : `${detail?.stopCode}${detail?.stoppedReason ? `: ${detail.stoppedReason}` : ""}`}) on ${detail?.clusterArn}`
        : `${origin === "cloudtrail" ? "the pipeline's own " : ""}${detail?.eventName ?? "event"} on ${detail?.requestParameters?.cluster ?? "default"}`;
      note(index, via === "rule" ? `${what} -> rule ${matched ? "matched" : "did not match: ignored"}` : `${what} -> ${via}${matched ? "" : ": ignored"}`);
    }
    if (!matched) {
      report.endedAt = clock.elapsedSeconds();
      reports.ended(report);
      return;
    }
    const key = JSON.stringify(event);
    waiting.set(key, [...(waiting.get(key) ?? []), report]);
    // EventBridge -> starter: an async invocation, retried by Lambda, then the on-failure queue.
    let started: Awaited<ReturnType<StarterHandler>> | undefined;
    await invokeAsync(clock, LAMBDA_ASYNC_RETRY_DELAYS_S, async () => (started = await deps.starter(event)), {
      onRetry: (error, delay) => note(index, `starter failed (${error}); Lambda retries in ${delay} s`),
      onDeadLetter: (error, tries) => {
        metrics.deadLetters = (metrics.deadLetters ?? 0) + 1;
        report.outcome = "unstarted";
        report.error = error;
        note(index, `starter failed ${tries} times (${error}); event parked in the dead-letter queue`);
      },
    });
    const stillWaiting = waiting.get(key)?.includes(report) ?? false;
    if (stillWaiting) {
      // No execution took this delivery: Step Functions already had one for this failure.
      const rest = (waiting.get(key) ?? []).filter((r) => r !== report);
      if (rest.length > 0) waiting.set(key, rest);
      else waiting.delete(key);
      if (started !== undefined) {
        report.outcome = "duplicate";
        note(index, `starter: the failure already has its execution (${started.name}); none started`);
      }
      report.endedAt = clock.elapsedSeconds();
      reports.ended(report);
    }
  };

  /** The report of an execution the reconciler started itself: a failure no delivery had started one for. */
  const foundReport = (input: unknown): DeliveryReport => {
    const e = input as { id?: string; "detail-type"?: string; detail?: { eventID?: string; taskArn?: string } };
    const report: DeliveryReport = {
      index: reports.next(),
      eventId: e.detail?.eventID ?? e.id ?? "(none)",
      ...(e["detail-type"] === "ECS Task State Change" && typeof e.detail?.taskArn === "string" ? { taskArn: e.detail.taskArn } : {}),
      matched: true,
      origin: "reconciler",
      outcome: "failed",
      attempts: 0,
      stateTransitions: 0,
      waits: [],
    };
    reports.add(report);
    note(report.index, `found by the reconciler (no execution yet): ${e["detail-type"] ?? "event"} ${report.taskArn ?? report.eventId}`);
    return report;
  };

  const runExecution: ExecutionStarter = async ({ executionArn, name, input }) => {
    const key = JSON.stringify(input);
    const queue = waiting.get(key);
    const delivered = queue?.shift();
    if (delivered === undefined && !foundByReconciler(input)) throw new Error(`the drill started execution ${name} for an event nobody delivered`);
    if (queue?.length === 0) waiting.delete(key);
    const report = delivered ?? foundReport(input);
    const index = report.index;
    if (++executions > MAX_EXECUTIONS) throw new Error(`more than ${MAX_EXECUTIONS} executions: the pipeline is looping`);
    note(index, `execution ${name} started`);

    let lastState = "";
    let lastDecision = "";
    report.executionArn = executionArn;
    const lambdaInvoke = async (taskInput: unknown) => {
      const { Payload } = taskInput as { Payload: { action?: string; attempt?: number; failure?: { action?: string; remaining?: number } } };
      const launching = Payload.action === "rerun" ? `${Payload.failure?.action} for ${Payload.failure?.remaining} (attempt ${Payload.attempt})` : undefined;
      const dies = (faults.lambda?.[invocations++] ?? "ok") === "die";
      let dead = false;
      const startedAt = Date.now();
      const rerun = deps.rerunFor({ dies, onDeath: () => (dead = true), deadline: startedAt + RERUN_TIMEOUT_MS });
      try {
        const output = await clock.track(() => rerun(Payload, { getRemainingTimeInMillis: () => startedAt + RERUN_TIMEOUT_MS - Date.now(), invokedFunctionArn: pipeline.rerunFunctionArn }));
        if (dies && !dead) dead = true; // No ECS call at all: it dies at its end, before answering.
        // Past its timeout Lambda kills the invocation: whatever it did, its answer is lost.
        if (Date.now() - startedAt > RERUN_TIMEOUT_MS) dead = true;
        if (dead) throw new LambdaInvokeError("Lambda.Unknown", "Task timed out after 90.00 seconds");
        report.attempts = output.decision.attempt;
        if (output.failure.requestSource) report.requestSource = output.failure.requestSource;
        lastDecision = output.decision.next;
        if (Payload.action === "classify") {
          note(index, `classified: ${output.decision.retryable ? "retryable" : "not retryable"} (${output.failure.reasons.join(", ") || "no reason"}), shortfall ${output.failure.remaining}`);
        }
        if (launching) {
          const f = output.failure;
          const rest = f.remaining > 0 ? `, still short ${f.remaining} (${f.reasons.join(", ") || output.decision.message})` : "";
          note(index, `launch: ${launching} -> placed ${f.placed}/${f.requested}${rest}${output.decision.next === "later" ? ` (later: ${output.decision.message})` : ""}`);
        }
        // Lambda returns JSON: what Step Functions sees has been through a round trip.
        return { StatusCode: 200, ExecutedVersion: "$LATEST", Payload: JSON.parse(JSON.stringify(output)) as RerunLambdaOutput };
      } catch (err) {
        metrics.rerunErrors = (metrics.rerunErrors ?? 0) + 1;
        const e = dead ? new LambdaInvokeError("Lambda.Unknown", "Task timed out after 90.00 seconds") : err;
        note(index, `${Payload.action}: ${launching ? `${launching} -> ` : ""}${(e as Error).name}${dead ? " (the invocation died mid-way)" : ""}`);
        throw e instanceof LambdaInvokeError ? e : new LambdaInvokeError((e as Error).name, (e as Error).message);
      }
    };
    const snsPublish = (taskInput: unknown) => {
      const fault = faults.sns?.[publishes++] ?? "ok";
      if (fault === "throttle") throw new SnsError("SNS.ThrottledException", "Rate exceeded");
      if (fault === "fail") throw new SnsError("SNS.KMSAccessDeniedException", "User is not authorized to perform kms:GenerateDataKey on the topic's key");
      const message = (taskInput as { Message: string }).Message;
      const notice = JSON.parse(message) as Notice;
      notices?.push(notice);
      note(index, `notice: ${summarize(notice)}`);
      scope.track(deliverNotice(index, message));
      return { MessageId: randomUUID() };
    };
    const sendMessage = (taskInput: unknown) => {
      deps.park((taskInput as { MessageBody: string }).MessageBody, "the topic refused the notice; parked by the state machine");
      note(index, "a notice the topic refused was parked in the dead-letter queue");
      return { MessageId: randomUUID() };
    };
    const putMetricData = (taskInput: unknown) => {
      const data = (taskInput as { MetricData?: Array<{ MetricName?: string; Value?: number }> }).MetricData ?? [];
      for (const d of data) if (d.MetricName === "NoticesFailed") metrics.noticesFailed = (metrics.noticesFailed ?? 0) + (d.Value ?? 1);
      note(index, "NoticesFailed counted; the execution goes on");
      return {};
    };
    const handlers: Record<string, (input: unknown) => Promise<unknown> | unknown> = {};
    for (const [stateName, state] of Object.entries(states)) {
      if (state.Type !== "Task") continue;
      if (state.Resource === "arn:aws:states:::lambda:invoke") handlers[stateName] = lambdaInvoke;
      else if (state.Resource === "arn:aws:states:::sns:publish") handlers[stateName] = snsPublish;
      else if (state.Resource === "arn:aws:states:::aws-sdk:cloudwatch:putMetricData") handlers[stateName] = putMetricData;
      else if (state.Resource === "arn:aws:states:::sqs:sendMessage") handlers[stateName] = sendMessage;
      else throw new Error(`the drill cannot run Task state ${stateName} (${state.Resource})`);
    }

    const execution = machine.run(input as never, {
      overrides: { taskResourceLocalHandlers: handlers as never },
      context: { Execution: { Id: executionArn, Name: name, StartTime: new Date().toISOString(), Input: input as never } },
    });
    let failure: { Error: string; Cause: unknown } | undefined;
    let output: unknown;
    const logs = (async () => {
      for await (const e of execution.eventLogs) {
        if (e.type === "StateEntered") {
          report.stateTransitions++;
          lastState = e.state.name;
          if (e.state.type === "Wait") {
            const decision = (e.state.input as { decision?: { delaySeconds?: number; nextAttempt?: number; next?: string } }).decision;
            const seconds = Number(decision?.delaySeconds ?? 0);
            report.waits.push(seconds);
            note(index, `wait ${seconds} s (${decision?.next === "later" ? "try again later" : "backoff"} before attempt ${decision?.nextAttempt})`);
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
      output = await execution.result;
    } catch {
      // The failure is read from the event log, which says which Fail state or error ended it.
    }
    await logs;
    report.endedAt = clock.elapsedSeconds();
    if (failure) {
      metrics.executionsFailed = (metrics.executionsFailed ?? 0) + 1;
      report.outcome = failure.Error === "GaveUp" ? "gave_up" : failure.Error === "InvalidEvent" ? "invalid_event" : "failed";
      report.error = `${failure.Error}: ${typeof failure.Cause === "string" ? failure.Cause : JSON.stringify(failure.Cause)}`;
    } else {
      report.outcome = lastState === STATES.alreadyHandled ? "already_handled" : (OUTCOME_OF_DECISION[lastDecision] ?? "failed");
    }
    note(index, `execution ended: ${report.outcome}${report.error ? ` (${report.error})` : ""} after ${report.stateTransitions} state transitions`);
    reports.ended(report);
    // What Step Functions keeps of it (DescribeExecution).
    return failure
      ? { status: "FAILED" as const, error: failure.Error, cause: typeof failure.Cause === "string" ? failure.Cause : JSON.stringify(failure.Cause) }
      : { status: "SUCCEEDED" as const, output };
  };
  return { deliver, runExecution, executions: () => executions };
}
