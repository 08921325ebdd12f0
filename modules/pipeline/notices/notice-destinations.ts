/**
 * Always a destination: a pipeline whose notices and alarms reach no one (no Slack, no email, no
 * other subscription to its topic, no alarm action) is refused, unless its user says so
 * (`allowNoDestination`; module `allow_no_destination`; app `ECS_RERUN_ALLOW_NO_DESTINATION`). With
 * literal inputs the answer is known at synth: the construct refuses in a synth-time validation, which
 * also counts subscriptions a user adds to its topic elsewhere in the same stack. With Terraform
 * expressions (the module) only Terraform knows: a `check` block warns at every plan (Terraform 1.5,
 * "Checks", Terraform language documentation: a failed assertion is a warning, the plan goes on).
 * The spoke, which has no topic, needs an alarm action the same way.
 */
import { Construct } from "constructs";
import { DefaultTokenResolver, Op, StringConcat, TerraformStack, Token, Tokenization, type IResolvable } from "cdktf";
import { SnsTopicSubscription } from "@cdktf/provider-aws/lib/sns-topic-subscription";
import type { SnsTopic } from "@cdktf/provider-aws/lib/sns-topic";
import { hcl } from "../../hcl/hcl-expression";
import type { Presence } from "../../hcl/presence";

/** The inputs that give a pipeline's notices and alarms somewhere to go; each may be a Terraform expression. */
export interface DestinationInputs {
  /** Whether the construct creates anything (a module with create = false needs no destination). */
  readonly create: Presence;
  /** The Slack webhook parameter's name (unset: no Slack); absent for a spoke, which has no notifier. */
  readonly slackParameter?: string;
  /** Email addresses subscribed to the topic; absent for a spoke. */
  readonly emails?: readonly string[];
  /** Actions of the alarms besides the topic. */
  readonly alarmActions: readonly string[];
  /** Whether the alarms exist (alarm actions reach no one without them). */
  readonly alarms: Presence;
  /** The user's explicit "no destination is fine". */
  readonly allowNoDestination: Presence;
}

/** A condition, literal when every part is: true (somewhere to go, or silence allowed) or false. */
export type Verdict = boolean | IResolvable;

const or = (parts: readonly Verdict[]): Verdict => {
  if (parts.some((p) => p === true)) return true;
  const open = parts.filter((p): p is IResolvable => p !== false);
  if (open.length === 0) return false;
  return open.reduce((a, b) => Op.or(a, b) as IResolvable);
};
const and = (a: Verdict, b: Verdict): Verdict => (a === false || b === false ? false : a === true ? b : b === true ? a : (Op.and(a, b) as IResolvable));
const nonEmpty = (list: readonly string[] | undefined): Verdict => (list === undefined ? false : Token.isUnresolved(list) ? hcl`length(${list}) > 0` : list.length > 0);

/** Whether the notices reach someone (or may reach no one), as far as these inputs tell. */
export function destinationVerdict(inputs: DestinationInputs): Verdict {
  const slack: Verdict = inputs.slackParameter === undefined ? false : Token.isUnresolved(inputs.slackParameter) ? (Op.neq(inputs.slackParameter, Token.nullValue()) as IResolvable) : true;
  const reached = or([inputs.allowNoDestination, slack, nonEmpty(inputs.emails), and(inputs.alarms, nonEmpty(inputs.alarmActions))]);
  // Nothing created: nothing to reach anyone.
  return inputs.create === true ? reached : or([Op.not(inputs.create) as IResolvable, reached]);
}

/** What to add instead, when the verdict is false or unknown. */
export interface Refusal {
  /** The construct kind and its prop names, for the synth-time message. */
  readonly message: string;
  /** The module's words for the same, for the plan-time warning. */
  readonly moduleMessage: string;
}

/**
 * Applies the verdict to `scope`: nothing when it is true; a synth-time validation refusing the
 * construct when false (unless `topic` has a subscription in the same stack, made outside the
 * construct); a `check` block named `<id>_<what>` warning at plan when only Terraform knows.
 */
export function requireDestination(scope: Construct, verdict: Verdict, refusal: Refusal, topic?: SnsTopic): void {
  if (verdict === true) return;
  const stack = TerraformStack.of(scope);
  if (verdict === false) {
    scope.node.addValidation({
      validate: () => (topic !== undefined && subscribedInStack(stack, topic) ? [] : [refusal.message]),
    });
    return;
  }
  const name = `${scope.node.id.replace(/[^A-Za-z0-9]+/g, "_").toLowerCase()}_notices_reach_someone`;
  stack.addOverride(`check.${name}`, { assert: [{ condition: verdict, error_message: refusal.moduleMessage }] });
}

/** Whether some subscription in `stack` (the construct's own, or one its user added) names `topic`. */
export function subscribedInStack(stack: TerraformStack, topic: SnsTopic): boolean {
  // Two references to the topic's ARN are different tokens that resolve to the same `${aws_sns_topic.<id>.arn}`.
  const resolve = (value: unknown) => Tokenization.resolve(value, { scope: stack, resolver: new DefaultTokenResolver(new StringConcat()) }) as unknown;
  const target = resolve(topic.arn);
  return stack.node.findAll().some((c) => c instanceof SnsTopicSubscription && c.topicArnInput !== undefined && resolve(c.topicArnInput) === target);
}

/** What a pipeline whose notices reach no one is told: at synth (the construct's words) or at plan (the module's). */
export const PIPELINE_NO_DESTINATION: Refusal = {
  message:
    "EcsRerunPipeline: its notices and alarms would reach no one: no slackWebhookParameterName, no notificationEmails, no alarmActions (with createAlarms), and no subscription to its topic in this stack. " +
    "Give one of them (or subscribe pipeline.topic), or set allowNoDestination: true when the topic is subscribed elsewhere or silence is intended.",
  moduleMessage:
    "The notices and alarms of this ecs-rerun pipeline reach no one: set slack_webhook_parameter_name, notification_emails or alarm_actions (with create_alarms), or, when you subscribe its topic_arn yourself or want silence, allow_no_destination = true.",
};

/** What a spoke whose alarms reach no one is told. */
export const SPOKE_NO_DESTINATION: Refusal = {
  message:
    "EcsRerunSpoke: its alarms (failures it could not forward to the hub) would reach no one: it has no topic of its own, so give alarmActions (with createAlarms), or set allowNoDestination: true when silence is intended.",
  moduleMessage:
    "The alarms of this ecs-rerun spoke (failures it could not forward to the hub) reach no one: set alarm_actions (with create_alarms), e.g. an SNS topic of this account, or allow_no_destination = true.",
};
