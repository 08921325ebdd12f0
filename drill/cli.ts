// npm run drill                 runs the shipped scenarios and prints each one's timeline
// npm run drill -- --event FILE [--ecs SCRIPT] [--clusters NAME,...] [--slack SCRIPT] [--json]
// Exit codes: 0 done, 1 a scenario misbehaved, 2 a usage error or an event EventBridge would never
// deliver. With --json every answer, errors included, is one JSON object on stdout.
import "./quiet";
import { parseDrillArgs, usage, UsageError, type DrillCommand } from "./cli-options";
import { EventFileUnreadable, InvalidEventError, readEventFile, readScheduleFile, readTaskDefinitionFile } from "./event-file";
import type { EventReport } from "./report";

// The drill itself (the local AWS, the synthesized pipeline, cdktf: ~1 s of CPU) loads only once the
// command line and the files it names are found good, so a mistake is answered at once.
const drillCode = async () => ({ ...(await import("./event-command")), ...(await import("./report")), ...(await import("./runner")), ...(await import("./scenarios")) });

/** The --json answer to an event that could not be run: the report's shape, outcome invalid_event. */
function invalidEventReport(error: string): EventReport & { errorType: string } {
  return { matched: false, outcome: "invalid_event", attempts: 0, launchRequests: [], notifications: [], slackPosts: 0, stateTransitions: 0, simulatedSeconds: 0, deadLetters: [], tasksStarted: 0, tasksStartedByPlace: {}, executions: 0, error, errorType: "invalid_event" };
}

async function runScenarios(): Promise<number> {
  const { Drill, SCENARIOS, formatSummary, formatTimeline } = await drillCode();
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

async function runEvent(command: Extract<DrillCommand, { kind: "event" }>): Promise<number> {
  let event: Record<string, unknown>;
  try {
    event = readEventFile(command.file);
  } catch (err) {
    if (err instanceof EventFileUnreadable) throw new UsageError(`--event: ${err.message}`);
    if (!(err instanceof InvalidEventError)) throw err;
    if (command.json) console.log(JSON.stringify(invalidEventReport(err.message)));
    else console.error(`drill: ${err.message}`);
    return 2;
  }
  let schedules;
  try {
    schedules = command.schedule === undefined ? undefined : readScheduleFile(command.schedule);
  } catch (err) {
    throw new UsageError(`--schedule: ${(err as Error).message}`);
  }
  let taskDefinitions;
  try {
    taskDefinitions = command.taskDefinition === undefined ? undefined : [readTaskDefinitionFile(command.taskDefinition)];
  } catch (err) {
    throw new UsageError(`--task-definition: ${(err as Error).message}`);
  }
  const { runEventDrill, formatSummary, formatTimeline } = await drillCode();
  const { result, report } = await runEventDrill({
    event,
    schedules,
    taskDefinitions,
    ecs: command.ecs,
    slack: command.slack,
    clusters: command.clusters,
    deliver: command.deliver,
    ...(command.notify ? { notify: command.notify } : {}),
    slackBot: command.slackBot,
  });
  if (command.json) console.log(JSON.stringify(report));
  else {
    console.log(formatTimeline(result));
    console.log(`  => ${formatSummary(result)}`);
  }
  return report.outcome === "invalid_event" ? 2 : 0;
}

async function main(argv: string[]): Promise<number> {
  // Known before parsing, so even an unparsable command line answers in JSON when asked to.
  const json = argv.includes("--json");
  try {
    const command = parseDrillArgs(argv);
    if (command.kind === "help") {
      console.log(usage((await drillCode()).SCENARIOS.length));
      return 0;
    }
    return command.kind === "scenarios" ? await runScenarios() : await runEvent(command);
  } catch (err) {
    if (err instanceof UsageError) {
      if (json) console.log(JSON.stringify({ error: err.message, errorType: "usage" }));
      else console.error(`drill: ${err.message}\n(npm run drill -- --help lists what it takes)`);
      return 2;
    }
    // A bug, not the user's doing: the stack trace is what a report of it needs, except in --json
    // mode, whose readers get one object (the stack goes in it).
    if (!json) throw err;
    console.log(JSON.stringify({ error: (err as Error).message ?? String(err), errorType: "internal", stack: (err as Error).stack }));
    return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
