// The hub-and-spoke settings: ECS_RERUN_SPOKE_CLUSTERS / _SPOKE_ORGANIZATION_ID for the hub,
// ECS_RERUN_HUB_EVENT_BUS_ARN / _HUB_RERUN_ROLE_ARN for the spoke stack; each value checked, the
// spoke's two checked together and against the region and clusters the spoke deploys with.
import { SettingsError, readSettings } from "../../modules/settings/settings";

/** The problems readSettings reports, or [] when it accepts. */
function problems(env: Record<string, string>, context: Record<string, unknown> = {}): readonly string[] {
  try {
    readSettings(env, context);
    return [];
  } catch (e) {
    if (e instanceof SettingsError) return e.problems;
    throw e;
  }
}

const EU = "arn:aws:ecs:eu-west-1:222233334444:cluster/batch-ec2";
const US = "arn:aws:ecs:us-west-2:333344445555:cluster/jobs";
const BUS = "arn:aws:events:us-east-1:111122223333:event-bus/ecs-rerun-hub";
const ROLE = "arn:aws:iam::111122223333:role/ecs-rerun/ecs-rerun-rerun-us-east-1";
const SPOKE = { ECS_RERUN_HUB_EVENT_BUS_ARN: BUS, ECS_RERUN_HUB_RERUN_ROLE_ARN: ROLE };
const SPOKE_CLUSTER = 'a full cluster ARN of another account or region, such as "arn:aws:ecs:eu-west-1:222233334444:cluster/batch-ec2"';

describe("the hub's settings", () => {
  test("spoke clusters: comma-separated in a variable, a JSON list or one string in context", () => {
    expect(readSettings({ ECS_RERUN_SPOKE_CLUSTERS: `${EU}, ${US}` }, {}).spokeClusters).toEqual([EU, US]);
    expect(readSettings({}, { spokeClusters: [EU, US] }).spokeClusters).toEqual([EU, US]);
    expect(readSettings({}, { spokeClusters: `${EU},${US}` }).spokeClusters).toEqual([EU, US]);
  });

  test("an organization ID", () => {
    expect(readSettings({ ECS_RERUN_SPOKE_ORGANIZATION_ID: "o-a1b2c3d4e5" }, {}).spokeOrganizationId).toBe("o-a1b2c3d4e5");
  });

  test.each<[string, Record<string, string>, Record<string, unknown>, string]>([
    ["a cluster name", { ECS_RERUN_SPOKE_CLUSTERS: "batch-ec2" }, {}, `ECS_RERUN_SPOKE_CLUSTERS="batch-ec2": expected ${SPOKE_CLUSTER}`],
    ["one bad ARN among good ones", { ECS_RERUN_SPOKE_CLUSTERS: `${EU},arn:aws:ecs:eu-west-1:2222:cluster/b` }, {}, `ECS_RERUN_SPOKE_CLUSTERS="${EU},arn:aws:ecs:eu-west-1:2222:cluster/b": "arn:aws:ecs:eu-west-1:2222:cluster/b" is not ${SPOKE_CLUSTER}`],
    ["a service ARN", {}, { spokeClusters: ["arn:aws:ecs:eu-west-1:222233334444:service/batch/web"] }, `context key "spokeClusters" = ["arn:aws:ecs:eu-west-1:222233334444:service/batch/web"]: expected ${SPOKE_CLUSTER}`],
    ["a number in the list", {}, { spokeClusters: [EU, 5] }, `context key "spokeClusters" = ["${EU}",5]: item 2 is a number; expected a list of strings, each ${SPOKE_CLUSTER}`],
    ["an upper-case organization ID", { ECS_RERUN_SPOKE_ORGANIZATION_ID: "o-A1B2C3D4E5" }, {}, 'ECS_RERUN_SPOKE_ORGANIZATION_ID="o-A1B2C3D4E5": expected an AWS Organizations ID such as "o-a1b2c3d4e5" (o- and 10 to 32 lowercase letters or digits)'],
    ["an organization ID too short", {}, { spokeOrganizationId: "o-abc" }, 'context key "spokeOrganizationId" = "o-abc": expected an AWS Organizations ID such as "o-a1b2c3d4e5" (o- and 10 to 32 lowercase letters or digits)'],
    ["an account ID for the organization", { ECS_RERUN_SPOKE_ORGANIZATION_ID: "222233334444" }, {}, 'ECS_RERUN_SPOKE_ORGANIZATION_ID="222233334444": expected an AWS Organizations ID such as "o-a1b2c3d4e5" (o- and 10 to 32 lowercase letters or digits)'],
    ["a misspelt name", { ECS_RERUN_SPOKE_CLUSTER: EU }, {}, `ECS_RERUN_SPOKE_CLUSTER="${EU}": there is no such setting; did you mean ECS_RERUN_SPOKE_CLUSTERS?`],
  ])("refuses %s", (_name, env, context, problem) => {
    expect(problems(env, context)).toEqual([problem]);
  });
});

describe("the spoke stack's settings", () => {
  test("are read when both are given", () => {
    expect(readSettings(SPOKE, {})).toEqual({ hubEventBusArn: BUS, hubRerunRoleArn: ROLE });
    expect(readSettings({}, { hubEventBusArn: BUS, hubRerunRoleArn: ROLE })).toEqual({ hubEventBusArn: BUS, hubRerunRoleArn: ROLE });
  });

  test("take the hub's reconciler role, for the spoke's sweep role", () => {
    const RECONCILER = "arn:aws:iam::111122223333:role/ecs-rerun-reconciler-us-east-1";
    expect(readSettings({ ...SPOKE, ECS_RERUN_HUB_RECONCILER_ROLE_ARN: RECONCILER }, {})).toEqual({ hubEventBusArn: BUS, hubRerunRoleArn: ROLE, hubReconcilerRoleArn: RECONCILER });
  });

  test("take clusters of the spoke's region, by name or ARN", () => {
    expect(problems({ ...SPOKE, ECS_RERUN_REGION: "eu-west-1", ECS_RERUN_PROTECTED_CLUSTERS: `batch,${EU}` })).toEqual([]);
    expect(problems({ ...SPOKE, AWS_REGION: "eu-west-1", ECS_RERUN_PROTECTED_CLUSTERS: EU })).toEqual([]);
  });

  const BUS_FORM = 'expected the ARN of the hub\'s event bus, such as "arn:aws:events:us-east-1:111122223333:event-bus/ecs-rerun-hub" (the ecs-rerun stack\'s output hub_event_bus_arn)';
  const ROLE_FORM = 'expected the ARN of the hub\'s rerun role, under the path /ecs-rerun/, such as "arn:aws:iam::111122223333:role/ecs-rerun/ecs-rerun-rerun-us-east-1" (the ecs-rerun stack\'s output rerun_role_arn)';
  test.each<[string, Record<string, string>, Record<string, unknown>, string]>([
    ["a rule's ARN for the bus", { ...SPOKE, ECS_RERUN_HUB_EVENT_BUS_ARN: "arn:aws:events:us-east-1:111122223333:rule/ecs-rerun-hub" }, {}, `ECS_RERUN_HUB_EVENT_BUS_ARN="arn:aws:events:us-east-1:111122223333:rule/ecs-rerun-hub": ${BUS_FORM}`],
    ["the bus's name for its ARN", { ...SPOKE, ECS_RERUN_HUB_EVENT_BUS_ARN: "ecs-rerun-hub" }, {}, `ECS_RERUN_HUB_EVENT_BUS_ARN="ecs-rerun-hub": ${BUS_FORM}`],
    ["a role not under /ecs-rerun/", { ...SPOKE, ECS_RERUN_HUB_RERUN_ROLE_ARN: "arn:aws:iam::111122223333:role/ecs-rerun-rerun-us-east-1" }, {}, `ECS_RERUN_HUB_RERUN_ROLE_ARN="arn:aws:iam::111122223333:role/ecs-rerun-rerun-us-east-1": ${ROLE_FORM}`],
    ["a user's ARN for the role", {}, { hubEventBusArn: BUS, hubRerunRoleArn: "arn:aws:iam::111122223333:user/ecs-rerun/ops" }, `context key "hubRerunRoleArn" = "arn:aws:iam::111122223333:user/ecs-rerun/ops": ${ROLE_FORM}`],
    [
      "the bus without the role",
      { ECS_RERUN_HUB_EVENT_BUS_ARN: BUS },
      {},
      `ECS_RERUN_HUB_EVENT_BUS_ARN="${BUS}" is set but ECS_RERUN_HUB_RERUN_ROLE_ARN (context key "hubRerunRoleArn") is not: a spoke forwards to the hub's bus and lets the hub's rerun role relaunch here; set both (the hub's outputs hub_event_bus_arn and rerun_role_arn), or neither for no ecs-rerun-spoke stack`,
    ],
    [
      "the role without the bus",
      {},
      { hubRerunRoleArn: ROLE },
      `context key "hubRerunRoleArn" = "${ROLE}" is set but ECS_RERUN_HUB_EVENT_BUS_ARN (context key "hubEventBusArn") is not: a spoke forwards to the hub's bus and lets the hub's rerun role relaunch here; set both (the hub's outputs hub_event_bus_arn and rerun_role_arn), or neither for no ecs-rerun-spoke stack`,
    ],
    [
      "a bus and a role of two accounts",
      { ...SPOKE, ECS_RERUN_HUB_RERUN_ROLE_ARN: "arn:aws:iam::999922223333:role/ecs-rerun/ecs-rerun-rerun-us-east-1" },
      {},
      `ECS_RERUN_HUB_EVENT_BUS_ARN="${BUS}" and ECS_RERUN_HUB_RERUN_ROLE_ARN="arn:aws:iam::999922223333:role/ecs-rerun/ecs-rerun-rerun-us-east-1" are of different accounts (111122223333, 999922223333): both are outputs of the same hub (hub_event_bus_arn, rerun_role_arn)`,
    ],
    [
      "the rerun role of a hub with another name",
      { ...SPOKE, ECS_RERUN_HUB_RERUN_ROLE_ARN: "arn:aws:iam::111122223333:role/ecs-rerun/prod-rerun-us-east-1" },
      {},
      'ECS_RERUN_HUB_RERUN_ROLE_ARN="arn:aws:iam::111122223333:role/ecs-rerun/prod-rerun-us-east-1": expected the rerun role of a hub named "ecs-rerun" (ecs-rerun-rerun-<region>): the hub finds a spoke\'s relaunch role by its own name, which the spoke shares (ECS_RERUN_NAME, context key "name", unset: ecs-rerun)',
    ],
    [
      "the rerun role of a hub of another name than the spoke's",
      { ...SPOKE, ECS_RERUN_NAME: "prod" },
      {},
      `ECS_RERUN_HUB_RERUN_ROLE_ARN="${ROLE}": expected the rerun role of a hub named "prod" (prod-rerun-<region>): the hub finds a spoke's relaunch role by its own name, which the spoke shares (ECS_RERUN_NAME, context key "name", set to "prod")`,
    ],
    [
      "the hub's reconciler role without a spoke stack",
      { ECS_RERUN_HUB_RECONCILER_ROLE_ARN: "arn:aws:iam::111122223333:role/ecs-rerun-reconciler-us-east-1" },
      {},
      'ECS_RERUN_HUB_RECONCILER_ROLE_ARN="arn:aws:iam::111122223333:role/ecs-rerun-reconciler-us-east-1" is used only with the ecs-rerun-spoke stack: set hubEventBusArn and hubRerunRoleArn too (the hub\'s outputs hub_event_bus_arn and rerun_role_arn), or leave it unset',
    ],
    [
      "the reconciler role of another account than the bus's",
      { ...SPOKE, ECS_RERUN_HUB_RECONCILER_ROLE_ARN: "arn:aws:iam::999922223333:role/ecs-rerun-reconciler-us-east-1" },
      {},
      `ECS_RERUN_HUB_RECONCILER_ROLE_ARN="arn:aws:iam::999922223333:role/ecs-rerun-reconciler-us-east-1" and ECS_RERUN_HUB_EVENT_BUS_ARN="${BUS}" are of different accounts (999922223333, 111122223333): both are outputs of the same hub (reconciler_role_arn, hub_event_bus_arn)`,
    ],
    [
      "a cluster of another region than the spoke's",
      { ...SPOKE, ECS_RERUN_REGION: "us-west-2", ECS_RERUN_PROTECTED_CLUSTERS: `batch,${EU}` },
      {},
      `ECS_RERUN_PROTECTED_CLUSTERS="batch,${EU}": "${EU}" is a cluster of eu-west-1, but the ecs-rerun-spoke stack deploys to us-west-2 (ECS_RERUN_REGION): its rules would see none of that cluster's events, and would match a cluster of that name in us-west-2; a spoke forwards only its own region's and account's events; deploy one spoke per account and region`,
    ],
    [
      "a cluster of another region than the default",
      SPOKE,
      { protectedClusters: [EU] },
      `context key "protectedClusters" = ["${EU}"]: "${EU}" is a cluster of eu-west-1, but the ecs-rerun-spoke stack deploys to us-east-1 (the default region): its rules would see none of that cluster's events, and would match a cluster of that name in us-east-1; a spoke forwards only its own region's and account's events; deploy one spoke per account and region`,
    ],
  ])("refuses %s", (_name, env, context, problem) => {
    expect(problems(env, context)).toEqual([problem]);
  });

  test("without the spoke settings, the pipeline refuses a cluster of another region too: its rule would match a same-named cluster here", () => {
    expect(problems({ ECS_RERUN_PROTECTED_CLUSTERS: EU })).toEqual([
      `ECS_RERUN_PROTECTED_CLUSTERS="${EU}": "${EU}" is a cluster of eu-west-1, but the ecs-rerun stack deploys to us-east-1 (the default region): its rules would see none of that cluster's events, and would match a cluster of that name in us-east-1; protect it from a pipeline there, or make this pipeline a hub of it (ECS_RERUN_SPOKE_CLUSTERS) with a spoke there`,
    ]);
    expect(problems({ ECS_RERUN_PROTECTED_CLUSTERS: EU, ECS_RERUN_REGION: "eu-west-1" })).toEqual([]);
  });

  test("given the account, a cluster of another account is refused; without it, only the region is known", () => {
    expect(problems({ ECS_RERUN_PROTECTED_CLUSTERS: EU, ECS_RERUN_REGION: "eu-west-1", ECS_RERUN_ACCOUNT_ID: "999988887777" })).toEqual([
      `ECS_RERUN_PROTECTED_CLUSTERS="${EU}": "${EU}" is a cluster of account 222233334444, but the ecs-rerun stack deploys to account 999988887777 (ECS_RERUN_ACCOUNT_ID): its rules would see none of that cluster's events; protect it from a pipeline there, or make this pipeline a hub of it (ECS_RERUN_SPOKE_CLUSTERS) with a spoke there`,
    ]);
    expect(problems({ ECS_RERUN_PROTECTED_CLUSTERS: EU, ECS_RERUN_REGION: "eu-west-1", ECS_RERUN_ACCOUNT_ID: "222233334444" })).toEqual([]);
  });
});
