// npm run docs            rewrites the generated sections of README.md
// npm run docs -- --check exits 1 when they are out of date
// Also reads the README's code blocks and shell commands, for the test that runs them.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Testing } from "cdktf";
import { DEMO_JOB } from "../jobs";
import { buildApp } from "../modules/app";
import { renderSettingsTable } from "../modules/settings/settings";
import { moduleInterface, synthesizeModule } from "../modules/terraform-module/module-files";
import { renderInputsTable, renderOutputsTable } from "../modules/terraform-module/module-readme";
import { hclExpressionOf } from "../modules/hcl/hcl-expression";
import type { TfJsonVariable } from "../modules/terraform-module/hcl-file";

/** Each variable's default as the module's README writes it (none for a required one). */
function moduleDefaults(variables: Readonly<Record<string, TfJsonVariable>>): Record<string, string> {
  return Object.fromEntries(Object.entries(variables).filter(([, v]) => "default" in v).map(([name, v]) => [name, hclExpressionOf(v.default, "inline")]));
}

export const README = join(__dirname, "..", "README.md");

/**
 * What `npm run synth` deploys with no settings: each stack's resources by type, counted in the
 * synthesized JSON of the app as main.ts builds it (the demo job of jobs.ts, every default).
 */
export function renderDefaultDeployTable(): string {
  const app = Testing.app();
  const built = buildApp(app, {}, { jobs: [DEMO_JOB], demoJob: DEMO_JOB });
  const rows = [built.cluster, built.rerun].map((stack) => {
    const tf = JSON.parse(Testing.synth(stack!)) as { resource?: Record<string, Record<string, unknown>> };
    const types = Object.entries(tf.resource ?? {}).map(([type, blocks]) => [type, Object.keys(blocks).length] as const);
    const total = types.reduce((n, [, c]) => n + c, 0);
    return `| \`${stack!.node.id}\` | ${total} | ${types.map(([type, c]) => `\`${type}\`${c > 1 ? ` ×${c}` : ""}`).join(", ")} |`;
  });
  return ["| stack | resources | of which |", "| --- | ---: | --- |", ...rows].join("\n");
}

let sections: Record<string, string> | undefined;

/** The body of each generated section, by name (built once a process: it synthesizes the module and the app). */
export function generatedSections(): Record<string, string> {
  if (sections) return sections;
  const built = synthesizeModule();
  const iface = moduleInterface(built.json);
  return (sections = {
    "default-deploy": renderDefaultDeployTable(),
    settings: renderSettingsTable(moduleDefaults({ ...moduleInterface(built.spoke).variables, ...iface.variables })),
    "module-inputs": renderInputsTable(iface.variables),
    "module-outputs": renderOutputsTable(iface.outputs),
  });
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

/** One fenced code block of a Markdown text: its language and body, and the line it starts on. */
export interface CodeBlock {
  readonly language: string;
  readonly body: string;
  readonly line: number;
}

/** Every fenced code block of `markdown`, in order. */
export function codeBlocks(markdown: string): CodeBlock[] {
  const blocks: CodeBlock[] = [];
  const re = /^```([A-Za-z0-9_-]*)\n([\s\S]*?)^```$/gm;
  for (const m of markdown.matchAll(re)) {
    blocks.push({ language: m[1], body: m[2], line: markdown.slice(0, m.index).split("\n").length });
  }
  return blocks;
}

/** A shell command of the README: the command line, its trailing comment, and where it is. */
export interface ShellCommand {
  readonly command: string;
  readonly comment: string;
  readonly line: number;
}

/**
 * The commands of the README's `sh` blocks, one per logical line: a line ending in `\` continues on
 * the next, and a ` # comment` at the end is split off (a `#` inside quotes stays in the command).
 */
export function shellCommands(markdown: string): ShellCommand[] {
  const out: ShellCommand[] = [];
  for (const block of codeBlocks(markdown).filter((b) => ["sh", "bash", "shell", "console"].includes(b.language))) {
    const lines = block.body.split("\n");
    for (let i = 0; i < lines.length; i++) {
      const start = i;
      let text = lines[i];
      while (text.endsWith("\\") && i + 1 < lines.length) text = `${text.slice(0, -1).trimEnd()} ${lines[++i].trim()}`;
      let quote = "";
      let cut = text.length;
      for (let j = 0; j < text.length; j++) {
        const c = text[j];
        if (quote) quote = c === quote ? "" : quote;
        else if (c === "'" || c === '"') quote = c;
        else if (c === "#" && (j === 0 || /\s/.test(text[j - 1]))) {
          cut = j;
          break;
        }
      }
      const command = text.slice(0, cut).trim();
      if (command !== "") out.push({ command, comment: text.slice(cut + 1).trim(), line: block.line + 1 + start });
    }
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
