/**
 * Issue 14 item 4, the spoke: EcsRerunSpoke forwards its clusters' failures to the hub bus and holds
 * the relaunch role the hub assumes. Read from the synthesized JSON as deployed in the spoke's account
 * and region; patterns judged by the project's EventBridge matcher on the drill's events.
 */
import { Testing, TerraformStack } from "cdktf";
import { CloudwatchEventTarget } from "@cdktf/provider-aws/lib/cloudwatch-event-target";
import { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { SqsQueue } from "@cdktf/provider-aws/lib/sqs-queue";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { matchesEventPattern } from "../../drill/event-pattern/event-pattern-matcher";
import { EcsRerunPipeline } from "../../modules/pipeline/rerun-pipeline";
import { EcsRerunSpoke, type EcsRerunSpokeProps } from "../../modules/spoke/ecs-rerun-spoke";
import { AGENT_EVENT, loadEvent } from "../support/events";
import { deployedIn } from "../support/places";
import { asList, resourcesOf, type Statement, type TfJson } from "../support/synth";

const SPOKE = { account: "222233334444", region: "eu-west-1" };
const HUB_BUS = "arn:aws:events:us-east-1:111122223333:event-bus/ecs-rerun-hub";
const HUB_ROLE = "arn:aws:iam::111122223333:role/ecs-rerun/ecs-rerun-rerun-us-east-1";
const CLUSTER_ARN = "arn:aws:ecs:eu-west-1:222233334444:cluster/batch-ec2";

function synthSpoke(props: Partial<EcsRerunSpokeProps> = {}) {
  const stack = new TerraformStack(Testing.app(), "spoke");
  new AwsProvider(stack, "aws", { region: SPOKE.region });
  const spoke = new EcsRerunSpoke(stack, "spoke", { clusters: ["batch-ec2"], region: SPOKE.region, hubEventBusArn: HUB_BUS, hubRerunRoleArn: HUB_ROLE, ...props });
  const raw = Testing.synth(stack);
  return { spoke, raw, deployed: JSON.parse(deployedIn(raw, SPOKE)) as TfJson };
}

const byId = (tf: TfJson, type: string, id: string) => tf.resource![type][Object.keys(tf.resource![type]).find((k) => k.startsWith(`spoke_${id}_`))!];
const statementsOf = (text: unknown) => (JSON.parse(text as string) as { Statement: Statement[] }).Statement;

/** A drill event moved to the spoke's account and region, with `change` applied to its detail. */
function spokeEvent(file: string, change: (detail: any) => void = () => {}): any {
  const e = JSON.parse(JSON.stringify(loadEvent(file)).replace(/123456789012/g, SPOKE.account).replace(/ap-northeast-1/g, SPOKE.region));
  change(e.detail);
  return e;
}

describe("the relaunch role", () => {
  const { raw, deployed } = synthSpoke({ clusters: ["batch-ec2", "reports"] });
  const role = byId(deployed, "aws_iam_role", "relaunch-role");
  const statements = statementsOf(byId(deployed, "aws_iam_role_policy", "relaunch-policy").policy);
  const sid = (s: string) => statements.find((x) => x.Sid === s)!;
  const clusterArns = ["arn:aws:ecs:eu-west-1:222233334444:cluster/batch-ec2", "arn:aws:ecs:eu-west-1:222233334444:cluster/reports"];

  test("is <name>-relaunch-<region> under /ecs-rerun/, the name the hub computes", () => {
    expect(raw).toHaveResourceWithProperties(IamRole, { name: "ecs-rerun-relaunch-eu-west-1", path: "/ecs-rerun/" });
  });

  test("trusts exactly the hub's rerun role, and nothing else", () => {
    expect(JSON.parse(role.assume_role_policy as string)).toEqual({
      Version: "2012-10-17",
      Statement: [{ Sid: "TheHubRerunRoleOnly", Effect: "Allow", Principal: { AWS: HUB_ROLE }, Action: "sts:AssumeRole" }],
    });
  });

  test("may run and start tasks only with an ecs:cluster condition naming the spoke's clusters", () => {
    expect(sid("RerunOnProtectedClustersOnly")).toEqual({
      Sid: "RerunOnProtectedClustersOnly",
      Effect: "Allow",
      Action: ["ecs:RunTask", "ecs:StartTask"],
      Resource: ["arn:aws:ecs:eu-west-1:222233334444:task-definition/*"],
      Condition: { ArnEquals: { "ecs:cluster": clusterArns } },
    });
  });

  test("may describe, list and tag tasks of those clusters only", () => {
    // One ecs:cluster condition for DescribeTasks and ListTasks; tagging only at launch (which the
    // launch statement limits to the clusters), on this account's and region's tasks.
    expect(sid("WatchTasksOnProtectedClusters")).toEqual({ Sid: "WatchTasksOnProtectedClusters", Effect: "Allow", Action: ["ecs:DescribeTasks", "ecs:ListTasks"], Resource: "*", Condition: { ArnEquals: { "ecs:cluster": clusterArns } } });
    expect(sid("FindWhatAStartTaskPlaced")).toBeUndefined();
    expect(sid("TagTheTasksItStarts")).toEqual({ Sid: "TagTheTasksItStarts", Effect: "Allow", Action: "ecs:TagResource", Resource: "arn:aws:ecs:eu-west-1:222233334444:task/*", Condition: { StringEquals: { "ecs:CreateAction": ["RunTask", "StartTask"] } } });
  });

  test("may pass roles to ECS tasks only", () => {
    expect(sid("PassTaskRolesToEcsTasksOnly")).toEqual({
      Sid: "PassTaskRolesToEcsTasksOnly",
      Effect: "Allow",
      Action: "iam:PassRole",
      Resource: ["arn:aws:iam::222233334444:role/*"],
      Condition: { StringEquals: { "iam:PassedToService": "ecs-tasks.amazonaws.com" } },
    });
  });

  test("grants nothing else: every action is one the rerun makes, no logs (the Lambda logs in the hub), no event history (the sweep role's), no Action '*'", () => {
    const actions = statements.flatMap((s) => asList(s.Action as string | string[])).sort();
    expect(actions).toEqual([
      "ecs:DescribeTaskDefinition",
      "ecs:DescribeTasks",
      "ecs:ListTasks",
      "ecs:RunTask",
      "ecs:StartTask",
      "ecs:StartTask",
      "ecs:TagResource",
      "events:ListRuleNamesByTarget",
      "events:ListTargetsByRule",
      "iam:PassRole",
      "scheduler:GetSchedule",
      "scheduler:ListSchedules",
    ]);
  });
});

describe("the sweep role (what the hub's reconciler reads here)", () => {
  const HUB_RECONCILER = "arn:aws:iam::111122223333:role/platform/ecs-rerun-reconciler-us-east-1";
  const { raw, deployed, spoke } = synthSpoke({ clusters: ["batch-ec2", "reports"], hubReconcilerRoleArn: HUB_RECONCILER });
  const role = byId(deployed, "aws_iam_role", "sweep-role");

  test("is <name>-sweep-<region> under /ecs-rerun/, the name the hub's reconciler computes", () => {
    expect(raw).toHaveResourceWithProperties(IamRole, { name: "ecs-rerun-sweep-eu-west-1", path: "/ecs-rerun/" });
    expect(spoke.sweepRole).toBeDefined();
  });

  test("trusts exactly the hub's reconciler role: not the rerun role, nothing else", () => {
    expect(JSON.parse(role.assume_role_policy as string)).toEqual({
      Version: "2012-10-17",
      Statement: [{ Sid: "TheHubReconcilerRoleOnly", Effect: "Allow", Principal: { AWS: HUB_RECONCILER }, Action: "sts:AssumeRole" }],
    });
  });

  test("may read the event history and the spoke's clusters' tasks, and nothing else: no launch, tag or pass", () => {
    expect(statementsOf(byId(deployed, "aws_iam_role_policy", "sweep-policy").policy)).toEqual([
      { Sid: "ReadEventHistory", Effect: "Allow", Action: "cloudtrail:LookupEvents", Resource: "*" },
      {
        Sid: "ReadStoppedTasksOfProtectedClusters",
        Effect: "Allow",
        Action: ["ecs:ListTasks", "ecs:DescribeTasks"],
        Resource: "*",
        Condition: { ArnEquals: { "ecs:cluster": ["arn:aws:ecs:eu-west-1:222233334444:cluster/batch-ec2", "arn:aws:ecs:eu-west-1:222233334444:cluster/reports"] } },
      },
    ]);
  });

  test("is not created without the hub's reconciler role", () => {
    const without = synthSpoke();
    expect(without.spoke.sweepRole).toBeUndefined();
    expect(Object.keys(without.deployed.resource!.aws_iam_role)).not.toContainEqual(expect.stringContaining("sweep"));
  });

  test("refuses a value that is no role ARN, naming the prop and the module variable", () => {
    expect(() => synthSpoke({ hubReconcilerRoleArn: "ecs-rerun-reconciler-us-east-1" })).toThrow(
      'hubReconcilerRoleArn = "ecs-rerun-reconciler-us-east-1" is invalid (EcsRerunSpoke prop hubReconcilerRoleArn; module spoke: hub_reconciler_role_arn): expected the ARN of the hub\'s reconciler role (the hub\'s output reconciler_role_arn)',
    );
  });

  test("refuses more clusters than its one inline policy can name (IAM's 10,240 characters)", () => {
    const clusters = Array.from({ length: 150 }, (_, i) => `cluster-${String(i).padStart(3, "0")}`);
    expect(() => synthSpoke({ clusters, hubReconcilerRoleArn: HUB_RECONCILER })).toThrow(/^clusters names 150 clusters .*longer than IAM's 10240 characters/);
    expect(() => synthSpoke({ clusters: clusters.slice(0, 100), hubReconcilerRoleArn: HUB_RECONCILER })).not.toThrow();
  });
});

describe("forwarding to the hub bus", () => {
  const { raw, deployed, spoke } = synthSpoke({ alarmActions: ["arn:aws:sns:eu-west-1:222233334444:ops"] });

  test("the forwarding role is assumed by EventBridge of this account only, and may put events on the hub bus only", () => {
    expect(JSON.parse(byId(deployed, "aws_iam_role", "forward-role").assume_role_policy as string).Statement).toEqual([
      { Effect: "Allow", Principal: { Service: "events.amazonaws.com" }, Action: "sts:AssumeRole", Condition: { StringEquals: { "aws:SourceAccount": SPOKE.account } } },
    ]);
    expect(byId(deployed, "aws_iam_role", "forward-role").name).toBe("ecs-rerun-forward-eu-west-1");
    expect(statementsOf(byId(deployed, "aws_iam_role_policy", "forward-policy").policy)).toEqual([{ Sid: "ForwardToTheHubBusOnly", Effect: "Allow", Action: "events:PutEvents", Resource: HUB_BUS }]);
  });

  test("both rules target the hub bus with the role, retries and the dead-letter queue", () => {
    const targets = resourcesOf(deployed, "aws_cloudwatch_event_target");
    expect(targets).toHaveLength(2);
    for (const t of targets) {
      expect(t).toMatchObject({
        arn: HUB_BUS,
        role_arn: expect.stringContaining("aws_iam_role.spoke_forward-role_"),
        retry_policy: { maximum_retry_attempts: 185, maximum_event_age_in_seconds: 86400 },
        dead_letter_config: { arn: expect.stringContaining("aws_sqs_queue.spoke_dlq_") },
      });
    }
    expect(raw).toHaveResourceWithProperties(CloudwatchEventTarget, { target_id: "hub-bus" });
    expect(resourcesOf(deployed, "aws_cloudwatch_event_rule").map((r) => r.name).sort()).toEqual(["ecs-rerun-forward-launch-failures", "ecs-rerun-forward-task-failures"]);
  });

  test("the dead-letter queue is encrypted and takes messages from these rules only", () => {
    expect(raw).toHaveResourceWithProperties(SqsQueue, { name: "ecs-rerun-forward-dlq", sqs_managed_sse_enabled: true });
    const [statement] = statementsOf(byId(deployed, "aws_sqs_queue_policy", "dlq-policy").policy);
    expect(statement.Condition!.ArnEquals["aws:SourceArn"]).toEqual([expect.stringContaining("spoke_forward-launch-failures_"), expect.stringContaining("spoke_forward-task-failures_")]);
  });

  test("alarms on each rule's FailedInvocations and on the queue's depth go to the given actions", () => {
    expect(raw).toHaveResourceWithProperties(CloudwatchMetricAlarm, { alarm_name: "ecs-rerun-forward-launch-failures-failed", namespace: "AWS/Events", metric_name: "FailedInvocations", dimensions: { RuleName: "ecs-rerun-forward-launch-failures" }, alarm_actions: ["arn:aws:sns:eu-west-1:222233334444:ops"] });
    expect(raw).toHaveResourceWithProperties(CloudwatchMetricAlarm, { alarm_name: "ecs-rerun-forward-task-failures-failed", dimensions: { RuleName: "ecs-rerun-forward-task-failures" } });
    expect(raw).toHaveResourceWithProperties(CloudwatchMetricAlarm, { alarm_name: "ecs-rerun-forward-dead-letters", namespace: "AWS/SQS", metric_name: "ApproximateNumberOfMessagesVisible" });
    expect(Object.keys(spoke.alarms).sort()).toEqual(["deadLetters", "forwardFailed-forward-launch-failures", "forwardFailed-forward-task-failures"]);
  });
});

describe("the forwarding patterns on the drill's events", () => {
  const { deployed } = synthSpoke();
  const launch = JSON.parse(byId(deployed, "aws_cloudwatch_event_rule", "forward-launch-failures").event_pattern as string);
  const tasks = JSON.parse(byId(deployed, "aws_cloudwatch_event_rule", "forward-task-failures").event_pattern as string);

  test("a rejected launch on the spoke's cluster is forwarded", () => {
    expect(matchesEventPattern(launch, spokeEvent(AGENT_EVENT))).toBe(true);
    expect(spokeEvent(AGENT_EVENT).detail.requestParameters.cluster).toBe(CLUSTER_ARN);
  });
  test("a rejected rerun made with a relaunch role (path /ecs-rerun/) of the spoke's account is not", () => {
    const rerun = spokeEvent(AGENT_EVENT, (d) => (d.userIdentity.sessionContext.sessionIssuer.arn = "arn:aws:iam::222233334444:role/ecs-rerun/ecs-rerun-relaunch-eu-west-1"));
    expect(matchesEventPattern(launch, rerun)).toBe(false);
  });
  test("a rejected launch on another cluster is not", () => {
    expect(matchesEventPattern(launch, spokeEvent(AGENT_EVENT, (d) => (d.requestParameters.cluster = "other")))).toBe(false);
  });
  test("a task that failed to start on the spoke's cluster is forwarded; one that exited 0 is not", () => {
    expect(matchesEventPattern(tasks, spokeEvent("constructed__task-stopped-TaskFailedToStart-RESOURCE-MEMORY.json"))).toBe(true);
    expect(matchesEventPattern(tasks, spokeEvent("constructed__task-stopped-EssentialContainerExited-exit-0.json"))).toBe(false);
  });

  test("the forwarded event, keeping the spoke's account and region, passes the hub's rule for that spoke", () => {
    const stack = new TerraformStack(Testing.app(), "hub");
    new AwsProvider(stack, "aws", { region: "us-east-1" });
    const hub = new EcsRerunPipeline(stack, "hub", { clusters: ["home"], region: "us-east-1", spokeClusters: [CLUSTER_ARN] });
    const rule = JSON.parse(Testing.synth(stack)).resource.aws_cloudwatch_event_rule[hub.spokeRule!.friendlyUniqueId];
    const event = spokeEvent(AGENT_EVENT);
    expect(matchesEventPattern(launch, event) && matchesEventPattern(JSON.parse(rule.event_pattern), event)).toBe(true);
    expect(matchesEventPattern(JSON.parse(rule.event_pattern), { ...event, account: "555566667777" })).toBe(false);
  });
});

describe("many clusters", () => {
  test("200 clusters are split over forwarding rules of at most 2,048 characters, each with its target and alarm", () => {
    const clusters = Array.from({ length: 200 }, (_, i) => `cluster-${String(i + 1).padStart(3, "0")}`);
    const { deployed } = synthSpoke({ clusters });
    const rules = Object.values(deployed.resource!.aws_cloudwatch_event_rule);
    const patterns = rules.flatMap((r) => (r.for_each ? Object.values(r.for_each as Record<string, string>) : [r.event_pattern as string]));
    expect(patterns.length).toBeGreaterThan(2);
    for (const p of patterns) expect(p.length).toBeLessThanOrEqual(2048);
    expect(resourcesOf(deployed, "aws_cloudwatch_event_target").filter((t) => t.for_each !== undefined)).toHaveLength(2);
    expect(resourcesOf(deployed, "aws_cloudwatch_metric_alarm").filter((a) => a.for_each !== undefined).map((a) => a.alarm_name)).toEqual([
      "ecs-rerun-forward-launch-failures-${each.key}-failed",
      "ecs-rerun-forward-task-failures-${each.key}-failed",
    ]);
  });
});

describe("props are checked", () => {
  test.each([
    [{ clusters: [] }, /clusters = \[\] is invalid \(EcsRerunSpoke prop clusters; module spoke: clusters\): expected at least one cluster/],
    [{ clusters: ["arn:aws:ecs:us-east-1:222233334444:cluster/x"] }, /clusters\[0\] = "arn:aws:ecs:us-east-1:222233334444:cluster\/x" is invalid .*expected a cluster of the spoke's region eu-west-1/],
    [{ hubRerunRoleArn: "arn:aws:iam::111122223333:role/ecs-rerun-rerun-us-east-1" }, /hubRerunRoleArn = .* is invalid .*under the path \/ecs-rerun\//],
    [{ hubEventBusArn: "ecs-rerun-hub" }, /hubEventBusArn = "ecs-rerun-hub" is invalid .*expected the ARN of the hub's event bus/],
    [{ passRoleArns: [] }, /passRoleArns = \[\] is invalid .*expected at least one role ARN/],
    [{ name: "n".repeat(40), region: "us-isof-south-1" }, /the relaunch role's name = "n{40}-relaunch-us-isof-south-1" is invalid .*at most 64 characters/],
    [{ alarmActions: ["ops-topic"] }, /alarmActions\[0\] = "ops-topic" is invalid/],
  ] as const)("%j is refused", (props, message) => {
    expect(() => synthSpoke(props as Partial<EcsRerunSpokeProps>)).toThrow(message);
  });
});
