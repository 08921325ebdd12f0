// The Lambda packages as synth builds them (modules/pipeline/functions/lambda-package.ts), unpacked as Lambda
// unpacks them into /var/task and run in a Node process of their own with only what Lambda would
// give them (environment, credentials; the SDK pointed at the local endpoints by AWS_ENDPOINT_URL):
// - no test-only code ships (the fault sweep's defects are planted around the handlers, never in them);
// - the minified bundles work: the rerun Lambda reads a rule's target through the local EventBridge,
//   takes its turn on the local DynamoDB clock and relaunches through the local ECS; the starter
//   starts one execution per failure; the notifier posts the notice to a local Slack; judged on what
//   the local endpoints hold, and a stack trace points into the TypeScript sources (the source map);
// - the rerun entry point loads no SDK client at init but ECS (the others load at their first call).
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { buildLambdaPackage, LAMBDA_ENTRIES, unzip, type LambdaName } from "../../modules/pipeline/functions/lambda-package";
import { LocalAws } from "../../drill/local-aws/local-aws";
import { LocalSlack } from "../../drill/slack/local-slack";

jest.setTimeout(60_000);

const run = promisify(execFile);
const ROOT = resolve(__dirname, "..", "..");
const EVENTS = join(ROOT, "drill", "events");
const SCHEDULES = join(ROOT, "drill", "schedules");
const REGION = "ap-northeast-1";
const ACCOUNT = "123456789012";
const PACER_TABLE = "ecs-rerun-pacer";
const NOTICE_TABLE = "ecs-rerun-notices";
const DIGEST_QUEUE = `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/ecs-rerun-digest`;
const WEBHOOK_PARAMETER = "/ecs-rerun/slack-webhook";
const EXECUTION_ARN = `arn:aws:states:${REGION}:${ACCOUNT}:execution:ecs-rerun:bundle-test`;
const STATE_MACHINE_ARN = `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:ecs-rerun`;

let dir: string;
const unpacked: Partial<Record<LambdaName, { js: string; map: string; entry: string }>> = {};

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "ecs-rerun-bundles-"));
  for (const fn of Object.keys(LAMBDA_ENTRIES) as LambdaName[]) {
    const files = unzip(readFileSync(buildLambdaPackage(fn).zipPath));
    mkdirSync(join(dir, fn));
    for (const f of files) writeFileSync(join(dir, fn, f.name), f.data);
    const text = (name: string) => files.find((f) => f.name === name)?.data.toString("utf8") ?? "";
    unpacked[fn] = { js: text("index.js"), map: text("index.js.map"), entry: join(dir, fn, "index.js") };
  }
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Test-only words: what a planted defect was called in the Lambdas before it moved out of them. */
const TEST_ONLY = /planted/i;

describe("the Lambda packages", () => {
  test("each holds index.js and its source map, linked by name", () => {
    for (const fn of Object.keys(LAMBDA_ENTRIES) as LambdaName[]) {
      expect(unzip(readFileSync(buildLambdaPackage(fn).zipPath)).map((f) => f.name)).toEqual(["index.js", "index.js.map"]);
      expect(unpacked[fn]!.js.trimEnd().endsWith("//# sourceMappingURL=index.js.map")).toBe(true);
    }
  });

  test("no bundle (nor its source map) carries a test-only switch", () => {
    const found = (Object.keys(LAMBDA_ENTRIES) as LambdaName[]).flatMap((fn) =>
      (["js", "map"] as const).flatMap((part) => (TEST_ONLY.test(unpacked[fn]![part]) ? [`${fn} ${part}: ${TEST_ONLY.exec(unpacked[fn]![part])![0]}`] : [])),
    );
    expect(found).toEqual([]);
    // The grep finds the word where it is (the check can fail).
    expect(TEST_ONLY.test("deps.plantedDefects?.has(defect)")).toBe(true);
  });
});

/** Runs `program` in a fresh Node with the unpacked bundle `fn` as BUNDLE, Lambda's way (source maps on); returns what it wrote to OUT. */
async function inLambda(fn: LambdaName, endpoint: string, env: Record<string, string>, program: string): Promise<any> {
  const out = join(dir, `${fn}-out.json`);
  const script = `const BUNDLE = ${JSON.stringify(unpacked[fn]!.entry)}; const OUT = ${JSON.stringify(out)}; const done = (v) => require("fs").writeFileSync(OUT, JSON.stringify(v));\n(async () => { ${program} })().catch((e) => { console.error(e); process.exit(1); });`;
  await run(process.execPath, ["-e", script], {
    env: {
      NODE_OPTIONS: "--enable-source-maps",
      AWS_REGION: REGION,
      AWS_ENDPOINT_URL: endpoint,
      AWS_ACCESS_KEY_ID: `ASIABUNDLE${fn.replace(/\W/g, "").toUpperCase().padEnd(10, "0").slice(0, 10)}`,
      AWS_SECRET_ACCESS_KEY: "bundle-test",
      AWS_EC2_METADATA_DISABLED: "true",
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
      ...env,
    },
  });
  return JSON.parse(readFileSync(out, "utf8"));
}

describe("the bundles run as Lambda runs them", () => {
  let aws: LocalAws;
  let slack: LocalSlack;
  let endpoint: string;

  beforeAll(async () => {
    slack = new LocalSlack();
    const { url } = await slack.start();
    aws = new LocalAws({
      tables: { [PACER_TABLE]: { hashKey: "pk" }, [NOTICE_TABLE]: { hashKey: "pk" } },
      queues: { [DIGEST_QUEUE]: { maxReceiveCount: 5 } },
      parameters: { [WEBHOOK_PARAMETER]: `${url}/services/T000/B000/bundle` },
    });
    ({ endpoint } = await aws.start());
    const rule = JSON.parse(readFileSync(join(SCHEDULES, "rule__nightly-report-batch.json"), "utf8")) as { Rule: string; Targets: Record<string, unknown>[] };
    aws.setSchedules({ rules: { [rule.Rule]: rule.Targets }, schedules: [] });
  });
  afterAll(async () => {
    await aws.stop();
    await slack.stop();
  });

  let notice: string | undefined;

  test("rerun: the rule's own request read through EventBridge, paced on DynamoDB, relaunched on ECS; stack traces in the sources", async () => {
    const event = readFileSync(join(EVENTS, "constructed__runtask-failure-AGENT-hidden-environment__eventbridge-rule.json"), "utf8");
    const got = await inLambda("rerun", endpoint, { PACER_TABLE, VERIFY_INTERVAL_SECONDS: "0", QUICK_CHECK_SECONDS: "0" }, `
      const { handler } = require(BUNDLE);
      const classified = await handler({ action: "classify", event: ${event}, executionArn: ${JSON.stringify(EXECUTION_ARN)} });
      const rerun = await handler({ action: "rerun", failure: classified.failure, attempt: classified.decision.nextAttempt, executionArn: ${JSON.stringify(EXECUTION_ARN)} });
      const invalid = await handler({}).then(() => "no error", (e) => e.stack);
      done({ classified: classified.decision.next, requestSource: classified.failure.requestSource, rerun: rerun.decision.next, notice: classified.noticeMessage, invalid });
    `);
    expect(got).toMatchObject({ classified: "retry", requestSource: "schedule", rerun: "recovered" });
    // Ground truth: the task the local ECS placed carries the environment only the rule's target holds.
    const placed = aws.tasks();
    expect(placed).toHaveLength(1);
    expect(JSON.stringify(placed[0])).toContain("REPORT_DATE");
    // The pacer's clock moved in the local table.
    expect(aws.dynamodb.item(PACER_TABLE, "launches")).toBeDefined();
    // The source map is read: the invalid payload's stack names the TypeScript file that refused it.
    expect(got.invalid).toMatch(/InvalidEventError[\s\S]*lambda\/rerun\/core\/failure\/invocation\.ts:\d+/);
    notice = got.notice;
  });

  test("starter: one execution per failure; a second delivery gets the same one", async () => {
    const event = readFileSync(join(EVENTS, "constructed__runtask-failure-AGENT__eventbridge-rule.json"), "utf8");
    const got = await inLambda("starter", endpoint, { STATE_MACHINE_ARN }, `
      const { handler } = require(BUNDLE);
      done([await handler(${event}), await handler(${event})]);
    `);
    // Still open, the execution answers the same name and input with itself (a Standard workflow's StartExecution).
    expect(aws.sfn.startedNames()).toEqual([got[0].name]);
    expect(got[1].executionArn).toBe(got[0].executionArn);
  });

  test("notifier: the rerun's notice posted to Slack, counted in its minute on DynamoDB", async () => {
    expect(notice).toBeDefined(); // the rerun's test above made it
    const got = await inLambda("notifier", endpoint, { SLACK_WEBHOOK_PARAMETER: WEBHOOK_PARAMETER, NOTICE_TABLE, DIGEST_QUEUE_URL: DIGEST_QUEUE }, `
      const { handler } = require(BUNDLE);
      await handler({ Records: [{ Sns: { MessageId: "m-1", Message: ${JSON.stringify(notice)} } }] });
      done("posted");
    `);
    expect(got).toBe("posted");
    expect(slack.received.map((d) => d.answeredWith)).toEqual(["ok"]);
    expect(JSON.stringify(slack.received[0].payload)).toContain("nightly-report");
    expect(aws.dynamodb.item(NOTICE_TABLE, `window#${Math.floor(Date.now() / 60_000)}`) ?? aws.dynamodb.item(NOTICE_TABLE, `window#${Math.floor(Date.now() / 60_000) - 1}`)).toBeDefined();
  });
});

describe("what the rerun entry point loads at init", () => {
  test("ECS only, even for a hub that paces: DynamoDB, EventBridge, Scheduler and STS load at their first call", async () => {
    const program = `require(${JSON.stringify(join(ROOT, "lambda", "rerun", "index.ts"))});
      const packages = new Set(Object.keys(require.cache).map((k) => (/node_modules\\/(@aws-sdk\\/[^/]+)/.exec(k) ?? [])[1]).filter(Boolean));
      process.stdout.write(JSON.stringify([...packages].filter((p) => /client-|credential-providers|nested-clients/.test(p)).sort()));`;
    const { stdout } = await run(process.execPath, ["--import", "tsx", "-e", program], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH,
        AWS_REGION: REGION,
        PACER_TABLE,
        SPOKE_ROLE_ARN_PATTERN: "arn:aws:iam::{account}:role/ecs-rerun/ecs-rerun-relaunch-{region}",
        SPOKE_ACCOUNTS: '["222233334444"]',
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
      },
    });
    expect(JSON.parse(stdout)).toEqual(["@aws-sdk/client-ecs"]);
  });
});
