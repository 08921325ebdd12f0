/** Renders the module's variables.tf, outputs.tf, locals.tf and versions.tf from synthesized JSON. */
import { alignAttributes, hclExpressionOf, hclString, splitTemplate } from "../hcl/hcl-expression";

/** A `variable` as Terraform's JSON syntax (and cdktf) write it. */
export interface TfJsonVariable {
  readonly description?: string;
  readonly type?: string;
  readonly default?: unknown;
  readonly nullable?: boolean;
  readonly sensitive?: boolean;
  readonly validation?: readonly { readonly condition: string; readonly error_message: string }[];
}

/** An `output` as Terraform's JSON syntax writes it. */
export interface TfJsonOutput {
  readonly description?: string;
  readonly value: unknown;
  readonly sensitive?: boolean;
}

/** The `terraform` settings a child module may carry (never a backend). */
export interface TfJsonSettings {
  readonly required_version?: string;
  readonly required_providers?: Record<string, { readonly source: string; readonly version: string }>;
}

/** One line or block of a body. */
type BodyItem = { readonly name: string; readonly value: string } | { readonly block: string };

/** A block's body: runs of attributes aligned as `terraform fmt` aligns them, nested blocks in between. */
function renderBody(items: readonly BodyItem[]): string {
  const out: string[] = [];
  let run: { name: string; value: string }[] = [];
  const flush = () => {
    if (run.length > 0) out.push(alignAttributes(run, "  "));
    run = [];
  };
  for (const item of items) {
    if ("block" in item) {
      flush();
      out.push(item.block.split("\n").map((l) => (l === "" ? l : `  ${l}`)).join("\n"));
    } else {
      run.push(item);
    }
  }
  flush();
  return out.join("\n");
}

function block(header: string, items: readonly BodyItem[]): string {
  return items.length === 0 ? `${header} {\n}` : `${header} {\n${renderBody(items)}\n}`;
}

/** A type constraint is an expression in HCL (`list(string)`), a string in JSON. */
function typeExpression(type: string): string {
  const parts = splitTemplate(type);
  const only = parts[0];
  return parts.length === 1 && "expression" in only ? only.expression : type;
}

/** `variables.tf`: every variable, in the order given, each with its validations. */
export function renderVariablesTf(variables: Readonly<Record<string, TfJsonVariable>>): string {
  return (
    Object.entries(variables)
      .map(([name, v]) => {
        const items: BodyItem[] = [];
        if (v.description !== undefined) items.push({ name: "description", value: hclString(v.description) });
        if (v.type !== undefined) items.push({ name: "type", value: typeExpression(v.type) });
        if ("default" in v) items.push({ name: "default", value: hclExpressionOf(v.default) });
        if (v.nullable !== undefined) items.push({ name: "nullable", value: String(v.nullable) });
        if (v.sensitive !== undefined) items.push({ name: "sensitive", value: String(v.sensitive) });
        for (const check of v.validation ?? []) {
          items.push({
            block: block("validation", [
              { name: "condition", value: hclExpressionOf(check.condition) },
              { name: "error_message", value: hclString(check.error_message) },
            ]),
          });
        }
        return block(`variable ${hclString(name)}`, items);
      })
      .join("\n\n") + "\n"
  );
}

/** `outputs.tf`: every output, in the order given. */
export function renderOutputsTf(outputs: Readonly<Record<string, TfJsonOutput>>): string {
  return (
    Object.entries(outputs)
      .map(([name, o]) => {
        const items: BodyItem[] = [];
        if (o.description !== undefined) items.push({ name: "description", value: hclString(o.description) });
        items.push({ name: "value", value: hclExpressionOf(o.value) });
        if (o.sensitive !== undefined) items.push({ name: "sensitive", value: String(o.sensitive) });
        return block(`output ${hclString(name)}`, items);
      })
      .join("\n\n") + "\n"
  );
}

/** A `locals` block, one attribute per local, in the order given. */
export function renderLocalsTf(locals: Readonly<Record<string, unknown>>): string {
  return block("locals", Object.entries(locals).map(([name, value]) => ({ name, value: hclExpressionOf(value) }))) + "\n";
}

/** `versions.tf`: the Terraform and provider versions the module works with. */
export function renderVersionsTf(settings: TfJsonSettings): string {
  const items: BodyItem[] = [];
  if (settings.required_version !== undefined) items.push({ name: "required_version", value: hclString(settings.required_version) });
  if (settings.required_providers) {
    items.push({
      block: block(
        "required_providers",
        Object.entries(settings.required_providers).map(([name, p]) => ({ name, value: hclExpressionOf({ source: p.source, version: p.version }) })),
      ),
    });
  }
  return block("terraform", items) + "\n";
}
