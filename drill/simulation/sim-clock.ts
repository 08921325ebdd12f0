/** A simulated clock for the drill: fake timers that jump to the next due timer whenever nothing real is in flight. */
import FakeTimers from "@sinonjs/fake-timers";

type InstalledClock = ReturnType<typeof FakeTimers.install>;

// aws-local-stepfunctions uses Promise.withResolvers (Node 22); Node 20 lacks it.
if (typeof (Promise as unknown as { withResolvers?: unknown }).withResolvers !== "function") {
  (Promise as unknown as { withResolvers: () => unknown }).withResolvers = function withResolvers<T>() {
    let resolve!: (value: T | PromiseLike<T>) => void;
    let reject!: (reason?: unknown) => void;
    const promise = new Promise<T>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    return { promise, resolve, reject };
  };
}

const realSetImmediate = setImmediate;
const turn = () => new Promise<void>((resolve) => realSetImmediate(resolve));

/**
 * A simulated clock for the whole process: `setTimeout` and `Date` are faked, so Wait states,
 * Step Functions retry intervals, Lambda's async retry delays and the ECS token bucket all run on
 * one timeline that jumps ahead instead of sleeping. Time advances only when nothing is in flight
 * (no handler running, no HTTP exchange open), which keeps cause and effect in order.
 */
export class SimClock {
  private clock?: InstalledClock;
  private inFlight = 0;
  private startMs = 0;

  /** Fakes the timers, starting at `startMs` (ms since the epoch). */
  install(startMs: number): void {
    this.startMs = startMs;
    this.clock = FakeTimers.install({
      now: startMs,
      toFake: ["setTimeout", "clearTimeout", "setInterval", "clearInterval", "Date"],
      // The SDK clears timers it set before the clock was installed.
      shouldClearNativeTimers: true,
    });
  }

  uninstall(): void {
    this.clock?.uninstall();
    this.clock = undefined;
  }

  /** Simulated seconds since install. */
  elapsedSeconds(): number {
    return (Date.now() - this.startMs) / 1000;
  }

  /** Marks real work (a handler call, an HTTP exchange) so the clock holds still until it ends. */
  async track<T>(work: () => Promise<T>): Promise<T> {
    this.inFlight++;
    try {
      return await work();
    } finally {
      this.inFlight--;
    }
  }

  /** Sleeps on the simulated clock. */
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, ms));
  }

  /**
   * Sleeps on the simulated clock from inside tracked work (a handler backing off): the work stops
   * counting as in flight meanwhile, or the clock would wait for it forever.
   */
  async idleSleep(ms: number): Promise<void> {
    this.inFlight--;
    try {
      await this.sleep(ms);
    } finally {
      this.inFlight++;
    }
  }

  /** Runs until `done()` holds, jumping to the next timer whenever everything is idle. */
  async runUntil(done: () => boolean, maxSimulatedSeconds = 7 * 24 * 3600): Promise<void> {
    const clock = this.clock;
    if (!clock) throw new Error("SimClock.runUntil before install");
    for (;;) {
      await this.settle();
      if (done()) return;
      if (this.elapsedSeconds() > maxSimulatedSeconds) throw new Error(`the drill did not finish within ${maxSimulatedSeconds} simulated seconds`);
      if (clock.countTimers() === 0) {
        throw new Error("the drill is stuck: work remains but nothing is scheduled or in flight");
      }
      clock.next();
    }
  }

  /** Waits (in real time) until no work is in flight and promise chains have run out. */
  private async settle(): Promise<void> {
    let quiet = 0;
    while (quiet < 3) {
      await turn();
      quiet = this.inFlight === 0 ? quiet + 1 : 0;
    }
  }
}
