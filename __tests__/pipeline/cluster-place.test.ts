// Protected clusters are of the pipeline's own account and region: refused at synth when literal,
// by a precondition Terraform evaluates at plan when not (the module), which `terraform console`
// evaluates here on the same cases.
import { DefaultTokenResolver, StringConcat, TerraformStack, TerraformVariable, Testing, Tokenization } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { EcsRerunPipeline } from "../../modules/pipeline/rerun-pipeline";
import { InputError } from "../../modules/input-error";
import { clusterPlacePrecondition } from "../../modules/pipeline/cluster-place";
import { describeWithTerraform, evaluate, removeTempDirs, scratchDir } from "../terraform-module/support";

afterAll(removeTempDirs);

const HERE = "arn:aws:ecs:eu-west-1:123456789012:cluster/batch";
const OTHER_REGION = "arn:aws:ecs:us-east-1:123456789012:cluster/batch";
const OTHER_ACCOUNT = "arn:aws:ecs:eu-west-1:999988887777:cluster/batch";

function pipeline(clusters: string[], region?: string) {
  const stack = new TerraformStack(Testing.app(), "s");
  new AwsProvider(stack, "aws", { region: "eu-west-1" });
  return new EcsRerunPipeline(stack, "p", { clusters, region, notificationEmails: ["ops@example.com"] });
}

test("a literal cluster ARN of another region is refused at synth, naming the prop and the module variable", () => {
  const build = () => pipeline(["batch", OTHER_REGION], "eu-west-1");
  expect(build).toThrow(InputError);
  expect(build).toThrow(/^clusters\[1\] = "arn:aws:ecs:us-east-1:123456789012:cluster\/batch" is invalid \(EcsRerunPipeline prop clusters; module: clusters\): a cluster of us-east-1, but this deploys to eu-west-1;/);
  expect(() => pipeline(["batch", HERE], "eu-west-1")).not.toThrow();
});

test("names alone need no plan-time check; an ARN's account is left to one", () => {
  expect(clusterPlacePrecondition(["a", "b"], "eu-west-1", "123456789012", "")).toBeUndefined();
  expect(clusterPlacePrecondition(["a", HERE], "eu-west-1", "${data.aws_caller_identity.account.account_id}", "")).toBeDefined();
});

describeWithTerraform("the precondition, as Terraform evaluates it", () => {
  test("passes names and ARNs of this place, refuses another region or account", async () => {
    const cases = [["batch"], ["batch", HERE], [OTHER_REGION], ["batch", OTHER_ACCOUNT]];
    const stack = new TerraformStack(Testing.app(), "module");
    const clusters = new TerraformVariable(stack, "clusters", { type: "list(string)" });
    const check = clusterPlacePrecondition(clusters.listValue, "eu-west-1", "123456789012", "")!;
    const condition = String(Tokenization.resolve(check.condition, { scope: stack, resolver: new DefaultTokenResolver(new StringConcat()) }));
    expect(condition).toMatch(/^\$\{alltrue\(\[for c in var\.clusters : /);
    // The condition as the module writes it, over each case's clusters in turn.
    const dir = scratchDir({ "main.tf": `locals {\n  cases = ${JSON.stringify(cases)}\n}\n` });
    const expression = `jsonencode([for clusters in local.cases : ${condition.slice(2, -1).replace(/var\.clusters/g, "clusters")}])`;
    const r = await evaluate(dir, expression);
    expect(r.stderr).toBe("");
    expect(JSON.parse(r.value!)).toEqual([true, true, false, false]);
  });
});
