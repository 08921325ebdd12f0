// The regions synth accepts are those of the AWS SDK's partition data, not a hand-kept list.
import { partition } from "@aws-sdk/core/client";
import { describeRegion, knownRegions, regionProblem, regionsOf } from "../modules/regions";

test("are read from the SDK's partitions: every partition's regions, without pseudo-regions", () => {
  const regions = knownRegions();
  expect(regions.size).toBeGreaterThan(30);
  expect(regions.get("us-east-1")).toEqual({ partition: "aws", description: "US East (N. Virginia)" });
  expect(regions.get("cn-north-1")?.partition).toBe("aws-cn");
  expect(regions.get("us-gov-west-1")?.partition).toBe("aws-us-gov");
  expect(regions.has("aws-global")).toBe(false);
  // The same data the SDK's own endpoint resolution reads: each known region resolves to its own description there.
  for (const [name, r] of regions) expect(partition(name)).toMatchObject({ name: r.partition, description: r.description });
});

test("drops names that are not regions of their partition", () => {
  const regions = regionsOf({ partitions: [{ id: "aws", regionRegex: "^(us|eu)\\-\\w+\\-\\d+$", regions: { "us-east-1": { description: "N. Virginia" }, "aws-global": { description: "global" } } }] });
  expect([...regions.keys()]).toEqual(["us-east-1"]);
});

test("refuses an unknown region by name, suggesting a near one", () => {
  expect(regionProblem("eu-west-1")).toBeUndefined();
  expect(regionProblem("xx-nowhere-9")).toMatch(/^"xx-nowhere-9" is no AWS region the AWS SDK knows \(\d+ regions in the partition data of @aws-sdk\/core \d+\.\d+\.\d+\), such as us-east-1/);
  expect(regionProblem("us-esat-1")).toMatch(/did you mean us-east-1\?$/);
});

test("describes a region for synth's report", () => {
  expect(describeRegion("ap-northeast-1")).toBe("ap-northeast-1 (Asia Pacific (Tokyo))");
});
