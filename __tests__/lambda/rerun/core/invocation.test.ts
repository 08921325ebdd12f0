// Tests of lambda/rerun/core/failure/invocation.ts: validating the invocation payload.
import { parseInvocation } from "../../../../lambda/rerun/core/failure/invocation";
import { InvalidEventError } from "../../../../lambda/shared/errors";

describe("parseInvocation", () => {
  it.each<[string, unknown, RegExp]>([
    ["an unknown action", { action: "explode", executionArn: "arn:x" }, /action/],
    ["no executionArn", { action: "classify", event: {} }, /executionArn/],
    ["attempt 0", { action: "rerun", attempt: 0, executionArn: "arn:x", failure: {} }, /attempt/],
    ["a failure without request", { action: "rerun", attempt: 1, executionArn: "arn:x", failure: { action: "RunTask" } }, /failure\./],
  ])("rejects a payload with %s", (_label, payload, field) => {
    expect(() => parseInvocation(payload)).toThrow(InvalidEventError);
    expect(() => parseInvocation(payload)).toThrow(field);
  });
});
