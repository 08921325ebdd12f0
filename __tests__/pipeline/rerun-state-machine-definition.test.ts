// The rerun state machine's definition written out in full (issue 23): the Lambda contract (payload,
// ResultSelector, Classify's retries, the InvalidEvent catch), every retried error name of the Lambda
// and SNS states, and the quiet routes, pinned by a unit test rather than by the drill alone. A pure
// function of its inputs, so no stack is synthesized.
import { rerunStateMachineDefinition } from "../../modules/pipeline/orchestration/rerun-state-machine";

const INPUT = {
  rerunFunctionArn: "arn:aws:lambda:eu-west-1:111122223333:function:ecs-rerun",
  topicArn: "arn:aws:sns:eu-west-1:111122223333:ecs-rerun",
  deadLetterQueueUrl: "https://sqs.eu-west-1.amazonaws.com/111122223333/ecs-rerun-notices",
  metricDimension: "ecs-rerun",
};

const LAMBDA_RETRY = {
  ErrorEquals: ["Lambda.ServiceException", "Lambda.AWSLambdaException", "Lambda.SdkClientException", "Lambda.TooManyRequestsException"],
  IntervalSeconds: 2,
  MaxAttempts: 6,
  BackoffRate: 2,
  MaxDelaySeconds: 30,
  JitterStrategy: "FULL",
};
const DIED_RETRY = { ErrorEquals: ["Lambda.Unknown", "Sandbox.Timedout", "States.Timeout"], IntervalSeconds: 5, MaxAttempts: 4, BackoffRate: 2, MaxDelaySeconds: 60, JitterStrategy: "FULL" };
const RESULT_SELECTOR = { "failure.$": "$.Payload.failure", "decision.$": "$.Payload.decision", "notice.$": "$.Payload.notice", "noticeMessage.$": "$.Payload.noticeMessage" };

function notify(next: Record<string, unknown>): Record<string, unknown> {
  return {
    Type: "Task",
    Resource: "arn:aws:states:::sns:publish",
    Parameters: { TopicArn: INPUT.topicArn, "Message.$": "$.noticeMessage", MessageAttributes: { kind: { DataType: "String", "StringValue.$": "$.notice.kind" } } },
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
    Catch: [{ ErrorEquals: ["States.ALL"], ResultPath: "$.noticeError", Next: "ParkNotice" }],
    ...next,
  };
}

const ROUTES = [
  { Variable: "$.decision.next", StringEquals: "retry", Next: "NotifyAndWait" },
  { Variable: "$.decision.next", StringEquals: "verify", Next: "Backoff" },
  { Variable: "$.decision.next", StringEquals: "later", Next: "Backoff" },
  { Variable: "$.decision.next", StringEquals: "recovered", Next: "NotifyAndEnd" },
  { Variable: "$.decision.next", StringEquals: "report", Next: "NotifyAndEnd" },
  { Variable: "$.decision.next", StringEquals: "gave_up", Next: "NotifyAndFail" },
  { Variable: "$.decision.next", StringEquals: "already_handled", Next: "AlreadyHandled" },
  { Variable: "$.decision.next", StringEquals: "needs_human", Next: "NotifyAndEnd" },
];

function expected(timeout: number, route: Record<string, unknown>, afterNotice: unknown[]): Record<string, unknown> {
  return {
    Comment: "ecs-rerun: rerun ECS tasks whose launch was rejected or never started, with their original request",
    StartAt: "Classify",
    States: {
      Classify: {
        Type: "Task",
        Resource: "arn:aws:states:::lambda:invoke",
        Parameters: { FunctionName: INPUT.rerunFunctionArn, Payload: { action: "classify", "event.$": "$", "executionArn.$": "$$.Execution.Id" } },
        ResultSelector: RESULT_SELECTOR,
        TimeoutSeconds: timeout,
        Retry: [LAMBDA_RETRY, DIED_RETRY],
        Catch: [{ ErrorEquals: ["InvalidEventError"], ResultPath: "$.error", Next: "InvalidEvent" }],
        Next: "Route",
      },
      Route: route,
      NotifyAndWait: notify({ Next: "Backoff" }),
      Backoff: { Type: "Wait", SecondsPath: "$.decision.delaySeconds", Next: "Rerun" },
      Rerun: {
        Type: "Task",
        Resource: "arn:aws:states:::lambda:invoke",
        Parameters: {
          FunctionName: INPUT.rerunFunctionArn,
          Payload: { action: "rerun", "failure.$": "$.failure", "attempt.$": "$.decision.nextAttempt", "executionArn.$": "$$.Execution.Id" },
        },
        ResultSelector: RESULT_SELECTOR,
        TimeoutSeconds: timeout,
        Retry: [LAMBDA_RETRY, DIED_RETRY],
        Next: "Route",
      },
      NotifyAndEnd: notify({ End: true }),
      NotifyAndFail: notify({ Next: "GaveUp" }),
      ParkNotice: {
        Type: "Task",
        Resource: "arn:aws:states:::sqs:sendMessage",
        Parameters: { QueueUrl: INPUT.deadLetterQueueUrl, "MessageBody.$": "$.noticeMessage" },
        ResultPath: null,
        Catch: [{ ErrorEquals: ["States.ALL"], ResultPath: "$.parkError", Next: "CountLostNotice" }],
        Next: "CountLostNotice",
      },
      CountLostNotice: {
        Type: "Task",
        Resource: "arn:aws:states:::aws-sdk:cloudwatch:putMetricData",
        Parameters: {
          Namespace: "ecs-rerun",
          MetricData: [{ MetricName: "NoticesFailed", Dimensions: [{ Name: "StateMachine", Value: "ecs-rerun" }], Value: 1, Unit: "Count" }],
        },
        ResultPath: null,
        Catch: [{ ErrorEquals: ["States.ALL"], ResultPath: "$.metricError", Next: "AfterNotice" }],
        Next: "AfterNotice",
      },
      AfterNotice: { Type: "Choice", Choices: afterNotice, Default: "NoticeLost" },
      NoticeLost: { Type: "Succeed", Comment: "The closing notice was lost: the NoticesFailed alarm tells a human." },
      GaveUp: { Type: "Fail", Error: "GaveUp", Cause: "The task could not be launched within the allowed attempts; see the gave_up notice." },
      InvalidEvent: { Type: "Fail", Error: "InvalidEvent", CausePath: "$.error.Cause" },
      AlreadyHandled: { Type: "Succeed", Comment: "A task this pipeline launched: counted as a failed attempt by the execution that launched it." },
    },
  };
}

const next = (v: string) => ({ Variable: "$.decision.next", StringEquals: v });
const publish = (v: boolean) => [
  { Variable: "$.decision.publish", IsPresent: true },
  { Variable: "$.decision.publish", BooleanEquals: v },
];

describe("the rerun state machine's definition", () => {
  it("every step publishes (the default): this definition, a 120 s Lambda timeout", () => {
    const definition = expected(120, { Type: "Choice", Choices: ROUTES, Default: "NotifyAndEnd" }, [
      { Variable: "$.decision.next", StringEquals: "retry", Next: "Backoff" },
      { Variable: "$.decision.next", StringEquals: "gave_up", Next: "GaveUp" },
    ]);
    expect(rerunStateMachineDefinition(INPUT)).toEqual(definition);
    expect(rerunStateMachineDefinition({ ...INPUT, quietSteps: false })).toEqual(definition);
  });

  it("quiet steps: the Lambda's publish flag routes, a gave-up step is never quiet, and EndQuietly exists", () => {
    const route = {
      Type: "Choice",
      Choices: [
        { And: [...publish(true), { Or: [next("verify"), next("later")] }], Next: "NotifyAndWait" },
        { And: [...publish(false), { Or: [next("retry"), next("verify"), next("later")] }], Next: "Backoff" },
        { And: [...publish(false), next("already_handled")], Next: "AlreadyHandled" },
        { And: [...publish(false), { Not: next("gave_up") }], Next: "EndQuietly" },
        ...ROUTES,
      ],
      Default: "NotifyAndEnd",
    };
    const definition = expected(45, route, [{ Or: [next("retry"), next("verify"), next("later")], Next: "Backoff" }, { Variable: "$.decision.next", StringEquals: "gave_up", Next: "GaveUp" }]);
    (definition.States as Record<string, unknown>).EndQuietly = { Type: "Succeed", Comment: "An outcome NOTIFY does not tell (a recovery in problems mode): nothing published." };
    expect(rerunStateMachineDefinition({ ...INPUT, quietSteps: true, lambdaTimeoutSeconds: 45 })).toEqual(definition);
  });
});
