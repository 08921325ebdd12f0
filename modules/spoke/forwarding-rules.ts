/**
 * The spoke's forwarding rules: on the default bus of the spoke's account and region, the pipeline's
 * own patterns (rejected launches on the spoke's clusters, minus every relaunch role's calls; tasks
 * that failed), split the same way over several rules when long, each sending to the hub bus with the
 * forwarding role, retries and a dead-letter queue. Created in the spoke's own scope; the rules are
 * the pipeline's own (modules/pipeline/detection/failure-rules.ts), only named, described and targeted here.
 *
 * Why forward the precise patterns rather than all ECS events: a rule and the events it sees are in
 * one region and one account, so only here can the clusters be chosen; the hub then filters by
 * account and region alone, and nothing but failures crosses accounts.
 */
import type { Construct } from "constructs";
import { TerraformIterator, Token, type MapTerraformIterator } from "cdktf";
import type { CloudwatchEventRule } from "@cdktf/provider-aws/lib/cloudwatch-event-rule";
import { CloudwatchEventTarget } from "@cdktf/provider-aws/lib/cloudwatch-event-target";
import { attributeOf } from "../hcl/presence";
import { addFailureRules, type FailureRuleBlock, type FailureRuleInputs, type FailureRules } from "../pipeline/detection/failure-rules";

/** Props of {@link addForwardingRules}. */
export interface ForwardingRulesProps extends FailureRuleInputs {
  /** The hub bus the rules send to. */
  readonly hubEventBusArn: string;
  /** The role EventBridge sends to it with. */
  readonly forwardRoleArn: string;
  /** Where events that could not be delivered are parked. */
  readonly deadLetterQueueArn: string;
}

/** One block of forwarding rules, for the alarms (`forward-launch-failures`, `forward-launch-failures-more`, ...). */
export type ForwardingRuleBlock = FailureRuleBlock;

/** What {@link addForwardingRules} made. */
export type ForwardingRules = FailureRules;

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
  return addFailureRules(scope, {
    ...props,
    launch: { id: "forward-launch-failures", description: "Rejected RunTask/StartTask calls on this spoke's protected clusters, forwarded to the hub" },
    task: { id: "forward-task-failures", description: "Tasks on this spoke's protected clusters that stopped before starting, or exited non-zero, forwarded to the hub" },
    addTarget: (id, count, rule, each) => addHubTarget(scope, id, count, rule, props, each),
  });
}
