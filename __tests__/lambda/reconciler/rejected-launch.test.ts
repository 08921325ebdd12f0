// The reconciler's judge of CloudTrail records agrees with the synthesized launch-failure pattern, as
// the drill's EventBridge matcher evaluates it, on generated records and on the real ones we ship.
import fc from "fast-check";
import { Testing } from "cdktf";
import { EcsRerunStack } from "../../../modules/pipeline/ecs-rerun-stack";
import { deployed, DRILL_ACCOUNT } from "../../../drill/synthesized/synthesized-pipeline";
import { matchesEventPattern } from "../../../drill/event-pattern/event-pattern-matcher";
import { judgeLaunchRecord, relaunchRoleArnPrefixOf, type LaunchRules } from "../../../lambda/reconciler/core/rejected-launch";
import { loadEvent, AGENT_EVENT, STEP_FUNCTIONS_EVENT, SUCCESS_EVENT } from "../../support/events";

const REGION = "ap-northeast-1";
const ARN = (name: string, account = DRILL_ACCOUNT) => `arn:aws:ecs:${REGION}:${account}:cluster/${name}`;

/** The launch-failure rules' patterns exactly as the stack synthesizes them (deployed in the drill's account). */
function synthesizedPatterns(clusters: string[], ignoreStartedBy?: string[]): Record<string, unknown>[] {
  const stack = new EcsRerunStack(Testing.app(), "ecs-rerun", { region: REGION, clusters, ...(ignoreStartedBy ? { ignoreStartedBy } : {}), paceLaunches: false });
  const tf = JSON.parse(Testing.synth(stack)) as { resource: Record<string, Record<string, Record<string, unknown>>> };
  return Object.values(tf.resource.aws_cloudwatch_event_rule)
    .filter((r) => String(r.name).includes("launch-failures"))
    .map((r) => JSON.parse(deployed(String(r.event_pattern), REGION)) as Record<string, unknown>);
}

/** A CloudTrail record as EventBridge delivers it. */
const envelope = (record: unknown) => ({ version: "0", id: "e", "detail-type": "AWS API Call via CloudTrail", source: "aws.ecs", account: DRILL_ACCOUNT, time: "2026-01-01T00:00:00Z", region: REGION, resources: [], detail: record });

const CONFIGS: { name: string; clusters: string[]; ignoreStartedBy?: string[] }[] = [
  { name: "names, an ARN and default; the default ignore list", clusters: ["batch-ec2", ARN("prod"), "default"] },
  { name: "an ARN only; no ignore list", clusters: [ARN("batch-ec2")], ignoreStartedBy: [] },
  { name: "a name only; two ignored values", clusters: ["nightly"], ignoreStartedBy: ["AWS Step Functions", "events-rule/x"] },
];

/** Values a generated record draws from: the protected forms, near misses, and odd shapes. */
const clusterValue = fc.oneof(
  fc.constantFrom("batch-ec2", "prod", "default", "nightly", "my-batch-ec2", "batch-ec2x", "Batch-EC2", ""),
  fc.constantFrom(ARN("batch-ec2"), ARN("prod"), ARN("default"), ARN("nightly"), ARN("batch-ec2", "999988887777"), ARN("my-batch-ec2"), "arn:aws:ecs:eu-west-1:123456789012:cluster/prod"),
  fc.constant(null),
  fc.constant({ nested: "batch-ec2" }),
);
const startedByValue = fc.oneof(fc.constantFrom("AWS Step Functions", "events-rule/x", "events-rule/nightly", "aws step functions", "", "chronos-schedule/s"), fc.constant(null), fc.constant(42));
const issuerArn = fc.constantFrom(
  `arn:aws:iam::${DRILL_ACCOUNT}:role/ecs-rerun/ecs-rerun-rerun-${REGION}`,
  `arn:aws:iam::${DRILL_ACCOUNT}:role/ecs-rerun/other-pipeline-rerun`,
  `arn:aws:iam::999988887777:role/ecs-rerun/x`,
  `arn:aws:iam::${DRILL_ACCOUNT}:role/ops/deployer`,
  `arn:aws:iam::${DRILL_ACCOUNT}:role/ecs-rerun-lookalike`,
);
const failureEntry = fc.oneof(
  fc.record({ arn: fc.constant("arn:aws:ecs:x:container-instance/c/1"), reason: fc.constantFrom("AGENT", "RESOURCE:MEMORY", "ATTRIBUTE", "") }),
  fc.record({ arn: fc.constant("arn:aws:ecs:x:container-instance/c/1") }),
  fc.record({ arn: fc.constant("a"), reason: fc.constant(null) }),
);

const recordArb = fc.record(
  {
    eventSource: fc.constantFrom("ecs.amazonaws.com", "ec2.amazonaws.com"),
    eventName: fc.constantFrom("RunTask", "StartTask", "StopTask", "runtask"),
    requestParameters: fc.record({ cluster: clusterValue, startedBy: startedByValue, taskDefinition: fc.constant("print-date:3") }, { requiredKeys: ["taskDefinition"] }),
    responseElements: fc.oneof(
      fc.record({ tasks: fc.constant([]), failures: fc.array(failureEntry, { maxLength: 3 }) }, { requiredKeys: ["tasks"] }),
      fc.constant(null),
      fc.record({ failures: failureEntry }),
    ),
    userIdentity: fc.oneof(
      fc.record({ type: fc.constant("AssumedRole"), sessionContext: fc.record({ sessionIssuer: fc.record({ arn: issuerArn }, { requiredKeys: [] }) }, { requiredKeys: [] }) }, { requiredKeys: ["type"] }),
      fc.record({ type: fc.constant("IAMUser"), arn: fc.constant(`arn:aws:iam::${DRILL_ACCOUNT}:user/alice`) }),
      fc.record({ type: fc.constant("AWSService"), invokedBy: fc.constant("events.amazonaws.com") }),
    ),
  },
  { requiredKeys: ["eventSource", "eventName", "userIdentity"] },
);

describe.each(CONFIGS)("the judge of CloudTrail records, clusters $name", ({ clusters, ignoreStartedBy }) => {
  const patterns = synthesizedPatterns(clusters, ignoreStartedBy);
  const rules: LaunchRules = { clusters, ignoreStartedBy: ignoreStartedBy ?? ["AWS Step Functions"], relaunchRoleArnPrefix: relaunchRoleArnPrefixOf("aws", DRILL_ACCOUNT) };
  const ruleCatches = (record: unknown) => patterns.some((p) => matchesEventPattern(p, envelope(record)));

  test("agrees with the synthesized pattern on 2,000 generated records", () => {
    fc.assert(
      fc.property(recordArb, (record) => judgeLaunchRecord(record, rules).rerun === ruleCatches(record)),
      { numRuns: 2000, seed: 18 },
    );
  });

  test("agrees on the shipped events, and catches a rejected launch on each protected cluster", () => {
    for (const file of [AGENT_EVENT, STEP_FUNCTIONS_EVENT, SUCCESS_EVENT]) {
      const record = loadEvent(file).detail;
      expect(judgeLaunchRecord(record, rules).rerun).toBe(ruleCatches(record));
    }
    for (const cluster of clusters) {
      const record = { ...loadEvent(AGENT_EVENT).detail, requestParameters: { ...loadEvent(AGENT_EVENT).detail.requestParameters, cluster } };
      if (cluster === "default") delete record.requestParameters.cluster;
      expect([judgeLaunchRecord(record, rules).rerun, ruleCatches(record)]).toEqual([true, true]);
    }
  });
});

test("the judge says why a record is not rerun", () => {
  const rules: LaunchRules = { clusters: ["batch-ec2"], ignoreStartedBy: ["AWS Step Functions"], relaunchRoleArnPrefix: relaunchRoleArnPrefixOf("aws", DRILL_ACCOUNT) };
  const agent = loadEvent(AGENT_EVENT).detail;
  expect(judgeLaunchRecord(agent, rules)).toEqual({ rerun: true });
  expect(judgeLaunchRecord(loadEvent(SUCCESS_EVENT).detail, rules)).toEqual({ rerun: false, why: "no-failure" });
  expect(judgeLaunchRecord(loadEvent(STEP_FUNCTIONS_EVENT).detail, rules)).toEqual({ rerun: false, why: "ignored-started-by" });
  expect(judgeLaunchRecord({ ...agent, requestParameters: { ...agent.requestParameters, cluster: "other" } }, rules)).toEqual({ rerun: false, why: "unprotected-cluster" });
  const own = { ...agent, userIdentity: { type: "AssumedRole", sessionContext: { sessionIssuer: { arn: `arn:aws:iam::${DRILL_ACCOUNT}:role/ecs-rerun/ecs-rerun-rerun-${REGION}` } } } };
  expect(judgeLaunchRecord(own, rules)).toEqual({ rerun: false, why: "own-rerun" });
  expect(judgeLaunchRecord({ ...agent, eventName: "StopTask" }, rules)).toEqual({ rerun: false, why: "not-ecs-launch" });
  const noStartedBy = { ...agent, requestParameters: { ...agent.requestParameters } };
  delete noStartedBy.requestParameters.startedBy;
  expect(judgeLaunchRecord(noStartedBy, rules)).toEqual({ rerun: true });
});
