// Issue 18 item 4: the drill with the reconciler. The README's own `--deliver N` commands, run
// in-process through the code path the CLI takes (parseDrillArgs, readEventFile, runEventDrill), and
// judged on ground truth: the tasks the local ECS placed, the executions the local Step Functions
// started; `foundBy` only says which path the report credits.
import { readFileSync } from "node:fs";
import { drillCommand } from "../support/drill-command";
import { README, shellCommands } from "../../scripts/readme";

jest.setTimeout(60_000);

/** The README's drill commands that choose how often the event is delivered. */
const commands = shellCommands(readFileSync(README, "utf8"))
  .map((c) => c.command)
  .filter((c) => /^npm run drill -- --event \S+ .*--deliver \d .*--json$/.test(c));

/** Runs one README command in-process, as `drill/cli.ts` would. */
const run = (command: string) => drillCommand(command.replace(/^npm run drill -- /, "").split(/\s+/));

describe("the README's drill commands with the reconciler", () => {
  test("are the three failures never delivered (RunTask, StartTask, a task that failed to start) and one delivered twice", () => {
    expect(commands.map((c) => [/--event \S+?__(\w+)-/.exec(c)?.[1], /--deliver (\d+)/.exec(c)?.[1]])).toEqual([
      ["runtask", "0"],
      ["starttask", "0"],
      ["task", "0"],
      ["runtask", "2"],
    ]);
  });

  test.each(commands.filter((c) => c.includes("--deliver 0")))("never delivered, found by the reconciler and recovered: %s", async (command) => {
    const { result, report } = await run(command);
    expect(report).toMatchObject({ outcome: "recovered", tasksStarted: 1, foundBy: "reconciler", executions: 1 });
    // Ground truth: the one task the local ECS placed, and the one execution Step Functions started, by the reconciler.
    expect(result.tasksStarted).toBe(1);
    expect(result.deliveries.filter((d) => d.origin === "delivered")).toEqual([]);
    expect(result.deliveries.filter((d) => d.origin === "reconciler").map((d) => d.outcome)).toEqual(["recovered"]);
    // The reconciler's alarm counts what it started itself: the event path missed it.
    expect(result.alarms).toContain("foundByReconciler");
    // It could not have been found before its stretch of history settled (15 min), or its task before 5 min.
    expect(report.secondsToRecovery).toBeGreaterThanOrEqual(command.includes("task-stopped") ? 300 : 900);
  });

  test("delivered twice: the event path starts it, the reconciler meets its execution and adds nothing", async () => {
    const { result, report } = await run(commands.find((c) => c.includes("--deliver 2"))!);
    expect(report).toMatchObject({ outcome: "recovered", tasksStarted: 1, foundBy: "event", executions: 1 });
    expect(result.deliveries.filter((d) => d.origin === "delivered").map((d) => d.outcome).sort()).toEqual(["duplicate", "recovered"]);
    expect(result.deliveries.filter((d) => d.origin === "reconciler")).toEqual([]);
    expect(result.alarms).not.toContain("foundByReconciler");
    // It did look: its runs went past the failure's settled stretch.
    expect(result.reconcilerRuns).toBeGreaterThanOrEqual(3);
    expect(result.simulatedSeconds).toBeGreaterThanOrEqual(900);
  });
});
