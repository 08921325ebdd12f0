/**
 * The Lambda entry points read and validate their environment once, at cold start (module load),
 * and fail with a message naming the variable.
 */
const ENV_KEYS = [
  "MAX_ATTEMPTS",
  "JITTER",
  "SLACK_WEBHOOK_PARAMETER",
  "SLACK_TIMEOUT_MS",
  "AWS_REGION",
  "SPOKE_ROLE_ARN_PATTERN",
  "SPOKE_ACCOUNTS",
  "STATE_MACHINE_ARN",
  "CLUSTERS",
  "CURSOR_TABLE",
  // The SDK warns on Node < 22 when a client is built; the Lambda runtime is nodejs22.x.
  "AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED",
] as const;

function loadWithEnv(path: string, env: Partial<Record<(typeof ENV_KEYS)[number], string>>): { handler?: unknown } {
  const saved = Object.fromEntries(ENV_KEYS.map((k) => [k, process.env[k]]));
  for (const k of ENV_KEYS) delete process.env[k];
  Object.assign(process.env, { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" }, env);
  try {
    let mod: { handler?: unknown } = {};
    jest.isolateModules(() => {
      mod = require(path) as { handler?: unknown };
    });
    return mod;
  } finally {
    for (const k of ENV_KEYS) {
      if (saved[k] === undefined) delete process.env[k];
      else process.env[k] = saved[k];
    }
  }
}

describe("rerun entry point", () => {
  it("exports a handler when the environment is valid", () => {
    expect(typeof loadWithEnv("../../lambda/rerun/index", { AWS_REGION: "ap-northeast-1", MAX_ATTEMPTS: "4" }).handler).toBe("function");
  });

  it("fails at cold start naming the bad variable", () => {
    expect(() => loadWithEnv("../../lambda/rerun/index", { AWS_REGION: "ap-northeast-1", MAX_ATTEMPTS: "0" })).toThrow(
      expect.objectContaining({ name: "ConfigurationError", message: expect.stringMatching(/^MAX_ATTEMPTS="0"/) }),
    );
  });
});

describe("rerun entry point of a hub", () => {
  const HUB = { AWS_REGION: "ap-northeast-1", SPOKE_ROLE_ARN_PATTERN: "arn:aws:iam::{account}:role/ecs-rerun/ecs-rerun-relaunch-{region}", SPOKE_ACCOUNTS: '["222233334444"]' };

  it("exports a handler with its spoke settings (the spokes' clients are made on first use)", () => {
    expect(typeof loadWithEnv("../../lambda/rerun/index", HUB).handler).toBe("function");
  });

  it("fails at cold start naming a bad SPOKE_ROLE_ARN_PATTERN or SPOKE_ACCOUNTS", () => {
    expect(() => loadWithEnv("../../lambda/rerun/index", { ...HUB, SPOKE_ROLE_ARN_PATTERN: "arn:aws:iam::222233334444:role/x" })).toThrow(
      expect.objectContaining({ name: "ConfigurationError", message: expect.stringMatching(/^SPOKE_ROLE_ARN_PATTERN=/) }),
    );
    expect(() => loadWithEnv("../../lambda/rerun/index", { ...HUB, SPOKE_ACCOUNTS: '["22223333"]' })).toThrow(
      expect.objectContaining({ name: "ConfigurationError", message: expect.stringMatching(/^SPOKE_ACCOUNTS=/) }),
    );
  });
});

describe("notifier entry point", () => {
  it("exports a handler when the environment is valid", () => {
    const mod = loadWithEnv("../../lambda/notifier/index", { AWS_REGION: "ap-northeast-1", SLACK_WEBHOOK_PARAMETER: "/ecs-rerun/slack-webhook" });
    expect(typeof mod.handler).toBe("function");
  });

  it("fails at cold start when SLACK_WEBHOOK_PARAMETER is missing", () => {
    expect(() => loadWithEnv("../../lambda/notifier/index", { AWS_REGION: "ap-northeast-1" })).toThrow(
      expect.objectContaining({ name: "ConfigurationError", message: expect.stringContaining("SLACK_WEBHOOK_PARAMETER") }),
    );
  });
});

describe("reconciler entry point", () => {
  const RECONCILER = "../../lambda/reconciler/index";
  const ENV = {
    AWS_REGION: "ap-northeast-1",
    STATE_MACHINE_ARN: "arn:aws:states:ap-northeast-1:123456789012:stateMachine:ecs-rerun",
    CLUSTERS: '["batch-ec2"]',
    CURSOR_TABLE: "ecs-rerun-reconciler",
  };

  it("exports a handler when the environment is valid", () => {
    expect(typeof loadWithEnv(RECONCILER, ENV).handler).toBe("function");
  });

  // The reconciler reaches a hub's spokes through STS, like the rerun function, but reads only
  // CloudTrail and ECS there: its bundle must not carry the rerun function's EventBridge and
  // Scheduler clients (loaded at init for nothing).
  it("bundles only the SDK clients it uses", () => {
    const esbuild = require("esbuild") as typeof import("esbuild");
    const { metafile } = esbuild.buildSync({
      entryPoints: [require.resolve(RECONCILER)],
      bundle: true,
      platform: "node",
      target: "node22",
      format: "cjs",
      write: false,
      metafile: true,
      logLevel: "silent",
    });
    const clients = new Set(Object.keys(metafile!.inputs).map((p) => /@aws-sdk\/(client-[a-z0-9-]+)\//.exec(p)?.[1]).filter((c): c is string => c !== undefined));
    expect([...clients].sort()).toEqual(["client-cloudtrail", "client-dynamodb", "client-ecs", "client-sfn"]);
  });
});
