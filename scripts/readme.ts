// npm run docs            rewrites the generated sections of README.md
// npm run docs -- --check exits 1 when they are out of date
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { renderSettingsTable } from "../modules/settings";
import { moduleInterface, synthesizeModule } from "../modules/terraform-module/module-files";
import { renderInputsTable, renderOutputsTable } from "../modules/terraform-module/module-readme";

export const README = join(__dirname, "..", "README.md");

/** The body of each generated section, by name. */
export function generatedSections(): Record<string, string> {
  const iface = moduleInterface(synthesizeModule().json);
  return {
    settings: renderSettingsTable(),
    "module-inputs": renderInputsTable(iface.variables),
    "module-outputs": renderOutputsTable(iface.outputs),
  };
}

/** README text with every generated section replaced by its current rendering. */
export function renderReadme(text: string, sections: Record<string, string> = generatedSections()): string {
  let out = text;
  for (const [name, body] of Object.entries(sections)) {
    const re = new RegExp(`(<!-- BEGIN GENERATED ${name} -->)[\\s\\S]*?(<!-- END GENERATED ${name} -->)`);
    if (!re.test(out)) throw new Error(`README.md has no generated section "${name}" (<!-- BEGIN GENERATED ${name} --> ... <!-- END GENERATED ${name} -->)`);
    out = out.replace(re, (_m, begin: string, end: string) => `${begin}\n${body}\n${end}`);
  }
  return out;
}

if (require.main === module) {
  const current = readFileSync(README, "utf8");
  const next = renderReadme(current);
  if (process.argv.includes("--check")) {
    if (next !== current) {
      console.error("README.md is out of date: run npm run docs");
      process.exit(1);
    }
  } else if (next !== current) {
    writeFileSync(README, next);
    console.log("README.md updated");
  }
}
