// The launch pacer's infrastructure as synthesized: the encrypted on-demand table, the rerun role's
// right to write its one item and nothing else, the Lambda's settings, the failure filter and alarm.
import { Testing, TerraformStack } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { EcsRerunPipeline, type EcsRerunPipelineProps } from "../../modules/pipeline/rerun-pipeline";
import { LaunchPacer, PACER_ITEM_KEY, PACER_UNAVAILABLE } from "../../lambda/rerun/pacer";
import { captureLogs } from "../lambda/helpers";
import { iamStatements, resourcesOf, synthJson } from "../support/synth";

function synthPipeline(props: Partial<EcsRerunPipelineProps> = {}) {
  const app = Testing.app();
  const stack = new TerraformStack(app, "ecs-rerun");
  new AwsProvider(stack, "aws", { region: "ap-northeast-1" });
  const pipeline = new EcsRerunPipeline(stack, "pipeline", { clusters: ["batch-ec2"], ...props });
  return { pipeline, tf: synthJson(stack) };
}

describe("the launch pacer of the ecs-rerun pipeline", () => {
  const { tf } = synthPipeline();
  const table = resourcesOf(tf, "aws_dynamodb_table")[0];
  const rerunEnv = () => (resourcesOf(tf, "aws_lambda_function").find((f) => String(f.function_name).endsWith("-rerun"))!.environment as { variables: Record<string, string> }).variables;

  test("keeps its clock in one encrypted, on-demand table keyed by a string", () => {
    expect(resourcesOf(tf, "aws_dynamodb_table").filter((t) => t.name !== "ecs-rerun-reconciler")).toHaveLength(1);
    expect(table).toMatchObject({
      name: "ecs-rerun-launch-pacer",
      billing_mode: "PAY_PER_REQUEST",
      hash_key: "pk",
      attribute: [{ name: "pk", type: "S" }],
      server_side_encryption: { enabled: true },
    });
  });

  test("lets the rerun role write the clock's item with UpdateItem, and nothing else", () => {
    // The reconciler keeps its cursors in a table of its own (KeepCursors), not the clock's.
    const dynamo = iamStatements(tf).filter((s) => s.Sid !== "KeepCursors" && [s.Action].flat().some((a) => a.startsWith("dynamodb:")));
    expect(dynamo).toEqual([
      {
        Sid: "ReserveLaunchSlots",
        Effect: "Allow",
        Action: "dynamodb:UpdateItem",
        Resource: expect.stringMatching(/^\$\{aws_dynamodb_table\.[^}]+\.arn\}$/),
        Condition: { "ForAllValues:StringEquals": { "dynamodb:LeadingKeys": [PACER_ITEM_KEY] } },
      },
    ]);
    const policy = resourcesOf(tf, "aws_iam_role_policy").find((p) => p.name === "reserve-launch-slots")!;
    expect(policy.role).toMatch(/^\$\{aws_iam_role\.[^}]*rerun-role[^}]*\.id\}$/);
  });

  test("tells the rerun Lambda the table and the default rate (10 a second)", () => {
    expect(rerunEnv()).toMatchObject({ PACER_TABLE: expect.stringMatching(/^\$\{aws_dynamodb_table\.[^}]+\.name\}$/), LAUNCHES_PER_SECOND: "10" });
  });

  test("counts the failures the Lambda logs with a filter on its log group, and alarms on any", () => {
    const filter = resourcesOf(tf, "aws_cloudwatch_log_metric_filter").find((f) => f.name === "ecs-rerun-launch-pacer-failures")!;
    expect(filter).toMatchObject({
      log_group_name: expect.stringMatching(/^\$\{aws_cloudwatch_log_group\.[^}]*rerun-logs[^}]*\.name\}$/),
      pattern: `"${PACER_UNAVAILABLE}"`,
      metric_transformation: { namespace: "ECSRerun/ecs-rerun", name: "LaunchPacerFailures", value: "1" },
    });
    const alarm = resourcesOf(tf, "aws_cloudwatch_metric_alarm").find((a) => a.alarm_name === "ecs-rerun-launch-pacer-failures")!;
    expect(alarm).toMatchObject({ namespace: "ECSRerun/ecs-rerun", metric_name: "LaunchPacerFailures", statistic: "Sum", threshold: 0, comparison_operator: "GreaterThanThreshold", treat_missing_data: "notBreaching" });
    expect(alarm.alarm_actions).toEqual([expect.stringMatching(/^\$\{aws_sns_topic\./)]);
  });

  test("the filter's phrase is in the line the Lambda logs when the pacer fails (as Lambda's Text format writes it)", async () => {
    const logs = captureLogs();
    try {
      const broken = { send: async () => Promise.reject(Object.assign(new Error("User is not authorized to perform: dynamodb:UpdateItem"), { name: "AccessDeniedException", $metadata: { httpStatusCode: 400 } })) };
      const pacer = new LaunchPacer({ table: "t", launchesPerSecond: 10 }, { dynamodb: broken, now: () => 0, sleep: async () => {}, random: () => 0 });
      expect(await pacer.reserve(1, {})).toBeUndefined();
    } finally {
      logs.restore();
    }
    const cloudWatchLine = `2026-01-01T03:00:00.000Z\t6f1c2b1e-0000-4000-8000-000000000000\tINFO\t${logs.lines[0]}`;
    expect(cloudWatchLine).toContain(PACER_UNAVAILABLE);
  });

  test("is left out with paceLaunches false: no table, no grant, no alarm, and the Lambda launches unpaced", () => {
    const off = synthPipeline({ paceLaunches: false }).tf;
    expect(resourcesOf(off, "aws_dynamodb_table").filter((t) => t.name !== "ecs-rerun-reconciler")).toEqual([]);
    expect(iamStatements(off).filter((s) => s.Sid === "ReserveLaunchSlots")).toEqual([]);
    expect(resourcesOf(off, "aws_cloudwatch_metric_alarm").map((a) => a.alarm_name)).not.toContain("ecs-rerun-launch-pacer-failures");
    const env = (resourcesOf(off, "aws_lambda_function").find((f) => String(f.function_name).endsWith("-rerun"))!.environment as { variables: Record<string, string> }).variables;
    expect(env.PACER_TABLE).toBeUndefined();
  });

  test("keeps the filter but drops the alarm with createAlarms false, and takes the rate it is given", () => {
    const quiet = synthPipeline({ createAlarms: false, launchesPerSecond: 2.5 }).tf;
    expect(resourcesOf(quiet, "aws_cloudwatch_log_metric_filter").map((f) => f.name)).toContain("ecs-rerun-launch-pacer-failures");
    expect(resourcesOf(quiet, "aws_cloudwatch_metric_alarm").map((a) => a.alarm_name)).not.toContain("ecs-rerun-launch-pacer-failures");
    expect((resourcesOf(quiet, "aws_lambda_function").find((f) => String(f.function_name).endsWith("-rerun"))!.environment as { variables: Record<string, string> }).variables.LAUNCHES_PER_SECOND).toBe("2.5");
  });

  test("refuses a rate outside 0.1 to 40 a second, naming ECS's limit", () => {
    expect(() => synthPipeline({ launchesPerSecond: 0 })).toThrow("launchesPerSecond = 0 is invalid: expected a number from 0.1 to 40 (ECS's RunTask refill rate)");
    expect(() => synthPipeline({ launchesPerSecond: 41 })).toThrow(/launchesPerSecond = 41 is invalid/);
  });
});
