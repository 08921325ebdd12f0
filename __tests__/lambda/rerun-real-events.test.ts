/**
 * A real published task event (fivexl/terraform-aws-ecs-events-to-slack, a Fargate service's task
 * with an Envoy sidecar listed first) and what the rerun Lambda makes of it and of the scheduled
 * jobs derived from it: service tasks are never launched, essential containers decide, and a
 * generic "Task failed to start" is told by the containers' own reasons.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { DEFAULT_RERUN_CONFIG, type RerunConfig } from "../../lambda/rerun/config";
import { makeHandler } from "../../lambda/rerun/handler";
import { matchesEventPattern } from "../../drill/event-pattern/event-pattern-matcher";
import { taskStateFailurePattern } from "../../modules/pipeline/detection/task-state-pattern";
import { ecsStub } from "./ecs-stub";
import { captureLogs } from "./helpers";

const EXECUTION_ARN = "arn:aws:states:eu-central-1:111111111111:execution:ecs-rerun:abc";
const CONFIG: RerunConfig = { ...DEFAULT_RERUN_CONFIG, jitter: "NONE", verifyIntervalSeconds: 0, throttleRetries: 0, quickCheckSeconds: 0 };
const FILE = join(__dirname, "..", "..", "drill", "events", "published__fivexl-ecs-events-to-slack__service-task-envoy-0-app-2.json");
const published = (): Record<string, any> => JSON.parse(readFileSync(FILE, "utf8"));
/** The same task as a scheduled job's: only its group and startedBy change. */
function scheduledJob(): Record<string, any> {
  const e = published();
  e.detail.group = "family:example-api-v1";
  e.detail.startedBy = "events-rule/example-api-nightly";
  return e;
}
const TASK_DEFINITION = { taskDefinition: { containerDefinitions: [{ name: "envoy", essential: false }, { name: "app", essential: true }] } };
const PATTERN = taskStateFailurePattern({ clusters: ["test"], ignoreStartedBy: [], catchFailedToStart: true, reportProgramFailures: true });

let logs: ReturnType<typeof captureLogs>;
beforeEach(() => (logs = captureLogs()));
afterEach(() => logs.restore());

describe("a real published task event", () => {
  test("a service's task that failed to start is not caught by the rule, and the Lambda would refuse it anyway", async () => {
    const e = published();
    e.detail.stopCode = "TaskFailedToStart";
    e.detail.stoppedReason = "TaskFailedToStart: RESOURCE:MEMORY";
    expect(matchesEventPattern(PATTERN, e)).toBe(false);
    expect(matchesEventPattern(PATTERN, { ...e, detail: { ...e.detail, group: "family:example-api-v1", startedBy: "events-rule/x" } })).toBe(true);
    const stub = ecsStub({ describeTasks: [{ tasks: [] }] });
    const out = await makeHandler(CONFIG, { ecs: stub.ecs })({ action: "classify", event: e, executionArn: EXECUTION_ARN });
    expect(out.decision).toMatchObject({ next: "already_handled", message: expect.stringContaining("service scheduler replaces it") });
    expect(stub.launches()).toHaveLength(0);
  });

  test("app 2 + envoy 0 (envoy listed first, not essential): a program failure naming the app", async () => {
    const stub = ecsStub({ describeTaskDefinition: [TASK_DEFINITION] });
    const out = await makeHandler(CONFIG, { ecs: stub.ecs })({ action: "classify", event: scheduledJob(), executionArn: EXECUTION_ARN });
    expect(out.notice).toMatchObject({ kind: "program_failed", containers: [{ name: "app", exitCode: 2 }], reasons: ["EssentialContainerExited: app exited 2"] });
  });

  test("envoy 143 after the app exited 0: no failure, nothing told", async () => {
    const e = scheduledJob();
    e.detail.containers[0].exitCode = 143;
    e.detail.containers[1].exitCode = 0;
    expect(matchesEventPattern(PATTERN, e)).toBe(true); // the rule cannot tell sidecars apart; the Lambda can
    const stub = ecsStub({ describeTaskDefinition: [TASK_DEFINITION] });
    const out = await makeHandler(CONFIG, { ecs: stub.ecs })({ action: "classify", event: e, executionArn: EXECUTION_ARN });
    expect(out.decision).toMatchObject({ next: "already_handled", message: expect.stringMatching(/only non-essential containers exited non-zero \(envoy 143\)/) });
  });

  test("a generic 'Task failed to start' is judged and told by the containers' own reason", async () => {
    const e = scheduledJob();
    e.detail.stopCode = "TaskFailedToStart";
    e.detail.stoppedReason = "Task failed to start";
    delete e.detail.attachments;
    e.detail.containers[1].reason = "CannotPullImageManifestError: failed to resolve ref example-api:189b5e9: not found";
    const stub = ecsStub({ describeTasks: [{ tasks: [] }] });
    const out = await makeHandler(CONFIG, { ecs: stub.ecs })({ action: "classify", event: e, executionArn: EXECUTION_ARN });
    expect(out.notice).toMatchObject({
      kind: "not_retryable",
      reasons: ["CannotPullImageManifestError: failed to resolve ref example-api:189b5e9: not found"],
      stoppedReason: "Task failed to start: CannotPullImageManifestError: failed to resolve ref example-api:189b5e9: not found",
    });
  });
});
