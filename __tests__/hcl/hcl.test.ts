import { Fn, Testing, TerraformLocal, TerraformStack, TerraformVariable } from "cdktf";
import { assembleHcl, hcl, hclExpressionOf, hclFrom, hclKey, hclString, holdsTokens, isAtomic, raw, splitTemplate } from "../../modules/hcl/hcl-expression";
import { allOf, anyOf } from "../../modules/hcl/presence";
import { taskStateFailurePatternExpression } from "../../modules/pipeline/detection/task-state-pattern";
import { renderOutputsTf, renderVariablesTf } from "../../modules/terraform-module/hcl-file";
import { renderInputsTable, renderOutputsTable } from "../../modules/terraform-module/module-readme";

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

describe("expressions built from a number of parts known only at run time", () => {
  test("hclFrom joins fragments and parts like a template literal, and refuses a mismatch", () => {
    const stack = new TerraformStack(Testing.app(), "s");
    const a = new TerraformVariable(stack, "a", { type: "bool" });
    const b = new TerraformVariable(stack, "b", { type: "bool" });
    new TerraformLocal(stack, "all", hclFrom(["", " && !", " && ", ""], [a.booleanValue, b.booleanValue, hcl`${a.booleanValue} || ${b.booleanValue}`]));
    expect(JSON.parse(Testing.synth(stack)).locals.all).toBe("${var.a && !var.b && (var.a || var.b)}");
    expect(() => hclFrom(["a", "b"], [])).toThrow(/one fragment more than parts/);
  });

  test("holdsTokens finds an expression anywhere in a value", () => {
    const stack = new TerraformStack(Testing.app(), "s");
    const v = new TerraformVariable(stack, "v", { type: "string" });
    expect([holdsTokens(v.stringValue), holdsTokens([{ a: [v.stringValue] }]), holdsTokens(v.value), holdsTokens([{ a: ["x"] }, 1, null])]).toEqual([true, true, true, false]);
  });

  test("anyOf folds literals like allOf, and joins expressions with ||", () => {
    const stack = new TerraformStack(Testing.app(), "s");
    const a = new TerraformVariable(stack, "a", { type: "bool" }).booleanValue;
    const b = new TerraformVariable(stack, "b", { type: "bool" }).booleanValue;
    expect([anyOf(false, false), anyOf(a, true), anyOf(false, a), allOf(a, anyOf(false, false))]).toEqual([false, true, a, false]);
    new TerraformLocal(stack, "either", anyOf(a, b));
    expect(JSON.parse(Testing.synth(stack)).locals.either).toBe("${(var.a || var.b)}");
  });

  test("the task-failure pattern folds literal switches: both on write the $or alone, one on writes its branch alone", () => {
    const stack = new TerraformStack(Testing.app(), "s");
    const matchers = new TerraformVariable(stack, "matchers", { type: "list(string)" }).listValue;
    const report = new TerraformVariable(stack, "report", { type: "bool" }).booleanValue;
    const local = (id: string, catchFailedToStart: boolean, reportProgramFailures: boolean | typeof report) =>
      new TerraformLocal(stack, id, taskStateFailurePatternExpression({ matchers, ignoreStartedBy: [], catchFailedToStart, reportProgramFailures }));
    local("both", true, true);
    local("one", false, true);
    local("decided", false, report);
    const locals = JSON.parse(Testing.synth(stack)).locals as Record<string, string>;
    expect(locals.both).toContain('\n    { "$or" = [{ stopCode = ["TaskFailedToStart"] }, ');
    expect(locals.both).not.toContain("k => v if var.");
    expect(locals.one).toContain('\n    { stopCode = ["EssentialContainerExited"], containers = { exitCode = [{ "anything-but" = 0 }] } },');
    expect(locals.decided).toContain('{ for k, v in { stopCode = ["EssentialContainerExited"], containers = { exitCode = [{ "anything-but" = 0 }] } } : k => v if var.report }');
    expect(locals.decided).not.toContain("TaskFailedToStart");
    expect(() => local("none", false, false)).toThrow(/nothing to catch/);
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
