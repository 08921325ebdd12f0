// The pipeline's detection: EventBridge rules on rejected launches and on tasks that failed, each
// sending to the rerun state machine through one role. Created in the pipeline's own scope.
import type { Construct } from "constructs";
import { Fn, TerraformLocal, Token } from "cdktf";
import { CloudwatchEventRule } from "@cdktf/provider-aws/lib/cloudwatch-event-rule";
import { CloudwatchEventTarget } from "@cdktf/provider-aws/lib/cloudwatch-event-target";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { holdsTokens } from "../hcl/hcl-expression";
import { allOf, anyOf, attributeOf, countOf, type Presence } from "../hcl/presence";
import { assumeRolePolicy, policyDocument, type DocumentEncoding } from "../iam";
import { launchFailurePattern, launchFailurePatternExpression } from "./launch-failure-pattern";
import { startExecutionStatements, type AwsPlace } from "./pipeline-policies";
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
  /** Account, region and partition (for the events role's trust). */
  readonly place: AwsPlace;
  /** How the policy document is written. */
  readonly encoding: DocumentEncoding;
  /** The state machine the rules start. */
  readonly stateMachineArn: string;
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

/** Adds the rules, their targets and the events role to `scope` itself. */
export function addDetectionRules(scope: Construct, props: DetectionRulesProps): DetectionRules {
  const { name, create, ignoreStartedBy, catchFailedToStart, reportProgramFailures, place, encoding, stateMachineArn } = props;
  const base = countOf(create);
  const dlqArn = props.deadLetterQueueArn;
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
  const eventsRole = new IamRole(scope, "events-role", {
    count: base,
    name: `${name}-events`,
    assumeRolePolicy: assumeRolePolicy("events.amazonaws.com", { sourceAccount: place.account }),
  });
  new IamRolePolicy(scope, "events-policy", {
    count: base,
    name: "start-rerun-executions",
    role: attributeOf(eventsRole, "id"),
    policy: policyDocument(startExecutionStatements(stateMachineArn), encoding),
  });
  new CloudwatchEventTarget(scope, "launch-failures-target", {
    count: base,
    rule: attributeOf(rule, "name"),
    targetId: "rerun-state-machine",
    arn: stateMachineArn,
    roleArn: attributeOf(eventsRole, "arn"),
    retryPolicy: { maximumRetryAttempts: 185, maximumEventAgeInSeconds: 86400 },
    deadLetterConfig: { arn: dlqArn },
  });
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
    new CloudwatchEventTarget(scope, "task-failures-target", {
      count,
      rule: attributeOf(taskStateRule, "name"),
      targetId: "rerun-state-machine",
      arn: stateMachineArn,
      roleArn: attributeOf(eventsRole, "arn"),
      retryPolicy: { maximumRetryAttempts: 185, maximumEventAgeInSeconds: 86400 },
      deadLetterConfig: { arn: dlqArn },
    });
    const taskRuleArn = attributeOf(taskStateRule, "arn");
    // A rule switched off by Terraform has no ARN (null), which the policy must not name.
    ruleArns = taskFailuresPresence === create ? [ruleArn, taskRuleArn] : Token.asList(Fn.compact([ruleArn, taskRuleArn]));
  }
  return { rule, eventPattern: eventPatternData, taskStateRule, ruleArns };
}
