// The fault sweep's judge: five invariants, each decided on ground truth (the tasks the local ECS
// really placed and ran, the messages Slack and the dead-letter queue really received, the alarms
// that really fired), never on what the pipeline says about itself.
import { mustNotLaunch, shortfallOf, type Scenario } from "./scenario";

export type Invariant = "I1" | "I2" | "I3" | "I4" | "I5";
export const INVARIANTS: readonly Invariant[] = ["I1", "I2", "I3", "I4", "I5"];

export const INVARIANT_NAMES: Readonly<Record<Invariant, string>> = {
  I1: "no duplicate: tasks started for one failed launch <= its shortfall",
  I2: "no silence: a shortfall not started, or a program failure, reaches a human (its own Slack message, named in a storm digest, the dead-letter queue, or an alarm)",
  I3: "never launches what it must not (service tasks, program failures, unprotected clusters, hidden requests), nor anywhere but the failure's own account and region",
  I4: "bounded: tasks launched <= max attempts x shortfall, executions <= deliveries (one when none)",
  I5: "quiet when healthy: no alarm when every fault healed within its retry budget",
};

/** What a run really did, as the local endpoints and the queue saw it. */
export interface Observation {
  /** Tasks the local ECS placed during the run (in every account and region), and whether each reached RUNNING. */
  readonly tasks: readonly { readonly ran: boolean }[];
  /** Of those, the tasks placed in another account or region than the failure's. */
  readonly misplacedTasks: number;
  /** Kinds of the notices Slack accepted (read from the messages it received; a digest adds "digest" and the kind of each problem it names). */
  readonly slackKinds: readonly string[];
  /** Kinds of the notices that landed in the dead-letter queue. */
  readonly deadLetterKinds: readonly string[];
  /** Pipeline alarms that went to ALARM. */
  readonly alarms: readonly string[];
  /** Executions Step Functions started for the delivered failure (its copies). */
  readonly executions: number;
}

export interface Violation {
  readonly invariant: Invariant;
  readonly detail: string;
}

/** What asks a human to act: those notices, or the failure's own event parked in the queue. */
const NEEDS_HUMAN = ["gave_up", "not_retryable", "needs_human", "unstarted-event"];

/**
 * Whether an alarm that says something is lost reaches a human: its only action is the notices topic,
 * which a scenario whose publishes are refused (KMS access denied on the topic's key) has broken for
 * the alarm too. FoundByReconciler is left out: it says the reconciler handed a failure over (the
 * event path missed it), not that the job is lost, so it tells no one a shortfall went unstarted.
 */
function alarmReachesHuman(s: Scenario, o: Observation): boolean {
  return o.alarms.some((a) => a !== "foundByReconciler") && !s.sns.includes("fail");
}

/**
 * Whether every injected fault was one the pipeline heals within its retry budget: no invocation
 * died, no publish refused, at most two Slack failures or 429s (each notice gets three tries; a 429
 * folds it into the next minute's digest, which gets its own), two
 * StartExecution failures (the starter gets three) and two pacer writes failed (a reservation gets
 * three tries), and the job ended where it should: the shortfall started, or nothing to launch.
 */
export function healedWithinBudget(s: Scenario, o: Observation): boolean {
  const ran = o.tasks.filter((t) => t.ran).length;
  const failures = (list: readonly string[]) => list.filter((f) => f !== "ok").length;
  return (
    // A lost event is the event path's fault that FoundByReconciler exists to report; a dead
    // reconciler invocation is the reconciler's Errors.
    s.delivery === "delivered" &&
    !(s.reconcile && s.reconcilerDeaths.some((d) => d > 0)) &&
    !s.lambda.includes("die") &&
    !s.sns.includes("fail") &&
    failures(s.slack) <= 2 &&
    s.slack[s.slack.length - 1] === "ok" &&
    failures(s.startExecution) <= 2 &&
    failures(s.updateItem) <= 2 &&
    (mustNotLaunch(s) ? o.tasks.length === 0 : ran === shortfallOf(s))
  );
}

/** Judges one run. `maxAttempts` is the pipeline's configured MAX_ATTEMPTS. */
export function judge(s: Scenario, o: Observation, maxAttempts: number): Violation[] {
  const violations: Violation[] = [];
  const shortfall = shortfallOf(s);
  const ran = o.tasks.filter((t) => t.ran).length;
  const told = (kinds: readonly string[]) => o.slackKinds.some((k) => kinds.includes(k)) || o.deadLetterKinds.some((k) => kinds.includes(k)) || alarmReachesHuman(s, o);

  if (ran > shortfall) violations.push({ invariant: "I1", detail: `${ran} task(s) ran for a shortfall of ${shortfall}` });
  if (shortfall > 0 && ran < shortfall && !told(NEEDS_HUMAN)) {
    violations.push({ invariant: "I2", detail: `${ran} of ${shortfall} task(s) ran and no gave-up/needs-human notice reached Slack or the queue, nor an alarm a human` });
  }
  if (s.source === "program-failure" && !told(["program_failed", "unstarted-event"])) violations.push({ invariant: "I2", detail: "a program failure reached no human" });
  if (mustNotLaunch(s) && o.tasks.length > 0) violations.push({ invariant: "I3", detail: `${o.tasks.length} task(s) launched for a ${s.source}` });
  if (o.misplacedTasks > 0) violations.push({ invariant: "I3", detail: `${o.misplacedTasks} task(s) launched in another account or region than the failure's (${s.place})` });
  if (o.tasks.length > maxAttempts * shortfall && !mustNotLaunch(s)) {
    violations.push({ invariant: "I4", detail: `${o.tasks.length} task(s) launched for a shortfall of ${shortfall} with ${maxAttempts} attempts` });
  }
  const deliveries = s.delivery === "never" ? 0 : s.deliverAt.length;
  if (o.executions > Math.max(1, deliveries)) violations.push({ invariant: "I4", detail: `${o.executions} executions for ${deliveries} deliveries` });
  if (healedWithinBudget(s, o) && o.alarms.length > 0) violations.push({ invariant: "I5", detail: `alarm(s) ${o.alarms.join(", ")} in a run whose faults all healed` });
  return violations;
}
