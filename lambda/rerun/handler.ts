/**
 * Thin shell of the rerun Lambda: validates the payload, calls ECS (ecs-access.ts), logs, and
 * returns every normal outcome as a decision for the state machine. Everything that decides
 * something lives in the pure modules (core/, task-state.ts, verify.ts).
 */
import { Console } from "node:console";
import type { Decision, LaunchFailure, RerunInput, RerunLambdaInput, RerunLambdaOutput } from "../shared/contract";
import { describeError, logJson } from "../shared/log";
import type { RerunConfig } from "./config";
import { decide } from "./core/decision";
import { deferDecision } from "./core/deferral";
import { parseInvocation } from "./core/invocation";
import { buildNotice, noticeKindAfterClassify, noticeKindAfterRerun } from "./core/notice";
import { publication } from "./core/notify-policy";
import { programFailureRerunAllowed } from "./core/reason-classification";
import { rerunClientToken } from "./core/rerun-request";
import { pacerItemKey } from "./core/pacing";
import { accountOfFunctionArn, admit, placeLabel, placeOf, placeOfFunctionArn, samePlace, type Place } from "./core/place";
import type { HubConfig } from "./hub-config";
import { SpokeAccessError, type PlaceClients } from "./spoke-access";
import { ConfigurationError } from "../shared/errors";
import { Deferred, EcsAccess, EcsRefused, type DefinitionCache, type EcsSender } from "./ecs-access";
import { LaunchPacer, type DynamoSender, type PacingConfig } from "./pacer";
import { resolveRequest } from "./request-resolution";
import { ScheduleAccess, type EventsSender, type SchedulerSender } from "./schedule-access";
import { essentialNames, failedEssentials } from "./core/essential";
import { infrastructureRolesRefusal } from "./core/infrastructure-roles";
import { parseFailureEvent, programFailureReason, withLogLinks } from "./task-state";
import { applyLaunch, applyVerification, withoutVerification } from "./verify";
import { foundByReconciler } from "../reconciler/core/found-event";
import { isSelfTestEvent } from "../shared/self-test";
import { selfTestOutput } from "./core/self-test";
import { outcomeLine } from "./core/outcome";

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
   * Where the one bare JSON line of an ended failure goes (core/outcome.ts): the pipeline's metric
   * filters read it as a whole log event, so in Lambda it must not get the runtime console's prefix,
   * and index.ts passes {@link writeBareLine}. @default console.log (tests, the drill's log sink)
   */
  writeOutcome?: (line: string) => void;
  /**
   * TEST ONLY: known defects planted back so the fault sweep (drill/chaos) can prove it catches each
   * one. The entry point (index.ts) never sets this; see PlantedDefect.
   */
  plantedDefects?: ReadonlySet<PlantedDefect>;
}

/**
 * Defects this handler once had, each fixed; planted back only by the fault sweep's own test:
 * - no-start-lookup: a repeated StartTask does not first look for what its attempt placed;
 * - lose-launch-on-check-failure: a failing start check right after a launch hands back the
 *   failure as it was before the launch (the launch is forgotten and sent again);
 * - tag-after-launch: owner tags are added by TagResource after the launch, which can fail;
 * - no-time-budget: throttled calls are retried with no regard for the invocation's timeout;
 * - throw-normal-outcomes: "later" and already_handled are thrown as errors;
 * - relaunch-at-home: a spoke's failure is handled with the hub's own clients, in the hub's place
 *   (never shipped; planted by the hub drill's test to show it catches a relaunch in the wrong place).
 */
export type PlantedDefect = "no-start-lookup" | "lose-launch-on-check-failure" | "tag-after-launch" | "no-time-budget" | "throw-normal-outcomes" | "relaunch-at-home";

function plantedError(name: string, message: string): Error {
  return Object.assign(new Error(message), { name });
}

/** The part of the Lambda context the handler reads. */
export interface InvocationContext {
  getRemainingTimeInMillis?: () => number;
  /** arn:aws:lambda:REGION:ACCOUNT:function:NAME: the hub's own account is its 5th field. */
  invokedFunctionArn?: string;
}

export type RerunHandler = (payload: unknown, context?: InvocationContext) => Promise<RerunLambdaOutput>;

/** How often the handler looks at a fresh launch during its quick check. */
export const QUICK_CHECK_INTERVAL_SECONDS = 5;
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

function correlation(failure: LaunchFailure, attempt: number, executionArn: string): Record<string, unknown> {
  return {
    account: failure.account,
    region: failure.region,
    cluster: failure.cluster,
    taskDefinition: failure.taskDefinition,
    reasons: failure.reasons,
    attempt,
    eventId: failure.eventId,
    executionArn,
    source: failure.source,
    failureType: failure.failureType,
    taskArn: failure.taskArn,
    action: failure.action,
    requested: failure.requested,
    placed: failure.placed,
    remaining: failure.remaining,
    attemptsLaunched: failure.attemptsLaunched,
    deferrals: failure.deferrals,
    unconfirmedTaskArns: failure.unconfirmedTaskArns.length > 0 ? failure.unconfirmedTaskArns : undefined,
  };
}

function decisionFields(decision: Decision): Record<string, unknown> {
  return {
    next: decision.next,
    retryable: decision.retryable,
    delaySeconds: decision.delaySeconds,
    nextAttempt: decision.nextAttempt,
    maxAttempts: decision.maxAttempts,
    message: decision.message,
  };
}

/** The clients one invocation calls: the function's own, or a spoke's (`place` set: its pacing clock is the place's). */
interface Clients {
  ecs: EcsSender;
  events?: EventsSender;
  scheduler?: SchedulerSender;
  place?: Place;
}

export function makeHandler(config: RerunConfig, deps: RerunDeps): RerunHandler {
  const random = deps.random ?? Math.random;
  const sleep = deps.sleep ?? realSleep;
  const now = deps.now ?? (() => Date.now());
  const planted = (defect: PlantedDefect) => deps.plantedDefects?.has(defect) === true;
  // Per place: "family:12" names different revisions in different accounts and regions.
  const definitionCaches = new Map<string, DefinitionCache>();
  const definitionsOf = (place?: Place): DefinitionCache => {
    const key = place === undefined ? "" : placeLabel(place);
    let cache = definitionCaches.get(key);
    if (cache === undefined) definitionCaches.set(key, (cache = new Map()));
    return cache;
  };
  const pacer = deps.pacing ? new LaunchPacer(deps.pacing.config, { dynamodb: deps.pacing.dynamodb, now, sleep, random }) : undefined;

  const writeOutcome = deps.writeOutcome ?? ((line: string) => console.log(line));
  const output = (failure: LaunchFailure, decision: Decision, executionArn: string, after: "classify" | "rerun"): RerunLambdaOutput => {
    const kind = after === "classify" ? noticeKindAfterClassify(decision) : noticeKindAfterRerun(decision);
    // Which steps are told (NOTIFY): decided here, routed on by the state machine (decision.publish).
    const nowMs = now();
    const told = publication(config, failure, decision, kind, nowMs);
    const notice = buildNotice(told.kind, told.failure, told.decision, executionArn, nowMs);
    // An execution that ends here is counted once, by its outcome (the dashboard's metrics).
    const line = outcomeLine(told.failure, told.decision, executionArn, nowMs);
    if (line !== undefined) writeOutcome(line);
    return { failure: told.failure, decision: told.decision, notice, noticeMessage: JSON.stringify(notice) };
  };

  const gaveUp = (failure: LaunchFailure, attempt: number, message: string, executionArn: string): RerunLambdaOutput =>
    output(failure, { next: "gave_up", attempt, nextAttempt: attempt + 1, maxAttempts: config.maxAttempts, delaySeconds: 0, retryable: false, message }, executionArn, "rerun");

  /** The same `attempt` again after a wait (no attempt used up); gave_up past MAX_DEFERRALS. */
  const later = (failure: LaunchFailure, attempt: number, why: string, executionArn: string, after: "classify" | "rerun"): RerunLambdaOutput => {
    if (planted("throw-normal-outcomes")) throw plantedError("EcsServerError", why);
    const deferred = deferDecision(failure, attempt, config.maxAttempts, why, random);
    logJson(deferred.decision.next === "later" ? "INFO" : "ERROR", "handed back for later", {
      ...correlation(deferred.failure, attempt, executionArn),
      ...decisionFields(deferred.decision),
    });
    return output(deferred.failure, deferred.decision, executionArn, after);
  };

  /**
   * Classification once ownership is known: a task this pipeline launched ends quietly (its own
   * execution counts it); a program failure of an opted-in family that was itself a rerun is
   * reported, not rerun again.
   */
  async function classified(failure: LaunchFailure, ecs: EcsAccess, executionArn: string, clients: Clients): Promise<RerunLambdaOutput> {
    const ctx = correlation(failure, 0, executionArn);
    const needsOwner = failure.failureType === "failed_to_start" || (failure.failureType === "program_failed" && programFailureRerunAllowed(failure.taskDefinition, config.rerunProgramFailureFamilies));
    if (needsOwner) {
      const owner = await ecs.owner(failure, ctx);
      if (owner.kind === "unknown") return later({ ...failure, classificationPending: true }, 1, `cannot tell yet whether ecs-rerun launched ${failure.taskArn}: ${owner.why}`, executionArn, "classify");
      const known: LaunchFailure = { ...failure, deferrals: 0 };
      delete known.classificationPending;
      failure = known;
      if (owner.kind === "ours" && failure.failureType === "failed_to_start") {
        const message = `task ${failure.taskArn} was launched by ecs-rerun for event ${owner.eventId} (attempt ${owner.attempt}); the execution that launched it counts this failure`;
        logJson("INFO", "failure of a task ecs-rerun launched: counted by its own execution", { ...ctx, ownerEventId: owner.eventId, ownerAttempt: owner.attempt });
        if (planted("throw-normal-outcomes")) throw plantedError("AlreadyHandledError", message);
        return output(failure, { next: "already_handled", attempt: 0, nextAttempt: 0, maxAttempts: config.maxAttempts, delaySeconds: 0, retryable: false, message }, executionArn, "classify");
      }
      if (owner.kind === "ours") failure = { ...failure, rerunOf: { eventId: owner.eventId, attempt: owner.attempt } };
    }
    if (failure.failureType === "program_failed" && failure.containers !== undefined && failure.containers.length > 0 && failure.taskArn !== undefined) {
      const definitions = await ecs.containerDefinitions(failure, ctx);
      // Only essential containers decide: a sidecar that exited 143 after the app finished is no failure.
      const failing = failedEssentials(failure.containers, essentialNames(definitions));
      if (failing.length === 0) {
        const message = `only non-essential containers exited non-zero (${failure.containers.map((c) => `${c.name} ${c.exitCode}`).join(", ")}): not a program failure`;
        logJson("INFO", "stopped task is no program failure", { ...ctx, message });
        return output(failure, { next: "already_handled", attempt: 0, nextAttempt: 0, maxAttempts: config.maxAttempts, delaySeconds: 0, retryable: false, message }, executionArn, "classify");
      }
      const reasons = failing.map(programFailureReason);
      failure = { ...failure, containers: definitions ? withLogLinks(failing, definitions, failure.taskArn) : failing, reasons, failures: reasons.map((reason) => ({ arn: failure.taskArn as string, reason })) };
    }
    const decision = decide(failure, config, now(), random);
    // A failure that will be relaunched needs the request to replay, from its source of truth
    // (request-resolution.ts); one that will not (not retryable, a report) is told as it is.
    if (decision.next === "retry" && failure.requestSource === undefined) {
      let resolved;
      try {
        resolved = await resolveRequest(failure, new ScheduleAccess(clients.events, clients.scheduler, ecs), ctx);
      } catch (err) {
        if (!(err instanceof Deferred)) throw err;
        return later({ ...failure, classificationPending: true }, 1, `cannot read the schedule that launched the task yet: ${err.why}`, executionArn, "classify");
      }
      failure = resolved.failure;
      // A launch IAM would refuse half-way (an infrastructure role this role may not pass) is not started.
      const refusal = infrastructureRolesRefusal(failure.request, config.infrastructureRoleArns, clients.place !== undefined);
      if (refusal !== undefined) {
        logJson("WARN", "launch failure classified", { ...correlation(failure, 0, executionArn), next: "needs_human", message: refusal });
        return output({ ...failure, unrecoverable: [] }, { next: "needs_human", attempt: 0, nextAttempt: 0, maxAttempts: config.maxAttempts, delaySeconds: 0, retryable: false, message: refusal }, executionArn, "classify");
      }
      if (resolved.kind === "unrecoverable") {
        const message = `the original request cannot be recovered faithfully (${(failure.unrecoverable ?? []).join("; ")}): nothing was launched`;
        logJson("WARN", "launch failure classified", { ...correlation(failure, 0, executionArn), next: "needs_human", message });
        return output(failure, { next: "needs_human", attempt: 0, nextAttempt: 0, maxAttempts: config.maxAttempts, delaySeconds: 0, retryable: false, message }, executionArn, "classify");
      }
    }
    logJson(decision.next === "retry" || decision.next === "recovered" ? "INFO" : "WARN", "launch failure classified", {
      ...correlation(failure, 0, executionArn),
      ...decisionFields(decision),
      stoppedReason: failure.stoppedReason,
      containers: failure.containers,
    });
    return output(failure, decision, executionArn, "classify");
  }

  async function rerun(input: RerunInput, ecs: EcsAccess, clients: Clients): Promise<RerunLambdaOutput> {
    const { attempt, executionArn } = input;
    let failure = input.failure;

    // Classification that waited for the stopped task's ownership: finish it first.
    if (failure.classificationPending) return classified(failure, ecs, executionArn, clients);

    // Verification switched off while this execution waited: what was placed counts as started
    // (checking with a 0 s interval would spin until the deadline).
    if (failure.unconfirmedTaskArns.length > 0 && config.verifyIntervalSeconds === 0) {
      logJson("INFO", "verification off; launched tasks counted as started", correlation(failure, attempt, executionArn));
      failure = withoutVerification(failure);
    }

    /** Folds the state of the launched tasks into `failure`. */
    const checkLaunched = async (): Promise<void> => {
      const ctx = correlation(failure, attempt, executionArn);
      const checked = applyVerification(failure, await ecs.describe(failure, ctx));
      failure = checked.failure;
      logJson(checked.failedToStart.length > 0 ? "WARN" : "INFO", "launched tasks checked", {
        ...correlation(failure, attempt, executionArn),
        started: checked.started,
        failedToStart: checked.failedToStart,
        pending: checked.pending,
      });
    };

    // (a) Did the tasks launched earlier start? Nothing has been launched in this invocation yet,
    // so an unusable answer hands the whole round back.
    if (failure.unconfirmedTaskArns.length > 0) {
      try {
        await checkLaunched();
      } catch (err) {
        if (err instanceof Deferred) return later(failure, attempt, `cannot check that launched tasks started: ${err.why}`, executionArn, "rerun");
        if (err instanceof EcsRefused) return gaveUp(failure, failure.attemptsLaunched, `cannot check that launched tasks started: ${err.why}`, executionArn);
        throw err;
      }
    }

    // (b) Launch, once per attempt, while tasks are owed.
    if (attempt > failure.attemptsLaunched && failure.remaining > 0) {
      const ctx = correlation(failure, attempt, executionArn);
      if (failure.action === "StartTask" && (failure.pendingContainerInstances ?? []).length === 0) {
        const out = gaveUp(failure, attempt, "no pending container instance left to start the task on", executionArn);
        logJson("WARN", "rerun not sent", { ...ctx, ...decisionFields(out.decision) });
        return out;
      }
      let answer;
      try {
        answer = failure.action === "StartTask" && !planted("no-start-lookup") ? await ecs.startedByAttempt(failure, attempt, ctx) : undefined;
        if (answer === undefined) {
          // Paced: this launch's turn at the account's shared launch rate (pacer.ts). A slot further
          // off than a short wait is waited for in Step Functions: the round ends here, no attempt used.
          const turn = pacer ? await pacer.turn(failure, attempt, config.maxAttempts, ecs.remainingMs(), ctx, pacerItemKey(clients.place)) : undefined;
          if (turn?.kind === "later") return output(turn.failure, turn.decision, executionArn, "rerun");
          logJson("INFO", "rerun sent", {
            ...ctx,
            ...(failure.action === "RunTask" ? { clientToken: rerunClientToken(failure, attempt) } : {}),
            ...(failure.action === "StartTask" ? { containerInstances: failure.pendingContainerInstances } : {}),
          });
          answer = await ecs.launch(failure, attempt, ctx, planted("tag-after-launch"));
        }
      } catch (err) {
        // Throttled, 5xx or no answer: the same attempt later. Safe even if the call took effect:
        // RunTask repeats its clientToken; StartTask first finds what this attempt placed.
        if (err instanceof Deferred) return later(failure, attempt, `${failure.action}: ${err.why}`, executionArn, "rerun");
        if (err instanceof EcsRefused) return gaveUp(failure, attempt, err.why, executionArn);
        throw err;
      }
      const launched = applyLaunch({ ...failure, deferrals: 0 }, answer, attempt, {
        verify: config.verifyIntervalSeconds > 0,
        nowMs: now(),
        verifyTimeoutSeconds: config.verifyTimeoutSeconds,
      });
      failure = launched.failure;
      logJson("INFO", "rerun answered", { ...correlation(failure, attempt, executionArn), newTaskArns: launched.launchedTaskArns, verifyDeadline: failure.verifyDeadline });

      // On warm instances tasks start within seconds: a short look here spares the execution a
      // wait-and-check round (two state transitions); slow starts (capacity provisioning) still
      // get the durable check after VERIFY_INTERVAL_SECONDS. The launch is recorded by returning
      // it, so any trouble while looking ends the look, never the invocation.
      for (
        let waited = 0;
        failure.unconfirmedTaskArns.length > 0 && waited + QUICK_CHECK_INTERVAL_SECONDS <= config.quickCheckSeconds && ecs.remainingMs() > QUICK_CHECK_INTERVAL_SECONDS * 1000;
        waited += QUICK_CHECK_INTERVAL_SECONDS
      ) {
        await sleep(QUICK_CHECK_INTERVAL_SECONDS * 1000);
        try {
          await checkLaunched();
        } catch (err) {
          if (!(err instanceof Deferred || err instanceof EcsRefused)) throw err;
          if (planted("lose-launch-on-check-failure")) return later(input.failure, attempt, `start check failed: ${err.why}`, executionArn, "rerun");
          break;
        }
        if (failure.remaining > 0) break;
      }
    }

    // (c) Decide.
    const decision = decide(failure, config, now(), random);
    logJson(decision.next === "recovered" || decision.next === "retry" || decision.next === "verify" ? "INFO" : "WARN", "rerun decided", {
      ...correlation(failure, attempt, executionArn),
      ...decisionFields(decision),
    });
    return output(failure, decision, executionArn, "rerun");
  }

  const homeClients: Clients = { ecs: deps.ecs, events: deps.events, scheduler: deps.scheduler };

  /**
   * The clients for the failure's place: the function's own for its own place (and whenever it is
   * no hub); a spoke's, with credentials of its relaunch role, for another admitted place. Nothing is
   * launched where the hub may not act: a refused account, or a role STS would not let it assume,
   * ends in a needs_human notice naming the account and region; STS throttled or down is a "later".
   */
  async function clientsFor(failure: LaunchFailure, input: RerunLambdaInput, context: InvocationContext | undefined): Promise<Clients | RerunLambdaOutput> {
    const hub = deps.hub;
    const place = placeOf(failure);
    const after = input.action === "classify" ? "classify" : "rerun";
    const attempt = input.action === "rerun" ? input.attempt : 1;
    const ctx = correlation(failure, input.action === "rerun" ? input.attempt : 0, input.executionArn);
    const refuse = (message: string): RerunLambdaOutput => {
      logJson("ERROR", "not relaunched: the pipeline may not act in this place", { ...ctx, message });
      const decided = after === "classify" ? 0 : failure.attemptsLaunched;
      return output({ ...failure, unrecoverable: [] }, { next: "needs_human", attempt: decided, nextAttempt: decided, maxAttempts: config.maxAttempts, delaySeconds: 0, retryable: false, message }, input.executionArn, after);
    };
    if (hub === undefined) {
      // Only a hub relaunches elsewhere. A pipeline's rule matches a cluster protected by short name
      // in any event it receives, so an event of another account or region (a bus that admits one)
      // would otherwise be relaunched here, on this account's cluster of that name: another job.
      const home = placeOfFunctionArn(context?.invokedFunctionArn);
      if (home !== undefined && !samePlace(place, home)) {
        return refuse(`account ${place.account} region ${place.region} is not this pipeline's own (${placeLabel(home)}), and only a hub relaunches in another account or region (spokeClusters; module: spoke_clusters): nothing was launched, here or there`);
      }
      return homeClients;
    }
    const homeAccount = hub.homeAccount ?? accountOfFunctionArn(context?.invokedFunctionArn);
    if (homeAccount === undefined) throw new ConfigurationError(`the hub's own account is unknown: context.invokedFunctionArn ${JSON.stringify(context?.invokedFunctionArn)} names none`);
    const verdict = admit(place, { account: homeAccount, region: hub.config.homeRegion }, hub.config);
    if (verdict.kind === "home" || planted("relaunch-at-home")) return homeClients;
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
        return later(pending, attempt, `cannot assume ${err.roleArn} in account ${place.account} region ${place.region} yet: ${err.why}`, input.executionArn, after);
      }
      return refuse(`account ${place.account} region ${place.region}: the hub could not assume ${err.roleArn} (${err.why}), so nothing was launched; deploy the spoke module there (its relaunch role trusts this hub's rerun role), or launch the task by hand`);
    }
    return { ecs: clients.ecs, events: clients.events, scheduler: clients.scheduler, place };
  }

  return async function handler(payload: unknown, context?: InvocationContext): Promise<RerunLambdaOutput> {
    const remaining = context?.getRemainingTimeInMillis?.();
    const budgetMs = planted("no-time-budget") ? Number.POSITIVE_INFINITY : remaining === undefined ? DEFAULT_TIME_BUDGET_MS : remaining - TIME_MARGIN_MS;
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
      const clients = await clientsFor(failure, input, context);
      if (!("ecs" in clients)) return clients;
      const ecs = new EcsAccess(config, { ecs: clients.ecs, random, sleep, now, definitions: definitionsOf(clients.place) }, now() + budgetMs);
      if (input.action === "rerun") return await rerun(input, ecs, clients);
      return await classified(failure, ecs, input.executionArn, clients);
    } catch (err) {
      if (err instanceof Error && err.name === "InvalidEventError") {
        logJson("ERROR", "invalid input", { ...describeError(err), executionArn: (payload as { executionArn?: unknown } | null)?.executionArn });
      }
      throw err;
    }
  };
}
