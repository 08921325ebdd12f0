import { Testing, TerraformStack } from "cdktf";
import validateAsl from "asl-validator";
import { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import { Cloudtrail } from "@cdktf/provider-aws/lib/cloudtrail";
import { LambdaFunction } from "@cdktf/provider-aws/lib/lambda-function";
import { LambdaFunctionEventInvokeConfig } from "@cdktf/provider-aws/lib/lambda-function-event-invoke-config";
import { SfnStateMachine } from "@cdktf/provider-aws/lib/sfn-state-machine";
import { SnsTopic } from "@cdktf/provider-aws/lib/sns-topic";
import { SnsTopicSubscription } from "@cdktf/provider-aws/lib/sns-topic-subscription";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { EcsRerunPipeline, type EcsRerunPipelineProps } from "../../modules/pipeline/rerun-pipeline";
import { EcsRerunStack } from "../../modules/pipeline/ecs-rerun-stack";
import { matchesEventPattern } from "../../drill/event-pattern/event-pattern-matcher";
import { deployed } from "../../drill/synthesized/synthesized-pipeline";
import { AGENT_EVENT, SUCCESS_EVENT, STEP_FUNCTIONS_EVENT, agentEventWith, loadEvent } from "../support/events";
import { asList, iamStatements, resourcesOf, synthJson, type TfJson } from "../support/synth";

function synthPipeline(props: Partial<EcsRerunPipelineProps> = {}) {
  const app = Testing.app();
  const stack = new TerraformStack(app, "ecs-rerun");
  new AwsProvider(stack, "aws", { region: "ap-northeast-1" });
  const pipeline = new EcsRerunPipeline(stack, "pipeline", { clusters: ["batch-ec2"], slackWebhookParameterName: "/ecs-rerun/slack-webhook", ...props });
  return { pipeline, raw: Testing.synth(stack), tf: synthJson(stack) };
}

/** The rule's event_pattern as synthesized, not the object the construct started from, as deployed in the drill's account. */
const synthesizedPattern = (tf: TfJson) => JSON.parse(deployed(resourcesOf(tf, "aws_cloudwatch_event_rule")[0].event_pattern as string, "ap-northeast-1"));
const definition = (tf: TfJson) => JSON.parse(resourcesOf(tf, "aws_sfn_state_machine")[0].definition as string);

describe("detection: the synthesized rule's event pattern", () => {
  const { tf } = synthPipeline({ clusters: ["batch-ec2", "arn:aws:ecs:ap-northeast-1:123456789012:cluster/reports"] });
  const pattern = synthesizedPattern(tf);
  const matches = (event: unknown) => matchesEventPattern(pattern, event);

  test("matches a failed RunTask on a protected cluster named by ARN", () => {
    expect(matches(loadEvent(AGENT_EVENT))).toBe(true);
  });
  test("matches a failed RunTask on a protected cluster named by short name", () => {
    expect(matches(agentEventWith((d) => (d.requestParameters.cluster = "batch-ec2")))).toBe(true);
  });
  test("matches a cluster protected by ARN when the call uses its short name", () => {
    expect(matches(agentEventWith((d) => (d.requestParameters.cluster = "reports")))).toBe(true);
  });
  test("matches a failed StartTask", () => {
    expect(matches(agentEventWith((d) => { d.eventName = "StartTask"; d.requestParameters.containerInstances = ["7a1c2b3d"]; }))).toBe(true);
  });
  test("matches a call with no startedBy at all", () => {
    expect(matches(agentEventWith((d) => delete d.requestParameters.startedBy))).toBe(true);
  });
  test("matches a call by an IAM user, who has no session issuer", () => {
    expect(matches(agentEventWith((d) => (d.userIdentity = { type: "IAMUser", userName: "ops", arn: "arn:aws:iam::123456789012:user/ops" })))).toBe(true);
  });
  test("does not match a successful launch whose failures list is empty", () => {
    expect(matches(loadEvent(SUCCESS_EVENT))).toBe(false);
  });
  test("does not match a cluster it does not protect, even one whose name ends the same", () => {
    expect(matches(agentEventWith((d) => (d.requestParameters.cluster = "arn:aws:ecs:ap-northeast-1:123456789012:cluster/other")))).toBe(false);
    expect(matches(agentEventWith((d) => (d.requestParameters.cluster = "arn:aws:ecs:ap-northeast-1:123456789012:cluster/my-batch-ec2")))).toBe(false);
  });
  test("does not match a call that names no cluster unless 'default' is protected", () => {
    const noCluster = agentEventWith((d) => delete d.requestParameters.cluster);
    expect(matches(noCluster)).toBe(false);
    expect(matchesEventPattern(synthesizedPattern(synthPipeline({ clusters: ["default"] }).tf), noCluster)).toBe(true);
  });
  test("does not match reruns: calls by any role under the relaunch path /ecs-rerun/, its own or another pipeline's", () => {
    const byRole = (path: string, name: string) =>
      agentEventWith((d) => {
        d.userIdentity.sessionContext.sessionIssuer.userName = name;
        d.userIdentity.sessionContext.sessionIssuer.arn = `arn:aws:iam::123456789012:role${path}${name}`;
      });
    expect(matches(byRole("/ecs-rerun/", "ecs-rerun-rerun-ap-northeast-1"))).toBe(false);
    expect(matches(byRole("/ecs-rerun/", "team-b-rerun-eu-west-1"))).toBe(false);
    // A role of the same name outside the path, or a path that only starts alike, is somebody else's.
    expect(matches(byRole("/", "ecs-rerun-rerun-ap-northeast-1"))).toBe(true);
    expect(matches(byRole("/ecs-rerun-jobs/", "nightly"))).toBe(true);
  });
  test("matches a call by an AWS service, which has no session context at all", () => {
    expect(matches(agentEventWith((d) => (d.userIdentity = { type: "AWSService", invokedBy: "events.amazonaws.com" })))).toBe(true);
  });
  test("does not match calls started by Step Functions, which retry on their own", () => {
    expect(matches(loadEvent(STEP_FUNCTIONS_EVENT))).toBe(false);
  });
  test("catches Step Functions' calls too when the ignore list is emptied", () => {
    expect(matchesEventPattern(synthesizedPattern(synthPipeline({ ignoreStartedBy: [] }).tf), loadEvent(STEP_FUNCTIONS_EVENT))).toBe(true);
  });
});

describe("orchestration: the synthesized state machine (NOTIFY every-step: the definition as it was before notify modes)", () => {
  const { raw, tf } = synthPipeline({ notify: "every-step" });
  const asl = definition(tf);

  test("is a Standard state machine logging errors to CloudWatch Logs, without execution data (overrides may hold secrets)", () => {
    expect(raw).toHaveResourceWithProperties(SfnStateMachine, {
      type: "STANDARD",
      logging_configuration: { level: "ERROR", include_execution_data: false, log_destination: expect.stringContaining("aws_cloudwatch_log_group") },
    });
    const { raw: verbose } = synthPipeline({ stateMachineLogLevel: "ALL", logExecutionData: true });
    expect(verbose).toHaveResourceWithProperties(SfnStateMachine, { logging_configuration: expect.objectContaining({ level: "ALL", include_execution_data: true }) });
    expect(() => synthPipeline({ stateMachineLogLevel: "DEBUG" })).toThrow('stateMachineLogLevel = "DEBUG" is invalid: expected "ALL", "ERROR", "FATAL" or "OFF"');
  });

  test("passes asl-validator", () => {
    expect(validateAsl(structuredClone(asl))).toMatchObject({ isValid: true, errors: [] });
  });

  test("asl-validator does reject a broken definition (the check above can fail)", () => {
    const broken = { ...structuredClone(asl), States: { ...asl.States, Backoff: { ...asl.States.Backoff, Next: "Nowhere" } } };
    expect(validateAsl(broken).isValid).toBe(false);
  });

  test("classifies, then notifies and waits, verifies, reruns, or gives up with a failed execution", () => {
    expect(asl.StartAt).toBe("Classify");
    expect(asl.States.Classify.Next).toBe("Route");
    expect(asl.States.Route.Choices).toEqual([
      expect.objectContaining({ Variable: "$.decision.next", StringEquals: "retry", Next: "NotifyAndWait" }),
      expect.objectContaining({ StringEquals: "verify", Next: "Backoff" }),
      expect.objectContaining({ StringEquals: "later", Next: "Backoff" }),
      expect.objectContaining({ StringEquals: "recovered", Next: "NotifyAndEnd" }),
      expect.objectContaining({ StringEquals: "report", Next: "NotifyAndEnd" }),
      expect.objectContaining({ StringEquals: "gave_up", Next: "NotifyAndFail" }),
      expect.objectContaining({ StringEquals: "already_handled", Next: "AlreadyHandled" }),
      expect.objectContaining({ StringEquals: "needs_human", Next: "NotifyAndEnd" }),
    ]);
    // not_retryable: a human is told and the execution ends.
    expect(asl.States.Route.Default).toBe("NotifyAndEnd");
    for (const notify of ["NotifyAndWait", "NotifyAndEnd", "NotifyAndFail"]) {
      expect(asl.States[notify]).toMatchObject({ Resource: "arn:aws:states:::sns:publish", Parameters: { "Message.$": "$.noticeMessage" } });
    }
    expect(asl.States.NotifyAndWait.Next).toBe("Backoff");
    expect(asl.States.NotifyAndEnd.End).toBe(true);
    expect(asl.States.NotifyAndFail.Next).toBe("GaveUp");
    expect(asl.States.Backoff).toEqual({ Type: "Wait", SecondsPath: "$.decision.delaySeconds", Next: "Rerun" });
    expect(asl.States.Rerun.Next).toBe("Route");
    expect(asl.States.GaveUp).toMatchObject({ Type: "Fail", Error: "GaveUp" });
  });

  test("ends quietly for a task the pipeline launched itself: the launching execution counts it", () => {
    expect(asl.States.AlreadyHandled.Type).toBe("Succeed");
    // A normal outcome is returned, not thrown: no Catch is needed, and the Errors alarm stays quiet.
    expect(JSON.stringify(asl)).not.toContain("AlreadyHandledError");
  });

  test("retries Lambda service errors and invocations that died, with backoff and full jitter; ECS trouble is a returned 'later'", () => {
    for (const r of asl.States.Rerun.Retry) expect(r).toMatchObject({ BackoffRate: 2, JitterStrategy: "FULL", MaxDelaySeconds: expect.any(Number) });
    const retried = asl.States.Rerun.Retry.flatMap((r: { ErrorEquals: string[] }) => r.ErrorEquals);
    expect(retried).toEqual(expect.arrayContaining(["Lambda.TooManyRequestsException", "Lambda.Unknown", "Sandbox.Timedout", "States.Timeout"]));
    expect(retried).not.toContain("EcsThrottledError");
  });

  test("never retries the rerun on a blanket error: only those a repeated attempt is safe for", () => {
    const retried = asl.States.Rerun.Retry.flatMap((r: { ErrorEquals: string[] }) => r.ErrorEquals);
    for (const unsafe of ["States.ALL", "States.TaskFailed"]) expect(retried).not.toContain(unsafe);
  });

  test("a notice that cannot be published never stops the rerun: it is counted and the execution goes on", () => {
    for (const notify of ["NotifyAndWait", "NotifyAndEnd", "NotifyAndFail"]) {
      expect(asl.States[notify].Catch).toEqual([{ ErrorEquals: ["States.ALL"], ResultPath: "$.noticeError", Next: "ParkNotice" }]);
    }
    // The notice itself still reaches a place a human reads: the dead-letter queue (no topic key needed).
    expect(asl.States.ParkNotice).toMatchObject({
      Resource: "arn:aws:states:::sqs:sendMessage",
      Parameters: { QueueUrl: expect.stringContaining("aws_sqs_queue"), "MessageBody.$": "$.noticeMessage" },
      Next: "CountLostNotice",
      Catch: [expect.objectContaining({ ErrorEquals: ["States.ALL"], Next: "CountLostNotice" })],
    });
    expect(asl.States.CountLostNotice).toMatchObject({
      Resource: "arn:aws:states:::aws-sdk:cloudwatch:putMetricData",
      Parameters: { Namespace: "ecs-rerun", MetricData: [expect.objectContaining({ MetricName: "NoticesFailed" })] },
      Next: "AfterNotice",
      Catch: [expect.objectContaining({ ErrorEquals: ["States.ALL"], Next: "AfterNotice" })],
    });
    expect(asl.States.AfterNotice.Choices).toEqual([
      expect.objectContaining({ StringEquals: "retry", Next: "Backoff" }),
      expect.objectContaining({ StringEquals: "gave_up", Next: "GaveUp" }),
    ]);
  });
});

describe("orchestration with NOTIFY outcomes (the default): the Lambda says which step is told", () => {
  const asl = definition(synthPipeline().tf);

  test("passes asl-validator", () => {
    expect(validateAsl(structuredClone(asl))).toMatchObject({ isValid: true, errors: [] });
  });

  test("a step not told goes where it would have gone without its notice; gave-up is never quiet", () => {
    const choices = asl.States.Route.Choices as Record<string, any>[];
    const quietly = choices.filter((c) => JSON.stringify(c.And ?? []).includes('"BooleanEquals":false'));
    expect(quietly.map((c) => c.Next)).toEqual(["Backoff", "AlreadyHandled", "EndQuietly"]);
    expect(JSON.stringify(quietly[0])).toContain('"retry"');
    // The quiet end excludes gave_up, which goes on to NotifyAndFail and the failed execution.
    expect(quietly[2].And).toContainEqual({ Not: { Variable: "$.decision.next", StringEquals: "gave_up" } });
    expect(asl.States.EndQuietly.Type).toBe("Succeed");
    // A step the Lambda says nothing of (a Lambda of before notify modes) takes the every-step routes.
    expect(choices.slice(4)).toEqual(definition(synthPipeline({ notify: "every-step" }).tf).States.Route.Choices);
  });

  test("a still-trying notice on a verify or later round is told, then the same wait; if it is lost, the wait still comes", () => {
    const first = (asl.States.Route.Choices as Record<string, any>[])[0];
    expect(first.Next).toBe("NotifyAndWait");
    expect(JSON.stringify(first)).toContain('"BooleanEquals":true');
    expect(asl.States.AfterNotice.Choices[0]).toEqual({ Or: ["retry", "verify", "later"].map((v) => ({ Variable: "$.decision.next", StringEquals: v })), Next: "Backoff" });
  });

  test("sets NOTIFY and STILL_TRYING_AFTER_SECONDS for the rerun Lambda; every-step sets neither (the Lambda's default)", () => {
    expect(synthPipeline({ notify: "problems", stillTryingAfterSeconds: 900 }).raw).toHaveResourceWithProperties(LambdaFunction, {
      function_name: "ecs-rerun-rerun",
      environment: { variables: expect.objectContaining({ NOTIFY: "problems", STILL_TRYING_AFTER_SECONDS: "900" }) },
    });
    const everyStep = synthPipeline({ notify: "every-step" }).raw;
    expect(everyStep).not.toContain('"NOTIFY"');
    expect(() => synthPipeline({ notify: "outcome" })).toThrow('notify = "outcome" is invalid: expected one of "outcomes", "problems", "every-step"');
    expect(() => synthPipeline({ stillTryingAfterSeconds: 30 })).toThrow("stillTryingAfterSeconds = 30 is invalid");
  });
});

describe("rerun and notifier Lambdas", () => {
  const { raw, tf } = synthPipeline({ maxAttempts: 5, retryableReasons: ["AGENT"], jitter: "NONE" });

  test("run on nodejs22.x from a bundled package, with the backoff settings in the environment", () => {
    expect(raw).toHaveResourceWithProperties(LambdaFunction, {
      function_name: "ecs-rerun-rerun",
      runtime: "nodejs22.x",
      handler: "index.handler",
      filename: expect.stringMatching(/^assets\/.+\.zip$/),
      source_code_hash: expect.stringMatching(/^[A-Za-z0-9+/]{43}=$/),
      environment: { variables: expect.objectContaining({ MAX_ATTEMPTS: "5", RETRYABLE_REASONS: '["AGENT"]', JITTER: "NONE", FIRST_DELAY_SECONDS: "30", BACKOFF_RATE: "2", MAX_DELAY_SECONDS: "300" }) },
    });
  });

  test("the notifier gets the webhook parameter's name, never a URL", () => {
    expect(raw).toHaveResourceWithProperties(LambdaFunction, {
      function_name: "ecs-rerun-notifier",
      environment: { variables: expect.objectContaining({ SLACK_WEBHOOK_PARAMETER: "/ecs-rerun/slack-webhook" }) },
    });
    expect(raw).not.toMatch(/hooks\.slack\.com/);
    for (const f of resourcesOf(tf, "aws_lambda_function")) {
      const vars = (f.environment as { variables: Record<string, string> }).variables;
      for (const v of Object.values(vars)) expect(v).not.toMatch(/^https?:/);
    }
  });

  test("refuses a URL where the parameter name belongs", () => {
    expect(() => synthPipeline({ slackWebhookParameterName: "https://hooks.slack.com/services/T/B/X" })).toThrow(/the URL itself never goes into config/);
  });

  test("retries the notifier twice, then parks the event in the dead-letter queue", () => {
    expect(raw).toHaveResourceWithProperties(LambdaFunctionEventInvokeConfig, {
      maximum_retry_attempts: 2,
      destination_config: { on_failure: { destination: expect.stringContaining("aws_sqs_queue") } },
    });
    expect(raw).toHaveResourceWithProperties(SnsTopicSubscription, { protocol: "lambda", redrive_policy: expect.stringContaining("aws_sqs_queue") });
  });

  test("without a webhook parameter there is no notifier, but the topic stays", () => {
    const { raw: bare } = synthPipeline({ slackWebhookParameterName: undefined, notificationEmails: ["ops@example.com"] });
    expect(bare).not.toHaveResourceWithProperties(LambdaFunction, { function_name: "ecs-rerun-notifier" });
    expect(bare).toHaveResource(SnsTopic);
    expect(bare).toHaveResourceWithProperties(SnsTopicSubscription, { protocol: "email", endpoint: "ops@example.com" });
  });
});

describe("notices and alarms", () => {
  const { raw, tf } = synthPipeline();

  test("the topic is encrypted with a customer-managed key that rotates", () => {
    expect(raw).toHaveResourceWithProperties(SnsTopic, { kms_master_key_id: expect.stringContaining("aws_kms_key") });
    expect(resourcesOf(tf, "aws_kms_key")).toEqual([expect.objectContaining({ enable_key_rotation: true })]);
  });

  test("uses a given key instead of creating one", () => {
    const { tf: given } = synthPipeline({ kmsKeyArn: "arn:aws:kms:ap-northeast-1:123456789012:key/abc" });
    expect(resourcesOf(given, "aws_kms_key")).toEqual([]);
    expect(resourcesOf(given, "aws_sns_topic")[0].kms_master_key_id).toBe("arn:aws:kms:ap-northeast-1:123456789012:key/abc");
  });

  test.each([
    ["AWS/States", "ExecutionsFailed"],
    ["AWS/SQS", "ApproximateNumberOfMessagesVisible"],
    ["AWS/Lambda", "Errors"],
  ])("alarms on %s %s, notifying the topic", (namespace, metric) => {
    expect(raw).toHaveResourceWithProperties(CloudwatchMetricAlarm, {
      namespace,
      metric_name: metric,
      alarm_actions: [expect.stringContaining("aws_sns_topic")],
    });
  });

  test("alarms on the rerun Lambda's errors only: a Slack hiccup heals by retry, and what does not lands in the alarmed queue", () => {
    const lambdaAlarms = resourcesOf(tf, "aws_cloudwatch_metric_alarm").filter((a) => a.namespace === "AWS/Lambda");
    expect(lambdaAlarms.map((a) => a.alarm_name).sort()).toEqual(["ecs-rerun-reconciler-errors", "ecs-rerun-rerun-errors"]);
  });

  test("alarms on notices that could not be published, and lets every alarm notify somewhere besides the topic", () => {
    expect(raw).toHaveResourceWithProperties(CloudwatchMetricAlarm, { namespace: "ecs-rerun", metric_name: "NoticesFailed", dimensions: { StateMachine: "ecs-rerun" } });
    const { tf: more } = synthPipeline({ alarmActions: ["arn:aws:sns:ap-northeast-1:123456789012:on-call"] });
    for (const a of resourcesOf(more, "aws_cloudwatch_metric_alarm")) expect(a.alarm_actions).toEqual([expect.stringContaining("aws_sns_topic"), "arn:aws:sns:ap-northeast-1:123456789012:on-call"]);
  });

  test("creates a management-events trail only when asked", () => {
    expect(raw).not.toHaveResource(Cloudtrail);
    expect(synthPipeline({ createTrail: true }).raw).toHaveResourceWithProperties(Cloudtrail, {
      event_selector: [{ include_management_events: true, read_write_type: "WriteOnly" }],
    });
  });

  test("keeps the trail's bucket, logs and all, at destroy unless trailForceDestroy lets the destroy delete them", () => {
    const forceDestroy = (props: Partial<EcsRerunPipelineProps>) => resourcesOf(synthPipeline({ createTrail: true, ...props }).tf, "aws_s3_bucket").map((b) => b.force_destroy);
    expect(forceDestroy({})).toEqual([false]);
    expect(forceDestroy({ trailForceDestroy: true })).toEqual([true]);
  });
});

describe("missed-run alarms through the ecs-rerun stack", () => {
  const stack = new EcsRerunStack(Testing.app(), "ecs-rerun", {
    region: "ap-northeast-1",
    clusters: ["batch-ec2"],
    expectedRuns: [
      { name: "print-date", family: "print-date", intervalSeconds: 86400 },
      { name: "quarter-hourly", startedBy: "events-rule/quarter-hourly", intervalSeconds: 900, graceSeconds: 300 },
    ],
  });
  const tf = synthJson(stack);
  const missed = resourcesOf(tf, "aws_cloudwatch_metric_alarm").filter((a) => String(a.alarm_name).endsWith("-missed-run"));

  test("synthesizes one alarm per expected run, shaped by its interval and grace, notifying the pipeline's topic", () => {
    expect(missed.map((a) => [a.alarm_name, a.period, a.evaluation_periods]).sort()).toEqual([
      ["ecs-rerun-print-date-missed-run", 3600, 25],
      ["ecs-rerun-quarter-hourly-missed-run", 300, 4],
    ]);
    const topic = `\${${Object.keys(tf.resource!.aws_sns_topic).map((id) => `aws_sns_topic.${id}.arn`)[0]}}`;
    for (const a of missed) expect(a).toMatchObject({ alarm_actions: [topic], ok_actions: [topic], treat_missing_data: "breaching" });
  });

  test("counts each run's successes with a metric filter of its own on the run counter's verdicts, fed by one rule", () => {
    expect(resourcesOf(tf, "aws_cloudwatch_log_metric_filter").filter((f) => String(f.name).endsWith("-successful-runs")).map((f) => f.pattern).sort()).toEqual([
      '{ ($.msg = "successful run") && ($.group = "family:print-date") }',
      '{ ($.msg = "successful run") && ($.startedBy = "events-rule/quarter-hourly") }',
    ]);
    expect(resourcesOf(tf, "aws_cloudwatch_event_rule").map((r) => r.name)).toContain("ecs-rerun-successful-runs");
    expect(resourcesOf(tf, "aws_cloudwatch_log_group").map((g) => g.name)).toContain("/aws/lambda/ecs-rerun-run-counter");
  });

  test("plain literals: nothing is count- or for_each-switched", () => {
    for (const byName of Object.values(tf.resource!)) for (const r of Object.values(byName)) expect(r.count ?? r.for_each).toBeUndefined();
  });

  test("no expected runs, no missed-run parts", () => {
    const { tf: none } = synthPipeline();
    expect(resourcesOf(none, "aws_cloudwatch_log_metric_filter").filter((f) => String(f.name).endsWith("-successful-runs"))).toEqual([]);
    expect(resourcesOf(none, "aws_cloudwatch_metric_alarm").filter((a) => String(a.alarm_name).endsWith("-missed-run"))).toEqual([]);
  });
});

describe("least privilege", () => {
  const { tf } = synthPipeline({ clusters: ["batch-ec2", "arn:aws:ecs:ap-northeast-1:123456789012:cluster/reports"] });
  const statements = iamStatements(tf);

  test("no statement grants Action '*'", () => {
    for (const s of statements) expect(asList(s.Action)).not.toContain("*");
  });

  test("Resource '*' appears only where AWS supports nothing narrower, each narrowed by a condition where one exists", () => {
    const starred = statements.filter((s) => asList(s.Resource).includes("*"));
    // ReadEventHistory: LookupEvents supports no resource-level permission (the reconciler's, lambda/reconciler).
    expect(starred.map((s) => s.Sid).sort()).toEqual(["CountNoticesThatFailed", "DeliverExecutionLogs", "FindSchedulesByName", "ReadEventHistory", "ReadStoppedTasksOfProtectedClusters", "ReadTaskDefinitionsForLogLinks", "WatchTasksOnProtectedClusters"]);
    expect(starred.find((s) => s.Sid === "ReadStoppedTasksOfProtectedClusters")?.Condition).toEqual({ ArnEquals: { "ecs:cluster": expect.any(Array) } });
    expect(starred.find((s) => s.Sid === "CountNoticesThatFailed")?.Condition).toEqual({ StringEquals: { "cloudwatch:namespace": "ecs-rerun" } });
    expect(starred.find((s) => s.Sid === "WatchTasksOnProtectedClusters")?.Condition).toEqual({ ArnEquals: { "ecs:cluster": expect.any(Array) } });
  });

  test("RunTask and StartTask carry an ecs:cluster condition naming only the protected clusters", () => {
    const taskDefinitionGrants = statements.filter((s) => asList(s.Action).some((a) => a === "ecs:RunTask" || a === "ecs:StartTask") && asList(s.Resource).some((r) => r.includes(":task-definition/")));
    expect(taskDefinitionGrants).toHaveLength(1);
    const launch = taskDefinitionGrants;
    expect(launch[0].Condition).toEqual({
      ArnEquals: {
        "ecs:cluster": [
          expect.stringMatching(/^arn:\$\{data\.aws_partition\.[^}]+\}:ecs:\$\{data\.aws_region\.[^}]+\}:\$\{data\.aws_caller_identity\.[^}]+\}:cluster\/batch-ec2$/),
          "arn:aws:ecs:ap-northeast-1:123456789012:cluster/reports",
        ],
      },
    });
  });

  test("StartTask's container-instance grant is the only launch grant without a cluster condition, and names container instances only", () => {
    const unconditioned = statements.filter((s) => asList(s.Action).some((a) => a === "ecs:RunTask" || a === "ecs:StartTask") && s.Condition === undefined);
    expect(unconditioned.map((s) => [s.Action, s.Resource])).toEqual([
      ["ecs:StartTask", expect.stringMatching(/^arn:\$\{data\.aws_partition\.[^}]+\}:ecs:\$\{data\.aws_region\.[^}]+\}:\$\{data\.aws_caller_identity\.[^}]+\}:container-instance\/\*$/)],
    ]);
  });

  test("reads only the account's rules and schedules, for the original request", () => {
    const read = statements.filter((s) => asList(s.Action).some((a) => a.startsWith("events:") || a === "scheduler:GetSchedule"));
    expect(read.map((s) => s.Resource)).toEqual([
      expect.stringMatching(/^arn:\$\{data\.aws_partition\.[^}]+\}:events:\$\{data\.aws_region\.[^}]+\}:\$\{data\.aws_caller_identity\.[^}]+\}:rule\/\*$/),
      expect.stringMatching(/:scheduler:.*:schedule\/\*\/\*$/),
    ]);
  });

  test("tags only at launch, and passes roles only to ECS tasks", () => {
    expect(statements.find((s) => s.Action === "ecs:TagResource")?.Condition).toEqual({ StringEquals: { "ecs:CreateAction": ["RunTask", "StartTask"] } });
    const passRole = statements.filter((s) => asList(s.Action).includes("iam:PassRole"));
    expect(passRole).toEqual([expect.objectContaining({ Condition: { StringEquals: { "iam:PassedToService": "ecs-tasks.amazonaws.com" } } })]);
  });

  test("narrows RunTask to the given task definition families", () => {
    const { tf: narrow } = synthPipeline({ taskDefinitionFamilies: ["nightly-report"] });
    const launch = iamStatements(narrow).find((s) => s.Sid === "RerunOnProtectedClustersOnly");
    expect(asList(launch!.Resource)).toEqual([expect.stringMatching(/:task-definition\/nightly-report:\*$/)]);
  });

  test("publishes to one topic, invokes one function, starts one state machine", () => {
    expect(statements.find((s) => s.Action === "sns:Publish")?.Resource).toMatch(/^\$\{aws_sns_topic\./);
    expect(statements.find((s) => s.Action === "states:StartExecution")?.Resource).toMatch(/^\$\{aws_sfn_state_machine\./);
    expect(asList(statements.find((s) => s.Action === "lambda:InvokeFunction")!.Resource)).toEqual([
      expect.stringMatching(/^\$\{aws_lambda_function\.[^}]+\.arn\}$/),
      expect.stringMatching(/^\$\{aws_lambda_function\.[^}]+\.arn\}:\*$/),
    ]);
  });

  test("the notifier reads exactly its one parameter", () => {
    expect(statements.find((s) => s.Action === "ssm:GetParameter")?.Resource).toMatch(/:parameter\/ecs-rerun\/slack-webhook$/);
  });
});

describe("props validation", () => {
  test.each<[string, Partial<EcsRerunPipelineProps>, RegExp]>([
    ["no cluster", { clusters: [] }, /clusters = \[\] is invalid: expected at least one cluster/],
    ["a malformed cluster ARN", { clusters: ["arn:aws:ecs:x:cluster"] }, /clusters\[\] = "arn:aws:ecs:x:cluster" is invalid/],
    ["zero attempts", { maxAttempts: 0 }, /maxAttempts = 0 is invalid: expected a whole number from 1 to 10/],
    ["a max delay below the first delay", { firstDelaySeconds: 60, maxDelaySeconds: 30 }, /maxDelaySeconds = 30 is invalid/],
    ["an unknown jitter", { jitter: "EQUAL" as never }, /jitter = "EQUAL" is invalid: expected "FULL" or "NONE"/],
    ["a bad email", { notificationEmails: ["ops"] }, /notificationEmails\[\] = "ops" is invalid/],
    ["a verify timeout shorter than the interval", { verifyIntervalSeconds: 600, verifyTimeoutSeconds: 300 }, /verifyTimeoutSeconds = 300 is invalid/],
    ["a family name with a slash", { rerunProgramFailureFamilies: ["a/b"] }, /rerunProgramFailureFamilies\[\] = "a\/b" is invalid/],
    ["a blank stopped reason", { retryableStoppedReasons: [""] }, /retryableStoppedReasons\[\] = "" is invalid/],
    ["no role to pass (IAM refuses an empty Resource)", { passRoleArns: [] }, /passRoleArns = \[\] is invalid: expected at least one role ARN, or leave it unset/],
    ["two expected runs of one name", { expectedRuns: [{ name: "a", family: "f", intervalSeconds: 3600 }, { name: "a", family: "g", intervalSeconds: 3600 }] }, /expectedRuns name = "a" is invalid/],
  ])("rejects %s", (_name, props, message) => {
    expect(() => synthPipeline(props)).toThrow(message);
  });
});
