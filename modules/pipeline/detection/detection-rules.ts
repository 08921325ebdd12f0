// The pipeline's detection: EventBridge rules on rejected launches and on tasks that failed, each
// sending to the starter Lambda, which starts one named execution per failure. Created in the
// pipeline's own scope; the rules themselves are the ones a spoke forwards with (failure-rules.ts).
import type { Construct } from "constructs";
import { TerraformIterator, Token, type MapTerraformIterator } from "cdktf";
import type { CloudwatchEventRule } from "@cdktf/provider-aws/lib/cloudwatch-event-rule";
import { CloudwatchEventTarget } from "@cdktf/provider-aws/lib/cloudwatch-event-target";
import { LambdaPermission } from "@cdktf/provider-aws/lib/lambda-permission";
import { attributeOf } from "../../hcl/presence";
import { addFailureRules, arnsOf, type FailureRuleInputs } from "./failure-rules";

/** Props of {@link addDetectionRules}. */
export interface DetectionRulesProps extends FailureRuleInputs {
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

export { arnsOf };

/** Adds the rules, their targets and invoke permissions to `scope` itself. */
export function addDetectionRules(scope: Construct, props: DetectionRulesProps): DetectionRules {
  const rules = addFailureRules(scope, {
    ...props,
    launch: { id: "launch-failures", description: "RunTask/StartTask calls on protected clusters that ECS answered with failures" },
    task: { id: "task-failures", description: "Tasks on protected clusters that stopped before starting, or exited non-zero" },
    addTarget: (id, count, rule, each) => addStarterTarget(scope, id, count, rule, props, each),
  });
  const { rule, eventPatterns, moreRules, taskStateRule, moreTaskStateRules, ruleArns } = rules;
  return { rule, eventPattern: eventPatterns?.["0"], eventPatterns, moreRules, taskStateRule, moreTaskStateRules, ruleArns };
}
