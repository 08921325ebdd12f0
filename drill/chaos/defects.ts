// The defects the fault sweep's own test plants back (__tests__/drill/chaos/sweep.test.ts), to show
// the sweep catches each one with the invariant its harm breaks. None lives in a Lambda: each is
// planted through a seam the tests already use (the clients, context and outcome log passed to a
// handler made by makeHandler, the handler the state machine invokes, the definition it runs), so
// no production entry point or bundle carries them (__tests__/pipeline/lambda-bundles.test.ts greps
// the bundles).
//
// Defects the pipeline once had, each fixed, and one it never had:
// - no-execution-names (starter): executions started unnamed, so a second delivery starts a second;
// - no-start-lookup: a repeated StartTask does not first look for what its attempt placed;
// - lose-launch-on-check-failure: a failing start check right after a launch hands back the failure
//   as it was before the launch (the launch is forgotten and sent again);
// - tag-after-launch: owner tags added by TagResource after the launch, which can fail;
// - no-time-budget: throttled calls retried with no regard for the invocation's timeout;
// - throw-normal-outcomes: "later" and already_handled thrown as errors;
// - notice-stops-rerun (state machine): no Catch on the notify states, so a failed notice fails the execution;
// - relaunch-at-home (never shipped): a spoke's failure handled with the hub's own clients, in the hub's place;
// - reconciler-skips-a-window: the reconciler's first cursor in each place lands an hour past what it read.
import { DescribeTasksCommand, ListTasksCommand, RunTaskCommand, StartTaskCommand, TagResourceCommand, type ECSClient, type Tag } from "@aws-sdk/client-ecs";
import { StartExecutionCommand } from "@aws-sdk/client-sfn";
import { OWNER_TAG_ATTEMPT, OWNER_TAG_EVENT_ID, type RerunLambdaOutput } from "../../lambda/shared/contract";
import type { RerunConfig } from "../../lambda/rerun/config";
import { deferDecision } from "../../lambda/rerun/core/relaunch/deferral";
import { answerFor } from "../../lambda/rerun/core/notices/outcome";
import { makeHandler, type EcsSender, type InvocationContext, type RerunDeps, type RerunHandler } from "../../lambda/rerun/handler";
import type { PlaceClients } from "../../lambda/rerun/spoke-access";
import type { SfnSender } from "../../lambda/starter/handler";
import { STATES } from "../../modules/pipeline/orchestration/rerun-state-machine";
import type { CursorStore, ReconcilerDeps } from "../../lambda/reconciler/handler";
import { RERUN_DEFECTS, type ChaosDefect } from "./defect-names";

/** The starter's Step Functions client, with "no-execution-names": every execution started unnamed. */
export function plantedSfn(sfn: SfnSender, defects: ReadonlySet<ChaosDefect>): SfnSender {
  if (!defects.has("no-execution-names")) return sfn;
  return { send: (command) => sfn.send(new StartExecutionCommand({ ...command.input, name: undefined })) };
}

/** The state machine definition, with "notice-stops-rerun": as it was before notices were caught. */
export function plantedDefinition(definition: Record<string, unknown>, defects: ReadonlySet<ChaosDefect>): Record<string, unknown> {
  if (!defects.has("notice-stops-rerun")) return definition;
  const copy = structuredClone(definition) as { States: Record<string, { Resource?: string; Catch?: unknown }> };
  for (const state of Object.values(copy.States)) if (state.Resource === "arn:aws:states:::sns:publish") delete state.Catch;
  for (const unreachable of [STATES.noticeFailed, STATES.countLostNotice, STATES.afterNotice, STATES.noticeLost]) delete copy.States[unreachable];
  return copy;
}

/** What one invocation's ECS calls showed: a launch answered, then whether the last start check after it failed. */
interface Seen {
  launched: boolean;
  checkFailedAfterLaunch: boolean;
}

const isOwnerTag = (t: Tag) => t.key === OWNER_TAG_EVENT_ID || t.key === OWNER_TAG_ATTEMPT;

/** An ECS client with the rerun's ECS defects, noting in `seen` what the invocation's calls showed. */
function plantedEcs(inner: EcsSender, defects: ReadonlySet<ChaosDefect>, seen: Seen): EcsSender {
  const ecs = inner as unknown as Pick<ECSClient, "send">;
  const send = async (command: Parameters<ECSClient["send"]>[0]): Promise<unknown> => {
    // The look-up before a repeated StartTask lists the tasks of its container instances: it finds none.
    if (defects.has("no-start-lookup") && command instanceof ListTasksCommand && command.input.containerInstance !== undefined) return { taskArns: [], $metadata: {} };
    if (defects.has("tag-after-launch") && (command instanceof RunTaskCommand || command instanceof StartTaskCommand)) return tagAfterLaunch(ecs, command, seen);
    const isCheck = command instanceof DescribeTasksCommand && seen.launched;
    try {
      const answer = await ecs.send(command as never);
      if (command instanceof RunTaskCommand || command instanceof StartTaskCommand) seen.launched = true;
      if (isCheck) seen.checkFailedAfterLaunch = false;
      return answer;
    } catch (err) {
      if (isCheck) seen.checkFailedAfterLaunch = true;
      throw err;
    }
  };
  return { send } as unknown as EcsSender;
}

/** The launch without its owner tags, then TagResource with them, whose failure leaves a rerun nobody recognises as one. */
async function tagAfterLaunch(ecs: Pick<ECSClient, "send">, command: RunTaskCommand | StartTaskCommand, seen: Seen): Promise<unknown> {
  const tags = command.input.tags ?? [];
  const ownTags = tags.filter((t) => !isOwnerTag(t));
  const input = { ...command.input, tags: ownTags.length > 0 ? ownTags : undefined };
  const answer = command instanceof RunTaskCommand ? await ecs.send(new RunTaskCommand(input as RunTaskCommand["input"])) : await ecs.send(new StartTaskCommand(input as StartTaskCommand["input"]));
  seen.launched = true;
  for (const task of answer.tasks ?? []) await ecs.send(new TagResourceCommand({ resourceArn: task.taskArn, tags: tags.filter(isOwnerTag) })).catch(() => undefined);
  return answer;
}

/** The hub's clients for other places, with the rerun's ECS defects, or, with "relaunch-at-home", the hub's own clients for every place. */
function plantedHub(deps: RerunDeps, home: EcsSender, defects: ReadonlySet<ChaosDefect>, seen: Seen): RerunDeps["hub"] {
  const hub = deps.hub;
  if (hub === undefined) return undefined;
  if (defects.has("relaunch-at-home")) {
    const at = (place: PlaceClients["place"]): PlaceClients => ({ place, roleArn: "(none: the hub's own clients)", ecs: home, events: deps.events, scheduler: deps.scheduler, ready: async () => {} });
    return { ...hub, spokes: { for: at } };
  }
  const spoke = (clients: PlaceClients): PlaceClients => ({ ...clients, ecs: plantedEcs(clients.ecs, defects, seen) });
  return { ...hub, spokes: { for: (place) => spoke(hub.spokes.for(place)) } };
}

/**
 * The rerun handler as `makeHandler(config, deps)` makes it, with `defects` planted around it: in
 * its clients (no-start-lookup, tag-after-launch, relaunch-at-home), its context (no-time-budget:
 * a budget without end) and its answers (throw-normal-outcomes; lose-launch-on-check-failure: the
 * answer replaced by the "later" the old code gave, built by the same pure functions). The outcome
 * lines an invocation writes are held until its answer is known, so a replaced answer logs only its
 * own. One handler may serve many invocations, one at a time.
 */
export function plantedRerunHandler(config: RerunConfig, deps: RerunDeps, defects: ReadonlySet<ChaosDefect>): RerunHandler {
  if (!RERUN_DEFECTS.some((d) => defects.has(d))) return makeHandler(config, deps);
  const seen: Seen = { launched: false, checkFailedAfterLaunch: false };
  let lines: string[] = [];
  const writeOutcome = deps.writeOutcome ?? ((line: string) => console.log(line));
  const ecs = plantedEcs(deps.ecs, defects, seen);
  const inner = makeHandler(config, { ...deps, ecs, hub: plantedHub(deps, ecs, defects, seen), writeOutcome: (line) => lines.push(line) });
  const now = deps.now ?? (() => Date.now());

  return async (payload: unknown, context?: InvocationContext): Promise<RerunLambdaOutput> => {
    Object.assign(seen, { launched: false, checkFailedAfterLaunch: false });
    lines = [];
    const flush = () => lines.splice(0).forEach((line) => writeOutcome(line));
    let output: RerunLambdaOutput;
    try {
      output = await inner(payload, defects.has("no-time-budget") ? { ...context, getRemainingTimeInMillis: () => Number.POSITIVE_INFINITY } : context);
    } catch (err) {
      flush();
      throw err;
    }
    const input = payload as { action?: string; failure?: RerunLambdaOutput["failure"]; attempt?: number; executionArn: string };
    if (defects.has("lose-launch-on-check-failure") && input.action === "rerun" && seen.checkFailedAfterLaunch) {
      const deferred = deferDecision(input.failure!, input.attempt!, config.maxAttempts, "start check failed", deps.random ?? Math.random);
      const answer = answerFor(config, deferred.failure, deferred.decision, input.executionArn, "rerun", now());
      lines = answer.outcomeLine === undefined ? [] : [answer.outcomeLine];
      output = answer.output;
    }
    if (defects.has("throw-normal-outcomes") && (output.decision.next === "later" || output.decision.next === "already_handled")) {
      lines = [];
      throw Object.assign(new Error(output.decision.message), { name: output.decision.next === "later" ? "EcsServerError" : "AlreadyHandledError" });
    }
    flush();
    return output;
  };
}

/** How far the planted cursor jumps past what was read. */
const SKIPPED_MS = 3_600_000;

/**
 * "reconciler-skips-a-window", planted through the deps the drill builds the reconciler's handler
 * with: its first cursor write in each place lands an hour past the end of what it read, so the hour
 * after it is never read (its overlap reaches back only 15 minutes).
 */
export function skipAWindow(deps: ReconcilerDeps): ReconcilerDeps {
  const skipped = new Set<string>();
  const cursors: CursorStore = {
    get: (key) => deps.cursors.get(key),
    put: (key, coveredUntilMs) => {
      const jump = skipped.has(key) ? 0 : SKIPPED_MS;
      skipped.add(key);
      return deps.cursors.put(key, coveredUntilMs + jump);
    },
  };
  return { ...deps, cursors };
}
