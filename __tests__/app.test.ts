import { Testing } from "cdktf";
import { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import { DEMO_JOB } from "../jobs";
import { buildApp } from "../modules/app";
import { ConfigError } from "../modules/config";
import { SettingsError } from "../modules/settings/settings";

describe("the app", () => {
  const app = Testing.app();
  const { cluster, rerun } = buildApp(app, { ECS_RERUN_REGION: "ap-northeast-1" }, { jobs: [DEMO_JOB] });

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
    const { rerun: other } = buildApp(Testing.app(), { ECS_RERUN_PROTECTED_CLUSTERS: "a,arn:aws:ecs:us-east-1:123456789012:cluster/b" }, { jobs: [DEMO_JOB] });
    expect(other.pipeline.eventPattern).toMatchObject({ detail: { requestParameters: { cluster: ["a", { suffix: ":cluster/a" }, "b", "arn:aws:ecs:us-east-1:123456789012:cluster/b"] } } });
  });

  test("reads cdktf context, and refuses a context key that is no setting", () => {
    const { cluster: named } = buildApp(Testing.app({ context: { clusterName: "from-context" } }), {}, { jobs: [DEMO_JOB] });
    expect(named.config.clusterName).toBe("from-context");
    expect(() => buildApp(Testing.app({ context: { clustername: "x" } }), {}, { jobs: [DEMO_JOB] })).toThrow(SettingsError);
  });

  test("a job whose missed-run alarm cannot work is a ConfigError naming the job", () => {
    const monthly = { ...DEMO_JOB, name: "monthly", schedule: "rate(30 days)" };
    const build = () => buildApp(Testing.app(), {}, { jobs: [DEMO_JOB, monthly], jobsLabel: "JOBS (jobs.ts)" });
    expect(build).toThrow(ConfigError);
    expect(build).toThrow(/^JOBS \(jobs\.ts\)\[1\] \("monthly"\): its missed-run alarm cannot work: interval \+ grace = 2595600 s is invalid/);
  });
});
