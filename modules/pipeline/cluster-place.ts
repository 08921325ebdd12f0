/**
 * Protected clusters are of the account and region the pipeline (or spoke) deploys to: a rule sees
 * only its own account's and region's events, and its pattern matches a cluster by name as well as
 * by ARN (launch-failure-pattern.ts), so a cluster ARN of another place would protect nothing there
 * and would protect a same-named cluster here. Clusters of other places belong to a hub's
 * `spokeClusters`, with a spoke in their place. Literal values are refused at synth; what Terraform
 * decides (the module's variables, the provider's account) is checked by a precondition at plan.
 */
import { Token } from "cdktf";
import { hcl } from "../hcl/hcl-expression";
import { InputError } from "../input-error";
import type { IResolvable } from "cdktf";

/** Where the refusal says the value was set. */
export interface ClusterPlaceOrigin {
  /** `(EcsRerunPipeline prop clusters; module: clusters)`, for instance. */
  readonly where: string;
  /** What to do instead. */
  readonly fix: string;
}

/** Refuses a literal cluster ARN of another region than a literal `region`. */
export function checkClusterRegions(clusters: readonly string[], region: string | undefined, origin: ClusterPlaceOrigin): void {
  if (Token.isUnresolved(clusters) || region === undefined || Token.isUnresolved(region)) return;
  clusters.forEach((c, i) => {
    if (Token.isUnresolved(c) || !c.startsWith("arn:")) return;
    const clusterRegion = c.split(":")[3];
    if (clusterRegion !== region) {
      throw new InputError("clusters", `clusters[${i}] = ${JSON.stringify(c)} is invalid ${origin.where}: a cluster of ${clusterRegion}, but this deploys to ${region}; its rules would see none of its events, and would match a cluster of that name in ${region}: ${origin.fix}`);
    }
  });
}

/**
 * The plan-time check of what synth could not see: every cluster ARN of the provider's region and
 * account. Undefined when there is nothing left to check (names only, every one checked at synth, and
 * no ARN whose account Terraform must compare).
 */
export function clusterPlacePrecondition(clusters: readonly string[], region: string, account: string, fix: string): { condition: IResolvable; errorMessage: string } | undefined {
  const literal = !Token.isUnresolved(clusters) && clusters.every((c) => !Token.isUnresolved(c));
  if (literal && !clusters.some((c) => c.startsWith("arn:"))) return undefined;
  // Terraform's || evaluates both sides, so a name (no fourth field) must not be indexed bare.
  const list = literal ? clusters.filter((c) => c.startsWith("arn:")) : clusters;
  return {
    condition: hcl`alltrue([for c in ${list} : !startswith(c, "arn:") || (try(split(":", c)[3], "") == ${region} && try(split(":", c)[4], "") == ${account})])`,
    errorMessage: `Every cluster ARN must be of this account and region: its rules see only their events, and would match a cluster of the same name here. ${fix}`,
  };
}
