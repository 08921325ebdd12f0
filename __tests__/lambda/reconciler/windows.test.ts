// The reconciler's windows: whatever the schedule, outages and time budgets, every stretch of history
// is read, only once it has settled; and a run that skips a stretch is seen by this very property.
import fc from "fast-check";
import { advance, chunksToRead, DEFAULT_WINDOWS, EVENT_HISTORY_MS, retreat, type Chunk } from "../../../lambda/reconciler/core/windows";

const T0 = Date.parse("2026-01-01T00:00:00Z");
const MIN = 60_000;

/** Runs at `runTimes`, each reading only its first `budget` chunks (a run out of time); returns what was read. */
function simulate(runTimes: readonly number[], budgets: readonly number[], skip = 0): { read: Chunk[]; readAt: number[] } {
  let cursor: number | undefined;
  const read: Chunk[] = [];
  const readAt: number[] = [];
  runTimes.forEach((t, i) => {
    // A planted defect: the run believes it has read `skip` ms more than it has.
    const chunks = chunksToRead(cursor === undefined ? undefined : cursor + skip, t);
    // The last run has all the time it needs (the catching up after the outages).
    for (const chunk of chunks.slice(0, i === runTimes.length - 1 ? undefined : budgets[i % budgets.length])) {
      read.push(chunk);
      readAt.push(t);
      cursor = advance(cursor, chunk);
    }
  });
  return { read, readAt };
}

/** Whether every ms of [from, to] lies in some chunk. */
function covered(chunks: readonly Chunk[], from: number, to: number): boolean {
  const sorted = [...chunks].sort((a, b) => a.startMs - b.startMs);
  let reach = from;
  for (const c of sorted) {
    if (c.startMs > reach) return false;
    reach = Math.max(reach, c.endMs);
    if (reach >= to) return true;
  }
  return reach >= to;
}

// Runs every 5 minutes, with outages (gaps of up to two days) and runs that read 1-3 chunks only.
const schedule = fc.record({
  gaps: fc.array(fc.oneof({ weight: 8, arbitrary: fc.constant(5 * MIN) }, { weight: 1, arbitrary: fc.integer({ min: 6 * MIN, max: 2 * 1440 * MIN }) }), { minLength: 5, maxLength: 60 }),
  budgets: fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 1, maxLength: 4 }),
});

describe("the reconciler's windows", () => {
  test("read every stretch from the first run's start on, only once it has settled, whatever the outages and budgets", () => {
    fc.assert(
      fc.property(schedule, ({ gaps, budgets }) => {
        const times = gaps.reduce<number[]>((acc, g) => [...acc, (acc.at(-1) ?? T0) + g], []);
        // One more run afterwards, with time enough to catch up.
        const last = times.at(-1)!;
        const { read, readAt } = simulate([...times, last + 5 * MIN], budgets);
        const firstStart = T0 + gaps[0] - DEFAULT_WINDOWS.settleMs - DEFAULT_WINDOWS.firstLookBackMs;
        const settled = read.every((c, i) => c.endMs <= readAt[i] - DEFAULT_WINDOWS.settleMs);
        return settled && covered(read, Math.max(firstStart, last - EVENT_HISTORY_MS), last - DEFAULT_WINDOWS.settleMs);
      }),
      { numRuns: 100, seed: 18 },
    );
  });

  test("a run that skips a window leaves a stretch unread (the property above sees it)", () => {
    const times = Array.from({ length: 12 }, (_, i) => T0 + (i + 1) * 5 * MIN);
    const { read } = simulate(times, [100], 30 * MIN);
    expect(covered(read, T0, times.at(-1)! - DEFAULT_WINDOWS.settleMs)).toBe(false);
  });

  test("each run reads what settled since its cursor in chunks of five minutes, then the overlap again in one", () => {
    const cursor = T0;
    const chunks = chunksToRead(cursor, T0 + 25 * MIN);
    // What settled since the cursor first (a run short of time still moves it), then the overlap again.
    expect(chunks).toEqual([
      { startMs: T0, endMs: T0 + 5 * MIN },
      { startMs: T0 + 5 * MIN, endMs: T0 + 10 * MIN },
      { startMs: T0 - 15 * MIN, endMs: T0 },
    ]);
    expect(chunksToRead(T0, T0 + 15 * MIN)).toEqual([
      { startMs: T0 - 15 * MIN, endMs: T0 },
    ]);
    expect(advance(T0 + 5 * MIN, { startMs: T0 - 10 * MIN, endMs: T0 })).toBe(T0 + 5 * MIN);
  });

  test("a run that comes a few seconds late reads one chunk, not a chunk and a stub of seconds", () => {
    expect(chunksToRead(T0, T0 + 20 * MIN + 1500)).toEqual([
      { startMs: T0, endMs: T0 + 5 * MIN + 1500 },
      { startMs: T0 - 15 * MIN, endMs: T0 },
    ]);
  });

  test("after an outage longer than event history keeps, reading starts 90 days back", () => {
    const now = T0 + 200 * 86_400_000;
    expect(chunksToRead(T0, now)[0].startMs).toBe(now - EVENT_HISTORY_MS);
    expect(Math.min(...chunksToRead(T0, now).map((c) => c.startMs))).toBe(now - EVENT_HISTORY_MS);
  });

  // A chunk with a failure that could not be handed over (StartExecution refused, a read refused) must
  // be read again by a later run, wherever it lies: among the new chunks, or in the overlap, which is
  // read after the new chunks moved the cursor on. `fails(run, chunk)` says which reads fail.
  function withFailures(runTimes: readonly number[], fails: (run: number, chunk: number) => boolean, onFailure: (cursor: number | undefined, chunk: Chunk) => number | undefined) {
    let cursor: number | undefined;
    const read: { run: number; chunk: Chunk }[] = [];
    const failed: { run: number; chunk: Chunk }[] = [];
    runTimes.forEach((t, run) => {
      const chunks = chunksToRead(cursor, t);
      for (let i = 0; i < chunks.length; i++) {
        if (run < runTimes.length - 1 && fails(run, i)) {
          failed.push({ run, chunk: chunks[i] });
          cursor = onFailure(cursor, chunks[i]);
          break;
        }
        read.push({ run, chunk: chunks[i] });
        cursor = advance(cursor, chunks[i]);
      }
    });
    return { read, failed };
  }
  /** Whether every failed chunk was read in full by the runs after its failure. */
  const readAgain = ({ read, failed }: ReturnType<typeof withFailures>) =>
    failed.every((f) => covered(read.filter((r) => r.run > f.run).map((r) => r.chunk), f.chunk.startMs, f.chunk.endMs));

  test("a chunk not read in full (a failure in it not handed over) is read again by a later run, in the overlap too", () => {
    fc.assert(
      fc.property(fc.array(fc.array(fc.boolean(), { maxLength: 8 }), { minLength: 3, maxLength: 20 }), (failures) => {
        const times = Array.from({ length: failures.length + 1 }, (_, i) => T0 + (i + 1) * 5 * MIN);
        return readAgain(withFailures(times, (run, chunk) => failures[run]?.[chunk] === true, retreat));
      }),
      { numRuns: 200, seed: 18 },
    );
  });

  test("leaving the cursor where it was loses a failed chunk of the overlap (what retreat prevents)", () => {
    // Every run reads its new chunk; the fourth run's first overlap chunk fails and is never re-read.
    const times = Array.from({ length: 8 }, (_, i) => T0 + (i + 1) * 5 * MIN);
    const overlapOfRun3 = (run: number, chunk: number) => run === 3 && chunk === 1;
    const kept = withFailures(times, overlapOfRun3, (cursor) => cursor);
    expect(kept.failed).toHaveLength(1);
    expect(readAgain(kept)).toBe(false);
    expect(readAgain(withFailures(times, overlapOfRun3, retreat))).toBe(true);
  });
});
