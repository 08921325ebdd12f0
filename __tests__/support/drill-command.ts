// A drill command line run in process, through the code path `drill/cli.ts` takes (parseDrillArgs,
// the event and schedule files read, runEventDrill): tests judge what the command does without paying
// for a process; readme-commands.test.ts runs the README's commands through the shell.
import { parseDrillArgs } from "../../drill/cli-options";
import { runEventDrill } from "../../drill/event-command";
import { readEventFile, readScheduleFile } from "../../drill/event-file";

/** Runs `npm run drill -- ARGV` (an `--event` drill) in process; its report is what `--json` prints. */
export async function drillCommand(argv: readonly string[]): ReturnType<typeof runEventDrill> {
  const parsed = parseDrillArgs(argv);
  if (parsed.kind !== "event") throw new Error(`not an event drill: ${argv.join(" ")}`);
  return runEventDrill({
    event: readEventFile(parsed.file),
    ecs: parsed.ecs,
    slack: parsed.slack,
    clusters: parsed.clusters,
    deliver: parsed.deliver,
    ...(parsed.schedule !== undefined ? { schedules: readScheduleFile(parsed.schedule) } : {}),
  });
}

/** The README's hub drill commands (a spoke's event through the hub): hub.test.ts runs them in process. */
export const README_HUB_DRILL = /^npm run -s drill -- --event drill\/events\/\S+__spoke-\d{12}-[a-z0-9-]+\.json .*--json$/;
