/** The right side's stack: the rerun pipeline for the protected clusters, deployable on its own. */
import { Construct } from "constructs";
import { TerraformOutput, TerraformStack } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { EcsRerunPipeline, type EcsRerunPipelineProps } from "./rerun-pipeline";
import { addLocalState } from "../state-file";

/** Props of {@link EcsRerunStack}. */
export interface EcsRerunStackProps extends EcsRerunPipelineProps {
  /** AWS region of the protected clusters. */
  readonly region: string;
  /** The account the stack deploys to: the provider refuses other credentials, and the state file is named by it. @default any (the credentials') */
  readonly accountId?: string;
  /** Tags on every resource. @default {} */
  readonly tags?: Readonly<Record<string, string>>;
}

/** The "right side": the rerun pipeline, deployable on its own against clusters it did not create. */
export class EcsRerunStack extends TerraformStack {
  /** The pipeline. */
  public readonly pipeline: EcsRerunPipeline;

  constructor(scope: Construct, id: string, props: EcsRerunStackProps) {
    super(scope, id);
    const { region, accountId, tags, ...pipelineProps } = props;
    new AwsProvider(this, "aws", {
      region,
      ...(accountId !== undefined ? { allowedAccountIds: [accountId] } : {}),
      defaultTags: [{ tags: { Project: "ecs-rerun", Stack: id, ManagedBy: "cdktf", ...tags } }],
    });
    addLocalState(this, id, region, accountId);
    // The region is known here, so the pipeline's IAM names carry it literally.
    this.pipeline = new EcsRerunPipeline(this, "pipeline", { ...pipelineProps, region });
    const p = this.pipeline;
    new TerraformOutput(this, "state_machine_arn", { value: p.stateMachine.arn, description: "ARN of the rerun state machine" });
    new TerraformOutput(this, "topic_arn", { value: p.topic.arn, description: "ARN of the notices topic" });
    new TerraformOutput(this, "rule_arn", { value: p.rule.arn, description: "ARN of the launch-failure rule" });
    new TerraformOutput(this, "rerun_function_arn", { value: p.rerunFunction.arn, description: "ARN of the rerun Lambda" });
    new TerraformOutput(this, "dead_letter_queue_url", { value: p.deadLetterQueue.url, description: "URL of the dead-letter queue" });
    // What each spoke needs (ECS_RERUN_HUB_EVENT_BUS_ARN, ECS_RERUN_HUB_RERUN_ROLE_ARN, ECS_RERUN_HUB_RECONCILER_ROLE_ARN); only on a hub,
    // so a pipeline without spokes synthesizes exactly as before.
    if (p.hubBus) {
      new TerraformOutput(this, "hub_event_bus_arn", { value: p.hubBus.arn, description: "ARN of the bus the spokes forward to" });
      new TerraformOutput(this, "rerun_role_arn", { value: p.rerunRole.arn, description: "ARN of the rerun role, the one principal the spokes' relaunch roles trust" });
      if (p.reconciler) new TerraformOutput(this, "reconciler_role_arn", { value: p.reconciler.role.arn, description: "ARN of the reconciler's role, the one principal the spokes' sweep roles trust" });
    }
  }
}
