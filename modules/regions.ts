/**
 * The AWS regions synth accepts: those in the partition data the AWS SDK for JavaScript ships
 * (`partitions.json` of the SDK's endpoint rules, inlined in `@aws-sdk/core`, the same data every SDK
 * client resolves endpoints with), rather than a hand-kept list that would go stale. A region missing
 * there is refused as unknown (`xx-nowhere-9`); a region newer than the installed SDK is refused too
 * until `@aws-sdk/core` is updated, which the error says.
 */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { nearestName } from "./settings/nearest-name";

/** A region the SDK knows: its partition (`aws`, `aws-cn`, `aws-us-gov`, ...) and its name for people. */
export interface KnownRegion {
  readonly partition: string;
  readonly description: string;
}

/** The part of the SDK's partition data read here. */
interface PartitionsInfo {
  readonly partitions: readonly { readonly id: string; readonly regionRegex: string; readonly regions: Readonly<Record<string, { readonly description?: string }>> }[];
}

/** Where `@aws-sdk/core` keeps the data: its package exports only the functions using it, so it is read as the JSON it is. */
const PARTITIONS_FILE = "dist-es/submodules/client/util-endpoints/lib/aws/partitions.js";

let known: ReadonlyMap<string, KnownRegion> | undefined;
let sdkVersion = "";

/** Reads the SDK's partitions into region -> partition and description, dropping pseudo-regions such as `aws-global`. */
export function regionsOf(info: PartitionsInfo): Map<string, KnownRegion> {
  const out = new Map<string, KnownRegion>();
  for (const p of info.partitions) {
    const real = new RegExp(p.regionRegex);
    for (const [name, data] of Object.entries(p.regions)) if (real.test(name)) out.set(name, { partition: p.id, description: data.description ?? name });
  }
  return out;
}

/** Every region the installed AWS SDK knows, read once. */
export function knownRegions(): ReadonlyMap<string, KnownRegion> {
  if (known === undefined) {
    const root = dirname(require.resolve("@aws-sdk/core/package.json"));
    sdkVersion = (JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { version: string }).version;
    const source = readFileSync(join(root, PARTITIONS_FILE), "utf8");
    const json = source.slice(source.indexOf("{"), source.lastIndexOf("}") + 1);
    known = regionsOf(JSON.parse(json) as PartitionsInfo);
  }
  return known;
}

/** What is wrong with `region` as a region to deploy to, or undefined when the SDK knows it. */
export function regionProblem(region: string): string | undefined {
  const regions = knownRegions();
  if (regions.has(region)) return undefined;
  const near = nearestName(region, [...regions.keys()]);
  return `${JSON.stringify(region)} is no AWS region the AWS SDK knows (${regions.size} regions in the partition data of @aws-sdk/core ${sdkVersion})${near ? `; did you mean ${near}?` : `, such as us-east-1, eu-west-1 or ap-northeast-1`}`;
}

/** `us-east-1 (US East (N. Virginia))`, for synth's report. */
export function describeRegion(region: string): string {
  const r = knownRegions().get(region);
  return r ? `${region} (${r.description})` : region;
}
