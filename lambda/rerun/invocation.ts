/**
 * One invocation of the rerun Lambda, step by step. The handler (handler.ts) validates the payload
 * and picks the clients of the failure's place; a {@link RerunInvocation} then runs either the
 * classification of a new failure (ownership, essential containers, decision, the request to
 * replay) or one round of reruns (check earlier launches, launch, a quick look, decide). A step that
 * ends the invocation gives the state machine its answer through {@link Answers}; every normal
 * outcome is an answer, never an error.
 */
import type { Decision, LaunchFailure, RerunInput, RerunLambdaOutput } from "../shared/contract";
import { logJson } from "../shared/log";
import type { RerunConfig } from "./config";
import { decide } from "./core/relaunch/decision";
import { deferDecision } from "./core/relaunch/deferral";
import { essentialNames, failedEssentials } from "./core/failure/essential";
import { infrastructureRolesRefusal } from "./core/failure/infrastructure-roles";
import type { EcsAnswer } from "./core/relaunch/launch-answer";
import { answerFor } from "./core/notices/outcome";
import { pacerItemKey } from "./core/relaunch/pacing";
import type { Place } from "./core/relaunch/place";
import { programFailureRerunAllowed } from "./core/relaunch/reason-classification";
import { rerunClientToken } from "./core/failure/rerun-request";
import { Deferred, EcsAccess, EcsRefused, type DefinitionCache, type EcsSender } from "./ecs-access";
import type { LaunchPacer } from "./pacer";
import { resolveRequest } from "./request-resolution";
import { ScheduleAccess, type EventsSender, type SchedulerSender } from "./schedule-access";
import { programFailureReason, withLogLinks } from "./task-state";
import { applyLaunch, applyVerification, withoutVerification } from "./verify";

/** How often the handler looks at a fresh launch during its quick check. */
export const QUICK_CHECK_INTERVAL_SECONDS = 5;

/** What every invocation of one handler shares: its settings, clocks, the pacer and where outcome lines go. */
export interface HandlerScope {
  readonly config: RerunConfig;
  readonly random: () => number;
  readonly sleep: (ms: number) => Promise<void>;
  readonly now: () => number;
  readonly writeOutcome: (line: string) => void;
  readonly pacer?: LaunchPacer;
  /** The task definitions read in `place`, kept for the life of the Lambda container. */
  definitionsOf(place?: Place): DefinitionCache;
}

/** The clients one invocation calls: the function's own, or a spoke's (`place` set: its pacing clock is the place's). */
export interface Clients {
  readonly ecs: EcsSender;
  readonly events?: EventsSender;
  readonly scheduler?: SchedulerSender;
  readonly place?: Place;
}

/** A step's result: go on with the failure as it now stands, or the answer that ends the invocation. */
type Step = { readonly failure: LaunchFailure; readonly output?: undefined } | { readonly output: RerunLambdaOutput };

/** The correlation keys every log line of a failure carries. */
export function correlation(failure: LaunchFailure, attempt: number, executionArn: string): Record<string, unknown> {
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

/** The answers one execution's invocation may give the state machine. */
export class Answers {
  constructor(
    private readonly scope: HandlerScope,
    readonly executionArn: string,
  ) {}

  /** The state machine's answer for `decision`; an execution that ends here writes its outcome line (core/notices/outcome.ts). */
  answer(failure: LaunchFailure, decision: Decision, after: "classify" | "rerun"): RerunLambdaOutput {
    const { output, outcomeLine } = answerFor(this.scope.config, failure, decision, this.executionArn, after, this.scope.now());
    if (outcomeLine !== undefined) this.scope.writeOutcome(outcomeLine);
    return output;
  }

  /** The same `attempt` again after a wait (no attempt used up); gave_up past MAX_DEFERRALS. */
  later(failure: LaunchFailure, attempt: number, why: string, after: "classify" | "rerun"): RerunLambdaOutput {
    const deferred = deferDecision(failure, attempt, this.scope.config.maxAttempts, why, this.scope.random);
    logJson(deferred.decision.next === "later" ? "INFO" : "ERROR", "handed back for later", {
      ...correlation(deferred.failure, attempt, this.executionArn),
      ...decisionFields(deferred.decision),
    });
    return this.answer(deferred.failure, deferred.decision, after);
  }

  /** No more attempts: the execution fails (alarmed) after its gave_up notice. */
  gaveUp(failure: LaunchFailure, attempt: number, message: string): RerunLambdaOutput {
    return this.answer(failure, this.ending("gave_up", attempt, attempt + 1, message), "rerun");
  }

  /** Nothing launched; a human must act (`attempt`: 0 at classify, else the attempts launched so far). */
  needsHuman(failure: LaunchFailure, message: string, after: "classify" | "rerun", attempt = 0): RerunLambdaOutput {
    return this.answer(failure, this.ending("needs_human", attempt, attempt, message), after);
  }

  /** No failure for this execution to handle (counted elsewhere, or none at all). */
  alreadyHandled(failure: LaunchFailure, message: string): RerunLambdaOutput {
    return this.answer(failure, this.ending("already_handled", 0, 0, message), "classify");
  }

  private ending(next: "gave_up" | "needs_human" | "already_handled", attempt: number, nextAttempt: number, message: string): Decision {
    return { next, attempt, nextAttempt, maxAttempts: this.scope.config.maxAttempts, delaySeconds: 0, retryable: false, message };
  }
}

/** One invocation with its clients and time budget: {@link classify} or {@link rerun}. */
export class RerunInvocation {
  private readonly ecs: EcsAccess;
  private readonly config: RerunConfig;

  constructor(
    private readonly scope: HandlerScope,
    private readonly answers: Answers,
    private readonly clients: Clients,
    deadlineMs: number,
  ) {
    this.config = scope.config;
    const { random, sleep, now } = scope;
    this.ecs = new EcsAccess(scope.config, { ecs: clients.ecs, random, sleep, now, definitions: scope.definitionsOf(clients.place) }, deadlineMs);
  }

  private get executionArn(): string {
    return this.answers.executionArn;
  }

  /**
   * Classification: whose task it was, whether it failed at all (essential containers), what to do,
   * and, for a relaunch, the request to replay. A task this pipeline launched ends quietly (its own
   * execution counts it); a program failure of an opted-in family that was itself a rerun is
   * reported, not rerun again.
   */
  async classify(failure: LaunchFailure): Promise<RerunLambdaOutput> {
    const ctx = correlation(failure, 0, this.executionArn);
    const owned = await this.ownership(failure, ctx);
    if (owned.output) return owned.output;
    const judged = await this.essentialContainers(owned.failure, ctx);
    if (judged.output) return judged.output;
    failure = judged.failure;
    const decision = decide(failure, this.config, this.scope.now(), this.scope.random);
    // A failure that will be relaunched needs the request to replay, from its source of truth
    // (request-resolution.ts); one that will not (not retryable, a report) is told as it is.
    if (decision.next === "retry" && failure.requestSource === undefined) {
      const replay = await this.requestToReplay(failure, ctx);
      if (replay.output) return replay.output;
      failure = replay.failure;
    }
    logJson(decision.next === "retry" || decision.next === "recovered" ? "INFO" : "WARN", "launch failure classified", {
      ...correlation(failure, 0, this.executionArn),
      ...decisionFields(decision),
      stoppedReason: failure.stoppedReason,
      containers: failure.containers,
    });
    return this.answers.answer(failure, decision, "classify");
  }

  /** Whether ecs-rerun launched the stopped task, where that decides (owner tags); unknown yet is a "later". */
  private async ownership(failure: LaunchFailure, ctx: Record<string, unknown>): Promise<Step> {
    const needsOwner =
      failure.failureType === "failed_to_start" || (failure.failureType === "program_failed" && programFailureRerunAllowed(failure.taskDefinition, this.config.rerunProgramFailureFamilies));
    if (!needsOwner) return { failure };
    const owner = await this.ecs.owner(failure, ctx);
    if (owner.kind === "unknown") {
      return { output: this.answers.later({ ...failure, classificationPending: true }, 1, `cannot tell yet whether ecs-rerun launched ${failure.taskArn}: ${owner.why}`, "classify") };
    }
    const known: LaunchFailure = { ...failure, deferrals: 0 };
    delete known.classificationPending;
    if (owner.kind === "ours" && known.failureType === "failed_to_start") {
      const message = `task ${known.taskArn} was launched by ecs-rerun for event ${owner.eventId} (attempt ${owner.attempt}); the execution that launched it counts this failure`;
      logJson("INFO", "failure of a task ecs-rerun launched: counted by its own execution", { ...ctx, ownerEventId: owner.eventId, ownerAttempt: owner.attempt });
      return { output: this.answers.alreadyHandled(known, message) };
    }
    return { failure: owner.kind === "ours" ? { ...known, rerunOf: { eventId: owner.eventId, attempt: owner.attempt } } : known };
  }

  /** Only essential containers decide: a sidecar that exited 143 after the app finished is no failure. */
  private async essentialContainers(failure: LaunchFailure, ctx: Record<string, unknown>): Promise<Step> {
    if (failure.failureType !== "program_failed" || failure.containers === undefined || failure.containers.length === 0 || failure.taskArn === undefined) return { failure };
    const taskArn = failure.taskArn;
    const definitions = await this.ecs.containerDefinitions(failure, ctx);
    const failing = failedEssentials(failure.containers, essentialNames(definitions));
    if (failing.length === 0) {
      const message = `only non-essential containers exited non-zero (${failure.containers.map((c) => `${c.name} ${c.exitCode}`).join(", ")}): not a program failure`;
      logJson("INFO", "stopped task is no program failure", { ...ctx, message });
      return { output: this.answers.alreadyHandled(failure, message) };
    }
    const reasons = failing.map(programFailureReason);
    return { failure: { ...failure, containers: definitions ? withLogLinks(failing, definitions, taskArn) : failing, reasons, failures: reasons.map((reason) => ({ arn: taskArn, reason })) } };
  }

  /** The request to replay, from its source of truth; a launch that cannot be faithful, or that IAM would refuse half-way, is not started. */
  private async requestToReplay(failure: LaunchFailure, ctx: Record<string, unknown>): Promise<Step> {
    let resolved;
    try {
      resolved = await resolveRequest(failure, new ScheduleAccess(this.clients.events, this.clients.scheduler, this.ecs), ctx);
    } catch (err) {
      if (!(err instanceof Deferred)) throw err;
      return { output: this.answers.later({ ...failure, classificationPending: true }, 1, `cannot read the schedule that launched the task yet: ${err.why}`, "classify") };
    }
    const found = resolved.failure;
    // A launch IAM would refuse half-way (an infrastructure role this role may not pass) is not started.
    const refusal = infrastructureRolesRefusal(found.request, this.config.infrastructureRoleArns, this.clients.place !== undefined);
    if (refusal !== undefined) {
      logJson("WARN", "launch failure classified", { ...correlation(found, 0, this.executionArn), next: "needs_human", message: refusal });
      return { output: this.answers.needsHuman({ ...found, unrecoverable: [] }, refusal, "classify") };
    }
    if (resolved.kind === "unrecoverable") {
      const message = `the original request cannot be recovered faithfully (${(found.unrecoverable ?? []).join("; ")}): nothing was launched`;
      logJson("WARN", "launch failure classified", { ...correlation(found, 0, this.executionArn), next: "needs_human", message });
      return { output: this.answers.needsHuman(found, message, "classify") };
    }
    return { failure: found };
  }

  /**
   * One round of the rerun loop: (a) did the tasks launched earlier start, (b) launch, once per
   * attempt, while tasks are owed, then take a quick look at them, (c) decide what comes next.
   */
  async rerun(input: RerunInput): Promise<RerunLambdaOutput> {
    const { attempt } = input;
    let failure = input.failure;
    // Classification that waited for the stopped task's ownership: finish it first.
    if (failure.classificationPending) return this.classify(failure);
    // Verification switched off while this execution waited: what was placed counts as started
    // (checking with a 0 s interval would spin until the deadline).
    if (failure.unconfirmedTaskArns.length > 0 && this.config.verifyIntervalSeconds === 0) {
      logJson("INFO", "verification off; launched tasks counted as started", correlation(failure, attempt, this.executionArn));
      failure = withoutVerification(failure);
    }
    if (failure.unconfirmedTaskArns.length > 0) {
      const checked = await this.checkEarlierLaunches(failure, attempt);
      if (checked.output) return checked.output;
      failure = checked.failure;
    }
    if (attempt > failure.attemptsLaunched && failure.remaining > 0) {
      const launched = await this.launch(failure, attempt);
      if (launched.output) return launched.output;
      failure = await this.quickLook(launched.failure, attempt);
    }
    const decision = decide(failure, this.config, this.scope.now(), this.scope.random);
    logJson(decision.next === "recovered" || decision.next === "retry" || decision.next === "verify" ? "INFO" : "WARN", "rerun decided", {
      ...correlation(failure, attempt, this.executionArn),
      ...decisionFields(decision),
    });
    return this.answers.answer(failure, decision, "rerun");
  }

  /** Folds the state of the launched tasks into the failure (throws Deferred or EcsRefused). */
  private async checkLaunched(failure: LaunchFailure, attempt: number): Promise<LaunchFailure> {
    const checked = applyVerification(failure, await this.ecs.describe(failure, correlation(failure, attempt, this.executionArn)));
    logJson(checked.failedToStart.length > 0 ? "WARN" : "INFO", "launched tasks checked", {
      ...correlation(checked.failure, attempt, this.executionArn),
      started: checked.started,
      failedToStart: checked.failedToStart,
      pending: checked.pending,
    });
    return checked.failure;
  }

  /** (a) Nothing has been launched in this invocation yet, so an unusable answer hands the whole round back. */
  private async checkEarlierLaunches(failure: LaunchFailure, attempt: number): Promise<Step> {
    try {
      return { failure: await this.checkLaunched(failure, attempt) };
    } catch (err) {
      if (err instanceof Deferred) return { output: this.answers.later(failure, attempt, `cannot check that launched tasks started: ${err.why}`, "rerun") };
      if (err instanceof EcsRefused) return { output: this.answers.gaveUp(failure, failure.attemptsLaunched, `cannot check that launched tasks started: ${err.why}`) };
      throw err;
    }
  }

  /** (b) The attempt's launch: what a StartTask of it already placed, else a paced RunTask/StartTask. */
  private async launch(failure: LaunchFailure, attempt: number): Promise<Step> {
    const ctx = correlation(failure, attempt, this.executionArn);
    if (failure.action === "StartTask" && (failure.pendingContainerInstances ?? []).length === 0) {
      const out = this.answers.gaveUp(failure, attempt, "no pending container instance left to start the task on");
      logJson("WARN", "rerun not sent", { ...ctx, ...decisionFields(out.decision) });
      return { output: out };
    }
    let answer: EcsAnswer | undefined;
    try {
      answer = failure.action === "StartTask" ? await this.ecs.startedByAttempt(failure, attempt, ctx) : undefined;
      if (answer === undefined) {
        // Paced: this launch's turn at the account's shared launch rate (pacer.ts). A slot further
        // off than a short wait is waited for in Step Functions: the round ends here, no attempt used.
        const turn = this.scope.pacer ? await this.scope.pacer.turn(failure, attempt, this.config.maxAttempts, this.ecs.remainingMs(), ctx, pacerItemKey(this.clients.place)) : undefined;
        if (turn?.kind === "later") return { output: this.answers.answer(turn.failure, turn.decision, "rerun") };
        logJson("INFO", "rerun sent", {
          ...ctx,
          ...(failure.action === "RunTask" ? { clientToken: rerunClientToken(failure, attempt) } : {}),
          ...(failure.action === "StartTask" ? { containerInstances: failure.pendingContainerInstances } : {}),
        });
        answer = await this.ecs.launch(failure, attempt, ctx);
      }
    } catch (err) {
      // Throttled, 5xx or no answer: the same attempt later. Safe even if the call took effect:
      // RunTask repeats its clientToken; StartTask first finds what this attempt placed.
      if (err instanceof Deferred) return { output: this.answers.later(failure, attempt, `${failure.action}: ${err.why}`, "rerun") };
      if (err instanceof EcsRefused) return { output: this.answers.gaveUp(failure, attempt, err.why) };
      throw err;
    }
    const launched = applyLaunch({ ...failure, deferrals: 0 }, answer, attempt, {
      verify: this.config.verifyIntervalSeconds > 0,
      nowMs: this.scope.now(),
      verifyTimeoutSeconds: this.config.verifyTimeoutSeconds,
    });
    logJson("INFO", "rerun answered", { ...correlation(launched.failure, attempt, this.executionArn), newTaskArns: launched.launchedTaskArns, verifyDeadline: launched.failure.verifyDeadline });
    return { failure: launched.failure };
  }

  /**
   * On warm instances tasks start within seconds: a short look here spares the execution a
   * wait-and-check round (two state transitions); slow starts (capacity provisioning) still get the
   * durable check after VERIFY_INTERVAL_SECONDS. The launch is recorded by returning it, so any
   * trouble while looking ends the look, never the invocation.
   */
  private async quickLook(failure: LaunchFailure, attempt: number): Promise<LaunchFailure> {
    for (
      let waited = 0;
      failure.unconfirmedTaskArns.length > 0 && waited + QUICK_CHECK_INTERVAL_SECONDS <= this.config.quickCheckSeconds && this.ecs.remainingMs() > QUICK_CHECK_INTERVAL_SECONDS * 1000;
      waited += QUICK_CHECK_INTERVAL_SECONDS
    ) {
      await this.scope.sleep(QUICK_CHECK_INTERVAL_SECONDS * 1000);
      try {
        failure = await this.checkLaunched(failure, attempt);
      } catch (err) {
        if (!(err instanceof Deferred || err instanceof EcsRefused)) throw err;
        break;
      }
      if (failure.remaining > 0) break;
    }
    return failure;
  }
}
