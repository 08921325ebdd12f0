// Tests of lambda/rerun/core/relaunch/place.ts: where a failure happened, whether the hub may act there, the
// role it assumes, and the pacing key of a place. Expected values are written out literally.
import { accountOfFunctionArn, admit, placeOf, spokeRoleArn } from "../../../../lambda/rerun/core/relaunch/place";
import { PACER_ITEM_KEY, pacerItemKey } from "../../../../lambda/rerun/core/relaunch/pacing";

const HOME = { account: "123456789012", region: "ap-northeast-1" };
const PATTERN = "arn:aws:iam::{account}:role/ecs-rerun/ecs-rerun-relaunch-{region}";

describe("spokeRoleArn", () => {
  it("fills the account and the region into the pattern", () => {
    expect(spokeRoleArn(PATTERN, { account: "222233334444", region: "eu-west-1" })).toBe("arn:aws:iam::222233334444:role/ecs-rerun/ecs-rerun-relaunch-eu-west-1");
    expect(spokeRoleArn("arn:aws-us-gov:iam::{account}:role/ecs-rerun/x-relaunch-{region}", { account: "444455556666", region: "us-gov-west-1" })).toBe(
      "arn:aws-us-gov:iam::444455556666:role/ecs-rerun/x-relaunch-us-gov-west-1",
    );
  });

  it("refuses a place whose fields are not an account ID and a region code (they come from the event)", () => {
    expect(() => spokeRoleArn(PATTERN, { account: "2222", region: "eu-west-1" })).toThrow(/12-digit/);
    expect(() => spokeRoleArn(PATTERN, { account: "222233334444", region: "eu-west-1:role/admin" })).toThrow(/region code/);
  });
});

describe("admit", () => {
  const accounts = ["222233334444"];
  it("keeps the hub's own account and region at home", () => {
    expect(admit(HOME, HOME, { accounts })).toEqual({ kind: "home" });
  });

  it("acts in a spoke account's place, and in the hub's own account in another region, through a relaunch role", () => {
    expect(admit({ account: "222233334444", region: "eu-west-1" }, HOME, { accounts })).toEqual({ kind: "spoke" });
    expect(admit({ account: "123456789012", region: "eu-west-1" }, HOME, { accounts })).toEqual({ kind: "spoke" });
  });

  it("refuses an account the hub does not admit, naming it and the admitted ones", () => {
    const verdict = admit({ account: "444455556666", region: "eu-west-1" }, HOME, { accounts });
    expect(verdict.kind).toBe("refused");
    expect(verdict.kind === "refused" && verdict.why).toBe("account 444455556666 is not admitted by this hub (its spoke accounts: 222233334444; no organization)");
  });

  it("leaves an organization's accounts to IAM: admitted here, AssumeRole decides", () => {
    expect(admit({ account: "444455556666", region: "eu-west-1" }, HOME, { accounts: [], organizationId: "o-abcdefghij" })).toEqual({ kind: "spoke" });
  });
});

describe("placeOf and accountOfFunctionArn", () => {
  it("reads the failure's account and region", () => {
    expect(placeOf({ account: "222233334444", region: "eu-west-1" })).toEqual({ account: "222233334444", region: "eu-west-1" });
  });

  it("reads the account of a function ARN, with or without a qualifier", () => {
    expect(accountOfFunctionArn("arn:aws:lambda:ap-northeast-1:123456789012:function:ecs-rerun-rerun")).toBe("123456789012");
    expect(accountOfFunctionArn("arn:aws:lambda:ap-northeast-1:123456789012:function:ecs-rerun-rerun:live")).toBe("123456789012");
    expect(accountOfFunctionArn("not-an-arn")).toBeUndefined();
    expect(accountOfFunctionArn(undefined)).toBeUndefined();
  });
});

describe("pacerItemKey", () => {
  it("keeps today's key for the home place and gives every other place its own clock", () => {
    expect(PACER_ITEM_KEY).toBe("launches");
    expect(pacerItemKey()).toBe("launches");
    expect(pacerItemKey({ account: "222233334444", region: "eu-west-1" })).toBe("launches#222233334444#eu-west-1");
    expect(pacerItemKey({ account: "222233334444", region: "us-east-1" })).toBe("launches#222233334444#us-east-1");
  });
});
