// The audit as a person runs it: its exit code and what it prints. The report itself is pinned in
// audit-core.test.ts; here, what reaches the terminal, whatever the input or the account.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { runAudit } from "../../../scripts/audit/run-audit";

const ROOT = join(__dirname, "../../..");
const FIXTURE = join(ROOT, "__tests__/fixtures/audit/trail-log-file.json");

/** Runs the audit in this process, capturing what it prints. */
async function audit(args: string[], stdin = "") {
  const out: string[] = [];
  const err: string[] = [];
  const status = await runAudit(args, { out: (t) => out.push(t), err: (t) => err.push(t), stdin: () => Buffer.from(stdin) });
  return { status, stdout: out.join("\n"), stderr: err.join("\n") };
}

/** Runs the audit as its own process with only the environment given (no AWS settings of the developer's). */
function auditProcess(args: string[]) {
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("AWS_")));
  // No instance metadata service to wait for, no profile files: a laptop without credentials.
  const env = { ...base, AWS_EC2_METADATA_DISABLED: "true", AWS_CONFIG_FILE: "/nonexistent", AWS_SHARED_CREDENTIALS_FILE: "/nonexistent" };
  return spawnSync(process.execPath, ["--import", "tsx", "scripts/audit/cli.ts", ...args], { cwd: ROOT, encoding: "utf8", env, timeout: 60_000 });
}

describe("npm run audit", () => {
  test("reads records from standard input and prints one JSON object", async () => {
    const r = await audit(["--records", "-", "--json", "--clusters", "arn:aws:ecs:eu-west-1:222233334444:cluster/batch-ec2"], readFileSync(FIXTURE, "utf8"));
    expect(r.status).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.rejected.map((l: { eventId: string }) => l.eventId)).toEqual(["b2c3d4e5-f6a7-4b8c-9d0e-1f2a3b4c5d6e"]);
    expect(report.source).toBe("standard input");
  });

  test.each([
    ["an unreadable file", ["--records", "missing.json"], /^audit: --records missing.json: cannot be read \(ENOENT\)$/],
    ["a file of something else", ["--records", join(ROOT, "package.json")], /: records: neither a CloudTrail record/],
    ["a bad option", ["--since", "soon"], /^audit: --since "soon": expected a duration/],
  ])("%s: exit 2, one line naming what to fix", async (_name, args, message) => {
    const r = await audit(args);
    expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 2, stderr: expect.stringMatching(message) });
    expect(r.stderr.split("\n")).toHaveLength(1);
  });

  test("--json turns an error into one JSON object too", async () => {
    const r = await audit(["--records", "missing.json", "--json"]);
    expect(r.status).toBe(2);
    expect(JSON.parse(r.stdout)).toEqual({ error: expect.stringContaining("cannot be read") });
  });

  test.each([
    ["no credentials", ["--region", "eu-west-1"], /^audit: no AWS credentials: set AWS_PROFILE/],
    ["no Region", [], /^audit: no AWS Region: pass --region/],
  ])("as a process, %s: exit 2, one line, no stack trace", (_name, args, message) => {
    const r = auditProcess(args);
    expect({ status: r.status, stderr: r.stderr.trim() }).toEqual({ status: 2, stderr: expect.stringMatching(message) });
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
  });
});
