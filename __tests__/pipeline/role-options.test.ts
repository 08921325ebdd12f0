import fc from "fast-check";
import { TerraformStack, Testing } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { EcsRerunPipeline, type EcsRerunPipelineProps } from "../../modules/pipeline/rerun-pipeline";
import { RELAUNCH_ROLE_PATH } from "../../modules/pipeline/iam/relaunch-identity";
import { checkRoleOptions, roleSettings } from "../../modules/pipeline/iam/role-options";
import { EcsRerunSpoke, type EcsRerunSpokeProps } from "../../modules/spoke/ecs-rerun-spoke";
import { sharedModule } from "../support/shared-module";
import { resourcesOf, synthJson } from "../support/synth";

const BOUNDARY = "arn:aws:iam::123456789012:policy/platform-boundary";
const PATH = "/platform/batch/";
const ORIGIN = { construct: "EcsRerunPipeline", module: "module" };

/** A pipeline with every part that has a role: notifier, missed-run counter, hub; its roles as synthesized. */
function pipelineRoles(props: Partial<EcsRerunPipelineProps>) {
  const stack = new TerraformStack(Testing.app(), "s");
  new AwsProvider(stack, "aws", { region: "us-east-1" });
  new EcsRerunPipeline(stack, "p", {
    clusters: ["batch-ec2"],
    region: "us-east-1",
    slackWebhookParameterName: "/ecs-rerun/slack-webhook",
    expectedRuns: [{ name: "nightly", family: "nightly", intervalSeconds: 86400 }],
    spokeClusters: ["arn:aws:ecs:eu-west-1:222233334444:cluster/batch-ec2"],
    createTrail: true,
    ...props,
  });
  return resourcesOf(synthJson(stack), "aws_iam_role");
}

/** A spoke's roles as synthesized. */
function spokeRoles(props: Partial<EcsRerunSpokeProps>) {
  const stack = new TerraformStack(Testing.app(), "s");
  new AwsProvider(stack, "aws", { region: "eu-west-1" });
  new EcsRerunSpoke(stack, "s", {
    clusters: ["batch-ec2"],
    region: "eu-west-1",
    hubEventBusArn: "arn:aws:events:us-east-1:111122223333:event-bus/ecs-rerun-hub",
    hubRerunRoleArn: "arn:aws:iam::111122223333:role/ecs-rerun/ecs-rerun-rerun-us-east-1",
    ...props,
  });
  return resourcesOf(synthJson(stack), "aws_iam_role");
}

const pathsByName = (roles: Record<string, unknown>[]) => Object.fromEntries(roles.map((r) => [r.name, r.path ?? "(none)"]));

describe("roleSettings: what one role takes", () => {
  test("a relaunch role keeps /ecs-rerun/ whatever the user's path; the boundary reaches it", () => {
    expect(roleSettings({ path: PATH, permissionsBoundary: BOUNDARY }, "relaunch")).toEqual({ path: RELAUNCH_ROLE_PATH, permissionsBoundary: BOUNDARY });
    expect(roleSettings({}, "relaunch")).toEqual({ path: RELAUNCH_ROLE_PATH });
  });

  test("another role takes both; with neither set it takes no field at all, so it synthesizes as before", () => {
    expect(roleSettings({ path: PATH, permissionsBoundary: BOUNDARY }, "service")).toEqual({ path: PATH, permissionsBoundary: BOUNDARY });
    expect(roleSettings({}, "service")).toEqual({});
  });
});

describe("checkRoleOptions: what IAM and loop safety allow", () => {
  test.each([
    ["a path without its closing slash", { path: "/platform" }, /rolePath = "\/platform" is invalid \(EcsRerunPipeline prop rolePath; module: role_path\): expected "\/" or a path that begins and ends with "\/"/],
    ["a path without its opening slash", { path: "platform/" }, /begins and ends with "\/"/],
    ["a path with a space", { path: "/my team/" }, /printable ASCII without spaces/],
    ["a path longer than IAM's 512 characters", { path: `/${"a".repeat(511)}/` }, /at most 512 characters/],
    ["the relaunch roles' own path", { path: "/ecs-rerun/" }, /\/ecs-rerun\/ is reserved for the relaunch roles/],
    ["a path under it", { path: "/ecs-rerun/mine/" }, /\/ecs-rerun\/ is reserved for the relaunch roles/],
    ["a boundary given by name", { permissionsBoundary: "platform-boundary" }, /rolePermissionsBoundary = "platform-boundary" is invalid \(EcsRerunPipeline prop rolePermissionsBoundary; module: role_permissions_boundary\): expected the ARN of a managed policy/],
    ["a boundary that is a role", { permissionsBoundary: "arn:aws:iam::123456789012:role/boundary" }, /the ARN of a managed policy/],
  ])("refuses %s, naming the prop and the variable", (_what, options, message) => {
    expect(() => checkRoleOptions(options, ORIGIN)).toThrow(message);
  });

  test.each([
    ["the root path", { path: "/" }],
    ["a nested path", { path: "/platform/batch/" }],
    ["a path that merely starts like the reserved one", { path: "/ecs-rerun-team/" }],
    ["an account's policy", { permissionsBoundary: BOUNDARY }],
    ["an AWS managed policy in GovCloud", { permissionsBoundary: "arn:aws-us-gov:iam::aws:policy/PowerUserAccess" }],
    ["nothing", {}],
  ])("accepts %s", (_what, options) => {
    expect(() => checkRoleOptions(options, ORIGIN)).not.toThrow();
  });

  test("accepts exactly IAM's paths outside /ecs-rerun/ (any printable ASCII between two slashes, at most 512)", () => {
    // IAM's rule as the API reference states it, written out character by character.
    const iamAllows = (p: string) => p === "/" || (p.length >= 3 && p.length <= 512 && p.startsWith("/") && p.endsWith("/") && [...p].every((ch) => ch.charCodeAt(0) >= 0x21 && ch.charCodeAt(0) <= 0x7e));
    const ascii = fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 40 });
    const candidate = fc.oneof(ascii, ascii.map((s) => `/${s}/`), ascii.map((s) => `/ecs-rerun/${s}`), fc.constant(`/${"x".repeat(510)}/`), fc.constant(`/${"x".repeat(511)}/`));
    fc.assert(
      fc.property(candidate, (path) => {
        const accepted = (() => {
          try {
            checkRoleOptions({ path }, ORIGIN);
            return true;
          } catch {
            return false;
          }
        })();
        expect(accepted).toBe(iamAllows(path) && !path.startsWith("/ecs-rerun/"));
      }),
    );
  });
});

describe("every role the constructs create takes the user's boundary and path", () => {
  test("the pipeline: every role has the boundary, every role but the rerun role the path", () => {
    const roles = pipelineRoles({ rolePath: PATH, rolePermissionsBoundary: BOUNDARY });
    expect(roles.length).toBeGreaterThanOrEqual(5); // state machine, rerun, starter, notifier, run counter
    expect(roles.map((r) => r.permissions_boundary)).toEqual(roles.map(() => BOUNDARY));
    expect(pathsByName(roles)).toEqual(Object.fromEntries(roles.map((r) => [r.name, r.name === "ecs-rerun-rerun-us-east-1" ? RELAUNCH_ROLE_PATH : PATH])));
  });

  test("the spoke: both roles have the boundary; the relaunch role keeps /ecs-rerun/, where the hub assumes it", () => {
    const roles = spokeRoles({ rolePath: PATH, rolePermissionsBoundary: BOUNDARY });
    expect(roles.map((r) => r.permissions_boundary)).toEqual([BOUNDARY, BOUNDARY]);
    expect(pathsByName(roles)).toEqual({ "ecs-rerun-relaunch-eu-west-1": RELAUNCH_ROLE_PATH, "ecs-rerun-forward-eu-west-1": PATH });
  });

  test("neither set: no role has a boundary, and only the relaunch roles a path", () => {
    const roles = [...pipelineRoles({}), ...spokeRoles({})];
    expect(roles.filter((r) => "permissions_boundary" in r)).toEqual([]);
    expect(roles.filter((r) => "path" in r).map((r) => [r.name, r.path])).toEqual([
      ["ecs-rerun-rerun-us-east-1", RELAUNCH_ROLE_PATH],
      ["ecs-rerun-relaunch-eu-west-1", RELAUNCH_ROLE_PATH],
    ]);
  });

  test("a bad value stops the construct, named as the construct's prop and the module's variable", () => {
    expect(() => pipelineRoles({ rolePath: "/ecs-rerun/" })).toThrow(/\(EcsRerunPipeline prop rolePath; module: role_path\)/);
    expect(() => spokeRoles({ rolePermissionsBoundary: "boundary" })).toThrow(/\(EcsRerunSpoke prop rolePermissionsBoundary; module spoke: role_permissions_boundary\)/);
  });

  test("the module and its spoke: every role reads var.role_permissions_boundary, every role but the relaunch and sweep roles (which the hub finds by name and path) var.role_path", () => {
    const { json, spoke } = sharedModule();
    for (const [which, config, fixed] of [["module", json, ["rerun_role"]], ["modules/spoke", spoke, ["relaunch_role", "sweep_role"]]] as const) {
      const roles = config.resource!.aws_iam_role;
      expect({ which, boundaries: Object.values(roles).map((r) => r.permissions_boundary) }).toEqual({ which, boundaries: Object.values(roles).map(() => "${var.role_permissions_boundary}") });
      expect({ which, paths: Object.fromEntries(Object.entries(roles).map(([a, r]) => [a, r.path])) }).toEqual({
        which,
        paths: Object.fromEntries(Object.keys(roles).map((a) => [a, (fixed as readonly string[]).includes(a) ? RELAUNCH_ROLE_PATH : "${var.role_path}"])),
      });
    }
  });
});
