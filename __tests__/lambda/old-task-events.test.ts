/**
 * Task events from before ECS recorded `stopCode` (issue 20, item 6). A real one from 2018
 * (drill/events/published__julianghionoiu-dpnt-infra-events__*) is judged by its exit codes and
 * stopped reason, never thrown away, and never counted as a successful run. The rules' patterns
 * name stopCode, so they do not send such events: that cut-off is documented (README) and tested.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { DEFAULT_RERUN_CONFIG, type RerunConfig } from "../../lambda/rerun/config";
import { makeHandler } from "../../lambda/rerun/handler";
import { makeHandler as makeRunCounter } from "../../lambda/run-counter/handler";
import { parseTaskStateChangeEvent } from "../../lambda/rerun/task-state";
import { matchesEventPattern } from "../../drill/event-pattern/event-pattern-matcher";
import { clusterArnMatchers, taskStateFailurePattern } from "../../modules/pipeline/detection/task-state-pattern";
import { successfulRunPattern } from "../../modules/pipeline/missed-runs/missed-run";
import { ecsStub } from "./ecs-stub";
import { captureLogs } from "./helpers";

const FILE = join(__dirname, "..", "..", "drill", "events", "published__julianghionoiu-dpnt-infra-events__2018-fargate-exit-255-no-stopCode.json");
const published = (): Record<string, any> => JSON.parse(readFileSync(FILE, "utf8"));
const EXECUTION_ARN = "arn:aws:states:eu-west-1:577770582757:execution:ecs-rerun:old";
const CONTEXT = { invokedFunctionArn: "arn:aws:lambda:eu-west-1:577770582757:function:ecs-rerun-rerun" };
const CONFIG: RerunConfig = { ...DEFAULT_RERUN_CONFIG, jitter: "NONE", verifyIntervalSeconds: 0, throttleRetries: 0, quickCheckSeconds: 0 };
const DEFINITION = { taskDefinition: { containerDefinitions: [{ name: "default-container", essential: true }] } };

/** The same task as one that never started: its container without an exit code, no startedAt, a pull error. */
function neverStarted(reason: string): Record<string, any> {
  const e = published();
  delete e.detail.containers[0].exitCode;
  delete e.detail.startedAt;
  e.detail.stoppedReason = reason;
  return e;
}

let logs: ReturnType<typeof captureLogs>;
beforeEach(() => (logs = captureLogs()));
afterEach(() => logs.restore());

describe("a real 2018 task event without stopCode", () => {
  test("has no stopCode, and the rules' patterns do not match it (the documented cut-off)", () => {
    const e = published();
    expect(e.detail.stopCode).toBeUndefined();
    const clusters = ["dpnt-coverage-live"];
    expect(matchesEventPattern(taskStateFailurePattern({ clusters, ignoreStartedBy: [], catchFailedToStart: true, reportProgramFailures: true }), e)).toBe(false);
    expect(matchesEventPattern(successfulRunPattern(clusterArnMatchers(clusters)), { ...e, detail: { ...e.detail, containers: [{ ...e.detail.containers[0], exitCode: 0 }] } })).toBe(false);
  });

  test("is judged by its exit code: a program failure, reported and never rerun", async () => {
    expect(parseTaskStateChangeEvent(published())).toMatchObject({ failureType: "program_failed", containers: [{ name: "default-container", exitCode: 255 }], stoppedReason: "Essential container in task exited" });
    const stub = ecsStub({ describeTasks: [{ tasks: [] }], describeTaskDefinition: [DEFINITION] });
    const out = await makeHandler(CONFIG, { ecs: stub.ecs })({ action: "classify", event: published(), executionArn: EXECUTION_ARN }, CONTEXT);
    expect(out.notice.kind).toBe("program_failed");
    expect(stub.launches()).toHaveLength(0);
  });

  test("one whose task never started is judged by its stopped reason, like TaskFailedToStart", () => {
    expect(parseTaskStateChangeEvent(neverStarted("CannotPullContainerError: context deadline exceeded"))).toMatchObject({ failureType: "failed_to_start", reasons: ["CannotPullContainerError: context deadline exceeded"] });
  });

  test("is never counted as a successful run, even with every exit code 0", async () => {
    const lines: string[] = [];
    const counter = makeRunCounter({ ecs: { send: async () => DEFINITION } as never, write: (l) => lines.push(l) });
    const e = published();
    e.detail.containers[0].exitCode = 0;
    expect(await counter(e)).toEqual({ counted: false });
    expect(JSON.parse(lines[0])).toMatchObject({ msg: "run not counted" });
    // The same stop with the stop code ECS records today counts.
    e.detail.stopCode = "EssentialContainerExited";
    expect(await counter(e)).toEqual({ counted: true });
  });
});
