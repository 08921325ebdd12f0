import { Fn, Testing, TerraformLocal, TerraformStack, TerraformVariable } from "cdktf";
import { assembleHcl, hcl, hclExpressionOf, hclKey, hclString, isAtomic, raw, splitTemplate } from "../../modules/hcl-expression";
import { renderOutputsTf, renderVariablesTf } from "../../modules/hcl-file";
import { renderInputsTable, renderOutputsTable } from "../../modules/module-readme";

describe("Terraform templates", () => {
  test("split into literal text and interpolations, with quotes and braces inside an interpolation kept whole", () => {
    expect(splitTemplate("arn:${var.p}:x")).toEqual([{ literal: "arn:" }, { expression: "var.p" }, { literal: ":x" }]);
    expect(splitTemplate('${jsonencode({ a = "}" })}')).toEqual([{ expression: 'jsonencode({ a = "}" })' }]);
    expect(splitTemplate("plain")).toEqual([{ literal: "plain" }]);
  });

  test("read $${ as a literal ${, and refuse directives", () => {
    expect(splitTemplate("a$${b}")).toEqual([{ literal: "a${b}" }]);
    expect(() => splitTemplate("%{ if x }y%{ endif }")).toThrow(/directives are not supported/);
  });
});

describe("HCL expressions from Terraform's JSON syntax", () => {
  test("a lone interpolation is the expression itself; a mixed template stays quoted", () => {
    expect(hclExpressionOf("${one(aws_sns_topic.topic[*].arn)}")).toBe("one(aws_sns_topic.topic[*].arn)");
    expect(hclExpressionOf("${var.name}-rerun")).toBe('"${var.name}-rerun"');
  });

  test("literal text is escaped, so quotes, backslashes, newlines and ${ survive", () => {
    expect(hclString('say "hi"\\n${x}\n')).toBe('"say \\"hi\\"\\\\n$${x}\\n"');
    expect(hclExpressionOf('a "b" $${c}')).toBe('"a \\"b\\" $${c}"');
  });

  test("object keys are bare only when they are plain identifiers", () => {
    expect([hclKey("Version"), hclKey("ecs:cluster"), hclKey("detail-type"), hclKey("1a")]).toEqual(["Version", '"ecs:cluster"', '"detail-type"', '"1a"']);
  });

  test("objects span lines with aligned =, short lists stay on one line, and inline layout keeps all on one", () => {
    expect(hclExpressionOf({ a: 1, long_key: [true, null], nested: { x: "y" } })).toBe('{\n  a        = 1\n  long_key = [true, null]\n  nested = {\n    x = "y"\n  }\n}');
    expect(hclExpressionOf({ a: [1, 2] }, "inline")).toBe("{ a = [1, 2] }");
    expect(hclExpressionOf(Array.from({ length: 30 }, (_, i) => i))).toMatch(/^\[\n  0,\n  1,\n/);
  });

  test("tell atomic expressions from those an operator would split", () => {
    for (const e of ["var.x", "local.a[0].b", '"s"', "f(a, b)", "[1, 2]", "{ a = 1 }", "-3"]) expect({ e, atomic: isAtomic(e) }).toEqual({ e, atomic: true });
    for (const e of ["a ? b : c", "a == null", "f(a) + g(b)", '"a" + "b"']) expect({ e, atomic: isAtomic(e) }).toEqual({ e, atomic: false });
  });
});

describe("hand-written HCL with cdktf values in it", () => {
  test("a part inside a quoted string is interpolated, a quoted template inlined; elsewhere a compound part is parenthesised", () => {
    expect(assembleHcl(['[for c in ', ' : "', '/${c}"]'], ["var.clusters", '"arn:${var.p}:task"'])).toBe('[for c in var.clusters : "arn:${var.p}:task/${c}"]');
    expect(assembleHcl(["", " != null"], ["a ? b : c"])).toBe("(a ? b : c) != null");
    expect(assembleHcl(['"x-', '"'], ["var.n"])).toBe('"x-${var.n}"');
  });

  test("a multi-line part continues at the indentation of its line", () => {
    expect(assembleHcl(["{\n  a = ", "\n}"], ["[\n  1,\n]"])).toBe("{\n  a = [\n    1,\n  ]\n}");
  });

  test("resolves at synth time: an interpolation as an attribute, a bare expression inside a function call", () => {
    const stack = new TerraformStack(Testing.app(), "s");
    const clusters = new TerraformVariable(stack, "clusters", { type: "list(string)" });
    const upper = hcl`[for c in ${clusters.listValue} : upper("${raw("c")}-\${c}")]`;
    new TerraformLocal(stack, "direct", upper);
    new TerraformLocal(stack, "nested", Fn.jsonencode(upper));
    new TerraformLocal(stack, "literal", hcl`contains(${["A", "B"]}, ${"x"})`);
    const locals = JSON.parse(Testing.synth(stack)).locals;
    expect(locals).toEqual({
      direct: '${[for c in var.clusters : upper("${c}-${c}")]}',
      nested: '${jsonencode([for c in var.clusters : upper("${c}-${c}")])}',
      literal: '${contains(["A", "B"], "x")}',
    });
  });
});

describe("rendered files and tables", () => {
  const variables = {
    clusters: { description: "Clusters | pipes", type: "list(string)", validation: [{ condition: "${length(var.clusters) > 0}", error_message: "One at least." }] },
    tags: { description: "Tags.", type: "map(string)", default: {} },
  };

  test("variables.tf has each variable's description, type, default and validations, aligned as terraform fmt aligns them", () => {
    expect(renderVariablesTf(variables)).toBe(
      [
        'variable "clusters" {',
        '  description = "Clusters | pipes"',
        "  type        = list(string)",
        "  validation {",
        "    condition     = length(var.clusters) > 0",
        '    error_message = "One at least."',
        "  }",
        "}",
        "",
        'variable "tags" {',
        '  description = "Tags."',
        "  type        = map(string)",
        "  default     = {}",
        "}",
        "",
      ].join("\n"),
    );
  });

  test("outputs.tf unwraps each value into an expression", () => {
    expect(renderOutputsTf({ topic_arn: { description: "Topic.", value: "${one(aws_sns_topic.topic[*].arn)}" } })).toBe('output "topic_arn" {\n  description = "Topic."\n  value       = one(aws_sns_topic.topic[*].arn)\n}\n');
  });

  test("the inputs table marks required variables, shows defaults as HCL and escapes pipes", () => {
    expect(renderInputsTable(variables).split("\n")).toEqual([
      "| Name | Description | Type | Default | Required |",
      "| --- | --- | --- | --- | :---: |",
      "| `clusters` | Clusters \\| pipes | `list(string)` | n/a | yes |",
      "| `tags` | Tags. | `map(string)` | `{}` | no |",
    ]);
    expect(renderOutputsTable({ a_arn: { description: "A.", value: "x" } })).toBe("| Name | Description |\n| --- | --- |\n| `a_arn` | A. |");
  });
});
