// The context a synth sees (modules/settings/cdktf-context.ts): cdktf.json's "context" read by main.ts
// when the cdktf CLI did not pass it, and either source checked before cdktf reads it. Pure, so it runs
// in the mutation testing jest (jest.stryker.config.js), which leaves out suites that load cdktf.
import { ConfigError } from "../../modules/config";
import { appContext } from "../../modules/settings/cdktf-context";

/** The ConfigError message appContext throws (fails the test if it returns or throws anything else). */
function refusal(env: NodeJS.ProcessEnv, text: string | undefined): string {
  try {
    appContext(env, text);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as Error).message;
  }
  throw new Error("appContext accepted it");
}

describe("appContext: where the context comes from", () => {
  test("reads cdktf.json's context when the cdktf CLI has not passed it", () => {
    expect(appContext({}, '{"app": "x", "context": {"clusterName": "batch", "maxRetries": 3}}')).toEqual({ clusterName: "batch", maxRetries: 3 });
  });

  test("a cdktf.json without a context, or no cdktf.json at all, gives an empty context", () => {
    expect(appContext({}, '{"app": "x"}')).toEqual({});
    expect(appContext({}, undefined)).toEqual({});
  });

  test("leaves it to the App when CDKTF_CONTEXT_JSON is set (the CLI's copy of cdktf.json), even beside a cdktf.json", () => {
    expect(appContext({ CDKTF_CONTEXT_JSON: '{"clusterName":"a"}' }, '{"context": {"clusterName": "b"}}')).toEqual({});
    expect(appContext({ CDKTF_CONTEXT_JSON: "{}" }, undefined)).toEqual({});
  });

  test("an empty CDKTF_CONTEXT_JSON counts as not set: cdktf.json's context is read", () => {
    expect(appContext({ CDKTF_CONTEXT_JSON: "" }, '{"context": {"clusterName": "b"}}')).toEqual({ clusterName: "b" });
  });
});

describe("appContext: malformed context is a ConfigError that names where, never a stack trace from cdktf", () => {
  test("CDKTF_CONTEXT_JSON that is not JSON: names the character where the parser stopped (1-based)", () => {
    expect(refusal({ CDKTF_CONTEXT_JSON: "{oops" }, undefined)).toBe(
      "CDKTF_CONTEXT_JSON is not valid JSON (at character 2); its text is not shown here, as it may hold secrets",
    );
    expect(refusal({ CDKTF_CONTEXT_JSON: '{"a":1,}' }, undefined)).toBe(
      "CDKTF_CONTEXT_JSON is not valid JSON (at character 8); its text is not shown here, as it may hold secrets",
    );
  });

  test("JSON that ends too soon has no position to name", () => {
    expect(refusal({}, '{"context": ')).toBe("cdktf.json is not valid JSON; its text is not shown here, as it may hold secrets");
  });

  test("CDKTF_CONTEXT_JSON must be an object, even when cdktf.json is fine", () => {
    expect(refusal({ CDKTF_CONTEXT_JSON: "[1]" }, '{"context": {}}')).toBe("CDKTF_CONTEXT_JSON must be a JSON object of context keys and values, not a list");
    expect(refusal({ CDKTF_CONTEXT_JSON: "null" }, undefined)).toBe("CDKTF_CONTEXT_JSON must be a JSON object of context keys and values, not null");
    expect(refusal({ CDKTF_CONTEXT_JSON: '"x"' }, undefined)).toBe("CDKTF_CONTEXT_JSON must be a JSON object of context keys and values, not a string");
  });

  test("cdktf.json itself must be an object", () => {
    expect(refusal({}, "true")).toBe("cdktf.json must be a JSON object of context keys and values, not a boolean");
  });

  test("cdktf.json's context must be an object", () => {
    expect(refusal({}, '{"context": 5}')).toBe('cdktf.json "context" must be a JSON object of context keys and values, not a number');
    expect(refusal({}, '{"context": null}')).toBe('cdktf.json "context" must be a JSON object of context keys and values, not null');
    expect(refusal({}, '{"context": ["clusterName"]}')).toBe('cdktf.json "context" must be a JSON object of context keys and values, not a list');
  });

  test("does not echo the malformed text (it may hold a webhook URL)", () => {
    expect(refusal({ CDKTF_CONTEXT_JSON: '{"slackWebhookParameter": https://hooks.slack.com/x}' }, undefined)).not.toContain("hooks.slack.com");
  });
});
