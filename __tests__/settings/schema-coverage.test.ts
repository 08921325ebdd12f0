// The app reaches every knob of the Terraform module: each variable of the root module and of the
// spoke submodule has a setting of the same meaning. "The same meaning" is read from the module stacks
// themselves (which prop of the construct each variable feeds), never from a list kept by hand, and
// the app is shown to pass each setting to that very prop.
import { App, DefaultTokenResolver, StringConcat, Tokenization, type TerraformStack } from "cdktf";
import { EcsRerunModuleStack } from "../../modules/terraform-module/ecs-rerun-module-stack";
import { EcsRerunSpokeModuleStack } from "../../modules/terraform-module/ecs-rerun-spoke-module-stack";
import { SETTINGS_LIST, readSettings, type Settings } from "../../modules/settings/settings";
import { pipelineStackProps, spokeStackProps } from "../../modules/app";

const app = new App({ skipValidation: true, stackTraces: false });
const root = new EcsRerunModuleStack(app, "root");
const spoke = new EcsRerunSpokeModuleStack(app, "spoke");

/** Variable -> the construct prop it is given to, read by resolving each prop's value in its stack. */
function propsOfVariables(stack: TerraformStack, props: object): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [prop, value] of Object.entries(props)) {
    const m = /^\$\{var\.([a-z0-9_]+)\}$/.exec(String(Tokenization.resolve(value, { scope: stack, resolver: new DefaultTokenResolver(new StringConcat()) })));
    if (m) out[m[1]] = prop;
  }
  return out;
}

/** The variables no setting names as its module variable. */
const withoutSetting = (variables: readonly string[]) => variables.filter((v) => !SETTINGS_LIST.some((s) => s.module === v));

/** Variables the module hands to no construct prop, and what takes them instead. */
const NOT_PROPS: Readonly<Record<string, string>> = { tags: "tagEverything (the app: each stack's default tags)" };

const places = [
  { name: "the root module", stack: root, variables: Object.keys(root.variables), props: propsOfVariables(root, root.pipelineProps), which: "prop" as const },
  { name: "the spoke submodule", stack: spoke, variables: Object.keys(spoke.variables), props: propsOfVariables(spoke, spoke.spokeProps), which: "spokeProp" as const },
];

describe.each(places)("every variable of $name", ({ variables, props, which }) => {
  test("is read from the module stack (not an empty list), and each is a prop or tags", () => {
    expect(variables.length).toBeGreaterThan(15);
    for (const v of variables) expect({ v, fed: props[v] ?? NOT_PROPS[v] }).toEqual({ v, fed: expect.any(String) });
  });

  test("has a setting", () => {
    expect(withoutSetting(variables)).toEqual([]);
  });

  test.each(variables)("%s has a setting of the same meaning", (variable) => {
    const setting = SETTINGS_LIST.find((s) => s.module === variable);
    expect({ variable, setting: setting?.key }).toEqual({ variable, setting: expect.any(String) });
    // The same meaning: the setting names the prop the module gives the variable to (create is the
    // app's choice of stacks, tags the stacks' own: neither is a construct prop there).
    const prop = props[variable];
    if (prop !== undefined && prop !== "create") expect({ variable, prop: setting![which] }).toEqual({ variable, prop });
  });
});

describe("the app gives every setting to its prop", () => {
  /** A setting at its example value (with what it needs beside it). */
  const PARTNERS: Record<string, Record<string, unknown>> = {
    slackBotTokenParameter: { slackChannelId: "C0123456789" },
    slackChannelId: { slackBotTokenParameter: "/b" },
    hubEventBusArn: { hubRerunRoleArn: "arn:aws:iam::111122223333:role/ecs-rerun/ecs-rerun-rerun-us-east-1" },
    hubRerunRoleArn: { hubEventBusArn: "arn:aws:events:us-east-1:111122223333:event-bus/ecs-rerun-hub" },
    hubReconcilerRoleArn: { hubEventBusArn: "arn:aws:events:us-east-1:111122223333:event-bus/ecs-rerun-hub", hubRerunRoleArn: "arn:aws:iam::111122223333:role/ecs-rerun/ecs-rerun-rerun-us-east-1" },
  };
  const settingsWith = (key: string, example: unknown): Settings => readSettings({}, {}, { [key]: example, ...PARTNERS[key] });

  test.each(SETTINGS_LIST.filter((s) => s.prop !== undefined).map((s) => [s.key, s] as const))("%s reaches the pipeline", (_key, s) => {
    const props = pipelineStackProps(settingsWith(s.key, s.example), "batch-ec2", []) as unknown as Record<string, unknown>;
    expect(props[s.prop!]).toEqual(s.example);
  });

  test.each(SETTINGS_LIST.filter((s) => s.spokeProp !== undefined).map((s) => [s.key, s] as const))("%s reaches the spoke", (_key, s) => {
    const props = spokeStackProps(settingsWith(s.key, s.example), "batch-ec2") as unknown as Record<string, unknown>;
    expect(props[s.spokeProp!]).toEqual(s.example);
  });

  test("tags reach every stack's default tags, and the region and account every provider", () => {
    const o = readSettings({}, {}, { tags: { Team: "batch" }, region: "eu-west-1", accountId: "123456789012" });
    for (const props of [pipelineStackProps(o, "batch-ec2", []), spokeStackProps(o, "batch-ec2")]) expect(props).toMatchObject({ tags: { Team: "batch" }, region: "eu-west-1", accountId: "123456789012" });
  });
});

test("the check can fail: a module variable without a setting is caught", () => {
  expect(withoutSetting([...Object.keys(root.variables), "a_new_knob"])).toEqual(["a_new_knob"]);
});
