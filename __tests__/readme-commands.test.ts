// The README's examples cannot rot: its shell commands are extracted and the cheap ones run as a new
// user would run them (each must succeed, or be refused exactly as its comment says), and the job
// example is checked as config. A command this test does not know fails it, until it is classified.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DEMO_JOB, JOBS } from "../jobs";
import { SETTINGS } from "../settings";
import { synthCommand } from "../modules/synth-command";
import { resolveClusterConfig, type ScheduledTaskConfig } from "../modules/config";
import { README, codeBlocks, shellCommands } from "../scripts/readme";
import { README_HUB_DRILL } from "./support/drill-command";

const ROOT = join(__dirname, "..");
const text = readFileSync(README, "utf8");

/** Commands not run here, and why. Everything else in the README is run. */
const NOT_RUN: readonly [RegExp, string][] = [
  [/^npm ci$/, "reinstalls node_modules; .ci/run does it from scratch"],
  [/^npm test$/, "is this very test run"],
  [/^npm run drill$/, "runs the twenty scenarios, which scenarios.test.ts runs in-process"],
  [/^aws /, "needs an AWS account"],
  [/^npm run drill -- --event \S+ .*--deliver \d .*--json$/, "the drill with the reconciler: reconciler-drill.test.ts runs these very commands in-process"],
  [README_HUB_DRILL, "the hub drill on a spoke's event: hub.test.ts runs these very commands in-process, as reconciler-drill.test.ts does the --deliver ones"],
  [/^npm run audit -- --since\b/, "reads an AWS account's CloudTrail event history; audit-cli.test.ts runs the audit without one"],
  [/^npm run self-test -- --region\b/, "invokes a deployed pipeline in an AWS account; self-test.test.ts runs it without credentials, with stand-ins and through the drill"],
  [/^(\w+=\S* )*npm run cdktf -- (deploy|destroy|diff)\b/, "needs an AWS account and Terraform"],
  [/^(\/usr\/bin\/time -v )?npm run (-s )?bench:/, "benchmarks take minutes and judge this machine's load; storm.test.ts runs a small storm"],
  [/^npm run test:mutation\b/, "mutation testing takes many minutes (README \"Mutation testing\"); mutation-gate.test.ts tests its gate"],
  [/^npm run (-s )?canary:cdktn\b/, "installs CDK Terrain beside the project and builds it twice; .ci/run runs it after the tests, cdktn-canary.test.ts tests its comparison"],
];

/**
 * `SETTING=value ... npm run synth`: the same synth with settings of the README's choosing. The plain
 * `npm run synth` runs as a process (npm, tsx, main.ts, as a new user runs it first); these run its
 * code in process (synthCommand, which main.ts runs with the process's environment) with exactly the
 * command's settings, where each cost a process of ~2 s of CPU. user-errors.test.ts runs wrong
 * settings through npm.
 */
const SETTINGS_THEN_SYNTH = /^((?:[A-Z][A-Z0-9_]*=\S* )+)npm run synth$/;

/** Runs `npm run synth` in process with the `NAME=value` settings of `assignments`: what the shell would have printed, and the exit code. */
function synthInProcess(assignments: string, outdir: string): { status: number; stdout: string; stderr: string } {
  const env = Object.fromEntries(assignments.trim().split(/\s+/).map((a) => [a.slice(0, a.indexOf("=")), a.slice(a.indexOf("=") + 1)]));
  let stdout = "";
  let stderr = "";
  const status = synthCommand({ env: { ...env, CDKTF_OUTDIR: outdir }, projectDir: ROOT, cwd: ROOT, jobs: JOBS, demoJob: DEMO_JOB, settingsFile: SETTINGS, out: (t) => (stdout += `${t}\n`), err: (t) => (stderr += `${t}\n`) });
  return { status, stdout, stderr };
}

/** The README's commands, `a && b` taken apart, each with what becomes of it. */
const commands = shellCommands(text).flatMap((c) =>
  c.command.split(" && ").map((part) => {
    const skip = NOT_RUN.find(([re]) => re.test(part));
    return { command: part, refused: /^refused: /.test(c.comment) ? c.comment.slice("refused: ".length) : undefined, line: c.line, skip: skip?.[1] };
  }),
);

describe("the README's shell commands", () => {
  const outdir = mkdtempSync(join(tmpdir(), "ecs-rerun-readme-"));
  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  test("are found, and include the drill example and the synth a new user runs first", () => {
    const run = commands.filter((c) => !c.skip).map((c) => c.command);
    expect(run).toEqual(expect.arrayContaining(["npm run synth", expect.stringMatching(/^npm run drill -- --event drill\/events\/\S+\.json .*--json$/)]));
    expect(commands.filter((c) => c.skip).map((c) => c.command)).toEqual(expect.arrayContaining(["npm ci", "npm test"]));
  });

  const runnable = commands.filter((c) => !c.skip);
  test.each(runnable.map((c) => [`line ${c.line}: ${c.command}`, c] as const))("%s", (_title, c) => {
    // The settings a developer may have exported would change what the examples do.
    const env: NodeJS.ProcessEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("ECS_RERUN_") && k !== "CDKTF_CONTEXT_JSON"));
    const settings = SETTINGS_THEN_SYNTH.exec(c.command);
    const r = settings ? synthInProcess(settings[1], outdir) : spawnSync("bash", ["-c", c.command], { cwd: ROOT, encoding: "utf8", env: { ...env, CDKTF_OUTDIR: outdir, CHECKPOINT_DISABLE: "1" }, timeout: 120_000 });
    const output = `${r.stdout}\n${r.stderr}`;
    expect(output).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m); // no stack trace, whatever happens
    if (c.refused) {
      expect(r.status).toBe(2);
      expect(r.stderr).toContain(c.refused);
    } else {
      if (r.status !== 0) throw new Error(`exit ${r.status}:\n${output}`);
      expect(r.stderr).toBe("");
      // npm's own banner ("> ecs-rerun@0.1.0 drill", the command) aside, --json prints one object.
      const printed = r.stdout.split("\n").filter((l) => l.trim() !== "" && !l.startsWith("> "));
      if (c.command.includes("--json")) expect(printed.map((l) => typeof JSON.parse(l))).toEqual(["object"]);
      if (c.command === "npm run synth") expect(r.stdout).toMatch(/Wrote 2 stacks[\s\S]*ecs-cluster\s+\S+\/stacks\/ecs-cluster\/cdk\.tf\.json/);
    }
  }, 120_000);
});

describe("the README's job example", () => {
  const block = codeBlocks(text).find((b) => b.language === "ts" && b.body.includes("name:"));

  test("is five lines", () => {
    expect(block?.body.trim().split("\n")).toHaveLength(5);
  });

  test("is a job the config accepts, next to the demo", () => {
    // An element of JOBS as written in jobs.ts: an object literal with comments and a trailing comma.
    const literal = block!.body.replace(/\/\/.*$/gm, "").trim().replace(/,$/, "");
    const job = new Function(`return (${literal});`)() as ScheduledTaskConfig;
    const resolved = resolveClusterConfig({ scheduledTasks: [DEMO_JOB, job] });
    expect(resolved.scheduledTasks[1]).toMatchObject({ name: "nightly-report", intervalSeconds: 86400 });
  });
});
