// The pipeline's detection: EventBridge rules on rejected launches and on tasks that failed, each
// sending to the starter Lambda, which starts one named execution per failure. Created in the
// pipeline's own scope.
import type { Construct } from "constructs";
import { Fn, TerraformIterator, Token, type MapTerraformIterator } from "cdktf";
import { CloudwatchEventRule } from "@cdktf/provider-aws/lib/cloudwatch-event-rule";
import { CloudwatchEventTarget } from "@cdktf/provider-aws/lib/cloudwatch-event-target";
import { LambdaPermission } from "@cdktf/provider-aws/lib/lambda-permission";
import { hcl, holdsTokens } from "../hcl/hcl-expression";
import { allOf, anyOf, attributeOf, countOf, type Presence } from "../hcl/presence";
import { clusterMatcherTextsExpression, launchFailurePatternExpression, launchFailurePatterns } from "./launch-failure-pattern";
import type { AwsPlace } from "./pipeline-policies";
import { relaunchRoleArnPrefix } from "./relaunch-identity";
import { addLaterRules, patternSizePrecondition, splitPatterns } from "./split-rules";
import { clusterArnMatcherTextsExpression, taskStateFailurePatternExpression, taskStateFailurePatterns } from "./task-state-pattern";

/** Props of {@link addDetectionRules}. */
export interface DetectionRulesProps {
  /** Prefix of resource names. */
  readonly name: string;
  /** Whether the pipeline exists: `true`, or a Terraform bool expression. */
  readonly create: Presence;
  /** Protected clusters: short names or ARNs. */
  readonly clusters: readonly string[];
  /** `startedBy` values whose failed calls are not rerun. */
  readonly ignoreStartedBy: readonly string[];
  /** Catch tasks that stopped before starting. */
  readonly catchFailedToStart: Presence;
  /** Catch tasks that started and exited non-zero. */
  readonly reportProgramFailures: Presence;
  /** Account and partition, whose relaunch roles' calls are never caught. */
  readonly place: AwsPlace;
  /** ARN of the starter Lambda the rules invoke. */
  readonly starterFunctionArn: string;
  /** Its name, for the rules' invoke permissions. */
  readonly starterFunctionName: string;
  /** Where events that could not be delivered are parked. */
  readonly deadLetterQueueArn: string;
}

/** What {@link addDetectionRules} made. */
export interface DetectionRules {
  /** The rule catching rejected launches (rule "0" of its split). */
  readonly rule: CloudwatchEventRule;
  /** Its event pattern as data; undefined when Terraform computes it from expressions. */
  readonly eventPattern?: Record<string, unknown>;
  /** Every launch-failure rule's pattern as data, by key ("0", "1", ...); undefined when Terraform computes them. */
  readonly eventPatterns?: Record<string, Record<string, unknown>>;
  /** The launch-failure rules "1", "2", ... (one for_each block), when the pattern is split or Terraform decides. */
  readonly moreRules?: CloudwatchEventRule;
  /** The rule catching failed tasks, when enabled (or when Terraform expressions decide). */
  readonly taskStateRule?: CloudwatchEventRule;
  /** The task-failure rules "1", "2", ..., as for launch failures. */
  readonly moreTaskStateRules?: CloudwatchEventRule;
  /** ARN of every rule that exists, for the dead-letter queue's policy. */
  readonly ruleArns: string | string[];
}

const IGNORE_HINT = "shorten ignore_started_by";

/** Where a rule sends its events: the starter, its name for the invoke permission, the queue for what could not be delivered, and the rule's bus. */
export interface StarterTargetProps {
  /** ARN of the starter Lambda the rules invoke. */
  readonly starterFunctionArn: string;
  /** Its name, for the rules' invoke permissions. */
  readonly starterFunctionName: string;
  /** Where events that could not be delivered are parked. */
  readonly deadLetterQueueArn: string;
  /** The bus the rule is on (the hub's bus); unset: the default bus. @default the default bus */
  readonly eventBusName?: string;
}

/**
 * The rule's target: the starter, invoked asynchronously by EventBridge. EventBridge retries a failed
 * delivery for a day and then parks the event in the queue; the starter's own retries and on-failure
 * queue cover the rest. `rule` is one rule (with `count`), or a for_each block with its iterator.
 * The hub bus's rules (hub-bus.ts) send to the same starter in the same way.
 */
export function addStarterTarget(scope: Construct, id: string, count: number | undefined, rule: CloudwatchEventRule, props: StarterTargetProps, each?: MapTerraformIterator): void {
  const forEach = each ? TerraformIterator.fromResources(rule) : undefined;
  const ruleOf = (attribute: string) => (forEach ? Token.asString(forEach.getString(attribute)) : attributeOf(rule, attribute));
  new CloudwatchEventTarget(scope, `${id}-target`, {
    count,
    forEach,
    rule: ruleOf("name"),
    eventBusName: props.eventBusName,
    targetId: "rerun-starter",
    arn: props.starterFunctionArn,
    retryPolicy: { maximumRetryAttempts: 185, maximumEventAgeInSeconds: 86400 },
    deadLetterConfig: { arn: props.deadLetterQueueArn },
  });
  new LambdaPermission(scope, `${id}-invoke`, {
    count,
    forEach,
    statementId: forEach ? `InvokeFrom-${id}-${forEach.key}` : `InvokeFrom-${id}`,
    action: "lambda:InvokeFunction",
    functionName: props.starterFunctionName,
    principal: "events.amazonaws.com",
    sourceArn: ruleOf("arn"),
  });
}

/** ARNs of a for_each block of rules, as a Terraform list. */
export const arnsOf = (rules: CloudwatchEventRule): string[] => Token.asList(hcl`[for r in ${rules.fqn} : r.arn]`);

/** Adds the rules, their targets and invoke permissions to `scope` itself. */
export function addDetectionRules(scope: Construct, props: DetectionRulesProps): DetectionRules {
  const { name, create, ignoreStartedBy, catchFailedToStart, reportProgramFailures } = props;
  const base = countOf(create);
  const prefix = relaunchRoleArnPrefix(props.place);
  const launchInput = { clusters: props.clusters, ignoreStartedBy };
  const launch = splitPatterns(
    scope,
    "launch-failure",
    holdsTokens(launchInput)
      ? {
          matcherTexts: clusterMatcherTextsExpression(props.clusters),
          patternOf: (matchers) => launchFailurePatternExpression({ matchers, ignoreStartedBy, relaunchRoleArnPrefix: prefix }),
        }
      : { literal: launchFailurePatterns({ ...launchInput, relaunchRoleArnPrefix: prefix }) },
    create,
  );
  const ruleName = `${name}-launch-failures`;
  const description = "RunTask/StartTask calls on protected clusters that ECS answered with failures";
  const rule = new CloudwatchEventRule(scope, "launch-failures", { count: base, name: ruleName, description, eventPattern: launch.first });
  if (!launch.data) rule.lifecycle = { precondition: [patternSizePrecondition(launch.first, ruleName, IGNORE_HINT)] };
  addStarterTarget(scope, "launch-failures", base, rule, props);
  const ruleArns: string[] = [attributeOf(rule, "arn")];
  const later: string[][] = [];
  let moreRules: CloudwatchEventRule | undefined;
  if (launch.later) {
    const more = addLaterRules(scope, "launch-failures", { name: ruleName, description, later: launch.later, hint: IGNORE_HINT });
    moreRules = more.rules;
    addStarterTarget(scope, "launch-failures-more", undefined, more.rules, props, more.each);
    later.push(arnsOf(more.rules));
  }

  let taskStateRule: CloudwatchEventRule | undefined;
  let moreTaskStateRules: CloudwatchEventRule | undefined;
  const taskFailuresPresence = allOf(create, anyOf(catchFailedToStart, reportProgramFailures));
  if (taskFailuresPresence !== false) {
    const taskPatternInput = { clusters: props.clusters, ignoreStartedBy, catchFailedToStart, reportProgramFailures };
    const count = countOf(taskFailuresPresence);
    const tasks = splitPatterns(
      scope,
      "task-failure",
      holdsTokens(taskPatternInput)
        ? { matcherTexts: clusterArnMatcherTextsExpression(props.clusters), patternOf: (matchers) => taskStateFailurePatternExpression({ ...taskPatternInput, matchers }) }
        : { literal: taskStateFailurePatterns({ ...taskPatternInput, catchFailedToStart: catchFailedToStart === true, reportProgramFailures: reportProgramFailures === true }) },
      taskFailuresPresence,
    );
    // Accepted but never started, or started and failed: the same state machine takes both, after
    // the Lambda has normalized them into the one launch-failure record.
    const taskRuleName = `${name}-task-failures`;
    const taskDescription = "Tasks on protected clusters that stopped before starting, or exited non-zero";
    taskStateRule = new CloudwatchEventRule(scope, "task-failures", { count, name: taskRuleName, description: taskDescription, eventPattern: tasks.first });
    if (!tasks.data) taskStateRule.lifecycle = { precondition: [patternSizePrecondition(tasks.first, taskRuleName, IGNORE_HINT)] };
    addStarterTarget(scope, "task-failures", count, taskStateRule, props);
    // A rule switched off by Terraform has no ARN (null), which the policy must not name.
    ruleArns.push(attributeOf(taskStateRule, "arn"));
    if (tasks.later) {
      const more = addLaterRules(scope, "task-failures", { name: taskRuleName, description: taskDescription, later: tasks.later, hint: IGNORE_HINT });
      moreTaskStateRules = more.rules;
      addStarterTarget(scope, "task-failures-more", undefined, more.rules, props, more.each);
      later.push(arnsOf(more.rules));
    }
    if (taskFailuresPresence !== create) {
      const compacted = Token.asList(Fn.compact(ruleArns));
      ruleArns.splice(0, ruleArns.length, ...compacted);
    }
  }
  return {
    rule,
    eventPattern: launch.data?.["0"],
    eventPatterns: launch.data,
    moreRules,
    taskStateRule,
    moreTaskStateRules,
    ruleArns: later.length === 0 ? (ruleArns.length === 1 ? ruleArns[0] : ruleArns) : Token.asList(Fn.concat([ruleArns, ...later])),
  };
}
