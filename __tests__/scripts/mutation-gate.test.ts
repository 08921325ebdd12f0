// The per-group gate of `npm run test:mutation` (scripts/mutation/gate.ts), on hand-made reports.
import { failingGroups, formatScores, scoreGroups, type MutationReport } from "../../scripts/mutation/gate";

const mutants = (statuses: Record<string, number>) => Object.entries(statuses).flatMap(([status, n]) => Array.from({ length: n }, () => ({ status })));

const REPORT: MutationReport = {
  files: {
    "lambda/rerun/core/place.ts": { mutants: mutants({ Killed: 17, Timeout: 1, Survived: 1, NoCoverage: 1, Ignored: 5, CompileError: 2 }) },
    "lambda/rerun/core/sub/decision.ts": { mutants: mutants({ Killed: 10 }) },
    "lambda/starter/execution-name.ts": { mutants: mutants({ Killed: 8, Survived: 2 }) },
    "modules/other.ts": { mutants: mutants({ Survived: 50 }) },
  },
};
const GROUPS = { core: ["lambda/rerun/core/**/*.ts"], starter: ["lambda/starter/**/*.ts"], schedule: ["modules/**/schedule.ts"] };

describe("the mutation gate", () => {
  it("scores each group over its own files: killed and timed out over all valid mutants, and over covered ones", () => {
    expect(scoreGroups(REPORT, GROUPS)).toEqual([
      { group: "core", files: 2, killed: 28, survived: 1, noCoverage: 1, total: (100 * 28) / 30, covered: (100 * 28) / 29 },
      { group: "starter", files: 1, killed: 8, survived: 2, noCoverage: 0, total: 80, covered: 80 },
      { group: "schedule", files: 0, killed: 0, survived: 0, noCoverage: 0, total: undefined, covered: undefined },
    ]);
  });

  it("fails every group under the bar, and a group with no file only on a full run", () => {
    const scores = scoreGroups(REPORT, GROUPS);
    expect(failingGroups(scores, 90, false).map((s) => s.group)).toEqual(["starter"]);
    expect(failingGroups(scores, 90, true).map((s) => s.group)).toEqual(["starter", "schedule"]);
    expect(failingGroups(scores, 80, false)).toEqual([]);
  });

  it("prints one row per group", () => {
    expect(formatScores(scoreGroups(REPORT, GROUPS)).split("\n")).toEqual([
      "group     files  total %  covered %  killed  survived  no coverage",
      "core      2      93.3     96.6       28      1         1          ",
      "starter   1      80.0     80.0       8       2         0          ",
      "schedule  0      -        -          0       0         0          ",
    ]);
  });
});
