// The drill's option and result types (what a run is told and what it observed), and the scope
// the pieces of one run share.

import type { ChaosDefect } from "./chaos/defect-names";
import type { Notice, NotifyMode } from "../lambda/shared/contract";
import type { AlarmState } from "./simulation/cloudwatch";
import type { EcsAnswer, OperationFault } from "./local-aws/local-aws";
import type { HistorySettings } from "./local-aws/cloudtrail-history";
import type { ScheduleStore } from "./local-aws/schedules";
import type { SlackAnswer } from "./slack/local-slack";
import type { SimClock } from "./simulation/sim-clock";
import type { SynthesizedPipeline } from "./synthesized/synthesized-pipeline";

/** How the reconciler runs in one drill run. */
export interface ReconcileOptions {
  /** Seconds after the run's start of the schedule's first invocation. @default one period */
  readonly firstAfterSeconds?: number;
  /**
   * Per invocation, in order (then 0): 0 runs normally; N > 0 kills the invocation once N of its AWS
   * calls have taken effect (every later call fails, its answer is lost), as a timeout or crash would.
   */
  readonly deaths?: readonly number[];
  /** Simulated seconds after the start past which no invocation is made, whatever else. @default 6 hours */
  readonly maxSeconds?: number;
}

/** How one event ended. */
export type Outcome = "ignored" | "duplicate" | "unstarted" | "recovered" | "gave_up" | "not_retryable" | "needs_human" | "program_failed" | "already_handled" | "invalid_event" | "self_test" | "failed";

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
   * Where the event came from: delivered by the caller, emitted by the local ECS endpoint as AWS
   * would (the CloudTrail record of a launch call, or an ECS Task State Change), or found by the
   * reconciler (an execution it started itself: no delivery had started one).
   */
  /** delivered: through the rules; invoked: handed to the starter directly, no rule (`aws lambda invoke`, the self-test); reconciler: started by the reconciler. */
  readonly origin: "delivered" | "cloudtrail" | "task-event" | "invoked" | "reconciler";
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
  /** Where the execution's replayed request came from (schedule, cloudtrail, task-record). */
  requestSource?: string;
  /** Task events: the stopped task's ARN. */
  readonly taskArn?: string;
}

/** What the run's deliveries came to, kept whatever `keep` says (a storm keeps only this). */
export interface DeliverySummary {
  /** Ended deliveries by origin and outcome ("delivered recovered", "cloudtrail ignored", ...). */
  readonly outcomes: Record<string, number>;
  /** The delivered events (not those the local endpoints emitted). */
  readonly delivered: {
    /** Deliveries that ended (all of them, once the run is over). */
    ended: number;
    /** Of those, the recovered ones, their state transitions in all, and when the last one ended (simulated s). */
    recovered: number;
    stateTransitionsOfRecovered: number;
    lastRecoveredAt: number;
  };
}

/** Everything a drill run observed. */
export interface DrillResult {
  /** One report per delivery, in order (empty when the drill keeps "summary" only). */
  readonly deliveries: DeliveryReport[];
  /** What the deliveries came to. */
  readonly summary: DeliverySummary;
  /** Launch calls the pipeline made, as the local ECS endpoint received them. */
  readonly launchRequests: { action: "RunTask" | "StartTask"; request: Record<string, unknown>; answer: string; account: string; region: string }[];
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
  /** Tasks the local ECS endpoint placed (ground truth: what ECS really launched, started or not). */
  readonly tasksStarted: number;
  /** The same by place ("account/region"), for every place whose ECS was called (the hub's always). */
  readonly tasksStartedByPlace: Record<string, number>;
  /** Of those, the tasks that reached RUNNING. */
  readonly tasksRan: number;
  /** Executions Step Functions started (one per failure: a redelivered event starts none). */
  readonly executions: number;
  /** The pipeline's alarms that would have gone to ALARM, by role (executionsFailed, deadLetters, rerunErrors, noticesFailed, launchPacerFailures). */
  readonly alarms: string[];
  /** Events the starter could not hand to Step Functions after Lambda's retries (the on-failure queue). */
  readonly unstartedEvents: number;
  /** Launch calls answered with ThrottlingException. */
  readonly throttledCalls: number;
  /** Successful runs counted by the missed-run metric filters, by metric name (simulated seconds). */
  readonly successfulRuns: Record<string, number[]>;
  /** For each stopped task the successful-runs rule sent to the run counter, by task ARN: whether it counted as a successful run. */
  readonly countedAsSuccess: Record<string, boolean>;
  /** Missed-run alarm state changes, as CloudWatch would publish them to the topic. */
  readonly alarmChanges: { t: number; alarmName: string; from: AlarmState; to: AlarmState }[];
  /** With RunOptions.failure: whether the synthesized rules match it (what a delivery would have started). */
  readonly failureMatched?: boolean;
  /** With RunOptions.reconcile: the reconciler's invocations (each one's summary; undefined: it failed or died). */
  readonly reconcilerRuns?: number;
}

/** Settings of one run. */
export interface RunOptions {
  /** Launch calls made at the start as the schedule would make them (the events role's identity). @default none */
  readonly scheduledLaunches?: readonly Record<string, unknown>[];
  /** Keep the simulation going this many simulated seconds, even when no execution is running. @default 0 */
  readonly holdSeconds?: number;
  /**
   * A steady background of the schedules' own RunTask calls (made with the events role, as
   * `scheduledLaunches`), one every `everySeconds`, until every delivered event has ended. @default none
   */
  readonly background?: { readonly request: Record<string, unknown>; readonly everySeconds: number };
  /** Evaluate the missed-run alarms at every period and publish their changes. @default false */
  readonly watchMissedRuns?: boolean;
  /** Simulated seconds after the start at which each event is delivered, in the order of the events. @default all at 0 */
  readonly deliverAtSeconds?: readonly number[];
  /** Faults to inject besides the launch script. @default none */
  readonly faults?: DrillFaults;
  /**
   * The delivered events are put straight on the hub bus by this account (as a forwarding rule of
   * that account would), instead of being seen on their own place's default bus. @default none
   */
  readonly putOnHubBusBy?: string;
  /**
   * Hand the events to the starter directly, as `aws lambda invoke` does (the self-test), rather than
   * through the rules, which never see them. @default false
   */
  readonly invokeStarter?: boolean;
  /** Seed of this run's jitter. @default the drill's seed */
  readonly seed?: number;
  /**
   * The failure itself (an event as EventBridge would deliver it), recorded where AWS keeps it whether
   * or not its event is ever delivered: a CloudTrail record in its place's event history, a stopped
   * task among its place's tasks. The run's simulated clock starts at its time (the record's
   * eventTime, the task's stoppedAt). Its deliveries are `events`, which may be none. @default none
   */
  readonly failure?: Record<string, unknown>;
  /** Run the synthesized reconciler on its schedule (reconciler-schedule.ts). @default not run */
  readonly reconcile?: ReconcileOptions;
}

/** Faults a run injects into the pipeline's dependencies (launch answers are the ECS script's). */
export interface DrillFaults {
  /**
   * Per rerun-Lambda invocation, in order (then "ok"): "die" times the invocation out right after its
   * first ECS call took effect (or at its end when it makes none): its answer is lost and Step
   * Functions sees Lambda.Unknown.
   */
  readonly lambda?: readonly ("ok" | "die")[];
  /** Per SNS publish of the state machine, in order (then "ok"): "throttle" is retried; "fail" (KMS access denied) is not. */
  readonly sns?: readonly ("ok" | "throttle" | "fail")[];
  /** Per call of other operations of the local endpoint (DescribeTasks, ListTasks, StartExecution, ...). */
  readonly operations?: Readonly<Record<string, readonly OperationFault[]>>;
  /** A throttling storm over the run's first seconds: every ECS call throttled, but every `passEvery`-th (0: none). @default none */
  readonly ecsStorm?: { readonly seconds: number; readonly passEvery: number };
  /** The failure rules are disabled for the run's first seconds: no event that comes meanwhile is delivered. @default 0 */
  readonly rulesDisabledSeconds?: number;
  /** How CloudTrail event history answers (rate limit, delivery delay). @default AWS's rate of 2 lookups a second, no delay */
  readonly eventHistory?: HistorySettings;
}

/** Settings of a drill. */
export interface DrillOptions {
  /** Protected clusters. @default ["batch-ec2"] */
  readonly clusters?: readonly string[];
  /**
   * The hub admits this AWS Organization (spokeOrganizationId); every account of the drill is then a
   * member of it. @default none
   */
  readonly spokeOrganizationId?: string;
  /** Cluster ARNs of organization accounts with a spoke deployed that `clusters` does not list (they forward, the hub does not sweep them). @default none */
  readonly organizationClusters?: readonly string[];
  /** Region the pipeline is synthesized for (that of the events). @default "ap-northeast-1" */
  readonly region?: string;
  /**
   * Answers to successive launch calls; the last repeats. The first is the original call's, which
   * the delivered event already records, so reruns get the second onward (or the only one).
   * @default ["ok"]
   */
  readonly ecs?: ReadonlyArray<string | EcsAnswer>;
  /** The pipeline's NOTIFY, as ECS_RERUN_NOTIFY deploys it. @default the app's (outcomes) */
  readonly notify?: NotifyMode;
  /** The pipeline posts with a bot token (chat.postMessage, chat.update, threads) instead of a webhook. @default false */
  readonly slackBot?: boolean;
  /** The pipeline's ECS_RERUN_STILL_TRYING_AFTER_SECONDS. @default the app's (600) */
  readonly stillTryingAfterSeconds?: number;
  /** The pipeline's ECS_RERUN_DIGEST_ABOVE_PER_MINUTE. @default the app's (20) */
  readonly digestAbovePerMinute?: number;
  /** Answers of the local Slack server; the last repeats. @default ["ok"] */
  readonly slack?: readonly SlackAnswer[];
  /** Token bucket throttling launch calls. @default none */
  readonly throttle?: { burst: number; refillPerSecond: number };
  /** The launch pacer's rate, as a deployment would set `launches_per_second`. @default the synthesized one (10) */
  readonly launchesPerSecond?: number;
  /** false: the rerun Lambda runs as deployed with `pace_launches = false` (no pacer at all). @default true */
  readonly pace?: boolean;
  /** Seed of the random numbers behind jitter, so a run can be repeated. @default 1 */
  readonly seed?: number;
  /** Slack POST timeout (real milliseconds: a hung socket is real time). @default 300 */
  readonly slackTimeoutMs?: number;
  /** Record the timeline. @default true */
  readonly timeline?: boolean;
  /**
   * What a run keeps: "all" (a report per delivery, the timeline, notices, every request and Slack
   * post), or "summary" (DrillResult.summary and the endpoints' counts only), so that a storm of
   * thousands holds no state for an event once it is done. @default "all"
   */
  readonly keep?: "all" | "summary";
  /**
   * How the SDK clients and the notifier reach the local endpoints: "loopback" sockets, or
   * "in-process" (the same endpoints' code, no socket: see in-process.ts). @default "loopback"
   */
  readonly transport?: "loopback" | "in-process";
  /** Receives the Lambda handlers' structured log lines (they would go to CloudWatch Logs). @default discarded */
  readonly onLambdaLog?: (line: string) => void;
  /** DescribeTaskDefinition answers the local ECS serves; without one, every container of a task counts as essential. @default none */
  readonly taskDefinitions?: readonly Record<string, unknown>[];
  /** The rules (name -> targets, as ListTargetsByRule returns them) and Scheduler schedules the local endpoints serve. @default none */
  readonly schedules?: ScheduleStore;
  /** Known defects planted back around the real handlers and definition (chaos/defects.ts), to prove the fault sweep catches them. @default none */
  readonly plant?: readonly ChaosDefect[];
}

export type { ChaosDefect } from "./chaos/defect-names";

/** What the pieces of one run share: the pipeline, the simulated clock, the timeline and the work in flight. */
export interface RunScope {
  readonly pipeline: SynthesizedPipeline;
  readonly clock: SimClock;
  /** Adds a line to the timeline. */
  readonly note: (event: number, text: string) => void;
  /** Everything still going on: the run ends when it is empty. */
  readonly running: Set<Promise<void>>;
  /** Datapoints of the metrics the pipeline's alarms watch, by alarm role. */
  readonly metrics: Record<string, number>;
  /** Runs `work` as part of the run: the run does not end before it has. */
  readonly track: (work: Promise<void>) => void;
}
