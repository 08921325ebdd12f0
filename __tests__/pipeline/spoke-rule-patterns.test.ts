/**
 * The hub's admission as pure functions (modules/pipeline/hub/spoke-rule-patterns.ts): which accounts and
 * regions the spoke clusters name, the hub rules' patterns, and the relaunch role ARNs. Patterns are
 * judged by the project's EventBridge matcher on forwarded events, whose account and region are the
 * sender's.
 */
import { matchesEventPattern } from "../../drill/event-pattern/event-pattern-matcher";
import { EVENT_PATTERN_MAX_CHARS } from "../../modules/pipeline/detection/pattern-bins";
import { spokeAccounts, spokeRegions, spokeRoleArnPattern, spokeRoleArnsOf, spokeRulePatterns } from "../../modules/pipeline/hub/spoke-rule-patterns";
import { loadEvent, AGENT_EVENT } from "../support/events";

const EU = "arn:aws:ecs:eu-west-1:222233334444:cluster/batch-ec2";
const US = "arn:aws:ecs:us-west-2:333344445555:cluster/reports";
const EU_AGAIN = "arn:aws:ecs:eu-west-1:222233334444:cluster/nightly";

/** A rejected launch as the hub bus receives it from a spoke: the sender's account and region. */
function forwarded(account: string, region: string): unknown {
  return { ...loadEvent(AGENT_EVENT), account, region };
}

/** Whether any of the patterns matches the event (the rules together). */
const anyMatches = (patterns: Record<string, Record<string, unknown>>, event: unknown) => Object.values(patterns).some((p) => matchesEventPattern(p, event));

describe("the admitted accounts and regions", () => {
  test("are the distinct accounts and regions of the spoke clusters, in first-seen order", () => {
    expect(spokeAccounts([EU, US, EU_AGAIN])).toEqual(["222233334444", "333344445555"]);
    expect(spokeRegions([EU, US, EU_AGAIN])).toEqual(["eu-west-1", "us-west-2"]);
  });
});

describe("the hub rules' patterns", () => {
  test("one rule admits ECS events of the listed accounts and regions, CloudTrail calls and task state changes", () => {
    expect(spokeRulePatterns({ spokeClusters: [EU, US, EU_AGAIN] })).toEqual({
      "0": {
        account: ["222233334444", "333344445555"],
        region: ["eu-west-1", "us-west-2"],
        source: ["aws.ecs"],
        "detail-type": ["AWS API Call via CloudTrail", "ECS Task State Change"],
      },
    });
  });

  test("a forwarded failure from an admitted account and region matches; another account, or another region, does not", () => {
    const patterns = spokeRulePatterns({ spokeClusters: [EU, US] });
    expect(anyMatches(patterns, forwarded("222233334444", "eu-west-1"))).toBe(true);
    expect(anyMatches(patterns, forwarded("333344445555", "us-west-2"))).toBe(true);
    expect(anyMatches(patterns, forwarded("999988887777", "eu-west-1"))).toBe(false);
    expect(anyMatches(patterns, forwarded("222233334444", "ap-south-1"))).toBe(false);
  });

  test("an organization without listed clusters gets one rule on source and detail type only (the bus policy keeps strangers out)", () => {
    expect(spokeRulePatterns({ spokeClusters: [] })).toEqual({ "0": { source: ["aws.ecs"], "detail-type": ["AWS API Call via CloudTrail", "ECS Task State Change"] } });
  });

  test("200 spoke clusters in 200 accounts are split over rules of at most 2,048 characters that together admit every account once", () => {
    const accounts = Array.from({ length: 200 }, (_, i) => String(100000000000 + i * 7919));
    const regions = ["eu-west-1", "us-east-2", "ap-southeast-2", "sa-east-1"];
    const clusters = accounts.map((a, i) => `arn:aws:ecs:${regions[i % regions.length]}:${a}:cluster/c-${i}`);
    const patterns = spokeRulePatterns({ spokeClusters: clusters });
    expect(Object.keys(patterns).length).toBeGreaterThan(1);
    for (const [key, p] of Object.entries(patterns)) {
      const length = JSON.stringify(p).length;
      expect({ key, length, fits: length <= EVENT_PATTERN_MAX_CHARS }).toEqual({ key, length, fits: true });
      expect(p.region).toEqual(regions);
    }
    const admitted = Object.values(patterns).flatMap((p) => p.account as string[]);
    expect([...admitted].sort()).toEqual([...accounts].sort());
    expect(anyMatches(patterns, forwarded(accounts[199], "ap-southeast-2"))).toBe(true);
    expect(anyMatches(patterns, forwarded("999988887777", "ap-southeast-2"))).toBe(false);
  });
});

describe("the spokes' relaunch role ARNs", () => {
  test("the Lambda's pattern has {account} and {region} placeholders in the plain role name under /ecs-rerun/", () => {
    expect(spokeRoleArnPattern("aws", "team-a")).toBe("arn:aws:iam::{account}:role/ecs-rerun/team-a-relaunch-{region}");
  });
  test("the rerun role may assume this name's relaunch role of any region in one account", () => {
    expect(spokeRoleArnsOf("aws-cn", "222233334444", "ecs-rerun")).toBe("arn:aws-cn:iam::222233334444:role/ecs-rerun/ecs-rerun-relaunch-*");
  });
});
