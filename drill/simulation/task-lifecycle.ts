/**
 * The life of a task the local ECS endpoint placed: where it starts (PENDING, or PROVISIONING when
 * a capacity provider must find room), when it runs, how it stops, and the "ECS Task State Change"
 * event ECS sends to EventBridge at each step.
 *
 * The steps are planned when the task is placed, with their times fixed from then on (createdAt
 * plus the scripted seconds), so a task's timestamps do not depend on when a timer happened to
 * fire. Something else (LocalAws, with setTimeout or an injected scheduler) decides when the steps
 * are applied; this module only knows what each step does.
 */
import { randomUUID } from "node:crypto";

export type EcsTaskStatus = "PROVISIONING" | "PENDING" | "ACTIVATING" | "RUNNING" | "DEACTIVATING" | "STOPPING" | "DEPROVISIONING" | "STOPPED";

/** ECS's TaskStopCode values. */
export type EcsStopCode =
  | "TaskFailedToStart"
  | "EssentialContainerExited"
  | "UserInitiated"
  | "ServiceSchedulerInitiated"
  | "SpotInterruption"
  | "TerminationNotice";

export interface EcsTag {
  key: string;
  value?: string;
}

export interface EcsContainer {
  containerArn: string;
  taskArn: string;
  name: string;
  lastStatus: "PENDING" | "RUNNING" | "STOPPED";
  exitCode?: number;
  reason?: string;
}

/** A task as the ECS JSON 1.1 protocol sends it (DescribeTasks, RunTask): timestamps in epoch seconds. */
export interface EcsTask {
  taskArn: string;
  clusterArn: string;
  taskDefinitionArn: string;
  containerInstanceArn?: string;
  lastStatus: EcsTaskStatus;
  desiredStatus: "RUNNING" | "STOPPED";
  startedBy?: string;
  group: string;
  launchType?: string;
  capacityProviderName?: string;
  createdAt: number;
  startedAt?: number;
  stoppingAt?: number;
  executionStoppedAt?: number;
  stoppedAt?: number;
  stopCode?: EcsStopCode;
  stoppedReason?: string;
  overrides: Record<string, unknown>;
  containers: EcsContainer[];
  enableExecuteCommand: boolean;
  /** Only where ECS shows them: the RunTask answer, and DescribeTasks with include ["TAGS"]. */
  tags?: EcsTag[];
  version: number;
}

/** `detail` of an "ECS Task State Change" event: the task without tags, timestamps as ISO strings. */
export type EcsTaskStateChangeDetail = Omit<EcsTask, "tags" | "createdAt" | "startedAt" | "stoppingAt" | "executionStoppedAt" | "stoppedAt"> & {
  createdAt: string;
  startedAt?: string;
  stoppingAt?: string;
  executionStoppedAt?: string;
  stoppedAt?: string;
  updatedAt: string;
};

export interface EcsTaskStateChangeEvent {
  version: "0";
  id: string;
  "detail-type": "ECS Task State Change";
  source: "aws.ecs";
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: EcsTaskStateChangeDetail;
}

/** How a placed task's life goes: it starts and its essential container exits with `exitCode`, or it never starts. */
export type TaskFate = { kind: "runs"; exitCode: number } | { kind: "nostart"; reason: string };

export interface TaskTimings {
  /** Seconds from placement to RUNNING (or, for a task that never starts, to STOPPED). */
  startSeconds: number;
  /** Seconds from RUNNING to STOPPED. */
  runSeconds: number;
}

/** What the endpoint knows when it places a task. */
export interface TaskPlacement {
  taskArn: string;
  clusterArn: string;
  taskDefinitionArn: string;
  containerInstanceArn?: string;
  startedBy?: string;
  group: string;
  launchType?: string;
  capacityProviderName?: string;
  overrides: Record<string, unknown>;
  /** The first is the essential container whose exit code is the task's. */
  containers: Array<{ name: string; containerArn: string }>;
  enableExecuteCommand: boolean;
  tags: EcsTag[];
  /** Milliseconds since the epoch. */
  createdMs: number;
}

/** One applied step: the task as it became, and when. */
export interface TaskTransition {
  task: EcsTask;
  atMs: number;
}

interface Step {
  atMs: number;
  status: "PENDING" | "RUNNING" | "STOPPED";
}

const ESSENTIAL_CONTAINER_EXITED = "Essential container in task exited";
const TIMESTAMP_FIELDS = ["createdAt", "startedAt", "stoppingAt", "executionStoppedAt", "stoppedAt"] as const;

/**
 * One placed task. A task placed with a capacity provider strategy starts in PROVISIONING, any other
 * in PENDING. A task that runs goes (PROVISIONING ->) PENDING -> RUNNING after `startSeconds`, then
 * STOPPED with stopCode EssentialContainerExited `runSeconds` later; the first container carries the
 * exit code, any others exit 0. A task that never starts goes to STOPPED after `startSeconds`, with
 * stopCode TaskFailedToStart and the scripted stoppedReason (also the containers' reason when it
 * names a container error such as CannotPullContainerError).
 */
export class SimulatedTask {
  readonly taskArn: string;
  readonly createdMs: number;
  /** The task as placed: the RunTask/StartTask answer. */
  readonly launched: EcsTask;
  private readonly fate: TaskFate;
  private readonly steps: Step[];
  private readonly state: EcsTask;
  private tagList: EcsTag[];
  private applied = 0;
  private updatedMs: number;

  constructor(placement: TaskPlacement, fate: TaskFate, timings: TaskTimings) {
    if (!(timings.startSeconds >= 0) || !(timings.runSeconds >= 0) || !Number.isFinite(timings.startSeconds + timings.runSeconds)) {
      throw new Error(`task timings need finite startSeconds and runSeconds >= 0, got ${JSON.stringify(timings)}`);
    }
    this.taskArn = placement.taskArn;
    this.createdMs = placement.createdMs;
    this.updatedMs = placement.createdMs;
    this.fate = fate;
    this.tagList = structuredClone(placement.tags);
    const provisioning = placement.capacityProviderName !== undefined;
    this.state = {
      taskArn: placement.taskArn,
      clusterArn: placement.clusterArn,
      taskDefinitionArn: placement.taskDefinitionArn,
      ...(placement.containerInstanceArn ? { containerInstanceArn: placement.containerInstanceArn } : {}),
      lastStatus: provisioning ? "PROVISIONING" : "PENDING",
      desiredStatus: "RUNNING",
      ...(placement.startedBy !== undefined ? { startedBy: placement.startedBy } : {}),
      group: placement.group,
      ...(placement.launchType !== undefined ? { launchType: placement.launchType } : {}),
      ...(placement.capacityProviderName !== undefined ? { capacityProviderName: placement.capacityProviderName } : {}),
      createdAt: placement.createdMs / 1000,
      overrides: structuredClone(placement.overrides),
      containers: placement.containers.map((c) => ({ containerArn: c.containerArn, taskArn: placement.taskArn, name: c.name, lastStatus: "PENDING" })),
      enableExecuteCommand: placement.enableExecuteCommand,
      version: 1,
    };
    this.launched = this.snapshot({ tags: this.tagList.length > 0 });

    const startMs = placement.createdMs + timings.startSeconds * 1000;
    this.steps =
      fate.kind === "nostart"
        ? [{ atMs: startMs, status: "STOPPED" }]
        : [
            ...(provisioning ? [{ atMs: startMs, status: "PENDING" as const }] : []),
            { atMs: startMs, status: "RUNNING" },
            { atMs: startMs + timings.runSeconds * 1000, status: "STOPPED" },
          ];
  }

  /** Planned time of every step, applied or not, in order (ms since the epoch). */
  get stepTimes(): number[] {
    return this.steps.map((s) => s.atMs);
  }

  /** Number of steps applied so far. */
  get appliedSteps(): number {
    return this.applied;
  }

  get lastStatus(): EcsTaskStatus {
    return this.state.lastStatus;
  }

  /** Applies the steps up to and including `index` that are not applied yet. */
  applyThrough(index: number): TaskTransition[] {
    const out: TaskTransition[] = [];
    while (this.applied <= index && this.applied < this.steps.length) out.push(this.apply(this.steps[this.applied++]));
    return out;
  }

  /** Applies every step due at or before `nowMs`. */
  advanceTo(nowMs: number): TaskTransition[] {
    let last = this.applied - 1;
    while (last + 1 < this.steps.length && this.steps[last + 1].atMs <= nowMs) last++;
    return this.applyThrough(last);
  }

  /** The task as it is now; tags only when asked, as DescribeTasks shows them only with include ["TAGS"]. */
  snapshot(options: { tags: boolean }): EcsTask {
    const task = structuredClone(this.state);
    if (options.tags) task.tags = structuredClone(this.tagList);
    return task;
  }

  /** Adds tags, replacing the value of a key already present (TagResource). */
  tag(tags: readonly EcsTag[]): void {
    for (const t of tags) {
      const i = this.tagList.findIndex((x) => x.key === t.key);
      const copy = { ...t };
      if (i >= 0) this.tagList[i] = copy;
      else this.tagList.push(copy);
    }
  }

  tags(): EcsTag[] {
    return structuredClone(this.tagList);
  }

  /** The EventBridge event for the task's current state. */
  stateChangeEvent(account: string, region: string): EcsTaskStateChangeEvent {
    return taskStateChangeEvent(this.state, this.updatedMs, account, region);
  }

  private apply(step: Step): TaskTransition {
    const s = this.state;
    const at = step.atMs / 1000;
    s.lastStatus = step.status;
    if (step.status === "RUNNING") {
      s.startedAt = at;
      for (const c of s.containers) c.lastStatus = "RUNNING";
    } else if (step.status === "STOPPED") {
      s.desiredStatus = "STOPPED";
      s.stoppingAt = at;
      s.stoppedAt = at;
      if (this.fate.kind === "nostart") {
        s.stopCode = "TaskFailedToStart";
        s.stoppedReason = this.fate.reason;
        const containerError = isContainerError(this.fate.reason);
        for (const c of s.containers) {
          c.lastStatus = "STOPPED";
          if (containerError) c.reason = this.fate.reason;
        }
      } else {
        s.stopCode = "EssentialContainerExited";
        s.stoppedReason = ESSENTIAL_CONTAINER_EXITED;
        s.executionStoppedAt = at;
        const exitCode = this.fate.exitCode;
        s.containers.forEach((c, i) => {
          c.lastStatus = "STOPPED";
          c.exitCode = i === 0 ? exitCode : 0;
        });
      }
    }
    s.version++;
    this.updatedMs = step.atMs;
    return { task: this.snapshot({ tags: false }), atMs: step.atMs };
  }
}

/** "CannotPullContainerError: ...", "ResourceInitializationError: ...": errors ECS also reports on the container. */
function isContainerError(reason: string): boolean {
  return /^(Cannot\w*Error|ResourceInitializationError|ContainerRuntimeError|ContainerRuntimeTimeoutError)\b/.test(reason);
}

/**
 * The "ECS Task State Change" event for `task` as it was at `updatedMs`: the DescribeTasks record
 * without tags (ECS does not send them), its timestamps as ISO strings, plus updatedAt.
 */
export function taskStateChangeEvent(task: EcsTask, updatedMs: number, account: string, region: string): EcsTaskStateChangeEvent {
  const { tags: _tags, ...rest } = structuredClone(task);
  const detail = rest as unknown as Record<string, unknown>;
  for (const field of TIMESTAMP_FIELDS) {
    const v = task[field];
    if (typeof v === "number") detail[field] = new Date(v * 1000).toISOString();
  }
  detail.updatedAt = new Date(updatedMs).toISOString();
  return {
    version: "0",
    id: randomUUID(),
    "detail-type": "ECS Task State Change",
    source: "aws.ecs",
    account,
    time: new Date(updatedMs).toISOString().replace(/\.\d{3}Z$/, "Z"),
    region,
    resources: [task.taskArn],
    detail: detail as EcsTaskStateChangeDetail,
  };
}
