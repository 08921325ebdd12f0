/**
 * The audit's report, pure: one JSON object for programs, and tables for people. Every sum is over
 * the same list of rejected launches, each counted once, so the sums add up to `rejected`.
 */
import { BY, countBy, type LaunchCalls, type RejectedLaunch } from "./rejected-launches";
import type { RerunOutcome } from "./executions";

/** Where the records came from, and which filters applied: the report's heading. */
export interface AuditScope {
  /** "event history" (LookupEvents) or the records file's name ("-" for standard input). */
  readonly source: string;
  readonly since?: Date;
  readonly until?: Date;
  readonly region?: string;
  readonly clusters?: readonly string[];
  /** Events whose record could not be read (not JSON). */
  readonly unreadable?: number;
}

/** A rejected launch and how it was followed up. */
export type AuditedLaunch = RejectedLaunch & { readonly rerun: RerunOutcome };

/** The whole report, as `--json` prints it. */
export interface AuditReport {
  readonly source: string;
  readonly since: string | null;
  readonly until: string | null;
  readonly region: string | null;
  readonly clusters: readonly string[] | null;
  readonly totals: {
    /** launched + rejected + errored: every RunTask/StartTask call of the period, each once. */
    readonly launchCalls: number;
    readonly launched: number;
    readonly rejected: number;
    /** Tasks the rejected launches asked for and did not get. */
    readonly tasksNotStarted: number;
    readonly errored: number;
    /** Rejected launches no pipeline execution took up (reruns of ecs-rerun itself not counted). */
    readonly neverRetried: number;
    readonly duplicateRecords: number;
    readonly unreadableRecords: number;
  };
  readonly byCluster: Record<string, number>;
  readonly byReason: Record<string, number>;
  readonly byStartedBy: Record<string, number>;
  readonly byRerun: Record<string, number>;
  readonly errored: Record<string, number>;
  readonly rejected: readonly AuditedLaunch[];
}

/** Builds the report from the sorted calls and each rejected launch's outcome (same order). */
export function auditReport(scope: AuditScope, calls: LaunchCalls, outcomes: readonly RerunOutcome[]): AuditReport {
  const rejected = calls.rejected.map((l, i) => ({ ...l, rerun: outcomes[i] }));
  const errored = Object.values(calls.errored).reduce((a, b) => a + b, 0);
  return {
    source: scope.source,
    since: scope.since?.toISOString() ?? null,
    until: scope.until?.toISOString() ?? null,
    region: scope.region ?? null,
    clusters: scope.clusters ?? null,
    totals: {
      launchCalls: calls.launched + rejected.length + errored,
      launched: calls.launched,
      rejected: rejected.length,
      tasksNotStarted: rejected.reduce((n, l) => n + l.notStarted, 0),
      errored,
      neverRetried: rejected.filter((l) => l.rerun.status === "never retried").length,
      duplicateRecords: calls.duplicates,
      unreadableRecords: scope.unreadable ?? 0,
    },
    byCluster: countBy(rejected, BY.cluster),
    byReason: countBy(rejected, BY.reason),
    byStartedBy: countBy(rejected, BY.startedBy),
    byRerun: countBy(rejected, (l) => (l as AuditedLaunch).rerun.status),
    errored: calls.errored,
    rejected,
  };
}

/** Columns padded to their widest cell; numbers are right-aligned. */
export function table(header: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  const cells = [header, ...rows.map((r) => r.map(String))];
  const widths = header.map((_, c) => Math.max(...cells.map((r) => r[c].length)));
  const numeric = header.map((_, c) => rows.length > 0 && rows.every((r) => typeof r[c] === "number"));
  return cells.map((r) => r.map((cell, c) => (numeric[c] ? cell.padStart(widths[c]) : cell.padEnd(widths[c]))).join("  ").trimEnd()).join("\n");
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** The report for people: the headline, the sums, then every rejected launch. */
export function formatAudit(report: AuditReport): string {
  const t = report.totals;
  const period = `${report.since ?? "the first record"} to ${report.until ?? "the last"}`;
  const where = [report.region && `region ${report.region}`, report.clusters && `clusters ${report.clusters.join(", ")}`].filter(Boolean).join(", ");
  const lines = [
    `Rejected ECS launches from ${report.source}, ${period}${where ? ` (${where})` : ""}`,
    `  ${plural(t.launchCalls, "RunTask/StartTask call")}: ${t.launched} launched, ${t.rejected} rejected (${plural(t.tasksNotStarted, "task")} never started), ${t.errored} refused with an error`,
  ];
  if (t.rejected === 0) {
    lines.push("  Nothing was lost in this period.");
  } else {
    const lookedUp = report.rejected.some((l) => l.rerun.status !== "not looked up" && l.rerun.status !== "a rerun");
    lines.push(lookedUp ? `  never retried: ${t.neverRetried} of ${t.rejected}` : "  reruns not looked up (offline): pass --state-machine NAME|ARN to see which were retried");
    const sums: [string, Record<string, number>][] = [
      ["cluster", report.byCluster],
      ["reason", report.byReason],
      ["startedBy", report.byStartedBy],
      ["rerun", report.byRerun],
    ];
    for (const [name, counts] of sums) lines.push("", `By ${name}`, table(["launches", name], Object.entries(counts).map(([k, n]) => [n, k])));
    lines.push(
      "",
      "Rejected launches",
      table(
        ["time", "cluster", "reasons", "startedBy", "not started", "rerun", "eventID"],
        report.rejected.map((l) => [l.time, l.cluster, l.reasons.join(", "), l.startedBy ?? "(none)", `${l.notStarted} of ${l.requested}`, l.rerunOf ? `a rerun of ${l.rerunOf}` : l.rerun.status, l.eventId]),
      ),
    );
  }
  if (t.errored > 0) lines.push("", "Calls refused with an error (the caller was told: EventBridge retries or dead-letters these, unlike a rejected launch)", table(["calls", "errorCode"], Object.entries(report.errored).map(([k, n]) => [n, k])));
  if (t.duplicateRecords + t.unreadableRecords > 0) lines.push("", `Also: ${plural(t.duplicateRecords, "duplicate record")} (counted once), ${plural(t.unreadableRecords, "unreadable event")} (not judged).`);
  return lines.join("\n");
}
