// Tests of lambda/notifier/core/digest.ts: the storm threshold and the digest's content within Block Kit's limits.
import fc from "fast-check";
import { folds, formatDigest, MAX_BLOCKS, windowKey } from "../../../lambda/notifier/core/digest";
import type { Notice, NoticeKind } from "../../../lambda/shared/contract";

const EXECUTION = (i: number) => `arn:aws:states:ap-northeast-1:123456789012:execution:ecs-rerun:ct-${i}`;

function notice(i: number, kind: NoticeKind, over: Partial<Notice> = {}): Notice {
  return {
    kind,
    source: "cloudtrail",
    failureType: "rejected",
    cluster: `arn:aws:ecs:ap-northeast-1:123456789012:cluster/batch-${i % 3}`,
    clusterName: `batch-${i % 3}`,
    taskDefinition: `arn:aws:ecs:ap-northeast-1:123456789012:task-definition/job-${i}:1`,
    action: "RunTask",
    reasons: kind === "recovered" ? [] : ["AGENT"],
    firstReasons: ["AGENT"],
    attempt: 1,
    maxAttempts: 3,
    requested: 1,
    placed: kind === "recovered" ? 1 : 0,
    remaining: kind === "recovered" ? 0 : 1,
    eventId: `event-${i}`,
    executionArn: EXECUTION(i),
    region: "ap-northeast-1",
    account: "123456789012",
    eventTime: new Date(Date.parse("2026-01-01T03:00:00Z") + i * 1000).toISOString(),
    taskArns: [],
    ...over,
  };
}

const OPTIONS = { region: "ap-northeast-1", fromMs: Date.parse("2026-01-01T03:00:00Z"), toMs: Date.parse("2026-01-01T03:01:00Z") };
const text = (blocks: unknown[]) => JSON.stringify(blocks);

describe("the storm threshold", () => {
  it("posts the first N of a minute and folds the rest", () => {
    expect(folds(20, 20)).toBe(false);
    expect(folds(21, 20)).toBe(true);
  });

  it("counts per whole minute", () => {
    const t = Date.parse("2026-01-01T03:00:59.999Z");
    expect(windowKey(t)).toBe(windowKey(Date.parse("2026-01-01T03:00:00Z")));
    expect(windowKey(t + 1)).not.toBe(windowKey(t));
  });
});

describe("formatDigest", () => {
  it("counts by outcome, cluster and reason, and names the oldest open failure", () => {
    const notices = [notice(1, "recovered"), notice(2, "recovered"), notice(3, "still_trying"), notice(4, "gave_up", { reasons: ["RESOURCE:MEMORY"], firstReasons: ["RESOURCE:MEMORY"] })];
    const d = formatDigest(notices, OPTIONS);
    expect(d.text).toMatch(/^ecs-rerun storm digest: 4 notices \(recovered: 2, gave up: 1, still trying: 1\)/);
    const fields = (d.blocks.find((b) => b.type === "section" && "fields" in b && b.fields) as { fields: { text: string }[] }).fields.map((f) => f.text);
    expect(fields[0]).toContain("recovered: 2");
    expect(fields[1]).toContain("batch-1 (123456789012 / ap-northeast-1): 2");
    expect(fields[2]).toContain("AGENT: 3");
    expect(fields[2]).toContain("RESOURCE:MEMORY: 1");
    expect(text(d.blocks)).toContain("*Oldest open failure* (of 1 still open): `job-3:1 on batch-0`");
    expect(text(d.blocks)).toContain("*Needing a human: 1*");
    expect(text(d.blocks)).toContain("gave up: `job-4:1 on batch-1`");
    // The console link: the state machine's executions.
    expect(text(d.blocks)).toContain("states/home?region=ap-northeast-1#/statemachines/view/arn:aws:states:ap-northeast-1:123456789012:stateMachine:ecs-rerun");
  });

  it("says so when nothing is still open", () => {
    expect(text(formatDigest([notice(1, "recovered")], OPTIONS).blocks)).toContain("none of these is still open");
  });

  it("names problems up to Block Kit's 50 blocks, then says how many more, with a link", () => {
    const many = Array.from({ length: 3000 }, (_, i) => notice(i, i % 2 === 0 ? "needs_human" : "gave_up"));
    const d = formatDigest(many, OPTIONS);
    expect(d.blocks.length).toBeLessThanOrEqual(MAX_BLOCKS);
    const named = (text(d.blocks).match(/• :(x|raising_hand):/g) ?? []).length;
    expect(named).toBeGreaterThan(100);
    const more = /…and (\d+) more needing a human: <https:\/\/ap-northeast-1\.console\.aws\.amazon\.com\/states/.exec(text(d.blocks));
    expect(more).not.toBeNull();
    // Every problem is named or counted in "and N more", none twice.
    expect(named + Number(more![1])).toBe(3000);
  });

  it("property: within Slack's limits, and every notice counted once, whatever the mix", () => {
    const kinds: NoticeKind[] = ["recovered", "still_trying", "gave_up", "needs_human", "not_retryable", "program_failed", "detected", "retrying"];
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...kinds), { minLength: 1, maxLength: 600 }), (list) => {
        const d = formatDigest(list.map((k, i) => notice(i, k)), OPTIONS);
        expect(d.blocks.length).toBeLessThanOrEqual(MAX_BLOCKS);
        for (const b of d.blocks) {
          if (b.type === "section" && b.text) expect(b.text.text.length).toBeLessThanOrEqual(3000);
          if (b.type === "header") expect(b.text.text.length).toBeLessThanOrEqual(150);
        }
        expect(d.text.startsWith(`ecs-rerun storm digest: ${list.length} notices`)).toBe(true);
        const problems = list.filter((k) => ["gave_up", "needs_human", "not_retryable", "program_failed"].includes(k)).length;
        const named = (text(d.blocks).match(/\\n• |"• /g) ?? []).length;
        const more = Number(/…and (\d+) more/.exec(text(d.blocks))?.[1] ?? 0);
        expect(named + more).toBe(problems);
      }),
      { numRuns: 60 },
    );
  });
});
