// The app's ecs-rerun-spoke stack: its provider, its state file per region, and the outputs an
// operator checks after deploying a spoke.
import { Testing } from "cdktf";
import { EcsRerunSpokeStack } from "../../modules/spoke/ecs-rerun-spoke-stack";
import { synthJson } from "../support/synth";

const HUB_BUS = "arn:aws:events:us-east-1:111122223333:event-bus/ecs-rerun-hub";
const HUB_ROLE = "arn:aws:iam::111122223333:role/ecs-rerun/ecs-rerun-rerun-us-east-1";

describe("EcsRerunSpokeStack", () => {
  const stack = new EcsRerunSpokeStack(Testing.app(), "ecs-rerun-spoke", { region: "eu-west-1", clusters: ["batch-ec2"], hubEventBusArn: HUB_BUS, hubRerunRoleArn: HUB_ROLE, tags: { Team: "batch" } });
  const tf = synthJson(stack);

  test("deploys to its region, tagged like the app's other stacks", () => {
    expect(tf.provider).toEqual({ aws: [{ region: "eu-west-1", default_tags: [{ tags: { Project: "ecs-rerun", Stack: "ecs-rerun-spoke", ManagedBy: "cdktf", Team: "batch" } }] }] });
  });

  test("keeps its state in a file of its own region, so spokes of two regions do not share one", () => {
    expect(tf.terraform).toMatchObject({ backend: { local: { path: expect.stringMatching(/\/terraform\.ecs-rerun-spoke\.eu-west-1\.tfstate$/) } } });
  });

  test("outputs the relaunch role, the forwarding rule and the dead-letter queue", () => {
    expect(Object.keys(tf.output!).sort()).toEqual(["dead_letter_queue_url", "forward_rule_arn", "relaunch_role_arn"]);
    expect(tf.output!.relaunch_role_arn.value).toMatch(/^\$\{aws_iam_role\.spoke_relaunch-role_\w+\.arn\}$/);
  });

  test("refuses a cluster of another region, as the construct does", () => {
    expect(() => new EcsRerunSpokeStack(Testing.app(), "s", { region: "eu-west-1", clusters: ["arn:aws:ecs:us-east-1:222233334444:cluster/x"], hubEventBusArn: HUB_BUS, hubRerunRoleArn: HUB_ROLE })).toThrow(/spoke's region eu-west-1/);
  });
});
