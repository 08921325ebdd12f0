/**
 * The app's optional third stack, `ecs-rerun-spoke`: one spoke (EcsRerunSpoke) for the account and
 * region it is deployed to, forwarding its clusters' failures to a hub's bus and holding the relaunch
 * role that hub assumes (and, given the hub's reconciler role, the sweep role its reconciler reads
 * through). Deployable on its own, after the hub.
 */
import { Construct } from "constructs";
import { TerraformOutput, TerraformStack } from "cdktf";
import { addLocalState } from "../state-file";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { EcsRerunSpoke, type EcsRerunSpokeProps } from "./ecs-rerun-spoke";

/** Props of {@link EcsRerunSpokeStack}. */
export interface EcsRerunSpokeStackProps extends Omit<EcsRerunSpokeProps, "create" | "region"> {
  /** AWS region of the spoke: its clusters' region (a rule sees only its own region's events). */
  readonly region: string;
  /** The account the spoke deploys to: the provider refuses other credentials, and the state file is named by it. @default any (the credentials') */
  readonly accountId?: string;
  /** Tags on every resource. @default {} */
  readonly tags?: Readonly<Record<string, string>>;
}

/** A spoke of the rerun pipeline as a stack of its own, with its provider and local state. */
export class EcsRerunSpokeStack extends TerraformStack {
  /** The spoke. */
  public readonly spoke: EcsRerunSpoke;

  constructor(scope: Construct, id: string, props: EcsRerunSpokeStackProps) {
    super(scope, id);
    const { region, accountId, tags, ...spokeProps } = props;
    new AwsProvider(this, "aws", {
      region,
      ...(accountId !== undefined ? { allowedAccountIds: [accountId] } : {}),
      defaultTags: [{ tags: { Project: "ecs-rerun", Stack: id, ManagedBy: "cdktf", ...tags } }],
    });
    // A hub has one spoke per account and region, often deployed from one checkout: the place in the
    // state file's name keeps them apart (state-file.ts).
    addLocalState(this, id, region, accountId);
    // The region is known here, so IAM names carry it literally and cluster ARNs are checked against it.
    this.spoke = new EcsRerunSpoke(this, "spoke", { ...spokeProps, region });
    const s = this.spoke;
    new TerraformOutput(this, "relaunch_role_arn", { value: s.relaunchRole.arn, description: "ARN of the relaunch role the hub's rerun role assumes" });
    if (s.sweepRole) new TerraformOutput(this, "sweep_role_arn", { value: s.sweepRole.arn, description: "ARN of the read-only role the hub's reconciler assumes" });
    new TerraformOutput(this, "forward_rule_arn", { value: s.rule.arn, description: "ARN of the rule forwarding rejected launches to the hub's bus" });
    new TerraformOutput(this, "dead_letter_queue_url", { value: s.deadLetterQueue.url, description: "URL of the queue of events the hub's bus did not take" });
  }
}
