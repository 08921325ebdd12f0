// The hub's rerun Lambda against stub clients per place and a stub STS: a spoke's failure is
// relaunched through the spoke's clients with the role's credentials, never the hub's own; a refused
// account and a refused AssumeRole end in a notice naming the account and region with nothing
// launched; STS throttled hands the round back; each place keeps its own pacing clock and clients.
import type { UpdateItemCommand } from "@aws-sdk/client-dynamodb";
import { DEFAULT_RERUN_CONFIG, type RerunConfig } from "../../lambda/rerun/config";
import { makeHandler, type RerunDeps } from "../../lambda/rerun/handler";
import { plantedRerunHandler } from "../../drill/chaos/defects";
import type { HubConfig } from "../../lambda/rerun/hub-config";
import type { DynamoSender } from "../../lambda/rerun/pacer";
import { REFRESH_BEFORE_EXPIRY_MS, SpokeAccessError, SpokeClients, sharedRoleCredentials } from "../../lambda/rerun/spoke-access";
import type { LaunchFailure, RerunLambdaOutput } from "../../lambda/shared/contract";
import { stubEcs } from "./ecs-stub";
import { captureLogs, loadFixture } from "./helpers";

const EXECUTION_ARN = "arn:aws:states:ap-northeast-1:123456789012:execution:ecs-rerun:hub-1";
const FUNCTION_ARN = "arn:aws:lambda:ap-northeast-1:123456789012:function:ecs-rerun-rerun";
const CONFIG: RerunConfig = { ...DEFAULT_RERUN_CONFIG, jitter: "NONE", verifyIntervalSeconds: 0, throttleRetries: 0, quickCheckSeconds: 0 };
const HUB: HubConfig = { roleArnPattern: "arn:aws:iam::{account}:role/ecs-rerun/ecs-rerun-relaunch-{region}", accounts: ["222233334444"], homeRegion: "ap-northeast-1" };
const SPOKE_EVENT = "../../drill/events/constructed__runtask-failure-AGENT__spoke-222233334444-eu-west-1.json";
const STRANGER_EVENT = "../../drill/events/constructed__runtask-failure-AGENT__spoke-444455556666-eu-west-1.json";
const HOME_EVENT = "../../drill/events/constructed__runtask-failure-AGENT__eventbridge-rule.json";
const placedIn = (place: string) => ({ tasks: [{ taskArn: `arn:aws:ecs:${place}:task/batch-ec2/rerun-1`, lastStatus: "PENDING" }], failures: [] });
const viaStateMachine = (out: RerunLambdaOutput): LaunchFailure => JSON.parse(JSON.stringify(out.failure));

let logs: ReturnType<typeof captureLogs>;
beforeEach(() => (logs = captureLogs()));
afterEach(() => logs.restore());

/** A hub whose places' clients are stubs, and whose STS answers with `assume` (counting calls). */
function hub(assume: (roleArn: string) => Promise<{ accessKeyId: string; secretAccessKey: string; expiration?: Date }>, now = () => Date.now()) {
  const home = stubEcs(placedIn("ap-northeast-1:123456789012"));
  const spokeEcs = new Map<string, ReturnType<typeof stubEcs>>();
  const assumed: string[] = [];
  const built: string[] = [];
  const spokes = new SpokeClients(
    HUB,
    (roleArn) => async () => {
      assumed.push(roleArn);
      return assume(roleArn);
    },
    (place) => {
      built.push(`${place.account}/${place.region}`);
      const stub = stubEcs(placedIn(`${place.region}:${place.account}`), placedIn(`${place.region}:${place.account}`));
      spokeEcs.set(`${place.account}/${place.region}`, stub);
      return { ecs: stub.ecs };
    },
    now,
  );
  const deps = (extra: Partial<RerunDeps> = {}): RerunDeps => ({ ecs: home.ecs, hub: { config: HUB, spokes }, ...extra });
  return { home, spokeEcs, assumed, built, spokes, deps };
}

const credentials = async () => ({ accessKeyId: "ASIASPOKE", secretAccessKey: "s", expiration: new Date(Date.now() + 900_000) });

async function classifyAndRerun(handler: ReturnType<typeof makeHandler>, event: unknown) {
  const classified = await handler({ action: "classify", event, executionArn: EXECUTION_ARN }, { invokedFunctionArn: FUNCTION_ARN });
  if (classified.decision.next !== "retry") return { classified };
  const rerun = await handler({ action: "rerun", failure: viaStateMachine(classified), attempt: 1, executionArn: EXECUTION_ARN }, { invokedFunctionArn: FUNCTION_ARN });
  return { classified, rerun };
}

describe("the hub's rerun Lambda", () => {
  it("relaunches a spoke's rejected task with the spoke's clients in its own account and region, never the hub's", async () => {
    const h = hub(credentials);
    const { rerun } = await classifyAndRerun(makeHandler(CONFIG, h.deps()), loadFixture(SPOKE_EVENT));
    expect(rerun?.decision.next).toBe("recovered");
    expect(h.home.launches()).toHaveLength(0);
    expect(h.spokeEcs.get("222233334444/eu-west-1")?.launches()).toHaveLength(1);
    expect(h.assumed).toEqual(["arn:aws:iam::222233334444:role/ecs-rerun/ecs-rerun-relaunch-eu-west-1"]);
    expect(h.built).toEqual(["222233334444/eu-west-1"]); // one set of clients for both invocations
    expect(rerun?.notice).toMatchObject({ kind: "recovered", account: "222233334444", region: "eu-west-1" });
    const sent = logs.records().find((r) => r.msg === "rerun sent");
    expect(sent).toMatchObject({ account: "222233334444", region: "eu-west-1" });
  });

  it("handles its own place's failure with its own clients and assumes no role", async () => {
    const h = hub(credentials);
    const { rerun } = await classifyAndRerun(makeHandler(CONFIG, h.deps()), loadFixture(HOME_EVENT));
    expect(rerun?.decision.next).toBe("recovered");
    expect(h.home.launches()).toHaveLength(1);
    expect(h.assumed).toEqual([]);
    expect(h.spokes.size).toBe(0);
  });

  it("refuses an account it does not admit: a needs_human notice naming the account and region, nothing launched, no role assumed", async () => {
    const h = hub(credentials);
    const { classified } = await classifyAndRerun(makeHandler(CONFIG, h.deps()), loadFixture(STRANGER_EVENT));
    expect(classified.decision.next).toBe("needs_human");
    expect(classified.notice).toMatchObject({ kind: "needs_human", account: "444455556666", region: "eu-west-1" });
    expect(classified.decision.message).toContain("account 444455556666 region eu-west-1");
    expect(classified.decision.message).toContain("nothing was launched");
    expect(h.home.launches()).toHaveLength(0);
    expect(h.assumed).toEqual([]);
  });

  it("tells a human, naming the role, account and region, when STS refuses the role; nothing is launched", async () => {
    const refused = Object.assign(new Error("User: arn:aws:sts::123456789012:assumed-role/ecs-rerun-rerun/x is not authorized to perform: sts:AssumeRole"), {
      name: "AccessDenied",
      $fault: "client",
      $metadata: { httpStatusCode: 403 },
    });
    const h = hub(async () => Promise.reject(refused));
    const { classified } = await classifyAndRerun(makeHandler(CONFIG, h.deps()), loadFixture(SPOKE_EVENT));
    expect(classified.decision.next).toBe("needs_human");
    expect(classified.notice).toMatchObject({ kind: "needs_human", account: "222233334444", region: "eu-west-1" });
    expect(classified.decision.message).toContain("arn:aws:iam::222233334444:role/ecs-rerun/ecs-rerun-relaunch-eu-west-1");
    expect(classified.decision.message).toContain("account 222233334444 region eu-west-1");
    expect(classified.decision.message).toContain("AccessDenied");
    expect(h.home.launches()).toHaveLength(0);
    expect(h.spokeEcs.get("222233334444/eu-west-1")?.launches()).toHaveLength(0);
  });

  it("hands the round back when STS is throttled, and assumes the role again next time (a failure is never cached)", async () => {
    let calls = 0;
    const h = hub(async () => {
      if (++calls === 1) throw Object.assign(new Error("Rate exceeded"), { name: "Throttling", $fault: "client", $metadata: { httpStatusCode: 400 } });
      return credentials();
    });
    const handler = makeHandler(CONFIG, h.deps());
    const first = await handler({ action: "classify", event: loadFixture(SPOKE_EVENT), executionArn: EXECUTION_ARN }, { invokedFunctionArn: FUNCTION_ARN });
    expect(first.decision.next).toBe("later");
    expect(first.failure.classificationPending).toBe(true);
    const second = await handler({ action: "rerun", failure: viaStateMachine(first), attempt: 1, executionArn: EXECUTION_ARN }, { invokedFunctionArn: FUNCTION_ARN });
    expect(second.decision.next).toBe("retry");
    expect(h.assumed).toHaveLength(2);
  });

  it("paces each place on its own clock: the home place keeps the key 'launches'", async () => {
    const keys: string[] = [];
    const dynamodb: DynamoSender = {
      send: (async (command: UpdateItemCommand) => {
        keys.push(command.input.Key!.pk.S!);
        if (command.input.UpdateExpression === "SET #tat = #tat + :interval") throw Object.assign(new Error("no"), { name: "ConditionalCheckFailedException" });
        return { Attributes: {}, $metadata: {} };
      }) as DynamoSender["send"],
    };
    const h = hub(credentials);
    const handler = makeHandler(CONFIG, h.deps({ pacing: { config: { table: "t", launchesPerSecond: 10 }, dynamodb } }));
    await classifyAndRerun(handler, loadFixture(SPOKE_EVENT));
    await classifyAndRerun(handler, loadFixture(HOME_EVENT));
    expect([...new Set(keys)]).toEqual(["launches#222233334444#eu-west-1", "launches"]);
  });

  it("planted defect relaunch-at-home: the spoke's task goes to the hub's own ECS (what the drill's test must catch)", async () => {
    const h = hub(credentials);
    await classifyAndRerun(plantedRerunHandler(CONFIG, h.deps(), new Set(["relaunch-at-home"])), loadFixture(SPOKE_EVENT));
    expect(h.home.launches()).toHaveLength(1);
    expect(h.spokes.size).toBe(0);
  });
});

describe("sharedRoleCredentials", () => {
  it("holds credentials until five minutes before they expire, then assumes the role again", async () => {
    let now = Date.parse("2026-01-01T03:00:00Z");
    let calls = 0;
    const provider = sharedRoleCredentials(async () => ({ accessKeyId: `K${++calls}`, secretAccessKey: "s", expiration: new Date(now + 900_000) }), "arn:r", { account: "222233334444", region: "eu-west-1" }, () => now);
    expect((await provider()).accessKeyId).toBe("K1");
    now += 900_000 - REFRESH_BEFORE_EXPIRY_MS - 1; // 1 ms before the refresh margin: still held
    expect((await provider()).accessKeyId).toBe("K1");
    now += 1; // inside the margin: renewed
    expect((await provider()).accessKeyId).toBe("K2");
  });

  it("shares one AssumeRole between callers asking at once", async () => {
    let calls = 0;
    const provider = sharedRoleCredentials(async () => ({ accessKeyId: `K${++calls}`, secretAccessKey: "s" }), "arn:r", { account: "222233334444", region: "eu-west-1" });
    const got = await Promise.all([provider(), provider(), provider()]);
    expect(got.map((c) => c.accessKeyId)).toEqual(["K1", "K1", "K1"]);
  });

  it("types a failure as SpokeAccessError naming the role, account and region, transient or not", async () => {
    const denied = sharedRoleCredentials(async () => Promise.reject(Object.assign(new Error("not authorized"), { name: "AccessDenied", $fault: "client", $metadata: { httpStatusCode: 403 } })), "arn:aws:iam::222233334444:role/ecs-rerun/x", {
      account: "222233334444",
      region: "eu-west-1",
    });
    const err = await denied().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SpokeAccessError);
    expect(err).toMatchObject({ name: "SpokeAccessError", transient: false, roleArn: "arn:aws:iam::222233334444:role/ecs-rerun/x" });
    expect((err as Error).message).toBe("AssumeRole of arn:aws:iam::222233334444:role/ecs-rerun/x for account 222233334444 region eu-west-1 failed: AccessDenied: not authorized");
    const down = sharedRoleCredentials(async () => Promise.reject(Object.assign(new Error("socket hang up"), { code: "ECONNRESET" })), "arn:r", { account: "222233334444", region: "eu-west-1" });
    expect(await down().catch((e: unknown) => (e as SpokeAccessError).transient)).toBe(true);
  });
});

describe("the hub's rerun Lambda admitting an organization", () => {
  it("refuses, with a notice, an event whose account cannot be part of a role ARN; nothing is launched", async () => {
    const home = stubEcs();
    const assumed: string[] = [];
    const spokes = new SpokeClients(
      { roleArnPattern: HUB.roleArnPattern },
      (roleArn) => async () => (assumed.push(roleArn), credentials()),
      () => ({ ecs: stubEcs().ecs }),
    );
    const handler = makeHandler(CONFIG, { ecs: home.ecs, hub: { config: { ...HUB, accounts: [], organizationId: "o-a1b2c3d4e5" }, spokes } });
    const event = loadFixture(SPOKE_EVENT);
    event.detail.recipientAccountId = "22223333444x";
    const out = await handler({ action: "classify", event, executionArn: EXECUTION_ARN }, { invokedFunctionArn: FUNCTION_ARN });
    expect(out.decision.next).toBe("needs_human");
    expect(out.decision.message).toContain("is not a 12-digit AWS account ID");
    expect(assumed).toEqual([]);
    expect(home.launches()).toHaveLength(0);
  });
});
