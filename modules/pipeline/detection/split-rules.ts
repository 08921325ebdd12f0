/**
 * Rules whose pattern is split over several rules to stay within EventBridge's size limit
 * (pattern-bins.ts): rule "0" is the rule the pipeline always had, at the same address, so states of
 * earlier versions plan no replacement; the others ("1", "2", ...) are one `for_each` block beside
 * it, named `<rule name>-<key>`. Created in the pipeline's scopes.
 */
import type { Construct } from "constructs";
import { TerraformIterator, TerraformLocal, Token, type IResolvable, type MapTerraformIterator } from "cdktf";
import { CloudwatchEventRule } from "@cdktf/provider-aws/lib/cloudwatch-event-rule";
import { hcl, type RawHcl } from "../../hcl/hcl-expression";
import type { Presence } from "../../hcl/presence";
import { binnedPatternsExpression, binsExpression, binSizeExpression, EVENT_PATTERN_MAX_CHARS, laterPatterns } from "./pattern-bins";

/** Where a split pattern comes from: literal patterns, or what Terraform computes them from. */
export type SplitPatternSource =
  | { readonly literal: Record<string, Record<string, unknown>> }
  | {
      /** The matchers' JSON texts, a Terraform list expression. */
      readonly matcherTexts: IResolvable;
      /** Writes one rule's pattern (a `jsonencode` expression) of an HCL list expression of decoded matchers. */
      readonly patternOf: (list: RawHcl) => IResolvable;
    };

/** The patterns of a split rule, as its blocks take them. */
export interface SplitPatterns {
  /** The `event_pattern` of rule "0". */
  readonly first: string;
  /** The `for_each` of the other rules (key => pattern); undefined when literal patterns need none. */
  readonly later?: Record<string, string> | IResolvable;
  /** Every rule's pattern as data, by key, when literal. */
  readonly data?: Record<string, Record<string, unknown>>;
}

/**
 * The patterns of one split rule. With literal patterns, their JSON; otherwise locals `<id>-cluster-matchers`,
 * `<id>-bin-size`, `<id>-bins` and `<id>-patterns` (the module's `locals.tf`) that Terraform evaluates
 * by the same rule.
 */
export function splitPatterns(scope: Construct, id: string, source: SplitPatternSource, presence: Presence): SplitPatterns {
  if ("literal" in source) {
    const texts = Object.fromEntries(Object.entries(source.literal).map(([key, p]) => [key, JSON.stringify(p)]));
    const hasLater = Object.keys(texts).length > 1;
    return { first: texts["0"], later: hasLater ? laterPatterns(texts, presence) : undefined, data: source.literal };
  }
  const matchers = new TerraformLocal(scope, `${id}-cluster-matchers`, source.matcherTexts).asList;
  const binSize = new TerraformLocal(scope, `${id}-bin-size`, binSizeExpression(matchers, source.patternOf)).asNumber;
  const bins = new TerraformLocal(scope, `${id}-bins`, binsExpression(matchers, binSize)).asAnyMap;
  const patterns = new TerraformLocal(scope, `${id}-patterns`, binnedPatternsExpression(bins, source.patternOf)).asStringMap;
  return { first: Token.asString(hcl`${patterns}["0"]`), later: laterPatterns(patterns, presence) };
}

/**
 * A precondition refusing a pattern over the limit at plan, for patterns only Terraform knows (literal
 * ones are checked at synth). The split keeps any number of clusters within it; only what is not a
 * cluster (an ignore list) can still pass it.
 */
export function patternSizePrecondition(pattern: string, rule: string, hint: string): { condition: IResolvable; errorMessage: string } {
  return {
    condition: hcl`length(${pattern}) <= ${EVENT_PATTERN_MAX_CHARS}`,
    errorMessage: `The event pattern of rule ${rule} is longer than EventBridge's ${EVENT_PATTERN_MAX_CHARS} characters (quota "Event pattern size"): ${hint}.`,
  };
}

/** Props of {@link addLaterRules}. */
export interface LaterRulesProps {
  /** The name of rule "0"; the others are `<name>-<key>`. */
  readonly name: string;
  /** Their description. */
  readonly description: string;
  /** Their patterns by key (SplitPatterns.later). */
  readonly later: Record<string, string> | IResolvable;
  /** What to do when a pattern is too long, for the precondition (patterns only Terraform knows). */
  readonly hint: string;
  /** The bus the rules are on (the hub's bus); unset: the default bus. @default the default bus */
  readonly eventBusName?: string;
}

/** The rules "1", "2", ... of a split rule, as one `for_each` block `<id>-more` in `scope`, and their iterator. */
export function addLaterRules(scope: Construct, id: string, props: LaterRulesProps): { rules: CloudwatchEventRule; each: MapTerraformIterator } {
  const each = TerraformIterator.fromMap(props.later as Record<string, string>);
  const pattern = Token.asString(each.value);
  const rules = new CloudwatchEventRule(scope, `${id}-more`, {
    forEach: each,
    name: `${props.name}-${each.key}`,
    description: props.description,
    eventBusName: props.eventBusName,
    eventPattern: pattern,
  });
  if (Token.isUnresolved(props.later)) rules.lifecycle = { precondition: [patternSizePrecondition(pattern, `${props.name}-${each.key}`, props.hint)] };
  return { rules, each };
}
