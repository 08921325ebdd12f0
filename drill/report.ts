/** Turns a drill result into what the CLI prints: the timeline, a summary and the JSON report. */
import type { DrillResult } from "./runner";

/** The one-object JSON answer of `npm run drill -- --event FILE --json`. */
export interface EventReport {
  matched: boolean;
  outcome: string;
  attempts: number;
  /** Launch calls the pipeline made, with where their request came from (schedule, cloudtrail, task-record). */
  launchRequests: { action: "RunTask" | "StartTask"; account: string; region: string; request: Record<string, unknown>; source?: string }[];
  notifications: unknown[];
  /** HTTP posts the local Slack received (webhook and Web API calls, answered or not): ground truth, not the notifier's count. */
  slackPosts: number;
  stateTransitions: number;
  simulatedSeconds: number;
  deadLetters: unknown[];
  /** Ground truth: tasks the local ECS placed during the run, in every place. */
  tasksStarted: number;
  /** The same by place ("account/region"): the hub's place, and each spoke's whose ECS was called. */
  tasksStartedByPlace: Record<string, number>;
  /** Executions Step Functions started for the delivered event (one per failure, however often delivered). */
  executions: number;
  /** Task events only: whether the event counts as a successful run of its job for the missed-run watch. */
  countedAsSuccess?: boolean;
  error?: string;
}

/** Sums up what became of the delivered event(s), leaving out the pipeline's own calls fed back. */
export function eventReport(r: DrillResult): EventReport {
  const originals = r.deliveries.filter((d) => d.origin === "delivered");
  // The delivery that got the execution speaks for the event; its copies only say "duplicate".
  const first = originals.find((d) => d.executionArn !== undefined) ?? originals[0];
  return {
    matched: originals.some((d) => d.matched),
    outcome: first?.outcome ?? "ignored",
    attempts: Math.max(0, ...originals.map((d) => d.attempts)),
    launchRequests: r.launchRequests.map(({ action, account, region, request }) => ({ action, account, region, request, ...(first?.requestSource ? { source: first.requestSource } : {}) })),
    notifications: r.notifications,
    slackPosts: r.slackAttempts,
    stateTransitions: originals.reduce((n, d) => n + d.stateTransitions, 0),
    simulatedSeconds: r.simulatedSeconds,
    deadLetters: r.deadLetters,
    tasksStarted: r.tasksStarted,
    tasksStartedByPlace: r.tasksStartedByPlace,
    executions: originals.filter((d) => d.executionArn !== undefined).length,
    ...(first?.taskArn !== undefined ? { countedAsSuccess: r.countedAsSuccess[first.taskArn] === true } : {}),
    ...(first?.error ? { error: first.error } : {}),
  };
}

/** A readable timeline: event -> matched -> classified -> waits -> launch calls -> notifications -> outcome. */
export function formatTimeline(r: DrillResult): string {
  const width = Math.max(...r.timeline.map((e) => e.t.toFixed(1).length), 3);
  const lines = r.timeline.map((e) => `  ${`${e.t.toFixed(1)}`.padStart(width)} s  #${e.event}  ${e.text}`);
  const ignored = r.deliveries.filter((d) => d.origin === "cloudtrail" && !d.matched).length;
  if (ignored > 0) lines.push(`  ${ignored} CloudTrail record(s) of the launch calls made during the run went through the rule and were ignored (no loop)`);
  return lines.join("\n");
}

/** One line of figures for a run. */
export function formatSummary(r: DrillResult): string {
  const e = eventReport(r);
  return [
    `outcome ${r.deliveries.filter((d) => d.origin === "delivered").map((d) => d.outcome).join(" + ") || "(no event delivered)"}`,
    `${e.launchRequests.length} launch call(s)`,
    `${r.tasksStarted} task(s) started`,
    `${r.notifications.length}/${r.published} message(s) in Slack`,
    `${r.deadLetters.length} in the dead-letter queue`,
    `${e.stateTransitions} state transitions`,
    `${r.simulatedSeconds.toFixed(0)} simulated s`,
  ].join(", ");
}
