// The module warns at plan, in a check block, when its notices (a spoke: its alarms) would reach no
// one: the check's condition, evaluated by terraform itself with the module's variables, holds exactly
// when some destination is set (or silence is allowed), as the construct's synth-time refusal does.
import { renderModuleFiles } from "../../modules/terraform-module/module-files";
import { sharedModule } from "../support/shared-module";
import { SPOKE_EXAMPLE_INPUTS } from "../../modules/terraform-module/ecs-rerun-spoke-module-stack";
import { describeWithTerraform, evaluate, evaluatedOnFirstUse, removeTempDirs, scratchDir } from "./support";

afterAll(removeTempDirs);

const { json, spoke } = sharedModule();
const files = renderModuleFiles(json, spoke);

/** The one check of a module: its name, condition (as an HCL expression) and message. */
function theCheck(module: { check?: Record<string, unknown> }): { name: string; condition: string; message: string } {
  const checks = Object.entries(module.check ?? {});
  expect(checks).toHaveLength(1);
  const [name, body] = checks[0];
  const [assertion] = (body as { assert: { condition: string; error_message: string }[] }).assert;
  const condition = /^\$\{([\s\S]*)\}$/.exec(assertion.condition)?.[1];
  expect(condition).toBeDefined();
  return { name, condition: condition!, message: assertion.error_message };
}

describeWithTerraform("the module's check block: notices that reach no one warn at plan", () => {
  const check = theCheck(json);
  const vars = scratchDir({ "variables.tf": files["variables.tf"] });

  test("is named for what it checks, and its message names every variable that would give a destination", () => {
    expect(check.name).toBe("pipeline_notices_reach_someone");
    for (const v of ["slack_webhook_parameter_name", "notification_emails", "alarm_actions", "allow_no_destination"]) expect(check.message).toContain(v);
  });

  const cases: [string, Record<string, unknown>, string][] = [
    ["nothing set: the basic usage without a destination", {}, "false"],
    ["alarm actions, but the alarms off", { alarm_actions: ["arn:aws:sns:us-east-1:111122223333:on-call"], create_alarms: false }, "false"],
    ["a Slack parameter", { slack_webhook_parameter_name: "/ecs-rerun/slack-webhook" }, "true"],
    ["an email", { notification_emails: ["ops@example.com"] }, "true"],
    ["alarm actions", { alarm_actions: ["arn:aws:sns:us-east-1:111122223333:on-call"] }, "true"],
    ["the explicit opt-out", { allow_no_destination: true }, "true"],
    ["create = false (nothing to reach anyone)", { create: false }, "true"],
  ];
  const evaluation = evaluatedOnFirstUse(vars, Object.fromEntries(cases.map(([n, tfVars]) => [n, { expression: `tostring(${check.condition})`, vars: { clusters: ["batch-ec2"], ...tfVars } }])));
  test.each(cases)("%s", async (name, _tfVars, expected) => {
    expect(await evaluation(name)).toEqual({ value: expected, stderr: "" });
  });
});

describeWithTerraform("the spoke submodule's check block: alarms that reach no one warn at plan", () => {
  const check = theCheck(spoke);
  const vars = scratchDir({ "variables.tf": files["modules/spoke/variables.tf"] });
  const holds = async (tfVars: Record<string, unknown>) => (await evaluate(vars, `tostring(${check.condition})`, { ...SPOKE_EXAMPLE_INPUTS, ...tfVars })).value;

  test("holds with alarm actions or the opt-out, and not without", async () => {
    expect(check.message).toContain("alarm_actions");
    expect(await holds({})).toBe("false");
    expect(await holds({ alarm_actions: ["arn:aws:sns:eu-west-1:222233334444:on-call"] })).toBe("true");
    expect(await holds({ allow_no_destination: true })).toBe("true");
  });
});
