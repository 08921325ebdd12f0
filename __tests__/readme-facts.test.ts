/**
 * The README says only what holds (issue 20, item 7): the hub bus policy's statements it names are
 * the ones synthesized, and "What is guaranteed" names what is not (CloudTrail's best-effort
 * delivery to EventBridge) rather than implying every rejected launch is seen.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { hubBusStatements } from "../modules/pipeline/hub-policies";

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
