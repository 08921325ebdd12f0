// npm run drill                 runs the shipped scenarios and prints each one's timeline
// npm run drill -- --event FILE [--ecs SCRIPT] [--clusters NAME,...] [--slack SCRIPT] [--json]
import "./quiet";
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { parseEcsScript } from "./local-aws";
import { parseSlackScript } from "./local-slack";
import { eventReport, formatSummary, formatTimeline } from "./report";
import { Drill, type DrillOptions } from "./runner";
import { SCENARIOS } from "./scenarios";

const USAGE = `usage: npm run drill [-- --event FILE [--ecs SCRIPT] [--clusters NAME,...] [--slack SCRIPT] [--json]]
  --event FILE     a CloudTrail "AWS API Call via CloudTrail" event (EventBridge envelope) to run
  --ecs SCRIPT     answers to successive launch calls, comma-separated: ok, a failure reason (AGENT,
                   RESOURCE:MEMORY, ...), partial:N, throttle, error:NAME, nostart:REASON (placed,
                   then stops with TaskFailedToStart), exit:N (runs, exits N); the first is the
                   original call's (recorded in the event), the last repeats. Default: ok
  --clusters LIST  protected clusters (names or ARNs). Default: batch-ec2
  --slack SCRIPT   answers of the Slack webhook: ok, 500, timeout; the last repeats. Default: ok
  --json           print exactly one JSON object instead of the timeline`;

/** A problem with what the user gave: reported plainly, exit code 2. */
class UsageError extends Error {}

function readEvent(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    throw new UsageError(`cannot read event file ${file}: ${(err as Error).message}`);
  }
  let event: unknown;
  try {
    event = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`event file ${file} is not JSON: ${(err as Error).message}`);
  }
  if (typeof event !== "object" || event === null || Array.isArray(event)) throw new UsageError(`event file ${file} holds ${Array.isArray(event) ? "an array" : typeof event}, expected one EventBridge event object`);
  const e = event as Record<string, unknown>;
  if (typeof e["detail-type"] !== "string" || typeof e.detail !== "object" || e.detail === null) {
    throw new UsageError(`event file ${file} is not an EventBridge event: it needs "detail-type" and an object "detail" (see drill/events/)`);
  }
  return e;
}

async function runScenarios(): Promise<number> {
  let failed = 0;
  const started = Date.now();
  for (const s of SCENARIOS) {
    const drill = await Drill.start(s.options);
    try {
      const result = await drill.run(s.events(), s.run);
      const problems = s.check(result);
      failed += problems.length > 0 ? 1 : 0;
      console.log(`\n━━ ${s.name} ━━ ${s.story}`);
      console.log(formatTimeline(result));
      console.log(`  => ${formatSummary(result)}`);
      console.log(problems.length === 0 ? "  ✔ as expected" : problems.map((p) => `  ✘ ${p}`).join("\n"));
    } finally {
      await drill.stop();
    }
  }
  console.log(`\n${SCENARIOS.length - failed} of ${SCENARIOS.length} scenarios behaved as expected (${((Date.now() - started) / 1000).toFixed(1)} s wall)`);
  return failed === 0 ? 0 : 1;
}

async function runEvent(values: { event: string; ecs?: string; clusters?: string; slack?: string; json?: boolean }): Promise<number> {
  let event: Record<string, unknown>;
  const options: DrillOptions = {};
  try {
    event = readEvent(values.event);
    Object.assign(options, {
      ecs: parseEcsScript(values.ecs ?? "ok"),
      slack: parseSlackScript(values.slack ?? "ok"),
      clusters: values.clusters?.split(",").map((c) => c.trim()).filter((c) => c !== ""),
      region: typeof event.region === "string" ? event.region : undefined,
    });
  } catch (err) {
    if (!(err instanceof UsageError) && !(err instanceof Error)) throw err;
    if (values.json) console.log(JSON.stringify({ matched: false, outcome: "invalid_event", attempts: 0, launchRequests: [], notifications: [], stateTransitions: 0, simulatedSeconds: 0, error: (err as Error).message }));
    else console.error(`drill: ${(err as Error).message}`);
    return 2;
  }
  const drill = await Drill.start(options);
  try {
    const result = await drill.run([event]);
    const report = eventReport(result);
    if (values.json) console.log(JSON.stringify(report));
    else {
      console.log(formatTimeline(result));
      console.log(`  => ${formatSummary(result)}`);
    }
    return report.outcome === "invalid_event" ? 2 : 0;
  } finally {
    await drill.stop();
  }
}

async function main(argv: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        event: { type: "string" },
        ecs: { type: "string" },
        clusters: { type: "string" },
        slack: { type: "string" },
        json: { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
    }));
  } catch (err) {
    console.error(`drill: ${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (values.event === undefined) {
    if (values.ecs ?? values.clusters ?? values.slack ?? values.json) {
      console.error(`drill: --ecs, --clusters, --slack and --json go with --event\n${USAGE}`);
      return 2;
    }
    return runScenarios();
  }
  return runEvent({ ...values, event: values.event });
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
