/** Inputs of {@link rerunStateMachineDefinition}. */
export interface RerunStateMachineInput {
  /** ARN of the rerun Lambda (classifies and reruns). */
  readonly rerunFunctionArn: string;
  /** ARN of the SNS topic notices are published to. */
  readonly topicArn: string;
  /** Seconds before Step Functions gives up on one Lambda invocation. @default 60 */
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
  notify: "Notify",
  route: "Route",
  backoff: "Backoff",
  rerun: "Rerun",
  recovered: "Recovered",
  needsHuman: "NeedsHuman",
  gaveUp: "GaveUp",
  invalidEvent: "InvalidEvent",
} as const;

/**
 * The rerun state machine (Amazon States Language, JSONPath):
 *
 *   Classify -> Notify -> Route --retry--> Backoff (Wait) -> Rerun -> Notify -> Route ...
 *                               --recovered--> Recovered (Succeed)
 *                               --not_retryable--> NeedsHuman (Succeed: a human was told)
 *                               --gave_up--> GaveUp (Fail: counted by ExecutionsFailed and alarmed)
 *
 * The Lambda decides (`decision.next`) and writes the notice; the state machine holds the waits
 * durably and owns every retry. Retrying `Rerun` cannot start a task twice: a RunTask retry carries
 * the same clientToken, which ECS answers with the first answer; the Lambda never throws a
 * retryable error for a StartTask whose outcome is unknown (StartTask has no idempotency token).
 */
export function rerunStateMachineDefinition(input: RerunStateMachineInput): Record<string, unknown> {
  const timeout = input.lambdaTimeoutSeconds ?? 60;
  const invoke = (payload: Record<string, unknown>) => ({
    Type: "Task",
    Resource: "arn:aws:states:::lambda:invoke",
    Parameters: { FunctionName: input.rerunFunctionArn, Payload: payload },
    ResultSelector: { "failure.$": "$.Payload.failure", "decision.$": "$.Payload.decision", "notice.$": "$.Payload.notice" },
    TimeoutSeconds: timeout,
  });
  const lambdaRetry = {
    ErrorEquals: [...LAMBDA_TRANSIENT_ERRORS],
    IntervalSeconds: 2,
    MaxAttempts: 6,
    BackoffRate: 2,
    MaxDelaySeconds: 30,
    JitterStrategy: "FULL",
  };
  return {
    Comment: "ecs-rerun: rerun ECS tasks whose launch was rejected, with their original request",
    StartAt: STATES.classify,
    States: {
      [STATES.classify]: {
        ...invoke({ action: "classify", "event.$": "$", "executionArn.$": "$$.Execution.Id" }),
        Retry: [lambdaRetry],
        Catch: [{ ErrorEquals: ["InvalidEventError"], ResultPath: "$.error", Next: STATES.invalidEvent }],
        Next: STATES.notify,
      },
      [STATES.notify]: {
        Type: "Task",
        Resource: "arn:aws:states:::sns:publish",
        Parameters: {
          TopicArn: input.topicArn,
          "Message.$": "States.JsonToString($.notice)",
          MessageAttributes: { kind: { DataType: "String", "StringValue.$": "$.notice.kind" } },
        },
        ResultPath: null,
        Retry: [
          {
            ErrorEquals: ["SNS.ThrottledException", "SNS.InternalErrorException", "SNS.KMSThrottlingException", "SNS.SdkClientException"],
            IntervalSeconds: 2,
            MaxAttempts: 6,
            BackoffRate: 2,
            MaxDelaySeconds: 30,
            JitterStrategy: "FULL",
          },
        ],
        Next: STATES.route,
      },
      [STATES.route]: {
        Type: "Choice",
        Choices: [
          { Variable: "$.decision.next", StringEquals: "retry", Next: STATES.backoff },
          { Variable: "$.decision.next", StringEquals: "recovered", Next: STATES.recovered },
          { Variable: "$.decision.next", StringEquals: "gave_up", Next: STATES.gaveUp },
        ],
        Default: STATES.needsHuman,
      },
      [STATES.backoff]: { Type: "Wait", SecondsPath: "$.decision.delaySeconds", Next: STATES.rerun },
      [STATES.rerun]: {
        ...invoke({ action: "rerun", "failure.$": "$.failure", "attempt.$": "$.decision.nextAttempt", "executionArn.$": "$$.Execution.Id" }),
        Retry: [
          lambdaRetry,
          {
            ErrorEquals: [...ECS_TRANSIENT_ERRORS],
            IntervalSeconds: 5,
            MaxAttempts: 8,
            BackoffRate: 2,
            MaxDelaySeconds: 60,
            JitterStrategy: "FULL",
          },
        ],
        Next: STATES.notify,
      },
      [STATES.recovered]: { Type: "Succeed" },
      [STATES.needsHuman]: { Type: "Succeed", Comment: "Not retryable: the notice asked a human to look." },
      [STATES.gaveUp]: { Type: "Fail", Error: "GaveUp", Cause: "The task could not be launched within the allowed attempts; see the gave_up notice." },
      // The Lambda's message says which field was missing or malformed.
      [STATES.invalidEvent]: { Type: "Fail", Error: "InvalidEvent", CausePath: "$.error.Cause" },
    },
  };
}
