/**
 * The contract between the rerun Lambda, the Step Functions state machine and the notifier
 * Lambda. The state machine depends on these exact shapes: change them only together with it.
 */

export type LaunchAction = "RunTask" | "StartTask";

/**
 * Where the failure was seen: a CloudTrail RunTask/StartTask record, an "ECS Task State Change"
 * event, or the synthetic failure of a self-test (shared/self-test.ts: nothing is launched for it).
 */
export type FailureSource = "cloudtrail" | "task-state-change" | "self-test";

/**
 * What went wrong:
 * - rejected: RunTask/StartTask answered with `failures[]` (CloudTrail);
 * - failed_to_start: the task was accepted, then stopped with stopCode TaskFailedToStart;
 * - program_failed: the task ran and an essential container exited non-zero (never rerun unless opted in).
 */
export type FailureType = "rejected" | "failed_to_start" | "program_failed";

/**
 * Which patterns judge `reasons`:
 * - launch: `failures[].reason` of a launch answer (RETRYABLE_REASONS, exact or trailing-* prefix);
 * - stopped: `stoppedReason` of a stopped task (RETRYABLE_STOPPED_REASONS, case-insensitive globs);
 * - program: exit codes of a program failure (retryable only for RERUN_PROGRAM_FAILURE_FAMILIES).
 */
export type ReasonKind = "launch" | "stopped" | "program";

/** One entry of `responseElements.failures` (all members optional in the ECS API). */
export interface FailureEntry {
  arn?: string;
  reason?: string;
  detail?: string;
}

/** A container of a program failure that exited non-zero. */
export interface FailedContainer {
  name: string;
  exitCode: number;
  /** The container's `reason` (e.g. "OutOfMemoryError: Container killed due to memory usage"). */
  reason?: string;
  /** awslogs group, stream and region, when the task definition lets us derive them. */
  logGroup?: string;
  logStream?: string;
  logRegion?: string;
}

export interface LaunchFailure {
  source: FailureSource;
  failureType: FailureType;
  /** CloudTrail: detail.eventID of the original call; task state change: the envelope `id`. The correlation key. */
  eventId: string;
  /** CloudTrail: detail.eventName; task state change: always "RunTask". */
  action: LaunchAction;
  region: string;
  account: string;
  /** requestParameters.cluster as written ("default" when absent), or the task's clusterArn. */
  cluster: string;
  /** Short cluster name (last segment of an ARN). */
  clusterName: string;
  /** requestParameters.taskDefinition as written, or the task's taskDefinitionArn. */
  taskDefinition: string;
  startedBy?: string;
  group?: string;
  eventTime: string;
  /**
   * The request every rerun replays. CloudTrail: the original requestParameters, unchanged.
   * Task state change: reconstructed from the task record (see `notCarriedOver`).
   */
  request: Record<string, unknown>;
  /** RunTask: count (default 1); StartTask: containerInstances.length; task state change: 1. */
  requested: number;
  /** Tasks placed so far and not known to have failed to start (original call + reruns). */
  placed: number;
  /** requested - placed: the shortfall. */
  remaining: number;
  /** StartTask only: container instances (as the caller wrote them) still without a task. */
  pendingContainerInstances?: string[];
  /** Distinct reasons of the latest observation (launch answer, stopped tasks, or exit codes). */
  reasons: string[];
  /** Which patterns judge `reasons`. */
  reasonKind: ReasonKind;
  /** The latest observation's failures. */
  failures: FailureEntry[];
  /** Tasks placed so far and not known to have failed to start. */
  taskArns: string[];
  /** Reruns launched so far (0 after classify). */
  attemptsLaunched: number;
  /** Tasks the pipeline launched that have not been seen started yet. */
  unconfirmedTaskArns: string[];
  /** ISO time after which unconfirmed tasks count as not started; present while some are unconfirmed. */
  verifyDeadline?: string;
  /** Task state change only: request members the task record does not carry, so the rerun lacks them. */
  notCarriedOver?: string[];
  /** Task state change only: the stopped task's stoppedReason (trimmed, at most 255 characters). */
  stoppedReason?: string;
  /** Task state change only: the stopped task. */
  taskArn?: string;
  /** Task state change only: the event's stopCode; absent in events from before ECS recorded one. */
  stopCode?: string;
  /** program_failed only: the containers that exited non-zero. */
  containers?: FailedContainer[];
  /** program_failed only: the stopped task was itself launched by ecs-rerun (read from its tags). */
  rerunOf?: { eventId: string; attempt: number };
  /**
   * Rounds handed back as "later" in a row (ECS throttled or answered 5xx, a launch whose outcome
   * is unknown, the invocation out of time). Reset by a real answer; bounded by MAX_DEFERRALS.
   */
  deferrals?: number;
  /**
   * Classification could not finish yet: whether ecs-rerun launched the stopped task, or the
   * schedule holding the original request, could not be read (throttled, 5xx). Nothing is
   * launched or announced until it is known.
   */
  classificationPending?: boolean;
  /** Where `request` comes from: the schedule that launched the task, the CloudTrail record, or the task record. */
  requestSource?: "schedule" | "cloudtrail" | "task-record";
  /** Which schedule, when `requestSource` is "schedule" ("rule NAME" or "schedule GROUP/NAME"). */
  requestSourceDetail?: string;
  /** needs_human only: what of the original request could not be recovered (hidden values, network settings). */
  unrecoverable?: string[];
  /**
   * The launch slot `attempt` reserved on the shared pacing clock (ms since the epoch; see
   * rerun/core/relaunch/pacing.ts), kept across the Wait that leads to it so the launch never reserves twice.
   */
  launchSlot?: { attempt: number; atMs: number };
  /**
   * "reconciler" when the reconciler found this failure in what AWS keeps (CloudTrail event history,
   * stopped tasks) because its event never started an execution: the event path is broken somewhere.
   */
  foundBy?: "reconciler";
  /**
   * When the pipeline first classified this failure (ISO): what "still open after
   * STILL_TRYING_AFTER_SECONDS" and "recovered after N s" are measured from (a failure the reconciler
   * found late is not "still trying" the moment it is found).
   */
  detectedAt?: string;
  /** The reasons of the first observation (the original failure's), kept for the one message of a failure that heals. */
  firstReasons?: string[];
  /** A "still trying" notice was handed to the topic for this failure (at most one is). */
  stillTryingSent?: boolean;
}

/**
 * Which notices reach the topic (NOTIFY; construct `notify`, module `notify_on`):
 * - outcomes: one message per failure: when it ends (recovered, gave up, not retryable, a program
 *   failure, needs a human: the last four at once), plus one "still trying" while it is open past
 *   STILL_TRYING_AFTER_SECONDS;
 * - problems: as outcomes, without recoveries (a recovery is still told when a "still trying" was);
 * - every-step: every step, as before (detected, each retry, the outcome).
 */
export type NotifyMode = "outcomes" | "problems" | "every-step";
export const NOTIFY_MODES: readonly NotifyMode[] = ["outcomes", "problems", "every-step"];

/**
 * What the state machine does next:
 * - retry: publish the notice, Wait delaySeconds, Rerun with attempt = nextAttempt;
 * - verify: do NOT publish, Wait delaySeconds, Rerun with attempt = nextAttempt (= attemptsLaunched: no launch);
 * - later: do NOT publish, Wait delaySeconds, Rerun the same attempt again (ECS gave no usable answer:
 *   throttled, 5xx, an unknown outcome, or the invocation ran out of time; no attempt is used up);
 * - already_handled: end quietly (a task this pipeline launched, or one it must never launch);
 * - needs_human: publish, end: the original request cannot be recovered faithfully, so nothing is launched;
 * - recovered / not_retryable / report: publish, end successfully;
 * - gave_up: publish, fail the execution;
 * - self_test: publish the self-test notice, end successfully (the Route state's default); nothing launched.
 */
export type DecisionNext = "retry" | "verify" | "later" | "recovered" | "gave_up" | "not_retryable" | "report" | "already_handled" | "needs_human" | "self_test";

export interface Decision {
  next: DecisionNext;
  /** Reruns launched so far (failure.attemptsLaunched; the attempt being made when a launch call itself gave up). */
  attempt: number;
  /** The `attempt` of the next Rerun: attemptsLaunched + 1 on retry, attemptsLaunched on verify. */
  nextAttempt: number;
  maxAttempts: number;
  /** Wait before the next Rerun (integer >= 0); 0 unless next is "retry" or "verify". */
  delaySeconds: number;
  retryable: boolean;
  message?: string;
  /**
   * Whether this step's notice goes to the topic. Absent (NOTIFY every-step): every notice the state
   * machine publishes goes, as before. false: the state machine of a quieter NOTIFY mode skips it
   * (its RouteQuietly state); true on a verify or later round: a "still trying" notice is published
   * before the wait.
   */
  publish?: boolean;
}

export type NoticeKind = "detected" | "retrying" | "still_trying" | "recovered" | "gave_up" | "not_retryable" | "program_failed" | "needs_human" | "self_test";

/** Published to SNS as JSON by the state machine, consumed by the notifier. */
export interface Notice {
  kind: NoticeKind;
  source: FailureSource;
  failureType: FailureType;
  cluster: string;
  clusterName: string;
  taskDefinition: string;
  action: LaunchAction;
  reasons: string[];
  attempt: number;
  maxAttempts: number;
  requested: number;
  placed: number;
  remaining: number;
  nextDelaySeconds?: number;
  message?: string;
  eventId: string;
  executionArn: string;
  region: string;
  account: string;
  startedBy?: string;
  eventTime: string;
  taskArns: string[];
  notCarriedOver?: string[];
  stoppedReason?: string;
  /** Task state change only: the stopped task's stopCode, when its event carried one. */
  stopCode?: string;
  taskArn?: string;
  containers?: FailedContainer[];
  /** The first failing container's log stream, when derivable (program_failed). */
  logGroup?: string;
  logStream?: string;
  /** Region of that log group when the task definition names one (awslogs-region). */
  logRegion?: string;
  /** Where the replayed request came from: "schedule" (with which), "cloudtrail" or "task-record". */
  requestSource?: string;
  /** needs_human: what could not be recovered; not_retryable: what the command below leaves out. */
  missing?: string[];
  /** needs_human and not_retryable: a ready `aws ecs run-task` command with everything that could be recovered. */
  runTaskCommand?: string;
  /** "reconciler": the failure's event never arrived; the reconciler found it (the event path needs a look). */
  foundBy?: "reconciler";
  /** self_test only: who sent it (the event's detail.sentBy). */
  sentBy?: string;
  /** Seconds since the pipeline first classified the failure (recovered, still_trying and the other outcomes). */
  openSeconds?: number;
  /** The reasons of the original failure, when the latest observation has other ones (or none: a recovery). */
  firstReasons?: string[];
}

export interface ClassifyInput {
  action: "classify";
  /** EventBridge envelope: "AWS API Call via CloudTrail" or "ECS Task State Change". */
  event: unknown;
  executionArn: string;
}

export interface RerunInput {
  action: "rerun";
  failure: LaunchFailure;
  /**
   * 1-based number of the rerun. A launch happens only when attempt > failure.attemptsLaunched;
   * attempt == attemptsLaunched is a verification round.
   */
  attempt: number;
  executionArn: string;
}

export type RerunLambdaInput = ClassifyInput | RerunInput;

export interface RerunLambdaOutput {
  failure: LaunchFailure;
  decision: Decision;
  notice: Notice;
  /**
   * The notice as the JSON text SNS publishes. Serialized here rather than by the state machine's
   * States.JsonToString, so the text is the notifier's contract whatever runs the definition (the
   * local interpreter the drill uses does not escape quotes inside strings).
   */
  noticeMessage: string;
}

export const NOTICE_KINDS: readonly NoticeKind[] = ["detected", "retrying", "still_trying", "recovered", "gave_up", "not_retryable", "program_failed", "needs_human", "self_test"];

/**
 * Tags put on every task the pipeline launches, in the launch request itself: a tag added after the
 * launch can fail and leave a rerun that nobody recognises as one (and that is then rerun again).
 */
export const OWNER_TAG_EVENT_ID = "ecs-rerun:event-id";
export const OWNER_TAG_ATTEMPT = "ecs-rerun:attempt";
