/**
 * The mark every ecs-rerun relaunch identity carries, so that every pipeline leaves every pipeline's
 * reruns alone: the IAM path `/ecs-rerun/` of the role a rerun is launched with.
 *
 * Why a path: CloudTrail records a call made with a role's session with
 * `userIdentity.sessionContext.sessionIssuer.arn` = the role's ARN, path included
 * (`arn:aws:iam::ACCOUNT:role/ecs-rerun/NAME`), and `userName` = NAME without it (CloudTrail User
 * Guide, "CloudTrail userIdentity element"); the session's own `arn`
 * (`arn:aws:sts::ACCOUNT:assumed-role/NAME/SESSION`) drops the path. The path is free to choose and
 * costs nothing, and IAM keeps names unique regardless of path, so no name budget is spent on it.
 *
 * Why `anything-but` with `prefix` on that ARN: the account and partition come first in the ARN, so
 * only a prefix that includes them, or a wildcard, can reach the path. Both are documented for rules
 * on event buses (EventBridge User Guide, "Comparison operators for use in event patterns":
 * "Anything-but (begins with)" and "Anything-but using a wildcard"), but a wildcard counts against
 * "Rules containing wildcards", 30 rules per event bus, a quota that cannot be adjusted (EventBridge
 * User Guide, "Amazon EventBridge quotas"), and a split pattern is several rules. A rule sees only
 * its own account's CloudTrail events, so its own account in the prefix loses nothing.
 *
 * Reserved: roles of your own under `/ecs-rerun/` would be ignored by every pipeline too.
 */
import type { AwsPlace } from "./pipeline-policies";

/** The IAM path of every role ecs-rerun relaunches tasks with. */
export const RELAUNCH_ROLE_PATH = "/ecs-rerun/";

/** The start of the ARN of every relaunch role of one account: `arn:PARTITION:iam::ACCOUNT:role/ecs-rerun/`. */
export function relaunchRoleArnPrefix(place: Pick<AwsPlace, "partition" | "account">): string {
  return `arn:${place.partition}:iam::${place.account}:role${RELAUNCH_ROLE_PATH}`;
}

/**
 * A place whose prefix is at least as long as any real one, for measuring a pattern whose account and
 * partition Terraform fills in: an account ID has 12 digits, and no partition ID is longer than
 * `aws-us-gov` (the others: `aws`, `aws-cn`, `aws-iso`, `aws-iso-b`, `aws-iso-e`, `aws-iso-f`, `aws-eusc`).
 */
export const LONGEST_PLACE = { partition: "aws-us-gov", account: "123456789012" } as const;
