// The cdktn canary's comparison (scripts/cdktn-canary/canary.ts; CI runs the canary itself): a
// stack synthesized under cdktn may differ from cdktf's only in the AWS provider pin and cdktf's
// metadata version, as the two really differ; anything else is reported by its JSON path.
import { jsonDifferences, withoutPinAndMetadata } from "../../scripts/cdktn-canary/canary";

/** A stack as cdktf 0.21 with @cdktf/provider-aws 21.22.1 synthesizes it (trimmed). */
const cdktfStack = {
  "//": { metadata: { backend: "local", stackName: "ecs-rerun", version: "0.21.0" }, outputs: {} },
  provider: { aws: [{ region: "ap-northeast-1" }] },
  resource: { aws_sns_topic: { notices: { name: "ecs-rerun-notices", kms_master_key_id: "${aws_kms_key.notices.arn}" } } },
  terraform: { backend: { local: { path: "terraform.ecs-rerun.tfstate" } }, required_providers: { aws: { source: "aws", version: "6.25.0" } } },
};
/** The same stack as cdktn 0.24 with @cdktn/provider-aws 25.7.0 synthesizes it. */
const cdktnStack = {
  ...cdktfStack,
  "//": { ...cdktfStack["//"], metadata: { ...cdktfStack["//"].metadata, version: "0.24.0" } },
  terraform: { ...cdktfStack.terraform, required_providers: { aws: { source: "hashicorp/aws", version: "6.66.0" } } },
};

describe("the cdktn canary's stack comparison", () => {
  test("the provider pin and the metadata version are all that cdktn changes: no difference left", () => {
    expect(jsonDifferences(cdktfStack, cdktnStack)).toHaveLength(3);
    expect(jsonDifferences(withoutPinAndMetadata(cdktfStack), withoutPinAndMetadata(cdktnStack))).toEqual([]);
  });

  test("any other change is reported by its path", () => {
    const changed = structuredClone(cdktnStack);
    changed.resource.aws_sns_topic.notices.kms_master_key_id = "alias/aws/sns";
    changed.terraform.backend.local.path = "other.tfstate";
    expect(jsonDifferences(withoutPinAndMetadata(cdktfStack), withoutPinAndMetadata(changed))).toEqual([
      '$.resource.aws_sns_topic.notices.kms_master_key_id: "${aws_kms_key.notices.arn}" vs "alias/aws/sns"',
      '$.terraform.backend.local.path: "terraform.ecs-rerun.tfstate" vs "other.tfstate"',
    ]);
  });

  test("a stack left as it was is not changed by the comparison", () => {
    const copy = structuredClone(cdktfStack);
    withoutPinAndMetadata(copy);
    expect(copy).toEqual(cdktfStack);
  });
});
