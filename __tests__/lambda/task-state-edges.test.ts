// Edges of lambda/rerun/task-state.ts the task state's mutation run left unpinned (issue 23): a
// malformed container or task entry is passed over rather than crashing the parse, the containers'
// own reasons are all told, and a program failure lists one failure per failing container.
import { parseTaskStateChangeEvent, stopCodeOfOldEvent, tagsOfTask } from "../../lambda/rerun/task-state";
import { STOPPED_TASK_ARN, stoppedTaskEvent } from "./helpers";


describe("an event from before ECS recorded a stop code", () => {
  test("a container entry that is not an object is passed over, not read", () => {
    expect(stopCodeOfOldEvent({ containers: [null, "app"] })).toBe("TaskFailedToStart");
    expect(stopCodeOfOldEvent({ containers: [null, { name: "app", exitCode: 0 }] })).toBe("EssentialContainerExited");
  });
});

describe("a task that failed to start", () => {
  test("a generic stopped reason is told with every container's own reason, each once, separated by semicolons", () => {
    const failure = parseTaskStateChangeEvent(
      stoppedTaskEvent({
        stopCode: "TaskFailedToStart",
        stoppedReason: "Task failed to start",
        containers: [
          { name: "app", reason: "CannotPullContainerError: pull access denied" },
          { name: "envoy", reason: "ResourceInitializationError: unable to pull secrets" },
          { name: "log", reason: "CannotPullContainerError: pull access denied" },
        ],
      }),
    );
    expect(failure.stoppedReason).toBe("Task failed to start: CannotPullContainerError: pull access denied; ResourceInitializationError: unable to pull secrets");
    expect(failure.reasons).toEqual(["CannotPullContainerError: pull access denied", "ResourceInitializationError: unable to pull secrets"]);
    expect(failure.failures).toEqual([
      { arn: STOPPED_TASK_ARN, reason: "CannotPullContainerError: pull access denied" },
      { arn: STOPPED_TASK_ARN, reason: "ResourceInitializationError: unable to pull secrets" },
    ]);
  });
});

describe("a program failure", () => {
  test("lists one failure of the task per failing container, naming it and its exit code", () => {
    const failure = parseTaskStateChangeEvent(
      stoppedTaskEvent({
        stopCode: "EssentialContainerExited",
        containers: [
          { name: "app", exitCode: 2 },
          { name: "envoy", exitCode: 0 },
          { name: "migrate", exitCode: 137, reason: "OutOfMemoryError: Container killed due to memory usage" },
        ],
      }),
    );
    expect(failure.failureType).toBe("program_failed");
    expect(failure.failures).toEqual([
      { arn: STOPPED_TASK_ARN, reason: "EssentialContainerExited: app exited 2" },
      { arn: STOPPED_TASK_ARN, reason: "EssentialContainerExited: migrate exited 137" },
    ]);
  });
});

describe("the tags of a task in a DescribeTasks answer", () => {
  test("entries that are not tasks, or have no ARN, are passed over", () => {
    const tags = [{ key: "ecs-rerun:event-id", value: "ev-0" }];
    expect(tagsOfTask({ tasks: ["x", { tags: [{ key: "other", value: "1" }] }, { taskArn: "", tags: [] }, { taskArn: STOPPED_TASK_ARN, tags }] }, STOPPED_TASK_ARN)).toEqual(tags);
  });
});
