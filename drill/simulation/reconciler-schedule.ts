// The reconciler in the drill: the real handler (lambda/reconciler/handler.ts), built by the same
// factories as its Lambda (readConfig, dynamoCursors, makeReadersFor), with real SDK clients against
// the local endpoints, invoked on its synthesized schedule on the simulated clock, each invocation
// with its synthesized timeout, until the rest of the run is over and it has swept past the failure.
import { CloudTrailClient } from "@aws-sdk/client-cloudtrail";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { ECSClient } from "@aws-sdk/client-ecs";
import { SFNClient } from "@aws-sdk/client-sfn";
import type { AwsCredentialIdentity } from "@smithy/types";
import { readConfig } from "../../lambda/reconciler/config";
import { cursorKey } from "../../lambda/reconciler/core/names";
import { dynamoCursors, makeHandler, type CursorStore, type PlaceReaders, type ReconcilerDeps, type ReconcileSummary } from "../../lambda/reconciler/handler";
import { makeReadersFor, type SpokeReadersAccess } from "../../lambda/reconciler/spoke-readers";
import type { ReconcileOptions, RunScope } from "../drill-types";
import type { SynthesizedReconciler } from "../synthesized/synthesized-pipeline";

/** How the reconciler runs lives with the run's other options (drill-types.ts); importers keep finding it here. */
export type { ReconcileOptions } from "../drill-types";

/** What {@link runReconciler} needs of the run. */
export interface ReconcilerRunDeps {
  readonly scope: RunScope;
  readonly reconciler: SynthesizedReconciler;
  /** ms since the epoch of the run's start (the failure's time). */
  readonly startMs: number;
  /** The SDK configuration of a client signing with the reconciler role's keys, against the local endpoints. */
  readonly clientConfig: Omit<SpokeReadersAccess["clientConfig"], "endpoint"> & { endpoint: string; region: string; credentials: AwsCredentialIdentity };
  /** The STS client's configuration (the local STS) for a hub's spokes. */
  readonly stsClientConfig: SpokeReadersAccess["stsClientConfig"];
  /** The account whose Lambda it is (its invokedFunctionArn). */
  readonly account: string;
  /** Seconds after its call a CloudTrail record appears in event history (the run's history setting). */
  readonly historyDelaySeconds: number;
  /** Changes the deps the handler is built with (a planted defect wraps one). @default none */
  readonly plant?: (deps: ReconcilerDeps) => ReconcilerDeps;
}

/** Any SDK client's send, as the wrapper counting an invocation's calls sees it. */
type Sender = { send(command: never): Promise<unknown> };

/** Thrown by every call of an invocation that was killed. */
class InvocationKilled extends Error {
  constructor() {
    super("the invocation was killed");
    this.name = "InvocationKilled";
  }
}

/**
 * Runs the reconciler on its schedule until a run has come after the
 * failure's record was both visible (CloudTrail's delivery delay) and settled (a record later than
 * the settle and overlap windows together is never read: the documented limit), and its last
 * invocation ended clean (no fault, every place caught up); or until `maxSeconds`. Returns what each
 * invocation answered (undefined: it failed or died).
 */
export async function runReconciler(deps: ReconcilerRunDeps, options: ReconcileOptions = {}): Promise<(ReconcileSummary | undefined)[]> {
  const { scope, reconciler } = deps;
  const { clock, metrics } = scope;
  const config = readConfig(reconciler.environment);
  const every = reconciler.everyMinutes * 60_000;
  const timeout = reconciler.timeoutSeconds * 1000;
  const functionArn = `arn:aws:lambda:${config.homeRegion}:${deps.account}:function:${reconciler.functionName}`;
  const made: { destroy(): void }[] = [];
  const client = <T extends { destroy(): void }>(c: T) => (made.push(c), c);

  // One invocation's calls: counted, and refused once it has been killed.
  let alive = true;
  let calls = 0;
  let killAfter = 0;
  const guard = <T extends Sender>(inner: T): T =>
    ({
      send: async (command: never) => {
        if (!alive) throw new InvocationKilled();
        const answer = await inner.send(command);
        if (killAfter > 0 && ++calls >= killAfter) alive = false;
        return answer;
      },
    }) as unknown as T;
  const guardedReaders = (r: PlaceReaders): PlaceReaders => ({ cloudTrail: guard(r.cloudTrail), ecs: guard(r.ecs) });

  const home = { cloudTrail: client(new CloudTrailClient(deps.clientConfig)), ecs: client(new ECSClient(deps.clientConfig)) };
  const readersFor = makeReadersFor(home, config.spokeRoleArnPattern, {
    stsClientConfig: deps.stsClientConfig,
    masterCredentials: deps.clientConfig.credentials,
    clientConfig: { maxAttempts: deps.clientConfig.maxAttempts, endpoint: deps.clientConfig.endpoint, requestHandler: deps.clientConfig.requestHandler, cacheMiddleware: deps.clientConfig.cacheMiddleware },
    onClient: (c) => made.push(c),
  });
  const cursors: CursorStore = dynamoCursors(config.cursorTable, guard(client(new DynamoDBClient(deps.clientConfig))));
  const built: ReconcilerDeps = {
    sfn: guard(client(new SFNClient(deps.clientConfig))),
    cursors,
    readersFor: async (place, isHome) => {
      if (!alive) throw new InvocationKilled();
      return guardedReaders(await readersFor(place, isHome));
    },
    sleep: (ms) => clock.idleSleep(ms),
  };
  // Built once, as Lambda keeps a warm container's module scope between invocations.
  const handler = makeHandler(config, deps.plant ? deps.plant(built) : built);

  const summaries: (ReconcileSummary | undefined)[] = [];
  const { settleMs, overlapMs } = config.windows;
  const settledAt = deps.startMs + Math.min(Math.max(settleMs, deps.historyDelaySeconds * 1000), settleMs + overlapMs);
  const endAt = deps.startMs + (options.maxSeconds ?? 6 * 3600) * 1000;
  try {
    const first = (options.firstAfterSeconds ?? every / 1000) * 1000;
    // A reconciler deployed before the failure has run before: each place's cursor is where the run
    // one period before the first would have left it (its first-run look-back is the handler tests' concern).
    const warm = Date.now() + first - every - settleMs;
    // Real work (a request to the local endpoint): the clock holds still meanwhile.
    await clock.track(async () => {
      for (const place of [{ account: deps.account, region: config.homeRegion }, ...config.spokes]) await cursors.put(cursorKey(place), warm);
    });
    await clock.sleep(first);
    for (let i = 0; ; i++) {
      alive = true;
      calls = 0;
      killAfter = options.deaths?.[i] ?? 0;
      const startedAt = Date.now();
      let summary: ReconcileSummary | undefined;
      try {
        summary = await clock.track(() => handler({}, { getRemainingTimeInMillis: () => startedAt + timeout - Date.now(), invokedFunctionArn: functionArn }));
        // Killed on its last call, or past its timeout: Lambda reports the invocation failed, whatever it returned.
        if (!alive || Date.now() - startedAt > timeout) summary = undefined;
      } catch {
        summary = undefined;
      }
      // The function's Errors metric, which its errors alarm watches.
      if (summary === undefined) metrics.reconcilerErrors = (metrics.reconcilerErrors ?? 0) + 1;
      summaries.push(summary);
      // Nothing left for the next run: no fault, every place's history and stopped tasks read, every find handed over.
      const clean =
        summary !== undefined && summary.faults.length === 0 && summary.notHandedOver === 0 && Object.values(summary.caughtUp).every(Boolean) && Object.values(summary.tasksSwept).every(Boolean);
      scope.note(
        0,
        summary === undefined
          ? "reconciler: the invocation failed (its Errors alarm counts it); the next one goes on from the cursor"
          : `reconciler: ${summary.lookups} lookup(s) (${summary.throttled} throttled), ${summary.started} started, ${summary.alreadyHandled} already had their execution${summary.notHandedOver > 0 ? `, ${summary.notHandedOver} not handed over` : ""}${clean ? "" : "; the next run goes on"}`,
      );
      // Past that point it finds nothing new of the failure: the pipeline's own reruns are no failures of it.
      // (The run reads up to its own start less the settle time: its start must be past the point.)
      if ((clean && startedAt >= settledAt) || Date.now() + every > endAt) break;
      await clock.sleep(every);
    }
  } finally {
    for (const c of made) c.destroy();
  }
  return summaries;
}
