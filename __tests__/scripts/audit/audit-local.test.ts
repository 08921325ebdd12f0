// Issue 18 item 3 ("npm test covers it against the local endpoints too"): `npm run audit` after a
// drill that had failures, reading the drill's CloudTrail event history with LookupEvents and the
// drill's executions with DescribeExecution, through the SDK's own clients, pointed at the local
// endpoints by AWS_ENDPOINT_URL (the SDKs' standard setting, "Service-specific endpoints", AWS SDKs
// and Tools Reference Guide), with the auditor's own keys: no seam in the audit. Each rejected launch
// must appear once, with how its rerun really ended in the drill.
import { Drill } from "../../../drill/runner";
import { agentEvent, loadFixture, STARTTASK_PARTIAL } from "../../lambda/helpers";
import { runAudit } from "../../../scripts/audit/run-audit";

jest.setTimeout(60_000);

const AUDITOR_KEY = "AKIAAUDITORLOCAL0001";
/** The AWS_* settings the test sets, kept and put back. */
const SETTINGS = ["AWS_ENDPOINT_URL", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_REGION", "AWS_PROFILE", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE", "AWS_EC2_METADATA_DISABLED"];
const HOUR = 3_600_000;

/** A rejected launch like the AGENT failure, of its own ID, at `atMs`. */
function failure(template: Record<string, any>, id: string, atMs: number): Record<string, any> {
  const e = structuredClone(template);
  e.detail.eventID = id;
  e.detail.eventTime = new Date(atMs).toISOString().replace(/\.\d{3}Z$/, "Z");
  e.time = e.detail.eventTime;
  e.id = `envelope-${id}`;
  return e;
}

describe("npm run audit against the local endpoints, after a drill", () => {
  let drill: Drill;
  const saved: Record<string, string | undefined> = {};
  // Two days ago: inside the audit's default week, and in the local event history's 90 days.
  const T = Date.now() - 48 * HOUR;
  const ids = {
    recovered: "a0000000-0000-4000-8000-000000000001",
    startTask: "a0000000-0000-4000-8000-000000000002",
    foundByReconciler: "a0000000-0000-4000-8000-000000000003",
    lost: "a0000000-0000-4000-8000-000000000004",
    gaveUp: "a0000000-0000-4000-8000-000000000005",
  };

  beforeAll(async () => {
    drill = await Drill.start({ ecs: ["AGENT", "ok"] });
    const agent = agentEvent();
    const startTask = loadFixture(STARTTASK_PARTIAL);
    // Delivered and recovered; a StartTask delivered and recovered; never delivered but found by the
    // reconciler and recovered; never delivered and no reconciler running (lost); delivered, gave up.
    await drill.run([failure(agent, ids.recovered, T)], { failure: failure(agent, ids.recovered, T) });
    await drill.run([failure(startTask, ids.startTask, T + HOUR)], { failure: failure(startTask, ids.startTask, T + HOUR) });
    await drill.run([], { failure: failure(agent, ids.foundByReconciler, T + 2 * HOUR), reconcile: {} });
    await drill.run([], { failure: failure(agent, ids.lost, T + 3 * HOUR) });
    drill.aws.setEcsScript(["AGENT"]);
    await drill.run([failure(agent, ids.gaveUp, T + 4 * HOUR)], { failure: failure(agent, ids.gaveUp, T + 4 * HOUR) });
    drill.aws.addIdentity(AUDITOR_KEY, { roleName: "auditor" });
    for (const k of SETTINGS) saved[k] = process.env[k];
    for (const k of SETTINGS) delete process.env[k];
    Object.assign(process.env, {
      AWS_ENDPOINT_URL: drill.aws.endpoint,
      AWS_ACCESS_KEY_ID: AUDITOR_KEY,
      AWS_SECRET_ACCESS_KEY: "auditor-secret",
      AWS_REGION: drill.pipeline.region,
      AWS_CONFIG_FILE: "/nonexistent",
      AWS_SHARED_CREDENTIALS_FILE: "/nonexistent",
      AWS_EC2_METADATA_DISABLED: "true",
    });
  });

  afterAll(async () => {
    for (const k of SETTINGS) {
      if (saved[k] === undefined) delete process.env[k];
      else process.env[k] = saved[k];
    }
    await drill?.stop();
  });

  test("lists each rejected launch once, with how its rerun ended (looked up by DescribeExecution)", async () => {
    const out: string[] = [];
    const err: string[] = [];
    // As a person runs it: the default state machine name, ecs-rerun (the pipeline's default name).
    expect(drill.pipeline.stateMachineArn).toMatch(/:stateMachine:ecs-rerun$/);
    const status = await runAudit(["--since", "7d", "--json"], { out: (t) => out.push(t), err: (t) => err.push(t), stdin: () => Buffer.alloc(0) });
    expect({ status, err }).toEqual({ status: 0, err: [] });
    const report = JSON.parse(out.join("\n"));
    expect(report.source).toBe(`CloudTrail event history (${drill.pipeline.region})`);
    const originals = report.rejected.filter((l: { rerunOf?: string }) => l.rerunOf === undefined);
    const byId = Object.fromEntries(originals.map((l: { eventId: string; rerun: { status: string } }) => [l.eventId, l.rerun.status]));
    expect(byId).toEqual({
      [ids.recovered]: "recovered",
      [ids.startTask]: "recovered",
      [ids.foundByReconciler]: "recovered",
      [ids.lost]: "never retried",
      [ids.gaveUp]: "gave up",
    });
    expect(originals).toHaveLength(5);
    // The gave-up execution's own rejected reruns are listed as its reruns, not looked up on their own.
    expect(report.rejected.filter((l: { rerunOf?: string }) => l.rerunOf !== undefined).every((l: { rerunOf: string; rerun: { status: string } }) => l.rerunOf === ids.gaveUp && l.rerun.status === "a rerun")).toBe(true);
    expect(report.totals.neverRetried).toBe(1);
    // The auditor read, and only read: LookupEvents and DescribeExecution, signed with its own keys.
    const audited = drill.aws.requests.filter((r) => r.caller.type === "AssumedRole" && r.caller.sessionContext.sessionIssuer.userName === "auditor");
    expect([...new Set(audited.map((r) => r.action))].sort()).toEqual(["DescribeExecution", "LookupEvents"]);
  });
});
