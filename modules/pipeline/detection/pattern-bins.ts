/**
 * Keeps event patterns within EventBridge's size limit however many clusters are protected, by
 * spreading a pattern's cluster matchers over as many rules as it takes.
 *
 * The limit: "Event pattern size", 2,048 characters by default, adjustable (EventBridge User Guide,
 * "Amazon EventBridge quotas"; the AWS provider's aws_cloudwatch_event_rule documentation adds that
 * it can be raised to 4,096). A pattern grows with every protected cluster (a name, its ARN ending),
 * so one rule passes the default at a few dozen clusters. Several rules whose cluster lists together
 * hold every matcher match exactly the events one rule would: an event's cluster is one value, and a
 * rule matches it when one of its matchers does. A matcher is never in two rules, so an event
 * matches two rules only where two matchers fit one cluster value (a cluster given both by name and
 * by ARN); its two deliveries then name one execution, which the starter makes exactly one.
 *
 * The split is the same in TypeScript (literal clusters) and in Terraform (the module's variables),
 * so the module's tests can compare them rule by rule: matcher i, written as compact JSON of w_i - 1
 * characters, starts at s_i = sum of w_j for j < i, and goes to rule floor(s_i / B), where
 * B = 2048 - (length of the pattern with no matcher) - max(w_i). A rule's matchers then add less than
 * B + max(w_i) characters, so no rule passes the limit. Rules are keyed "0", "1", ...; keys may skip
 * a number when one matcher is longer than B, which for_each does not mind.
 */
import { Token, type IResolvable } from "cdktf";
import { hcl, raw, type RawHcl } from "../../hcl/hcl-expression";

/** EventBridge's default "Event pattern size" quota, in characters (EventBridge User Guide, "Amazon EventBridge quotas"). */
export const EVENT_PATTERN_MAX_CHARS = 2048;

/** Refuses a pattern over the limit, saying which rule, by how much, and what to do. */
export function checkPatternSize(rule: string, pattern: string, hint: string): void {
  if (pattern.length > EVENT_PATTERN_MAX_CHARS) {
    throw new Error(
      `the event pattern of rule ${rule} would be ${pattern.length} characters; EventBridge allows ${EVENT_PATTERN_MAX_CHARS} (quota "Event pattern size"): ${hint}`,
    );
  }
}

/** The key of the rule each matcher goes to, by the rule of this file, in the matchers' order. */
function binOf(texts: readonly string[], emptyLength: number): string[] {
  const widths = texts.map((t) => t.length + 1);
  const budget = Math.max(1, EVENT_PATTERN_MAX_CHARS - emptyLength - Math.max(0, ...widths));
  let start = 0;
  return widths.map((w) => {
    const key = String(Math.floor(start / budget));
    start += w;
    return key;
  });
}

/** What {@link binnedPatterns} builds and checks. */
export interface PatternBuilder {
  /** Builds the pattern of one rule from its matchers. */
  readonly patternOf: (matchers: unknown[]) => Record<string, unknown>;
  /** Builds the one to count characters on, when the real one holds Terraform values of another length. @default patternOf */
  readonly measure?: (matchers: unknown[]) => Record<string, unknown>;
  /** The rule's name in an error, e.g. "launch-failures". */
  readonly rule: string;
  /** What to do when even one matcher is too much, in an error. */
  readonly hint: string;
}

/**
 * The patterns of the rules that together hold every matcher, keyed "0", "1", ... in order, each
 * checked against the limit (only what is not a matcher can still pass it: a long ignore list).
 */
export function binnedPatterns(matchers: readonly unknown[], builder: PatternBuilder): Record<string, Record<string, unknown>> {
  const { patternOf, measure = patternOf } = builder;
  const texts = matchers.map((m) => JSON.stringify(m));
  const keys = binOf(texts, JSON.stringify(measure([])).length);
  const bins: Record<string, unknown[]> = {};
  matchers.forEach((m, i) => (bins[keys[i]] ??= []).push(m));
  return Object.fromEntries(
    Object.entries(bins).map(([key, ms]) => {
      checkPatternSize(key === "0" ? builder.rule : `${builder.rule}-${key}`, JSON.stringify(measure(ms)), builder.hint);
      return [key, patternOf(ms)];
    }),
  );
}

/**
 * The Terraform expression grouping the matchers by rule: a map from rule key to the JSON texts of
 * its matchers. `matchers` and `binSize` are references to locals (cdktf tokens): the matchers' JSON
 * texts, and {@link binSizeExpression} of them.
 */
export function binsExpression(matchers: unknown, binSize: unknown): IResolvable {
  return hcl`{
  for i, text in ${matchers} : tostring(floor(sum(concat([0], [for t in slice(${matchers}, 0, i) : length(t) + 1])) / ${binSize})) => text...
}`;
}

/**
 * The Terraform expression of a map from rule key to pattern, of `bins` ({@link binsExpression}, a
 * reference). `patternOf` writes the pattern (a `jsonencode` expression) of the HCL list expression
 * it is given.
 */
export function binnedPatternsExpression(bins: unknown, patternOf: (list: RawHcl) => IResolvable): IResolvable {
  return hcl`{
  for key, texts in ${bins} : key => ${patternOf(raw("[for t in texts : jsondecode(t)]"))}
}`;
}

/** B of the rule above, as a Terraform expression of the matchers' JSON texts (`matchers`, a reference) and the pattern of no matcher. */
export function binSizeExpression(matchers: unknown, patternOf: (list: RawHcl) => IResolvable): IResolvable {
  return hcl`max(1, ${EVENT_PATTERN_MAX_CHARS} - length(${patternOf(raw("[]"))}) - max(0, [for t in ${matchers} : length(t) + 1]...))`;
}

/** The map of `patterns` without rule "0" (the rule that always exists), and empty unless `presence` holds. */
export function laterPatterns(patterns: Record<string, string> | IResolvable, presence: boolean | IResolvable): Record<string, string> | IResolvable {
  if (!Token.isUnresolved(patterns) && presence === true) {
    return Object.fromEntries(Object.entries(patterns as Record<string, string>).filter(([key]) => key !== "0"));
  }
  if (presence === true) return hcl`{ for key, pattern in ${patterns} : key => pattern if key != "0" }`;
  return hcl`{ for key, pattern in ${patterns} : key => pattern if key != "0" && ${presence} }`;
}
