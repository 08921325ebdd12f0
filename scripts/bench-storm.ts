// npm run bench:storm -- --events N [--burst B] [--refill R] [--rate L] [--background S] [--seed X] [--unpaced] [--notify MODE] [--json]
// A storm: N rejected launches at once (an agent fleet reconnecting at the top of the hour), rerun by
// the synthesized pipeline in the drill against an ECS endpoint whose launch calls share one token
// bucket (burst B, refill R per second) with a steady background of the schedules' own RunTask
// calls, one every S seconds. The pipeline is deployed with launches_per_second = L (default 0.8 R:
// what an operator leaves for the account's other callers), and the bench reports whether the storm
// recovered, how many calls and state transitions it took, how close to the physical bound N / R it
// finished, and whether the schedules were crowded out. --unpaced runs it as deployed with
// pace_launches = false, for comparison. The npm script gives Node a heap budget
// (--max-old-space-size=800 --max-semi-space-size=32): a 10,000 storm's live heap peaks near 270 MB,
// and without a budget V8 lets garbage reach 1.5 GB before it collects.
import "../drill/quiet";
import { parseArgs } from "node:util";
import { Drill } from "../drill/runner";
import { agentEvent } from "../drill/scenarios";
import { noticesInPost } from "../drill/slack/slack-tally";
import { NOTIFY_MODES, type NotifyMode } from "../lambda/shared/contract";

/** The JSON the bench prints with --json (the issue's fields, in its order). */
export interface StormFigures {
  readonly events: number;
  /** Per cent of the events whose execution recovered. */
  readonly recovered: number;
  /** Tasks started beyond one per event (ground truth: the local ECS's tasks). */
  readonly duplicates: number;
  /** RunTask/StartTask calls the pipeline made, answered or throttled. */
  readonly launchCalls: number;
  /** Of those, the ones ECS throttled. */
  readonly throttled: number;
  /** State transitions per recovered event, as Step Functions bills them. */
  readonly transitionsPerRecovery: number;
  readonly simulatedSecondsToLastRecovery: number;
  /** N / R: the fewest seconds N launches can take through a bucket refilling R per second. */
  readonly lowerBoundSeconds: number;
  /** The schedules' own RunTask calls that ECS throttled during the storm. */
  readonly backgroundThrottled: number;
  /** HTTP posts the local Slack received (ground truth: counted by the server, not the notifier). */
  readonly slackPosts: number;
  /** The most posts Slack received in any one second of simulated time. */
  readonly slackPostsPeakPerSecond: number;
  /** Notices the accepted posts tell of, read from their payloads (a failure's message 1, a digest its count). */
  readonly noticesAccountedFor: number;
  readonly wallSeconds: number;
}

export interface StormOptions {
  readonly events: number;
  readonly burst: number;
  readonly refillPerSecond: number;
  /** The pacer's rate (launches_per_second). @default 0.8 x refillPerSecond */
  readonly launchesPerSecond?: number;
  /** Seconds between two background calls of the schedules. @default 1 */
  readonly backgroundEverySeconds?: number;
  /** false: the pipeline as deployed with pace_launches = false, for comparison. @default true */
  readonly pace?: boolean;
  readonly seed: number;
  /** The pipeline's NOTIFY. @default the app's (outcomes) */
  readonly notify?: NotifyMode;
}

/** Job i's rejected launch: its own CloudTrail event ID and schedule. */
const STORM_ID = (i: number) => `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`;
const BACKGROUND_STARTED_BY = "events-rule/background-schedules";

/** Runs the storm and returns its figures, with what the human report adds. */
export async function runStorm(options: StormOptions): Promise<{ figures: StormFigures; launchesPerSecond: number; firstDelaySeconds: number; backgroundCalls: number }> {
  const started = process.hrtime.bigint();
  const launchesPerSecond = options.launchesPerSecond ?? 0.8 * options.refillPerSecond;
  // Only the summary is kept, and the clients reach the endpoints in-process: a storm of thousands
  // must measure the pipeline, not the drill's bookkeeping or its sockets.
  const drill = await Drill.start({
    ecs: ["AGENT", "ok"],
    throttle: { burst: options.burst, refillPerSecond: options.refillPerSecond },
    seed: options.seed,
    timeline: false,
    keep: "summary",
    transport: "in-process",
    launchesPerSecond,
    pace: options.pace,
    ...(options.notify ? { notify: options.notify } : {}),
  });
  // Read at the server, post by post: a storm keeps no payload.
  let accounted = 0;
  drill.slack.onPost = (delivery) => (accounted += noticesInPost(delivery));
  try {
    const template = agentEvent();
    // Made as they are delivered: the bench keeps no event, only the pipeline's executions do.
    function* storm() {
      for (let i = 0; i < options.events; i++) {
        const event = structuredClone(template);
        event.detail.eventID = STORM_ID(i);
        event.detail.requestParameters.startedBy = `events-rule/job-${i}`;
        yield event;
      }
    }
    const background = { ...structuredClone(template.detail.requestParameters), startedBy: BACKGROUND_STARTED_BY };
    const r = await drill.run(storm(), { background: { request: background, everySeconds: options.backgroundEverySeconds ?? 1 } });
    const rerunRole = drill.pipeline.rerunRoleName;
    const launches = (answer?: string, role?: string) => drill.aws.countOf("RunTask", answer, role) + drill.aws.countOf("StartTask", answer, role);
    // Ground truth: every task the local ECS placed for a storm job; more than one for a job is a duplicate.
    const tasksPerJob = new Map<string, number>();
    for (const t of drill.aws.launchedTasks()) {
      if (t.startedBy === undefined || t.startedBy === BACKGROUND_STARTED_BY) continue;
      tasksPerJob.set(t.startedBy, (tasksPerJob.get(t.startedBy) ?? 0) + 1);
    }
    const duplicates = [...tasksPerJob.values()].reduce((n, tasks) => n + tasks - 1, 0);
    const { recovered, stateTransitionsOfRecovered, lastRecoveredAt } = r.summary.delivered;
    const figures: StormFigures = {
      events: options.events,
      recovered: (100 * recovered) / options.events,
      duplicates,
      launchCalls: launches(undefined, rerunRole),
      throttled: launches("throttled", rerunRole),
      transitionsPerRecovery: recovered === 0 ? 0 : stateTransitionsOfRecovered / recovered,
      simulatedSecondsToLastRecovery: lastRecoveredAt,
      lowerBoundSeconds: options.events / options.refillPerSecond,
      backgroundThrottled: drill.aws.countOf("RunTask", "throttled", "batch-ec2-print-date-events"),
      slackPosts: [...drill.slack.postsBySecond.values()].reduce((a, b) => a + b, 0),
      slackPostsPeakPerSecond: drill.slack.peakPerSecond(),
      noticesAccountedFor: accounted,
      wallSeconds: Number(process.hrtime.bigint() - started) / 1e9,
    };
    return { figures, launchesPerSecond, firstDelaySeconds: Number(drill.pipeline.rerunEnvironment.FIRST_DELAY_SECONDS), backgroundCalls: drill.aws.countOf("RunTask", undefined, "batch-ec2-print-date-events") };
  } finally {
    await drill.stop();
  }
}

/** The issue's goals for a storm of `events`, and whether `f` meets each. */
export function goals(f: StormFigures, firstDelaySeconds: number): { name: string; value: string; goal: string; ok: boolean }[] {
  const deadline = 1.3 * f.lowerBoundSeconds + firstDelaySeconds;
  const wallGoal = Math.max(15, 0.012 * f.events);
  return [
    { name: "recovered", value: `${f.recovered.toFixed(1)} %`, goal: "100 %", ok: f.recovered === 100 },
    { name: "duplicate tasks", value: String(f.duplicates), goal: "0", ok: f.duplicates === 0 },
    { name: "launch calls per event", value: (f.launchCalls / f.events).toFixed(3), goal: "<= 1.2", ok: f.launchCalls / f.events <= 1.2 },
    { name: "state transitions per recovery", value: f.transitionsPerRecovery.toFixed(2), goal: "<= 10", ok: f.transitionsPerRecovery <= 10 },
    { name: "simulated s to the last recovery", value: f.simulatedSecondsToLastRecovery.toFixed(0), goal: `<= 1.3 x ${f.lowerBoundSeconds.toFixed(0)} + ${firstDelaySeconds} = ${deadline.toFixed(0)}`, ok: f.simulatedSecondsToLastRecovery <= deadline },
    { name: "schedules' calls throttled", value: String(f.backgroundThrottled), goal: "0", ok: f.backgroundThrottled === 0 },
    { name: "notices accounted for in Slack", value: String(f.noticesAccountedFor), goal: `= ${f.events}`, ok: f.noticesAccountedFor === f.events },
    { name: "Slack posts", value: String(f.slackPosts), goal: "<= 60", ok: f.slackPosts <= 60 },
    { name: "Slack posts in the busiest second", value: String(f.slackPostsPeakPerSecond), goal: "<= 2", ok: f.slackPostsPeakPerSecond <= 2 },
    { name: "wall seconds", value: f.wallSeconds.toFixed(1), goal: `< ${wallGoal.toFixed(0)}`, ok: f.wallSeconds < wallGoal },
  ];
}

function notifyMode(raw: string): NotifyMode {
  if (!(NOTIFY_MODES as readonly string[]).includes(raw)) throw new Error(`--notify ${raw}: expected one of ${NOTIFY_MODES.join(", ")}`);
  return raw as NotifyMode;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      events: { type: "string", default: "1000" },
      burst: { type: "string", default: "100" },
      refill: { type: "string", default: "20" },
      rate: { type: "string" },
      background: { type: "string", default: "1" },
      unpaced: { type: "boolean", default: false },
      notify: { type: "string" },
      seed: { type: "string", default: "1" },
      json: { type: "boolean", default: false },
    },
  });
  const number = (name: string, raw: string | undefined, min: number): number | undefined => {
    if (raw === undefined) return undefined;
    const v = Number(raw);
    if (!Number.isFinite(v) || v < min) throw new Error(`--${name} ${raw}: expected a number of at least ${min}`);
    return v;
  };
  const events = number("events", values.events, 1)!;
  const burst = number("burst", values.burst, 1)!;
  const refill = number("refill", values.refill, 0.1)!;
  const { figures: f, launchesPerSecond, firstDelaySeconds, backgroundCalls } = await runStorm({
    events: Math.floor(events),
    burst,
    refillPerSecond: refill,
    launchesPerSecond: number("rate", values.rate, 0.1),
    backgroundEverySeconds: number("background", values.background, 0.1),
    pace: !values.unpaced,
    ...(values.notify !== undefined ? { notify: notifyMode(values.notify) } : {}),
    seed: number("seed", values.seed, 0)!,
  });
  const checked = goals(f, firstDelaySeconds);
  if (values.json) {
    console.log(JSON.stringify(f));
  } else {
    const rss = process.resourceUsage().maxRSS / 1024;
    const pacing = values.unpaced ? "pipeline unpaced" : `pipeline paced at ${launchesPerSecond}/s`;
    console.log(`storm: ${f.events} rejected launches at once; ECS token bucket burst ${burst}, refill ${refill}/s; ${pacing}; schedules call every ${values.background} s; seed ${values.seed}`);
    for (const g of checked) console.log(`  ${g.name.padEnd(36)} ${g.value.padStart(9)}  ${g.ok ? "✔" : "✘"} goal ${g.goal}`);
    console.log(`  ${"launch calls / throttled".padEnd(36)} ${`${f.launchCalls} / ${f.throttled}`.padStart(9)}`);
    console.log(`  ${"schedules' calls".padEnd(36)} ${String(backgroundCalls).padStart(9)}`);
    console.log(`  ${"max RSS (MB)".padEnd(36)} ${rss.toFixed(0).padStart(9)}`);
  }
  if (checked.some((g) => !g.ok)) process.exitCode = 1;
}

if (require.main === module) {
  main().catch((err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(2);
  });
}
