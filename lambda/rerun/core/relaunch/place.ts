/**
 * Rerun core: the place (account and region) a failure happened in, whether the hub may act there,
 * and the role it assumes to do so. Pure: the STS call and the clients live in ../spoke-access.ts.
 *
 * A hub's rerun function relaunches a spoke's rejected task in the spoke's own account and region
 * (issue 14, CONTRACT-hub.md): the event forwarded to the hub bus keeps the sender's `account` and
 * `region` (EventBridge User Guide, "Sending and receiving events between AWS accounts in Amazon
 * EventBridge"), and the CloudTrail record inside it names the same account (`recipientAccountId`)
 * and region (`awsRegion`); LaunchFailure carries both (core/failure/cloudtrail-event.ts, task-state.ts).
 */
import type { LaunchFailure } from "../../../shared/contract";

/** One account and region. */
export interface Place {
  readonly account: string;
  readonly region: string;
}

export const ACCOUNT_PATTERN = /^\d{12}$/;
/** AWS region codes: "eu-west-1", "us-gov-west-1", "ap-southeast-5". */
export const REGION_PATTERN = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;

/**
 * An AWS Organizations organization ID (Organizations API Reference, "Organization":
 * `^o-[a-z0-9]{10,32}$`). A string, valid in JavaScript and in Terraform's RE2: the Lambda, the
 * construct, the module's validation and the app's settings all check it with this one.
 */
export const ORGANIZATION_ID_PATTERN = "^o-[a-z0-9]{10,32}$";

/**
 * A spoke cluster: a full cluster ARN (its account and region say where the spoke is; a bare name
 * cannot), with a region code and a cluster name ECS accepts (up to 255 letters, digits, hyphens and
 * underscores). A string, valid in JavaScript and in Terraform's RE2, for the same four checkers.
 */
export const SPOKE_CLUSTER_ARN_PATTERN = "^arn:aws[a-z-]*:ecs:[a-z]{2}(-[a-z]+)+-[0-9]:[0-9]{12}:cluster/[A-Za-z0-9_-]{1,255}$";
export const ACCOUNT_PLACEHOLDER = "{account}";
export const REGION_PLACEHOLDER = "{region}";

/** The place of a failure: where its task was (to be) launched. */
export function placeOf(failure: Pick<LaunchFailure, "account" | "region">): Place {
  return { account: failure.account, region: failure.region };
}

export function samePlace(a: Place, b: Place): boolean {
  return a.account === b.account && a.region === b.region;
}

/** "222233334444/eu-west-1": how logs, cache keys and messages name a place. */
export function placeLabel(place: Place): string {
  return `${place.account}/${place.region}`;
}

/**
 * The relaunch role of `place`: `pattern` (SPOKE_ROLE_ARN_PATTERN, e.g.
 * "arn:aws:iam::{account}:role/ecs-rerun/ecs-rerun-relaunch-{region}") with its placeholders filled.
 * Throws on a place that is not an account ID and a region code: the value becomes part of an ARN,
 * and an event's fields are not to be trusted that far.
 */
export function spokeRoleArn(pattern: string, place: Place): string {
  if (!ACCOUNT_PATTERN.test(place.account)) throw new RangeError(`account ${JSON.stringify(place.account)} is not a 12-digit AWS account ID`);
  if (!REGION_PATTERN.test(place.region)) throw new RangeError(`region ${JSON.stringify(place.region)} is not an AWS region code`);
  return pattern.split(ACCOUNT_PLACEHOLDER).join(place.account).split(REGION_PLACEHOLDER).join(place.region);
}

/** Who the hub admits: the accounts of its spoke clusters, and every account of an organization. */
export interface Admission {
  /** SPOKE_ACCOUNTS: the accounts of the hub's spoke clusters. */
  readonly accounts: readonly string[];
  /** SPOKE_ORGANIZATION_ID: any account of this organization (IAM's aws:ResourceOrgID decides at AssumeRole). */
  readonly organizationId?: string;
}

/**
 * Where the hub acts for a failure:
 * - home: the hub's own account and region (the clients of today, no role assumed);
 * - spoke: another account or region the hub admits, through the relaunch role there;
 * - refused: an account the hub does not admit. The hub bus's policy and rules already keep such
 *   events out; this is defence in depth (a rule edited by hand, an event put on the bus by an
 *   admitted account on another's behalf), and nothing is launched.
 * An account of the organization is admitted here without knowing whether it belongs: the Lambda
 * cannot tell, and the role policy's aws:ResourceOrgID condition refuses the AssumeRole if not.
 */
export type PlaceDecision = { readonly kind: "home" } | { readonly kind: "spoke" } | { readonly kind: "refused"; readonly why: string };

export function admit(place: Place, home: Place, admission: Admission): PlaceDecision {
  if (samePlace(place, home)) return { kind: "home" };
  // The home account in another region is the hub's own account: its relaunch role there is a spoke's.
  if (place.account === home.account || admission.accounts.includes(place.account)) return { kind: "spoke" };
  if (admission.organizationId !== undefined) return { kind: "spoke" };
  return {
    kind: "refused",
    why: `account ${place.account} is not admitted by this hub (its spoke accounts: ${admission.accounts.length > 0 ? admission.accounts.join(", ") : "none"}; no organization)`,
  };
}

/** The account of a Lambda function ARN (`context.invokedFunctionArn`, arn:aws:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER]). */
export function accountOfFunctionArn(arn: string | undefined): string | undefined {
  const account = arn?.split(":")[4];
  return account !== undefined && ACCOUNT_PATTERN.test(account) ? account : undefined;
}

/** The account and region of a Lambda function ARN (arn:aws:lambda:REGION:ACCOUNT:function:NAME), where the function runs. */
export function placeOfFunctionArn(arn: string | undefined): Place | undefined {
  const account = accountOfFunctionArn(arn);
  const region = arn?.split(":")[3];
  return account !== undefined && region !== undefined && REGION_PATTERN.test(region) ? { account, region } : undefined;
}
