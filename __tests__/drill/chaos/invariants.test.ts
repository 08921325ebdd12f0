// Tests of drill/chaos/invariants.ts: each invariant fires on the observation that breaks it, and
// stays quiet on one that does not. Observations are written by hand: the judge is the unit.
import { healedWithinBudget, judge, type Observation } from "../../../drill/chaos/invariants";
import { shortfallOf, type Scenario } from "../../../drill/chaos/scenario";
import { slackKinds } from "../../../drill/chaos/run-scenario";
import { formatDigest } from "../../../lambda/notifier/core/digest";

const base: Scenario = {
  source: "runtask-rejected",
  place: "home",
  count: 1,
  placed: 0,
  deliverAt: [0],
  ecs: ["ok"],
  describeTasks: [],
  listTasks: [],
  tagResource: [],
  startExecution: [],
  updateItem: [],
  sns: [],
  slack: ["ok"],
  lambda: [],
  storm: { seconds: 0, passEvery: 0 },
  delivery: "delivered",
  reconcile: false,
  reconcilerPhaseSeconds: 300,
  reconcilerDeaths: [],
  lookupEvents: [],
  historyDelaySeconds: 0,
};
const quiet: Observation = { tasks: [{ ran: true }], misplacedTasks: 0, slackKinds: ["detected", "recovered"], deadLetterKinds: [], alarms: [], executions: 1 };
const invariantsOf = (s: Scenario, o: Observation) => judge(s, o, 3).map((v) => v.invariant);

describe("the sweep's invariants", () => {
  test("a recovered run with one task and no alarm breaks none", () => {
    expect(judge(base, quiet, 3)).toEqual([]);
  });

  test("shortfalls come from the scenario: count - placed, one per stopped task, none where nothing may launch", () => {
    expect(shortfallOf({ ...base, source: "partial", count: 3, placed: 1 })).toBe(2);
    expect(shortfallOf({ ...base, source: "starttask-rejected", count: 2, placed: 1 })).toBe(1);
    expect(shortfallOf({ ...base, source: "failed-to-start" })).toBe(1);
    expect(shortfallOf({ ...base, source: "service-task" })).toBe(0);
  });

  test("I1: more tasks ran than were owed", () => {
    expect(invariantsOf(base, { ...quiet, tasks: [{ ran: true }, { ran: true }] })).toContain("I1");
    // Placed but never started is no duplicate.
    expect(invariantsOf(base, { ...quiet, tasks: [{ ran: true }, { ran: false }] })).not.toContain("I1");
  });

  test("I2: a shortfall left without a gave-up/needs-human word anywhere a human looks", () => {
    const short: Observation = { ...quiet, tasks: [], slackKinds: ["detected"] };
    expect(invariantsOf(base, short)).toContain("I2");
    expect(invariantsOf(base, { ...short, slackKinds: ["detected", "gave_up"] })).not.toContain("I2");
    expect(invariantsOf(base, { ...short, deadLetterKinds: ["not_retryable"] })).not.toContain("I2");
    expect(invariantsOf(base, { ...short, deadLetterKinds: ["unstarted-event"] })).not.toContain("I2");
    expect(invariantsOf(base, { ...short, alarms: ["executionsFailed"] })).not.toContain("I2");
    // An alarm whose only action is a topic that refuses publishes tells nobody.
    expect(invariantsOf({ ...base, sns: ["fail"] }, { ...short, alarms: ["executionsFailed"] })).toContain("I2");
    expect(invariantsOf({ ...base, source: "program-failure" }, { ...short, slackKinds: [] })).toContain("I2");
    expect(invariantsOf({ ...base, source: "program-failure" }, { ...short, slackKinds: ["program_failed"] })).not.toContain("I2");
  });

  test("I3: anything launched for a service task, a program failure or an unprotected cluster", () => {
    for (const source of ["service-task", "program-failure", "unprotected-cluster"] as const) {
      expect(invariantsOf({ ...base, source }, { ...quiet, slackKinds: ["program_failed"], tasks: [{ ran: false }] })).toContain("I3");
      expect(invariantsOf({ ...base, source }, { ...quiet, slackKinds: ["program_failed"], tasks: [] })).not.toContain("I3");
    }
  });

  test("I4: more launches than attempts allow, or more executions than deliveries", () => {
    const four = Array.from({ length: 4 }, () => ({ ran: false }));
    expect(invariantsOf(base, { ...quiet, tasks: four, slackKinds: ["gave_up"] })).toContain("I4");
    expect(invariantsOf(base, { ...quiet, executions: 2 })).toContain("I4");
    expect(invariantsOf({ ...base, deliverAt: [0, 5] }, { ...quiet, executions: 2 })).not.toContain("I4");
  });

  test("I5: an alarm in a run whose every fault healed; none when a fault could not heal", () => {
    expect(invariantsOf({ ...base, describeTasks: ["5xx", "throttle"] }, { ...quiet, alarms: ["rerunErrors"] })).toContain("I5");
    expect(invariantsOf({ ...base, lambda: ["die"] }, { ...quiet, alarms: ["rerunErrors"] })).not.toContain("I5");
    expect(healedWithinBudget({ ...base, slack: ["500", "500", "500", "ok"] }, quiet)).toBe(false);
    expect(healedWithinBudget({ ...base, slack: ["500", "500", "ok"] }, quiet)).toBe(true);
    expect(healedWithinBudget({ ...base, startExecution: ["5xx", "drop", "5xx"] }, quiet)).toBe(false);
    // Two failed pacer writes heal within a reservation's three tries; three send a launch out unpaced (alarmed).
    expect(healedWithinBudget({ ...base, updateItem: ["throttle", "ok", "drop"] }, quiet)).toBe(true);
    expect(healedWithinBudget({ ...base, updateItem: ["5xx", "drop", "throttle"] }, quiet)).toBe(false);
    expect(invariantsOf({ ...base, updateItem: ["5xx", "drop", "throttle"] }, { ...quiet, alarms: ["launchPacerFailures"] })).not.toContain("I5");
    expect(healedWithinBudget(base, { ...quiet, tasks: [] })).toBe(false);
  });

  test("I3: a task launched in another account or region than the failure's, whatever the count", () => {
    expect(invariantsOf({ ...base, place: "spoke" }, { ...quiet, misplacedTasks: 1 })).toContain("I3");
    expect(invariantsOf({ ...base, place: "spoke" }, quiet)).not.toContain("I3");
  });

  test("I2: FoundByReconciler tells no one a job is lost (it says a failure was handed over); another alarm does", () => {
    const lost: Observation = { ...quiet, tasks: [], slackKinds: ["detected"] };
    const never: Scenario = { ...base, delivery: "never", reconcile: true };
    expect(invariantsOf(never, { ...lost, alarms: ["foundByReconciler"] })).toContain("I2");
    expect(invariantsOf(never, { ...lost, alarms: ["foundByReconciler", "executionsFailed"] })).not.toContain("I2");
  });

  test("I4: one execution at most for a failure never delivered; no more than its deliveries otherwise", () => {
    expect(invariantsOf({ ...base, delivery: "never", reconcile: true }, { ...quiet, executions: 1, alarms: ["foundByReconciler"] })).toEqual([]);
    expect(invariantsOf({ ...base, delivery: "never", reconcile: true }, { ...quiet, executions: 2 })).toContain("I4");
    expect(invariantsOf({ ...base, deliverAt: [0, 30], reconcile: true }, { ...quiet, executions: 2 })).not.toContain("I4");
  });

  test("I5: a lost event or a dead reconciler invocation is no fault healed within budget; the reconciler's alarm beside a delivered event is", () => {
    expect(healedWithinBudget({ ...base, delivery: "never", reconcile: true }, quiet)).toBe(false);
    expect(healedWithinBudget({ ...base, delivery: "rules-off-an-hour", reconcile: true }, quiet)).toBe(false);
    expect(healedWithinBudget({ ...base, reconcile: true, reconcilerDeaths: [0, 3] }, quiet)).toBe(false);
    expect(healedWithinBudget({ ...base, reconcile: true, lookupEvents: ["throttle", "5xx"] }, quiet)).toBe(true);
    // The event path had it: the reconciler starting it as well would be a false alarm.
    expect(invariantsOf({ ...base, reconcile: true }, { ...quiet, alarms: ["foundByReconciler"] })).toEqual(["I5"]);
  });
});

describe("what a person reads in Slack (the sweep's observation)", () => {
  const notice = (kind: "gave_up" | "recovered") => ({
    kind,
    source: "cloudtrail" as const,
    failureType: "rejected" as const,
    cluster: "batch-ec2",
    clusterName: "batch-ec2",
    taskDefinition: "nightly-report:1",
    action: "RunTask" as const,
    reasons: ["AGENT"],
    attempt: 3,
    maxAttempts: 3,
    requested: 1,
    placed: 0,
    remaining: 1,
    eventId: "e-1",
    executionArn: "arn:aws:states:ap-northeast-1:123456789012:execution:ecs-rerun:ct-e-1",
    region: "ap-northeast-1",
    account: "123456789012",
    eventTime: "2026-01-01T03:00:00Z",
    taskArns: [],
  });
  const window = { region: "ap-northeast-1", fromMs: 0, toMs: 60_000 };

  test("a gave-up notice folded into a storm digest still counts as told (I2), named there", () => {
    const digest = formatDigest([notice("recovered"), notice("gave_up")], window);
    expect(slackKinds(digest)).toEqual(["digest", "gave_up"]);
    const short: Observation = { tasks: [], misplacedTasks: 0, slackKinds: slackKinds(digest), deadLetterKinds: [], alarms: [], executions: 1 };
    expect(judge(base, short, 3).map((v) => v.invariant)).not.toContain("I2");
  });

  test("a digest that names no problem does not (the check can fail)", () => {
    const digest = formatDigest([notice("recovered")], window);
    const short: Observation = { tasks: [], misplacedTasks: 0, slackKinds: slackKinds(digest), deadLetterKinds: [], alarms: [], executions: 1 };
    expect(judge(base, short, 3).map((v) => v.invariant)).toContain("I2");
  });
});
