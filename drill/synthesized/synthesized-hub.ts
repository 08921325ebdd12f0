// The drill's fleet: the hub part of the synthesized pipeline (its bus policy, its rules on that bus)
// and one synthesized EcsRerunSpoke per other account and region of the protected clusters, read
// back as Terraform would deploy them, so the drill routes each event through what would really
// be deployed: the spoke's forwarding rules, the hub bus's policy, the hub's rules.
import { Testing, TerraformStack } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import type { EcsRerunPipeline } from "../../modules/pipeline/rerun-pipeline";
import { EcsRerunSpoke } from "../../modules/spoke/ecs-rerun-spoke";
import type { PolicyDocument } from "../local-aws/iam-policy";
import type { AssumableRole } from "../local-aws/sts";

/** One account and region. */
export interface DrillPlace {
  readonly account: string;
  readonly region: string;
}

/** What the drill runs of one synthesized spoke. */
export interface SynthesizedSpoke {
  readonly place: DrillPlace;
  /** Its clusters (as the hub's `spokeClusters` name them). */
  readonly clusters: readonly string[];
  /** The forwarding rules' patterns on its default bus: rejected launches, and failed tasks. */
  readonly launchPatterns: readonly Record<string, unknown>[];
  readonly taskPatterns: readonly Record<string, unknown>[];
  /** The relaunch role the hub assumes there, with its trust policy as deployed. */
  readonly relaunchRole: AssumableRole;
  /** The sweep role the hub's reconciler assumes there (deployed with the hub's reconciler role), with its trust policy. */
  readonly sweepRole?: AssumableRole;
  /** The role its forwarding rules put events on the hub bus with. */
  readonly forwardRoleArn: string;
  /** The AWS Organization its account belongs to (the drill's, when the hub admits one). */
  readonly organizationId?: string;
}

/** What the drill runs of the hub part of the pipeline. */
export interface SynthesizedHub {
  readonly busArn: string;
  /** The bus's resource policy, as deployed. */
  readonly busPolicy: PolicyDocument;
  /** The patterns of the hub's rules on its bus. */
  readonly rulePatterns: readonly Record<string, unknown>[];
  readonly spokes: readonly SynthesizedSpoke[];
  /** The organization the hub admits, whose accounts (every account of the drill, then) carry its ID. */
  readonly organizationId?: string;
}

type Resources = Record<string, Record<string, Record<string, unknown>>>;
type Deployed = (text: string, region: string, account: string) => string;
type PatternsOf = (rule: Record<string, unknown> | undefined, more: Record<string, unknown> | undefined, region: string, account: string) => Record<string, unknown>[];

const synthesized = (resources: Resources, resource: { terraformResourceType: string; friendlyUniqueId: string } | undefined) =>
  resource ? resources[resource.terraformResourceType]?.[resource.friendlyUniqueId] : undefined;

/** The place of a cluster ARN (arn:aws:ecs:REGION:ACCOUNT:cluster/NAME), undefined for a name. */
export function placeOfCluster(cluster: string): DrillPlace | undefined {
  const m = /^arn:aws[a-z-]*:ecs:([a-z0-9-]+):(\d{12}):cluster\/.+$/.exec(cluster);
  return m ? { account: m[2], region: m[1] } : undefined;
}

/**
 * Splits `--clusters` as the drill deploys them: names and ARNs of the hub's own place protect
 * the hub's clusters; ARNs of another account or region are the hub's `spokeClusters`.
 */
export function splitClusters(clusters: readonly string[], home: DrillPlace): { home: string[]; spokes: string[] } {
  const spokes = clusters.filter((c) => {
    const place = placeOfCluster(c);
    return place !== undefined && (place.account !== home.account || place.region !== home.region);
  });
  return { home: clusters.filter((c) => !spokes.includes(c)), spokes };
}

/**
 * Reads back the hub part of `pipeline` (synthesized in `resources`) and synthesizes one spoke per
 * place of `spokeClusters`, each in its own stack and provider region, as a user would deploy the
 * spoke module there: with the hub's bus ARN and rerun role ARN, and the hub's name.
 */
export function synthesizeHub(
  pipeline: EcsRerunPipeline,
  resources: Resources,
  hub: {
    place: DrillPlace;
    spokeClusters: readonly string[];
    rerunRoleArn: string;
    reconcilerRoleArn?: string;
    /** The organization the hub admits, and clusters of its accounts whose spokes spokeClusters does not list. */
    organization?: { id: string; clusters: readonly string[] };
  },
  read: { deployed: Deployed; patternsOf: PatternsOf },
): SynthesizedHub {
  const { place } = hub;
  const bus = synthesized(resources, pipeline.hubBus);
  const policy = synthesized(resources, pipeline.hubBusPolicy);
  if (bus === undefined || policy === undefined) throw new Error("the synthesized hub has no bus or no bus policy");
  const busArn = `arn:aws:events:${place.region}:${place.account}:event-bus/${bus.name as string}`;
  // The policy's Resource names the bus by reference; Terraform fills the ARN in.
  const busPolicy = JSON.parse(read.deployed(policy.policy as string, place.region, place.account).replace(/\$\{aws_cloudwatch_event_bus\.[A-Za-z0-9_-]+\.arn\}/g, busArn)) as PolicyDocument;
  const rulePatterns = read.patternsOf(synthesized(resources, pipeline.spokeRule), synthesized(resources, pipeline.moreSpokeRules), place.region, place.account);

  const byPlace = new Map<string, { place: DrillPlace; clusters: string[] }>();
  // A spoke forwards its own clusters, listed in spokeClusters or not (an organization's member).
  for (const cluster of [...hub.spokeClusters, ...(hub.organization?.clusters ?? [])]) {
    const p = placeOfCluster(cluster)!;
    const key = `${p.account}/${p.region}`;
    if (!byPlace.has(key)) byPlace.set(key, { place: p, clusters: [] });
    byPlace.get(key)!.clusters.push(cluster);
  }
  // The bus is `<name>-hub`, and a spoke must be deployed with the hub's name (CONTRACT-hub.md).
  const name = (bus.name as string).replace(/-hub$/, "");
  const organizationId = hub.organization?.id;
  const spokes = [...byPlace.values()].map(({ place: at, clusters }) => {
    const spoke = synthesizeSpoke(at, clusters, busArn, { rerunRoleArn: hub.rerunRoleArn, reconcilerRoleArn: hub.reconcilerRoleArn, name }, read);
    if (organizationId === undefined) return spoke;
    const member = <T extends AssumableRole | undefined>(role: T): T => (role === undefined ? role : ({ ...role, organizationId } as T));
    return { ...spoke, organizationId, relaunchRole: member(spoke.relaunchRole), sweepRole: member(spoke.sweepRole) };
  });
  return { busArn, busPolicy, rulePatterns, spokes, ...(organizationId !== undefined ? { organizationId } : {}) };
}

function synthesizeSpoke(
  place: DrillPlace,
  clusters: readonly string[],
  hubEventBusArn: string,
  hub: { rerunRoleArn: string; reconcilerRoleArn?: string; name: string },
  read: { deployed: Deployed; patternsOf: PatternsOf },
): SynthesizedSpoke {
  const app = Testing.app();
  const stack = new TerraformStack(app, `ecs-rerun-spoke-${place.account}-${place.region}`);
  new AwsProvider(stack, "aws", { region: place.region });
  // Deployed as the README says: with the hub's reconciler role, so the hub's reconciler can sweep it.
  const spoke = new EcsRerunSpoke(stack, "spoke", {
    clusters,
    hubEventBusArn,
    hubRerunRoleArn: hub.rerunRoleArn,
    ...(hub.reconcilerRoleArn !== undefined ? { hubReconcilerRoleArn: hub.reconcilerRoleArn } : {}),
    name: hub.name,
    region: place.region,
  });
  const r = (JSON.parse(Testing.synth(stack)) as { resource: Resources }).resource;
  const role = synthesized(r, spoke.relaunchRole);
  const forward = synthesized(r, spoke.forwardRole);
  if (role === undefined || forward === undefined) throw new Error(`the synthesized spoke of ${place.account}/${place.region} has no relaunch or forwarding role`);
  const assumable = (r: Record<string, unknown>): AssumableRole => {
    const path = (r.path as string | undefined) ?? "/";
    return {
      arn: `arn:aws:iam::${place.account}:role${path}${r.name as string}`,
      account: place.account,
      name: r.name as string,
      path,
      trustPolicy: JSON.parse(read.deployed(r.assume_role_policy as string, place.region, place.account)) as PolicyDocument,
    };
  };
  const sweep = synthesized(r, spoke.sweepRole);
  return {
    place,
    clusters,
    launchPatterns: read.patternsOf(synthesized(r, spoke.rule), synthesized(r, spoke.moreRules), place.region, place.account),
    taskPatterns: read.patternsOf(synthesized(r, spoke.taskStateRule), synthesized(r, spoke.moreTaskStateRules), place.region, place.account),
    relaunchRole: assumable(role),
    ...(sweep ? { sweepRole: assumable(sweep) } : {}),
    forwardRoleArn: `arn:aws:iam::${place.account}:role${(forward.path as string | undefined) ?? "/"}${forward.name as string}`,
  };
}
