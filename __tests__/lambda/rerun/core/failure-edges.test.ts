// Edges of the failure side of the rerun core that the mutation run (issue 23) found unpinned: what
// counts as a stopped reason that says nothing, which infrastructure roles a request passes, what a
// rerun's clientToken derives from, and what a CloudTrail record of a failed launch may leave out.
import { isGenericStoppedReason } from "../../../../lambda/rerun/core/failure/essential";
import { infrastructureRolesOf, infrastructureRolesRefusal } from "../../../../lambda/rerun/core/failure/infrastructure-roles";
import { idempotencyKey } from "../../../../lambda/rerun/core/failure/rerun-request";
import { parseLaunchEvent } from "../../../../lambda/rerun/core/failure/cloudtrail-event";
import { loadFixture, RUNTASK_PARTIAL } from "../../helpers";
import type { LaunchFailure } from "../../../../lambda/shared/contract";

describe("a stopped reason that says nothing", () => {
  test("is recognised with the spaces around it that ECS sometimes leaves", () => {
    expect(isGenericStoppedReason("  Task failed to start\n")).toBe(true);
    expect(isGenericStoppedReason(" TaskFailedToStart. ")).toBe(true);
  });

  test("a reason that only ends with the words names its cause, and is told and judged as it is", () => {
    expect(isGenericStoppedReason("CannotPullContainerError: pull access denied; task failed to start")).toBe(false);
    expect(isGenericStoppedReason("ResourceInitializationError: TaskFailedToStart")).toBe(false);
  });
});

describe("the infrastructure roles a request passes to ECS", () => {
  const ROLE_A = "arn:aws:iam::111122223333:role/ecs-ebs-a";
  const ROLE_B = "arn:aws:iam::111122223333:role/ecs-ebs-b";

  test("a volume that is null, or a roleArn that is not text, passes no role", () => {
    expect(infrastructureRolesOf({ volumeConfigurations: [null, { name: "d", managedEBSVolume: { roleArn: 42 } }, { name: "e", managedEBSVolume: { roleArn: ROLE_A } }] })).toEqual([ROLE_A]);
    expect(infrastructureRolesOf({ volumeConfigurations: [{ name: "d", managedEBSVolume: { roleArn: ["x"] } }] })).toEqual([]);
  });

  test("a spoke's refusal names every role, separated by commas", () => {
    const request = { volumeConfigurations: [{ name: "d", managedEBSVolume: { roleArn: ROLE_A } }, { name: "e", managedEBSVolume: { roleArn: ROLE_B } }] };
    expect(infrastructureRolesRefusal(request, [ROLE_A, ROLE_B], true)).toBe(
      "the task's managed EBS volumes pass the ECS infrastructure role arn:aws:iam::111122223333:role/ecs-ebs-a, arn:aws:iam::111122223333:role/ecs-ebs-b to ecs.amazonaws.com, which a spoke's relaunch role may not do: nothing was launched; launch it by hand in its account",
    );
  });

  test("a hub's refusal names only the roles the pipeline does not list, separated by commas", () => {
    const ROLE_C = "arn:aws:iam::111122223333:role/ecs-ebs-c";
    const request = { volumeConfigurations: [ROLE_A, ROLE_B, ROLE_C].map((roleArn, i) => ({ name: `v${i}`, managedEBSVolume: { roleArn } })) };
    expect(infrastructureRolesRefusal(request, [ROLE_B], false)).toBe(
      "the task's managed EBS volumes pass the ECS infrastructure role arn:aws:iam::111122223333:role/ecs-ebs-a, arn:aws:iam::111122223333:role/ecs-ebs-c to ecs.amazonaws.com, which this pipeline may not pass: nothing was launched; list it in infrastructureRoleArns (module: infrastructure_role_arns; app: ECS_RERUN_INFRASTRUCTURE_ROLE_ARNS) for the next time, and launch this one by hand",
    );
  });
});

describe("what a rerun's clientToken derives from", () => {
  const base = { eventId: "ev-envelope-1", taskArn: "arn:aws:ecs:eu-west-1:111122223333:task/batch/0123456789abcdef" };

  test("a CloudTrail failure: its eventID, even when a task ARN is known", () => {
    expect(idempotencyKey({ ...base, source: "cloudtrail" } as LaunchFailure)).toBe("ev-envelope-1");
  });

  test("a task state change: the stopped task's ARN, or the event's id when the ARN is empty", () => {
    expect(idempotencyKey({ ...base, source: "task-state-change" } as LaunchFailure)).toBe("arn:aws:ecs:eu-west-1:111122223333:task/batch/0123456789abcdef");
    expect(idempotencyKey({ ...base, source: "task-state-change", taskArn: "" } as LaunchFailure)).toBe("ev-envelope-1");
  });
});

describe("a CloudTrail record of a failed launch", () => {
  const event = loadFixture(RUNTASK_PARTIAL);
  const withResponse = (responseElements: Record<string, unknown>) => ({ ...event, detail: { ...event.detail, responseElements } });

  test("carries the request's group (a service's task is told by it)", () => {
    expect(parseLaunchEvent(event).group).toBe("family:nightly-report");
    expect(parseLaunchEvent({ ...event, detail: { ...event.detail, requestParameters: { ...event.detail.requestParameters, group: "" } } })).not.toHaveProperty("group");
  });

  test("an answer may leave out its tasks, or its failures", () => {
    const failures = [{ arn: "arn:aws:ecs:ap-northeast-1:123456789012:container-instance/batch-ec2/ci-1", reason: "AGENT" }];
    expect(parseLaunchEvent(withResponse({ failures }))).toMatchObject({ placed: 0, remaining: 3, reasons: ["AGENT"] });
    expect(parseLaunchEvent(withResponse({ tasks: [] }))).toMatchObject({ placed: 0, remaining: 3, reasons: [] });
  });
});
