// Notices as a person gets them, judged on what the local Slack received: one message per failure,
// storms folded into digests that count every notice once, 429s respected, and a bot's thread.
import { Drill } from "../../drill/runner";
import { agentEvent } from "../../drill/scenarios";
import { noticesInPost } from "../../drill/slack/slack-tally";

const storm = (n: number) =>
  Array.from({ length: n }, (_, i) =>
    agentEvent((d) => {
      d.eventID = `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`;
      d.requestParameters.startedBy = `events-rule/job-${i}`;
    }),
  );

async function withDrill<T>(options: Parameters<typeof Drill.start>[0], body: (drill: Drill) => Promise<T>): Promise<T> {
  const drill = await Drill.start({ timeline: false, transport: "in-process", ...options });
  try {
    return await body(drill);
  } finally {
    await drill.stop();
  }
}

describe("a storm of notices", () => {
  test("folds into digests: every notice counted once in what Slack received, far fewer posts, at most one a second", async () => {
    await withDrill({ ecs: ["AGENT", "ok"] }, async (drill) => {
      const r = await drill.run(storm(80));
      expect(r.summary.delivered.recovered).toBe(80);
      const accounted = drill.slack.received.reduce((n, d) => n + noticesInPost(d), 0);
      expect(accounted).toBe(80);
      const digests = drill.slack.received.filter((d) => String((d.payload as { text?: string }).text).startsWith("ecs-rerun storm digest:"));
      expect(digests.length).toBeGreaterThan(0);
      expect(drill.slack.received.length).toBeLessThan(30);
      expect(drill.slack.peakPerSecond()).toBeLessThanOrEqual(1);
      // Nothing left behind: the digest queue is empty, nothing in the dead-letter queue, no alarm.
      expect(drill.aws.sqs.depth(drill.pipeline.noticeStorm!.queueUrl)).toBe(0);
      expect(r.deadLetters).toEqual([]);
      expect(r.alarms).toEqual([]);
    });
  });

  test("a post Slack rate-limits (429) is not lost: it is counted in the next digest", async () => {
    await withDrill({ ecs: ["AGENT", "ok"], slack: ["429", "ok"] }, async (drill) => {
      const r = await drill.run([agentEvent()]);
      expect(drill.slack.received.map((d) => d.answeredWith)).toEqual(["429", "ok"]);
      expect(drill.slack.received.reduce((n, d) => n + noticesInPost(d), 0)).toBe(1);
      expect(String((drill.slack.received[1].payload as { text: string }).text)).toMatch(/^ecs-rerun storm digest: 1 notices \(recovered: 1\)/);
      // Slack's Retry-After (1 s) and the next whole minute passed before the digest.
      expect(drill.slack.received[1].at - drill.slack.received[0].at).toBeGreaterThanOrEqual(1000);
      expect(r.deadLetters).toEqual([]);
      expect(r.alarms).toEqual([]);
    });
  });
});

describe("a Slack bot token: one message per failure, updated in place, its steps in its thread", () => {
  test("every-step: detected is posted, then updated to recovered, and recovered is replied in its thread", async () => {
    await withDrill({ ecs: ["AGENT", "ok"], slackBot: true, notify: "every-step" }, async (drill) => {
      await drill.run([agentEvent()]);
      expect(drill.slack.received.map((d) => [d.method, d.answeredWith])).toEqual([
        ["chat.postMessage", "ok"],
        ["chat.update", "ok"],
        ["chat.postMessage", "ok"],
      ]);
      const [root] = [...drill.slack.messages.values()];
      expect(root.channel).toBe("C0DRILL0001");
      expect(JSON.stringify(root.payload)).toContain("Recovered after 1 rerun");
      expect(root.updates).toBe(1);
      expect(root.replies).toHaveLength(1);
    });
  });

  test("outcomes: a failure still open past the threshold posts one still-trying message, and its recovery updates it", async () => {
    // Seed 5's jitter waits 21 s, then 47 s: the retry decided at 68 s is past the 60 s threshold.
    await withDrill({ ecs: ["AGENT", "AGENT", "AGENT", "ok"], slackBot: true, stillTryingAfterSeconds: 60, seed: 5 }, async (drill) => {
      const r = await drill.run([agentEvent()]);
      expect(r.deliveries[0].waits.slice(0, 2)).toEqual([21, 47]);
      expect(r.notices.map((n) => n.kind)).toEqual(["still_trying", "recovered"]);
      expect(drill.slack.received.map((d) => d.method)).toEqual(["chat.postMessage", "chat.update", "chat.postMessage"]);
      const [root] = [...drill.slack.messages.values()];
      expect(JSON.stringify(root.payload)).toMatch(/Recovered after 3 reruns/);
    });
  });
});
