// The readers of setting values and their helpers, pinned with literal answers (issue 23): what each
// kind of value accepts from each source, and the exact problem it names otherwise.
import { cidrProblem } from "../../modules/settings/cidr";
import { editDistance, nameKey, nearestName } from "../../modules/settings/nearest-name";
import { secretIn, secretKind, showValue } from "../../modules/settings/show-value";
import { fieldProblem, flag, list, number, numberOneOf, objects, oneOf, pattern, stringMap, text, typeOf } from "../../modules/settings/setting-types";

const NAME = pattern(/^[a-z]+$/, "lower-case letters", 5);

describe("helpers", () => {
  it("names a value's type", () => {
    expect([typeOf(null), typeOf([1]), typeOf({}), typeOf(1), typeOf("x"), typeOf(true), typeOf(undefined)]).toEqual(["null", "a list", "an object", "a number", "a string", "a boolean", "a undefined"]);
  });

  it("a pattern rule tests the pattern and the length", () => {
    expect([NAME.test("abcde"), NAME.test("abcdef"), NAME.test("ab1"), pattern("^x+$", "x").test("xxxxxxxxxxxxxxxxxxxx")]).toEqual([true, false, false, true]);
  });

  it("CIDR blocks", () => {
    expect(cidrProblem("10.42.0.0/16")).toBeUndefined();
    expect(cidrProblem("0.0.0.0/0")).toBeUndefined();
    expect(cidrProblem("255.255.255.255/32")).toBeUndefined();
    expect(cidrProblem("10.42.0.0")).toBe("expected an IPv4 CIDR block such as 10.42.0.0/16");
    expect(cidrProblem("10.256.0.0/16")).toBe("octet 256 is not a number from 0 to 255 (without leading zeros)");
    expect(cidrProblem("10.01.0.0/16")).toBe("octet 01 is not a number from 0 to 255 (without leading zeros)");
    expect(cidrProblem("10.0.0.0/08")).toBe("prefix /08 has a leading zero");
    expect(cidrProblem("10.0.0.0/33")).toBe("prefix /33 is outside /0 to /32");
    expect(cidrProblem("10.0.0.0/15", 16, 28)).toBe("prefix /15 is outside /16 to /28");
    expect(cidrProblem("10.0.0.0/29", 16, 28)).toBe("prefix /29 is outside /16 to /28");
    expect(cidrProblem("10.0.0.0/16", 16, 28)).toBeUndefined();
    expect(cidrProblem("10.0.0.0/28", 16, 28)).toBeUndefined();
    expect(cidrProblem("10.42.7.5/16")).toBe("host bits are set; the network address of that block is 10.42.0.0/16");
    expect(cidrProblem("192.168.1.130/25")).toBe("host bits are set; the network address of that block is 192.168.1.128/25");
  });

  it("edit distance and the nearest name", () => {
    expect([editDistance("", "abc"), editDistance("kitten", "sitting"), editDistance("abc", "abc"), editDistance("abc", "")]).toEqual([3, 3, 0, 3]);
    expect(nameKey("ECS_RERUN_Cluster-Name")).toBe("ecsrerunclustername");
    expect(nearestName("ECS_RERUN_CLUSTERNAME", ["ECS_RERUN_REGION", "ECS_RERUN_CLUSTER_NAME"])).toBe("ECS_RERUN_CLUSTER_NAME");
    expect(nearestName("ab", ["ax", "zz"])).toBe("ax");
    expect(nearestName("abc", ["xyz"])).toBeUndefined();
    expect(nearestName("abcdef", ["abxxef"])).toBe("abxxef"); // 2 edits in 6 characters
    expect(nearestName("abcdef", ["axxxef"])).toBeUndefined(); // 3 edits
    expect(nearestName("slackwebhook", ["slackwebhookparameter", "region"])).toBe("slackwebhookparameter");
    expect(nearestName("abc", ["abcdefghijk"])).toBeUndefined(); // too short to be a name cut short
    expect(nearestName("abcd", ["abcdefghijk"])).toBe("abcdefghijk");
  });

  it("secrets are recognised and never shown", () => {
    expect(secretKind("https://hooks.slack.com/services/T0/B0/x")).toBe("a Slack webhook URL");
    expect(secretKind("https://example.com")).toBe("a URL");
    expect(secretKind("xoxb-123-abc")).toBe("a Slack token");
    expect(secretKind("AKIAABCDEFGHIJKLMNOP")).toBe("an AWS access key ID");
    expect(secretKind("eyJhbGciOi.eyJzdWIi.sig")).toBe("a token");
    expect(secretKind("aB3" + "x".repeat(29))).toBe("a key or token");
    expect(secretKind("aB3" + "x".repeat(28))).toBeUndefined();
    expect(secretKind("ab3" + "x".repeat(29))).toBeUndefined();
    expect(secretKind("AB3" + "X".repeat(29))).toBeUndefined();
    expect(secretKind("aBc" + "x".repeat(29))).toBeUndefined();
    expect(secretKind("batch-ec2")).toBeUndefined();
    expect(secretIn(["a", { k: "xoxp-1" }])).toBe("a Slack token");
    expect(secretIn({ a: 1 })).toBeUndefined();
    expect(secretIn(5)).toBeUndefined();
    expect(showValue("xoxb-1")).toBe("(not shown: it looks like a Slack token, which may be a secret)");
    expect([showValue(NaN), showValue("x"), showValue(["a", 1]), showValue({ a: [true, null] }), showValue(undefined)]).toEqual(["NaN", '"x"', '["a",1]', '{"a":[true,null]}', "undefined"]);
    expect(showValue("abcdefghij", 5)).toBe('"abc…');
    expect(showValue("abc", 5)).toBe('"abc"');
  });
});

describe("one string", () => {
  const t = text(NAME);
  it("reads a string that follows the rule, and names the problem otherwise", () => {
    expect(t.read("abc", "env")).toEqual({ value: "abc" });
    expect(t.read("ABC", "env")).toEqual({ problem: "expected lower-case letters" });
    expect(t.read(5, "context")).toEqual({ problem: "this is a number, expected one string: lower-case letters" });
    expect(t.read("https://x.y", "file")).toEqual({ secret: "a URL" });
    expect(oneOf(["a", "b"]).read("c", "env")).toEqual({ problem: "expected one of a, b" });
    expect(oneOf(["a", "b"]).read("b", "env")).toEqual({ value: "b" });
  });
});

describe("a list of strings", () => {
  const l = list(NAME, { min: 2 });
  it("reads comma-separated text or a JSON array from a variable or context, an array from the file", () => {
    expect(l.read(" a , b ,", "env")).toEqual({ value: ["a", "b"] });
    expect(l.read('["a","b"]', "context")).toEqual({ value: ["a", "b"] });
    expect(l.read([" a", "b "], "file")).toEqual({ value: ["a", "b"] });
    expect(list(NAME).read("a", "env")).toEqual({ value: ["a"] });
  });

  it("names each problem", () => {
    expect(l.read("[oops", "env")).toEqual({ problem: "expected a comma-separated list or a JSON array of strings, each lower-case letters" });
    expect(l.read('["a"', "context")).toEqual({ problem: "expected a comma-separated list or a JSON array of strings, each lower-case letters" });
    expect(l.read('{"a":1}', "env")).toEqual({ problem: "expected lower-case letters" }); // one item, not JSON
    expect(l.read(" , ,", "env")).toEqual({ problem: "names nothing (only commas and spaces); expected a list of strings, each lower-case letters" });
    expect(l.read(["a", 3], "file")).toEqual({ problem: "item 2 is a number; expected a list of strings, each lower-case letters" });
    expect(l.read(["a", ""], "file")).toEqual({ problem: "item 2 is a string (empty); expected a list of strings, each lower-case letters" });
    expect(l.read(["a", "  "], "file")).toEqual({ problem: "item 2 is a string; expected a list of strings, each lower-case letters" });
    expect(l.read("a,b", "file")).toEqual({ problem: "this is a string, expected a list of strings: lower-case letters" });
    expect(l.read(7, "context")).toEqual({ problem: "this is a number, expected a list of strings (a JSON array, or one comma-separated string): lower-case letters" });
    expect(l.read("a,B", "env")).toEqual({ problem: '"B" is not lower-case letters' });
    expect(l.read("B", "env")).toEqual({ problem: "expected lower-case letters" });
    expect(l.read("a", "env")).toEqual({ problem: "expected at least 2 items, each lower-case letters" });
    expect(list(NAME, { min: 1 }).read([], "file")).toEqual({ problem: "expected at least 1 item, each lower-case letters" });
    expect(l.read("a,xoxb-1", "env")).toEqual({ secret: "a Slack token" });
  });
});

describe("numbers", () => {
  const n = number({ min: 1, max: 10 }, "attempts");
  it("reads text from a variable or context and a number from context or the file", () => {
    expect(n.allowed).toBe("a whole number of attempts from 1 to 10");
    expect(n.read(" 3 ", "env")).toEqual({ value: 3 });
    expect(n.read(3, "context")).toEqual({ value: 3 });
    expect(n.read(10, "file")).toEqual({ value: 10 });
    expect(n.read(1, "file")).toEqual({ value: 1 });
  });

  it("names each problem", () => {
    expect(n.read(3, "env")).toEqual({ problem: "this is a number, expected a whole number of attempts from 1 to 10" });
    expect(n.read("3", "file")).toEqual({ problem: "this is a string, expected a whole number of attempts from 1 to 10" });
    expect(n.read("3.5", "env")).toEqual({ problem: "expected a whole number of attempts from 1 to 10" });
    expect(n.read("1234567890", "env")).toEqual({ problem: "expected a whole number of attempts from 1 to 10" });
    expect(n.read(11, "file")).toEqual({ problem: "expected a whole number of attempts from 1 to 10" });
    expect(n.read(0, "file")).toEqual({ problem: "expected a whole number of attempts from 1 to 10" });
    expect(n.read(2.5, "file")).toEqual({ problem: "expected a whole number of attempts from 1 to 10" });
    expect(n.read(NaN, "file")).toEqual({ problem: "expected a whole number of attempts from 1 to 10" });
  });

  it("decimals, zero for off, and one of a few", () => {
    const d = number({ min: 0, max: 5 }, "", { decimals: true });
    expect(d.allowed).toBe("a number from 0 to 5");
    expect(d.read("2.5", "env")).toEqual({ value: 2.5 });
    expect(d.read("-0.5", "env")).toEqual({ problem: "expected a number from 0 to 5" });
    expect(d.read("2.1234567", "env")).toEqual({ problem: "expected a number from 0 to 5" });
    expect(number({ min: 0, max: 60 }, "seconds", { orZero: "to turn it off" }).allowed).toBe("a whole number of seconds from 1 to 60, or 0 to turn it off");
    expect(number({ min: 5, max: 60 }, "seconds", { orZero: "(off)" }).allowed).toBe("a whole number of seconds from 5 to 60, or 0 (off)");
    const r = numberOneOf([1, 7, 30], "days");
    expect(r.allowed).toBe("one of 1, 7, 30 (days)");
    expect(r.read("7", "env")).toEqual({ value: 7 });
    expect(r.read(8, "file")).toEqual({ problem: "expected one of 1, 7, 30 (days)" });
    expect(r.read("x", "env")).toEqual({ problem: "expected one of 1, 7, 30 (days)" });
    expect(r.read(true, "file")).toEqual({ problem: "this is a boolean, expected one of 1, 7, 30 (days)" });
  });
});

describe("true or false", () => {
  const f = flag();
  it("words in a variable or context, the value in context or the file", () => {
    expect([f.read("true", "env"), f.read("false", "context"), f.read(true, "file"), f.read(false, "context")]).toEqual([{ value: true }, { value: false }, { value: true }, { value: false }]);
    expect(f.read("yes", "env")).toEqual({ problem: "expected true or false" });
    expect(f.read(true, "env")).toEqual({ problem: "this is a boolean, expected true or false" });
    expect(f.read("true", "file")).toEqual({ problem: "this is a string, expected true or false" });
    expect(f.read(1, "context")).toEqual({ problem: "this is a number, expected true or false" });
  });
});

describe("a map of strings", () => {
  const m = stringMap(pattern(/^[A-Za-z]+$/, "letters"), pattern(/^[a-z0-9]*$/, "lower-case letters and digits"), 2);
  it("reads Key=Value pairs or a JSON object from text, an object from context or the file", () => {
    expect(m.read(" team = data , tier=b1 ", "env")).toEqual({ value: { team: "data", tier: "b1" } });
    expect(m.read('{"team":"data"}', "context")).toEqual({ value: { team: "data" } });
    expect(m.read({ team: "" }, "file")).toEqual({ value: { team: "" } });
    expect(m.read("team=a=b", "env")).toEqual({ problem: 'the value of "team" is not lower-case letters and digits' });
  });

  it("names each problem", () => {
    const allowed = "keys letters, values lower-case letters and digits";
    expect(m.read("team", "env")).toEqual({ problem: `expected Key=Value pairs separated by commas (or a JSON object): ${allowed}` });
    expect(m.read(" , ", "env")).toEqual({ problem: `expected Key=Value pairs separated by commas (or a JSON object): ${allowed}` });
    expect(m.read("{bad json", "env")).toEqual({ problem: `expected Key=Value pairs separated by commas (or a JSON object): ${allowed}` });
    expect(m.read("a=1,b", "env")).toEqual({ problem: `expected Key=Value pairs separated by commas (or a JSON object): ${allowed}` });
    expect(m.read(["a"], "file")).toEqual({ problem: `this is a list, expected an object of strings: ${allowed}` });
    expect(m.read("a=1", "file")).toEqual({ problem: `this is a string, expected an object of strings: ${allowed}` });
    expect(m.read(null, "context")).toEqual({ problem: `this is null, expected an object of strings: ${allowed}` });
    expect(m.read("a=1,b=2,c=3", "env")).toEqual({ problem: "holds 3 entries, expected at most 2" });
    expect(m.read("a1=1", "env")).toEqual({ problem: 'key "a1" is not letters' });
    expect(m.read({ a: 1 }, "file")).toEqual({ problem: '"a" is a number, expected a string: lower-case letters and digits' });
    expect(m.read("a=https://x.y", "env")).toEqual({ secret: "a URL" });
    expect(m.spelling).toBe("Key=Value,Key2=Value2 or a JSON object");
  });
});

describe("objects and their fields", () => {
  const fields = { name: { kind: "string", required: true }, every: { kind: "number" }, on: { kind: "boolean" }, tags: { kind: "strings" }, env: { kind: "record" } } as const;

  it("names a field that is no field, of the wrong kind, or missing", () => {
    expect(fieldProblem({ name: "a", every: 1, on: true, tags: ["x"], env: { A: "b" }, skip: undefined }, { ...fields, skip: { kind: "string" } })).toBeUndefined();
    expect(fieldProblem("x", fields)).toEqual({ problem: "this is a string, expected an object with the fields name, every, on, tags, env" });
    expect(fieldProblem(["x"], fields)).toEqual({ problem: "this is a list, expected an object with the fields name, every, on, tags, env" });
    expect(fieldProblem({ nme: "a" }, fields)).toEqual({ field: "nme", problem: "there is no field nme; did you mean name?" });
    expect(fieldProblem({ zzzzzz: "a" }, fields)).toEqual({ field: "zzzzzz", problem: "there is no field zzzzzz; the fields are name, every, on, tags, env" });
    expect(fieldProblem({ name: 1 }, fields)).toEqual({ field: "name", problem: "name = 1 is a number, expected a string" });
    expect(fieldProblem({ name: "a", every: "1" }, fields)).toEqual({ field: "every", problem: 'every = "1" is a string, expected a number' });
    expect(fieldProblem({ name: "a", on: "true" }, fields)).toEqual({ field: "on", problem: 'on = "true" is a string, expected true or false (not in quotes)' });
    expect(fieldProblem({ name: "a", tags: ["x", 1] }, fields)).toEqual({ field: "tags", problem: 'tags = ["x",1] is a list, expected a list of strings' });
    expect(fieldProblem({ name: "a", tags: "x" }, fields)).toEqual({ field: "tags", problem: 'tags = "x" is a string, expected a list of strings' });
    expect(fieldProblem({ name: "a", env: { A: 1 } }, fields)).toEqual({ field: "env", problem: 'env = {"A":1} is an object, expected an object of strings' });
    expect(fieldProblem({ name: "a", env: ["A"] }, fields)).toEqual({ field: "env", problem: 'env = ["A"] is a list, expected an object of strings' });
    expect(fieldProblem({ name: "a", env: null }, fields)).toEqual({ field: "env", problem: "env = null is null, expected an object of strings" });
    expect(fieldProblem({ every: 1 }, fields)).toEqual({ field: "name", problem: "name is missing: it is required" });
  });

  it("a list of objects from JSON text or an array, each checked", () => {
    const o = objects<{ name: string }>(fields, "runs", (item) => {
      if (item.name === "bad") throw new Error("bad is refused");
    });
    expect(o.read('[{"name":"a"}]', "env")).toEqual({ value: [{ name: "a" }] });
    expect(o.read([{ name: "a" }], "file")).toEqual({ value: [{ name: "a" }] });
    expect(o.read("[oops", "context")).toEqual({ problem: "expected a JSON array of objects: runs" });
    expect(o.read('{"name":"a"}', "env")).toEqual({ problem: "this is an object, expected a list of objects: runs" });
    expect(o.read("[1]", "file")).toEqual({ problem: "this is a string, expected a list of objects: runs" });
    expect(o.read([{ name: "a" }, { name: 2 }], "file")).toEqual({ problem: "item 2: name = 2 is a number, expected a string" });
    expect(o.read([{ name: "bad" }], "file")).toEqual({ problem: "item 1: bad is refused" });
    expect(o.read([{ name: "xoxb-1" }], "file")).toEqual({ secret: "a Slack token" });
    expect(o.spelling).toBe("a JSON array");
  });
});
