// Tests of lambda/rerun/core/failure/essential.ts: essential containers decide failure and success.
import { countsAsSuccess, essentialNames, failedEssentials, isGenericStoppedReason } from "../../../../lambda/rerun/core/failure/essential";

describe("essential containers", () => {
  const essential = essentialNames([{ name: "envoy", essential: false }, { name: "app" }, { name: "log-router", essential: true }]);

  test("a container definition is essential unless it says essential: false (ECS's default)", () => {
    expect([...(essential ?? [])].sort()).toEqual(["app", "log-router"]);
    expect(essentialNames(undefined)).toBeUndefined();
  });

  test("only essential containers that exited non-zero are failures; unknown flags make every one count", () => {
    const failing = [{ name: "envoy", exitCode: 143 }, { name: "app", exitCode: 2 }];
    expect(failedEssentials(failing, essential)).toEqual([{ name: "app", exitCode: 2 }]);
    expect(failedEssentials([{ name: "envoy", exitCode: 143 }], essential)).toEqual([]);
    expect(failedEssentials(failing, undefined)).toEqual(failing);
  });

  test("a run succeeds when every essential container exited 0, whatever the sidecars did", () => {
    expect(countsAsSuccess([{ name: "envoy", exitCode: 143 }, { name: "app", exitCode: 0 }, { name: "log-router", exitCode: 0 }], essential)).toBe(true);
    expect(countsAsSuccess([{ name: "envoy", exitCode: 0 }, { name: "app", exitCode: 2 }, { name: "log-router", exitCode: 0 }], essential)).toBe(false);
    // An essential container without an exit code did not finish its work.
    expect(countsAsSuccess([{ name: "app" }, { name: "log-router", exitCode: 0 }], essential)).toBe(false);
    expect(countsAsSuccess([{ name: "envoy", exitCode: 143 }, { name: "app", exitCode: 0 }], undefined)).toBe(false);
    expect(countsAsSuccess([], undefined)).toBe(false);
  });

  test("generic stopped reasons are recognised; specific ones are not", () => {
    expect(isGenericStoppedReason("Task failed to start")).toBe(true);
    expect(isGenericStoppedReason("TaskFailedToStart")).toBe(true);
    expect(isGenericStoppedReason(undefined)).toBe(true);
    expect(isGenericStoppedReason("TaskFailedToStart: RESOURCE:MEMORY")).toBe(false);
    expect(isGenericStoppedReason("CannotPullContainerError: pull image manifest has been retried")).toBe(false);
  });
});
