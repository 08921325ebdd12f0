/**
 * The hub-and-spoke part of the settings schema: the checks of where the protected clusters are and
 * how the spoke stack's settings fit together, which no single value's rule can see (the form of a
 * spoke cluster ARN is a value's rule, in pipeline-settings.ts). Kept apart from settings.ts so the schema's general reading stays one readable file.
 */
import type { Settings } from "./setting-schema";
import { DEFAULT_REGION } from "./cluster-settings";
import { showValue } from "./show-value";

/** One setting as the user gave it, for messages that name it as they set it. */
export interface GivenSetting {
  readonly source: { readonly label: string; readonly said: (value: unknown) => string };
  readonly raw: unknown;
}

/** The pipeline's name when none is set (EcsRerunPipeline's and EcsRerunSpoke's default). */
const DEFAULT_NAME = "ecs-rerun";

/** Account ID of an ARN (its fifth field). */
const accountOf = (arn: string) => arn.split(":")[4];

/**
 * Protected cluster ARNs of another region, or of another account than ECS_RERUN_ACCOUNT_ID: a rule
 * sees only its own region's and account's events, and matches a cluster by its name too, so such an
 * ARN would protect nothing there and a same-named cluster here. They belong in a hub's
 * ECS_RERUN_SPOKE_CLUSTERS, with a spoke in their place. One sentence each, naming the setting.
 */
export function foreignClusterProblems(o: Settings, given: Readonly<Record<string, GivenSetting>>): string[] {
  if (o.protectedClusters === undefined || o.create === false) return [];
  const said = given.protectedClusters.source.said(given.protectedClusters.raw);
  const region = o.region ?? DEFAULT_REGION;
  const regionSaid = given.region ? given.region.source.label : "the default region";
  const stack = o.hubEventBusArn !== undefined ? "the ecs-rerun-spoke stack" : "the ecs-rerun stack";
  const fix = o.hubEventBusArn !== undefined ? "a spoke forwards only its own region's and account's events; deploy one spoke per account and region" : "protect it from a pipeline there, or make this pipeline a hub of it (ECS_RERUN_SPOKE_CLUSTERS) with a spoke there";
  const problems: string[] = [];
  for (const c of o.protectedClusters) {
    if (!c.startsWith("arn:")) continue;
    const [, , , clusterRegion, account] = c.split(":");
    if (clusterRegion !== region) {
      problems.push(`${said}: ${showValue(c)} is a cluster of ${clusterRegion}, but ${stack} deploys to ${region} (${regionSaid}): its rules would see none of that cluster's events, and would match a cluster of that name in ${region}; ${fix}`);
    } else if (o.accountId !== undefined && account !== o.accountId) {
      problems.push(`${said}: ${showValue(c)} is a cluster of account ${account}, but ${stack} deploys to account ${o.accountId} (${given.accountId.source.label}): its rules would see none of that cluster's events; ${fix}`);
    }
  }
  return problems;
}

/**
 * What is wrong with the spoke stack's settings taken together, one sentence each naming what the
 * user set; [] without a spoke stack. Called only once every value is well-formed.
 */
export function spokeStackProblems(o: Settings, given: Readonly<Record<string, GivenSetting>>): string[] {
  if (o.create === false) return [];
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
  const name = o.name ?? DEFAULT_NAME;
  const roleName = o.hubRerunRoleArn.slice(o.hubRerunRoleArn.lastIndexOf("/") + 1);
  if (!roleName.startsWith(`${name}-rerun-`)) {
    problems.push(
      `${said("hubRerunRoleArn")}: expected the rerun role of a hub named "${name}" (${name}-rerun-<region>): the hub finds a spoke's relaunch role by its own name, which the spoke shares (ECS_RERUN_NAME, context key "name"${given.name ? `, set to ${showValue(name)}` : ", unset: ecs-rerun"})`,
    );
  }
  return problems;
}
