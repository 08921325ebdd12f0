/**
 * Managed EBS volumes (issue 20, item 4): a RunTask whose volumes name an ECS infrastructure role
 * passes that role to ecs.amazonaws.com. The rerun relaunches it only when the pipeline lists the
 * role (INFRASTRUCTURE_ROLE_ARNS); otherwise a human is told up front, naming the setting, and
 * nothing is launched: never an AccessDenied half-way through a rerun.
 */
import { RunTaskCommand } from "@aws-sdk/client-ecs";
import { DEFAULT_RERUN_CONFIG, readConfig, type RerunConfig } from "../../lambda/rerun/config";
import { makeHandler } from "../../lambda/rerun/handler";
import type { LaunchFailure, RerunLambdaOutput } from "../../lambda/shared/contract";
import { ecsStub } from "./ecs-stub";
import { agentEvent, captureLogs } from "./helpers";

const EXECUTION_ARN = "arn:aws:states:ap-northeast-1:123456789012:execution:ecs-rerun:ebs";
const CONFIG: RerunConfig = { ...DEFAULT_RERUN_CONFIG, jitter: "NONE", verifyIntervalSeconds: 0, throttleRetries: 0, quickCheckSeconds: 0 };
const INFRASTRUCTURE_ROLE = "arn:aws:iam::123456789012:role/ecsInfrastructureRole";
const VOLUMES = [{ name: "scratch", managedEBSVolume: { roleArn: INFRASTRUCTURE_ROLE, sizeInGiB: 50, volumeType: "gp3", filesystemType: "ext4" } }];
const viaStateMachine = (out: RerunLambdaOutput): LaunchFailure => JSON.parse(JSON.stringify(out.failure));

/** The shipped AGENT failure of a task with a managed EBS volume. */
function ebsEvent() {
  const event = agentEvent();
  event.detail.requestParameters.volumeConfigurations = VOLUMES;
  return event;
}

let logs: ReturnType<typeof captureLogs>;
beforeEach(() => (logs = captureLogs()));
afterEach(() => logs.restore());

describe("a rerun of a task with a managed EBS volume", () => {
  test("without the role listed: refused up front, the notice naming the setting and giving the command; nothing launched", async () => {
    const stub = ecsStub();
    const out = await makeHandler(CONFIG, { ecs: stub.ecs })({ action: "classify", event: ebsEvent(), executionArn: EXECUTION_ARN });
    expect(out.decision.next).toBe("needs_human");
    expect(out.notice.message).toContain(INFRASTRUCTURE_ROLE);
    expect(out.notice.message).toContain("infrastructure_role_arns");
    expect(out.notice.message).toContain("ECS_RERUN_INFRASTRUCTURE_ROLE_ARNS");
    expect(out.notice.runTaskCommand).toContain(`--volume-configurations '${JSON.stringify(VOLUMES)}'`);
    expect(stub.launches()).toHaveLength(0);
  });

  test("with the role listed: relaunched with its volume", async () => {
    const config = { ...CONFIG, infrastructureRoleArns: [INFRASTRUCTURE_ROLE] };
    const classified = await makeHandler(config, { ecs: ecsStub().ecs })({ action: "classify", event: ebsEvent(), executionArn: EXECUTION_ARN });
    expect(classified.decision.next).toBe("retry");
    const stub = ecsStub({ launch: [{ tasks: [{ taskArn: "arn:aws:ecs:ap-northeast-1:123456789012:task/batch-ec2/r1" }], failures: [] }] });
    await makeHandler(config, { ecs: stub.ecs })({ action: "rerun", failure: viaStateMachine(classified), attempt: 1, executionArn: EXECUTION_ARN });
    const [launch] = stub.launches();
    expect(launch).toBeInstanceOf(RunTaskCommand);
    expect(launch.input).toMatchObject({ volumeConfigurations: VOLUMES });
  });

  test("another role than the one listed: refused, naming the role that is missing", async () => {
    const config = { ...CONFIG, infrastructureRoleArns: ["arn:aws:iam::123456789012:role/another"] };
    const out = await makeHandler(config, { ecs: ecsStub().ecs })({ action: "classify", event: ebsEvent(), executionArn: EXECUTION_ARN });
    expect(out.decision.next).toBe("needs_human");
    expect(out.notice.message).toContain(INFRASTRUCTURE_ROLE);
  });

  test("the Lambda reads the list from INFRASTRUCTURE_ROLE_ARNS, none by default", () => {
    expect(readConfig({}).infrastructureRoleArns).toEqual([]);
    expect(readConfig({ INFRASTRUCTURE_ROLE_ARNS: JSON.stringify([INFRASTRUCTURE_ROLE]) }).infrastructureRoleArns).toEqual([INFRASTRUCTURE_ROLE]);
  });
});
