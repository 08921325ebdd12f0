/** Values that may be Terraform expressions: building, splitting and rendering HCL, shared by the pipeline and the module emission. */
import { Token, type IResolvable, type IResolveContext } from "cdktf";

/** One piece of a Terraform template: literal text (unescaped) or the source of a `${...}` interpolation. */
export type TemplatePart = { readonly literal: string } | { readonly expression: string };

const OPENERS: Record<string, string> = { "(": ")", "[": "]", "{": "}" };

/**
 * Index just past the quoted string that starts at `start` (which holds `"`). Interpolations inside
 * it are skipped as whole expressions, so a `"` inside `${...}` does not end the string.
 */
function skipQuoted(src: string, start: number): number {
  let i = start + 1;
  while (i < src.length) {
    const c = src[i];
    if (c === "\\") i += 2;
    else if (c === '"') return i + 1;
    else if ((c === "$" || c === "%") && src[i + 1] === c && src[i + 2] === "{") i += 3;
    else if ((c === "$" || c === "%") && src[i + 1] === "{") i = closingIndex(src, i + 1) + 1;
    else i += 1;
  }
  throw new Error(`unterminated string in HCL expression: ${src.slice(start, start + 60)}`);
}

/** Index of the bracket closing the one at `open` (`(`, `[` or `{`), skipping quoted strings. */
export function closingIndex(src: string, open: number): number {
  const stack = [OPENERS[src[open]]];
  if (stack[0] === undefined) throw new Error(`no bracket at ${open} of ${JSON.stringify(src.slice(0, 60))}`);
  let i = open + 1;
  while (i < src.length) {
    const c = src[i];
    if (c === '"') {
      i = skipQuoted(src, i);
      continue;
    }
    if (OPENERS[c]) stack.push(OPENERS[c]);
    else if (c === stack[stack.length - 1]) {
      stack.pop();
      if (stack.length === 0) return i;
    }
    i += 1;
  }
  throw new Error(`unbalanced brackets in HCL expression: ${src.slice(open, open + 60)}`);
}

/**
 * Splits a Terraform template (a string of Terraform's JSON syntax, after JSON decoding) into literal
 * text and interpolations. `$${` and `%%{` are escapes for a literal `${` and `%{`. Template
 * directives (`%{if}`) are refused: nothing in this project writes them.
 */
export function splitTemplate(template: string): TemplatePart[] {
  const parts: TemplatePart[] = [];
  let literal = "";
  let i = 0;
  while (i < template.length) {
    const two = template.slice(i, i + 2);
    if (template.startsWith("$${", i) || template.startsWith("%%{", i)) {
      literal += template.slice(i + 1, i + 3);
      i += 3;
    } else if (two === "${") {
      const end = closingIndex(template, i + 1);
      if (literal !== "") parts.push({ literal });
      literal = "";
      parts.push({ expression: template.slice(i + 2, end).trim() });
      i = end + 1;
    } else if (two === "%{") {
      throw new Error(`template directives are not supported: ${template.slice(i, i + 40)}`);
    } else {
      literal += template[i];
      i += 1;
    }
  }
  if (literal !== "" || parts.length === 0) parts.push({ literal });
  return parts;
}

/** The inside of an HCL quoted string holding `text` literally (escapes, and `${`/`%{` doubled). */
function escapeLiteral(text: string): string {
  return text
    .replace(/\\/g, "\\\\")
    .replace(/"/g, '\\"')
    .replace(/\n/g, "\\n")
    .replace(/\r/g, "\\r")
    .replace(/\t/g, "\\t")
    .replace(/[\u0000-\u001f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`)
    .replace(/\$\{/g, () => "$${")
    .replace(/%\{/g, () => "%%{");
}

/** An HCL quoted string whose value is exactly `text` (no interpolation). */
export function hclString(text: string): string {
  return `"${escapeLiteral(text)}"`;
}

/** An HCL quoted template for a Terraform template: literals escaped, interpolations kept. */
function hclTemplate(parts: readonly TemplatePart[]): string {
  return `"${parts.map((p) => ("literal" in p ? escapeLiteral(p.literal) : `\${${p.expression}}`)).join("")}"`;
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/** An object key in HCL: bare when it is an identifier, quoted otherwise (`"detail-type"` is fine bare, `"ecs:cluster"` is not). */
export function hclKey(key: string): string {
  return IDENTIFIER.test(key) && !key.includes("-") ? key : hclString(key);
}

/**
 * The HCL expression for a value of Terraform's JSON syntax: a string is a template (`"${x}"` alone
 * is the expression `x`), lists and objects are constructors, the rest literals. In the "block"
 * layout (files) objects span lines and long lists too; in the "inline" layout (inside a hand-written
 * expression, a table cell) everything stays on one line.
 */
export function hclExpressionOf(value: unknown, layout: "block" | "inline" = "block"): string {
  if (value === null || value === undefined) return "null";
  if (typeof value === "boolean" || typeof value === "number") return JSON.stringify(value);
  if (typeof value === "string") {
    const parts = splitTemplate(value);
    const only = parts[0];
    return parts.length === 1 && "expression" in only ? only.expression : hclTemplate(parts);
  }
  if (Array.isArray(value)) {
    if (value.length === 0) return "[]";
    const items = value.map((v) => hclExpressionOf(v, layout));
    const oneLine = `[${items.join(", ")}]`;
    if (layout === "inline" || (oneLine.length <= 80 && !oneLine.includes("\n"))) return oneLine;
    return `[\n${items.map((item) => `${indent(item, "  ")},`).join("\n")}\n]`;
  }
  if (typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 0) return "{}";
    if (layout === "inline") return `{ ${entries.map(([k, v]) => `${hclKey(k)} = ${hclExpressionOf(v, layout)}`).join(", ")} }`;
    return `{\n${alignAttributes(entries.map(([k, v]) => ({ name: hclKey(k), value: hclExpressionOf(v) })), "  ")}\n}`;
  }
  throw new Error(`no HCL form for ${typeof value}`);
}

/** Every line of `text` but the first, indented by `by` (a multi-line value continues under its attribute). */
export function indent(text: string, by: string): string {
  return text
    .split("\n")
    .map((line, i) => (i === 0 ? by + line : line === "" ? line : by + line))
    .join("\n");
}

/**
 * Attribute lines as `terraform fmt` writes them: the `=` of consecutive single-line attributes
 * aligned, a multi-line value neither aligned nor part of a run.
 */
export function alignAttributes(attributes: readonly { name: string; value: string }[], by: string): string {
  const lines: string[] = [];
  let run: { name: string; value: string }[] = [];
  const flush = () => {
    const width = Math.max(0, ...run.map((a) => a.name.length));
    for (const a of run) lines.push(`${by}${a.name.padEnd(width)} = ${a.value}`);
    run = [];
  };
  for (const a of attributes) {
    if (a.value.includes("\n")) {
      flush();
      lines.push(indent(`${a.name} = ${a.value}`, by));
    } else {
      run.push(a);
    }
  }
  flush();
  return lines.join("\n");
}

const TRAVERSAL = /^[A-Za-z_][A-Za-z0-9_-]*(\.[A-Za-z0-9_*-]+|\[[^\]]*\])*$/;

/** Whether `expr` can stand next to an operator without parentheses: a reference, literal, call or constructor. */
export function isAtomic(expr: string): boolean {
  const e = expr.trim();
  if (TRAVERSAL.test(e) || /^-?\d+(\.\d+)?$/.test(e)) return true;
  try {
    if (e.startsWith('"')) return skipQuoted(e, 0) === e.length;
    const call = /^[A-Za-z_][A-Za-z0-9_]*(::[A-Za-z_][A-Za-z0-9_]*)*\(/.exec(e);
    const open = call ? call[0].length - 1 : e[0] in OPENERS ? 0 : -1;
    return open >= 0 && closingIndex(e, open) === e.length - 1;
  } catch {
    return false;
  }
}

/** HCL source inserted as it is into an {@link hcl} expression (an iteration variable, a fragment built by a pure function). */
export class RawHcl {
  constructor(public readonly text: string) {}
}

/** Marks HCL source to be inserted into an {@link hcl} expression as it is. */
export const raw = (text: string): RawHcl => new RawHcl(text);

/**
 * Joins hand-written HCL with the HCL of its parts. A part standing in a quoted string becomes an
 * interpolation (a quoted template is inlined), elsewhere it is parenthesised unless atomic.
 */
export function assembleHcl(fragments: readonly string[], parts: readonly string[]): string {
  let out = "";
  // The innermost context: in a quoted string, or in an expression (with its open-bracket depth,
  // for an interpolation to know its closing brace).
  const stack: ({ kind: "string" } | { kind: "expr"; depth: number })[] = [{ kind: "expr", depth: 0 }];
  const scan = (text: string) => {
    for (let i = 0; i < text.length; i++) {
      const top = stack[stack.length - 1];
      const c = text[i];
      if (top.kind === "string") {
        if (c === "\\") i += 1;
        else if (c === '"') stack.pop();
        else if ((c === "$" || c === "%") && text[i + 1] === c && text[i + 2] === "{") i += 2;
        else if ((c === "$" || c === "%") && text[i + 1] === "{") {
          stack.push({ kind: "expr", depth: 0 });
          i += 1;
        }
      } else if (c === '"') stack.push({ kind: "string" });
      else if (c in OPENERS) top.depth += 1;
      else if (c === ")" || c === "]" || c === "}") {
        if (top.depth === 0 && c === "}" && stack.length > 1) stack.pop();
        else top.depth -= 1;
      }
    }
  };
  fragments.forEach((fragment, i) => {
    out += fragment;
    scan(fragment);
    if (i >= parts.length) return;
    const part = parts[i].trim();
    let text: string;
    if (stack[stack.length - 1].kind === "string") {
      const inlined = part.startsWith('"') && isAtomic(part) ? part.slice(1, -1) : undefined;
      text = inlined ?? `\${${part}}`;
    } else {
      text = isAtomic(part) ? part : `(${part})`;
    }
    // A multi-line part continues at the indentation of the line it starts on.
    const lineIndent = /[^\n]*$/.exec(out)![0].match(/^ */)![0];
    out += indent(text, lineIndent).slice(lineIndent.length);
    scan(text);
  });
  return out;
}

/** A hand-written HCL expression whose `${...}` parts are cdktf values, turned into HCL at synth time. */
class HclExpression implements IResolvable {
  public readonly creationStack: string[] = [];

  constructor(
    private readonly fragments: readonly string[],
    private readonly parts: readonly unknown[],
  ) {}

  public resolve(context: IResolveContext): string {
    // Inside a function call cdktf wants a bare expression; as an attribute value, an interpolation.
    const bare = context.suppressBraces === true;
    const texts = this.parts.map((p) => {
      if (p instanceof RawHcl) return p.text;
      context.suppressBraces = false;
      return hclExpressionOf(context.resolve(p), "inline");
    });
    context.suppressBraces = bare;
    const text = assembleHcl(this.fragments, texts);
    return bare ? text : `\${${text}}`;
  }

  public toString(): string {
    return Token.asString(this);
  }
}

/**
 * {@link hcl} with its fragments and parts as arrays, for an expression whose number of parts is
 * known only when it is built (one fragment more than parts, as in a template literal).
 */
export function hclFrom(fragments: readonly string[], parts: readonly unknown[]): IResolvable {
  if (fragments.length !== parts.length + 1) throw new Error(`hclFrom needs one fragment more than parts (got ${fragments.length} and ${parts.length})`);
  return new HclExpression([...fragments], [...parts]);
}

/** Whether a value holds a Terraform expression anywhere (a token, or a list or object holding one). */
export function holdsTokens(value: unknown): boolean {
  if (Token.isUnresolved(value)) return true;
  if (Array.isArray(value)) return value.some(holdsTokens);
  return typeof value === "object" && value !== null && Object.values(value).some(holdsTokens);
}

/**
 * Tagged template for a Terraform expression written in HCL: `` hcl`[for c in ${clusters} : upper(c)]` ``.
 * Interpolated values may be literals or cdktf tokens; a literal `${` of HCL itself is written `\${`.
 */
export function hcl(fragments: TemplateStringsArray, ...parts: unknown[]): IResolvable {
  return new HclExpression([...fragments], parts);
}
