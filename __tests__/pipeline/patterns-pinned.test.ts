// The detection patterns and their splitting over several rules, pinned with literal values (issue 23):
// unit tests of pure functions, no stack synthesized beyond a bare one to read HCL expressions.
import { Testing, TerraformOutput, TerraformStack, TerraformVariable, Token } from "cdktf";
import { hcl, raw } from "../../modules/hcl/hcl-expression";
import {
  clusterMatchers,
  clusterMatcherTextsExpression,
  clusterShortName,
  clusterShortNameHcl,
  launchFailurePattern,
  launchFailurePatternExpression,
  launchFailurePatterns,
} from "../../modules/pipeline/detection/launch-failure-pattern";
import { binnedPatterns, binnedPatternsExpression, binsExpression, binSizeExpression, checkPatternSize, EVENT_PATTERN_MAX_CHARS, laterPatterns } from "../../modules/pipeline/detection/pattern-bins";
import { addLaterRules, patternSizePrecondition, splitPatterns } from "../../modules/pipeline/detection/split-rules";
import {
  clusterArnMatchers,
  clusterArnMatcherTextsExpression,
  taskStateFailurePattern,
  taskStateFailurePatternExpression,
  taskStateFailurePatterns,
} from "../../modules/pipeline/detection/task-state-pattern";
import { spokeAccountsExpression, spokeRegionsExpression, spokeRulePatternExpression, unmatchedPattern } from "../../modules/pipeline/hub/spoke-rule-patterns";

const PREFIX = "arn:aws:iam::111122223333:role/ecs-rerun/";

/** The value Terraform would see for `value`, as cdktf writes it into the synthesized JSON. */
function synthesized(values: Record<string, unknown>): Record<string, unknown> {
  const stack = new TerraformStack(Testing.app(), "s");
  for (const [id, value] of Object.entries(values)) new TerraformOutput(stack, id, { value });
  const out = (JSON.parse(Testing.synth(stack)) as { output: Record<string, { value: unknown }> }).output;
  return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, v.value]));
}

describe("launch failure pattern", () => {
  it("matches a cluster by name, by ARN, by ARN ending, and the default cluster by its absence", () => {
    expect(clusterMatchers(["batch", "arn:aws:ecs:eu-west-1:111122223333:cluster/etl", "default", "batch", "arn:aws:ecs:eu-west-1:111122223333:cluster/batch"])).toEqual([
      "batch",
      { suffix: ":cluster/batch" },
      "etl",
      "arn:aws:ecs:eu-west-1:111122223333:cluster/etl",
      "default",
      { suffix: ":cluster/default" },
      { exists: false },
      "arn:aws:ecs:eu-west-1:111122223333:cluster/batch",
    ]);
    expect(clusterShortName("arn:aws-cn:ecs:cn-north-1:111122223333:cluster/a/b")).toBe("a/b");
    expect(clusterShortName("arn:aws:ec2:eu-west-1:1:cluster/x")).toBe("arn:aws:ec2:eu-west-1:1:cluster/x");
    expect(clusterShortName("xarn:aws:ecs:r:1:cluster/x")).toBe("xarn:aws:ecs:r:1:cluster/x");
    expect(clusterShortNameHcl("c")).toBe('try(regex("^arn:[^:]+:ecs:[^:]*:[^:]*:cluster/(.+)$", c)[0], c)');
  });

  it("is this pattern, with a startedBy branch only when something is ignored", () => {
    const base = {
      source: ["aws.ecs"],
      "detail-type": ["AWS API Call via CloudTrail"],
      detail: {
        eventSource: ["ecs.amazonaws.com"],
        eventName: ["RunTask", "StartTask"],
        requestParameters: { cluster: ["batch", { suffix: ":cluster/batch" }] },
        responseElements: { failures: { reason: [{ exists: true }] } },
        userIdentity: { sessionContext: { sessionIssuer: { arn: [{ "anything-but": { prefix: PREFIX } }, { exists: false }] } } },
      },
    };
    expect(launchFailurePattern({ clusters: ["batch"], ignoreStartedBy: [], relaunchRoleArnPrefix: PREFIX })).toEqual(base);
    expect(launchFailurePattern({ clusters: ["batch"], ignoreStartedBy: ["AWS Step Functions"], relaunchRoleArnPrefix: PREFIX })).toEqual({
      ...base,
      detail: { ...base.detail, requestParameters: { cluster: ["batch", { suffix: ":cluster/batch" }], startedBy: [{ "anything-but": ["AWS Step Functions"] }, { exists: false }] } },
    });
    expect(launchFailurePatterns({ clusters: ["batch"], ignoreStartedBy: [], relaunchRoleArnPrefix: PREFIX })).toEqual({ "0": base });
  });

  it("refuses no cluster at all", () => {
    const message = "clusters = [] is invalid: expected at least one cluster name or ARN";
    expect(() => launchFailurePattern({ clusters: [], ignoreStartedBy: [], relaunchRoleArnPrefix: PREFIX })).toThrow(message);
    expect(() => launchFailurePatterns({ clusters: [], ignoreStartedBy: [], relaunchRoleArnPrefix: PREFIX })).toThrow(message);
    expect(() => taskStateFailurePattern({ clusters: [], ignoreStartedBy: [], catchFailedToStart: true, reportProgramFailures: false })).toThrow(message);
    expect(() => taskStateFailurePatterns({ clusters: [], ignoreStartedBy: [], catchFailedToStart: true, reportProgramFailures: false })).toThrow(message);
  });

  it("splits 300 clusters over rules of at most 2048 characters, each cluster in exactly one", () => {
    const clusters = Array.from({ length: 300 }, (_, i) => `cluster-${String(i).padStart(3, "0")}`);
    const patterns = launchFailurePatterns({ clusters, ignoreStartedBy: [], relaunchRoleArnPrefix: PREFIX });
    const keys = Object.keys(patterns);
    expect(keys[0]).toBe("0");
    expect(keys.length).toBeGreaterThan(5);
    const names: string[] = [];
    for (const p of Object.values(patterns)) {
      expect(JSON.stringify(p).length).toBeLessThanOrEqual(2048);
      const cluster = (p.detail as { requestParameters: { cluster: unknown[] } }).requestParameters.cluster;
      names.push(...cluster.filter((m): m is string => typeof m === "string"));
    }
    expect(names).toEqual(clusters);
  });

  it("measures a Terraform-valued prefix at its longest (aws-us-gov), so a plan can never exceed the limit", () => {
    const clusters = Array.from({ length: 60 }, (_, i) => `c${String(i).padStart(2, "0")}`);
    const literal = launchFailurePatterns({ clusters, ignoreStartedBy: [], relaunchRoleArnPrefix: "arn:aws:iam::1:role/ecs-rerun/" });
    const token = launchFailurePatterns({ clusters, ignoreStartedBy: [], relaunchRoleArnPrefix: Token.asString(raw("local.prefix")) });
    // The token is short as text; measured as "arn:aws-us-gov:iam::123456789012:role/ecs-rerun/" the rules hold fewer clusters.
    expect(Object.keys(token).length).toBeGreaterThanOrEqual(Object.keys(literal).length);
    const first = (p: Record<string, Record<string, unknown>>) => ((p["0"].detail as { requestParameters: { cluster: unknown[] } }).requestParameters.cluster.length);
    expect(first(token)).toBeLessThan(first(literal));
  });

  it("writes the same pattern in HCL", () => {
    const out = synthesized({
      e: launchFailurePatternExpression({ matchers: raw("local.m"), ignoreStartedBy: ["a"], relaunchRoleArnPrefix: PREFIX }),
      t: clusterMatcherTextsExpression(["batch"]),
    });
    expect(out.e).toBe(`\${jsonencode({
  source        = ["aws.ecs"]
  "detail-type" = ["AWS API Call via CloudTrail"]
  detail = {
    eventSource = ["ecs.amazonaws.com"]
    eventName   = ["RunTask", "StartTask"]
    requestParameters = merge(
      {
        cluster = local.m
      },
      { for k, v in { startedBy = [{ "anything-but" = ["a"] }, { exists = false }] } : k => v if length(["a"]) > 0 },
    )
    responseElements = { failures = { reason = [{ exists = true }] } }
    userIdentity     = { sessionContext = { sessionIssuer = { arn = [{ "anything-but" = { prefix = "${PREFIX}" } }, { exists = false }] } } }
  }
})}`);
    expect(out.t).toBe(`\${distinct(flatten([
  for c in [for given in ["batch"] : { given = given, name = try(regex("^arn:[^:]+:ecs:[^:]*:[^:]*:cluster/(.+)$", given)[0], given) }] : concat(
    [jsonencode(c.name)],
    c.name != c.given ? [jsonencode(c.given)] : [jsonencode({ suffix = ":cluster/\${c.name}" })],
    c.name == "default" ? [jsonencode({ exists = false })] : [],
  )
]))}`);
  });
});

describe("task state failure pattern", () => {
  const input = { clusters: ["batch", "arn:aws:ecs:eu-west-1:111122223333:cluster/etl", "batch"], ignoreStartedBy: [] as string[], catchFailedToStart: true, reportProgramFailures: false };
  const common = {
    clusterArn: [{ suffix: ":cluster/batch" }, "arn:aws:ecs:eu-west-1:111122223333:cluster/etl"],
    lastStatus: ["STOPPED"],
    group: [{ "anything-but": { prefix: "service:" } }],
  };

  it("matches clusters by ARN or ARN ending, once each", () => {
    expect(clusterArnMatchers(input.clusters)).toEqual(common.clusterArn);
  });

  it("is this pattern for each choice of what to catch", () => {
    expect(taskStateFailurePattern(input)).toEqual({ source: ["aws.ecs"], "detail-type": ["ECS Task State Change"], detail: { ...common, stopCode: ["TaskFailedToStart"] } });
    expect(taskStateFailurePattern({ ...input, catchFailedToStart: false, reportProgramFailures: true, ignoreStartedBy: ["x"] })).toEqual({
      source: ["aws.ecs"],
      "detail-type": ["ECS Task State Change"],
      detail: { ...common, startedBy: [{ "anything-but": ["x"] }, { exists: false }], stopCode: ["EssentialContainerExited"], containers: { exitCode: [{ "anything-but": 0 }] } },
    });
    expect(taskStateFailurePatterns({ ...input, reportProgramFailures: true })).toEqual({
      "0": {
        source: ["aws.ecs"],
        "detail-type": ["ECS Task State Change"],
        detail: { ...common, $or: [{ stopCode: ["TaskFailedToStart"] }, { stopCode: ["EssentialContainerExited"], containers: { exitCode: [{ "anything-but": 0 }] } }] },
      },
    });
    expect(() => taskStateFailurePattern({ ...input, catchFailedToStart: false })).toThrow("catchFailedToStart and reportProgramFailures are both false: there is nothing to catch");
  });

  it("writes the same pattern in HCL, folding literal switches away", () => {
    const on = hcl`var.catch`;
    const report = hcl`var.report`;
    const out = synthesized({
      both: taskStateFailurePatternExpression({ matchers: raw("local.m"), ignoreStartedBy: [], catchFailedToStart: true, reportProgramFailures: true }),
      open: taskStateFailurePatternExpression({ matchers: raw("local.m"), ignoreStartedBy: ["x"], catchFailedToStart: on, reportProgramFailures: report }),
      one: taskStateFailurePatternExpression({ matchers: raw("local.m"), ignoreStartedBy: [], catchFailedToStart: on, reportProgramFailures: false }),
      texts: clusterArnMatcherTextsExpression(["batch"]),
    });
    expect(out.both).toBe(`\${jsonencode({
  source        = ["aws.ecs"]
  "detail-type" = ["ECS Task State Change"]
  detail = merge(
    {
      clusterArn = local.m
      lastStatus = ["STOPPED"]
      group      = [{ "anything-but" = { prefix = "service:" } }]
    },
    { for k, v in { startedBy = [{ "anything-but" = [] }, { exists = false }] } : k => v if length([]) > 0 },
    { "$or" = [{ stopCode = ["TaskFailedToStart"] }, { stopCode = ["EssentialContainerExited"], containers = { exitCode = [{ "anything-but" = 0 }] } }] },
  )
})}`);
    expect(out.one).toContain('    { for k, v in { stopCode = ["TaskFailedToStart"] } : k => v if var.catch },\n  )');
    expect(out.one).not.toContain("EssentialContainerExited");
    expect(out.open).toContain(" : k => v if var.catch && var.report }");
    expect(out.open).toContain(" : k => v if var.catch && !var.report }");
    expect(out.open).toContain(" : k => v if var.report && !var.catch }");
    expect(out.open).toContain('{ for k, v in { startedBy = [{ "anything-but" = ["x"] }, { exists = false }] } : k => v if length(["x"]) > 0 }');
    expect(out.texts).toBe('${distinct([for c in ["batch"] : startswith(c, "arn:") ? jsonencode(c) : jsonencode({ suffix = ":cluster/${c}" })])}');
    expect(() => taskStateFailurePatternExpression({ matchers: raw("local.m"), ignoreStartedBy: [], catchFailedToStart: false, reportProgramFailures: false })).toThrow(
      "catchFailedToStart and reportProgramFailures are both false: there is nothing to catch",
    );
  });
});

describe("splitting patterns over rules", () => {
  const builder = { patternOf: (ms: unknown[]) => ({ c: ms }), rule: "r", hint: "do less" };

  it("starts a new rule when a matcher would begin past the budget: B = 2048 - empty pattern - widest matcher", () => {
    // Empty pattern {"c":[]} is 8 characters; matchers "a..." of 98 characters are 100 wide (quotes and comma).
    // B = 2048 - 8 - 100 = 1940: matcher i starts at 100 i, so rule k holds i with floor(100 i / 1940) = k.
    const matchers = Array.from({ length: 45 }, (_, i) => `${String(i).padStart(2, "0")}${"a".repeat(96)}`);
    const bins = binnedPatterns(matchers, builder);
    expect(Object.keys(bins)).toEqual(["0", "1", "2"]);
    expect((bins["0"].c as string[]).length).toBe(20); // starts 0 .. 1900
    expect((bins["1"].c as string[]).length).toBe(19); // starts 2000 .. 3800
    expect((bins["2"].c as string[]).length).toBe(6); // starts 3900 .. 4400
    expect((bins["1"].c as string[])[0]).toBe(`20${"a".repeat(96)}`);
  });

  it("keeps one rule for what fits, and a budget of at least 1 for a matcher wider than the limit", () => {
    expect(binnedPatterns(["x", "y"], builder)).toEqual({ "0": { c: ["x", "y"] } });
    expect(() => binnedPatterns(["z".repeat(3000)], builder)).toThrow('the event pattern of rule r would be 3010 characters; EventBridge allows 2048 (quota "Event pattern size"): do less');
    // B = max(1, 2048 - 8 - 3003) = 1: the wide matcher starts at 4 and goes to rule "4" (keys may skip).
    expect(() => binnedPatterns(["x", "z".repeat(3000)], builder)).toThrow("the event pattern of rule r-4 would be 3010 characters");
  });

  it("checks a pattern of exactly 2048 characters as fitting", () => {
    expect(EVENT_PATTERN_MAX_CHARS).toBe(2048);
    expect(() => checkPatternSize("r", "x".repeat(2048), "h")).not.toThrow();
    expect(() => checkPatternSize("r", "x".repeat(2049), "h")).toThrow('the event pattern of rule r would be 2049 characters; EventBridge allows 2048 (quota "Event pattern size"): h');
  });

  it("measures with `measure` and builds with `patternOf`", () => {
    expect(binnedPatterns(["x"], { ...builder, patternOf: (ms) => ({ c: ms, pad: "p".repeat(2100) }), measure: (ms) => ({ c: ms }) })).toEqual({ "0": { c: ["x"], pad: "p".repeat(2100) } });
    expect(() => binnedPatterns(["x"], { ...builder, measure: () => ({ pad: "p".repeat(2100) }) })).toThrow("the event pattern of rule r would be 2110 characters");
  });

  it("later patterns leave rule 0 out, literally or in HCL, and only while present", () => {
    expect(laterPatterns({ "0": "a", "1": "b", "2": "c" }, true)).toEqual({ "1": "b", "2": "c" });
    const out = synthesized({
      lit: laterPatterns({ "0": "a", "1": "b" }, hcl`var.on`),
      tok: laterPatterns(hcl`local.p`, true),
      off: laterPatterns(hcl`local.p`, false),
      size: binSizeExpression(raw("local.m"), (l) => hcl`jsonencode(${l})`),
      bins: binsExpression(raw("local.m"), raw("local.b")),
      pats: binnedPatternsExpression(raw("local.bins"), (l) => hcl`jsonencode({ c = ${l} })`),
    });
    expect(out.lit).toBe('${{ for key, pattern in { "0" = "a", "1" = "b" } : key => pattern if key != "0" && var.on }}');
    expect(out.tok).toBe('${{ for key, pattern in local.p : key => pattern if key != "0" }}');
    expect(out.off).toBe('${{ for key, pattern in local.p : key => pattern if key != "0" && false }}');
    expect(out.size).toBe("${max(1, 2048 - length(jsonencode([])) - max(0, [for t in local.m : length(t) + 1]...))}");
    expect(out.bins).toBe("${{\n  for i, text in local.m : tostring(floor(sum(concat([0], [for t in slice(local.m, 0, i) : length(t) + 1])) / local.b)) => text...\n}}");
    expect(out.pats).toBe("${{\n  for key, texts in local.bins : key => jsonencode({ c = [for t in texts : jsondecode(t)] })\n}}");
  });
});

describe("split rules", () => {
  it("literal patterns: rule 0's JSON, the others as later rules only when there are any", () => {
    const stack = new TerraformStack(Testing.app(), "s");
    expect(splitPatterns(stack, "x", { literal: { "0": { a: 1 } } }, true)).toEqual({ first: '{"a":1}', later: undefined, data: { "0": { a: 1 } } });
    expect(splitPatterns(stack, "y", { literal: { "0": { a: 1 }, "1": { b: 2 } } }, true)).toEqual({ first: '{"a":1}', later: { "1": '{"b":2}' }, data: { "0": { a: 1 }, "1": { b: 2 } } });
  });

  it("Terraform patterns: four locals evaluated by the same rule", () => {
    const stack = new TerraformStack(Testing.app(), "s");
    const clusters = new TerraformVariable(stack, "clusters", { type: "list(string)" });
    const split = splitPatterns(stack, "launch", { matcherTexts: clusters.listValue as never, patternOf: (l) => hcl`jsonencode({ c = ${l} })` }, true);
    new TerraformOutput(stack, "first", { value: split.first });
    const locals = (JSON.parse(Testing.synth(stack)) as { locals: Record<string, string>; output: { first: { value: string } } });
    expect(Object.keys(locals.locals).sort()).toEqual(["launch-bin-size", "launch-bins", "launch-cluster-matchers", "launch-patterns"]);
    expect(locals.output.first.value).toBe('${local.launch-patterns["0"]}');
  });

  it("a precondition refuses a pattern over the limit, naming the rule", () => {
    const p = patternSizePrecondition(Token.asString(hcl`local.p`), "launch-failures-1", "shorten it");
    expect(p.errorMessage).toBe('The event pattern of rule launch-failures-1 is longer than EventBridge\'s 2048 characters (quota "Event pattern size"): shorten it.');
    expect(synthesized({ c: p.condition }).c).toBe("${length(local.p) <= 2048}");
  });

  it("later rules: one for_each block named <name>-<key>, with the precondition only for Terraform patterns", () => {
    const stack = new TerraformStack(Testing.app(), "s");
    addLaterRules(stack, "lit", { name: "launch-failures", description: "d", later: { "1": "{}" }, hint: "h" });
    addLaterRules(stack, "tok", { name: "task-failures", description: "d", later: hcl`local.p`, hint: "h", eventBusName: "hub" });
    const rules = (JSON.parse(Testing.synth(stack)) as { resource: { aws_cloudwatch_event_rule: Record<string, Record<string, unknown>> } }).resource.aws_cloudwatch_event_rule;
    expect(rules["lit-more"]).toEqual({ description: "d", event_pattern: "${each.value}", for_each: { "1": "{}" }, name: "launch-failures-${each.key}" });
    expect(rules["tok-more"]).toEqual({
      description: "d",
      event_bus_name: "hub",
      event_pattern: "${each.value}",
      for_each: "${local.p}",
      name: "task-failures-${each.key}",
      lifecycle: {
        precondition: [
          { condition: "${length(each.value) <= 2048}", error_message: 'The event pattern of rule task-failures-${each.key} is longer than EventBridge\'s 2048 characters (quota "Event pattern size"): h.' },
        ],
      },
    });
  });
});

describe("the hub's spoke rules", () => {
  const A = "arn:aws:ecs:eu-west-1:222233334444:cluster/batch";
  const B = "arn:aws:ecs:us-east-1:444455556666:cluster/etl";

  it("the unmatched pattern: another source, another detail type, or a region outside the spokes' without an organization", () => {
    const common = [{ source: [{ "anything-but": "aws.ecs" }] }, { "detail-type": [{ "anything-but": ["AWS API Call via CloudTrail", "ECS Task State Change"] }] }];
    expect(unmatchedPattern({ spokeClusters: [A, B] })).toEqual({ $or: [...common, { region: [{ "anything-but": ["eu-west-1", "us-east-1"] }] }] });
    expect(unmatchedPattern({ spokeClusters: [A], organizationId: "o-abcdefghij" })).toEqual({ $or: common });
    expect(unmatchedPattern({ spokeClusters: [] })).toEqual({ $or: common });
  });

  it("their HCL twins", () => {
    const out = synthesized({
      accounts: spokeAccountsExpression([A]),
      regions: spokeRegionsExpression([A]),
      rule: spokeRulePatternExpression(raw("local.m"), hcl`local.all`, hcl`local.regions`, hcl`var.org`),
    });
    expect(out.accounts).toBe(`\${distinct([for c in ["${A}"] : split(":", c)[4]])}`);
    expect(out.regions).toBe(`\${distinct([for c in ["${A}"] : split(":", c)[3]])}`);
    expect(out.rule).toBe(`\${jsonencode(merge(
  { for k, v in { account = local.m, region = local.regions } : k => v if length(local.all) > 0 && var.org == null },
  {
    source        = ["aws.ecs"]
    "detail-type" = ["AWS API Call via CloudTrail", "ECS Task State Change"]
  },
))}`);
  });
});
