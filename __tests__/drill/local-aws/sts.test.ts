// The local STS and ECS per place, through the real SDK: fromTemporaryCredentials assumes a spoke's
// relaunch role only when its trust policy names the caller's role; the key it gets signs as that
// account, and the ECS it reaches is that account's in the region the request was signed for.
import { ECSClient, RunTaskCommand } from "@aws-sdk/client-ecs";
import { fromTemporaryCredentials } from "@aws-sdk/credential-providers";
import { ACCOUNT, LAMBDA_KEY, REGION, nightly, rejection, startAws } from "./harness";

const SPOKE = { account: "222233334444", region: "eu-west-1" };
const ROLE_ARN = "arn:aws:iam::222233334444:role/ecs-rerun/ecs-rerun-relaunch-eu-west-1";
const trusting = (principal: string) => ({ Version: "2012-10-17", Statement: [{ Effect: "Allow" as const, Principal: { AWS: principal }, Action: "sts:AssumeRole" }] });
const relaunchRole = (trustedArn: string) => ({ arn: ROLE_ARN, account: SPOKE.account, name: "ecs-rerun-relaunch-eu-west-1", path: "/ecs-rerun/", trustPolicy: trusting(trustedArn) });
const SPOKE_RUN = { ...nightly, cluster: "arn:aws:ecs:eu-west-1:222233334444:cluster/batch-ec2", taskDefinition: "arn:aws:ecs:eu-west-1:222233334444:task-definition/nightly-report:12" };

async function spokeClient(trustedArn: string) {
  const started = await startAws();
  started.aws.sts.setRoles([relaunchRole(trustedArn)]);
  const credentials = fromTemporaryCredentials({
    params: { RoleArn: ROLE_ARN, RoleSessionName: "ecs-rerun-hub", DurationSeconds: 900 },
    masterCredentials: { accessKeyId: LAMBDA_KEY, secretAccessKey: "drill-secret" },
    clientConfig: { region: REGION, endpoint: started.endpoint, maxAttempts: 1 },
  });
  const ecs = new ECSClient({ region: SPOKE.region, endpoint: started.endpoint, credentials, maxAttempts: 1 });
  return { ...started, spokeEcs: ecs };
}

describe("the local STS and ECS per account and region", () => {
  it("assumes a role whose trust names the caller's role; the launch lands in the role's account and the signed region only", async () => {
    const { aws, spokeEcs } = await spokeClient(`arn:aws:iam::${ACCOUNT}:role/ecs-rerun-lambda-role`);
    const out = await spokeEcs.send(new RunTaskCommand(SPOKE_RUN));
    spokeEcs.destroy();

    expect(out.tasks?.[0]?.taskArn).toMatch(/^arn:aws:ecs:eu-west-1:222233334444:task\/batch-ec2\//);
    expect(aws.tasksIn(SPOKE.account, SPOKE.region)).toHaveLength(1);
    expect(aws.tasks()).toHaveLength(0); // the home place (123456789012, ap-northeast-1) has none
    expect(aws.sts.calls).toEqual([{ roleArn: ROLE_ARN, caller: expect.stringContaining(":assumed-role/ecs-rerun-lambda-role/"), granted: true }]);
    const launch = aws.launchRequests()[0];
    expect(launch).toMatchObject({ account: "222233334444", region: "eu-west-1" });
    expect(launch.caller).toMatchObject({ type: "AssumedRole", accountId: "222233334444", accessKeyId: expect.stringMatching(/^ASIA222233334444/) });
    expect((launch.caller as { sessionContext: { sessionIssuer: { arn: string } } }).sessionContext.sessionIssuer.arn).toBe(ROLE_ARN);
  });

  it("refuses a caller the trust policy does not name with AccessDenied, and nothing is launched", async () => {
    const { aws, spokeEcs } = await spokeClient(`arn:aws:iam::${ACCOUNT}:role/someone-else`);
    const err = await rejection(spokeEcs.send(new RunTaskCommand(SPOKE_RUN)));
    spokeEcs.destroy();

    expect(err.name).toBe("AccessDenied");
    expect(err.message).toContain(`is not authorized to perform: sts:AssumeRole on resource: ${ROLE_ARN}`);
    expect(aws.launchRequests()).toHaveLength(0);
    expect(aws.sts.calls.map((c) => c.granted)).toEqual([false]);
  });

  it("refuses a caller whose own identity policies do not allow assuming that role, though its trust would", async () => {
    const { aws, spokeEcs } = await spokeClient(`arn:aws:iam::${ACCOUNT}:role/ecs-rerun-lambda-role`);
    const only = (resource: string) => [{ Version: "2012-10-17", Statement: [{ Effect: "Allow" as const, Action: "sts:AssumeRole", Resource: resource }] }];
    aws.sts.setIdentityPolicies({ [`arn:aws:iam::${ACCOUNT}:role/ecs-rerun-lambda-role`]: only("arn:aws:iam::444455556666:role/ecs-rerun/ecs-rerun-relaunch-*") });
    const err = await rejection(spokeEcs.send(new RunTaskCommand(SPOKE_RUN)));
    expect(err.name).toBe("AccessDenied");
    expect(err.message).toContain("because no identity-based policy allows the sts:AssumeRole action");

    aws.sts.setIdentityPolicies({ [`arn:aws:iam::${ACCOUNT}:role/ecs-rerun-lambda-role`]: only("arn:aws:iam::222233334444:role/ecs-rerun/ecs-rerun-relaunch-*") });
    await spokeEcs.send(new RunTaskCommand(SPOKE_RUN));
    spokeEcs.destroy();
    expect(aws.tasksIn(SPOKE.account, SPOKE.region)).toHaveLength(1);
  });

  it("refuses a role that was never deployed", async () => {
    const { aws, spokeEcs } = await spokeClient(`arn:aws:iam::${ACCOUNT}:role/ecs-rerun-lambda-role`);
    aws.sts.setRoles([]);
    const err = await rejection(spokeEcs.send(new RunTaskCommand(SPOKE_RUN)));
    spokeEcs.destroy();
    expect(err.name).toBe("AccessDenied");
  });

  it("keeps the home place's ECS where the home keys and region call it", async () => {
    const { aws, ecs } = await startAws();
    await ecs().send(new RunTaskCommand(nightly));
    expect(aws.tasks()).toHaveLength(1);
    expect(Object.keys(aws.tasksByPlace())).toEqual([`${ACCOUNT}/${REGION}`]);
    expect(aws.launchRequests()[0]).toMatchObject({ account: ACCOUNT, region: REGION });
  });
});
