/**
 * The contract between the rerun Lambda, the Step Functions state machine and the notifier
 * Lambda. The state machine depends on these exact shapes: change them only together with it.
 */

export type LaunchAction = "RunTask" | "StartTask";

/** One entry of `responseElements.failures` (all members optional in the ECS API). */
export interface FailureEntry {
  arn?: string;
  reason?: string;
  detail?: string;
}

export interface LaunchFailure {
  source: "cloudtrail";
  /** detail.eventID of the original call: the correlation key. */
  eventId: string;
  /** detail.eventName */
  action: LaunchAction;
  region: string;
  account: string;
  /** requestParameters.cluster as written, or "default" when absent. */
  cluster: string;
  /** Short cluster name (last segment of an ARN). */
  clusterName: string;
  /** requestParameters.taskDefinition as written. */
  taskDefinition: string;
  startedBy?: string;
  group?: string;
  eventTime: string;
  /** The original requestParameters, unchanged (kept for every rerun). */
  request: Record<string, unknown>;
  /** RunTask: count (default 1); StartTask: containerInstances.length. */
  requested: number;
  /** Tasks placed so far (original call + reruns). */
  placed: number;
  /** requested - placed: the shortfall. */
  remaining: number;
  /** StartTask only: container instances (as the caller wrote them) still without a task. */
  pendingContainerInstances?: string[];
  /** Distinct reasons of the latest answer's failures. */
  reasons: string[];
  /** The latest answer's failures. */
  failures: FailureEntry[];
  /** Tasks placed so far. */
  taskArns: string[];
}

export type DecisionNext = "retry" | "recovered" | "gave_up" | "not_retryable";

export interface Decision {
  next: DecisionNext;
  /** Reruns done so far (0 after classify). */
  attempt: number;
  /** attempt + 1 */
  nextAttempt: number;
  maxAttempts: number;
  /** Wait before the next attempt (integer >= 0); 0 unless next == "retry". */
  delaySeconds: number;
  retryable: boolean;
  message?: string;
}

export type NoticeKind = "detected" | "retrying" | "recovered" | "gave_up" | "not_retryable";

/** Published to SNS as JSON by the state machine, consumed by the notifier. */
export interface Notice {
  kind: NoticeKind;
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
}

export interface ClassifyInput {
  action: "classify";
  /** EventBridge envelope of the CloudTrail record ("AWS API Call via CloudTrail"). */
  event: unknown;
  executionArn: string;
}

export interface RerunInput {
  action: "rerun";
  failure: LaunchFailure;
  /** 1-based number of the rerun being made now. */
  attempt: number;
  executionArn: string;
}

export type RerunLambdaInput = ClassifyInput | RerunInput;

export interface RerunLambdaOutput {
  failure: LaunchFailure;
  decision: Decision;
  notice: Notice;
}

export const NOTICE_KINDS: readonly NoticeKind[] = ["detected", "retrying", "recovered", "gave_up", "not_retryable"];
