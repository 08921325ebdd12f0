/**
 * Thin shell of the reconciler: on its schedule it sweeps what AWS keeps anyway, in every place the
 * pipeline serves, and hands each failure it finds to the state machine under the execution name the
 * starter gives the same failure (executionNameFor), so a failure whose event did arrive meets its
 * own execution (ExecutionAlreadyExists: nothing more happens) and one whose event never arrived is
 * handled now. Two sources:
 * - CloudTrail event history (LookupEvents, no trail needed, 90 days): RunTask and StartTask records,
 *   judged by the launch-failure pattern's rules (core/rejected-launch.ts), read in settled,
 *   overlapping chunks behind a durable cursor (core/windows.ts), paced to LookupEvents' rate;
 * - ECS: the recently stopped tasks of each protected cluster (ListTasks desiredStatus STOPPED,
 *   DescribeTasks in batches of 100 with their tags), judged by the task-failure pattern's rules
 *   and the owner tags (core/stopped-task.ts).
 * A failure it starts itself is logged with FOUND_BY_RECONCILER (a metric filter counts it, an alarm
 * watches it: the event path is broken somewhere). Normal outcomes are returned; a fault (a
 * StartExecution refused, a place it cannot read) is thrown at the end of the run, after everything
 * else was swept, so the function's Errors alarm means a real fault.
 */
import { LookupEventsCommand, type LookupEventsCommandInput, type LookupEventsCommandOutput } from "@aws-sdk/client-cloudtrail";
import { GetItemCommand, PutItemCommand, type GetItemCommandOutput, type PutItemCommandOutput } from "@aws-sdk/client-dynamodb";
import { DescribeTasksCommand, ListTasksCommand, type DescribeTasksCommandOutput, type ListTasksCommandOutput } from "@aws-sdk/client-ecs";
import { StartExecutionCommand, type StartExecutionCommandOutput } from "@aws-sdk/client-sfn";
import { describeError, logJson } from "../shared/log";
import { executionNameFor } from "../starter/execution-name";
import { classifyEcsError, isThrottlingError } from "../rerun/core/relaunch/ecs-errors";
import { accountOfFunctionArn, placeLabel, type Place } from "../rerun/core/relaunch/place";
import { SpokeAccessError } from "../rerun/role-credentials";
import type { ReconciledPlace, ReconcilerConfig } from "./config";
import { cloudTrailEnvelope, taskEnvelope } from "./core/found-event";
import { judgeLaunchRecord, LAUNCH_EVENT_NAMES, relaunchRoleArnPrefixOf } from "./core/rejected-launch";
import { judgeStoppedTask, stoppedAtMs } from "./core/stopped-task";
import { advance, chunksToRead, retreat, type Chunk } from "./core/windows";
import { CURSOR_KEY_ATTRIBUTE, CURSOR_VALUE_ATTRIBUTE, FOUND_BY_RECONCILER, cursorKey } from "./core/names";

export { CURSOR_KEY_ATTRIBUTE, CURSOR_VALUE_ATTRIBUTE, FOUND_BY_RECONCILER } from "./core/names";
/** DescribeTasks takes at most 100 tasks a call (ECS API Reference, "DescribeTasks"). */
export const DESCRIBE_BATCH = 100;
/** Kept free before the function's timeout: a run stops sweeping this long before it would be killed. */
export const TIME_MARGIN_MS = 20_000;
/** Budget without a Lambda context (tests, the drill). */
export const DEFAULT_TIME_BUDGET_MS = 240_000 - TIME_MARGIN_MS;

export interface CloudTrailSender {
  send(command: LookupEventsCommand): Promise<LookupEventsCommandOutput>;
}
export interface EcsReader {
  send(command: ListTasksCommand): Promise<ListTasksCommandOutput>;
  send(command: DescribeTasksCommand): Promise<DescribeTasksCommandOutput>;
}
export interface SfnStarter {
  send(command: StartExecutionCommand): Promise<StartExecutionCommandOutput>;
}
export interface CursorSender {
  send(command: GetItemCommand): Promise<GetItemCommandOutput>;
  send(command: PutItemCommand): Promise<PutItemCommandOutput>;
}

/** Where the cursors are kept: one per place, the end of the newest chunk of its history read in full. */
export interface CursorStore {
  get(key: string): Promise<number | undefined>;
  put(key: string, coveredUntilMs: number): Promise<void>;
}

/** A DynamoDB-backed {@link CursorStore} (GetItem, PutItem on the one table). */
export function dynamoCursors(table: string, dynamodb: CursorSender): CursorStore {
  return {
    async get(key) {
      const out = await dynamodb.send(new GetItemCommand({ TableName: table, Key: { [CURSOR_KEY_ATTRIBUTE]: { S: key } }, ConsistentRead: true }));
      const n = out.Item?.[CURSOR_VALUE_ATTRIBUTE]?.N;
      return n === undefined ? undefined : Number(n);
    },
    async put(key, coveredUntilMs) {
      await dynamodb.send(new PutItemCommand({ TableName: table, Item: { [CURSOR_KEY_ATTRIBUTE]: { S: key }, [CURSOR_VALUE_ATTRIBUTE]: { N: String(coveredUntilMs) } } }));
    },
  };
}

/** The clients of one place: the function's own at home, a spoke's sweep role's elsewhere. */
export interface PlaceReaders {
  readonly cloudTrail: CloudTrailSender;
  readonly ecs: EcsReader;
}

export interface ReconcilerDeps {
  readonly sfn: SfnStarter;
  readonly cursors: CursorStore;
  /** The readers of a place (throws when the place cannot be reached, e.g. its sweep role refused). */
  readonly readersFor: (place: Place, home: boolean) => Promise<PlaceReaders>;
  /** ms since the epoch. @default Date.now */
  readonly now?: () => number;
  /** Waits between paced lookups (a simulated clock injects its own). @default a real timer */
  readonly sleep?: (ms: number) => Promise<void>;
  /** The home account where there is no Lambda context (tests, the drill). */
  readonly homeAccount?: string;
}

export interface InvocationContext {
  getRemainingTimeInMillis?: () => number;
  invokedFunctionArn?: string;
}

/** What one run did, per place and in all. */
export interface ReconcileSummary {
  /** Failures found and handed over that had no execution yet: the event path missed them. */
  readonly started: number;
  /** Failures found that already had their execution (the event path's). */
  readonly alreadyHandled: number;
  /** LookupEvents calls made, and how many were throttled. */
  readonly lookups: number;
  readonly throttled: number;
  /** Places whose CloudTrail history is read up to the settled end (false: the next run goes on). */
  readonly caughtUp: Readonly<Record<string, boolean>>;
  /** Places whose stopped tasks were all read (false: the next run reads them again). */
  readonly tasksSwept: Readonly<Record<string, boolean>>;
  /** Failures found that could not be handed over (the next run finds them again). */
  readonly notHandedOver: number;
  /** Faults met (also thrown as a ReconcileError at the end of the run). */
  readonly faults: readonly string[];
}

/** The run met a fault: thrown after the sweep so the function's Errors metric counts it. */
export class ReconcileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ReconcileError";
  }
}

const realSetTimeout = setTimeout;
const realSleep = (ms: number) => new Promise<void>((resolve) => realSetTimeout(resolve, ms));
const errorName = (err: unknown) => (err as { name?: string } | null)?.name ?? "";
/** Throttled, a 5xx or no answer: AWS's weather, which the next run meets again; not a fault of the pipeline. */
const transient = (err: unknown) => (err instanceof SpokeAccessError ? err.transient : classifyEcsError(err).outcome !== "gave_up");

/** Out of time: the sweep stops where it is; the cursor keeps what was read in full. */
class OutOfTime extends Error {}

export type ReconcilerHandler = (event?: unknown, context?: InvocationContext) => Promise<ReconcileSummary>;

export function makeHandler(config: ReconcilerConfig, deps: ReconcilerDeps): ReconcilerHandler {
  const now = deps.now ?? (() => Date.now());
  const sleep = deps.sleep ?? realSleep;
  return async function handler(_event?: unknown, context?: InvocationContext): Promise<ReconcileSummary> {
    const remaining = context?.getRemainingTimeInMillis?.();
    const deadline = now() + (remaining === undefined ? DEFAULT_TIME_BUDGET_MS : remaining - TIME_MARGIN_MS);
    return new ReconcilerRun(config, deps, { now, sleep, deadline }).sweep(context);
  };
}

/** One run of the reconciler: every place's sweeps in turn, inside the run's time budget, and what they found. */
class ReconcilerRun {
  private readonly counts = { started: 0, alreadyHandled: 0, lookups: 0, throttled: 0, notHandedOver: 0 };
  private readonly caughtUp: Record<string, boolean> = {};
  private readonly tasksSwept: Record<string, boolean> = {};
  private readonly faults: string[] = [];
  /** When each place's last LookupEvents went out (the pacing). */
  private readonly lastLookup = new Map<string, number>();
  private readonly now: () => number;
  private readonly runAt: string;

  constructor(
    private readonly config: ReconcilerConfig,
    private readonly deps: ReconcilerDeps,
    private readonly clock: { readonly now: () => number; readonly sleep: (ms: number) => Promise<void>; readonly deadline: number },
  ) {
    this.now = clock.now;
    this.runAt = new Date(this.now()).toISOString();
  }

  /** Sweeps every place (home first, then the spokes); throws ReconcileError after the sweep when it met a fault. */
  async sweep(context: InvocationContext | undefined): Promise<ReconcileSummary> {
    const homeAccount = this.deps.homeAccount ?? accountOfFunctionArn(context?.invokedFunctionArn);
    const places: { place: ReconciledPlace; home: boolean }[] = [];
    if (homeAccount === undefined) this.faults.push(`the function's own account is unknown (context.invokedFunctionArn ${JSON.stringify(context?.invokedFunctionArn)})`);
    else places.push({ place: { account: homeAccount, region: this.config.homeRegion, clusters: this.config.clusters }, home: true });
    for (const spoke of this.config.spokes) places.push({ place: spoke, home: false });

    for (const { place, home } of places) {
      this.caughtUp[placeLabel(place)] = false;
      this.tasksSwept[placeLabel(place)] = false;
      let readers: PlaceReaders | undefined;
      if (!(await this.attempt(place, "access", async () => void (readers = await this.deps.readersFor(place, home))))) break;
      if (readers === undefined) continue;
      const r = readers;
      if (!(await this.attempt(place, "event history", () => this.sweepHistory(place, r)))) break;
      if (!(await this.attempt(place, "stopped tasks", () => this.sweepTasks(place, r)))) break;
    }
    const summary: ReconcileSummary = { ...this.counts, caughtUp: this.caughtUp, tasksSwept: this.tasksSwept, faults: this.faults };
    logJson(this.faults.length > 0 ? "ERROR" : "INFO", "reconciled", { ...summary });
    if (this.faults.length > 0) throw new ReconcileError(`the reconciler met ${this.faults.length} fault(s): ${this.faults.join("; ")}`);
    return summary;
  }

  private inTime(): void {
    if (this.now() >= this.clock.deadline) throw new OutOfTime();
  }

  /** Runs one sweep of a place; false when the run is out of time. */
  private async attempt(place: ReconciledPlace, what: string, sweep: () => Promise<void>): Promise<boolean> {
    const ctx = { account: place.account, region: place.region, sweep: what };
    try {
      await sweep();
    } catch (err) {
      if (err instanceof OutOfTime) {
        logJson("INFO", "out of time: the next run goes on from the cursor", ctx);
        return false;
      }
      if (transient(err)) {
        logJson("WARN", "not swept this time: the next run goes on from the cursor", { ...ctx, ...describeError(err) });
        return true;
      }
      this.faults.push(`${placeLabel(place)} ${what}: ${describeError(err).errorName}: ${describeError(err).errorMessage}`);
      logJson("ERROR", "not swept", { ...ctx, ...describeError(err) });
    }
    return true;
  }

  /** Hands a found failure to the state machine under the starter's name; false when that failed. */
  private async handOver(envelope: Record<string, unknown>, ctx: Record<string, unknown>): Promise<boolean> {
    const name = executionNameFor(envelope);
    try {
      const out = await this.deps.sfn.send(new StartExecutionCommand({ stateMachineArn: this.config.stateMachineArn, name, input: JSON.stringify(envelope) }));
      this.counts.started++;
      logJson("WARN", FOUND_BY_RECONCILER, { ...ctx, executionName: name, executionArn: out.executionArn, note: "its event never started an execution: the event path missed it" });
      return true;
    } catch (err) {
      if (errorName(err) === "ExecutionAlreadyExists") {
        this.counts.alreadyHandled++;
        logJson("INFO", "found failure already has its execution", { ...ctx, executionName: name });
        return true;
      }
      this.counts.notHandedOver++;
      if (!transient(err)) this.faults.push(`StartExecution ${name}: ${describeError(err).errorName}`);
      logJson(transient(err) ? "WARN" : "ERROR", "found failure not handed over", { ...ctx, executionName: name, ...describeError(err) });
      return false;
    }
  }

  /** One LookupEvents call, paced to the place's rate and retried when throttled, inside the time budget. */
  private async lookup(place: Place, cloudTrail: CloudTrailSender, input: LookupEventsCommandInput): Promise<LookupEventsCommandOutput> {
    const key = placeLabel(place);
    const spacingMs = 1000 / this.config.lookupsPerSecond;
    for (let wait = 1000; ; wait = Math.min(wait * 2, 8000)) {
      const gap = (this.lastLookup.get(key) ?? -Infinity) + spacingMs - this.now();
      if (gap > 0) await this.clock.sleep(gap);
      this.inTime();
      this.lastLookup.set(key, this.now());
      this.counts.lookups++;
      try {
        return await cloudTrail.send(new LookupEventsCommand(input));
      } catch (err) {
        if (!isThrottlingError(err)) throw err;
        this.counts.throttled++;
        await this.clock.sleep(wait);
      }
    }
  }

  /** Reads one chunk of one place's history in full; false when a failure in it could not be handed over. */
  private async readChunk(place: ReconciledPlace, readers: PlaceReaders, chunk: Chunk): Promise<boolean> {
    let handed = true;
    const rules = { clusters: place.clusters, ignoreStartedBy: this.config.ignoreStartedBy, relaunchRoleArnPrefix: relaunchRoleArnPrefixOf(this.config.partition, place.account) };
    // LookupEvents takes one attribute: each launch action is looked up on its own.
    for (const eventName of LAUNCH_EVENT_NAMES) {
      let nextToken: string | undefined;
      do {
        const out = await this.lookup(place, readers.cloudTrail, {
          LookupAttributes: [{ AttributeKey: "EventName", AttributeValue: eventName }],
          StartTime: new Date(chunk.startMs),
          EndTime: new Date(chunk.endMs),
          MaxResults: 50,
          ...(nextToken !== undefined ? { NextToken: nextToken } : {}),
        });
        for (const e of out.Events ?? []) {
          let record: Record<string, unknown>;
          try {
            record = JSON.parse(e.CloudTrailEvent ?? "") as Record<string, unknown>;
          } catch {
            continue;
          }
          // Event history is per account and region; a record that says otherwise is no failure of this place.
          if (record.recipientAccountId !== undefined && record.recipientAccountId !== place.account) continue;
          if (!judgeLaunchRecord(record, rules).rerun) continue;
          const ctx = { account: place.account, region: place.region, source: "cloudtrail", eventId: record.eventID, eventTime: record.eventTime, cluster: (record.requestParameters as { cluster?: unknown } | undefined)?.cluster };
          if (!(await this.handOver(cloudTrailEnvelope(record, this.runAt), ctx))) handed = false;
        }
        nextToken = out.NextToken;
      } while (nextToken !== undefined);
    }
    return handed;
  }

  /** The place's CloudTrail history from its cursor, chunk by chunk, the cursor moved past each chunk read in full. */
  private async sweepHistory(place: ReconciledPlace, readers: PlaceReaders): Promise<void> {
    const key = cursorKey(place);
    let cursor = await this.deps.cursors.get(key);
    const chunks = chunksToRead(cursor, this.now(), this.config.windows);
    // Not read in full: the next run reads the chunk again, as new (windows.ts, retreat).
    const again = async (chunk: Chunk) => {
      const back = retreat(cursor, chunk);
      if (back !== cursor) await this.deps.cursors.put(key, back);
    };
    for (const chunk of chunks) {
      let read: boolean;
      try {
        read = await this.readChunk(place, readers, chunk);
      } catch (err) {
        // Out of time, the overlap is left for later runs: retreating then could make every short
        // run read the same stretches again and never catch up.
        if (!(err instanceof OutOfTime)) await again(chunk);
        throw err;
      }
      if (!read) {
        await again(chunk);
        return;
      }
      const moved = advance(cursor, chunk);
      // The overlap lies behind the cursor: reading it again moves nothing, so nothing is written.
      if (moved !== cursor) await this.deps.cursors.put(key, moved);
      cursor = moved;
    }
    this.caughtUp[placeLabel(place)] = true;
  }

  /** The recently stopped tasks of each of the place's clusters. */
  private async sweepTasks(place: ReconciledPlace, readers: PlaceReaders): Promise<void> {
    const rules = { ignoreStartedBy: this.config.ignoreStartedBy, catchFailedToStart: this.config.catchFailedToStart, reportProgramFailures: this.config.reportProgramFailures };
    if (!rules.catchFailedToStart && !rules.reportProgramFailures) return void (this.tasksSwept[placeLabel(place)] = true);
    for (const cluster of place.clusters) {
      const arns: string[] = [];
      let nextToken: string | undefined;
      do {
        this.inTime();
        const out = await readers.ecs.send(new ListTasksCommand({ cluster, desiredStatus: "STOPPED", maxResults: 100, ...(nextToken !== undefined ? { nextToken } : {}) }));
        arns.push(...(out.taskArns ?? []));
        nextToken = out.nextToken;
      } while (nextToken !== undefined);
      for (let i = 0; i < arns.length; i += DESCRIBE_BATCH) {
        this.inTime();
        const out = await readers.ecs.send(new DescribeTasksCommand({ cluster, tasks: arns.slice(i, i + DESCRIBE_BATCH), include: ["TAGS"] }));
        for (const task of out.tasks ?? []) {
          const t = task as unknown as Record<string, unknown>;
          // Its own event has had its chance first: a task that stopped moments ago is left to it.
          const stopped = stoppedAtMs(t);
          if (stopped !== undefined && this.now() - stopped < this.config.taskSettleMs) continue;
          const verdict = judgeStoppedTask(t, rules);
          if (!verdict.handOver) continue;
          await this.handOver(taskEnvelope(t, place, this.runAt), { account: place.account, region: place.region, source: "task-state-change", cluster, taskArn: t.taskArn, failureType: verdict.kind });
        }
      }
    }
    this.tasksSwept[placeLabel(place)] = true;
  }
}
