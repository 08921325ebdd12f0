// npm run bench:storm [-- --events 1000 --burst 100 --refill 20 --seed 1]
// 1,000 rejected launches arrive at once (an agent fleet reconnecting at the top of the hour)
// against an ECS endpoint that throttles launch calls with a token bucket.
import "../drill/quiet";
import { parseArgs } from "node:util";
import { Drill } from "../drill/runner";
import { agentEvent } from "../drill/scenarios";

export interface StormFigures {
  events: number;
  recoveredPercent: number;
  duplicateLaunches: number;
  launchCalls: number;
  throttledCalls: number;
  simulatedSecondsToLastRecovery: number;
  stateTransitionsPerRecovery: number;
  wallSeconds: number;
}

/** Runs the storm and returns its figures. */
export async function runStorm(options: { events: number; burst: number; refillPerSecond: number; seed: number }): Promise<StormFigures> {
  const started = process.hrtime.bigint();
  const drill = await Drill.start({ ecs: ["AGENT", "ok"], throttle: { burst: options.burst, refillPerSecond: options.refillPerSecond }, seed: options.seed, timeline: false });
  try {
    const events = Array.from({ length: options.events }, (_, i) =>
      agentEvent((d) => {
        d.eventID = `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`;
        d.requestParameters.startedBy = `events-rule/job-${i}`;
      }),
    );
    const r = await drill.run(events);
    const originals = r.deliveries.filter((d) => d.origin === "delivered");
    const recovered = originals.filter((d) => d.outcome === "recovered");
    // Every event asked for one task: anything beyond one task per event is a duplicate launch.
    const tasksPerEvent = new Map<string, number>();
    for (const l of r.launchRequests) {
      if (l.answer !== "ok") continue;
      const startedBy = String(l.request.startedBy);
      tasksPerEvent.set(startedBy, (tasksPerEvent.get(startedBy) ?? 0) + Number(l.request.count ?? 1));
    }
    const duplicateLaunches = [...tasksPerEvent.values()].reduce((n, tasks) => n + Math.max(0, tasks - 1), 0) + Math.max(0, r.tasksStarted - options.events);
    return {
      events: options.events,
      recoveredPercent: (100 * recovered.length) / options.events,
      duplicateLaunches,
      launchCalls: r.launchRequests.length,
      throttledCalls: r.throttledCalls,
      simulatedSecondsToLastRecovery: Math.max(0, ...recovered.map((d) => d.endedAt ?? 0)),
      stateTransitionsPerRecovery: recovered.length === 0 ? NaN : recovered.reduce((n, d) => n + d.stateTransitions, 0) / recovered.length,
      wallSeconds: Number(process.hrtime.bigint() - started) / 1e9,
    };
  } finally {
    await drill.stop();
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      events: { type: "string", default: "1000" },
      burst: { type: "string", default: "100" },
      refill: { type: "string", default: "20" },
      seed: { type: "string", default: "1" },
    },
  });
  const f = await runStorm({ events: Number(values.events), burst: Number(values.burst), refillPerSecond: Number(values.refill), seed: Number(values.seed) });
  const goals = [
    ["recovered", `${f.recoveredPercent.toFixed(1)} %`, f.recoveredPercent === 100, "100 %"],
    ["duplicate launches", String(f.duplicateLaunches), f.duplicateLaunches === 0, "0"],
    ["launch calls", String(f.launchCalls), true, ""],
    ["throttled calls", String(f.throttledCalls), true, ""],
    ["simulated s until the last recovery", f.simulatedSecondsToLastRecovery.toFixed(0), true, ""],
    ["state transitions per recovered failure", f.stateTransitionsPerRecovery.toFixed(2), f.stateTransitionsPerRecovery <= 10, "<= 10"],
    ["wall seconds", f.wallSeconds.toFixed(1), f.wallSeconds < 30, "< 30"],
  ] as const;
  console.log(`storm: ${f.events} rejected launches at once, token bucket burst ${values.burst}, refill ${values.refill}/s, seed ${values.seed}`);
  for (const [name, value, ok, goal] of goals) console.log(`  ${name.padEnd(40)} ${value.padStart(8)}  ${goal ? `${ok ? "✔" : "✘"} goal ${goal}` : ""}`);
  if (goals.some(([, , ok]) => !ok)) process.exitCode = 1;
}

if (require.main === module) {
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
