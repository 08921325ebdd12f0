// ECS state per account and region: each place the drill's callers sign for has its own tasks,
// client tokens, launch script cursor and CloudTrail, as each account's ECS in each region is its
// own service in AWS. The home place is the endpoint's own account and region (the hub's); the others
// come into being at their first call (a spoke's, made with its relaunch role's credentials).
import { LocalCloudTrail } from "../cloudtrail";
import { LocalCloudTrailHistory, type HistorySettings } from "../cloudtrail-history";
import { LocalEcs } from "./ecs";
import type { EcsAnswer } from "./ecs-script";
import { EcsTaskStore } from "./ecs-tasks";
import type { CloudTrailApiCallEvent, LocalAwsOptions } from "../shapes";
import type { EcsTaskStateChangeEvent } from "../../simulation/task-lifecycle";

/** One account and region's ECS. */
export interface EcsPlace {
  readonly account: string;
  readonly region: string;
  readonly taskStore: EcsTaskStore;
  readonly ecs: LocalEcs;
  readonly cloudTrail: LocalCloudTrail;
  /** Its CloudTrail event history (LookupEvents). */
  readonly history: LocalCloudTrailHistory;
}

type CloudTrailListener = ((event: CloudTrailApiCallEvent) => void) | undefined;
type TaskListener = ((event: EcsTaskStateChangeEvent) => void) | undefined;

export class EcsPlaces {
  private readonly places = new Map<string, EcsPlace>();
  private cloudTrailListener: CloudTrailListener;
  private taskListener: TaskListener;
  private script?: ReadonlyArray<string | EcsAnswer>;
  private taskDefinitions: readonly Record<string, unknown>[] = [];
  /** How every place's event history behaves (rate limit, delivery delay). */
  historySettings: HistorySettings = {};
  readonly home: EcsPlace;

  constructor(
    account: string,
    region: string,
    private readonly callbackErrors: unknown[],
    private readonly options: LocalAwsOptions,
  ) {
    this.cloudTrailListener = options.onCloudTrailEvent;
    this.taskListener = options.onTaskStateChange;
    this.home = this.at(account, region);
  }

  /** The ECS of `account` in `region`, made on first use with the same script and settings as the others. */
  at(account: string, region: string): EcsPlace {
    const key = `${account}/${region}`;
    let place = this.places.get(key);
    if (place === undefined) {
      const taskStore = new EcsTaskStore(account, region, this.callbackErrors, { ...this.options, onTaskStateChange: this.taskListener });
      const ecs = new LocalEcs(region, account, this.options, taskStore);
      if (this.script !== undefined) ecs.setEcsScript(this.script);
      ecs.setTaskDefinitions(this.taskDefinitions);
      const cloudTrail = new LocalCloudTrail(account, region, this.callbackErrors, this.cloudTrailListener, this.options.keep !== "counts");
      const history = new LocalCloudTrailHistory(cloudTrail.events, () => this.historySettings);
      place = { account, region, taskStore, ecs, cloudTrail, history };
      this.places.set(key, place);
    }
    return place;
  }

  all(): EcsPlace[] {
    return [...this.places.values()];
  }

  setCloudTrailListener(listener: CloudTrailListener): CloudTrailListener {
    const previous = this.cloudTrailListener;
    this.cloudTrailListener = listener;
    for (const p of this.places.values()) p.cloudTrail.setListener(listener);
    return previous;
  }

  setTaskStateChangeListener(listener: TaskListener): TaskListener {
    const previous = this.taskListener;
    this.taskListener = listener;
    for (const p of this.places.values()) p.taskStore.setListener(listener);
    return previous;
  }

  setEcsScript(script: ReadonlyArray<string | EcsAnswer>): void {
    this.script = script;
    for (const p of this.places.values()) p.ecs.setEcsScript(script);
  }

  setTaskDefinitions(answers: readonly Record<string, unknown>[]): void {
    this.taskDefinitions = [...answers];
    for (const p of this.places.values()) p.ecs.setTaskDefinitions(answers);
  }

  /** Forgets every place's tasks, tokens and events; places other than home are dropped. */
  reset(): void {
    for (const p of this.places.values()) {
      p.ecs.reset();
      p.cloudTrail.reset();
      p.history.reset();
      if (p !== this.home) p.taskStore.cancelTimers();
    }
    for (const [key, p] of this.places) if (p !== this.home) this.places.delete(key);
  }

  cancelTimers(): void {
    for (const p of this.places.values()) p.taskStore.cancelTimers();
  }
}
