// Storms through the drill with the launch pacer: a small storm recovers at the shared rate without
// throttling anyone, a lone failure is not slowed down, and a broken pacer costs pacing, not reruns.
import { Drill } from "../../drill/runner";
import { agentEvent } from "../../drill/scenarios";
import { runStorm } from "../../scripts/bench-storm";

const START = Date.parse("2026-01-01T03:00:00Z");

describe("a storm through the drill", () => {
  test("200 rejected launches recover at the shared rate: one call each, nobody throttled, near N / R", async () => {
    // Bucket: burst 20, refill 4/s; pipeline paced at 3.2/s; the schedules call every second.
    const { figures: f } = await runStorm({ events: 200, burst: 20, refillPerSecond: 4, seed: 7 });
    expect(f).toMatchObject({ events: 200, recovered: 100, duplicates: 0, launchCalls: 200, throttled: 0, backgroundThrottled: 0, lowerBoundSeconds: 50 });
    expect(f.transitionsPerRecovery).toBeLessThanOrEqual(10);
    // 200 launches 1 / 3.2 s apart take 62.2 s, then the quick look at the last one (5 s).
    expect(f.simulatedSecondsToLastRecovery).toBeGreaterThanOrEqual(62);
    expect(f.simulatedSecondsToLastRecovery).toBeLessThanOrEqual(1.3 * 50 + 30);
  });

  test("the same storm unpaced fights the throttle: calls are throttled, and so are the schedules", async () => {
    const { figures: f } = await runStorm({ events: 200, burst: 20, refillPerSecond: 4, seed: 7, pace: false });
    expect(f).toMatchObject({ recovered: 100, duplicates: 0 });
    expect(f.throttled).toBeGreaterThan(0);
    expect(f.backgroundThrottled).toBeGreaterThan(0);
  });
});

describe("the pacer and a lone failure", () => {
  let drill: Drill;
  beforeAll(async () => {
    drill = await Drill.start({ ecs: ["AGENT", "ok"], timeline: false });
  });
  afterAll(() => drill.stop());
  beforeEach(() => drill.aws.reset());

  test("adds no delay: the rerun launches the moment its backoff ends, after one reservation (two writes)", async () => {
    const r = await drill.run([agentEvent()]);
    const d = r.deliveries.find((x) => x.origin === "delivered")!;
    expect(d.outcome).toBe("recovered");
    expect(d.waits).toHaveLength(1); // the backoff only: no "later" round
    const [launch] = drill.aws.requestsFor("RunTask");
    expect(launch.at - START).toBe(d.waits[0] * 1000);
    // The launch pacer's writes (the rerun role's); the notifier counts and paces its notice on its own table.
    expect(drill.aws.requestsFor("UpdateItem").filter((q) => (q.request as { TableName?: string }).TableName === drill.pipeline.launchPacer!.table).map((q) => q.answer)).toEqual(["error", "ok"]);
    expect(r.alarms).toEqual([]);
  });

  test("a pacer that keeps failing: every launch goes unpaced, throttling is retried, nothing is lost, and its alarm fires", async () => {
    const throttled = await Drill.start({ ecs: ["AGENT", "ok"], throttle: { burst: 3, refillPerSecond: 0.5 }, timeline: false });
    try {
      const events = Array.from({ length: 30 }, (_, i) =>
        agentEvent((detail) => {
          detail.eventID = `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`;
          detail.requestParameters.startedBy = `events-rule/job-${i}`;
        }),
      );
      const r = await throttled.run(events, { faults: { operations: { [`UpdateItem:${throttled.pipeline.launchPacer!.table}`]: Array.from({ length: 1000 }, () => "5xx" as const) } } });
      const delivered = r.deliveries.filter((x) => x.origin === "delivered");
      expect(delivered.map((x) => x.outcome)).toEqual(Array.from({ length: 30 }, () => "recovered"));
      expect(r.tasksStarted).toBe(30);
      expect(r.throttledCalls).toBeGreaterThan(0); // unpaced: the storm met the throttle, and got through it
      expect(delivered.every((x) => x.attempts === 1)).toBe(true); // no attempt spent on throttling
      expect(r.alarms).toEqual(["launchPacerFailures"]);
    } finally {
      await throttled.stop();
    }
  });
});
