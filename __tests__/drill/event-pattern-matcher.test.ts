import { readFileSync } from "node:fs";
import { join } from "node:path";
import { InvalidEventPatternError, matchesEventPattern } from "../../drill/event-pattern/event-pattern-matcher";

interface MatchRow {
  readonly name: string;
  readonly pattern: unknown;
  readonly event: unknown;
  readonly expected: boolean;
}

function matchTable(rows: MatchRow[]): void {
  test.each(rows)("$name", ({ pattern, event, expected }) => {
    expect(matchesEventPattern(pattern, event)).toBe(expected);
  });
}

// Sample events reused by several groups, copied from the documentation pages cited below.
const ec2StateChange = {
  version: "0",
  id: "6a7e8feb-b491-4cf7-a9f1-bf3703467718",
  "detail-type": "EC2 Instance State-change Notification",
  source: "aws.ec2",
  account: "111122223333",
  time: "2017-12-22T18:43:48Z",
  region: "us-west-1",
  resources: ["arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0"],
  detail: { "instance-id": "i-1234567890abcdef0", state: "terminated" },
};

const macieAlert = {
  "detail-type": "Macie Alert",
  source: "aws.macie",
  detail: { "notification-type": "ALERT_CREATED", tags: ["Custom_Alert", "Insider"], "risk-score": 80, trigger: { "alert-type": "basic", risk: 8 } },
};

// aws/event-ruler README "Ruler by Example" event (the engine behind EventBridge).
const rulerEvent = {
  "detail-type": "EC2 Instance State-change Notification",
  source: "aws.ec2",
  time: "2017-10-02T16:24:49Z",
  resources: ["arn:aws:ec2:us-east-1:123456789012:instance/i-000000aaaaaa00000"],
  detail: { "c-count": 5, "d-count": 3, "x-limit": 301.8, "source-ip": "10.0.0.33", "instance-id": "i-000000aaaaaa00000", state: "running" },
};

const withDetail = (detail: Record<string, unknown>): Record<string, unknown> => ({ source: "aws.ec2", detail });

describe("Amazon EventBridge event patterns / Event pattern syntax", () => {
  matchTable([
    {
      name: "fields are ANDed and each leaf value must match exactly",
      pattern: { source: ["aws.ec2"], "detail-type": ["EC2 Instance State-change Notification"], detail: { state: ["terminated"] } },
      event: ec2StateChange,
      expected: true,
    },
    { name: "a leaf array lists alternatives: source is aws.ec2 or aws.fargate", pattern: { source: ["aws.ec2", "aws.fargate"] }, event: ec2StateChange, expected: true },
    { name: "one non-matching field fails the whole pattern", pattern: { source: ["aws.ec2"], detail: { state: ["running"] } }, event: ec2StateChange, expected: false },
    { name: "a field named in the pattern but missing from the event does not match", pattern: { detail: { "c-count": [5] } }, event: ec2StateChange, expected: false },
    { name: "string matching is case-sensitive", pattern: { source: ["AWS.EC2"] }, event: ec2StateChange, expected: false },
    { name: "a field must appear with the same nesting as in the pattern", pattern: { state: ["terminated"] }, event: ec2StateChange, expected: false },
    { name: "nested numbers match: risk-score 80 and trigger risk 8", pattern: { source: ["aws.macie"], detail: { "risk-score": [80], trigger: { risk: [8] } } }, event: macieAlert, expected: true },
    { name: "a different nested number does not match", pattern: { detail: { trigger: { risk: [9] } } }, event: macieAlert, expected: false },
    { name: "a number does not match the same digits written as a string", pattern: { detail: { "risk-score": ["80"] } }, event: macieAlert, expected: false },
    { name: "booleans match booleans", pattern: { detail: { flag: [true] } }, event: withDetail({ flag: true }), expected: true },
    { name: "a boolean does not match the string \"true\"", pattern: { detail: { flag: [true] } }, event: withDetail({ flag: "true" }), expected: false },
    // Parsed JSON cannot keep 3.0e2 apart from 300; event-ruler also adds numeric equality for number
    // literals, although the older doc said exact matching compared number spellings.
    { name: "numbers compare numerically: 3.0e2 in a JSON pattern matches 300", pattern: '{"detail": {"x-limit": [3.0e2]}}', event: withDetail({ "x-limit": 300 }), expected: true },
    {
      name: "a pattern can be given as a JSON string",
      pattern: JSON.stringify({ source: ["aws.ec2"], detail: { state: ["terminated"] } }),
      event: ec2StateChange,
      expected: true,
    },
  ]);
});

describe("Matching null values and empty strings in Amazon EventBridge event patterns", () => {
  const event = { source: "aws.autoscaling", resources: [], detail: { eventVersion: "", responseElements: null } };
  matchTable([
    { name: "[\"\"] matches an empty string", pattern: { detail: { eventVersion: [""] } }, event, expected: true },
    { name: "[null] matches a null value", pattern: { detail: { responseElements: [null] } }, event, expected: true },
    { name: "an empty-string pattern does not match null", pattern: { detail: { responseElements: [""] } }, event, expected: false },
    { name: "a null pattern does not match an empty string", pattern: { detail: { eventVersion: [null] } }, event, expected: false },
    { name: "a null pattern does not match a missing field", pattern: { detail: { userAgent: [null] } }, event, expected: false },
  ]);
});

describe("Arrays in Amazon EventBridge event patterns", () => {
  const patternResources = {
    resources: [
      "arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f",
      "arn:aws:ec2:us-east-1:111122223333:instance/i-b188560f",
      "arn:aws:ec2:us-east-1:444455556666:instance/i-b188560f",
    ],
  };
  matchTable([
    {
      name: "an event array matches when it shares a value with the pattern array",
      pattern: patternResources,
      event: {
        resources: [
          "arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:eb56d16b-bbf0-401d-b893-d5978ed4a025:autoScalingGroupName/ASGTerminate",
          "arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f",
        ],
      },
      expected: true,
    },
    { name: "an event array with no value in common does not match", pattern: patternResources, event: { resources: ["arn:aws:ec2:us-east-1:999999999999:instance/i-b188560f"] }, expected: false },
    { name: "an empty event array matches no value", pattern: patternResources, event: { resources: [] }, expected: false },
    { name: "an operator applies to each element of an event array", pattern: { detail: { tags: [{ prefix: "Insi" }] } }, event: macieAlert, expected: true },
  ]);
});

// aws/event-ruler README, "JSON Array Matching": arrays of objects are flattened, but fields from
// different elements of the same array never combine.
describe("aws/event-ruler README: JSON Array Matching", () => {
  const employees = [
    { firstName: "John", lastName: "Doe" },
    { firstName: "Anna", lastName: "Smith" },
    { firstName: "Peter", lastName: "Jones" },
  ];
  const nested = [[employees[0], employees[1]], [employees[2]]];
  matchTable([
    { name: "a field inside an array of objects matches if any element has it", pattern: { employees: { firstName: ["Anna"] } }, event: { employees }, expected: true },
    { name: "fields of the same array element match together", pattern: { employees: { firstName: ["Anna"], lastName: ["Smith"] } }, event: { employees }, expected: true },
    { name: "fields from different elements of one array do not combine", pattern: { employees: { firstName: ["Anna"], lastName: ["Jones"] } }, event: { employees }, expected: false },
    { name: "arrays of arrays are flattened too", pattern: { employees: { firstName: ["Peter"] } }, event: { employees: nested }, expected: true },
    { name: "elements of nested arrays stay apart", pattern: { employees: { firstName: ["Anna"], lastName: ["Jones"] } }, event: { employees: nested }, expected: false },
    { name: "a field outside the array combines with any element", pattern: { team: ["core"], employees: { firstName: ["Peter"] } }, event: { team: "core", employees }, expected: true },
  ]);
});

describe("Comparison operators for use in event patterns in Amazon EventBridge: prefix and suffix", () => {
  matchTable([
    { name: "prefix matches a string that starts with it", pattern: { time: [{ prefix: "2017-10-02" }] }, event: { time: "2017-10-02T18:43:48Z" }, expected: true },
    { name: "prefix does not match a string that only contains it", pattern: { time: [{ prefix: "2017-10-02" }] }, event: { time: "X2017-10-02" }, expected: false },
    { name: "prefix only applies to strings", pattern: { detail: { count: [{ prefix: "1" }] } }, event: withDetail({ count: 12 }), expected: false },
    { name: "prefix is case-sensitive", pattern: { region: [{ prefix: "us-" }] }, event: { region: "US-EAST-1" }, expected: false },
    { name: "prefix with equals-ignore-case ignores case", pattern: { service: [{ prefix: { "equals-ignore-case": "eventb" } }] }, event: { service: "EventBridge" }, expected: true },
    { name: "prefix with equals-ignore-case still needs the prefix", pattern: { service: [{ prefix: { "equals-ignore-case": "eventb" } }] }, event: { service: "Lambda" }, expected: false },
    { name: "suffix matches a string that ends with it", pattern: { FileName: [{ suffix: ".png" }] }, event: { FileName: "image.png" }, expected: true },
    { name: "suffix is case-sensitive", pattern: { FileName: [{ suffix: ".png" }] }, event: { FileName: "image.PNG" }, expected: false },
    { name: "suffix with equals-ignore-case ignores case", pattern: { service: [{ suffix: { "equals-ignore-case": "tBridge" } }] }, event: { service: "EVENTBRIDGE" }, expected: true },
    // localstack/localstack#12147 (checked against AWS): an empty prefix matches every string.
    { name: "an empty prefix matches any string", pattern: { source: [{ prefix: "" }] }, event: { source: "my.app" }, expected: true },
  ]);
});

describe("Comparison operators for use in event patterns in Amazon EventBridge: equals-ignore-case and wildcard", () => {
  matchTable([
    { name: "equals-ignore-case matches any casing", pattern: { Name: [{ "equals-ignore-case": "alice" }] }, event: { Name: "ALICE" }, expected: true },
    { name: "equals-ignore-case needs the whole string", pattern: { Name: [{ "equals-ignore-case": "alice" }] }, event: { Name: "Alicia" }, expected: false },
    { name: "wildcard * matches any run of characters", pattern: { FilePath: [{ wildcard: "*/lib/*" }] }, event: { FilePath: "/usr/lib/app.jar" }, expected: true },
    { name: "wildcard must match the whole string", pattern: { FilePath: [{ wildcard: "*/lib/*" }] }, event: { FilePath: "/usr/bin/app" }, expected: false },
    { name: "wildcard * also matches an empty run", pattern: { FilePath: [{ wildcard: "dir/*.png" }] }, event: { FilePath: "dir/.png" }, expected: true },
    { name: "an escaped \\* matches a literal star", pattern: { name: [{ wildcard: "a\\*b" }] }, event: { name: "a*b" }, expected: true },
    { name: "an escaped \\* is not a wildcard", pattern: { name: [{ wildcard: "a\\*b" }] }, event: { name: "axb" }, expected: false },
    { name: "wildcard only applies to strings", pattern: { detail: { count: [{ wildcard: "*" }] } }, event: withDetail({ count: 1 }), expected: false },
  ]);
});

describe("Content filtering in Amazon EventBridge event patterns: anything-but", () => {
  matchTable([
    { name: "anything-but a string matches another string", pattern: { detail: { state: [{ "anything-but": "initializing" }] } }, event: withDetail({ state: "running" }), expected: true },
    { name: "anything-but a string does not match that string", pattern: { detail: { state: [{ "anything-but": "initializing" }] } }, event: withDetail({ state: "initializing" }), expected: false },
    { name: "anything-but a number matches another number", pattern: { detail: { "x-limit": [{ "anything-but": 123 }] } }, event: withDetail({ "x-limit": 456 }), expected: true },
    { name: "anything-but a number does not match that number", pattern: { detail: { "x-limit": [{ "anything-but": 123 }] } }, event: withDetail({ "x-limit": 123 }), expected: false },
    { name: "anything-but a list of strings matches a string outside it", pattern: { detail: { state: [{ "anything-but": ["stopped", "overloaded"] }] } }, event: withDetail({ state: "running" }), expected: true },
    { name: "anything-but a list of strings does not match a listed string", pattern: { detail: { state: [{ "anything-but": ["stopped", "overloaded"] }] } }, event: withDetail({ state: "stopped" }), expected: false },
    { name: "anything-but a list of numbers matches a number outside it", pattern: { detail: { "x-limit": [{ "anything-but": [100, 200, 300] }] } }, event: rulerEvent, expected: true },
    { name: "anything-but a list of numbers does not match a listed number", pattern: { detail: { "x-limit": [{ "anything-but": [100, 200, 300] }] } }, event: withDetail({ "x-limit": 200 }), expected: false },
    { name: "anything-but prefix matches a string without the prefix", pattern: { detail: { state: [{ "anything-but": { prefix: "init" } }] } }, event: withDetail({ state: "running" }), expected: true },
    { name: "anything-but prefix does not match a string with the prefix", pattern: { detail: { state: [{ "anything-but": { prefix: "init" } }] } }, event: withDetail({ state: "initializing" }), expected: false },
    { name: "anything-but suffix does not match a string with the suffix", pattern: { FileName: [{ "anything-but": { suffix: ".png" } }] }, event: { FileName: "a.png" }, expected: false },
    { name: "anything-but suffix matches a string without the suffix", pattern: { FileName: [{ "anything-but": { suffix: ".png" } }] }, event: { FileName: "a.jpg" }, expected: true },
    { name: "anything-but equals-ignore-case rejects every casing", pattern: { state: [{ "anything-but": { "equals-ignore-case": "initializing" } }] }, event: { state: "INITIALIZING" }, expected: false },
    { name: "anything-but equals-ignore-case matches other strings", pattern: { state: [{ "anything-but": { "equals-ignore-case": "initializing" } }] }, event: { state: "running" }, expected: true },
    { name: "anything-but wildcard rejects a matching path", pattern: { FilePath: [{ "anything-but": { wildcard: "*/lib/*" } }] }, event: { FilePath: "/usr/lib/a.jar" }, expected: false },
    { name: "anything-but wildcard matches a non-matching path", pattern: { FilePath: [{ "anything-but": { wildcard: "*/lib/*" } }] }, event: { FilePath: "/usr/bin/a" }, expected: true },
    { name: "anything-but on an event array matches if any element is not excluded", pattern: { detail: { state: [{ "anything-but": "stopped" }] } }, event: withDetail({ state: ["stopped", "running"] }), expected: true },
    { name: "anything-but on an event array fails if every element is excluded", pattern: { detail: { state: [{ "anything-but": "stopped" }] } }, event: withDetail({ state: ["stopped"] }), expected: false },
    // localstack/localstack#13268 and #9711 (both checked against AWS): a missing field has no value to
    // compare, while an explicit null is a value other than the excluded one.
    { name: "anything-but does not match a missing field", pattern: { detail: { state: [{ "anything-but": "initializing" }] } }, event: withDetail({}), expected: false },
    { name: "anything-but matches a null field", pattern: { detail: { command: [{ "anything-but": ["no-message"] }] } }, event: withDetail({ command: null }), expected: true },
  ]);
});

describe("Content filtering in Amazon EventBridge event patterns: numeric", () => {
  const numericPattern = { detail: { "c-count": [{ numeric: [">", 0, "<=", 5] }], "d-count": [{ numeric: ["<", 10] }], "x-limit": [{ numeric: ["=", 3.018e2] }] } };
  matchTable([
    { name: "numeric matches when every range holds", pattern: numericPattern, event: rulerEvent, expected: true },
    { name: "a > bound is exclusive", pattern: { detail: { "c-count": [{ numeric: [">", 0, "<=", 5] }] } }, event: withDetail({ "c-count": 0 }), expected: false },
    { name: "a <= bound is inclusive", pattern: { detail: { "c-count": [{ numeric: [">", 0, "<=", 5] }] } }, event: withDetail({ "c-count": 5 }), expected: true },
    { name: "a value above the range does not match", pattern: { detail: { "c-count": [{ numeric: [">", 0, "<=", 5] }] } }, event: withDetail({ "c-count": 6 }), expected: false },
    { name: "a < bound is exclusive", pattern: { detail: { "d-count": [{ numeric: ["<", 10] }] } }, event: withDetail({ "d-count": 10 }), expected: false },
    { name: "a >= bound is inclusive", pattern: { detail: { size: [{ numeric: [">=", 1024] }] } }, event: withDetail({ size: 1024 }), expected: true },
    { name: "numeric = compares values, not spellings", pattern: '{"detail": {"x-limit": [{"numeric": ["=", 3.018e2]}]}}', event: withDetail({ "x-limit": 301.8 }), expected: true },
    { name: "numeric only applies to JSON numbers, not numeric strings", pattern: { detail: { "c-count": [{ numeric: [">", 0] }] } }, event: withDetail({ "c-count": "5" }), expected: false },
  ]);
});

describe("Content filtering in Amazon EventBridge event patterns: IP address matching", () => {
  matchTable([
    { name: "cidr matches an address inside the block", pattern: { detail: { sourceIPAddress: [{ cidr: "10.0.0.0/24" }] } }, event: withDetail({ sourceIPAddress: "10.0.0.255" }), expected: true },
    { name: "cidr does not match an address outside the block", pattern: { detail: { sourceIPAddress: [{ cidr: "10.0.0.0/24" }] } }, event: withDetail({ sourceIPAddress: "10.0.1.0" }), expected: false },
    { name: "cidr does not match a string that is not an IP address", pattern: { detail: { sourceIPAddress: [{ cidr: "10.0.0.0/24" }] } }, event: withDetail({ sourceIPAddress: "events.amazonaws.com" }), expected: false },
    { name: "cidr also works for IPv6", pattern: { detail: { sourceIPAddress: [{ cidr: "2001:db8::/32" }] } }, event: withDetail({ sourceIPAddress: "2001:db8::1" }), expected: true },
  ]);
});

describe("Content filtering in Amazon EventBridge event patterns: exists", () => {
  const stateArray = { "detail-type": "EC2 Instance State-change Notification", detail: { state: ["initializing", "running"] } };
  const cCountObject = { detail: { state: ["initializing", "running"], "c-count": { c1: 100 } } };
  matchTable([
    { name: "exists false matches an event without the field", pattern: { detail: { "c-count": [{ exists: false }] } }, event: stateArray, expected: true },
    { name: "exists false matches a field holding an object, which is not a leaf", pattern: { detail: { "c-count": [{ exists: false }] } }, event: cCountObject, expected: true },
    { name: "exists true matches an event with the field", pattern: { detail: { state: [{ exists: true }] } }, event: ec2StateChange, expected: true },
    { name: "exists true does not match an event without the field", pattern: { detail: { state: [{ exists: true }] } }, event: { detail: { "c-count": { c1: 100 } } }, expected: false },
    // awsdocs/amazon-eventbridge-user-guide#27: an object-valued field is not a leaf, so it does not "exist".
    { name: "exists true does not match a field holding an object", pattern: { detail: { "c-count": [{ exists: true }] } }, event: cCountObject, expected: false },
    { name: "exists true matches a null field: null is a value", pattern: { detail: { responseElements: [{ exists: true }] } }, event: withDetail({ responseElements: null }), expected: true },
    { name: "exists false does not match a null field", pattern: { detail: { responseElements: [{ exists: false }] } }, event: withDetail({ responseElements: null }), expected: false },
    // An empty array holds no value to match, so it counts as a missing field.
    { name: "exists true does not match an empty array", pattern: { detail: { tags: [{ exists: true }] } }, event: withDetail({ tags: [] }), expected: false },
    { name: "exists false matches an empty array", pattern: { detail: { tags: [{ exists: false }] } }, event: withDetail({ tags: [] }), expected: true },
    { name: "exists false matches an empty object", pattern: { detail: { tags: [{ exists: false }] } }, event: withDetail({ tags: {} }), expected: true },
    { name: "exists false does not match when any element of an array has the field", pattern: { detail: { items: { id: [{ exists: false }] } } }, event: withDetail({ items: [{ name: "a" }, { id: 1 }] }), expected: false },
    { name: "exists true matches when any element of an array has the field", pattern: { detail: { items: { id: [{ exists: true }] } } }, event: withDetail({ items: [{ name: "a" }, { id: 1 }] }), expected: true },
  ]);
});

// Several matchers in one leaf array are alternatives. The docs do not say exists can be mixed with
// other matchers; event-ruler's rule compiler accepts it and ORs it with the rest.
describe("Several matchers in one leaf are OR'ed (aws/event-ruler rule compiler)", () => {
  const pattern = { detail: { state: [{ "anything-but": "x" }, { exists: false }] } };
  matchTable([
    { name: "[anything-but x, exists false] matches a missing field", pattern, event: withDetail({}), expected: true },
    { name: "[anything-but x, exists false] matches a field other than x", pattern, event: withDetail({ state: "y" }), expected: true },
    { name: "[anything-but x, exists false] does not match x", pattern, event: withDetail({ state: "x" }), expected: false },
    { name: "an exact value and a prefix in one leaf are alternatives", pattern: { region: ["eu-west-1", { prefix: "us-" }] }, event: { region: "us-east-2" }, expected: true },
  ]);
});

// "$or" examples from "Comparison operators for use in event patterns in Amazon EventBridge" and
// the aws/event-ruler README ("The $or Primitive").
describe("Comparison operators for use in event patterns in Amazon EventBridge: $or", () => {
  const locationOrDay = { $or: [{ Location: ["New York"] }, { Day: ["Monday"] }] };
  const sourceAndOr = { source: ["aws.cloudwatch"], $or: [{ metricName: ["CPUUtilization", "ReadLatency"] }, { namespace: ["AWS/EC2", "AWS/ES"] }] };
  const nestedOr = {
    source: ["aws.cloudwatch"],
    $or: [
      { metricName: ["CPUUtilization", "ReadLatency"] },
      { metricType: ["MetricType"], namespace: ["AWS/EC2", "AWS/ES"], $or: [{ metricId: [1234] }, { spaceId: [1000] }] },
      { scope: ["Service"] },
    ],
  };
  const parallelOr = {
    $or: [{ metricName: ["CPUUtilization"] }, { namespace: ["AWS/EC2"] }],
    detail: { $or: [{ source: ["aws.cloudwatch"] }, { "detail-type": ["CloudWatch Alarm State Change"] }] },
  };
  matchTable([
    { name: "$or matches when one alternative matches", pattern: locationOrDay, event: { Location: "Paris", Day: "Monday" }, expected: true },
    { name: "$or does not match when no alternative matches", pattern: locationOrDay, event: { Location: "Paris", Day: "Tuesday" }, expected: false },
    { name: "$or is ANDed with its sibling fields", pattern: sourceAndOr, event: { source: "aws.cloudwatch", namespace: "AWS/EC2" }, expected: true },
    { name: "$or does not rescue a failing sibling field", pattern: sourceAndOr, event: { source: "aws.ec2", namespace: "AWS/EC2" }, expected: false },
    { name: "an $or alternative may AND several fields and nest another $or", pattern: nestedOr, event: { source: "aws.cloudwatch", metricType: "MetricType", namespace: "AWS/ES", spaceId: 1000 }, expected: true },
    { name: "a nested $or must still be satisfied", pattern: nestedOr, event: { source: "aws.cloudwatch", metricType: "MetricType", namespace: "AWS/ES", spaceId: 1 }, expected: false },
    { name: "$or inside a nested object applies at that level", pattern: parallelOr, event: { namespace: "AWS/EC2", detail: { "detail-type": "CloudWatch Alarm State Change" } }, expected: true },
    { name: "parallel $or blocks must each be satisfied", pattern: parallelOr, event: { namespace: "AWS/EC2", detail: { source: "aws.ec2" } }, expected: false },
  ]);
});

describe("Content filtering in Amazon EventBridge event patterns: repeated keys", () => {
  // The doc's note: when a key appears twice, only the last one is used.
  const pattern = '{"detail": {"location": [{"prefix": "us-"}], "location": [{"anything-but": "us-east"}]}}';
  matchTable([
    { name: "the last of two identical keys wins", pattern, event: withDetail({ location: "eu-west" }), expected: true },
    { name: "the last of two identical keys still applies", pattern, event: withDetail({ location: "us-east" }), expected: false },
  ]);
});

interface InvalidRow {
  readonly name: string;
  readonly pattern: unknown;
  readonly path: string;
}

// Patterns PutRule rejects ("Event pattern is not valid"), following the documented syntax and the
// checks of aws/event-ruler's JsonRuleCompiler.
describe("invalid event patterns throw InvalidEventPatternError naming the path", () => {
  const rows: InvalidRow[] = [
    { name: "a pattern that is not an object", pattern: ["aws.ec2"], path: "" },
    { name: "a JSON string that does not parse", pattern: '{"source": [', path: "" },
    { name: "a leaf that is not an array", pattern: { source: "aws.ecs" }, path: "source" },
    { name: "an empty leaf array", pattern: { detail: { state: [] } }, path: "detail.state" },
    { name: "an empty object", pattern: { detail: {} }, path: "detail" },
    { name: "an array inside a leaf array", pattern: { source: [["aws.ecs"]] }, path: "source[0]" },
    { name: "an unknown operator", pattern: { detail: { state: [{ foo: 1 }] } }, path: "detail.state[0]" },
    { name: "two operators in one match expression", pattern: { name: [{ prefix: "a", suffix: "b" }] }, path: "name[0]" },
    { name: "an empty match expression", pattern: { name: [{}] }, path: "name[0]" },
    { name: "prefix with a number", pattern: { name: [{ prefix: 1 }] }, path: "name[0].prefix" },
    { name: "prefix with an unknown inner operator", pattern: { name: [{ prefix: { wildcard: "a*" } }] }, path: "name[0].prefix" },
    { name: "equals-ignore-case with a list", pattern: { name: [{ "equals-ignore-case": ["a"] }] }, path: "name[0].equals-ignore-case" },
    { name: "anything-but with an empty list", pattern: { state: [{ "anything-but": [] }] }, path: "state[0].anything-but" },
    { name: "anything-but with a mixed list", pattern: { state: [{ "anything-but": ["a", 1] }] }, path: "state[0].anything-but" },
    { name: "anything-but with null", pattern: { state: [{ "anything-but": null }] }, path: "state[0].anything-but" },
    { name: "anything-but with a list of prefixes", pattern: { state: [{ "anything-but": { prefix: ["a", "b"] } }] }, path: "state[0].anything-but.prefix" },
    { name: "anything-but with an empty prefix", pattern: { state: [{ "anything-but": { prefix: "" } }] }, path: "state[0].anything-but.prefix" },
    { name: "anything-but with numeric", pattern: { state: [{ "anything-but": { numeric: [">", 1] } }] }, path: "state[0].anything-but" },
    { name: "numeric that is not an array", pattern: { n: [{ numeric: 5 }] }, path: "n[0].numeric" },
    { name: "numeric with only an operator", pattern: { n: [{ numeric: [">"] }] }, path: "n[0].numeric" },
    { name: "numeric with an unknown operator", pattern: { n: [{ numeric: ["!=", 1] }] }, path: "n[0].numeric" },
    { name: "numeric with a string operand", pattern: { n: [{ numeric: [">", "1"] }] }, path: "n[0].numeric" },
    { name: "numeric range starting with an upper bound", pattern: { n: [{ numeric: ["<", 5, ">", 0] }] }, path: "n[0].numeric" },
    { name: "numeric range whose bottom is not below its top", pattern: { n: [{ numeric: [">", 5, "<", 5] }] }, path: "n[0].numeric" },
    { name: "numeric with too many terms", pattern: { n: [{ numeric: [">", 0, "<", 5, "<", 9] }] }, path: "n[0].numeric" },
    { name: "exists with a string", pattern: { n: [{ exists: "true" }] }, path: "n[0].exists" },
    { name: "wildcard with consecutive stars", pattern: { n: [{ wildcard: "a**b" }] }, path: "n[0].wildcard" },
    { name: "wildcard escaping a plain character", pattern: { n: [{ wildcard: "a\\b" }] }, path: "n[0].wildcard" },
    { name: "cidr without a prefix length", pattern: { ip: [{ cidr: "10.0.0.0" }] }, path: "ip[0].cidr" },
    { name: "cidr with an octet above 255", pattern: { ip: [{ cidr: "10.0.0.300/24" }] }, path: "ip[0].cidr" },
    { name: "cidr with a prefix length above 32", pattern: { ip: [{ cidr: "10.0.0.0/33" }] }, path: "ip[0].cidr" },
    { name: "$or that is not an array", pattern: { $or: { a: ["x"] } }, path: "$or" },
    { name: "$or with a single object", pattern: { detail: { $or: [{ a: ["x"] }] } }, path: "detail.$or" },
    { name: "$or with a non-object alternative", pattern: { $or: [{ a: ["x"] }, ["b"]] }, path: "$or" },
    { name: "an operator name used as a field inside $or", pattern: { $or: [{ prefix: ["x"] }, { b: ["y"] }] }, path: "prefix" },
  ];
  test.each(rows)("rejects $name", ({ pattern, path }) => {
    let thrown: unknown;
    try {
      matchesEventPattern(pattern, {});
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(InvalidEventPatternError);
    expect((thrown as InvalidEventPatternError).path).toBe(path);
    expect((thrown as Error).message).toContain(`at ${path === "" ? "(root)" : path}:`);
  });

  test("the error message names the offending path and value", () => {
    expect(() => matchesEventPattern({ detail: { state: [{ foo: 1 }] } }, {})).toThrow(
      'Invalid event pattern at detail.state[0]: unknown operator "foo"; got {"foo":1}',
    );
  });
});

// Constructed CloudTrail RunTask events, copied from ../shared/events (see its README.md).
describe("the shared constructed CloudTrail RunTask events", () => {
  const eventsDir = join(__dirname, "..", "..", "drill", "events");
  const load = (file: string): unknown => JSON.parse(readFileSync(join(eventsDir, file), "utf8")) as unknown;
  const ruleFailure = load("constructed__runtask-failure-AGENT__eventbridge-rule.json");
  const sfnFailure = load("constructed__runtask-failure-AGENT__step-functions-startedBy.json");
  const ruleSuccess = load("constructed__runtask-success-empty-failures__eventbridge-rule.json");

  const failureReasonExists = { detail: { responseElements: { failures: { reason: [{ exists: true }] } } } };
  const failedRuleLaunch = {
    source: ["aws.ecs"],
    "detail-type": ["AWS API Call via CloudTrail"],
    detail: {
      eventSource: ["ecs.amazonaws.com"],
      eventName: ["RunTask"],
      requestParameters: { startedBy: [{ prefix: "events-rule/" }] },
      responseElements: { failures: { reason: [{ exists: true }] } },
    },
  };
  const noFailures = { detail: { responseElements: { failures: { reason: [{ exists: false }] } } } };
  const containerOverride = { detail: { requestParameters: { overrides: { containerOverrides: { name: ["app"], command: ["report:nightly"] } } } } };

  matchTable([
    { name: "failures.reason exists matches the AGENT failure", pattern: failureReasonExists, event: ruleFailure, expected: true },
    { name: "failures.reason exists does not match failures: []", pattern: failureReasonExists, event: ruleSuccess, expected: false },
    { name: "exists false on failures.reason matches failures: []", pattern: noFailures, event: ruleSuccess, expected: true },
    { name: "exists false on failures.reason does not match the AGENT failure", pattern: noFailures, event: ruleFailure, expected: false },
    { name: "a failed rule-started RunTask matches the full rule", pattern: failedRuleLaunch, event: ruleFailure, expected: true },
    { name: "a Step Functions launch fails the startedBy prefix", pattern: failedRuleLaunch, event: sfnFailure, expected: false },
    { name: "a successful launch fails the failures check", pattern: failedRuleLaunch, event: ruleSuccess, expected: false },
    { name: "anything-but on invokedBy excludes Step Functions", pattern: { detail: { userIdentity: { invokedBy: [{ "anything-but": "states.amazonaws.com" }] } } }, event: sfnFailure, expected: false },
    { name: "numeric = 1 matches requestParameters.count", pattern: { detail: { requestParameters: { count: [{ numeric: ["=", 1] }] } } }, event: ruleFailure, expected: true },
    { name: "a container override's name and command match within one element", pattern: containerOverride, event: ruleFailure, expected: true },
    { name: "an empty object such as webIdFederationData counts as missing", pattern: { detail: { userIdentity: { sessionContext: { webIdFederationData: [{ exists: false }] } } } }, event: ruleFailure, expected: true },
    { name: "reason AGENT matches inside the failures array", pattern: { detail: { responseElements: { failures: { reason: ["AGENT"] } } } }, event: ruleFailure, expected: true },
  ]);
});
