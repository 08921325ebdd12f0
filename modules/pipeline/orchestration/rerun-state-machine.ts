/**
 * The rerun workflow as Amazon States Language: a pure function of the ARNs it calls, so tests and
 * the drill run the very definition the stacks deploy.
 */

/** Inputs of {@link rerunStateMachineDefinition}. */
export interface RerunStateMachineInput {
  /** ARN of the rerun Lambda (classifies, reruns and verifies). */
  readonly rerunFunctionArn: string;
  /** ARN of the SNS topic notices are published to. */
  readonly topicArn: string;
  /** URL of the dead-letter queue a notice is parked in when the topic refuses it. */
  readonly deadLetterQueueUrl: string;
  /** Value of the `StateMachine` dimension of the NoticesFailed metric (the state machine's name). */
  readonly metricDimension: string;
  /** Seconds before Step Functions gives up on one Lambda invocation. @default 120 */
  readonly lambdaTimeoutSeconds?: number;
  /**
   * Route on the Lambda's `decision.publish` (NOTIFY outcomes or problems): a step it says not to tell
   * is not published. false: every notice state reached publishes, the definition of NOTIFY
   * every-step, byte for byte the one before notify modes existed. @default false
   */
  readonly quietSteps?: boolean;
}

/** Errors of the Lambda service itself: the function did not run or its answer was lost. */
export const LAMBDA_TRANSIENT_ERRORS = [
  "Lambda.ServiceException",
  "Lambda.AWSLambdaException",
  "Lambda.SdkClientException",
  "Lambda.TooManyRequestsException",
] as const;

/**
 * An invocation that died mid-way: Step Functions reports a function timeout or out-of-memory as
 * `Lambda.Unknown` (Step Functions developer guide, "Handle Lambda service exceptions"), newer
 * runtimes as `Sandbox.Timedout`; `States.Timeout` is the Task state's own TimeoutSeconds. Retried
 * on both Lambda states: classify has no side effect, and a rerun repeated with the same attempt
 * never launches twice (RunTask repeats its clientToken; StartTask first looks for the tasks it
 * tagged at launch).
 */
export const LAMBDA_DIED_ERRORS = ["Lambda.Unknown", "Sandbox.Timedout", "States.Timeout"] as const;

/** CloudWatch namespace and metric of notices Step Functions could not publish. */
export const NOTICE_FAILURE_METRIC = { namespace: "ecs-rerun", metricName: "NoticesFailed", dimension: "StateMachine" } as const;
/** Names of the states, for tests and the drill's timeline. */
export const STATES = {
  classify: "Classify",
  route: "Route",
  notifyAndWait: "NotifyAndWait",
  notifyAndEnd: "NotifyAndEnd",
  notifyAndFail: "NotifyAndFail",
  backoff: "Backoff",
  rerun: "Rerun",
  noticeFailed: "ParkNotice",
  countLostNotice: "CountLostNotice",
  afterNotice: "AfterNotice",
  noticeLost: "NoticeLost",
  gaveUp: "GaveUp",
  invalidEvent: "InvalidEvent",
  alreadyHandled: "AlreadyHandled",
  endQuietly: "EndQuietly",
} as const;

/** The Lambda's `decision.next` values and where each one goes. */
export const ROUTES = {
  retry: STATES.notifyAndWait,
  verify: STATES.backoff,
  later: STATES.backoff,
  recovered: STATES.notifyAndEnd,
  report: STATES.notifyAndEnd,
  gave_up: STATES.notifyAndFail,
  already_handled: STATES.alreadyHandled,
  needs_human: STATES.notifyAndEnd,
} as const;

/**
 * The rerun state machine (Amazon States Language, JSONPath):
 *
 *   Classify -> Route --retry--> NotifyAndWait -> Backoff (Wait) -> Rerun -> Route ...
 *                     --verify / later--> Backoff -> Rerun (check launched tasks, or try the same attempt again)
 *                     --recovered / report / not_retryable / needs_human / self_test--> NotifyAndEnd
 *                     --gave_up--> NotifyAndFail -> GaveUp (Fail: counted by ExecutionsFailed, alarmed)
 *                     --already_handled--> AlreadyHandled (a task this pipeline launched: its own execution counts it)
 *   any Notify* that fails past its retries -> ParkNotice (the notice into the dead-letter queue, whose
 *   alarm and contents a human reads) -> CountLostNotice (NoticesFailed metric, alarmed) -> AfterNotice,
 *   which goes on exactly where the notice would have: a broken topic never stops a rerun, and the
 *   notice still reaches a place a human looks at (the queue needs no KMS key of the topic's).
 *
 * The Lambda decides (`decision.next`) and writes the notice; the state machine holds every wait
 * durably. The Lambda returns its normal outcomes, ECS throttling and 5xx included ("later": the
 * same attempt after a wait), so its Errors metric counts only real faults. Retrying `Rerun` after
 * an invocation died cannot start a task twice: RunTask repeats its clientToken, which ECS answers
 * with the first answer; StartTask first looks for the tasks this attempt tagged at launch.
 */
export function rerunStateMachineDefinition(input: RerunStateMachineInput): Record<string, unknown> {
  const timeout = input.lambdaTimeoutSeconds ?? 120;
  const invoke = (payload: Record<string, unknown>) => ({
    Type: "Task",
    Resource: "arn:aws:states:::lambda:invoke",
    Parameters: { FunctionName: input.rerunFunctionArn, Payload: payload },
    ResultSelector: { "failure.$": "$.Payload.failure", "decision.$": "$.Payload.decision", "notice.$": "$.Payload.notice", "noticeMessage.$": "$.Payload.noticeMessage" },
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
  const diedRetry = retryWithJitter(LAMBDA_DIED_ERRORS, 5, 4, 60);
  // A notice that cannot be published (a broken key policy, a deleted topic) is counted and the
  // execution goes on: the rerun matters more than its announcement.
  const noticeCatch = [{ ErrorEquals: ["States.ALL"], ResultPath: "$.noticeError", Next: STATES.noticeFailed }];
  const notify = (next: { Next: string } | { End: true }) => ({
    Type: "Task",
    Resource: "arn:aws:states:::sns:publish",
    Parameters: {
      TopicArn: input.topicArn,
      "Message.$": "$.noticeMessage",
      MessageAttributes: { kind: { DataType: "String", "StringValue.$": "$.notice.kind" } },
    },
    ResultPath: null,
    Retry: [retryWithJitter(["SNS.ThrottledException", "SNS.InternalErrorException", "SNS.KMSThrottlingException", "SNS.SdkClientException"], 2, 6, 30)],
    Catch: noticeCatch,
    ...next,
  });
  const routes = Object.entries(ROUTES).map(([next, state]) => ({ Variable: "$.decision.next", StringEquals: next, Next: state }));
  const nextIs = (...values: string[]) => values.map((v) => ({ Variable: "$.decision.next", StringEquals: v }));
  // Absent (a Lambda of before notify modes): publish, as every-step does.
  const publishIs = (value: boolean) => [{ Variable: "$.decision.publish", IsPresent: true }, { Variable: "$.decision.publish", BooleanEquals: value }];
  const quiet = input.quietSteps === true;
  const definition = {
    Comment: "ecs-rerun: rerun ECS tasks whose launch was rejected or never started, with their original request",
    StartAt: STATES.classify,
    States: {
      [STATES.classify]: {
        ...invoke({ action: "classify", "event.$": "$", "executionArn.$": "$$.Execution.Id" }),
        Retry: [lambdaRetry, diedRetry],
        Catch: [{ ErrorEquals: ["InvalidEventError"], ResultPath: "$.error", Next: STATES.invalidEvent }],
        Next: STATES.route,
      },
      [STATES.route]: {
        Type: "Choice",
        Choices: quiet
          ? [
              // A "still trying" notice on a verify or later round: told, then the same wait.
              { And: [...publishIs(true), { Or: nextIs("verify", "later") }], Next: STATES.notifyAndWait },
              // A step the Lambda does not tell goes where it would have gone, without the notice (and
              // without an extra state: a storm's many "later" rounds cost no more than before).
              { And: [...publishIs(false), { Or: nextIs("retry", "verify", "later") }], Next: STATES.backoff },
              { And: [...publishIs(false), ...nextIs("already_handled")], Next: STATES.alreadyHandled },
              // Never quiet: a gave-up execution fails (and alarms) whatever the Lambda says of its notice.
              { And: [...publishIs(false), { Not: nextIs("gave_up")[0] }], Next: STATES.endQuietly },
              ...routes,
            ]
          : routes,
        // not_retryable, a self-test (its one notice), and anything unforeseen: tell a human and stop.
        Default: STATES.notifyAndEnd,
      },
      [STATES.notifyAndWait]: notify({ Next: STATES.backoff }),
      [STATES.backoff]: { Type: "Wait", SecondsPath: "$.decision.delaySeconds", Next: STATES.rerun },
      [STATES.rerun]: {
        ...invoke({ action: "rerun", "failure.$": "$.failure", "attempt.$": "$.decision.nextAttempt", "executionArn.$": "$$.Execution.Id" }),
        Retry: [lambdaRetry, diedRetry],
        Next: STATES.route,
      },
      [STATES.notifyAndEnd]: notify({ End: true }),
      [STATES.notifyAndFail]: notify({ Next: STATES.gaveUp }),
      [STATES.noticeFailed]: {
        Type: "Task",
        Resource: "arn:aws:states:::sqs:sendMessage",
        Parameters: { QueueUrl: input.deadLetterQueueUrl, "MessageBody.$": "$.noticeMessage" },
        ResultPath: null,
        Catch: [{ ErrorEquals: ["States.ALL"], ResultPath: "$.parkError", Next: STATES.countLostNotice }],
        Next: STATES.countLostNotice,
      },
      [STATES.countLostNotice]: {
        Type: "Task",
        Resource: "arn:aws:states:::aws-sdk:cloudwatch:putMetricData",
        Parameters: {
          Namespace: NOTICE_FAILURE_METRIC.namespace,
          MetricData: [
            {
              MetricName: NOTICE_FAILURE_METRIC.metricName,
              Dimensions: [{ Name: NOTICE_FAILURE_METRIC.dimension, Value: input.metricDimension }],
              Value: 1,
              Unit: "Count",
            },
          ],
        },
        ResultPath: null,
        // Counting is best effort too: nothing may stand between a failed notice and the rerun.
        Catch: [{ ErrorEquals: ["States.ALL"], ResultPath: "$.metricError", Next: STATES.afterNotice }],
        Next: STATES.afterNotice,
      },
      [STATES.afterNotice]: {
        Type: "Choice",
        Choices: [
          // A lost "still trying" notice of a verify or later round must not end the execution either.
          ...(quiet ? [{ Or: nextIs("retry", "verify", "later"), Next: STATES.backoff }] : [{ Variable: "$.decision.next", StringEquals: "retry", Next: STATES.backoff }]),
          { Variable: "$.decision.next", StringEquals: "gave_up", Next: STATES.gaveUp },
        ],
        Default: STATES.noticeLost,
      },
      [STATES.noticeLost]: { Type: "Succeed", Comment: "The closing notice was lost: the NoticesFailed alarm tells a human." },
      [STATES.gaveUp]: { Type: "Fail", Error: "GaveUp", Cause: "The task could not be launched within the allowed attempts; see the gave_up notice." },
      // The Lambda's message says which field was missing or malformed.
      [STATES.invalidEvent]: { Type: "Fail", Error: "InvalidEvent", CausePath: "$.error.Cause" },
      [STATES.alreadyHandled]: { Type: "Succeed", Comment: "A task this pipeline launched: counted as a failed attempt by the execution that launched it." },
    },
  };
  if (!quiet) return definition;
  return {
    ...definition,
    States: {
      ...definition.States,
      [STATES.endQuietly]: { Type: "Succeed", Comment: "An outcome NOTIFY does not tell (a recovery in problems mode): nothing published." },
    },
  };
}
