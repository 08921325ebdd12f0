/**
 * The README says only what holds (issue 20, item 7): the hub bus policy's statements it names are
 * the ones synthesized, and "What is guaranteed" names what is not (CloudTrail's best-effort
 * delivery to EventBridge) rather than implying every rejected launch is seen.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Testing } from "cdktf";
import { hubBusStatements } from "../modules/pipeline/hub/hub-policies";
import { buildApp } from "../modules/app";
import { deployOrder } from "../modules/synth-report";
import { DEMO_JOB } from "../jobs";
import { shellCommands } from "../scripts/readme";

const README = readFileSync(join(__dirname, "..", "README.md"), "utf8");
const section = (heading: string) => README.slice(README.indexOf(heading), README.indexOf("\n#", README.indexOf(heading) + heading.length));

test("the hub bus policy's statements, as the README names them, are the synthesized ones", () => {
  const sids = hubBusStatements({ partition: "aws", name: "ecs-rerun", accounts: ["222233334444"], organizationId: "o-a1b2c3d4e5" }, "arn:aws:events:us-east-1:111122223333:event-bus/ecs-rerun-hub").map((s) => s.Sid);
  expect(sids).toHaveLength(2);
  for (const sid of sids) expect(README).toContain(`\`${sid}\``);
  expect(README).not.toContain("one statement per admitted account");
});

test("What is guaranteed names CloudTrail's best-effort delivery, and the storms section the agents' own bucket", () => {
  expect(section("### What is guaranteed")).toMatch(/best[- ]effort/);
  expect(section("### Storms")).not.toMatch(/`ExecuteCommand` and the agents' own updates/);
  expect(section("### Storms")).toMatch(/above 20 does not recover faster/);
});

test("every deploy command of the README names the stacks synth's hint names for the same settings", () => {
  const deploys = shellCommands(README).map((c) => /^((?:[A-Z_]+=\S+\s+)*)npm run cdktf -- deploy (.+)$/.exec(c.command)).filter((m) => m !== null);
  expect(deploys.length).toBeGreaterThanOrEqual(3);
  for (const [, assignments, stacks] of deploys) {
    const env = Object.fromEntries(assignments.trim().split(/\s+/).filter((a) => a !== "").map((a) => [a.slice(0, a.indexOf("=")), a.slice(a.indexOf("=") + 1)]));
    const app = Testing.app();
    buildApp(app, env, { jobs: [DEMO_JOB], demoJob: DEMO_JOB });
    expect({ env, stacks: stacks.trim().split(/\s+/) }).toEqual({ env, stacks: deployOrder(app.node.children.map((c) => c.node.id)) });
  }
});
