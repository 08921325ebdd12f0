import { readFileSync } from "node:fs";
import { join } from "node:path";

export const FIXTURES = join(__dirname, "..", "fixtures");

/** A fresh deep copy of a fixture (tests may mutate it). */
export function loadFixture<T = Record<string, any>>(name: string): T {
  return JSON.parse(readFileSync(join(FIXTURES, name), "utf8")) as T;
}

export const RUNTASK_PARTIAL = "constructed__runtask-partial-AGENT__full-request.json";
export const STARTTASK_PARTIAL = "constructed__starttask-partial-AGENT__two-instances.json";
/** The shared AGENT event, copied verbatim from ../shared/events into drill/events. */
export const RUNTASK_AGENT = "../../drill/events/constructed__runtask-failure-AGENT__eventbridge-rule.json";

/** The shared AGENT event. */
export function agentEvent(): Record<string, any> {
  return loadFixture(RUNTASK_AGENT);
}

/** Deterministic [0, 1) generator for jitter tests. */
export { seededRandom } from "../../drill/simulation/seeded-random";

/** Captures console.log lines (silenced) and parses them as JSON. */
export function captureLogs(): { lines: string[]; records: () => Array<Record<string, any>>; restore: () => void } {
  const lines: string[] = [];
  const spy = jest.spyOn(console, "log").mockImplementation((...args: unknown[]) => {
    lines.push(args.map(String).join(" "));
  });
  return {
    lines,
    records: () => lines.map((l) => JSON.parse(l) as Record<string, any>),
    restore: () => spy.mockRestore(),
  };
}

/** Constructed "ECS Task State Change" events, shipped with the drill. */
export const TASK_EVENTS = {
  resourceMemory: "../../drill/events/constructed__task-stopped-TaskFailedToStart-RESOURCE-MEMORY.json",
  pullNotFound: "../../drill/events/constructed__task-stopped-CannotPullContainerError-not-found.json",
  pullTimeout: "../../drill/events/constructed__task-stopped-CannotPullContainerError-timeout.json",
  exit1: "../../drill/events/constructed__task-stopped-EssentialContainerExited-exit-1.json",
  exit0: "../../drill/events/constructed__task-stopped-EssentialContainerExited-exit-0.json",
} as const;

/** A fresh copy of a constructed task state change event. */
export function taskEvent(name: keyof typeof TASK_EVENTS): Record<string, any> {
  return loadFixture(TASK_EVENTS[name]);
}

/**
 * The same event for a bridge-mode task (the demo cluster's): no ENI, so its task record carries
 * everything a rerun's network needs. (The constructed events are awsvpc, whose records cannot
 * say the security groups: a rerun from them needs a human unless a schedule holds the request.)
 */
export function bridgeTaskEvent(name: keyof typeof TASK_EVENTS): Record<string, any> {
  const event = taskEvent(name);
  delete event.detail.attachments;
  return event;
}

/** A stopped task's ARN, as {@link stoppedTaskEvent} puts it in its event. */
export const STOPPED_TASK_ARN = "arn:aws:ecs:eu-west-1:111122223333:task/batch/0123456789abcdef0123456789abcdef";

/** An "ECS Task State Change" event of a stopped task, with `detail` added and `envelope` over its top-level fields. */
export function stoppedTaskEvent(detail: Record<string, unknown>, envelope: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: "ev-1",
    "detail-type": "ECS Task State Change",
    source: "aws.ecs",
    account: "111122223333",
    region: "eu-west-1",
    time: "2026-03-01T00:00:00Z",
    ...envelope,
    detail: {
      clusterArn: "arn:aws:ecs:eu-west-1:111122223333:cluster/batch",
      taskArn: STOPPED_TASK_ARN,
      taskDefinitionArn: "arn:aws:ecs:eu-west-1:111122223333:task-definition/report:7",
      lastStatus: "STOPPED",
      ...detail,
    },
  };
}
