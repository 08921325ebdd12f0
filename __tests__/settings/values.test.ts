// The pure checks behind config errors: CIDR blocks, and how a bad value is shown (or hidden).
import { cidrProblem } from "../../modules/settings/cidr";
import { secretKind, showValue } from "../../modules/settings/show-value";

describe("cidrProblem", () => {
  test.each(["10.42.0.0/16", "10.0.0.0/8", "192.168.1.0/24", "172.16.0.0/12", "0.0.0.0/0", "10.0.0.5/32"])("accepts %s", (cidr) => {
    expect(cidrProblem(cidr)).toBeUndefined();
  });

  test.each([
    ["10.0.0.5/16", "host bits are set; the network address of that block is 10.0.0.0/16"],
    ["10.42.1.0/16", "host bits are set; the network address of that block is 10.42.0.0/16"],
    ["192.168.1.129/25", "host bits are set; the network address of that block is 192.168.1.128/25"],
    ["10.0.0.256/24", "octet 256 is not a number from 0 to 255 (without leading zeros)"],
    ["10.0.0.010/32", "octet 010 is not a number from 0 to 255 (without leading zeros)"],
    ["10.0.0.0/33", "prefix /33 is outside /0 to /32"],
    ["10.0.0.0", "expected an IPv4 CIDR block such as 10.42.0.0/16"],
    ["2001:db8::/32", "expected an IPv4 CIDR block such as 10.42.0.0/16"],
  ])("refuses %s: %s", (cidr, problem) => {
    expect(cidrProblem(cidr)).toBe(problem);
  });

  test("holds a VPC to the prefixes its two /+4 subnets allow", () => {
    expect(cidrProblem("10.0.0.0/12", 16, 24)).toBe("prefix /12 is outside /16 to /24");
    expect(cidrProblem("10.0.0.0/25", 16, 24)).toBe("prefix /25 is outside /16 to /24");
  });
});

describe("showValue", () => {
  test.each<[unknown, string]>([
    ["batch", '"batch"'],
    [5, "5"],
    [NaN, "NaN"],
    [Infinity, "Infinity"],
    [null, "null"],
    [undefined, "undefined"],
    [true, "true"],
    [["prod-a", "prod-b"], '["prod-a","prod-b"]'],
    [[1, NaN], "[1,NaN]"],
    [{ a: 1 }, '{"a":1}'],
  ])("shows %p as %s", (value, shown) => {
    expect(showValue(value)).toBe(shown);
  });

  test("cuts a long value short", () => {
    expect(showValue("x".repeat(500), 20)).toBe(`"${"x".repeat(18)}…`);
  });

  const webhook = ["https://hooks.slack.com", "services", "T0000000", "B0000000", "XXXXXXXXXXXXXXXXXXXXXXXX"].join("/");
  test.each([
    [webhook, "a Slack webhook URL"],
    ["hooks.slack.com/services/T0/B0/x", "a Slack webhook URL"],
    ["https://example.com/path?token=1", "a URL"],
    [`xoxb-${"1234567890"}-abcdef`, "a Slack token"],
    [`AKIA${"ABCDEFGHIJKLMNOP"}`, "an AWS access key ID"],
    ["aB3dE5gH7jK9mN1pQ3sT5vW7yZ9bC1dE", "a key or token"],
  ])("never shows %s (it looks like %s)", (value, kind) => {
    expect(secretKind(value)).toBe(kind);
    expect(showValue(value)).toBe(`(not shown: it looks like ${kind}, which may be a secret)`);
    expect(showValue(["ok", value])).not.toContain(value);
  });

  test.each(["batch-ec2", "/ecs-rerun/slack-webhook", "subnet-0123456789abcdef0", "arn:aws:sns:us-east-1:123456789012:alerts", "ops@example.com"])(
    "shows %s, which looks harmless",
    (value) => {
      expect(secretKind(value)).toBeUndefined();
    },
  );
});
