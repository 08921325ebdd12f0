/**
 * The self-test's shell: sends a self-test event (lambda/shared/self-test.ts) to the deployed starter
 * Lambda, waits for its execution to end and says what happened; or, with --local, runs the same
 * through the drill's synthesized pipeline and judges it on the drill's ground truth (what the local
 * Slack received, what the local ECS was asked to launch). cli.ts runs it as a process.
 */
import { randomUUID } from "node:crypto";
import { selfTestEvent, type SelfTestEvent } from "../../lambda/shared/self-test";
import { credentialsOrRegionProblem } from "../cli-support";
import { SELF_TEST_USAGE, SelfTestUsageError, parseSelfTestArgs, type SelfTestCommand } from "./options";

/** What the self-test needs from AWS (the SDK's clients, or a test's stand-ins). */
export interface AwsPorts {
  /** The Region the clients use when --region is not given (the SDK's own resolution). */
  region(): Promise<string>;
  /** Invokes the starter synchronously; `functionError` is Lambda's FunctionError when the handler threw. */
  invoke(region: string, functionName: string, event: SelfTestEvent): Promise<{ functionError?: string; payload: unknown }>;
  /** DescribeExecution. */
  describe(executionArn: string): Promise<{ status: string; output?: string; error?: string; cause?: string }>;
  sleep(ms: number): Promise<void>;
}

/** What the self-test found. */
export interface SelfTestReport {
  readonly where: "aws" | "local drill";
  /** Whether the whole path worked: the execution ended as a self-test and its notice was published (locally: posted once, nothing launched). */
  readonly ok: boolean;
  readonly region: string;
  readonly starter: string;
  readonly executionArn?: string;
  /** Step Functions' status of the execution (RUNNING when it did not end in time). */
  readonly status?: string;
  /** Whether the state machine published the self-test notice to the topic. */
  readonly published: boolean;
  /** What went wrong, when something did. */
  readonly problem?: string;
  /** Local only: HTTP posts the local Slack received, those that were the self-test's, and launch calls the local ECS got. */
  readonly slackPosts?: number;
  readonly selfTestPosts?: number;
  readonly launchCalls?: number;
  readonly tasksStarted?: number;
}

/** The SDK's errors a person can fix, as one sentence each (as the audit says them). */
function awsProblem(err: unknown): string | undefined {
  const e = err as { name?: string; message?: string } | null;
  const message = e?.message ?? String(err);
  const setup = credentialsOrRegionProblem(err);
  if (setup !== undefined) return setup;
  if (e?.name === "AccessDeniedException" || e?.name === "AccessDenied") {
    return `AWS refused the call (${message}): the self-test needs lambda:InvokeFunction on the starter and states:DescribeExecution on its executions`;
  }
  if (e?.name === "ResourceNotFoundException") return `${message}: is the pipeline deployed in this Region, under this --name?`;
  return undefined;
}

/** The self-test against a deployed pipeline. */
export async function selfTestOnAws(command: SelfTestCommand, aws: AwsPorts, now: () => number = Date.now): Promise<SelfTestReport> {
  const region = command.region ?? (await aws.region());
  const starter = `${command.name}-starter`;
  const event = selfTestEvent({ id: randomUUID(), time: new Date(now()), region, sentBy: "npm run self-test" });
  const base = { where: "aws" as const, region, starter, published: false };
  const invoked = await aws.invoke(region, starter, event);
  const answer = invoked.payload as { outcome?: string; executionArn?: string; errorMessage?: string } | null;
  if (invoked.functionError !== undefined || answer?.outcome !== "started" || typeof answer.executionArn !== "string") {
    return { ...base, ok: false, problem: `the starter did not start an execution: ${invoked.functionError ?? "no error"} ${JSON.stringify(invoked.payload)}` };
  }
  const executionArn = answer.executionArn;
  const deadline = now() + command.waitSeconds * 1000;
  let execution = await aws.describe(executionArn);
  while (execution.status === "RUNNING" && now() < deadline) {
    await aws.sleep(2000);
    execution = await aws.describe(executionArn);
  }
  const at = { ...base, executionArn, status: execution.status };
  if (execution.status === "RUNNING") return { ...at, ok: false, problem: `the execution was still running after ${command.waitSeconds} s: look at it in the Step Functions console` };
  if (execution.status !== "SUCCEEDED") return { ...at, ok: false, problem: `the execution ended ${execution.status}: ${execution.error ?? ""} ${execution.cause ?? ""}`.trim() };
  // The notice state's catch writes noticeError: the topic refused the notice, which went to the dead-letter queue.
  const output = JSON.parse(execution.output ?? "{}") as { decision?: { next?: string }; noticeError?: { Error?: string; Cause?: string } };
  if (output.noticeError !== undefined) return { ...at, ok: false, problem: `the topic refused the self-test notice (${output.noticeError.Error ?? "error"}): it waits in the dead-letter queue, and the notices-failed alarm fires` };
  if (output.decision?.next !== "self_test") return { ...at, ok: false, problem: `the rerun Lambda did not recognise the self-test (decision ${JSON.stringify(output.decision?.next)}): is it an older version?` };
  return { ...at, ok: true, published: true };
}

/** The self-test against the drill's local endpoints: the synthesized pipeline, a local Slack and a local ECS. */
export async function selfTestLocally(): Promise<SelfTestReport> {
  // Loaded only here: the drill synthesizes the app and starts local servers.
  const { Drill } = await import("../../drill/runner");
  const drill = await Drill.start({});
  try {
    const { region, account } = drill.pipeline;
    const event = selfTestEvent({ id: randomUUID(), time: new Date(), region, account, sentBy: "npm run self-test -- --local" });
    const result = await drill.run([event], { invokeStarter: true });
    const delivery = result.deliveries[0];
    // Ground truth: what the local Slack received, what the local ECS was asked and placed.
    const selfTestPosts = result.notifications.filter((p) => /self-test/.test(String((p as { text?: unknown }).text))).length;
    const launchCalls = result.launchRequests.length;
    const ok = delivery?.outcome === "self_test" && result.slackAttempts === 1 && selfTestPosts === 1 && launchCalls === 0 && result.tasksStarted === 0;
    return {
      where: "local drill",
      ok,
      region,
      starter: "the drill's starter",
      ...(delivery?.executionArn ? { executionArn: delivery.executionArn } : {}),
      status: delivery?.outcome === "self_test" ? "SUCCEEDED" : (delivery?.outcome ?? "not started"),
      published: result.published > 0,
      ...(ok ? {} : { problem: `outcome ${delivery?.outcome}, ${result.slackAttempts} Slack post(s) (${selfTestPosts} self-test), ${launchCalls} launch call(s)` }),
      slackPosts: result.slackAttempts,
      selfTestPosts,
      launchCalls,
      tasksStarted: result.tasksStarted,
    };
  } finally {
    await drill.stop();
  }
}

/** The report for people. */
export function formatSelfTest(r: SelfTestReport): string {
  const lines = [`Self-test of ${r.where === "aws" ? `${r.starter} in ${r.region}` : `the drill's pipeline (${r.region})`}: ${r.ok ? "the wiring works" : "FAILED"}`];
  if (r.executionArn) lines.push(`  execution  ${r.executionArn} (${r.status})`);
  if (r.slackPosts !== undefined) lines.push(`  local Slack received ${r.slackPosts} post(s), ${r.selfTestPosts} of them the self-test's; the local ECS got ${r.launchCalls} launch call(s)`);
  if (r.problem) lines.push(`  problem    ${r.problem}`);
  if (r.ok && r.where === "aws") {
    lines.push("  The self-test notice was published to the notices topic. Look for the self-test message in your Slack channel (and email);");
    lines.push("  if none comes within a minute, the notifier failed: read /aws/lambda/<name>-notifier and the dead-letter queue.");
  }
  return lines.join("\n");
}

/** Where the self-test writes: the process's streams, or a test's. */
export interface SelfTestIo {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
}

/** Runs the self-test; returns the exit code: 0 it worked, 1 the wiring failed, 2 a problem the user can fix. */
export async function runSelfTest(argv: readonly string[], io: SelfTestIo, aws: () => Promise<AwsPorts>): Promise<number> {
  try {
    const command = parseSelfTestArgs(argv);
    if (command.help) {
      io.out(SELF_TEST_USAGE);
      return 0;
    }
    const report = command.local ? await selfTestLocally() : await selfTestOnAws(command, await aws());
    io.out(command.json ? JSON.stringify(report) : formatSelfTest(report));
    return report.ok ? 0 : 1;
  } catch (err) {
    const known = err instanceof SelfTestUsageError ? err.message : awsProblem(err);
    const message = known ?? `unexpected error: ${(err as Error)?.stack ?? String(err)}`;
    if (argv.includes("--json")) io.out(JSON.stringify({ error: message }));
    else io.err(`self-test: ${message}`);
    return known ? 2 : 1;
  }
}
