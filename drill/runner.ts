import { randomUUID } from "node:crypto";
import { ECSClient, RunTaskCommand } from "@aws-sdk/client-ecs";
import { SSMClient } from "@aws-sdk/client-ssm";
import type { SNSEvent } from "aws-lambda";
import { StateMachine, type StateMachineDefinition } from "aws-local-stepfunctions";
import { makeHandler as makeRerunHandler } from "../lambda/rerun/handler";
import { readConfig as readRerunConfig } from "../lambda/rerun/config";
import { makeHandler as makeNotifierHandler, type NotifierHandler } from "../lambda/notifier/handler";
import { readConfig as readNotifierConfig } from "../lambda/notifier/config";
import type { Notice, RerunLambdaOutput } from "../lambda/shared/contract";
import { STATES } from "../modules/pipeline/rerun-state-machine";
import { matchesEventPattern } from "./event-pattern-matcher";
import { evaluateAlarm, matchesFilterPattern, parseFilterPattern, type AlarmState } from "./cloudwatch";
import { LocalAws, type CloudTrailApiCallEvent, type EcsAnswer, type EcsTaskStateChangeEvent } from "./local-aws";
import { LocalSlack, type SlackAnswer } from "./local-slack";
import { seededRandom } from "./seeded-random";
import { SimClock } from "./sim-clock";
import { synthesizePipeline, type SynthesizedPipeline } from "./synthesized-pipeline";

/** How one event ended. */
export type Outcome = "ignored" | "recovered" | "gave_up" | "not_retryable" | "program_failed" | "already_handled" | "invalid_event" | "failed";

/** How a successful execution ended, by the last decision of the Lambda. */
const OUTCOME_OF_DECISION: Record<string, Outcome> = { recovered: "recovered", not_retryable: "not_retryable", report: "program_failed" };

/** One line of a timeline, at a simulated time. */
export interface TimelineEntry {
  /** Simulated seconds since the drill started. */
  readonly t: number;
  /** Which delivered event it belongs to (1-based, in delivery order). */
  readonly event: number;
  readonly text: string;
}

/** What became of one delivered CloudTrail event. */
export interface DeliveryReport {
  readonly index: number;
  readonly eventId: string;
  /** Whether the rule's pattern matched (no execution otherwise). */
  readonly matched: boolean;
  /**
   * Where the event came from: delivered by the caller, or emitted by the local ECS endpoint as AWS
   * would (the CloudTrail record of a launch call, or an ECS Task State Change).
   */
  readonly origin: "delivered" | "cloudtrail" | "task-event";
  outcome: Outcome;
  /** Reruns made (the last decision's attempt). */
  attempts: number;
  /** States entered plus retries, as Step Functions bills transitions. */
  stateTransitions: number;
  /** Simulated seconds of each Wait state. */
  readonly waits: number[];
  /** Simulated second the execution ended. */
  endedAt?: number;
  error?: string;
  executionArn?: string;
}

/** Everything a drill run observed. */
export interface DrillResult {
  readonly deliveries: DeliveryReport[];
  /** Launch calls the pipeline made, as the local ECS endpoint received them. */
  readonly launchRequests: { action: "RunTask" | "StartTask"; request: Record<string, unknown>; answer: string }[];
  /** Slack payloads delivered (answered 200). */
  readonly notifications: unknown[];
  /** Slack posts attempted, delivered or not. */
  readonly slackAttempts: number;
  /** Notices the notifier could not deliver after Lambda's retries (the on-failure queue). */
  readonly deadLetters: { notice: unknown; error: string }[];
  /** Notices published to the topic, in order. */
  readonly notices: Notice[];
  /** Messages published to the topic: notices and alarm notifications. */
  readonly published: number;
  readonly timeline: TimelineEntry[];
  /** Simulated seconds until everything settled (executions, notices and their retries). */
  readonly simulatedSeconds: number;
  /** Tasks the local ECS endpoint started. */
  readonly tasksStarted: number;
  /** Launch calls answered with ThrottlingException. */
  readonly throttledCalls: number;
  /** Successful runs counted by the missed-run metric filters, by metric name (simulated seconds). */
  readonly successfulRuns: Record<string, number[]>;
  /** Missed-run alarm state changes, as CloudWatch would publish them to the topic. */
  readonly alarmChanges: { t: number; alarmName: string; from: AlarmState; to: AlarmState }[];
}

/** Settings of one run. */
export interface RunOptions {
  /** Launch calls made at the start as the schedule would make them (the events role's identity). @default none */
  readonly scheduledLaunches?: readonly Record<string, unknown>[];
  /** Keep the simulation going this many simulated seconds, even when no execution is running. @default 0 */
  readonly holdSeconds?: number;
  /** Evaluate the missed-run alarms at every period and publish their changes. @default false */
  readonly watchMissedRuns?: boolean;
}

/** Settings of a drill. */
export interface DrillOptions {
  /** Protected clusters. @default ["batch-ec2"] */
  readonly clusters?: readonly string[];
  /** Region the pipeline is synthesized for (that of the events). @default "ap-northeast-1" */
  readonly region?: string;
  /**
   * Answers to successive launch calls; the last repeats. The first is the original call's, which
   * the delivered event already records, so reruns get the second onward (or the only one).
   * @default ["ok"]
   */
  readonly ecs?: ReadonlyArray<string | EcsAnswer>;
  /** Answers of the local Slack server; the last repeats. @default ["ok"] */
  readonly slack?: readonly SlackAnswer[];
  /** Token bucket throttling launch calls. @default none */
  readonly throttle?: { burst: number; refillPerSecond: number };
  /** Seed of the random numbers behind jitter, so a run can be repeated. @default 1 */
  readonly seed?: number;
  /** Slack POST timeout (real milliseconds: a hung socket is real time). @default 300 */
  readonly slackTimeoutMs?: number;
  /** Record the timeline. @default true */
  readonly timeline?: boolean;
  /** Receives the Lambda handlers' structured log lines (they would go to CloudWatch Logs). @default discarded */
  readonly onLambdaLog?: (line: string) => void;
}

// Lambda's documented async retry schedule: about one minute, then about two.
const LAMBDA_ASYNC_RETRY_DELAYS_S = [60, 120];
const RERUN_ACCESS_KEY = "ASIADRILLRERUNROLE01";
const SCHEDULER_ACCESS_KEY = "ASIADRILLEVENTSROLE1";
const NOTIFIER_ACCESS_KEY = "ASIADRILLNOTIFIER001";
const DRILL_START = Date.parse("2026-01-01T03:00:00Z");
const MAX_EXECUTIONS = 50_000;


/** The answers reruns get: all but the first (the original call's), unless it is the only one. */
export function rerunAnswers<T>(script: readonly T[]): T[] {
  return script.length > 1 ? script.slice(1) : [...script];
}

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
 * Runs the synthesized rerun pipeline on this machine: the rule's event pattern, the state
 * machine's definition (executed by aws-local-stepfunctions), the real Lambda handlers, the real
 * `@aws-sdk/client-ecs` against a local ECS endpoint, SNS delivery to the notifier with Lambda's
 * async retries and on-failure queue, and a local Slack server, all on a simulated clock.
 */
export class Drill {
  readonly pipeline: SynthesizedPipeline;
  readonly aws: LocalAws;
  readonly slack: LocalSlack;
  private readonly options: DrillOptions;

  private constructor(pipeline: SynthesizedPipeline, aws: LocalAws, slack: LocalSlack, options: DrillOptions) {
    this.pipeline = pipeline;
    this.aws = aws;
    this.slack = slack;
    this.options = options;
  }

  /** Synthesizes the pipeline and starts the local endpoints. */
  static async start(options: DrillOptions = {}): Promise<Drill> {
    const pipeline = synthesizePipeline({ clusters: options.clusters ?? ["batch-ec2"], env: { ECS_RERUN_REGION: options.region ?? "ap-northeast-1" } });
    const slack = new LocalSlack({ script: options.slack ?? ["ok"] });
    const { url } = await slack.start();
    const parameters: Record<string, string> = {};
    if (pipeline.notifierEnvironment) parameters[pipeline.notifierEnvironment.SLACK_WEBHOOK_PARAMETER] = `${url}/services/T000/B000/drill`;
    const aws = new LocalAws({
      region: pipeline.region,
      ecsScript: rerunAnswers(options.ecs ?? ["ok"]),
      parameters,
      throttle: options.throttle,
      identities: {
        [RERUN_ACCESS_KEY]: { roleName: pipeline.rerunRoleName },
        [NOTIFIER_ACCESS_KEY]: { roleName: pipeline.rerunRoleName.replace(/-rerun$/, "-notifier") },
        [SCHEDULER_ACCESS_KEY]: { roleName: "batch-ec2-print-date-events", invokedBy: "events.amazonaws.com" },
      },
    });
    await aws.start();
    return new Drill(pipeline, aws, slack, options);
  }

  async stop(): Promise<void> {
    await Promise.all([this.aws.stop(), this.slack.stop()]);
  }

  /** Delivers the events at once (as EventBridge would) and runs until every execution and notice has ended. */
  async run(events: readonly unknown[], runOptions: RunOptions = {}): Promise<DrillResult> {
    const clock = new SimClock();
    const random = seededRandom(this.options.seed ?? 1);
    const realRandom = Math.random;
    const deliveries: DeliveryReport[] = [];
    const timeline: TimelineEntry[] = [];
    const notices: Notice[] = [];
    const deadLetters: { notice: unknown; error: string }[] = [];
    const running = new Set<Promise<void>>();
    let executions = 0;
    const requestsBefore = this.aws.requests.length;
    const receivedBefore = this.slack.received.length;
    const tasksBefore = this.aws.launchedTasks().length;
    const note = (event: number, text: string) => {
      if (this.options.timeline ?? true) timeline.push({ t: Math.round(clock.elapsedSeconds() * 10) / 10, event, text });
    };

    const credentials = (accessKeyId: string) => ({ accessKeyId, secretAccessKey: "drill-secret", sessionToken: "drill-session" });
    const ecs = new ECSClient({ region: this.pipeline.region, endpoint: this.aws.endpoint, credentials: credentials(RERUN_ACCESS_KEY), maxAttempts: 1 });
    // Backing off inside the handler (ECS throttling) is simulated time too, and is not work in flight.
    const rerun = makeRerunHandler(readRerunConfig(this.pipeline.rerunEnvironment), { ecs, random, sleep: (ms) => clock.idleSleep(ms) });
    let notifier: NotifierHandler | undefined;
    if (this.pipeline.notifierEnvironment) {
      const ssm = new SSMClient({ region: this.pipeline.region, endpoint: this.aws.endpoint, credentials: credentials(NOTIFIER_ACCESS_KEY), maxAttempts: 1 });
      const config = readNotifierConfig({
        ...this.pipeline.notifierEnvironment,
        AWS_REGION: this.pipeline.region,
        SLACK_TIMEOUT_MS: String(this.options.slackTimeoutMs ?? 300),
      });
      notifier = makeNotifierHandler(config, { ssm });
    }

    const definition = this.pipeline.definition as unknown as StateMachineDefinition;
    // Validating a definition compiles JSON schemas (tens of ms); one machine serves every execution.
    const machine = new StateMachine(definition, { validationOptions: { checkArn: true, checkPaths: true } });
    const states = definition.States as Record<string, { Type: string; Resource?: string }>;

    // SNS -> notifier: an async Lambda invocation, retried by Lambda, then the on-failure queue.
    let published = 0;
    const deliverNotice = async (event: number, message: string) => {
      published++;
      if (!notifier) return;
      const envelope: SNSEvent = {
        Records: [
          {
            EventSource: "aws:sns",
            EventVersion: "1.0",
            EventSubscriptionArn: `arn:aws:sns:${this.pipeline.region}:123456789012:ecs-rerun-notices:${randomUUID()}`,
            Sns: {
              Type: "Notification",
              MessageId: randomUUID(),
              TopicArn: `arn:aws:sns:${this.pipeline.region}:123456789012:ecs-rerun-notices`,
              Subject: "",
              Message: message,
              Timestamp: new Date().toISOString(),
              SignatureVersion: "1",
              Signature: "",
              SigningCertUrl: "",
              UnsubscribeUrl: "",
              MessageAttributes: {},
            },
          },
        ],
      };
      const parsed = JSON.parse(message) as { kind?: string; AlarmName?: string };
      const kind = parsed.kind ?? `alarm ${parsed.AlarmName}`;
      const delays = LAMBDA_ASYNC_RETRY_DELAYS_S.slice(0, this.pipeline.notifierMaxRetries);
      for (let attempt = 0; ; attempt++) {
        try {
          await clock.track(() => notifier!(envelope));
          note(event, `slack: "${kind}" delivered${attempt > 0 ? ` (after ${attempt} Lambda ${attempt === 1 ? "retry" : "retries"})` : ""}`);
          return;
        } catch (err) {
          const error = `${(err as Error).name}: ${(err as Error).message}`;
          if (attempt >= delays.length) {
            deadLetters.push({ notice: JSON.parse(message), error });
            note(event, `slack: "${kind}" failed ${attempt + 1} times (${error}); parked in the dead-letter queue`);
            return;
          }
          note(event, `slack: "${kind}" failed (${error}); Lambda retries in ${delays[attempt]} s`);
          await clock.sleep(delays[attempt] * 1000);
        }
      }
    };

    const execute = async (event: unknown, origin: DeliveryReport["origin"]) => {
      const index = deliveries.length + 1;
      const e = event as { id?: string; "detail-type"?: string; detail?: { eventID?: string; eventName?: string; requestParameters?: { cluster?: string }; clusterArn?: string; stopCode?: string; stoppedReason?: string } };
      const detail = e.detail;
      const isTaskEvent = e["detail-type"] === "ECS Task State Change";
      const pattern = isTaskEvent ? this.pipeline.taskFailurePattern : this.pipeline.eventPattern;
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
      const executionArn = `arn:aws:states:${this.pipeline.region}:123456789012:execution:ecs-rerun:${randomUUID()}`;
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

    let uncaught: unknown;
    // Executions record their own errors; anything thrown out of one is a drill bug and must surface.
    const start = (event: unknown, origin: DeliveryReport["origin"]) => {
      const p = execute(event, origin).catch((err) => {
        uncaught ??= err;
      });
      running.add(p);
      void p.finally(() => running.delete(p));
    };

    // The endpoint reports every call CloudTrail would record; those go through the rule too.
    const onCloudTrail = (e: CloudTrailApiCallEvent) => start(e, "cloudtrail");
    const previousListener = this.aws.setCloudTrailListener(onCloudTrail);

    // Task events: failures go through the task-failures rule; successes into the log group whose
    // metric filters count them for the missed-run alarms.
    const successfulRuns: Record<string, number[]> = {};
    const filters = this.pipeline.metricFilters.map((f) => ({ ...f, terms: parseFilterPattern(f.pattern) }));
    const onTaskEvent = (e: EcsTaskStateChangeEvent) => {
      if (this.pipeline.successPattern && matchesEventPattern(this.pipeline.successPattern, e)) {
        for (const f of filters) {
          if (!matchesFilterPattern(f.terms, e)) continue;
          (successfulRuns[f.metricName] ??= []).push(Date.now());
          note(0, `successful run counted: ${e.detail.group} stopped with exit code 0 (${f.metricName})`);
        }
      }
      if (e.detail.lastStatus === "STOPPED") start(e, "task-event");
    };
    const previousTaskListener = this.aws.setTaskStateChangeListener(onTaskEvent);

    // CloudWatch evaluates each missed-run alarm once a period and publishes its changes to the topic.
    const alarmChanges: DrillResult["alarmChanges"] = [];
    const watchers: ReturnType<typeof setInterval>[] = [];
    const watchAlarms = () => {
      for (const spec of this.pipeline.missedRunAlarms) {
        let state: AlarmState = "INSUFFICIENT_DATA";
        watchers.push(
          setInterval(() => {
            const next = evaluateAlarm(spec, successfulRuns[spec.metric_name] ?? [], Date.now());
            if (next === state) return;
            alarmChanges.push({ t: clock.elapsedSeconds(), alarmName: spec.alarm_name, from: state, to: next });
            note(0, `alarm ${spec.alarm_name}: ${state} -> ${next}`);
            const message = JSON.stringify({
              AlarmName: spec.alarm_name,
              AlarmDescription: spec.alarm_description,
              AWSAccountId: this.aws.account,
              NewStateValue: next,
              NewStateReason: `Threshold Crossed: no datapoint >= ${spec.threshold} in the last ${spec.evaluation_periods} periods of ${spec.period} s`,
              StateChangeTime: new Date().toISOString(),
              Region: this.pipeline.region,
              AlarmArn: `arn:aws:cloudwatch:${this.pipeline.region}:${this.aws.account}:alarm:${spec.alarm_name}`,
              OldStateValue: state,
            });
            state = next;
            const delivery = deliverNotice(0, message);
            running.add(delivery);
            void delivery.finally(() => running.delete(delivery));
          }, spec.period * 1000),
        );
      }
    };

    let endedAt = 0;
    // The handlers log JSON lines to stdout, as Lambda ships them to CloudWatch Logs; here they
    // would drown the timeline, so they go to the caller's sink.
    const realLog = console.log;
    console.log = (...args: unknown[]) => this.options.onLambdaLog?.(args.map(String).join(" "));
    Math.random = random;
    clock.install(DRILL_START);
    try {
      if (runOptions.watchMissedRuns) watchAlarms();
      for (const event of events) start(event, "delivered");
      if (runOptions.scheduledLaunches?.length) {
        // The schedule's own RunTask calls, made with the events role as EventBridge makes them.
        const scheduler = new ECSClient({ region: this.pipeline.region, endpoint: this.aws.endpoint, credentials: credentials(SCHEDULER_ACCESS_KEY), maxAttempts: 1 });
        const launches = clock.track(async () => {
          for (const request of runOptions.scheduledLaunches!) await scheduler.send(new RunTaskCommand(request as never));
        });
        running.add(launches);
        void launches.finally(() => {
          running.delete(launches);
          scheduler.destroy();
        });
      }
      if (runOptions.holdSeconds) {
        const hold = clock.sleep(runOptions.holdSeconds * 1000);
        running.add(hold);
        void hold.finally(() => running.delete(hold));
      }
      await clock.runUntil(() => running.size === 0 || uncaught !== undefined);
      if (uncaught) throw uncaught;
      endedAt = clock.elapsedSeconds();
    } finally {
      for (const w of watchers) clearInterval(w);
      clock.uninstall();
      Math.random = realRandom;
      console.log = realLog;
      this.aws.setCloudTrailListener(previousListener);
      this.aws.setTaskStateChangeListener(previousTaskListener);
      ecs.destroy();
    }

    const launches = this.aws.requests.slice(requestsBefore).filter((r) => r.action === "RunTask" || r.action === "StartTask");
    return {
      deliveries,
      launchRequests: launches.map((r) => ({ action: r.action as "RunTask" | "StartTask", request: r.request as Record<string, unknown>, answer: r.answer })),
      notifications: this.slack.received.slice(receivedBefore).filter((r) => r.answeredWith === "ok").map((r) => r.payload),
      slackAttempts: this.slack.received.length - receivedBefore,
      deadLetters,
      notices,
      published,
      timeline: timeline.sort((a, b) => a.t - b.t),
      simulatedSeconds: endedAt,
      tasksStarted: this.aws.launchedTasks().length - tasksBefore,
      throttledCalls: launches.filter((r) => r.answer === "throttled").length,
      successfulRuns: Object.fromEntries(Object.entries(successfulRuns).map(([k, v]) => [k, v.map((t) => (t - DRILL_START) / 1000)])),
      alarmChanges,
    };
  }
}
