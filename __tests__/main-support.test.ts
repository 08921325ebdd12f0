// What main.ts relies on: the list of what synth wrote and the state file's name (the context a synth
// sees is in __tests__/settings/cdktf-context.test.ts).
import { synthReport } from "../modules/synth-report";
import { legacyStateProblems, stateFileName } from "../modules/state-file";

describe("synthReport", () => {
  const manifest = {
    stacks: {
      "ecs-cluster": { name: "ecs-cluster", synthesizedStackPath: "stacks/ecs-cluster/cdk.tf.json" },
      "ecs-rerun": { name: "ecs-rerun", synthesizedStackPath: "stacks/ecs-rerun/cdk.tf.json" },
    },
  };

  test("lists each stack and its path, relative to where synth ran", () => {
    expect(synthReport(manifest, "cdktf.out", "/repo")).toBe(
      [
        "Wrote 2 stacks (Terraform JSON):",
        "  ecs-cluster  cdktf.out/stacks/ecs-cluster/cdk.tf.json",
        "  ecs-rerun    cdktf.out/stacks/ecs-rerun/cdk.tf.json",
        "Deploy with: npm run cdktf -- deploy ecs-cluster ecs-rerun",
      ].join("\n"),
    );
  });

  test("keeps an output directory elsewhere absolute", () => {
    expect(synthReport(manifest, "/tmp/out", "/repo").split("\n")[1]).toBe("  ecs-cluster  /tmp/out/stacks/ecs-cluster/cdk.tf.json");
    expect(synthReport(manifest, "/repo/out", "/repo").split("\n")[1]).toBe("  ecs-cluster  out/stacks/ecs-cluster/cdk.tf.json");
  });

  test("in a spoke's account and region, does not suggest deploying a second pipeline there", () => {
    const withSpoke = { stacks: { ...manifest.stacks, "ecs-rerun-spoke": { name: "ecs-rerun-spoke", synthesizedStackPath: "stacks/ecs-rerun-spoke/cdk.tf.json" } } };
    const lines = synthReport(withSpoke, "cdktf.out", "/repo").split("\n");
    expect(lines[0]).toBe("Wrote 3 stacks (Terraform JSON):");
    expect(lines[3]).toBe("  ecs-rerun-spoke  cdktf.out/stacks/ecs-rerun-spoke/cdk.tf.json");
    expect(lines.slice(4)).toEqual([
      "Deploy with: npm run cdktf -- deploy ecs-cluster ecs-rerun-spoke",
      "(not ecs-rerun here: the hub reruns this spoke's failures, and a pipeline here would rerun them again)",
    ]);
  });
});

describe("where synth says it deploys", () => {
  const manifest = { stacks: { "ecs-rerun": { name: "ecs-rerun", synthesizedStackPath: "stacks/ecs-rerun/cdk.tf.json" } } };

  test("names the region, its name for people, and where it was set", () => {
    expect(synthReport(manifest, "cdktf.out", "/repo", { region: "ap-northeast-1", regionSetBy: "ECS_RERUN_REGION" }).split("\n")[0]).toBe(
      "Region: ap-northeast-1 (Asia Pacific (Tokyo)), from ECS_RERUN_REGION; account: the credentials' (ECS_RERUN_ACCOUNT_ID pins one)",
    );
    expect(synthReport(manifest, "cdktf.out", "/repo", { region: "us-east-1", account: "123456789012" }).split("\n")[0]).toBe(
      "Region: us-east-1 (US East (N. Virginia)), the default (set ECS_RERUN_REGION for another); account: 123456789012",
    );
  });
});

describe("state files named by place", () => {
  test("by stack, account (when given) and region", () => {
    expect(stateFileName("ecs-cluster", "eu-west-1")).toBe("terraform.ecs-cluster.eu-west-1.tfstate");
    expect(stateFileName("ecs-rerun-spoke", "eu-west-1", "222233334444")).toBe("terraform.ecs-rerun-spoke.222233334444.eu-west-1.tfstate");
  });

  test("a hub and a spoke from one checkout share none", () => {
    const hub = ["ecs-cluster", "ecs-rerun"].map((s) => stateFileName(s, "us-east-1", "111122223333"));
    const spoke = ["ecs-cluster", "ecs-rerun-spoke"].map((s) => stateFileName(s, "us-east-1", "222233334444"));
    const elsewhere = ["ecs-cluster", "ecs-rerun-spoke"].map((s) => stateFileName(s, "eu-west-1"));
    expect(new Set([...hub, ...spoke, ...elsewhere, ...hub.map((_, i) => stateFileName(["ecs-cluster", "ecs-rerun"][i], "us-east-1"))]).size).toBe(8);
  });

  test("an earlier state file beside none of the new name stops synth, saying how to rename it", () => {
    const stacks = [{ id: "ecs-cluster", region: "eu-west-1" }, { id: "ecs-rerun-spoke", region: "eu-west-1", account: "222233334444" }];
    const files = new Set(["terraform.ecs-cluster.tfstate", "terraform.ecs-rerun-spoke.eu-west-1.tfstate"]);
    const problems = legacyStateProblems(stacks, (f) => files.has(f));
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(/^terraform\.ecs-cluster\.tfstate holds the state of an earlier deploy of the ecs-cluster stack, which is now kept in terraform\.ecs-cluster\.eu-west-1\.tfstate .* mv terraform\.ecs-cluster\.tfstate terraform\.ecs-cluster\.eu-west-1\.tfstate;/);
    expect(problems[1]).toContain("mv terraform.ecs-rerun-spoke.eu-west-1.tfstate terraform.ecs-rerun-spoke.222233334444.eu-west-1.tfstate");
    // Once the new file exists, the old one is the user's business.
    expect(legacyStateProblems(stacks, (f) => files.has(f) || f.includes(".eu-west-1.tfstate"))).toEqual([]);
  });
});
