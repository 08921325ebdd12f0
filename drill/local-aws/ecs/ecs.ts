// The local ECS endpoint: RunTask/StartTask answered from the launch script (with clientToken
// idempotency and the per-account rate limit), DescribeTasks, ListTasks, TagResource and ListTagsForResource.
import { randomBytes, randomUUID } from "node:crypto";
import { SimulatedTask, type EcsTag, type EcsTask, type TaskFate } from "../../simulation/task-lifecycle";
import type { EcsTaskStore } from "./ecs-tasks";
import { parseEcsAnswer, type EcsAnswer } from "./ecs-script";
import { ApiError, isObject, md5Hex, type LocalService, type Reply } from "../protocol";
import type { EcsFailure, LocalAwsOptions } from "../shapes";

export const ECS_TARGET_PREFIX = "AmazonEC2ContainerServiceV20141113";
const MAX_TASKS_PER_RUNTASK = 10;
const MAX_INSTANCES_PER_STARTTASK = 10;
const MAX_TAGS_PER_RESOURCE = 50;
const ECS_OPERATIONS = new Set<string | undefined>(["RunTask", "StartTask", "DescribeTasks", "ListTasks", "TagResource", "ListTagsForResource", "DescribeTaskDefinition"]);

interface StoredToken {
  fingerprint: string;
  tasks: EcsTask[];
  failures: EcsFailure[];
}

export class LocalEcs implements LocalService {
  readonly operations = ECS_OPERATIONS;
  private script: EcsAnswer[];
  private cursor = 0;
  private readonly throttleSpec?: { burst: number; refillPerSecond: number };
  private bucket: { tokens: number; at?: number };
  private readonly startSeconds: number;
  private readonly runSeconds: number;
  private readonly tokens = new Map<string, StoredToken>();
  /** DescribeTaskDefinition answers the drill serves (`--task-definition`), by ARN and family:revision. */
  private taskDefinitions: Record<string, unknown>[] = [];

  constructor(
    private readonly region: string,
    private readonly account: string,
    options: LocalAwsOptions,
    /** The tasks placed here; the router reads them too. */
    private readonly taskStore: EcsTaskStore,
  ) {
    this.script = LocalEcs.toScript(options.ecsScript ?? ["ok"]);
    if (options.throttle) {
      const { burst, refillPerSecond } = options.throttle;
      if (!(burst >= 1) || !(refillPerSecond >= 0)) throw new Error(`throttle needs burst >= 1 and refillPerSecond >= 0, got ${JSON.stringify(options.throttle)}`);
      this.throttleSpec = { burst, refillPerSecond };
    }
    this.bucket = { tokens: this.throttleSpec?.burst ?? 0 };
    this.startSeconds = options.startSeconds ?? 5;
    this.runSeconds = options.runSeconds ?? 60;
    for (const [name, v] of [["startSeconds", this.startSeconds], ["runSeconds", this.runSeconds]] as const) {
      if (!(v >= 0) || !Number.isFinite(v)) throw new Error(`${name} must be a finite number >= 0, got ${v}`);
    }
  }

  private static toScript(script: ReadonlyArray<string | EcsAnswer>): EcsAnswer[] {
    if (script.length === 0) throw new Error("ecsScript needs at least one entry (the last entry repeats forever)");
    return script.map((e) => {
      if (typeof e === "string") return parseEcsAnswer(e);
      for (const key of ["startSeconds", "runSeconds"] as const) {
        const v = (e as { startSeconds?: number; runSeconds?: number })[key];
        if (v !== undefined && (!(v >= 0) || !Number.isFinite(v))) throw new Error(`Invalid ECS script entry ${JSON.stringify(e)}: ${key} must be a finite number >= 0`);
      }
      return { ...e };
    });
  }

  /** Forgets the tasks and client tokens, rewinds the script and refills the bucket. */
  reset(): void {
    this.tokens.clear();
    this.taskStore.reset();
    this.cursor = 0;
    this.bucket = { tokens: this.throttleSpec?.burst ?? 0 };
  }

  /** The DescribeTaskDefinition answers to serve (each `{ taskDefinition: {...} }`). */
  setTaskDefinitions(answers: readonly Record<string, unknown>[]): void {
    this.taskDefinitions = [...answers];
  }

  /** DescribeTaskDefinition of a served definition, by ARN or family:revision; ECS's own error otherwise. */
  private describeTaskDefinition(request: Record<string, unknown>): Reply {
    const ref = typeof request.taskDefinition === "string" ? request.taskDefinition : "";
    const short = ref.replace(/^arn:[^:]+:ecs:[^:]+:\d+:task-definition\//, "");
    const found = this.taskDefinitions.find((a) => {
      const td = (a.taskDefinition ?? {}) as { taskDefinitionArn?: string; family?: string; revision?: number };
      return td.taskDefinitionArn === ref || `${td.family}:${td.revision}` === short || (td.taskDefinitionArn ?? "").endsWith(`/${short}`);
    });
    if (!found) throw new ApiError("ClientException", "Unable to describe task definition.");
    return { status: 200, body: structuredClone(found), answer: "ok" };
  }

  /** Replaces the launch script and rewinds it (records and tokens are kept). */
  setEcsScript(script: ReadonlyArray<string | EcsAnswer>): void {
    this.script = LocalEcs.toScript(script);
    this.cursor = 0;
  }

  answer(op: string, request: Record<string, unknown>, at: number): Reply {
    if (op === "RunTask" || op === "StartTask") return this.launch(op, request, at);
    if (op === "DescribeTasks") return this.describeTasks(request, at);
    if (op === "ListTasks") return this.listTasks(request, at);
    if (op === "DescribeTaskDefinition") return this.describeTaskDefinition(request);
    if (op === "TagResource") return this.tagResource(request, at);
    return this.listTagsForResource(request, at);
  }

  private launch(op: "RunTask" | "StartTask", request: Record<string, unknown>, at: number): Reply {
    // The rate limit sits in front of everything else: a throttled call is never validated,
    // never consumes a script entry and never stores its clientToken.
    if (!this.takeBucketToken(at)) throw new ApiError("ThrottlingException", "Rate exceeded");

    const clusterName = clusterNameOf(request.cluster);
    if (typeof request.taskDefinition !== "string" || request.taskDefinition === "") {
      throw new ApiError("InvalidParameterException", "taskDefinition is required");
    }

    // One slot per requested task: the container instance it would land on (none on Fargate).
    let slots: Array<string | undefined>;
    if (op === "RunTask") {
      const count = request.count ?? 1;
      if (typeof count !== "number" || !Number.isInteger(count) || count < 1 || count > MAX_TASKS_PER_RUNTASK) {
        throw new ApiError("InvalidParameterException", `count must be between 1 and ${MAX_TASKS_PER_RUNTASK}`);
      }
      const onFargate = request.launchType === "FARGATE" || capacityProviderOf(request)?.startsWith("FARGATE") === true;
      slots = Array.from({ length: count }, () => (onFargate ? undefined : this.containerInstanceArn(clusterName)));
    } else {
      const instances = request.containerInstances;
      if (!Array.isArray(instances) || instances.length === 0 || instances.length > MAX_INSTANCES_PER_STARTTASK || !instances.every((i) => typeof i === "string")) {
        throw new ApiError("InvalidParameterException", `containerInstances must list 1 to ${MAX_INSTANCES_PER_STARTTASK} container instances`);
      }
      slots = (instances as string[]).map((i) => (i.startsWith("arn:") ? i : `${this.arnPrefix()}:container-instance/${clusterName}/${i}`));
    }

    // StartTask has no clientToken in the ECS API, so only RunTask is idempotent.
    const clientToken = op === "RunTask" && typeof request.clientToken === "string" ? request.clientToken : undefined;
    // A digest, not the request itself: ECS keeps tokens for a day, the drill for the whole run.
    const fingerprint = md5Hex(op + canonicalJson(request));
    if (clientToken !== undefined) {
      const prior = this.tokens.get(clientToken);
      if (prior && prior.fingerprint === fingerprint) {
        return { status: 200, body: { tasks: prior.tasks, failures: prior.failures }, answer: "replayed", tasks: prior.tasks, failures: prior.failures };
      }
      if (prior) {
        throw new ApiError(
          "ConflictException",
          "The RunTask request could not be processed due to conflicts. The provided clientToken is already in use with a different RunTask request.",
          { resourceIds: prior.tasks.map((t) => t.taskArn) },
        );
      }
    }

    const entry = this.script[Math.min(this.cursor, this.script.length - 1)];
    this.cursor++;
    let placedCount: number;
    let reason = "AGENT";
    let fate: TaskFate = { kind: "runs", exitCode: 0 };
    let startSeconds = this.startSeconds;
    let runSeconds = this.runSeconds;
    let afterEffect: "5xx" | "drop" | undefined;
    switch (entry.kind) {
      case "throttle":
        throw new ApiError("ThrottlingException", "Rate exceeded");
      case "error":
        throw new ApiError(entry.name, `Scripted ${entry.name}`);
      case "drop":
        return { status: 0, body: {}, answer: "error", errorCode: "NoAnswer", afterEffect: "drop" };
      case "after":
        placedCount = slots.length;
        afterEffect = entry.fault;
        break;
      case "ok":
      case "exit":
      case "nostart":
        placedCount = slots.length;
        if (entry.kind === "exit") fate = { kind: "runs", exitCode: entry.exitCode };
        if (entry.kind === "nostart") fate = { kind: "nostart", reason: entry.reason };
        startSeconds = entry.startSeconds ?? startSeconds;
        if (entry.kind !== "nostart") runSeconds = entry.runSeconds ?? runSeconds;
        break;
      case "partial":
        placedCount = Math.min(entry.placed, slots.length);
        break;
      case "fail":
        placedCount = 0;
        reason = entry.reason;
        break;
    }

    const placed = slots.slice(0, placedCount).map((slot) => this.newTask(request, clusterName, slot, at, fate, { startSeconds, runSeconds }));
    const tasks = placed.map((t) => structuredClone(t.launched));
    const failures: EcsFailure[] = slots.slice(placedCount).map((slot) => ({ arn: slot ?? this.containerInstanceArn(clusterName), reason }));
    for (const t of placed) this.taskStore.add(t);
    if (clientToken !== undefined) this.tokens.set(clientToken, { fingerprint, tasks, failures });
    return { status: 200, body: { tasks, failures }, answer: failures.length > 0 ? "failed" : "ok", tasks, failures, placed, ...(afterEffect ? { afterEffect } : {}) };
  }

  /**
   * ListTasks: the tasks of a cluster, optionally on one container instance, whose desired status is
   * `desiredStatus` (RUNNING unless given), as ECS filters them. One page of up to 100.
   */
  private listTasks(request: Record<string, unknown>, at: number): Reply {
    const clusterName = clusterNameOf(request.cluster);
    const instance = typeof request.containerInstance === "string" ? request.containerInstance : undefined;
    const desired = request.desiredStatus ?? "RUNNING";
    if (desired !== "RUNNING" && desired !== "STOPPED" && desired !== "PENDING") throw new ApiError("InvalidParameterException", "desiredStatus must be RUNNING, PENDING or STOPPED");
    const clusterArn = `${this.arnPrefix()}:cluster/${clusterName}`;
    const taskArns: string[] = [];
    const tasks = [
      ...this.taskStore.recordedTasks(),
      ...this.taskStore.all().map((task) => {
        this.taskStore.advance(task, at);
        return task.snapshot({ tags: false });
      }),
    ];
    for (const t of tasks) {
      if (t.clusterArn !== clusterArn) continue;
      if (instance !== undefined && t.containerInstanceArn?.split("/").pop() !== instance.split("/").pop()) continue;
      if ((t.desiredStatus === "STOPPED") !== (desired === "STOPPED")) continue;
      taskArns.push(t.taskArn);
    }
    return { status: 200, body: { taskArns: taskArns.slice(0, 100) }, answer: "ok" };
  }

  private describeTasks(request: Record<string, unknown>, at: number): Reply {
    const clusterName = clusterNameOf(request.cluster);
    const wanted = request.tasks;
    if (!Array.isArray(wanted) || !wanted.every((t) => typeof t === "string")) {
      throw new ApiError("InvalidParameterException", "tasks must be a list of task ARNs or IDs");
    }
    const include = request.include ?? [];
    if (!Array.isArray(include) || !include.every((i) => i === "TAGS")) {
      throw new ApiError("InvalidParameterException", 'include accepts only "TAGS"');
    }
    const withTags = include.includes("TAGS");
    const tasks: EcsTask[] = [];
    const failures: EcsFailure[] = [];
    for (const ref of wanted as string[]) {
      // An ID is only meaningful within the cluster named in the request; an ARN names its own.
      const arn = ref.startsWith("arn:") ? ref : `${this.arnPrefix()}:task/${clusterName}/${ref}`;
      const task = this.taskStore.get(arn);
      const recorded = task ? undefined : this.taskStore.recordedTask(arn, withTags);
      if (recorded) {
        tasks.push(recorded);
        continue;
      }
      if (!task) {
        failures.push({ arn: ref, reason: "MISSING" });
        continue;
      }
      // The answer is the task as of this request, even if a transition's timer has not fired yet.
      this.taskStore.advance(task, at);
      tasks.push(task.snapshot({ tags: withTags }));
    }
    return { status: 200, body: { tasks, failures }, answer: "ok", tasks, failures };
  }

  private tagResource(request: Record<string, unknown>, at: number): Reply {
    const task = this.taggedTask(request.resourceArn, at);
    const tags = request.tags;
    if (!Array.isArray(tags) || tags.length === 0 || !tags.every((t) => isObject(t) && typeof t.key === "string" && t.key !== "" && (t.value === undefined || typeof t.value === "string"))) {
      throw new ApiError("InvalidParameterException", "tags must be a non-empty list of {key, value} with non-empty keys");
    }
    const keys = new Set([...task.tags().map((t) => t.key), ...(tags as EcsTag[]).map((t) => t.key)]);
    if (keys.size > MAX_TAGS_PER_RESOURCE) throw new ApiError("InvalidParameterException", `a resource can have at most ${MAX_TAGS_PER_RESOURCE} tags`);
    task.tag((tags as EcsTag[]).map((t) => ({ key: t.key, ...(t.value !== undefined ? { value: t.value } : {}) })));
    return { status: 200, body: {}, answer: "ok" };
  }

  private listTagsForResource(request: Record<string, unknown>, at: number): Reply {
    const task = this.taggedTask(request.resourceArn, at);
    return { status: 200, body: { tags: task.tags() }, answer: "ok" };
  }

  /** The task a TagResource/ListTagsForResource names; only tasks placed here can be tagged. */
  private taggedTask(resourceArn: unknown, at: number): SimulatedTask {
    if (typeof resourceArn !== "string" || resourceArn === "") throw new ApiError("InvalidParameterException", "resourceArn is required");
    const task = this.taskStore.get(resourceArn);
    if (!task) throw new ApiError("InvalidParameterException", `The specified resource ${resourceArn} was not found.`);
    this.taskStore.advance(task, at);
    return task;
  }

  // -------------------------------------------------------------------------------------------

  private takeBucketToken(at: number): boolean {
    const spec = this.throttleSpec;
    if (!spec) return true;
    if (this.bucket.at === undefined || at < this.bucket.at) {
      // First call, or the clock was swapped for a fake one that starts earlier: start counting here.
      this.bucket.at = at;
    } else {
      this.bucket.tokens = Math.min(spec.burst, this.bucket.tokens + ((at - this.bucket.at) * spec.refillPerSecond) / 1000);
      this.bucket.at = at;
    }
    if (this.bucket.tokens < 1) return false;
    this.bucket.tokens -= 1;
    return true;
  }

  private arnPrefix(): string {
    return `arn:aws:ecs:${this.region}:${this.account}`;
  }

  private containerInstanceArn(clusterName: string): string {
    return `${this.arnPrefix()}:container-instance/${clusterName}/${md5Hex(`${this.account}/${clusterName}`)}`;
  }

  private newTask(
    request: Record<string, unknown>,
    clusterName: string,
    containerInstanceArn: string | undefined,
    at: number,
    fate: TaskFate,
    timings: { startSeconds: number; runSeconds: number },
  ): SimulatedTask {
    const id = randomBytes(16).toString("hex");
    const taskArn = `${this.arnPrefix()}:task/${clusterName}/${id}`;
    const taskDefinitionArn = this.taskDefinitionArn(request.taskDefinition as string);
    const family = taskDefinitionArn.replace(/^.*:task-definition\//, "").replace(/:\d+$/, "");
    const overrides = isObject(request.overrides) ? structuredClone(request.overrides) : {};
    const containerOverrides = Array.isArray(overrides.containerOverrides) ? overrides.containerOverrides : [];
    // The task definition is not known here: its containers are those the overrides name (the
    // first being the essential one), or a single "app".
    const named = containerOverrides.filter((c): c is { name: string } => isObject(c) && typeof c.name === "string").map((c) => c.name);
    const names = named.length > 0 ? [...new Set(named)] : ["app"];
    const capacityProviderName = capacityProviderOf(request);
    return new SimulatedTask(
      {
        taskArn,
        clusterArn: `${this.arnPrefix()}:cluster/${clusterName}`,
        taskDefinitionArn,
        containerInstanceArn,
        ...(typeof request.startedBy === "string" ? { startedBy: request.startedBy } : {}),
        group: typeof request.group === "string" ? request.group : `family:${family}`,
        // With neither a launch type nor a strategy (and no cluster default) ECS falls back to EC2.
        ...(typeof request.launchType === "string" ? { launchType: request.launchType } : capacityProviderName ? {} : { launchType: "EC2" }),
        ...(capacityProviderName ? { capacityProviderName } : {}),
        overrides,
        containers: names.map((name) => ({ name, containerArn: `${this.arnPrefix()}:container/${clusterName}/${id}/${randomUUID()}` })),
        enableExecuteCommand: request.enableExecuteCommand === true,
        tags: Array.isArray(request.tags) ? (structuredClone(request.tags) as EcsTag[]) : [],
        createdMs: at,
      },
      fate,
      timings,
    );
  }

  private taskDefinitionArn(ref: string): string {
    if (ref.startsWith("arn:")) return ref;
    // A bare family means "latest ACTIVE revision"; we have no registry, so call it revision 1.
    return `${this.arnPrefix()}:task-definition/${ref.includes(":") ? ref : `${ref}:1`}`;
  }
}

function clusterNameOf(cluster: unknown): string {
  if (typeof cluster !== "string" || cluster === "") return "default";
  const i = cluster.indexOf(":cluster/");
  return i >= 0 ? cluster.slice(i + ":cluster/".length) : cluster;
}

function capacityProviderOf(request: Record<string, unknown>): string | undefined {
  const strategy = request.capacityProviderStrategy;
  if (!Array.isArray(strategy) || strategy.length === 0 || !isObject(strategy[0])) return undefined;
  const cp = strategy[0].capacityProvider;
  return typeof cp === "string" ? cp : undefined;
}

function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(",")}]`;
  if (isObject(v)) {
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(v[k])}`)
      .join(",")}}`;
  }
  return JSON.stringify(v) ?? "null";
}
