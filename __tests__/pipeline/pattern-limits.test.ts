/**
 * Issue 14, item 3: event patterns stay within EventBridge's default "Event pattern size" quota of
 * 2,048 characters however many clusters are protected: a long cluster list is spread over several
 * rules. With 200 clusters every synthesized pattern fits, and the drill, running what was
 * synthesized, still catches a failure on cluster #200 and still ignores an unprotected cluster.
 */
import { randomUUID } from "node:crypto";
import { Testing, TerraformStack } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { DEMO_JOB } from "../../jobs";
import { matchesEventPattern } from "../../drill/event-pattern/event-pattern-matcher";
import { eventReport } from "../../drill/report";
import { Drill } from "../../drill/runner";
import { agentEvent, taskEvent } from "../../drill/scenarios";
import { deployed } from "../../drill/synthesized/synthesized-pipeline";
import { buildApp } from "../../modules/app";
import { EVENT_PATTERN_MAX_CHARS } from "../../modules/pipeline/detection/pattern-bins";
import { EcsRerunPipeline } from "../../modules/pipeline/rerun-pipeline";

type Resources = Record<string, Record<string, Record<string, unknown>>>;

const CLUSTERS = Array.from({ length: 200 }, (_, i) => `cluster-${String(i + 1).padStart(3, "0")}`);
const ARN = (name: string) => `arn:aws:ecs:ap-northeast-1:123456789012:cluster/${name}`;

/** Every event pattern of a synthesized stack, rule by rule (a for_each block's by key), as deployed in `partition`. */
function patternsOf(resources: Resources, partition = "aws"): { rule: string; text: string }[] {
  return Object.entries(resources.aws_cloudwatch_event_rule ?? {}).flatMap(([id, rule]) => {
    const texts = rule.for_each ? Object.entries(rule.for_each as Record<string, string>).map(([k, t]) => [`${id}[${k}]`, t]) : rule.event_pattern === undefined ? [] : [[id, rule.event_pattern as string]]; // a schedule (the reconciler's) has no pattern
    return texts.map(([name, text]) => ({ rule: name, text: deployed(text, "ap-northeast-1").replace(/arn:aws:iam::/g, `arn:${partition}:iam::`) }));
  });
}

describe("200 protected clusters (the ecs-rerun stack, with every job watched)", () => {
  const { rerun } = buildApp(Testing.app(), { ECS_RERUN_REGION: "ap-northeast-1", ECS_RERUN_PROTECTED_CLUSTERS: CLUSTERS.join(",") }, { jobs: [DEMO_JOB], demoJob: DEMO_JOB, settingsFile: { expectedRuns: [{ name: "print-date", family: "print-date", intervalSeconds: 86400 }] } });
  const resources = (JSON.parse(Testing.synth(rerun!)) as { resource: Resources }).resource;

  test("every synthesized event pattern is at most 2,048 characters, in the longest partition too", () => {
    for (const partition of ["aws", "aws-us-gov"]) {
      const patterns = patternsOf(resources, partition);
      for (const { rule, text } of patterns) expect({ rule, length: text.length, fits: text.length <= EVENT_PATTERN_MAX_CHARS }).toEqual({ rule, length: text.length, fits: true });
    }
  });

  test("the patterns are split over several rules of each kind, which together hold every cluster once", () => {
    const more = (id: string) => Object.keys((resources.aws_cloudwatch_event_rule[id]?.for_each ?? {}) as object).length;
    const ids = Object.keys(resources.aws_cloudwatch_event_rule);
    const launchMore = ids.find((id) => id.includes("launch-failures-more"))!;
    expect(more(launchMore)).toBeGreaterThan(1);
    expect(more(ids.find((id) => id.includes("task-failures-more"))!)).toBeGreaterThan(0);
    expect(more(ids.find((id) => id.includes("missed-runs_rule-more"))!)).toBeGreaterThan(0);
    const launch = patternsOf(resources).filter(({ rule }) => rule.includes("launch-failures"));
    const clusters = launch.flatMap(({ text }) => (JSON.parse(text) as { detail: { requestParameters: { cluster: unknown[] } } }).detail.requestParameters.cluster);
    expect(clusters.filter((c) => typeof c === "string").sort()).toEqual(CLUSTERS);
    expect(clusters).toHaveLength(2 * CLUSTERS.length);
    // Each later rule has its own target and invoke permission, and may park events in the queue.
    expect(Object.values(resources.aws_cloudwatch_event_target).filter((t) => t.for_each !== undefined)).toHaveLength(3);
    expect(Object.values(resources.aws_lambda_permission).filter((t) => t.for_each !== undefined)).toHaveLength(3); // the starter for both failure rules, the run counter for the successful-runs rules
    expect(String(Object.values(resources.aws_sqs_queue_policy)[0].policy)).toContain("[for r in aws_cloudwatch_event_rule.");
  });

  describe("the drill, running the synthesized rules", () => {
    let drill: Drill;
    beforeAll(async () => {
      drill = await Drill.start({ clusters: CLUSTERS, ecs: ["AGENT", "ok"] });
    });
    afterAll(() => drill.stop());
    /** The AGENT failure on `cluster`, a call of its own (one drill remembers the executions it named after earlier calls). */
    const failureOn = (cluster: string) =>
      agentEvent((d) => {
        d.requestParameters.cluster = cluster;
        d.eventID = randomUUID();
      });

    test("holds one launch-failure pattern per rule", () => {
      expect(drill.pipeline.eventPatterns.length).toBeGreaterThan(2);
      expect(drill.pipeline.taskFailurePatterns.length).toBeGreaterThan(1);
    });

    test.each([
      ["cluster #200 by name", "cluster-200"],
      ["cluster #200 by ARN", ARN("cluster-200")],
      ["cluster #1 by name", "cluster-001"],
    ])("a rejected launch on %s is caught and rerun", async (_what, cluster) => {
      const r = eventReport(await drill.run([failureOn(cluster)]));
      expect(r).toMatchObject({ matched: true, outcome: "recovered", tasksStarted: 1 });
      expect(r.launchRequests[0].request.cluster).toBe(cluster);
    });

    test("a rejected launch on an unprotected cluster is ignored, one whose name ends the same too", async () => {
      for (const cluster of ["cluster-201", ARN("my-cluster-200"), "batch-ec2"]) {
        const r = eventReport(await drill.run([failureOn(cluster)]));
        expect({ cluster, ...r }).toMatchObject({ cluster, matched: false, outcome: "ignored", tasksStarted: 0 });
      }
    });

    test("a task on cluster #200 that failed to start is caught; one on an unprotected cluster is not", () => {
      const on = (cluster: string) => {
        const e = taskEvent("TaskFailedToStart-RESOURCE-MEMORY");
        e.detail.clusterArn = ARN(cluster);
        return drill.pipeline.taskFailurePatterns.some((p) => matchesEventPattern(p, e));
      };
      expect([on("cluster-200"), on("cluster-201")]).toEqual([true, false]);
    });
  });
});

describe("synth refuses a pattern over the limit, saying which and why", () => {
  const synth = (ignoreStartedBy: string[]) => () => {
    const stack = new TerraformStack(Testing.app(), "s");
    new AwsProvider(stack, "aws", { region: "ap-northeast-1" });
    new EcsRerunPipeline(stack, "p", { clusters: ["batch-ec2"], ignoreStartedBy });
  };

  test("an ignore list no split can help", () => {
    const long = Array.from({ length: 60 }, (_, i) => `a-scheduler-with-a-rather-long-name-${i}`);
    expect(synth(long)).toThrow(/^the event pattern of rule launch-failures would be \d{4} characters; EventBridge allows 2048 \(quota "Event pattern size"\): shorten ignoreStartedBy \(module: ignore_started_by\)$/);
  });

  test("and accepts the longest list that fits", () => {
    expect(synth(Array.from({ length: 10 }, (_, i) => `scheduler-${i}`))).not.toThrow();
  });
});
