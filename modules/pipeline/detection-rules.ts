// The pipeline's detection: EventBridge rules on rejected launches and on tasks that failed, each
// sending to the starter Lambda, which starts one named execution per failure. Created in the
// pipeline's own scope.
import type { Construct } from "constructs";
import { Fn, TerraformLocal, Token } from "cdktf";
import { CloudwatchEventRule } from "@cdktf/provider-aws/lib/cloudwatch-event-rule";
import { CloudwatchEventTarget } from "@cdktf/provider-aws/lib/cloudwatch-event-target";
import { LambdaPermission } from "@cdktf/provider-aws/lib/lambda-permission";
import { holdsTokens } from "../hcl/hcl-expression";
import { allOf, anyOf, attributeOf, countOf, type Presence } from "../hcl/presence";
import { launchFailurePattern, launchFailurePatternExpression } from "./launch-failure-pattern";
import { taskStateFailurePattern, taskStateFailurePatternExpression } from "./task-state-pattern";

/** Props of {@link addDetectionRules}. */
export interface DetectionRulesProps {
  /** Prefix of resource names; `<name>-rerun` is the role whose own calls are ignored. */
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
  /** ARN of the starter Lambda the rules invoke. */
  readonly starterFunctionArn: string;
  /** Its name, for the rules' invoke permissions. */
  readonly starterFunctionName: string;
  /** Where events that could not be delivered are parked. */
  readonly deadLetterQueueArn: string;
}

/** What {@link addDetectionRules} made. */
export interface DetectionRules {
  /** The rule catching rejected launches. */
  readonly rule: CloudwatchEventRule;
  /** Its event pattern as data; undefined when Terraform computes it from expressions. */
  readonly eventPattern?: Record<string, unknown>;
  /** The rule catching failed tasks, when enabled (or when Terraform expressions decide). */
  readonly taskStateRule?: CloudwatchEventRule;
  /** ARN of every rule that exists, for the dead-letter queue's policy. */
  readonly ruleArns: string | string[];
}

/**
 * The rule's target: the starter, invoked asynchronously by EventBridge. EventBridge retries a failed
 * delivery for a day and then parks the event in the queue; the starter's own retries and on-failure
 * queue cover the rest.
 */
function addStarterTarget(scope: Construct, id: string, count: number | undefined, rule: CloudwatchEventRule, props: DetectionRulesProps): void {
  new CloudwatchEventTarget(scope, `${id}-target`, {
    count,
    rule: attributeOf(rule, "name"),
    targetId: "rerun-starter",
    arn: props.starterFunctionArn,
    retryPolicy: { maximumRetryAttempts: 185, maximumEventAgeInSeconds: 86400 },
    deadLetterConfig: { arn: props.deadLetterQueueArn },
  });
  new LambdaPermission(scope, `${id}-invoke`, {
    count,
    statementId: `InvokeFrom-${id}`,
    action: "lambda:InvokeFunction",
    functionName: props.starterFunctionName,
    principal: "events.amazonaws.com",
    sourceArn: attributeOf(rule, "arn"),
  });
}

/** Adds the rules, their targets and invoke permissions to `scope` itself. */
export function addDetectionRules(scope: Construct, props: DetectionRulesProps): DetectionRules {
  const { name, create, ignoreStartedBy, catchFailedToStart, reportProgramFailures } = props;
  const base = countOf(create);
  const patternInput = { clusters: props.clusters, ignoreStartedBy, rerunRoleName: `${name}-rerun` };
  let eventPattern: string;
  let eventPatternData: Record<string, unknown> | undefined;
  if (holdsTokens(patternInput)) {
    eventPattern = new TerraformLocal(scope, "launch-failure-pattern", launchFailurePatternExpression(patternInput)).asString;
  } else {
    eventPatternData = launchFailurePattern(patternInput);
    eventPattern = JSON.stringify(eventPatternData);
  }
  const rule = new CloudwatchEventRule(scope, "launch-failures", {
    count: base,
    name: `${name}-launch-failures`,
    description: "RunTask/StartTask calls on protected clusters that ECS answered with failures",
    eventPattern,
  });
  const ruleArn = attributeOf(rule, "arn");
  addStarterTarget(scope, "launch-failures", base, rule, props);
  let ruleArns: string | string[] = ruleArn;
  let taskStateRule: CloudwatchEventRule | undefined;
  const taskFailuresPresence = allOf(create, anyOf(catchFailedToStart, reportProgramFailures));
  if (taskFailuresPresence !== false) {
    const taskPatternInput = { clusters: props.clusters, ignoreStartedBy, catchFailedToStart, reportProgramFailures };
    const count = countOf(taskFailuresPresence);
    // Accepted but never started, or started and failed: the same state machine takes both, after
    // the Lambda has normalized them into the one launch-failure record.
    taskStateRule = new CloudwatchEventRule(scope, "task-failures", {
      count,
      name: `${name}-task-failures`,
      description: "Tasks on protected clusters that stopped before starting, or exited non-zero",
      eventPattern: holdsTokens(taskPatternInput)
        ? new TerraformLocal(scope, "task-failure-pattern", taskStateFailurePatternExpression(taskPatternInput)).asString
        : JSON.stringify(taskStateFailurePattern({ ...taskPatternInput, catchFailedToStart: catchFailedToStart === true, reportProgramFailures: reportProgramFailures === true })),
    });
    addStarterTarget(scope, "task-failures", count, taskStateRule, props);
    const taskRuleArn = attributeOf(taskStateRule, "arn");
    // A rule switched off by Terraform has no ARN (null), which the policy must not name.
    ruleArns = taskFailuresPresence === create ? [ruleArn, taskRuleArn] : Token.asList(Fn.compact([ruleArn, taskRuleArn]));
  }
  return { rule, eventPattern: eventPatternData, taskStateRule, ruleArns };
}
