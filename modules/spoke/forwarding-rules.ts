/**
 * The spoke's forwarding rules: on the default bus of the spoke's account and region, the pipeline's
 * own patterns (rejected launches on the spoke's clusters, minus every relaunch role's calls; tasks
 * that failed), split the same way over several rules when long, each sending to the hub bus with the
 * forwarding role, retries and a dead-letter queue. Created in the spoke's own scope.
 *
 * Why forward the precise patterns rather than all ECS events: a rule and the events it sees are in
 * one region and one account, so only here can the clusters be chosen; the hub then filters by
 * account and region alone, and nothing but failures crosses accounts.
 */
import type { Construct } from "constructs";
import { Fn, TerraformIterator, Token, type MapTerraformIterator } from "cdktf";
import { CloudwatchEventRule } from "@cdktf/provider-aws/lib/cloudwatch-event-rule";
import { CloudwatchEventTarget } from "@cdktf/provider-aws/lib/cloudwatch-event-target";
import { holdsTokens } from "../hcl/hcl-expression";
import { allOf, anyOf, attributeOf, countOf, type Presence } from "../hcl/presence";
import { arnsOf } from "../pipeline/detection-rules";
import { clusterMatcherTextsExpression, launchFailurePatternExpression, launchFailurePatterns } from "../pipeline/launch-failure-pattern";
import type { AwsPlace } from "../pipeline/pipeline-policies";
import { relaunchRoleArnPrefix } from "../pipeline/relaunch-identity";
import { addLaterRules, patternSizePrecondition, splitPatterns } from "../pipeline/split-rules";
import { clusterArnMatcherTextsExpression, taskStateFailurePatternExpression, taskStateFailurePatterns } from "../pipeline/task-state-pattern";

/** Props of {@link addForwardingRules}. */
export interface ForwardingRulesProps {
  /** Prefix of the rules' names. */
  readonly name: string;
  /** Whether the spoke exists. */
  readonly create: Presence;
  /** The spoke's protected clusters. */
  readonly clusters: readonly string[];
  /** `startedBy` values left alone. */
  readonly ignoreStartedBy: readonly string[];
  /** Forward tasks that stopped before starting. */
  readonly catchFailedToStart: Presence;
  /** Forward tasks that started and exited non-zero. */
  readonly reportProgramFailures: Presence;
  /** The spoke's place: its relaunch roles' calls are never forwarded. */
  readonly place: AwsPlace;
  /** The hub bus the rules send to. */
  readonly hubEventBusArn: string;
  /** The role EventBridge sends to it with. */
  readonly forwardRoleArn: string;
  /** Where events that could not be delivered are parked. */
  readonly deadLetterQueueArn: string;
}

/** One block of forwarding rules, for the alarms: rule "0" (count-switched) or a for_each block with its iterator. */
export interface ForwardingRuleBlock {
  /** The construct id of the block (`forward-launch-failures`, `forward-launch-failures-more`, ...). */
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

/** What {@link addForwardingRules} made. */
export interface ForwardingRules {
  /** The launch-failure rule "0". */
  readonly rule: CloudwatchEventRule;
  /** Launch-failure rules "1", "2", ... */
  readonly moreRules?: CloudwatchEventRule;
  /** Every launch-failure rule's pattern as data; undefined when Terraform computes them. */
  readonly eventPatterns?: Record<string, Record<string, unknown>>;
  /** The task-failure rule "0", when enabled (or Terraform decides). */
  readonly taskStateRule?: CloudwatchEventRule;
  /** Task-failure rules "1", "2", ... */
  readonly moreTaskStateRules?: CloudwatchEventRule;
  /** Every task-failure rule's pattern as data, when literal. */
  readonly taskStatePatterns?: Record<string, Record<string, unknown>>;
  /** Every block, for the alarms. */
  readonly blocks: readonly ForwardingRuleBlock[];
  /** ARN of every rule, for the dead-letter queue's policy. */
  readonly ruleArns: string | string[];
}

const IGNORE_HINT = "shorten ignore_started_by";

/** The rule's target: the hub bus, sent to with the forwarding role; retried for a day, then parked in the queue. */
function addHubTarget(scope: Construct, id: string, count: number | undefined, rule: CloudwatchEventRule, props: ForwardingRulesProps, each?: MapTerraformIterator): void {
  const forEach = each ? TerraformIterator.fromResources(rule) : undefined;
  new CloudwatchEventTarget(scope, `${id}-target`, {
    count,
    forEach,
    rule: forEach ? Token.asString(forEach.getString("name")) : attributeOf(rule, "name"),
    targetId: "hub-bus",
    arn: props.hubEventBusArn,
    // A bus in another account or region is a target only with a role (EventBridge User Guide,
    // "Sending and receiving events between AWS accounts").
    roleArn: props.forwardRoleArn,
    retryPolicy: { maximumRetryAttempts: 185, maximumEventAgeInSeconds: 86400 },
    deadLetterConfig: { arn: props.deadLetterQueueArn },
  });
}

/** Adds the forwarding rules and their targets to `scope` itself. */
export function addForwardingRules(scope: Construct, props: ForwardingRulesProps): ForwardingRules {
  const { name, create, ignoreStartedBy, catchFailedToStart, reportProgramFailures, clusters } = props;
  const base = countOf(create);
  const prefix = relaunchRoleArnPrefix(props.place);
  const blocks: ForwardingRuleBlock[] = [];
  const launchInput = { clusters, ignoreStartedBy };
  const launch = splitPatterns(
    scope,
    "launch-failure",
    holdsTokens(launchInput)
      ? { matcherTexts: clusterMatcherTextsExpression(clusters), patternOf: (matchers) => launchFailurePatternExpression({ matchers, ignoreStartedBy, relaunchRoleArnPrefix: prefix }) }
      : { literal: launchFailurePatterns({ ...launchInput, relaunchRoleArnPrefix: prefix }) },
    create,
  );
  const ruleName = `${name}-forward-launch-failures`;
  const description = "Rejected RunTask/StartTask calls on this spoke's protected clusters, forwarded to the hub";
  const rule = new CloudwatchEventRule(scope, "forward-launch-failures", { count: base, name: ruleName, description, eventPattern: launch.first });
  if (!launch.data) rule.lifecycle = { precondition: [patternSizePrecondition(launch.first, ruleName, IGNORE_HINT)] };
  addHubTarget(scope, "forward-launch-failures", base, rule, props);
  blocks.push({ id: "forward-launch-failures", rule, name: ruleName, presence: create });
  const ruleArns: string[] = [attributeOf(rule, "arn")];
  const later: string[][] = [];
  let moreRules: CloudwatchEventRule | undefined;
  if (launch.later) {
    const more = addLaterRules(scope, "forward-launch-failures", { name: ruleName, description, later: launch.later, hint: IGNORE_HINT });
    moreRules = more.rules;
    addHubTarget(scope, "forward-launch-failures-more", undefined, more.rules, props, more.each);
    blocks.push({ id: "forward-launch-failures-more", rule: more.rules, name: ruleName, presence: create, each: more.each });
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
    const taskRuleName = `${name}-forward-task-failures`;
    const taskDescription = "Tasks on this spoke's protected clusters that stopped before starting, or exited non-zero, forwarded to the hub";
    taskStateRule = new CloudwatchEventRule(scope, "forward-task-failures", { count, name: taskRuleName, description: taskDescription, eventPattern: tasks.first });
    if (!tasks.data) taskStateRule.lifecycle = { precondition: [patternSizePrecondition(tasks.first, taskRuleName, IGNORE_HINT)] };
    addHubTarget(scope, "forward-task-failures", count, taskStateRule, props);
    blocks.push({ id: "forward-task-failures", rule: taskStateRule, name: taskRuleName, presence: taskPresence });
    ruleArns.push(attributeOf(taskStateRule, "arn"));
    if (tasks.later) {
      const more = addLaterRules(scope, "forward-task-failures", { name: taskRuleName, description: taskDescription, later: tasks.later, hint: IGNORE_HINT });
      moreTaskStateRules = more.rules;
      addHubTarget(scope, "forward-task-failures-more", undefined, more.rules, props, more.each);
      blocks.push({ id: "forward-task-failures-more", rule: more.rules, name: taskRuleName, presence: taskPresence, each: more.each });
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
    ruleArns: later.length === 0 ? (ruleArns.length === 1 ? ruleArns[0] : ruleArns) : Token.asList(Fn.concat([ruleArns, ...later])),
  };
}
