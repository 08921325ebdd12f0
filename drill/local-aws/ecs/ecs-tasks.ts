// The tasks the local ECS placed and their life: kept by ARN, moved through their steps on the
// scheduler, each new lastStatus sent as an "ECS Task State Change" event.
import { SimulatedTask, taskStateChangeEvent, type EcsTask, type EcsTaskStateChangeEvent, type TaskTransition } from "../../simulation/task-lifecycle";
import type { LocalAwsOptions } from "../shapes";

export class EcsTaskStore {
  /** "ECS Task State Change" events, in the order they were sent. */
  readonly taskStateChanges: EcsTaskStateChangeEvent[] = [];
  private onTaskStateChange?: (event: EcsTaskStateChangeEvent) => void;
  private readonly schedule: (ms: number, fn: () => void) => void;
  /** Cancels for the default scheduler's pending timers. */
  private readonly timers = new Set<() => void>();
  private readonly taskStore = new Map<string, SimulatedTask>();
  /**
   * Tasks this ECS ran before the drill began (the stopped task of a delivered "ECS Task State
   * Change", as ECS still lists it), by ARN: listed and described as they were, never placed or moved.
   */
  private readonly recorded = new Map<string, EcsTask>();
  /** Keep every event in `taskStateChanges` (false: hand them to the listener only). */
  private readonly keep: boolean;

  constructor(
    private readonly account: string,
    private readonly region: string,
    /** The router's list of listener errors, shared with the other services. */
    private readonly callbackErrors: unknown[],
    options: Pick<LocalAwsOptions, "onTaskStateChange" | "schedule" | "keep">,
  ) {
    this.onTaskStateChange = options.onTaskStateChange;
    this.keep = options.keep !== "counts";
    this.schedule = options.schedule ?? ((ms, fn) => this.scheduleTimer(ms, fn));
  }

  /** Forgets the tasks (and their pending transitions) and the events they sent. */
  reset(): void {
    this.taskStateChanges.length = 0;
    this.taskStore.clear();
    this.recorded.clear();
    this.cancelTimers();
  }

  /** Replaces the task state change listener; returns the old one. */
  setListener(listener: ((event: EcsTaskStateChangeEvent) => void) | undefined): ((event: EcsTaskStateChangeEvent) => void) | undefined {
    const previous = this.onTaskStateChange;
    this.onTaskStateChange = listener;
    return previous;
  }

  get(taskArn: string): SimulatedTask | undefined {
    return this.taskStore.get(taskArn);
  }

  /** Keeps a task this ECS ran before (ECS's own form: timestamps in epoch seconds), to be listed and described. */
  record(task: EcsTask): void {
    this.recorded.set(task.taskArn, structuredClone(task));
  }

  /** A recorded task as DescribeTasks shows it (with its tags, none, when asked for). */
  recordedTask(taskArn: string, withTags: boolean): EcsTask | undefined {
    const task = this.recorded.get(taskArn);
    if (task === undefined) return undefined;
    const copy = structuredClone(task);
    if (withTags) copy.tags ??= [];
    else delete copy.tags;
    return copy;
  }

  /** The recorded tasks, in the order they were recorded. */
  recordedTasks(): EcsTask[] {
    return [...this.recorded.values()].map((t) => structuredClone(t));
  }

  add(task: SimulatedTask): void {
    this.taskStore.set(task.taskArn, task);
  }

  /** Every placed task, in launch order. */
  all(): SimulatedTask[] {
    return [...this.taskStore.values()];
  }

  /** Tasks actually placed, in launch order, as they were placed (the launch answer); a clientToken replay adds none. */
  launchedTasks(): EcsTask[] {
    return [...this.taskStore.values()].map((t) => structuredClone(t.launched));
  }

  /** Tasks actually placed, in launch order, as they are at `at` (tags included). */
  tasks(at: number): EcsTask[] {
    return [...this.taskStore.values()].map((t) => {
      this.advance(t, at);
      return t.snapshot({ tags: true });
    });
  }

  /** Sends a just-placed task's first state change event (PENDING or PROVISIONING) and schedules the rest of its life. */
  startLife(task: SimulatedTask): void {
    this.emitTaskState(task.stateChangeEvent(this.account, this.region));
    this.armNext(task, 0);
  }

  // -------------------------------------------------------------------------------------------
  // Task life

  /**
   * Schedules the task's step `index` (with any later steps planned for the same moment, such as
   * PROVISIONING -> PENDING -> RUNNING), timed from the previous step's planned time; each timer
   * arms the next.
   */
  private armNext(task: SimulatedTask, index: number): void {
    const times = task.stepTimes;
    if (index >= times.length) return;
    let last = index;
    while (last + 1 < times.length && times[last + 1] === times[index]) last++;
    const delay = times[index] - (index === 0 ? task.createdMs : times[index - 1]);
    this.schedule(delay, () => {
      // A task forgotten by reset() (or never stored) lives no further.
      if (this.taskStore.get(task.taskArn) !== task) return;
      this.emitTransitions(task.applyThrough(last));
      this.armNext(task, last + 1);
    });
  }

  /** Applies the steps due by `at` that no timer has applied yet. */
  advance(task: SimulatedTask, at: number): void {
    this.emitTransitions(task.advanceTo(at));
  }

  /** One event per transition, each with the task as it then was (a catch-up may apply several at once). */
  private emitTransitions(transitions: TaskTransition[]): void {
    for (const t of transitions) this.emitTaskState(taskStateChangeEvent(t.task, t.atMs, this.account, this.region));
  }

  private scheduleTimer(ms: number, fn: () => void): void {
    // Read at call time: under the drill this is the simulated clock's setTimeout.
    const set = globalThis.setTimeout;
    const clear = globalThis.clearTimeout;
    const cancel = () => {
      try {
        clear(handle);
      } catch {
        // A fake clock that has been uninstalled: its timers are gone already.
      }
    };
    const handle = set(() => {
      this.timers.delete(cancel);
      fn();
    }, ms);
    (handle as { unref?: () => void }).unref?.();
    this.timers.add(cancel);
  }

  cancelTimers(): void {
    for (const cancel of this.timers) cancel();
    this.timers.clear();
  }

  private emitTaskState(event: EcsTaskStateChangeEvent): void {
    if (this.keep) this.taskStateChanges.push(event);
    if (!this.onTaskStateChange) return;
    try {
      // A kept event is the record: the listener gets its own copy.
      this.onTaskStateChange(this.keep ? structuredClone(event) : event);
    } catch (err) {
      this.callbackErrors.push(err);
    }
  }
}
