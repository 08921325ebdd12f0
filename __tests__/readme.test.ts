import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { README, generatedSections, renderReadme } from "../scripts/readme";
import { SETTINGS_LIST } from "../modules/settings/settings";
import { moduleInterface } from "../modules/terraform-module/module-files";
import { sharedModule } from "./support/shared-module";

const ROOT = dirname(README);

describe("README", () => {
  const text = readFileSync(README, "utf8");

  test("its generated tables are up to date (npm run docs)", () => {
    expect(renderReadme(text)).toBe(text);
  });

  test("lists every setting and every module variable and output", () => {
    const iface = moduleInterface(sharedModule().json);
    for (const s of SETTINGS_LIST) expect(text).toContain(`\`${s.env}\``);
    for (const v of Object.keys(iface.variables)) expect(text).toContain(v);
    for (const o of Object.keys(iface.outputs)) expect(text).toContain(o);
  });

  test("gives the two set-up commands and renders a Mermaid diagram", () => {
    expect(text).toContain("npm ci && npm run synth");
    expect(text).toContain("npm test");
    expect(text).toMatch(/```mermaid\n(flowchart|graph) /);
  });

  test("its Layout names every source folder there is", () => {
    const layout = text.slice(text.indexOf("## Layout"));
    const folders = (root: string): string[] =>
      readdirSync(root, { withFileTypes: true })
        .filter((d) => d.isDirectory())
        .flatMap((d) => [`${d.name}/`, ...folders(join(root, d.name)).map((f) => `${d.name}/${f}`)]);
    for (const top of ["modules", "lambda", "drill"]) {
      expect(layout).toContain(`${top}/`);
      for (const folder of folders(join(ROOT, top)).filter((f) => f.split("/").length === 2)) {
        expect({ folder: `${top}/${folder}`, listed: layout.includes(`  ${folder}`) }).toEqual({ folder: `${top}/${folder}`, listed: true });
      }
    }
  });

  test("the check can fail: a stale table is caught", () => {
    expect(renderReadme(text, { ...generatedSections(), settings: "| stale |" })).not.toBe(text);
  });
});
