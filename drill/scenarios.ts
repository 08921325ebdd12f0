/** The drill's named scenarios (events, ECS and Slack scripts, expected outcomes) that `npm run drill` runs with no arguments. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { DrillOptions, DrillResult, RunOptions } from "./runner";

/** A shipped drill scenario: events, how the local services answer, and what must come out. */
export interface Scenario {
  readonly name: string;
  /** One line on what it shows. */
  readonly story: string;
  readonly options: DrillOptions;
  readonly events: () => unknown[];
  /** How the run goes beyond delivering the events (scheduled launches, a longer watch). @default {} */
  readonly run?: RunOptions;
  /** What went wrong, as sentences; empty when the pipeline behaved. */
  readonly check: (r: DrillResult) => string[];
}

export const EVENTS_DIR = join(__dirname, "events");
export const AGENT_EVENT_FILE = join(EVENTS_DIR, "constructed__runtask-failure-AGENT__eventbridge-rule.json");

type Json = Record<string, any>;

/** The shipped AGENT failure event (a fresh copy), changed by `edit`. */
export function agentEvent(edit: (detail: Json) => void = () => undefined): Json {
  const event = JSON.parse(readFileSync(AGENT_EVENT_FILE, "utf8")) as Json;
  edit(event.detail);
  return event;
}

/** A shipped ECS Task State Change event (a fresh copy), by the part of its file name after "task-stopped-". */
export function taskEvent(name: string): Json {
  return JSON.parse(readFileSync(join(EVENTS_DIR, `constructed__task-stopped-${name}.json`), "utf8")) as Json;
}

/** The shipped AGENT failure whose environment override CloudTrail hid. */
export function hiddenEnvironmentEvent(): Json {
  return JSON.parse(readFileSync(join(EVENTS_DIR, "constructed__runtask-failure-AGENT-hidden-environment__eventbridge-rule.json"), "utf8")) as Json;
}

/** The targets of the rule that launched it, as ListTargetsByRule returns them. */
export function ruleTargets(): Json[] {
  return (JSON.parse(readFileSync(join(__dirname, "schedules", "rule__nightly-report-batch.json"), "utf8")) as { Targets: Json[] }).Targets;
}

const CONTAINER_INSTANCE = "arn:aws:ecs:ap-northeast-1:123456789012:container-instance/batch-ec2/7a1c2b3d4e5f46a7b8c9d0e1f2a3b4c5";

/** Collects failed expectations as sentences. */
function expectations(r: DrillResult) {
  const problems: string[] = [];
  const first = r.deliveries.find((d) => d.origin === "delivered");
  const expect = (ok: boolean, sentence: string) => {
    if (!ok) problems.push(sentence);
  };
  // In every scenario the pipeline's own calls reach the rule (as CloudTrail would deliver them) and are ignored.
  const loops = r.deliveries.filter((d) => d.origin === "cloudtrail" && d.matched).length;
  expect(loops === 0, `${loops} of the pipeline's own launch calls were caught by the rule again (a loop)`);
  const lost = r.published - r.notifications.length - r.deadLetters.length;
  expect(lost === 0, `${lost} messages were neither delivered to Slack nor parked in the dead-letter queue`);
  return { problems, first, expect };
}

const deliveredKinds = (r: DrillResult) => r.notices.map((n) => n.kind);

export const SCENARIOS: readonly Scenario[] = [
  {
    name: "AGENT then ok",
    story: "The agent was reconnecting; the first rerun lands.",
    options: { ecs: ["AGENT", "ok"] },
    events: () => [agentEvent()],
    check: (r) => {
      const { problems, first, expect } = expectations(r);
      expect(first?.outcome === "recovered", `outcome ${first?.outcome}, expected recovered`);
      expect(first?.attempts === 1, `recovered on attempt ${first?.attempts}, expected 1`);
      expect(r.launchRequests.length === 1, `${r.launchRequests.length} launch calls, expected 1`);
      // One message for a failure that heals (NOTIFY outcomes, the default): counted as Slack received it.
      expect(deliveredKinds(r).join() === "recovered", `notices ${deliveredKinds(r).join()}, expected recovered`);
      expect(r.slackAttempts === 1, `${r.slackAttempts} Slack posts, expected 1`);
      return problems;
    },
  },
  {
    name: "AGENT then ok, every step",
    story: "The same failure with NOTIFY every-step: detected, then recovered, as before notify modes.",
    options: { ecs: ["AGENT", "ok"], notify: "every-step" },
    events: () => [agentEvent()],
    check: (r) => {
      const { problems, first, expect } = expectations(r);
      expect(first?.outcome === "recovered", `outcome ${first?.outcome}, expected recovered`);
      expect(deliveredKinds(r).join() === "detected,recovered", `notices ${deliveredKinds(r).join()}, expected detected,recovered`);
      expect(r.slackAttempts === 2, `${r.slackAttempts} Slack posts, expected 2`);
      return problems;
    },
  },
  {
    name: "AGENT forever",
    story: "The agent never comes back: three reruns, then the execution fails (alarmed).",
    options: { ecs: ["AGENT"] },
    events: () => [agentEvent()],
    check: (r) => {
      const { problems, first, expect } = expectations(r);
      expect(first?.outcome === "gave_up", `outcome ${first?.outcome}, expected gave_up`);
      expect(first?.attempts === 3, `${first?.attempts} attempts, expected 3 (the default maximum)`);
      expect(first?.error?.startsWith("GaveUp") === true, `execution ended with ${first?.error}, expected a GaveUp failure`);
      expect(r.launchRequests.length === 3, `${r.launchRequests.length} launch calls, expected 3`);
      expect(r.tasksStarted === 0, `${r.tasksStarted} tasks started, expected 0`);
      return problems;
    },
  },
  {
    name: "ATTRIBUTE",
    story: "No instance has the required attribute: rerunning cannot help, a human is told.",
    options: { ecs: ["ATTRIBUTE"] },
    events: () => [agentEvent((d) => (d.responseElements.failures[0].reason = "ATTRIBUTE"))],
    check: (r) => {
      const { problems, first, expect } = expectations(r);
      expect(first?.outcome === "not_retryable", `outcome ${first?.outcome}, expected not_retryable`);
      expect(r.launchRequests.length === 0, `${r.launchRequests.length} launch calls, expected none`);
      expect(deliveredKinds(r).join() === "not_retryable", `notices ${deliveredKinds(r).join()}, expected one not_retryable (needs a human)`);
      return problems;
    },
  },
  {
    name: "count 3 with 2 placed",
    story: "Two of three tasks were placed: only the shortfall of one is rerun.",
    options: { ecs: ["partial:2", "ok"] },
    events: () => [
      agentEvent((d) => {
        d.requestParameters.count = 3;
        d.responseElements.tasks = [1, 2].map((i) => ({
          taskArn: `arn:aws:ecs:ap-northeast-1:123456789012:task/batch-ec2/${String(i).repeat(32)}`,
          containerInstanceArn: CONTAINER_INSTANCE,
          lastStatus: "PENDING",
        }));
      }),
    ],
    check: (r) => {
      const { problems, first, expect } = expectations(r);
      expect(first?.outcome === "recovered", `outcome ${first?.outcome}, expected recovered`);
      expect(r.launchRequests.length === 1, `${r.launchRequests.length} launch calls, expected 1`);
      expect(r.launchRequests[0]?.request.count === 1, `rerun count ${r.launchRequests[0]?.request.count}, expected 1 (3 requested - 2 placed)`);
      return problems;
    },
  },
  {
    name: "throttle then ok",
    story: "ECS throttles the rerun; Step Functions retries the same attempt with the same clientToken.",
    options: { ecs: ["AGENT", "throttle", "ok"] },
    events: () => [agentEvent()],
    check: (r) => {
      const { problems, first, expect } = expectations(r);
      expect(first?.outcome === "recovered", `outcome ${first?.outcome}, expected recovered`);
      expect(first?.attempts === 1, `recovered on attempt ${first?.attempts}, expected 1 (a throttled call is not an attempt)`);
      expect(r.throttledCalls === 1, `${r.throttledCalls} throttled calls, expected 1`);
      const tokens = new Set(r.launchRequests.map((l) => l.request.clientToken));
      expect(tokens.size === 1, `${tokens.size} clientTokens across the retry, expected 1`);
      return problems;
    },
  },
  {
    name: "the same event delivered twice",
    story: "EventBridge delivers at least once: the starter names the execution after the failure, so the second delivery starts none; one task.",
    options: { ecs: ["AGENT", "ok"] },
    events: () => [agentEvent(), agentEvent()],
    check: (r) => {
      const { problems, expect } = expectations(r);
      const originals = r.deliveries.filter((d) => d.origin === "delivered");
      expect(originals.map((d) => d.outcome).sort().join() === "duplicate,recovered", `outcomes ${originals.map((d) => d.outcome).join()}, expected recovered and duplicate`);
      expect(r.executions === 1, `${r.executions} executions, expected 1`);
      expect(r.tasksStarted === 1, `${r.tasksStarted} tasks started, expected exactly 1`);
      return problems;
    },
  },
  {
    name: "Slack 500 then ok",
    story: "Slack fails once; Lambda's async retry delivers the message.",
    options: { ecs: ["AGENT", "ok"], slack: ["500", "ok"] },
    events: () => [agentEvent()],
    check: (r) => {
      const { problems, first, expect } = expectations(r);
      expect(first?.outcome === "recovered", `outcome ${first?.outcome}, expected recovered`);
      expect(r.notifications.length === r.notices.length, `${r.notifications.length} of ${r.notices.length} notices reached Slack`);
      expect(r.slackAttempts === r.notices.length + 1, `${r.slackAttempts} Slack posts, expected ${r.notices.length + 1} (one retry)`);
      expect(r.deadLetters.length === 0, `${r.deadLetters.length} notices in the dead-letter queue, expected none`);
      return problems;
    },
  },
  {
    name: "Slack down for good",
    story: "Slack never answers 200: every notice ends in the dead-letter queue, none is lost.",
    options: { ecs: ["AGENT", "ok"], slack: ["500"] },
    events: () => [agentEvent()],
    check: (r) => {
      const { problems, expect } = expectations(r);
      expect(r.notifications.length === 0, `${r.notifications.length} notices reached Slack, expected none`);
      expect(r.deadLetters.length === r.notices.length && r.notices.length > 0, `${r.deadLetters.length} of ${r.notices.length} notices in the dead-letter queue`);
      expect(r.slackAttempts === 3 * r.notices.length, `${r.slackAttempts} Slack posts, expected 3 per notice (1 + 2 Lambda retries)`);
      return problems;
    },
  },
  {
    name: "StartTask AGENT",
    story: "A StartTask on a chosen instance is rejected: rerun on the same instance.",
    options: { ecs: ["AGENT", "ok"] },
    events: () => [
      agentEvent((d) => {
        d.eventName = "StartTask";
        delete d.requestParameters.count;
        delete d.requestParameters.launchType;
        delete d.requestParameters.placementConstraints;
        delete d.requestParameters.placementStrategy;
        d.requestParameters.containerInstances = [CONTAINER_INSTANCE];
      }),
    ],
    check: (r) => {
      const { problems, first, expect } = expectations(r);
      expect(first?.outcome === "recovered", `outcome ${first?.outcome}, expected recovered`);
      expect(r.launchRequests.length === 1 && r.launchRequests[0].action === "StartTask", `launch calls ${r.launchRequests.map((l) => l.action).join()}, expected one StartTask`);
      expect(JSON.stringify(r.launchRequests[0]?.request.containerInstances) === JSON.stringify([CONTAINER_INSTANCE]), "the rerun did not target the original container instance");
      return problems;
    },
  },
  {
    name: "TaskFailedToStart then recovered",
    story: "A bridge-mode task, accepted, then stopped for lack of memory before starting: rerun from its task record.",
    options: { ecs: ["ok"] },
    events: () => [taskEvent("TaskFailedToStart-RESOURCE-MEMORY-bridge")],
    check: (r) => {
      const { problems, first, expect } = expectations(r);
      expect(first?.outcome === "recovered", `outcome ${first?.outcome}, expected recovered`);
      expect(r.launchRequests.length === 1, `${r.launchRequests.length} launch calls, expected 1`);
      const request = r.launchRequests[0]?.request ?? {};
      expect(request.taskDefinition === taskEvent("TaskFailedToStart-RESOURCE-MEMORY-bridge").detail.taskDefinitionArn, "the rerun did not use the stopped task's task definition");
      expect(JSON.stringify(request.capacityProviderStrategy) === JSON.stringify([{ capacityProvider: "batch-ec2-ec2" }]), `capacity provider strategy ${JSON.stringify(request.capacityProviderStrategy)}, expected the task's own`);
      expect((r.notices[0]?.notCarriedOver ?? []).length > 0, "the detected notice does not say what the task record could not carry over");
      return problems;
    },
  },
  {
    name: "an awsvpc task's record cannot be replayed",
    story: "Its record names the subnet only: without security groups it would be another job. Nothing launched; a human gets the rest.",
    options: { ecs: ["ok"] },
    events: () => [taskEvent("TaskFailedToStart-RESOURCE-MEMORY")],
    check: (r) => {
      const { problems, first, expect } = expectations(r);
      expect(first?.outcome === "needs_human", `outcome ${first?.outcome}, expected needs_human`);
      expect(r.tasksStarted === 0, `${r.tasksStarted} tasks started, expected 0`);
      expect(deliveredKinds(r).join() === "needs_human", `notices ${deliveredKinds(r).join()}, expected needs_human`);
      // One post, before any wait: the execution waited nowhere and Slack had it at once.
      expect(r.slackAttempts === 1, `${r.slackAttempts} Slack posts, expected 1`);
      expect((first?.waits.length ?? 0) === 0, `the execution waited ${first?.waits.join(", ")} s before telling a human`);
      const told = r.timeline.find((e) => e.text.startsWith('slack: "needs_human" delivered'));
      expect(told?.t === 0, `the needs-a-human notice reached Slack at ${told?.t} s, expected at once`);
      return problems;
    },
  },
  {
    name: "hidden environment, no schedule",
    story: "CloudTrail hid the environment override: replaying the record would run another job. Nothing launched; a human gets a ready command.",
    options: { ecs: ["AGENT", "ok"] },
    events: () => [hiddenEnvironmentEvent()],
    check: (r) => {
      const { problems, first, expect } = expectations(r);
      expect(first?.outcome === "needs_human", `outcome ${first?.outcome}, expected needs_human`);
      expect(r.tasksStarted === 0, `${r.tasksStarted} tasks started, expected 0`);
      expect(String(r.notices[0]?.missing ?? "").includes("containerOverrides[app].environment"), `missing ${JSON.stringify(r.notices[0]?.missing)}, expected the hidden environment named`);
      return problems;
    },
  },
  {
    name: "hidden environment, the rule holds it",
    story: "The rule that launched the job still holds its real request: the rerun replays the rule's target.",
    options: { ecs: ["AGENT", "ok"], schedules: { rules: { "nightly-report-batch": ruleTargets() }, schedules: [] } },
    events: () => [hiddenEnvironmentEvent()],
    check: (r) => {
      const { problems, first, expect } = expectations(r);
      expect(first?.outcome === "recovered", `outcome ${first?.outcome}, expected recovered`);
      const env = JSON.stringify((r.launchRequests[0]?.request as Json | undefined)?.overrides);
      expect(env.includes("REPORT_DATE") && !env.includes("HIDDEN"), `overrides ${env}, expected the rule's`);
      return problems;
    },
  },
  {
    name: "CannotPullContainerError not retryable",
    story: "The image does not exist: rerunning cannot help, a human is told.",
    options: { ecs: ["ok"] },
    events: () => [taskEvent("CannotPullContainerError-not-found")],
    check: (r) => {
      const { problems, first, expect } = expectations(r);
      expect(first?.outcome === "not_retryable", `outcome ${first?.outcome}, expected not_retryable`);
      expect(r.launchRequests.length === 0, `${r.launchRequests.length} launch calls, expected none`);
      expect(deliveredKinds(r).join() === "not_retryable", `notices ${deliveredKinds(r).join()}, expected not_retryable`);
      return problems;
    },
  },
  {
    name: "a program failure reported, not rerun",
    story: "The job ran and exited 1: that is the program's failure, reported with its exit code; running it again could do harm.",
    options: { ecs: ["ok"] },
    events: () => [taskEvent("EssentialContainerExited-exit-1")],
    check: (r) => {
      const { problems, first, expect } = expectations(r);
      expect(first?.outcome === "program_failed", `outcome ${first?.outcome}, expected program_failed`);
      expect(r.launchRequests.length === 0, `${r.launchRequests.length} launch calls, expected none`);
      expect(r.notices[0]?.kind === "program_failed" && (r.notices[0]?.containers ?? []).some((c) => c.exitCode === 1), "no program_failed notice naming the exit code 1");
      return problems;
    },
  },
  {
    name: "a rerun that fails to start",
    story: "The first rerun is placed but never starts: that is attempt 1 of the same execution, and attempt 2 lands.",
    options: { ecs: ["AGENT", "nostart:TaskFailedToStart: RESOURCE:MEMORY", "ok"] },
    events: () => [agentEvent()],
    check: (r) => {
      const { problems, first, expect } = expectations(r);
      expect(first?.outcome === "recovered", `outcome ${first?.outcome}, expected recovered`);
      expect(first?.attempts === 2, `recovered on attempt ${first?.attempts}, expected 2 (the rerun that never started was attempt 1)`);
      expect(r.launchRequests.length === 2, `${r.launchRequests.length} launch calls, expected 2`);
      const taskExecutions = r.deliveries.filter((d) => d.origin === "task-event" && d.matched);
      expect(taskExecutions.length > 0, "the failed rerun's task event never reached the rule");
      expect(taskExecutions.every((d) => d.outcome === "already_handled"), `its task event ended ${taskExecutions.map((d) => d.outcome).join()}, expected already_handled (counted once, by its own execution)`);
      return problems;
    },
  },
  {
    name: "a missed run",
    story: "The daily job succeeds once, then is never invoked again: a day and an hour later the dead man's switch fires.",
    options: { ecs: ["ok"] },
    events: () => [],
    run: {
      scheduledLaunches: [{ cluster: "batch-ec2", taskDefinition: "print-date", count: 1, startedBy: "events-rule/batch-ec2-print-date" }],
      holdSeconds: 30 * 3600,
      watchMissedRuns: true,
    },
    check: (r) => {
      const { problems, expect } = expectations(r);
      const runs = r.successfulRuns["SuccessfulRuns-print-date"] ?? [];
      expect(runs.length === 1, `${runs.length} successful runs counted, expected 1`);
      const alarm = r.alarmChanges.find((c) => c.to === "ALARM");
      expect(alarm !== undefined, "the missed-run alarm never fired");
      const window = 86400 + 3600;
      expect(alarm === undefined || alarm.t >= (runs[0] ?? 0) + window, `the alarm fired at ${alarm?.t} s, before interval + grace (${window} s) had passed`);
      expect(alarm === undefined || alarm.t <= (runs[0] ?? 0) + window + 3600, `the alarm fired at ${alarm?.t} s, more than a period after interval + grace`);
      expect(JSON.stringify(r.notifications).includes("print-date-missed-run"), "Slack was not told about the missed run");
      return problems;
    },
  },
  {
    name: "AGENT, never delivered",
    story: "EventBridge never delivers the record (best effort): the reconciler finds it in event history once it settled, 15 minutes on.",
    options: { ecs: ["AGENT", "ok"] },
    events: () => [],
    run: { failure: agentEvent(), reconcile: {} },
    check: (r) => {
      const { problems, expect } = expectations(r);
      const found = r.deliveries.find((d) => d.origin === "reconciler");
      expect(found?.outcome === "recovered", `found by the reconciler: ${found?.outcome ?? "not found"}, expected recovered`);
      expect(r.tasksStarted === 1, `${r.tasksStarted} tasks started, expected 1`);
      expect((found?.endedAt ?? 0) >= 900, `recovered at ${found?.endedAt} s, before the record's 15 minutes to settle`);
      expect(r.alarms.includes("foundByReconciler"), "the FoundByReconciler alarm did not fire: nobody learns the event path missed it");
      return problems;
    },
  },
  {
    name: "a malformed event",
    story: "A matching record without a task definition: a clear error, no launch call.",
    options: { ecs: ["AGENT", "ok"] },
    events: () => [agentEvent((d) => delete d.requestParameters.taskDefinition)],
    check: (r) => {
      const { problems, first, expect } = expectations(r);
      expect(first?.outcome === "invalid_event", `outcome ${first?.outcome}, expected invalid_event`);
      expect(/taskDefinition/.test(first?.error ?? ""), `error "${first?.error}" does not name the missing taskDefinition`);
      expect(r.launchRequests.length === 0, `${r.launchRequests.length} launch calls, expected none`);
      return problems;
    },
  },
];
