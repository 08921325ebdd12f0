// What main.ts relies on: the context a synth sees without the cdktf CLI, and the list of what it wrote.
import { ConfigError } from "../modules/config";
import { appContext } from "../modules/settings/cdktf-context";
import { synthReport } from "../modules/synth-report";

describe("appContext", () => {
  test("reads cdktf.json's context when the cdktf CLI has not passed it", () => {
    expect(appContext({}, JSON.stringify({ app: "x", context: { clusterName: "batch" } }))).toEqual({ clusterName: "batch" });
    expect(appContext({}, JSON.stringify({ app: "x" }))).toEqual({});
    expect(appContext({}, undefined)).toEqual({});
  });

  test("leaves it to the App when CDKTF_CONTEXT_JSON is set (the CLI's copy of cdktf.json)", () => {
    expect(appContext({ CDKTF_CONTEXT_JSON: '{"clusterName":"a"}' }, JSON.stringify({ context: { clusterName: "b" } }))).toEqual({});
  });

  test.each<[NodeJS.ProcessEnv, string | undefined, RegExp]>([
    [{ CDKTF_CONTEXT_JSON: "{oops" }, undefined, /^CDKTF_CONTEXT_JSON is not valid JSON( \(at character 2\))?; its text is not shown here/],
    [{ CDKTF_CONTEXT_JSON: "[1]" }, undefined, /^CDKTF_CONTEXT_JSON must be a JSON object of context keys and values, not a list/],
    [{}, "{", /^cdktf\.json is not valid JSON/],
    [{}, '{"context": 5}', /^cdktf\.json "context" must be a JSON object of context keys and values, not a number/],
  ])("refuses malformed context with a ConfigError (%p)", (env, text, message) => {
    expect(() => appContext(env, text)).toThrow(ConfigError);
    expect(() => appContext(env, text)).toThrow(message);
  });

  test("does not echo the malformed text", () => {
    expect(() => appContext({ CDKTF_CONTEXT_JSON: '{"slackWebhookParameter": https://hooks.slack.com/x}' }, undefined)).toThrow(/^(?!.*hooks\.slack\.com)/s);
  });
});

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
