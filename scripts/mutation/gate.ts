// The per-group score gate of `npm run test:mutation`. Stryker's `thresholds.break` judges all files
// together, so a group with few mutants could fall far below the bar while the rest carries the total;
// this reads Stryker's JSON report (mutation-testing-report-schema) and scores each group on its own.
import { matchesGlob } from "node:path";

/** The part of a mutation-testing-report-schema report the gate reads. */
export interface MutationReport {
  readonly files: Readonly<Record<string, { readonly mutants: readonly { readonly status: string }[] }>>;
}

/** One group's counts and scores (percent, or undefined when it has no valid mutant). */
export interface GroupScore {
  readonly group: string;
  readonly files: number;
  readonly killed: number;
  readonly survived: number;
  readonly noCoverage: number;
  /** Detected over all valid mutants, uncovered ones included (what the gate judges). */
  readonly total: number | undefined;
  /** Detected over covered valid mutants. */
  readonly covered: number | undefined;
}

// Stryker's own definition: Killed and Timeout are detected; Survived and NoCoverage are not;
// CompileError, RuntimeError and Ignored are not valid mutants and count nowhere.
const DETECTED = new Set(["Killed", "Timeout"]);

/** Scores each group of globs over the files of `report`; a file in no group is ignored. */
export function scoreGroups(report: MutationReport, groups: Readonly<Record<string, readonly string[]>>): GroupScore[] {
  return Object.entries(groups).map(([group, globs]) => {
    const paths = Object.keys(report.files).filter((path) => globs.some((glob) => matchesGlob(path, glob)));
    const statuses = paths.flatMap((path) => report.files[path].mutants.map((m) => m.status));
    const killed = statuses.filter((s) => DETECTED.has(s)).length;
    const survived = statuses.filter((s) => s === "Survived").length;
    const noCoverage = statuses.filter((s) => s === "NoCoverage").length;
    const valid = killed + survived + noCoverage;
    return {
      group,
      files: paths.length,
      killed,
      survived,
      noCoverage,
      total: valid === 0 ? undefined : (100 * killed) / valid,
      covered: killed + survived === 0 ? undefined : (100 * killed) / (killed + survived),
    };
  });
}

/** Groups under `bar`; a group with no file in the report fails only when `requireAll` (a full run). */
export function failingGroups(scores: readonly GroupScore[], bar: number, requireAll: boolean): GroupScore[] {
  return scores.filter((s) => (s.total === undefined ? requireAll && s.files === 0 : s.total < bar));
}

const pct = (n: number | undefined): string => (n === undefined ? "-" : n.toFixed(1));

/** The table the gate prints. */
export function formatScores(scores: readonly GroupScore[]): string {
  const rows = scores.map((s) =>
    [s.group, String(s.files), pct(s.total), pct(s.covered), String(s.killed), String(s.survived), String(s.noCoverage)],
  );
  const head = ["group", "files", "total %", "covered %", "killed", "survived", "no coverage"];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  return [head, ...rows].map((r) => r.map((c, i) => c.padEnd(widths[i])).join("  ")).join("\n");
}
