// Wrong inputs, run as a user runs them (npm, a jobs.ts of their own): each exits 2 with one message
// naming what was wrong, and no stack trace. Spawned processes are the point here (the exit code and
// what the terminal shows), so they run at once, a few at a time, and nothing else is spawned.
import { spawn } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const ROOT = join(__dirname, "..");
const work = mkdtempSync(join(tmpdir(), "ecs-rerun-user-errors-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** A checkout of the app whose jobs.ts is `jobs` (the rest linked to this one), as a user edits theirs. */
function projectWithJobs(name: string, jobs: string): string {
  const dir = join(work, name);
  mkdirSync(dir);
  for (const f of ["modules", "lambda", "node_modules", "package.json"]) symlinkSync(join(ROOT, f), join(dir, f));
  for (const f of ["main.ts", "settings.ts", "cdktf.json"]) copyFileSync(join(ROOT, f), join(dir, f));
  writeFileSync(join(dir, "jobs.ts"), `import type { ScheduledTaskConfig } from "./modules/config";\nexport const DEMO_JOB: ScheduledTaskConfig = { name: "print-date", schedule: "rate(1 day)", image: "busybox" };\nexport const JOBS = ${jobs};\n`);
  return dir;
}

const notEmpty = join(work, "not-empty");
mkdirSync(notEmpty);
writeFileSync(join(notEmpty, "notes.txt"), "mine");

/** Each case: what the user runs, where, and what the one message must name. */
const CASES: readonly { readonly name: string; readonly command: string; readonly cwd?: string; readonly env?: Record<string, string>; readonly names: RegExp }[] = [
  { name: "only commas for the protected clusters", command: "npm run synth", env: { ECS_RERUN_PROTECTED_CLUSTERS: ",," }, names: /ECS_RERUN_PROTECTED_CLUSTERS=",,": names nothing/ },
  {
    name: "500 protected clusters",
    command: "npm run synth",
    env: { ECS_RERUN_PROTECTED_CLUSTERS: Array.from({ length: 500 }, (_, i) => `cluster-number-${i}`).join(",") },
    names: /ECS_RERUN_PROTECTED_CLUSTERS \(context key "protectedClusters"\): The rerun role .* cannot be granted 500 protected clusters/,
  },
  { name: "an unknown region", command: "npm run synth", env: { ECS_RERUN_REGION: "xx-nowhere-9" }, names: /ECS_RERUN_REGION="xx-nowhere-9": this is no AWS region the AWS SDK knows/ },
  {
    name: "a cluster ARN of another region",
    command: "npm run synth",
    env: { ECS_RERUN_PROTECTED_CLUSTERS: "arn:aws:ecs:eu-west-1:123456789012:cluster/batch-ec2" },
    names: /ECS_RERUN_PROTECTED_CLUSTERS=".*": ".*" is a cluster of eu-west-1, but the ecs-rerun stack deploys to us-east-1/,
  },
  { name: "a misspelt field in jobs.ts", command: "npm run synth", cwd: projectWithJobs("memroy", "[{ ...DEMO_JOB, memroy: 512 }]"), names: /JOBS \(jobs\.ts\)\[0\] \("print-date"\): there is no field memroy; did you mean memory\?/ },
  { name: "a job without an image", command: "npm run synth", cwd: projectWithJobs("no-image", '[DEMO_JOB, { name: "nightly", schedule: "rate(1 day)" }]'), names: /JOBS \(jobs\.ts\)\[1\] \("nightly"\): image is missing/ },
  { name: "a replay that is no SEED:PATH", command: "npm run chaos -- --replay 12:xyz", names: /--replay "12:xyz": expected SEED:PATH/ },
  { name: "a module build into a folder of one's own", command: `npm run build:module -- ${notEmpty}`, names: /build:module: .*not-empty is not empty and holds no versions\.tf/ },
];

/** Runs a command through the shell, as typed, without the settings a developer may have exported. */
function run(command: string, cwd: string, env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("ECS_RERUN_") && k !== "CDKTF_CONTEXT_JSON"));
  return new Promise((done) => {
    const child = spawn("bash", ["-c", command], { cwd, env: { ...base, ...env, CHECKPOINT_DISABLE: "1", CDKTF_OUTDIR: join(work, "out") } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("close", (code) => done({ code, stdout, stderr }));
  });
}

/** All cases, three at a time (two cores, shared). */
const results = (async () => {
  const out: Awaited<ReturnType<typeof run>>[] = [];
  for (let i = 0; i < CASES.length; i += 3) out.push(...(await Promise.all(CASES.slice(i, i + 3).map((c) => run(c.command, c.cwd ?? ROOT, c.env ?? {})))));
  return out;
})();

describe("a wrong input, run as a user runs it", () => {
  test.each(CASES.map((c, i) => [c.name, i] as const))("%s: exit 2, one message naming it, no stack trace", async (_name, i) => {
    const r = (await results)[i];
    const output = `${r.stdout}\n${r.stderr}`;
    expect(output).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 2, stderr: expect.stringMatching(CASES[i].names) });
    // One message: npm's own "Lifecycle script failed" lines aside, the first line says it all.
    const lines = r.stderr.split("\n").filter((l) => l.trim() !== "" && !l.startsWith("npm ") && !l.startsWith("(settings:"));
    expect(lines).toHaveLength(1);
  }, 180_000);
});
