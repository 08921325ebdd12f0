// How long each function is, read with the TypeScript compiler's parser: every function
// declaration, method, constructor, accessor, function expression and arrow function, measured
// from its first token to its last, nested functions included in their parent's length (a factory
// that returns a 200-line closure is a 200-line function). The house rule: none in lambda/ over
// MAX_FUNCTION_LINES (__tests__/lambda/function-length.test.ts).
//
//   npx tsx scripts/function-length.ts [--max N] [DIR...]   (default: lambda, 80)
//
// Prints the functions over the limit, longest first, and exits 1 if there is one.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { parseArgs } from "node:util";
import * as ts from "typescript";

/** The longest a function in lambda/ may be, in lines. */
export const MAX_FUNCTION_LINES = 80;

export interface FunctionLength {
  /** The file, relative to the project root. */
  readonly file: string;
  /** 1-based line of its first token. */
  readonly line: number;
  /** Its name where it has one (the variable or property an anonymous function is assigned to), else "(anonymous)". */
  readonly name: string;
  readonly lines: number;
}

const ROOT = resolve(__dirname, "..");

function nameOf(node: ts.Node): string {
  const named = node as { name?: ts.Node };
  if (named.name !== undefined && (ts.isIdentifier(named.name) || ts.isStringLiteral(named.name) || ts.isPrivateIdentifier(named.name))) return named.name.text;
  if (ts.isConstructorDeclaration(node)) return "constructor";
  const parent = node.parent;
  if (parent !== undefined && (ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent) || ts.isPropertyDeclaration(parent)) && ts.isIdentifier(parent.name)) return parent.name.text;
  return "(anonymous)";
}

/** Every function in one TypeScript source and its length. */
export function functionLengths(file: string, source: string): FunctionLength[] {
  const sf = ts.createSourceFile(file, source, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const found: FunctionLength[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isFunctionLike(node) && (node as ts.FunctionLikeDeclaration).body !== undefined) {
      const start = sf.getLineAndCharacterOfPosition(node.getStart(sf)).line;
      const end = sf.getLineAndCharacterOfPosition(node.getEnd()).line;
      found.push({ file, line: start + 1, name: nameOf(node), lines: end - start + 1 });
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return found;
}

function tsFiles(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((entry) => {
      const p = join(dir, entry);
      if (statSync(p).isDirectory()) return tsFiles(p);
      return p.endsWith(".ts") && !p.endsWith(".d.ts") ? [p] : [];
    });
}

/** The functions under `dirs` (relative to the project root) longer than `max` lines, longest first. */
export function longFunctions(dirs: readonly string[], max: number = MAX_FUNCTION_LINES): FunctionLength[] {
  return dirs
    .flatMap((dir) => tsFiles(join(ROOT, dir)))
    .flatMap((path) => functionLengths(relative(ROOT, path), readFileSync(path, "utf8")))
    .filter((f) => f.lines > max)
    .sort((a, b) => b.lines - a.lines);
}

if (require.main === module) {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { max: { type: "string", default: String(MAX_FUNCTION_LINES) } } });
  const max = Number(values.max);
  const long = longFunctions(positionals.length > 0 ? positionals : ["lambda"], max);
  for (const f of long) console.log(`${f.file}:${f.line} ${f.name}: ${f.lines} lines`);
  console.log(long.length === 0 ? `no function over ${max} lines` : `${long.length} function(s) over ${max} lines`);
  if (long.length > 0) process.exitCode = 1;
}
