/**
 * Thin shell of the rerun Lambda: validates the payload, picks the clients of the failure's place,
 * and hands the failure to one {@link RerunInvocation} (invocation.ts), whose named steps call ECS
 * (ecs-access.ts), log, and return every normal outcome as a decision for the state machine.
 * Everything that decides something lives in the pure modules (core/, task-state.ts, verify.ts).
 */
import { Console } from "node:console";
import type { LaunchFailure, RerunLambdaInput, RerunLambdaOutput } from "../shared/contract";
import { describeError, logJson } from "../shared/log";
import type { RerunConfig } from "./config";
import { parseInvocation } from "./core/failure/invocation";
import { accountOfFunctionArn, admit, placeLabel, placeOf, placeOfFunctionArn, samePlace, type Place } from "./core/relaunch/place";
import type { HubConfig } from "./hub-config";
import { SpokeAccessError, type PlaceClients } from "./spoke-access";
import { ConfigurationError } from "../shared/errors";
import type { DefinitionCache, EcsSender } from "./ecs-access";
import { LaunchPacer, type DynamoSender, type PacingConfig } from "./pacer";
import type { EventsSender, SchedulerSender } from "./schedule-access";
import { parseFailureEvent } from "./task-state";
import { foundByReconciler } from "../reconciler/core/found-event";
import { isSelfTestEvent } from "../shared/self-test";
import { selfTestOutput } from "./core/notices/self-test";
import { Answers, correlation, RerunInvocation, type Clients, type HandlerScope } from "./invocation";

export type { EcsSender } from "./ecs-access";

export interface RerunDeps {
  ecs: EcsSender;
  /** EventBridge, to read the rule that launched a task (its target holds the original request). @default none: rules are not read */
  events?: EventsSender;
  /** EventBridge Scheduler, to read the schedule that launched a task. @default none: schedules are not read */
  scheduler?: SchedulerSender;
  /** [0, 1) source for FULL jitter (Step Functions waits and in-handler throttle retries); default Math.random. */
  random?: () => number;
  /**
   * Sleep between in-handler retries of a throttled ECS call; default a real timer. Injectable
   * because a simulated clock (the drill) does not advance while a handler runs.
   */
  sleep?: (ms: number) => Promise<void>;
  /** Clock for verification deadlines and the time budget, ms since the epoch; default Date.now (read at each call). */
  now?: () => number;
  /** The launch pacer's settings and its DynamoDB client (pacer.ts); absent, launches are not paced. */
  pacing?: { config: PacingConfig; dynamodb: DynamoSender };
  /**
   * The hub's settings and its clients for other places (spoke-access.ts); absent, every failure is
   * handled in the function's own place with the clients above. `homeAccount` stands in for the
   * account of `context.invokedFunctionArn` where there is no Lambda context (tests, the drill).
   */
  hub?: { config: HubConfig; spokes: { for(place: Place): PlaceClients }; homeAccount?: string };
  /**
   * Where the one bare JSON line of an ended failure goes (core/notices/outcome.ts): the pipeline's metric
   * filters read it as a whole log event, so in Lambda it must not get the runtime console's prefix,
   * and index.ts passes {@link writeBareLine}. @default console.log (tests, the drill's log sink)
   */
  writeOutcome?: (line: string) => void;
}

/** The part of the Lambda context the handler reads. */
export interface InvocationContext {
  getRemainingTimeInMillis?: () => number;
  /** arn:aws:lambda:REGION:ACCOUNT:function:NAME: the hub's own account is its 5th field. */
  invokedFunctionArn?: string;
}

export type RerunHandler = (payload: unknown, context?: InvocationContext) => Promise<RerunLambdaOutput>;

export { QUICK_CHECK_INTERVAL_SECONDS } from "./invocation";
/**
 * Kept free before the function's timeout: the invocation stops calling ECS this long before it
 * would be killed, so the answer that records a launch always gets back to the state machine.
 */
export const TIME_MARGIN_MS = 15_000;
/** Budget without a Lambda context (tests, the drill): the function's 90 s timeout less the margin. */
export const DEFAULT_TIME_BUDGET_MS = 90_000 - TIME_MARGIN_MS;

// The outcome line goes out bare, the whole log event, so that the metric filters' JSON selectors
// can read it: the Lambda runtime's console prefixes every line with a timestamp, the request ID and
// the level (Lambda developer guide, "Log and monitor Node.js Lambda functions"); the run counter
// writes its verdicts the same way.
const rawConsole = new Console({ stdout: process.stdout, stderr: process.stderr });
/** Writes one line to stdout without the Lambda runtime's prefix (index.ts's `writeOutcome`). */
export const writeBareLine = (line: string): void => rawConsole.log(line);

// Captured at load: a timer faked later (tests, the drill's simulated clock) must not freeze the
// default sleep; whoever fakes time injects `sleep` instead.
const realSetTimeout = setTimeout;
const realSleep = (ms: number) => new Promise<void>((resolve) => realSetTimeout(resolve, ms));

/** What every invocation shares: the settings, the clocks, the task definitions read per place, the pacer. */
function handlerScope(config: RerunConfig, deps: RerunDeps): HandlerScope {
  const random = deps.random ?? Math.random;
  const sleep = deps.sleep ?? realSleep;
  const now = deps.now ?? (() => Date.now());
  // Per place: "family:12" names different revisions in different accounts and regions.
  const definitionCaches = new Map<string, DefinitionCache>();
  return {
    config,
    random,
    sleep,
    now,
    writeOutcome: deps.writeOutcome ?? ((line: string) => console.log(line)),
    pacer: deps.pacing ? new LaunchPacer(deps.pacing.config, { dynamodb: deps.pacing.dynamodb, now, sleep, random }) : undefined,
    definitionsOf: (place?: Place): DefinitionCache => {
      const key = place === undefined ? "" : placeLabel(place);
      let cache = definitionCaches.get(key);
      if (cache === undefined) definitionCaches.set(key, (cache = new Map()));
      return cache;
    },
  };
}

export function makeHandler(config: RerunConfig, deps: RerunDeps): RerunHandler {
  const scope = handlerScope(config, deps);
  const home: Clients = { ecs: deps.ecs, events: deps.events, scheduler: deps.scheduler };

  return async function handler(payload: unknown, context?: InvocationContext): Promise<RerunLambdaOutput> {
    const remaining = context?.getRemainingTimeInMillis?.();
    const budgetMs = remaining === undefined ? DEFAULT_TIME_BUDGET_MS : remaining - TIME_MARGIN_MS;
    try {
      const input = parseInvocation(payload);
      // A self-test (npm run self-test): no ECS, no lookup, one notice, a successful end.
      if (input.action === "classify" && isSelfTestEvent(input.event)) {
        logJson("INFO", "self-test: nothing launched", { executionArn: input.executionArn, eventId: input.event.id });
        return selfTestOutput(input.event, input.executionArn, config.maxAttempts);
      }
      const parsed = input.action === "classify" ? parseFailureEvent(input.event) : input.failure;
      // Found by the reconciler (its event never arrived): the notices say so.
      const failure = input.action === "classify" && foundByReconciler(input.event) ? { ...parsed, foundBy: "reconciler" as const } : parsed;
      const answers = new Answers(scope, input.executionArn);
      const clients = await clientsFor(failure, input, context, { home, hub: deps.hub, answers });
      if (!("ecs" in clients)) return clients;
      const invocation = new RerunInvocation(scope, answers, clients, scope.now() + budgetMs);
      return input.action === "rerun" ? await invocation.rerun(input) : await invocation.classify(failure);
    } catch (err) {
      if (err instanceof Error && err.name === "InvalidEventError") {
        logJson("ERROR", "invalid input", { ...describeError(err), executionArn: (payload as { executionArn?: unknown } | null)?.executionArn });
      }
      throw err;
    }
  };
}

/**
 * The clients for the failure's place: the function's own for its own place (and whenever it is
 * no hub); a spoke's, with credentials of its relaunch role, for another admitted place. Nothing is
 * launched where the hub may not act: a refused account, or a role STS would not let it assume,
 * ends in a needs_human notice naming the account and region; STS throttled or down is a "later".
 */
async function clientsFor(
  failure: LaunchFailure,
  input: RerunLambdaInput,
  context: InvocationContext | undefined,
  { home, hub, answers }: { home: Clients; hub: RerunDeps["hub"]; answers: Answers },
): Promise<Clients | RerunLambdaOutput> {
  const place = placeOf(failure);
  const after = input.action === "classify" ? "classify" : "rerun";
  const attempt = input.action === "rerun" ? input.attempt : 1;
  const refuse = (message: string): RerunLambdaOutput => {
    logJson("ERROR", "not relaunched: the pipeline may not act in this place", { ...correlation(failure, input.action === "rerun" ? input.attempt : 0, input.executionArn), message });
    return answers.needsHuman({ ...failure, unrecoverable: [] }, message, after, after === "classify" ? 0 : failure.attemptsLaunched);
  };
  if (hub === undefined) {
    // Only a hub relaunches elsewhere. A pipeline's rule matches a cluster protected by short name
    // in any event it receives, so an event of another account or region (a bus that admits one)
    // would otherwise be relaunched here, on this account's cluster of that name: another job.
    const own = placeOfFunctionArn(context?.invokedFunctionArn);
    if (own !== undefined && !samePlace(place, own)) {
      return refuse(`account ${place.account} region ${place.region} is not this pipeline's own (${placeLabel(own)}), and only a hub relaunches in another account or region (spokeClusters; module: spoke_clusters): nothing was launched, here or there`);
    }
    return home;
  }
  const homeAccount = hub.homeAccount ?? accountOfFunctionArn(context?.invokedFunctionArn);
  if (homeAccount === undefined) throw new ConfigurationError(`the hub's own account is unknown: context.invokedFunctionArn ${JSON.stringify(context?.invokedFunctionArn)} names none`);
  const verdict = admit(place, { account: homeAccount, region: hub.config.homeRegion }, hub.config);
  if (verdict.kind === "home") return home;
  if (verdict.kind === "refused") return refuse(`account ${place.account} region ${place.region}: ${verdict.why}; nothing was launched`);
  let clients: PlaceClients;
  try {
    clients = hub.spokes.for(place);
    await clients.ready();
  } catch (err) {
    // An account or region that cannot be part of a role ARN (the event's own fields) is no place to act in.
    if (err instanceof RangeError) return refuse(`account ${place.account} region ${place.region}: ${err.message}; nothing was launched`);
    if (!(err instanceof SpokeAccessError)) throw err;
    if (err.transient) {
      const pending = after === "classify" ? { ...failure, classificationPending: true } : failure;
      return answers.later(pending, attempt, `cannot assume ${err.roleArn} in account ${place.account} region ${place.region} yet: ${err.why}`, after);
    }
    return refuse(`account ${place.account} region ${place.region}: the hub could not assume ${err.roleArn} (${err.why}), so nothing was launched; deploy the spoke module there (its relaunch role trusts this hub's rerun role), or launch the task by hand`);
  }
  return { ecs: clients.ecs, events: clients.events, scheduler: clients.scheduler, place };
}
