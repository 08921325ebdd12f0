// The README's "cdktf's sunset" names the versions the cdktn canary really pins and the constructs
// release the project uses today, so the switch it describes cannot drift from what CI checks.
import { readFileSync } from "node:fs";
import { join } from "node:path";

const ROOT = join(__dirname, "..");
const README = readFileSync(join(ROOT, "README.md"), "utf8");
const sunset = README.slice(README.indexOf("## cdktf's sunset"), README.indexOf("\n## ", README.indexOf("## cdktf's sunset") + 3));
const canary = JSON.parse(readFileSync(join(ROOT, "scripts", "cdktn-canary", "package.json"), "utf8")) as { dependencies: Record<string, string> };
const project = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { dependencies: Record<string, string> };

test("the sunset section names every version the canary pins, in its install command too", () => {
  for (const [name, version] of Object.entries(canary.dependencies)) {
    expect(sunset).toContain(`${name} ${version}`);
    expect(sunset).toContain(`${name}@${version}`);
  }
});

test("it names the constructs release the project uses with cdktf, and the cdktf it pins", () => {
  expect(sunset).toContain(`| constructs | ${project.dependencies.constructs} |`);
  expect(sunset).toContain(`cdktf ${project.dependencies.cdktf}`);
});
