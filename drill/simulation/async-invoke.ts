// An asynchronous Lambda invocation in the drill (EventBridge -> starter, SNS -> notifier): the
// call, Lambda's own retries on the simulated clock, then the on-failure queue.
import type { SimClock } from "./sim-clock";

/** Lambda's documented async retry schedule: about one minute, then about two. */
export const LAMBDA_ASYNC_RETRY_DELAYS_S = [60, 120];

/**
 * Calls `call` until it resolves, waiting `delaysSeconds[i]` after the (i+1)-th failure; after the
 * last, hands the error to `onDeadLetter`. `onRetry` hears each failure that is retried.
 */
export async function invokeAsync(
  clock: SimClock,
  delaysSeconds: readonly number[],
  call: () => Promise<unknown>,
  hooks: { onDone?: (retries: number) => void; onRetry?: (error: string, delaySeconds: number) => void; onDeadLetter: (error: string, tries: number) => void },
): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await clock.track(call);
      hooks.onDone?.(attempt);
      return;
    } catch (err) {
      const error = `${(err as Error).name}: ${(err as Error).message}`;
      if (attempt >= delaysSeconds.length) {
        hooks.onDeadLetter(error, attempt + 1);
        return;
      }
      hooks.onRetry?.(error, delaysSeconds[attempt]);
      await clock.sleep(delaysSeconds[attempt] * 1000);
    }
  }
}
