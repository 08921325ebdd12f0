/**
 * The spoke submodule's README, and the two hub-and-spoke examples of the root module
 * (`examples/multi-region`, `examples/multi-account`): root modules calling the hub (`../..`) and a
 * spoke (`../../modules/spoke`) through provider aliases. Written to pass `terraform fmt -check` as
 * they are.
 */
import { renderVersionsTf } from "./hcl-file";
import { referenceSections, type ModuleInterface } from "./module-readme";

/** The spoke's README: what it creates, how it is called beside the hub, and its interface tables. */
export function renderSpokeReadme(iface: ModuleInterface, options: { repository: string }): string {
  return `# ${options.repository}//modules/spoke

The spoke of a hub-and-spoke ecs-rerun deployment: call it once in every **other** account and region
whose clusters the hub (the root module, given \`spoke_clusters\` or \`spoke_organization_id\`)
protects.

- Forwarding rules on the default event bus: the same patterns the hub uses for its own clusters
  (rejected RunTask/StartTask calls on this spoke's \`clusters\`, minus every ecs-rerun relaunch role's
  calls; tasks that stopped before starting or exited non-zero), split over several rules when long.
  Their target is the hub's bus, with a role allowed \`events:PutEvents\` on that bus only, retries for
  a day, and an SQS dead-letter queue (SSE) with alarms.
- The relaunch role \`<name>-relaunch-<region>\` under the path \`/ecs-rerun/\`, trusting only the hub's
  rerun role: \`ecs:RunTask\`/\`ecs:StartTask\` only with an \`ecs:cluster\` condition naming this
  spoke's clusters, \`ecs:DescribeTasks\`/\`ecs:ListTasks\` under the same condition, \`ecs:TagResource\` only at launch,
  \`iam:PassRole\` only to \`ecs-tasks.amazonaws.com\`, and the reads the rerun makes (task
  definitions, the rules and schedules that launched a task).
- Given \`hub_reconciler_role_arn\`, the read-only sweep role \`<name>-sweep-<region>\` (same path),
  trusting only the hub's reconciler role: \`cloudtrail:LookupEvents\` and
  \`ecs:ListTasks\`/\`ecs:DescribeTasks\` of this spoke's clusters, so the hub's reconciler finds a
  failure here whose event never reached the hub.
- Optionally a CloudTrail trail logging write management events (\`create_trail\`): EventBridge sees
  rejected launches only through one.

Apply the hub first: IAM refuses a trust policy naming a role that does not exist yet. Keep \`name\`
the hub's: the hub finds the relaunch role by it.

## Usage

\`\`\`hcl
module "ecs_rerun_spoke" {
  source    = "<namespace>/ecs-rerun/aws//modules/spoke"
  providers = { aws = aws.spoke }

  clusters                = ["batch-ec2"]
  hub_event_bus_arn       = module.ecs_rerun.hub_event_bus_arn
  hub_rerun_role_arn      = module.ecs_rerun.rerun_role_arn
  hub_reconciler_role_arn = module.ecs_rerun.reconciler_role_arn
  alarm_actions           = ["arn:aws:sns:eu-west-1:222233334444:on-call"] # a spoke has no topic: where its alarms go
}
\`\`\`

The hub lists this spoke's clusters as full ARNs in \`spoke_clusters\` (or admits its organization).
See \`examples/multi-region\` and \`examples/multi-account\` of the root module.

${referenceSections(iface)}
`;
}

/** The versions block of an example: the module's own. */
const versions = (iface: ModuleInterface) => renderVersionsTf(iface.settings).trimEnd();

/** `examples/multi-region/main.tf`: one account, the hub in one region and a spoke in another. */
export function renderMultiRegionExample(iface: ModuleInterface): string {
  return `# One account, two regions: the hub in us-east-1 protects its own clusters there, and the clusters
# of eu-west-1 through a spoke that forwards their failures to the hub's bus.
${versions(iface)}

provider "aws" {
  region = "us-east-1" # the hub's region
}

provider "aws" {
  alias  = "eu_west_1"
  region = "eu-west-1" # the spoke's region
}

data "aws_caller_identity" "current" {}

# Where every alarm goes besides the hub's notices topic: your on-call SNS topic in each region (a
# spoke has no topic of its own, and an alarm that notifies no one is silence). An encrypted topic's
# key must let cloudwatch.amazonaws.com use it (kms:GenerateDataKey*, kms:Decrypt; Amazon SNS
# Developer Guide, "Enable compatibility between event sources from AWS services and encrypted
# topics"), which the AWS managed key aws/sns cannot. The names are placeholders for your own.
locals {
  on_call_us_east_1 = "arn:aws:sns:us-east-1:\${data.aws_caller_identity.current.account_id}:on-call"
  on_call_eu_west_1 = "arn:aws:sns:eu-west-1:\${data.aws_caller_identity.current.account_id}:on-call"
}

module "ecs_rerun" {
  source = "../.."

  clusters            = ["batch-ec2"]
  spoke_clusters      = ["arn:aws:ecs:eu-west-1:\${data.aws_caller_identity.current.account_id}:cluster/batch-ec2"]
  notification_emails = ["ops@example.com"]
  alarm_actions       = [local.on_call_us_east_1]
}

module "ecs_rerun_spoke_eu_west_1" {
  source    = "../../modules/spoke"
  providers = { aws = aws.eu_west_1 }

  clusters                = ["batch-ec2"]
  hub_event_bus_arn       = module.ecs_rerun.hub_event_bus_arn
  hub_rerun_role_arn      = module.ecs_rerun.rerun_role_arn
  hub_reconciler_role_arn = module.ecs_rerun.reconciler_role_arn
  alarm_actions           = [local.on_call_eu_west_1]
}

output "hub_event_bus_arn" {
  description = "The bus the spokes forward to."
  value       = module.ecs_rerun.hub_event_bus_arn
}

output "spoke_relaunch_role_arn" {
  description = "The role the hub relaunches with in eu-west-1."
  value       = module.ecs_rerun_spoke_eu_west_1.relaunch_role_arn
}
`;
}

/** `examples/multi-account/main.tf`: the hub in a central account, a spoke in a workload account, reached by assuming a role. */
export function renderMultiAccountExample(iface: ModuleInterface): string {
  return `# Two accounts: the hub in the central account 111122223333 (us-east-1), a spoke in the workload
# account 222233334444 (eu-west-1). Terraform reaches the workload account by assuming a role there;
# the account IDs and the role are placeholders for your own.
${versions(iface)}

provider "aws" {
  region = "us-east-1" # the hub: credentials of the central account
}

provider "aws" {
  alias  = "workload_eu_west_1"
  region = "eu-west-1"

  assume_role {
    role_arn = "arn:aws:iam::222233334444:role/terraform"
  }
}

# Where every alarm goes besides the hub's notices topic: your on-call SNS topic in each account and
# region (a spoke has no topic of its own, and an alarm that notifies no one is silence). An encrypted
# topic's key must let cloudwatch.amazonaws.com use it, which the AWS managed key aws/sns cannot.
module "ecs_rerun" {
  source = "../.."

  clusters            = ["central-batch"]
  spoke_clusters      = ["arn:aws:ecs:eu-west-1:222233334444:cluster/batch-ec2"]
  notification_emails = ["ops@example.com"]
  alarm_actions       = ["arn:aws:sns:us-east-1:111122223333:on-call"]
  # Or admit every account of the organization (the spoke clusters' accounts stay admitted too):
  # spoke_organization_id = "o-a1b2c3d4e5"
}

module "ecs_rerun_spoke_workload" {
  source    = "../../modules/spoke"
  providers = { aws = aws.workload_eu_west_1 }

  clusters                = ["batch-ec2"]
  hub_event_bus_arn       = module.ecs_rerun.hub_event_bus_arn
  hub_rerun_role_arn      = module.ecs_rerun.rerun_role_arn
  hub_reconciler_role_arn = module.ecs_rerun.reconciler_role_arn
  alarm_actions           = ["arn:aws:sns:eu-west-1:222233334444:on-call"]
  create_trail            = true # only if no trail logs management events in that account and region yet
}

output "spoke_relaunch_role_arn" {
  description = "The role the hub relaunches with in the workload account."
  value       = module.ecs_rerun_spoke_workload.relaunch_role_arn
}
`;
}
