// The failure rules the pipeline's detection and a spoke's forwarding share: a rule on rejected
// launches and one on tasks that failed, each split over more rules when its pattern is long, each
// with a target the caller adds. The pipeline's rules send to the starter (detection-rules.ts), a
// spoke's to the hub bus (modules/spoke/forwarding-rules.ts); only ids, names, descriptions and the
// target differ. Created in the caller's own scope.
import type { Construct } from "constructs";
import { Fn, Token, type MapTerraformIterator } from "cdktf";
import { CloudwatchEventRule } from "@cdktf/provider-aws/lib/cloudwatch-event-rule";
import { hcl, holdsTokens } from "../../hcl/hcl-expression";
import { allOf, anyOf, attributeOf, countOf, type Presence } from "../../hcl/presence";
import { clusterMatcherTextsExpression, launchFailurePatternExpression, launchFailurePatterns } from "./launch-failure-pattern";
import type { AwsPlace } from "../iam/pipeline-policies";
import { relaunchRoleArnPrefix } from "../iam/relaunch-identity";
import { addLaterRules, patternSizePrecondition, splitPatterns } from "./split-rules";
import { clusterArnMatcherTextsExpression, taskStateFailurePatternExpression, taskStateFailurePatterns } from "./task-state-pattern";

/** One kind of rule: its construct id, which is also its name after `<name>-`, and its description. */
export interface FailureRuleKind {
  /** Construct id of rule "0"; its later rules' block is `<id>-more`. */
  readonly id: string;
  /** The rules' description. */
  readonly description: string;
}

/**
 * Adds a rule's target: `rule` is rule "0" (with `count`), or a for_each block with its iterator.
 * `id` is the rule's construct id, or the block's (`<id>-more`).
 */
export type AddFailureRuleTarget = (id: string, count: number | undefined, rule: CloudwatchEventRule, each?: MapTerraformIterator) => void;

/** What the caller protects: the props the pipeline's detection and a spoke's forwarding share. */
export interface FailureRuleInputs {
  /** Prefix of the rules' names. */
  readonly name: string;
  /** Whether the rules exist: `true`, or a Terraform bool expression. */
  readonly create: Presence;
  /** Protected clusters: short names or ARNs. */
  readonly clusters: readonly string[];
  /** `startedBy` values whose failed calls are left alone. */
  readonly ignoreStartedBy: readonly string[];
  /** Catch tasks that stopped before starting. */
  readonly catchFailedToStart: Presence;
  /** Catch tasks that started and exited non-zero. */
  readonly reportProgramFailures: Presence;
  /** Account and partition, whose relaunch roles' calls are never caught. */
  readonly place: AwsPlace;
}

/** Props of {@link addFailureRules}: the inputs, and the ids, descriptions and target that tell the callers apart. */
export interface FailureRulesProps extends FailureRuleInputs {
  /** The rules on rejected launches. */
  readonly launch: FailureRuleKind;
  /** The rules on failed tasks. */
  readonly task: FailureRuleKind;
  /** Adds each rule's (or block's) target. */
  readonly addTarget: AddFailureRuleTarget;
}

/** One block of rules, for alarms: rule "0" (count-switched) or a for_each block with its iterator. */
export interface FailureRuleBlock {
  /** The construct id of the block (`launch-failures`, `launch-failures-more`, ...). */
  readonly id: string;
  /** The rule or rules. */
  readonly rule: CloudwatchEventRule;
  /** Rule "0"'s name; the for_each block's are `<name>-<key>`. */
  readonly name: string;
  /** Whether rule "0" exists; a for_each block is empty when it does not. */
  readonly presence: Presence;
  /** Its iterator, for a for_each block. */
  readonly each?: MapTerraformIterator;
}

/** What {@link addFailureRules} made. */
export interface FailureRules {
  /** The launch-failure rule "0". */
  readonly rule: CloudwatchEventRule;
  /** Launch-failure rules "1", "2", ... (one for_each block), when the pattern is split or Terraform decides. */
  readonly moreRules?: CloudwatchEventRule;
  /** Every launch-failure rule's pattern as data, by key ("0", "1", ...); undefined when Terraform computes them. */
  readonly eventPatterns?: Record<string, Record<string, unknown>>;
  /** The task-failure rule "0", when enabled (or when Terraform expressions decide). */
  readonly taskStateRule?: CloudwatchEventRule;
  /** Task-failure rules "1", "2", ..., as for launch failures. */
  readonly moreTaskStateRules?: CloudwatchEventRule;
  /** Every task-failure rule's pattern as data, when literal. */
  readonly taskStatePatterns?: Record<string, Record<string, unknown>>;
  /** Every block, for alarms. */
  readonly blocks: readonly FailureRuleBlock[];
  /** ARN of every rule that exists, for the dead-letter queue's policy. */
  readonly ruleArns: string | string[];
}

const IGNORE_HINT = "shorten ignore_started_by";

/** ARNs of a for_each block of rules, as a Terraform list. */
export const arnsOf = (rules: CloudwatchEventRule): string[] => Token.asList(hcl`[for r in ${rules.fqn} : r.arn]`);

/**
 * Lists of rule ARNs joined into one Terraform list by `concat`; with `compact`, the nulls of rules
 * Terraform switched off (which a policy must not name) are dropped from the joined list.
 */
export function concatRuleArns(lists: readonly string[][], compact = false): string[] {
  const joined = Fn.concat([...lists]);
  return Token.asList(compact ? Fn.compact(Token.asList(joined)) : joined);
}

/** Adds the launch-failure and task-failure rules and their targets (through `addTarget`) to `scope` itself. */
export function addFailureRules(scope: Construct, props: FailureRulesProps): FailureRules {
  const { name, create, ignoreStartedBy, catchFailedToStart, reportProgramFailures, clusters, addTarget } = props;
  const base = countOf(create);
  const prefix = relaunchRoleArnPrefix(props.place);
  const blocks: FailureRuleBlock[] = [];
  const launchInput = { clusters, ignoreStartedBy };
  const launch = splitPatterns(
    scope,
    "launch-failure",
    holdsTokens(launchInput)
      ? { matcherTexts: clusterMatcherTextsExpression(clusters), patternOf: (matchers) => launchFailurePatternExpression({ matchers, ignoreStartedBy, relaunchRoleArnPrefix: prefix }) }
      : { literal: launchFailurePatterns({ ...launchInput, relaunchRoleArnPrefix: prefix }) },
    create,
  );
  const launchId = props.launch.id;
  const ruleName = `${name}-${launchId}`;
  const description = props.launch.description;
  const rule = new CloudwatchEventRule(scope, launchId, { count: base, name: ruleName, description, eventPattern: launch.first });
  if (!launch.data) rule.lifecycle = { precondition: [patternSizePrecondition(launch.first, ruleName, IGNORE_HINT)] };
  addTarget(launchId, base, rule);
  blocks.push({ id: launchId, rule, name: ruleName, presence: create });
  const ruleArns: string[] = [attributeOf(rule, "arn")];
  const later: string[][] = [];
  let moreRules: CloudwatchEventRule | undefined;
  if (launch.later) {
    const more = addLaterRules(scope, launchId, { name: ruleName, description, later: launch.later, hint: IGNORE_HINT });
    moreRules = more.rules;
    addTarget(`${launchId}-more`, undefined, more.rules, more.each);
    blocks.push({ id: `${launchId}-more`, rule: more.rules, name: ruleName, presence: create, each: more.each });
    later.push(arnsOf(more.rules));
  }

  let taskStateRule: CloudwatchEventRule | undefined;
  let moreTaskStateRules: CloudwatchEventRule | undefined;
  let taskStatePatterns: Record<string, Record<string, unknown>> | undefined;
  const taskPresence = allOf(create, anyOf(catchFailedToStart, reportProgramFailures));
  if (taskPresence !== false) {
    const taskInput = { clusters, ignoreStartedBy, catchFailedToStart, reportProgramFailures };
    const count = countOf(taskPresence);
    const tasks = splitPatterns(
      scope,
      "task-failure",
      holdsTokens(taskInput)
        ? { matcherTexts: clusterArnMatcherTextsExpression(clusters), patternOf: (matchers) => taskStateFailurePatternExpression({ ...taskInput, matchers }) }
        : { literal: taskStateFailurePatterns({ ...taskInput, catchFailedToStart: catchFailedToStart === true, reportProgramFailures: reportProgramFailures === true }) },
      taskPresence,
    );
    taskStatePatterns = tasks.data;
    // Accepted but never started, or started and failed: the pipeline takes both, after the Lambda
    // has normalized them into the one launch-failure record.
    const taskId = props.task.id;
    const taskRuleName = `${name}-${taskId}`;
    const taskDescription = props.task.description;
    taskStateRule = new CloudwatchEventRule(scope, taskId, { count, name: taskRuleName, description: taskDescription, eventPattern: tasks.first });
    if (!tasks.data) taskStateRule.lifecycle = { precondition: [patternSizePrecondition(tasks.first, taskRuleName, IGNORE_HINT)] };
    addTarget(taskId, count, taskStateRule);
    blocks.push({ id: taskId, rule: taskStateRule, name: taskRuleName, presence: taskPresence });
    ruleArns.push(attributeOf(taskStateRule, "arn"));
    if (tasks.later) {
      const more = addLaterRules(scope, taskId, { name: taskRuleName, description: taskDescription, later: tasks.later, hint: IGNORE_HINT });
      moreTaskStateRules = more.rules;
      addTarget(`${taskId}-more`, undefined, more.rules, more.each);
      blocks.push({ id: `${taskId}-more`, rule: more.rules, name: taskRuleName, presence: taskPresence, each: more.each });
      later.push(arnsOf(more.rules));
    }
    if (taskPresence !== create) {
      // A rule switched off by Terraform has no ARN (null), which the policy must not name.
      const compacted = Token.asList(Fn.compact(ruleArns));
      ruleArns.splice(0, ruleArns.length, ...compacted);
    }
  }
  return {
    rule,
    moreRules,
    eventPatterns: launch.data,
    taskStateRule,
    moreTaskStateRules,
    taskStatePatterns,
    blocks,
    ruleArns: later.length === 0 ? (ruleArns.length === 1 ? ruleArns[0] : ruleArns) : concatRuleArns([ruleArns, ...later]),
  };
}
