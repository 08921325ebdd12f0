/**
 * Issue 14, item 2: two pipelines on one cluster leave each other's reruns alone. Each relaunches with
 * a role under the IAM path /ecs-rerun/, and every pipeline's launch-failure rule excludes calls by
 * any role under it. The CloudTrail records here are the drill's: real RunTask calls, signed with each
 * role's credentials, rejected by the local ECS, recorded with the identity CloudTrail would write.
 */
import { ECSClient, RunTaskCommand } from "@aws-sdk/client-ecs";
import { TerraformStack, Testing } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { matchesEventPattern } from "../../drill/event-pattern/event-pattern-matcher";
import { LocalAws, type CloudTrailApiCallEvent } from "../../drill/local-aws/local-aws";
import { deployed } from "../../drill/synthesized/synthesized-pipeline";
import { EcsRerunPipeline, type EcsRerunPipelineProps } from "../../modules/pipeline/rerun-pipeline";
import { RELAUNCH_ROLE_PATH } from "../../modules/pipeline/iam/relaunch-identity";

const REGION = "ap-northeast-1";

type Resources = Record<string, Record<string, Record<string, unknown>>>;

/** Pipelines of the given names (and props) protecting one cluster in one account and region: each one's launch-failure patterns (as deployed), rerun role and starter role. */
function pipelines(...specs: [string, Partial<EcsRerunPipelineProps>?][]) {
  const stack = new TerraformStack(Testing.app(), "side-by-side");
  new AwsProvider(stack, "aws", { region: REGION });
  const built = specs.map(([name, props]) => new EcsRerunPipeline(stack, name, { name, clusters: ["batch-ec2"], region: REGION, ...props }));
  const resources = (JSON.parse(Testing.synth(stack)) as { resource: Resources }).resource;
  // A role as IAM keeps it: no path is the path "/".
  const asDeployed = (role: Record<string, unknown>) => ({ name: String(role.name), path: String(role.path ?? "/") });
  return built.map((p, i) => {
    const rule = resources.aws_cloudwatch_event_rule[p.rule.friendlyUniqueId];
    const starter = Object.values(resources.aws_iam_role).find((r) => r.name === `${specs[i][0]}-starter-${REGION}`)!;
    return { name: specs[i][0], pattern: JSON.parse(deployed(rule.event_pattern as string, REGION)) as Record<string, unknown>, role: asDeployed(resources.aws_iam_role[p.rerunRole.friendlyUniqueId]), starterRole: asDeployed(starter) };
  });
}

describe("pipelines side by side on one cluster", () => {
  // Team C's account wants its roles under a path of its own and a permissions boundary (role-options.ts).
  const [a, b, c] = pipelines(["team-a"], ["team-b"], ["team-c", { rolePath: "/platform/batch/", rolePermissionsBoundary: "arn:aws:iam::123456789012:policy/platform-boundary" }]);
  const keys = { a: "ASIATEAMARERUNROLE01", b: "ASIATEAMBRERUNROLE01", c: "ASIATEAMCRERUNROLE01", cStarter: "ASIATEAMCSTARTER0001", schedule: "ASIASCHEDULEEVENTS01", user: "AKIAOPERATORUSER0001" };
  let aws: LocalAws;
  const events: Record<string, CloudTrailApiCallEvent> = {};

  beforeAll(async () => {
    aws = new LocalAws({
      region: REGION,
      ecsScript: ["AGENT"],
      identities: {
        [keys.a]: { roleName: a.role.name, path: a.role.path },
        [keys.b]: { roleName: b.role.name, path: b.role.path },
        [keys.c]: { roleName: c.role.name, path: c.role.path },
        // Not a role that launches; here it stands for any role of the user's path calling RunTask.
        [keys.cStarter]: { roleName: c.starterRole.name, path: c.starterRole.path },
        [keys.schedule]: { roleName: "batch-ec2-print-date-events-ap-northeast-1", invokedBy: "events.amazonaws.com" },
        // keys.user is no role: the local endpoint takes an unknown key for an IAM user's.
      },
    });
    const { endpoint } = await aws.start();
    for (const [who, key] of Object.entries(keys)) {
      const ecs = new ECSClient({ region: REGION, endpoint, credentials: { accessKeyId: key, secretAccessKey: "drill-secret" }, maxAttempts: 1 });
      const before = aws.events.length;
      await ecs.send(new RunTaskCommand({ cluster: "batch-ec2", taskDefinition: "print-date", count: 1 }));
      ecs.destroy();
      events[who] = aws.events[before];
    }
  });
  afterAll(() => aws.stop());

  test("each pipeline's rerun role is a relaunch role: named for its pipeline and region, under /ecs-rerun/", () => {
    expect(a.role).toEqual({ name: "team-a-rerun-ap-northeast-1", path: RELAUNCH_ROLE_PATH });
    expect(b.role).toEqual({ name: "team-b-rerun-ap-northeast-1", path: RELAUNCH_ROLE_PATH });
  });

  test("CloudTrail names a rerun's role with its path in sessionIssuer.arn, without it in userName and in the session's arn", () => {
    const identity = events.a.detail.userIdentity as { arn: string; sessionContext: { sessionIssuer: { arn: string; userName: string } } };
    expect(identity.sessionContext.sessionIssuer).toMatchObject({ arn: "arn:aws:iam::123456789012:role/ecs-rerun/team-a-rerun-ap-northeast-1", userName: "team-a-rerun-ap-northeast-1" });
    expect(identity.arn).toMatch(/^arn:aws:sts::123456789012:assumed-role\/team-a-rerun-ap-northeast-1\//);
    expect(events.a.detail.responseElements?.failures).toEqual([expect.objectContaining({ reason: "AGENT" })]);
  });

  test("a pipeline given a role path keeps its rerun role under /ecs-rerun/ and puts its other roles under the user's path", () => {
    expect(c.role).toEqual({ name: "team-c-rerun-ap-northeast-1", path: RELAUNCH_ROLE_PATH });
    expect(c.starterRole).toEqual({ name: "team-c-starter-ap-northeast-1", path: "/platform/batch/" });
  });

  test.each([
    ["pipeline A's rejected rerun", false, "a"],
    ["pipeline B's rejected rerun", false, "b"],
    ["pipeline C's rejected rerun (its roles have a path and a boundary of their own)", false, "c"],
    ["a rejected launch by a role under pipeline C's role path (not a relaunch role)", true, "cStarter"],
    ["the schedule's rejected launch (an AWS service acting for its role)", true, "schedule"],
    ["an operator's rejected launch (an IAM user: no session issuer)", true, "user"],
  ] as const)("%s: caught by every pipeline = %s", (_what, caught, who) => {
    expect({ a: matchesEventPattern(a.pattern, events[who]), b: matchesEventPattern(b.pattern, events[who]), c: matchesEventPattern(c.pattern, events[who]) }).toEqual({ a: caught, b: caught, c: caught });
  });

  test("the check can fail: a pipeline that excluded only its own role by name, as before, caught the other's rerun", () => {
    const detail = b.pattern.detail as Record<string, unknown>;
    const ownOnly = { ...b.pattern, detail: { ...detail, userIdentity: { sessionContext: { sessionIssuer: { userName: [{ "anything-but": b.role.name }, { exists: false }] } } } } };
    expect(matchesEventPattern(ownOnly, events.b)).toBe(false);
    expect(matchesEventPattern(ownOnly, events.a)).toBe(true);
  });
});
