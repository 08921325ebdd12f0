import { Testing } from "cdktf";
import { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import { buildApp } from "../modules/app";

describe("the app", () => {
  const app = Testing.app();
  const { cluster, rerun } = buildApp(app, { ECS_RERUN_REGION: "ap-northeast-1" });

  test("builds the two stacks under the names later tooling reads", () => {
    expect(app.node.children.map((c) => c.node.id).sort()).toEqual(["ecs-cluster", "ecs-rerun"]);
    expect(cluster.config.region).toBe("ap-northeast-1");
  });

  test("the pipeline protects the cluster stack's cluster by name", () => {
    expect(rerun.pipeline.eventPattern).toMatchObject({ detail: { requestParameters: { cluster: ["batch-ec2", { suffix: ":cluster/batch-ec2" }] } } });
  });

  test("the demo job has a missed-run alarm whose window follows its rate(1 day) schedule", () => {
    expect(Testing.synth(rerun)).toHaveResourceWithProperties(CloudwatchMetricAlarm, {
      alarm_name: "ecs-rerun-print-date-missed-run",
      metric_name: "SuccessfulRuns-print-date",
      // One day of interval plus an hour of grace, judged hour by hour.
      period: 3600,
      evaluation_periods: 25,
      treat_missing_data: "breaching",
    });
  });

  test("protects other clusters when told to", () => {
    const { rerun: other } = buildApp(Testing.app(), { ECS_RERUN_PROTECTED_CLUSTERS: "a,arn:aws:ecs:us-east-1:123456789012:cluster/b" });
    expect(other.pipeline.eventPattern).toMatchObject({ detail: { requestParameters: { cluster: ["a", { suffix: ":cluster/a" }, "b", "arn:aws:ecs:us-east-1:123456789012:cluster/b"] } } });
  });
});
