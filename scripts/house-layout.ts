// The house's two layout rules, read from the sources themselves:
// - no import cycle among the project's .ts files (type-only imports included: a cycle of types
//   still leaves a reader unable to tell which file is the root), found with the TypeScript
//   compiler's own import scanner (ts.preProcessFile: import, export ... from, import(), require());
// - no source folder holding more than MAX_FLAT_FILES .ts files side by side (a folder that grows
//   past that is split by concern, so its name keeps saying what it holds).
// Tested in __tests__/scripts/house-layout.test.ts.
//
//   npx tsx scripts/house-layout.ts     prints the cycles and the crowded folders; exits 1 if any
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import * as ts from "typescript";

const ROOT = resolve(__dirname, "..");

/** The most .ts files one source folder may hold flat (its subfolders not counted). */
export const MAX_FLAT_FILES = 15;

/** The folders whose every subfolder the flat-file rule applies to. */
export const SOURCE_FOLDERS = ["modules", "lambda", "drill", "scripts"] as const;

/** Where the import graph is read from: the app's entry files and every source and test folder. */
const GRAPH_ROOTS = ["main.ts", "jobs.ts", "settings.ts", ...SOURCE_FOLDERS, "__tests__"];

function tsFilesUnder(path: string): string[] {
  if (!existsSync(path)) return [];
  if (!statSync(path).isDirectory()) return path.endsWith(".ts") && !path.endsWith(".d.ts") ? [path] : [];
  return readdirSync(path)
    .filter((entry) => entry !== "node_modules")
    .sort()
    .flatMap((entry) => tsFilesUnder(join(path, entry)));
}

/** The project file a relative specifier names from `fromFile` (as Node and TypeScript resolve it), if it is one of `known`. */
function resolveSpecifier(fromFile: string, specifier: string, known: ReadonlySet<string>): string | undefined {
  const base = join(dirname(fromFile), specifier);
  return [base, `${base}.ts`, base.replace(/\.js$/, ".ts"), join(base, "index.ts")].find((candidate) => known.has(candidate));
}

/** Each file's relative imports that land on another of the given files (paths relative to the project root). */
export function importGraph(sources: ReadonlyMap<string, string>): Map<string, string[]> {
  const known = new Set(sources.keys());
  const graph = new Map<string, string[]>();
  for (const [file, text] of sources) {
    const imported = ts
      .preProcessFile(text, true, true)
      .importedFiles.map((f) => f.fileName)
      .filter((spec) => spec.startsWith("."))
      .map((spec) => resolveSpecifier(file, spec, known))
      .filter((f): f is string => f !== undefined);
    graph.set(file, [...new Set(imported)]);
  }
  return graph;
}

/** Every import cycle in `graph`, one per strongly connected component (Tarjan), each as a closed path `a -> b -> a`. */
export function importCycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  let next = 0;
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || (graph.get(v) ?? []).includes(v)) components.push(component);
    }
  };
  for (const v of [...graph.keys()].sort()) if (!index.has(v)) visit(v);
  return components.map((component) => pathThrough(graph, new Set(component)));
}

/** One closed path through a strongly connected component, from its first file in sort order back to it. */
function pathThrough(graph: ReadonlyMap<string, readonly string[]>, members: ReadonlySet<string>): string[] {
  const start = [...members].sort()[0];
  // Breadth-first from start's successors back to start, inside the component: the shortest cycle through it.
  const cameFrom = new Map<string, string>();
  const queue = [start];
  while (queue.length > 0) {
    const v = queue.shift()!;
    for (const w of graph.get(v) ?? []) {
      if (!members.has(w) || cameFrom.has(w)) continue;
      cameFrom.set(w, v);
      if (w === start) queue.length = 0;
      else queue.push(w);
    }
  }
  const between: string[] = [];
  for (let v = cameFrom.get(start)!; v !== start; v = cameFrom.get(v)!) between.unshift(v);
  return [start, ...between, start];
}

/** The project's .ts files and their text, keyed by their path relative to the project root. */
export function projectSources(root: string = ROOT): Map<string, string> {
  const files = GRAPH_ROOTS.flatMap((r) => tsFilesUnder(join(root, r)));
  return new Map(files.map((f) => [relative(root, f), readFileSync(f, "utf8")]));
}

/** Each folder under the source folders holding more than `max` .ts files flat, with its count. */
export function crowdedFolders(root: string = ROOT, max: number = MAX_FLAT_FILES): { folder: string; files: number }[] {
  const crowded: { folder: string; files: number }[] = [];
  const visit = (dir: string): void => {
    const entries = readdirSync(dir, { withFileTypes: true }).filter((e) => e.name !== "node_modules");
    const files = entries.filter((e) => e.isFile() && e.name.endsWith(".ts") && !e.name.endsWith(".d.ts")).length;
    if (files > max) crowded.push({ folder: relative(root, dir), files });
    for (const e of entries) if (e.isDirectory()) visit(join(dir, e.name));
  };
  for (const folder of SOURCE_FOLDERS) visit(join(root, folder));
  return crowded;
}

if (require.main === module) {
  const cycles = importCycles(importGraph(projectSources()));
  const crowded = crowdedFolders();
  for (const c of cycles) console.log(`cycle: ${c.join(" -> ")}`);
  for (const c of crowded) console.log(`crowded: ${c.folder} holds ${c.files} .ts files flat (at most ${MAX_FLAT_FILES})`);
  console.log(cycles.length + crowded.length === 0 ? "no import cycle, no crowded folder" : `${cycles.length} cycle(s), ${crowded.length} crowded folder(s)`);
  if (cycles.length + crowded.length > 0) process.exitCode = 1;
}
