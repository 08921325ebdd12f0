import { readFileSync } from "node:fs";
import { README, generatedSections, renderReadme } from "../scripts/readme";
import { SETTINGS } from "../modules/settings";
import { moduleInterface, synthesizeModule } from "../modules/terraform-module/module-files";

describe("README", () => {
  const text = readFileSync(README, "utf8");

  test("its generated tables are up to date (npm run docs)", () => {
    expect(renderReadme(text)).toBe(text);
  });

  test("lists every setting and every module variable and output", () => {
    const iface = moduleInterface(synthesizeModule().json);
    for (const s of SETTINGS) expect(text).toContain(`\`${s.env}\``);
    for (const v of Object.keys(iface.variables)) expect(text).toContain(v);
    for (const o of Object.keys(iface.outputs)) expect(text).toContain(o);
  });

  test("gives the two set-up commands and renders a Mermaid diagram", () => {
    expect(text).toContain("npm ci && npm run synth");
    expect(text).toContain("npm test");
    expect(text).toMatch(/```mermaid\n(flowchart|graph) /);
  });

  test("the check can fail: a stale table is caught", () => {
    expect(renderReadme(text, { ...generatedSections(), settings: "| stale |" })).not.toBe(text);
  });
});
