/** Inputs of {@link rerunStateMachineDefinition}. */
export interface RerunStateMachineInput {
  /** ARN of the rerun Lambda (classifies, reruns and verifies). */
  readonly rerunFunctionArn: string;
  /** ARN of the SNS topic notices are published to. */
  readonly topicArn: string;
  /** Seconds before Step Functions gives up on one Lambda invocation. @default 120 */
  readonly lambdaTimeoutSeconds?: number;
}

/** Errors of the Lambda service itself: the function did not run or its answer was lost. */
export const LAMBDA_TRANSIENT_ERRORS = [
  "Lambda.ServiceException",
  "Lambda.AWSLambdaException",
  "Lambda.SdkClientException",
  "Lambda.TooManyRequestsException",
] as const;

/** Errors the rerun Lambda throws for ECS answers that heal with time. */
export const ECS_TRANSIENT_ERRORS = ["EcsThrottledError", "EcsServerError"] as const;

/** Names of the states, for tests and the drill's timeline. */
export const STATES = {
  classify: "Classify",
  route: "Route",
  notifyAndWait: "NotifyAndWait",
  notifyAndEnd: "NotifyAndEnd",
  notifyAndFail: "NotifyAndFail",
  backoff: "Backoff",
  rerun: "Rerun",
  gaveUp: "GaveUp",
  invalidEvent: "InvalidEvent",
  alreadyHandled: "AlreadyHandled",
} as const;

/** The Lambda's `decision.next` values and where each one goes. */
export const ROUTES = {
  retry: STATES.notifyAndWait,
  verify: STATES.backoff,
  recovered: STATES.notifyAndEnd,
  report: STATES.notifyAndEnd,
  gave_up: STATES.notifyAndFail,
} as const;

/**
 * The rerun state machine (Amazon States Language, JSONPath):
 *
 *   Classify -> Route --retry--> NotifyAndWait -> Backoff (Wait) -> Rerun -> Route ...
 *                     --verify--> Backoff -> Rerun (checks the tasks it launched really started)
 *                     --recovered / report / not_retryable--> NotifyAndEnd
 *                     --gave_up--> NotifyAndFail -> GaveUp (Fail: counted by ExecutionsFailed, alarmed)
 *
 * The Lambda decides (`decision.next`) and writes the notice; the state machine holds every wait
 * durably and owns the retries. One Notify state per destination, reached from the Choice, keeps a
 * recovery to ten transitions even with the check that the rerun started. Retrying `Rerun` cannot
 * start a task twice: a RunTask retry carries the same clientToken, which ECS answers with the first
 * answer; the Lambda never throws a retryable error for a StartTask whose outcome is unknown.
 */
export function rerunStateMachineDefinition(input: RerunStateMachineInput): Record<string, unknown> {
  const timeout = input.lambdaTimeoutSeconds ?? 120;
  const invoke = (payload: Record<string, unknown>) => ({
    Type: "Task",
    Resource: "arn:aws:states:::lambda:invoke",
    Parameters: { FunctionName: input.rerunFunctionArn, Payload: payload },
    ResultSelector: { "failure.$": "$.Payload.failure", "decision.$": "$.Payload.decision", "notice.$": "$.Payload.notice" },
    TimeoutSeconds: timeout,
  });
  const retryWithJitter = (errors: readonly string[], intervalSeconds: number, maxAttempts: number, maxDelaySeconds: number) => ({
    ErrorEquals: [...errors],
    IntervalSeconds: intervalSeconds,
    MaxAttempts: maxAttempts,
    BackoffRate: 2,
    MaxDelaySeconds: maxDelaySeconds,
    JitterStrategy: "FULL",
  });
  const lambdaRetry = retryWithJitter(LAMBDA_TRANSIENT_ERRORS, 2, 6, 30);
  const notify = (next: { Next: string } | { End: true }) => ({
    Type: "Task",
    Resource: "arn:aws:states:::sns:publish",
    Parameters: {
      TopicArn: input.topicArn,
      "Message.$": "States.JsonToString($.notice)",
      MessageAttributes: { kind: { DataType: "String", "StringValue.$": "$.notice.kind" } },
    },
    ResultPath: null,
    Retry: [retryWithJitter(["SNS.ThrottledException", "SNS.InternalErrorException", "SNS.KMSThrottlingException", "SNS.SdkClientException"], 2, 6, 30)],
    ...next,
  });
  return {
    Comment: "ecs-rerun: rerun ECS tasks whose launch was rejected or never started, with their original request",
    StartAt: STATES.classify,
    States: {
      [STATES.classify]: {
        ...invoke({ action: "classify", "event.$": "$", "executionArn.$": "$$.Execution.Id" }),
        Retry: [lambdaRetry],
        Catch: [
          { ErrorEquals: ["InvalidEventError"], ResultPath: "$.error", Next: STATES.invalidEvent },
          // A task this pipeline launched that failed to start: the execution that launched it counts it.
          { ErrorEquals: ["AlreadyHandledError"], ResultPath: "$.error", Next: STATES.alreadyHandled },
        ],
        Next: STATES.route,
      },
      [STATES.route]: {
        Type: "Choice",
        Choices: Object.entries(ROUTES).map(([next, state]) => ({ Variable: "$.decision.next", StringEquals: next, Next: state })),
        // not_retryable, and anything unforeseen: tell a human and stop.
        Default: STATES.notifyAndEnd,
      },
      [STATES.notifyAndWait]: notify({ Next: STATES.backoff }),
      [STATES.backoff]: { Type: "Wait", SecondsPath: "$.decision.delaySeconds", Next: STATES.rerun },
      [STATES.rerun]: {
        ...invoke({ action: "rerun", "failure.$": "$.failure", "attempt.$": "$.decision.nextAttempt", "executionArn.$": "$$.Execution.Id" }),
        Retry: [lambdaRetry, retryWithJitter(ECS_TRANSIENT_ERRORS, 5, 8, 60)],
        Next: STATES.route,
      },
      [STATES.notifyAndEnd]: notify({ End: true }),
      [STATES.notifyAndFail]: notify({ Next: STATES.gaveUp }),
      [STATES.gaveUp]: { Type: "Fail", Error: "GaveUp", Cause: "The task could not be launched within the allowed attempts; see the gave_up notice." },
      // The Lambda's message says which field was missing or malformed.
      [STATES.invalidEvent]: { Type: "Fail", Error: "InvalidEvent", CausePath: "$.error.Cause" },
      [STATES.alreadyHandled]: { Type: "Succeed", Comment: "Counted as a failed attempt by the execution that launched the task." },
    },
  };
}
