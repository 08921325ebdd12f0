/**
 * Reconciler core: which stretches of CloudTrail event history a run reads, as pure arithmetic.
 *
 * - Wait for delivery: CloudTrail "typically delivers logs within an average of about 5 minutes of
 *   an API call. This time is not guaranteed" (CloudTrail User Guide, "Getting and viewing your
 *   CloudTrail log files"), so a stretch is read only once it ended `settleMs` ago (default 15
 *   minutes, three times that average).
 * - Overlap: each run reads again the `overlapMs` before its cursor (default 15 minutes), in one
 *   stretch (it never moves the cursor, so cutting it in chunks would only cost LookupEvents calls,
 *   whose 2 a second per account and region every other caller shares), so a
 *   record delivered up to settle + overlap (30 minutes) late is still read; a failure found twice
 *   meets its own execution's name (ExecutionAlreadyExists) and nothing more happens.
 * - A durable cursor: the end of the newest stretch read in full, kept between runs (a DynamoDB
 *   item). New stretches are read oldest first, in chunks of `chunkMs`, and the cursor moves after
 *   each chunk, so a run that runs out of time, throttling or an outage of any length leaves the cursor
 *   where reading stopped and the next run goes on from there: no stretch is skipped. A chunk not read
 *   in full for a reason other than time (a failure in it not handed over, a read refused) takes the
 *   cursor back to its start ({@link retreat}), even in the overlap: read after the cursor moved on,
 *   a late record there would otherwise slide out of every later overlap. Event history
 *   keeps 90 days ("the past 90 days of management events", CloudTrail User Guide, "Working with
 *   CloudTrail Event history"), so catching up never reaches further back than that.
 */

export interface WindowSettings {
  /** How long after it ended a stretch is first read (CloudTrail's delivery delay). */
  readonly settleMs: number;
  /** How much before the cursor each run reads again. */
  readonly overlapMs: number;
  /** Length of one chunk, after each of which the cursor moves (a run's last new chunk takes the rest, up to twice as long). */
  readonly chunkMs: number;
  /** How far back a first run (no cursor yet) starts, before the overlap. */
  readonly firstLookBackMs: number;
}

/** Event history's retention, less an hour so a chunk never starts outside it while it is being read. */
export const EVENT_HISTORY_MS = 90 * 86_400_000 - 3_600_000;

export const DEFAULT_WINDOWS: WindowSettings = { settleMs: 15 * 60_000, overlapMs: 15 * 60_000, chunkMs: 5 * 60_000, firstLookBackMs: 15 * 60_000 };

/** One stretch of history to read: [startMs, endMs], both inclusive as LookupEvents' StartTime/EndTime are. */
export interface Chunk {
  readonly startMs: number;
  readonly endMs: number;
}

/**
 * The chunks a run at `nowMs` reads: first what settled since the cursor, oldest first (a first run:
 * from the settled end less the look-back), up to `nowMs - settleMs`; then the overlap before the
 * cursor, read again in one chunk. New stretches come first so that a run short of time still moves
 * the cursor: the overlap was read before, and is only read again for records that arrived late.
 */
export function chunksToRead(cursorMs: number | undefined, nowMs: number, s: WindowSettings = DEFAULT_WINDOWS): Chunk[] {
  const end = nowMs - s.settleMs;
  const oldest = nowMs - EVENT_HISTORY_MS;
  const from = Math.max(cursorMs === undefined ? end - s.firstLookBackMs : cursorMs, oldest);
  // The last chunk takes what is left (up to two chunks' length): runs never start on the minute, and
  // a stub of a few seconds would cost a LookupEvents call per action for nothing.
  const split = (a: number, b: number): Chunk[] => {
    const out: Chunk[] = [];
    for (let t = a; t < b; ) {
      const next = b - t < 2 * s.chunkMs ? b : t + s.chunkMs;
      out.push({ startMs: t, endMs: next });
      t = next;
    }
    return out;
  };
  const overlapFrom = Math.max(from - s.overlapMs, oldest);
  const overlapTo = Math.min(from, end);
  return [...split(from, end), ...(overlapFrom < overlapTo ? [{ startMs: overlapFrom, endMs: overlapTo }] : [])];
}

/** The cursor after reading `chunk` in full: never backwards (the overlap lies behind it). */
export function advance(cursorMs: number | undefined, chunk: Chunk): number {
  return Math.max(cursorMs ?? chunk.endMs, chunk.endMs);
}

/**
 * The cursor after `chunk` could not be read in full (a failure in it could not be handed over, or a
 * read was refused): never past the chunk's start, so the next run reads it again, as new. A chunk of
 * the overlap lies behind the cursor, which the new chunks already moved on: left there, the next
 * run's overlap (the 15 minutes behind its cursor) would not reach back to it. A first run (no
 * cursor) keeps the chunk's start too, or the next first look-back, counted from its own time, would
 * leave the chunk behind.
 */
export function retreat(cursorMs: number | undefined, chunk: Chunk): number {
  return Math.min(cursorMs ?? chunk.startMs, chunk.startMs);
}
