// CDK Terrain (cdktn), cdktf's successor, sets two feature flags of its own in the app's context (its
// Testing.app() does, and `cdktn init` writes them to cdktf.json): the settings reader lets exactly
// those pass, by name, and still refuses any other key it does not know.
import { readSettings } from "../../modules/settings/settings";

describe("cdktn's context keys", () => {
  test("failOnConstructsOutsideOfStacks and canonicalAssetHashes, as cdktn 0.24's Testing.app() sets them, are not refused", () => {
    expect(readSettings({}, { cdktfVersion: "0.24.0", failOnConstructsOutsideOfStacks: "true", canonicalAssetHashes: "true" })).toEqual({});
  });

  test("a key that is almost one of them is still refused", () => {
    expect(() => readSettings({}, { canonicalAssetHash: "true" })).toThrow(/context key "canonicalAssetHash" = "true": there is no such setting/);
  });
});
