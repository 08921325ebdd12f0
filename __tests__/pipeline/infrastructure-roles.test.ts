/**
 * `infrastructureRoleArns` (issue 20, item 4): the rerun role may pass exactly the listed ECS
 * infrastructure roles, and only to ecs.amazonaws.com, in an inline policy of its own that counts
 * against the role's inline-policy budget; the Lambda gets the same list. Unset, none of it exists
 * (scripts/compare-artifacts.ts shows the stacks byte-identical; see the commit).
 */
import { Testing, TerraformStack } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { EcsRerunPipeline, type EcsRerunPipelineProps } from "../../modules/pipeline/rerun-pipeline";
import { resourcesOf, synthJson, type Statement } from "../support/synth";

const ROLE = "arn:aws:iam::123456789012:role/ecsInfrastructureRole";

function synth(props: Partial<EcsRerunPipelineProps> = {}) {
  const app = Testing.app();
  const stack = new TerraformStack(app, "ecs-rerun");
  new AwsProvider(stack, "aws", { region: "ap-northeast-1" });
  new EcsRerunPipeline(stack, "pipeline", { clusters: ["batch-ec2"], ...props });
  return synthJson(stack);
}
const policies = (tf: ReturnType<typeof synth>) => resourcesOf(tf, "aws_iam_role_policy").map((p) => ({ name: p.name as string, statements: (JSON.parse(p.policy as string) as { Statement: Statement[] }).Statement }));
const rerunEnvironment = (tf: ReturnType<typeof synth>) =>
  (resourcesOf(tf, "aws_lambda_function").find((f) => String(f.function_name).endsWith("-rerun"))!.environment as { variables: Record<string, string> }).variables;

describe("the ECS infrastructure roles a rerun may pass", () => {
  test("listed: exactly those, to ecs.amazonaws.com only, and the Lambda knows them", () => {
    const tf = synth({ infrastructureRoleArns: [ROLE] });
    const own = policies(tf).filter((p) => p.name === "pass-infrastructure-roles");
    expect(own).toHaveLength(1);
    expect(own[0].statements).toEqual([{ Sid: "PassInfrastructureRolesToEcsOnly", Effect: "Allow", Action: "iam:PassRole", Resource: [ROLE], Condition: { StringEquals: { "iam:PassedToService": "ecs.amazonaws.com" } } }]);
    // Nothing else may pass a role to ECS itself.
    const toEcs = policies(tf).flatMap((p) => p.statements).filter((s) => JSON.stringify(s.Condition ?? {}).includes('"ecs.amazonaws.com"'));
    expect(toEcs).toHaveLength(1);
    expect(JSON.parse(rerunEnvironment(tf).INFRASTRUCTURE_ROLE_ARNS)).toEqual([ROLE]);
  });

  test("unset or empty: no policy, no variable", () => {
    for (const tf of [synth(), synth({ infrastructureRoleArns: [] })]) {
      expect(policies(tf).map((p) => p.name)).not.toContain("pass-infrastructure-roles");
      expect(rerunEnvironment(tf).INFRASTRUCTURE_ROLE_ARNS).toBeUndefined();
    }
  });

  test("a value that is no role ARN is refused, naming where it was set", () => {
    expect(() => synth({ infrastructureRoleArns: ["ecsInfrastructureRole"] })).toThrow(/infrastructureRoleArns\[\]: "ecsInfrastructureRole" is invalid: expected an IAM role ARN/);
  });

  test("its characters count against the rerun role's inline-policy budget: fewer clusters fit inline", () => {
    const clusters = Array.from({ length: 60 }, (_, i) => `cluster-with-a-rather-long-name-${String(i).padStart(3, "0")}`);
    const inlineClusters = (tf: ReturnType<typeof synth>) => JSON.stringify(policies(tf).find((p) => p.name === "rerun-on-protected-clusters")!.statements).match(/cluster-with-a-rather-long-name-\d{3}/g)!.length;
    const many = Array.from({ length: 20 }, (_, i) => `arn:aws:iam::123456789012:role/ecs-infrastructure-role-number-${i}`);
    expect(inlineClusters(synth({ clusters, infrastructureRoleArns: many }))).toBeLessThan(inlineClusters(synth({ clusters })));
  });
});
