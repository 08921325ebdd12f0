// One event through the drill, as `npm run drill -- --event FILE` runs it (cli.ts), and as tests run
// it in-process: the pipeline deployed for the event's place, its failure recorded where AWS keeps it
// (event history, the stopped tasks), its copies delivered over the first simulated minute (none with
// --deliver 0), and the reconciler on its synthesized schedule, as a deployment runs it by default.
import type { DrillOptions, DrillResult } from "./drill-types";
import type { EcsAnswer } from "./local-aws/local-aws";
import type { ScheduleStore } from "./local-aws/schedules";
import type { SlackAnswer } from "./slack/local-slack";
import { eventReport, type EventReport } from "./report";
import { Drill } from "./runner";
import { DRILL_ACCOUNT } from "./synthesized/synthesized-pipeline";

/** What one event's drill is given (the command line's options, their files read). */
export interface EventDrill {
  readonly event: Record<string, unknown>;
  readonly ecs: readonly EcsAnswer[];
  readonly slack: readonly SlackAnswer[];
  readonly clusters?: readonly string[];
  /** Copies of the event EventBridge delivers (0: it never arrives). */
  readonly deliver: number;
  readonly schedules?: ScheduleStore;
  readonly taskDefinitions?: readonly Record<string, unknown>[];
  /** Which steps are told (the pipeline's notify setting). @default the pipeline's default */
  readonly notify?: DrillOptions["notify"];
  /** Slack through a bot token (chat.postMessage, chat.update, threads) instead of the webhook. @default false */
  readonly slackBot?: boolean;
}

/** Runs one event's drill and returns what happened, with the report `--json` prints. */
export async function runEventDrill(input: EventDrill): Promise<{ result: DrillResult; report: EventReport }> {
  const { event } = input;
  const drill = await Drill.start({
    schedules: input.schedules,
    taskDefinitions: input.taskDefinitions,
    ecs: input.ecs,
    slack: input.slack,
    clusters: input.clusters,
    ...(input.notify ? { notify: input.notify } : {}),
    slackBot: input.slackBot,
    // The hub runs where the drill's account's events happen; an event of another account happened
    // in a spoke's place, and the hub stays in the drill's default region (so the spoke is another
    // account and another region: both are crossed).
    region: typeof event.region === "string" && (event.account === undefined || event.account === DRILL_ACCOUNT) ? event.region : undefined,
  });
  try {
    // Copies spread over the first simulated minute: EventBridge delivers at least once (or, best effort, never).
    const copies = Array.from({ length: input.deliver }, () => structuredClone(event));
    const result = await drill.run(copies, { failure: event, reconcile: {}, deliverAtSeconds: copies.map((_, i) => Math.round((60 * i) / input.deliver)) });
    return { result, report: eventReport(result) };
  } finally {
    await drill.stop();
  }
}
