// The rerun Lambda's hub settings: absent means no hub; every bad value is named with what is allowed.
import { readHubConfig } from "../../../lambda/rerun/hub-config";

const PATTERN = "arn:aws:iam::{account}:role/ecs-rerun/ecs-rerun-relaunch-{region}";
const HUB = { SPOKE_ROLE_ARN_PATTERN: PATTERN, SPOKE_ACCOUNTS: '["222233334444"]', AWS_REGION: "ap-northeast-1" };

describe("readHubConfig", () => {
  it("is undefined without SPOKE_ROLE_ARN_PATTERN: the function handles its own place only", () => {
    expect(readHubConfig({ AWS_REGION: "ap-northeast-1" })).toBeUndefined();
    expect(readHubConfig({ SPOKE_ROLE_ARN_PATTERN: " ", SPOKE_ACCOUNTS: "" })).toBeUndefined();
  });

  it("reads the pattern, the accounts, the organization and the home region", () => {
    expect(readHubConfig(HUB)).toEqual({ roleArnPattern: PATTERN, accounts: ["222233334444"], homeRegion: "ap-northeast-1" });
    expect(readHubConfig({ ...HUB, SPOKE_ACCOUNTS: "[]", SPOKE_ORGANIZATION_ID: "o-a1b2c3d4e5" })).toEqual({
      roleArnPattern: PATTERN,
      accounts: [],
      organizationId: "o-a1b2c3d4e5",
      homeRegion: "ap-northeast-1",
    });
  });

  it.each([
    [{ SPOKE_ROLE_ARN_PATTERN: "arn:aws:iam::123456789012:role/ecs-rerun/x-{region}" }, /SPOKE_ROLE_ARN_PATTERN="arn:aws:iam::123456789012:role\/ecs-rerun\/x-\{region\}" is invalid: expected a role ARN/],
    [{ SPOKE_ROLE_ARN_PATTERN: "arn:aws:iam::{account}:role/ecs-rerun/x" }, /SPOKE_ROLE_ARN_PATTERN=.* is invalid: expected .*contains \{region\} once/],
    [{ SPOKE_ACCOUNTS: '["2222"]' }, /SPOKE_ACCOUNTS=.* is invalid: expected a JSON array of 12-digit account IDs \("2222" is not one\)/],
    [{ SPOKE_ACCOUNTS: "222233334444" }, /SPOKE_ACCOUNTS="222233334444" is invalid: expected a JSON array/],
    [{ SPOKE_ORGANIZATION_ID: "org-1" }, /SPOKE_ORGANIZATION_ID="org-1" is invalid: expected an organization ID/],
    [{ SPOKE_ACCOUNTS: "[]" }, /neither SPOKE_ACCOUNTS nor SPOKE_ORGANIZATION_ID/],
    [{ AWS_REGION: "" }, /AWS_REGION is required/],
  ])("refuses %j with a ConfigurationError naming the variable", (change, message) => {
    expect(() => readHubConfig({ ...HUB, ...change })).toThrow(message);
    try {
      readHubConfig({ ...HUB, ...change });
    } catch (err) {
      expect((err as Error).name).toBe("ConfigurationError");
    }
  });

  it("refuses spoke accounts without a role pattern: every spoke's failure would go unhandled", () => {
    expect(() => readHubConfig({ SPOKE_ACCOUNTS: '["222233334444"]' })).toThrow(/SPOKE_ROLE_ARN_PATTERN is required/);
  });
});
