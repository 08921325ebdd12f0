// The review's case: a hub given one spoke cluster AND an organization admits every member on its bus;
// its rules must then match a failure forwarded from any member, in any region, and whatever the bus
// admits but no failure rule matches goes to the dead-letter queue (counted and alarmed), never nowhere.
import { Testing } from "cdktf";
import { DEMO_JOB } from "../../jobs";
import { buildApp } from "../../modules/app";
import { deployed } from "../../drill/synthesized/synthesized-pipeline";
import { matchesEventPattern } from "../../drill/event-pattern/event-pattern-matcher";
import { loadEvent } from "../support/events";

const SPOKE = "arn:aws:ecs:eu-west-1:222233334444:cluster/batch-ec2";
const ORG = "o-a1b2c3d4e5";
type Tf = { resource: Record<string, Record<string, Record<string, unknown>>> };

function hubRules(env: Record<string, string>) {
  const app = Testing.app();
  const { rerun } = buildApp(app, { ECS_RERUN_REGION: "us-east-1", ...env }, { jobs: [DEMO_JOB] });
  const tf = JSON.parse(Testing.synth(rerun!)) as Tf;
  const rules = Object.values(tf.resource.aws_cloudwatch_event_rule);
  const onHubBus = rules.filter((r) => r.event_bus_name !== undefined);
  const pattern = (r: Record<string, unknown>) => JSON.parse(deployed(String(r.event_pattern), "us-east-1")) as Record<string, unknown>;
  const failureRules = onHubBus.filter((r) => String(r.name).includes("spoke-failures")).map(pattern);
  const unmatched = pattern(onHubBus.find((r) => String(r.name).endsWith("spoke-unmatched"))!);
  const targets = Object.values(tf.resource.aws_cloudwatch_event_target);
  const unmatchedTarget = targets.find((t) => String(t.rule).includes("spoke-unmatched"));
  return { failureRules, unmatched, unmatchedTarget, tf };
}

/** The AGENT failure as a spoke in `account`/`region` forwards it (the envelope keeps the sender's place). */
function forwardedFrom(account: string, region: string) {
  return JSON.parse(JSON.stringify(loadEvent("constructed__runtask-failure-AGENT__spoke-444455556666-eu-west-1.json")).replaceAll("444455556666", account).replaceAll("eu-west-1", region));
}

const caught = (patterns: Record<string, unknown>[], event: unknown) => patterns.some((p) => matchesEventPattern(p, event));

describe("a hub with ECS_RERUN_SPOKE_CLUSTERS naming one spoke cluster and ECS_RERUN_SPOKE_ORGANIZATION_ID set", () => {
  const hub = hubRules({ ECS_RERUN_SPOKE_CLUSTERS: SPOKE, ECS_RERUN_SPOKE_ORGANIZATION_ID: ORG });

  test("its rules match a failure forwarded from another account and region of the organization (the review's case)", () => {
    const member = forwardedFrom("555566667777", "ap-southeast-2");
    expect(caught(hub.failureRules, member)).toBe(true);
    expect(caught(hub.failureRules, forwardedFrom("222233334444", "eu-west-1"))).toBe(true);
    expect(matchesEventPattern(hub.unmatched, member)).toBe(false);
  });

  test("what the bus admits but no failure rule matches goes to the dead-letter queue", () => {
    const other = { ...forwardedFrom("555566667777", "ap-southeast-2"), source: "aws.ec2", "detail-type": "EC2 Instance State-change Notification" };
    expect(caught(hub.failureRules, other)).toBe(false);
    expect(matchesEventPattern(hub.unmatched, other)).toBe(true);
    expect(String(hub.unmatchedTarget?.arn)).toMatch(/aws_sqs_queue\..*dlq.*\.arn/);
  });
});

describe("a hub admitting its spoke clusters' accounts only", () => {
  const hub = hubRules({ ECS_RERUN_SPOKE_CLUSTERS: SPOKE });

  test("an admitted account's failure from a region it lists no cluster in matches no failure rule, and goes to the dead-letter queue", () => {
    const elsewhere = forwardedFrom("222233334444", "us-west-2");
    expect(caught(hub.failureRules, elsewhere)).toBe(false);
    expect(matchesEventPattern(hub.unmatched, elsewhere)).toBe(true);
  });

  test("the spoke's own failures match a failure rule, not the unmatched rule: every admitted event meets exactly one of them", () => {
    const own = forwardedFrom("222233334444", "eu-west-1");
    expect([caught(hub.failureRules, own), matchesEventPattern(hub.unmatched, own)]).toEqual([true, false]);
  });

  test("the dead-letter queue's policy lets the unmatched rule send to it", () => {
    const policy = Object.values(hub.tf.resource.aws_sqs_queue_policy)[0].policy as string;
    expect(policy).toContain("spoke-unmatched");
  });
});
