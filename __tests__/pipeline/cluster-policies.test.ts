/**
 * Long cluster lists on the relaunch roles (cluster-policies.ts): the hub's rerun role and a spoke's
 * relaunch role with 200 protected clusters fit IAM's quotas, spread over the inline policy and
 * managed policies, and still allow exactly the protected clusters. Judged from the synthesized
 * documents by a small evaluator of the IAM semantics the statements rely on (Allow statements,
 * actions named exactly, ARN wildcards in Resource, ArnEquals and StringEquals on a single-valued key,
 * absent key = no match), and measured independently of the code under test. The maxima the README
 * states are tested at the boundary: the maximum fits, one more is refused.
 */
import { Testing, TerraformStack } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { EcsRerunPipeline, type EcsRerunPipelineProps } from "../../modules/pipeline/rerun-pipeline";
import { EcsRerunSpoke } from "../../modules/spoke/ecs-rerun-spoke";
import { deployedIn, type Place } from "../support/places";

interface Statement {
  Sid?: string;
  Effect: string;
  Action: string | string[];
  Resource: string | string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}
interface Resource {
  name?: string;
  role?: string;
  policy?: string;
  policy_arn?: string;
  for_each?: Record<string, string> | string;
}
type Resources = Record<string, Record<string, Resource>>;

const list = (v: string | string[]) => (Array.isArray(v) ? v : [v]);
/** IAM's wildcard match of an ARN against a Resource pattern (`*` any run of characters, `?` one). */
const arnLike = (pattern: string, arn: string) => new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".")}$`).test(arn);

/** One request: an action on a resource, with its request context (a key not set is absent). */
interface Request {
  action: string;
  resource: string;
  context: Record<string, string>;
}

/** Whether any Allow statement of `statements` allows `r` (the roles hold no Deny). */
function allows(statements: readonly Statement[], r: Request): boolean {
  return statements.some((s) => {
    if (s.Effect !== "Allow" || !list(s.Action).includes(r.action) || !list(s.Resource).some((p) => arnLike(p, r.resource))) return false;
    return Object.entries(s.Condition ?? {}).every(([operator, keys]) =>
      Object.entries(keys).every(([key, values]) => {
        const value = r.context[key];
        if (value === undefined) return false;
        if (operator === "ArnEquals" || operator === "StringEquals") return list(values).includes(value);
        throw new Error(`the evaluator knows no ${operator}`);
      }),
    );
  });
}

const HUB: Place = { account: "111122223333", region: "us-east-1" };
const SPOKE: Place = { account: "222233334444", region: "eu-west-1" };
const HUB_BUS = "arn:aws:events:us-east-1:111122223333:event-bus/ecs-rerun-hub";
const HUB_ROLE = "arn:aws:iam::111122223333:role/ecs-rerun/ecs-rerun-rerun-us-east-1";
/** Cluster names of 20 characters, the length the README's maxima are stated for. */
const names = (n: number, prefix = "cluster-") => Array.from({ length: n }, (_, i) => `${prefix}${String(i).padStart(20 - prefix.length, "0")}`);

function synthHub(clusters: readonly string[], props: Partial<EcsRerunPipelineProps> = {}): string {
  const stack = new TerraformStack(Testing.app(), "hub");
  new AwsProvider(stack, "aws", { region: HUB.region });
  new EcsRerunPipeline(stack, "p", { clusters, spokeClusters: [`arn:aws:ecs:eu-west-1:${SPOKE.account}:cluster/batch-ec2`], ...props });
  return Testing.synth(stack);
}
function synthPipeline(clusters: readonly string[]): string {
  const stack = new TerraformStack(Testing.app(), "p");
  new AwsProvider(stack, "aws", { region: HUB.region });
  new EcsRerunPipeline(stack, "p", { clusters });
  return Testing.synth(stack);
}
function synthSpoke(clusters: readonly string[]): string {
  const stack = new TerraformStack(Testing.app(), "spoke");
  new AwsProvider(stack, "aws", { region: SPOKE.region });
  new EcsRerunSpoke(stack, "s", { clusters, hubEventBusArn: HUB_BUS, hubRerunRoleArn: HUB_ROLE });
  return Testing.synth(stack);
}

/** A role's policies, read from synthesized JSON: its inline policies and the managed ones attached to it. */
function policiesOf(text: string, roleId: string) {
  const resources = (JSON.parse(text) as { resource: Resources }).resource;
  const roleKey = Object.keys(resources.aws_iam_role).find((k) => k.includes(`_${roleId}_`))!;
  const inline = Object.values(resources.aws_iam_role_policy).filter((p) => String(p.role).includes(`aws_iam_role.${roleKey}.`));
  const attachments = Object.values(resources.aws_iam_role_policy_attachment ?? {}).filter((a) => String(a.role).includes(`aws_iam_role.${roleKey}.`));
  const managed = attachments.flatMap((a) => {
    const policyKey = /aws_iam_policy\.([A-Za-z0-9_-]+)/.exec(String(a.for_each))![1];
    return Object.values(resources.aws_iam_policy[policyKey].for_each as Record<string, string>);
  });
  return { inline: inline.map((p) => ({ name: p.name!, text: p.policy! })), managed };
}

/** Characters IAM counts: whitespace is not counted (IAM User Guide, "IAM and AWS STS quotas"). */
const counted = (text: string) => text.replace(/\s/g, "").length;
/**
 * The synthesized text in the longest place (partition aws-us-gov, a 12-digit account, region
 * us-isof-south-1), every reference to another resource (log group, table ARN) as 140 characters,
 * more than any of them can be: what IAM would count in the worst case.
 */
const worstCase = (text: string) => deployedIn(text, { partition: "aws-us-gov", account: "123456789012", region: "us-isof-south-1" }).replace(/\$\{[^}]+\}/g, "x".repeat(140));

const statementsOf = (texts: readonly string[]) => texts.flatMap((t) => (JSON.parse(t) as { Statement: Statement[] }).Statement);

describe.each([
  ["the hub's rerun role", () => synthHub(names(200)), "rerun-role", HUB],
  ["a spoke's relaunch role", () => synthSpoke(names(200)), "relaunch-role", SPOKE],
  ["a spoke's relaunch role, clusters by ARN", () => synthSpoke(names(200).map((c) => `arn:aws:ecs:eu-west-1:${SPOKE.account}:cluster/${c}`)), "relaunch-role", SPOKE],
])("%s with 200 protected clusters of 20 characters", (_what, synth, roleId, place) => {
  const raw = policiesOf(synth(), roleId);
  const each = (f: (t: string) => string) => ({ inline: raw.inline.map((p) => ({ name: p.name, text: f(p.text) })), managed: raw.managed.map(f) });
  const deployed = each((t) => deployedIn(t, place));
  const worst = each(worstCase);
  const statements = statementsOf([...deployed.inline.map((p) => p.text), ...deployed.managed]);
  const protectedNames = names(200);
  const ecs = (resource: string) => `arn:aws:ecs:${place.region}:${place.account}:${resource}`;

  test("fits IAM's quotas even in the longest place: inline policies together, each managed policy, the number attached", () => {
    expect(worst.inline.reduce((sum, p) => sum + counted(p.text), 0)).toBeLessThanOrEqual(10240);
    expect(worst.managed.length).toBeGreaterThan(0);
    expect(worst.managed.length).toBeLessThanOrEqual(10);
    for (const m of worst.managed) expect(counted(m)).toBeLessThanOrEqual(6144);
  });

  test("the launch pacer's inline policies stay within the 1,024 characters kept for them", () => {
    const pacer = worst.inline.filter((p) => p.name.startsWith("reserve-"));
    expect(pacer.length).toBe(roleId === "rerun-role" ? 2 : 0);
    expect(pacer.reduce((sum, p) => sum + counted(p.text), 0)).toBeLessThanOrEqual(1024);
  });

  test("every protected cluster is named once, in one policy: the inline one or one managed policy", () => {
    const clusterLists = statementsOf([...deployed.inline.map((p) => p.text), ...deployed.managed])
      .filter((s) => s.Sid === "RerunOnProtectedClustersOnly")
      .map((s) => list(s.Condition!.ArnEquals["ecs:cluster"]));
    expect(clusterLists.flat()).toEqual(protectedNames.map((c) => ecs(`cluster/${c}`)));
    // The other statement naming them names the same ones, policy by policy.
    const watched = statements.filter((s) => s.Sid === "WatchTasksOnProtectedClusters").map((s) => list(s.Condition!.ArnEquals["ecs:cluster"]));
    expect(watched).toEqual(clusterLists);
  });

  test.each([0, 57, 113, 199])("protected cluster %i: may run, start, describe, list and tag at launch", (i) => {
    const context = { "ecs:cluster": ecs(`cluster/${protectedNames[i]}`) };
    expect(allows(statements, { action: "ecs:RunTask", resource: ecs("task-definition/nightly:3"), context })).toBe(true);
    expect(allows(statements, { action: "ecs:StartTask", resource: ecs("task-definition/nightly:3"), context })).toBe(true);
    expect(allows(statements, { action: "ecs:DescribeTasks", resource: ecs(`task/${protectedNames[i]}/0123abcd`), context })).toBe(true);
    expect(allows(statements, { action: "ecs:ListTasks", resource: ecs(`container-instance/${protectedNames[i]}/4567ef`), context })).toBe(true);
    expect(allows(statements, { action: "ecs:TagResource", resource: ecs(`task/${protectedNames[i]}/0123abcd`), context: { "ecs:CreateAction": "RunTask" } })).toBe(true);
  });

  test("any other cluster, of this account or another, or none named: nothing", () => {
    const others = [ecs("cluster/cluster-0000000000000200"), ecs("cluster/other"), `arn:aws:ecs:${place.region}:999999999999:cluster/${protectedNames[0]}`, `arn:aws:ecs:ap-south-1:${place.account}:cluster/${protectedNames[0]}`];
    for (const cluster of others) {
      for (const action of ["ecs:RunTask", "ecs:StartTask", "ecs:DescribeTasks", "ecs:ListTasks"]) {
        expect(allows(statements, { action, resource: ecs("task-definition/nightly:3"), context: { "ecs:cluster": cluster } })).toBe(false);
        expect(allows(statements, { action, resource: ecs("task/other/0123abcd"), context: { "ecs:cluster": cluster } })).toBe(false);
      }
    }
    for (const action of ["ecs:RunTask", "ecs:DescribeTasks", "ecs:ListTasks"]) expect(allows(statements, { action, resource: "*", context: {} })).toBe(false);
  });

  // A request is allowed when every resource it names is: StartTask names its task definition and the
  // container instances it places on, and only the task definition's grant carries ecs:cluster.
  test("StartTask names its container instances too: allowed on a protected cluster, refused on any other", () => {
    const startTask = (cluster: string, instance: string) =>
      [ecs("task-definition/nightly:3"), instance].every((resource) => allows(statements, { action: "ecs:StartTask", resource, context: { "ecs:cluster": cluster } }));
    expect(startTask(ecs(`cluster/${protectedNames[57]}`), ecs(`container-instance/${protectedNames[57]}/4567ef`))).toBe(true);
    expect(startTask(ecs("cluster/other"), ecs("container-instance/other/4567ef"))).toBe(false);
    expect(startTask(`arn:aws:ecs:${place.region}:999999999999:cluster/${protectedNames[0]}`, `arn:aws:ecs:${place.region}:999999999999:container-instance/${protectedNames[0]}/4567ef`)).toBe(false);
  });

  test("tagging only at launch: a TagResource call of its own (no ecs:CreateAction) is refused, as is tagging a cluster or service", () => {
    expect(allows(statements, { action: "ecs:TagResource", resource: ecs(`task/${protectedNames[0]}/0123abcd`), context: {} })).toBe(false);
    expect(allows(statements, { action: "ecs:TagResource", resource: ecs(`task/${protectedNames[0]}/0123abcd`), context: { "ecs:CreateAction": "CreateService" } })).toBe(false);
    expect(allows(statements, { action: "ecs:TagResource", resource: ecs(`cluster/${protectedNames[0]}`), context: { "ecs:CreateAction": "RunTask" } })).toBe(false);
  });
});

describe("the maxima the README states (20-character names, default families and roles), at the boundary", () => {
  test.each<[string, (clusters: readonly string[]) => string, number, RegExp]>([
    ["a pipeline's rerun role", synthPipeline, 406, /^The rerun role ecs-rerun-rerun-<region> cannot be granted 407 protected clusters: its inline policies take up to \d+ characters before any cluster and each cluster 158 more, so 46 fit its inline policy rerun-on-protected-clusters .* and 36 each of the 10 managed policies .*: protect fewer clusters in this pipeline \(clusters\)/],
    ["a hub's rerun role (one spoke account)", (c) => synthHub(c), 405, /^The rerun role ecs-rerun-rerun-<region> cannot be granted 406 protected clusters: .* so 45 fit its inline policy rerun-on-protected-clusters/],
    ["a spoke's relaunch role", synthSpoke, 414, /^The relaunch role ecs-rerun-relaunch-<region> cannot be granted 415 protected clusters: .* so 54 fit its inline policy relaunch-on-protected-clusters .*: protect fewer clusters with this spoke \(clusters\)/],
  ])("%s: %i fit, one more is refused at synth, saying why and what to do", (_what, synth, max, refusal) => {
    expect(() => synth(names(max))).not.toThrow();
    expect(() => synth(names(max + 1))).toThrow(refusal);
  });
});
