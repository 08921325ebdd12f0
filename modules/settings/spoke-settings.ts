/**
 * The hub-and-spoke part of the settings schema: the form of a spoke cluster ARN, and the checks of
 * how the spoke stack's settings fit together, which no single value's rule can see. Kept apart from
 * settings.ts so the schema's general reading stays one readable file.
 */
import type { Settings } from "./settings";
import { SPOKE_CLUSTER_ARN_PATTERN } from "../../lambda/rerun/core/place";
import { showValue } from "./show-value";

/** One setting as the user gave it, for messages that name it as they set it. */
export interface GivenSetting {
  readonly source: { readonly label: string; readonly said: (value: unknown) => string };
  readonly raw: unknown;
}

/**
 * A spoke cluster: a full cluster ARN (the hub learns the spoke's account and region from it, so a
 * bare name cannot do), with the region and name forms the rest of the schema accepts.
 */
export const SPOKE_CLUSTER_ARN = {
  pattern: new RegExp(SPOKE_CLUSTER_ARN_PATTERN),
  allowed: 'a full cluster ARN of another account or region, such as "arn:aws:ecs:eu-west-1:222233334444:cluster/batch-ec2"',
} as const;

/** The region the app's stacks deploy to when no region is set (as ClusterStackConfig's default). */
const DEFAULT_REGION = "us-east-1";

/**
 * The name of the app's pipeline, hub or spoke: the hub assumes `<name>-relaunch-<region>` in a
 * spoke, so a spoke of this app works only with a hub of the same name.
 */
const APP_PIPELINE_NAME = "ecs-rerun";

/** Account ID of an ARN (its fifth field). */
const accountOf = (arn: string) => arn.split(":")[4];

/**
 * What is wrong with the spoke stack's settings taken together, one sentence each naming what the
 * user set; [] without a spoke stack. Called only once every value is well-formed.
 */
export function spokeStackProblems(o: Settings, given: Readonly<Record<string, GivenSetting>>): string[] {
  const said = (key: keyof Settings) => given[key].source.said(given[key].raw);
  if (o.hubEventBusArn === undefined || o.hubRerunRoleArn === undefined) {
    // Without a spoke stack there is no sweep role to make: a value here would be ignored.
    return o.hubReconcilerRoleArn === undefined ? [] : [`${said("hubReconcilerRoleArn")} is used only with the ecs-rerun-spoke stack: set hubEventBusArn and hubRerunRoleArn too (the hub's outputs hub_event_bus_arn and rerun_role_arn), or leave it unset`];
  }
  const problems: string[] = [];
  if (o.hubReconcilerRoleArn !== undefined && accountOf(o.hubReconcilerRoleArn) !== accountOf(o.hubEventBusArn)) {
    problems.push(`${said("hubReconcilerRoleArn")} and ${said("hubEventBusArn")} are of different accounts (${accountOf(o.hubReconcilerRoleArn)}, ${accountOf(o.hubEventBusArn)}): both are outputs of the same hub (reconciler_role_arn, hub_event_bus_arn)`);
  }
  if (accountOf(o.hubEventBusArn) !== accountOf(o.hubRerunRoleArn)) {
    problems.push(
      `${said("hubEventBusArn")} and ${said("hubRerunRoleArn")} are of different accounts (${accountOf(o.hubEventBusArn)}, ${accountOf(o.hubRerunRoleArn)}): both are outputs of the same hub (hub_event_bus_arn, rerun_role_arn)`,
    );
  }
  const roleName = o.hubRerunRoleArn.slice(o.hubRerunRoleArn.lastIndexOf("/") + 1);
  if (!roleName.startsWith(`${APP_PIPELINE_NAME}-rerun-`)) {
    problems.push(
      `${said("hubRerunRoleArn")}: expected the rerun role of a hub named "${APP_PIPELINE_NAME}" (${APP_PIPELINE_NAME}-rerun-<region>): the hub finds a spoke's relaunch role by its own name, and this app's spoke is named "${APP_PIPELINE_NAME}"; for a hub with another name, use the Terraform module's spoke (modules/spoke) with that name`,
    );
  }
  // The spoke's clusters are ECS_RERUN_PROTECTED_CLUSTERS (see app.ts): a rule sees only its own
  // region's events, so a cluster ARN of another region would never be forwarded.
  const region = o.region ?? DEFAULT_REGION;
  const regionSaid = given.region ? given.region.source.label : "the default region";
  for (const c of o.protectedClusters ?? []) {
    const clusterRegion = c.startsWith("arn:") ? c.split(":")[3] : region;
    if (clusterRegion !== region) {
      problems.push(
        `${said("protectedClusters")}: ${showValue(c)} is a cluster of ${clusterRegion}, but the ecs-rerun-spoke stack deploys to ${region} (${regionSaid}): a spoke forwards only its own region's events; deploy one spoke per region`,
      );
    }
  }
  return problems;
}
