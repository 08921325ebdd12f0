// Which rules an event meets on its way to the starter, as EventBridge would route it across a hub
// and its spokes: an event is seen on the default bus of the account and region it happened in
// (a rule sees the events of its own region only, EventBridge User Guide, "Sending and receiving
// Amazon EventBridge events between AWS Regions"). In the hub's place that is the pipeline's own
// rules; in a spoke's place, the spoke's forwarding rules put it on the hub bus, whose resource
// policy decides whether the sender's account may (refused: the event is dropped, the spoke's
// FailedInvocations counts it), and whose rules, matching the sender's account and region (kept by
// the forwarding, "Sending and receiving events between AWS accounts"), start the execution.
import { matchesEventPattern } from "../event-pattern/event-pattern-matcher";
import { resourcePolicyAllows } from "../local-aws/iam-policy";
import type { SynthesizedPipeline } from "../synthesized/synthesized-pipeline";

/** Whether the event reached the starter, and by which way (for the timeline). */
export interface Route {
  readonly matched: boolean;
  readonly via: string;
}

const matchesAny = (patterns: readonly Record<string, unknown>[], event: unknown) => patterns.some((p) => matchesEventPattern(p, event));

/**
 * Routes one event. `putOnHubBusBy`: the event was put straight on the hub bus by that account (a
 * forwarding rule of an account the hub did not deploy a spoke in, say), not seen on a default bus.
 */
export function routeEvent(pipeline: SynthesizedPipeline, event: unknown, putOnHubBusBy?: string): Route {
  const e = event as { account?: unknown; region?: unknown; "detail-type"?: unknown };
  const isTaskEvent = e["detail-type"] === "ECS Task State Change";
  const homePatterns = isTaskEvent ? pipeline.taskFailurePatterns : pipeline.eventPatterns;
  const hub = pipeline.hub;
  // No hub: the one pipeline sees every event it is given (what the drill always did).
  if (hub === undefined) return { matched: matchesAny(homePatterns, event), via: "rule" };

  const viaHubBus = (sender: string, forwardRoleArn: string, from: string, organizationId?: string): Route => {
    const caller = { arns: [forwardRoleArn], account: sender, ...(organizationId !== undefined ? { organizationId } : {}) };
    if (!resourcePolicyAllows(hub.busPolicy, "events:PutEvents", caller)) {
      return { matched: false, via: `${from} -> hub bus: its policy refuses PutEvents from account ${sender}: dropped` };
    }
    const matched = matchesAny(hub.rulePatterns, event);
    return { matched, via: `${from} -> hub bus -> hub rules ${matched ? "matched" : "did not match"}` };
  };
  if (putOnHubBusBy !== undefined) return viaHubBus(putOnHubBusBy, `arn:aws:iam::${putOnHubBusBy}:role/forwarder`, `put on the hub bus by account ${putOnHubBusBy}`);

  const account = typeof e.account === "string" ? e.account : pipeline.account;
  const region = typeof e.region === "string" ? e.region : pipeline.region;
  if (account === pipeline.account && region === pipeline.region) return { matched: matchesAny(homePatterns, event), via: "rule" };
  const spoke = hub.spokes.find((s) => s.place.account === account && s.place.region === region);
  if (spoke === undefined) return { matched: false, via: `seen in ${account}/${region}, where no spoke is deployed: nothing forwards it` };
  if (!matchesAny(isTaskEvent ? spoke.taskPatterns : spoke.launchPatterns, event)) {
    return { matched: false, via: `spoke ${account}/${region}: its forwarding rules did not match` };
  }
  return viaHubBus(account, spoke.forwardRoleArn, `spoke ${account}/${region} forwarding rule`, spoke.organizationId);
}
