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
  /**
   * Which path started the failure's execution: "event" (a delivery of the event), "reconciler" (it
   * found the failure in CloudTrail event history or among the stopped tasks, no delivery having
   * started one); absent when neither did.
   */
  foundBy?: "event" | "reconciler";
  /** Simulated seconds from the failure (the run's start) to its recovery, when it was recovered. */
  secondsToRecovery?: number;
  /** Task events only: whether the event counts as a successful run of its job for the missed-run watch. */
  countedAsSuccess?: boolean;
  error?: string;
}

/** Sums up what became of the delivered event(s), leaving out the pipeline's own calls fed back. */
export function eventReport(r: DrillResult): EventReport {
  const originals = r.deliveries.filter((d) => d.origin === "delivered");
  // The reconciler finds only failures (never the pipeline's own reruns): what it started is the event's.
  const found = r.deliveries.filter((d) => d.origin === "reconciler");
  // The delivery (or the reconciler's find) that got the execution speaks for the event; copies only say "duplicate".
  const byEvent = originals.find((d) => d.executionArn !== undefined);
  const byReconciler = found.find((d) => d.executionArn !== undefined);
  const first = byEvent ?? byReconciler ?? originals[0];
  return {
    // Never delivered: whether the rules would have matched it.
    matched: originals.length > 0 ? originals.some((d) => d.matched) : r.failureMatched === true,
    outcome: first?.outcome ?? "ignored",
    attempts: Math.max(0, ...[...originals, ...found].map((d) => d.attempts)),
    launchRequests: r.launchRequests.map(({ action, account, region, request }) => ({ action, account, region, request, ...(first?.requestSource ? { source: first.requestSource } : {}) })),
    notifications: r.notifications,
    slackPosts: r.slackAttempts,
    stateTransitions: [...originals, ...found].reduce((n, d) => n + d.stateTransitions, 0),
    simulatedSeconds: r.simulatedSeconds,
    deadLetters: r.deadLetters,
    tasksStarted: r.tasksStarted,
    tasksStartedByPlace: r.tasksStartedByPlace,
    executions: [...originals, ...found].filter((d) => d.executionArn !== undefined).length,
    ...(byEvent ? { foundBy: "event" as const } : byReconciler ? { foundBy: "reconciler" as const } : {}),
    ...(first?.outcome === "recovered" && first.endedAt !== undefined ? { secondsToRecovery: Math.round(first.endedAt * 10) / 10 } : {}),
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
    `outcome ${r.deliveries.filter((d) => d.origin === "delivered" || d.origin === "reconciler").map((d) => (d.origin === "reconciler" ? `${d.outcome} (found by the reconciler)` : d.outcome)).join(" + ") || "(no event delivered)"}`,
    `${e.launchRequests.length} launch call(s)`,
    `${r.tasksStarted} task(s) started`,
    `${r.notifications.length}/${r.published} message(s) in Slack`,
    `${r.deadLetters.length} in the dead-letter queue`,
    `${e.stateTransitions} state transitions`,
    `${r.simulatedSeconds.toFixed(0)} simulated s`,
  ].join(", ");
}
