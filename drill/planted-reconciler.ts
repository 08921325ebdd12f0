// A defect planted back into the reconciler for the fault sweep's own test, through the deps the
// drill builds its handler with (never a switch in the Lambda): the sweep must see the harm.
import type { CursorStore, ReconcilerDeps } from "../lambda/reconciler/handler";

/** How far the planted cursor jumps past what was read. */
const SKIPPED_MS = 3_600_000;

/**
 * "The reconciler skips a window": its first cursor write in each place lands an hour past the end
 * of what it read, so the hour after it is never read (its overlap reaches back only 15 minutes).
 */
export function skipAWindow(deps: ReconcilerDeps): ReconcilerDeps {
  const skipped = new Set<string>();
  const cursors: CursorStore = {
    get: (key) => deps.cursors.get(key),
    put: (key, coveredUntilMs) => {
      const jump = skipped.has(key) ? 0 : SKIPPED_MS;
      skipped.add(key);
      return deps.cursors.put(key, coveredUntilMs + jump);
    },
  };
  return { ...deps, cursors };
}
