// The drill's command line and event files, checked without starting a drill: bad arguments are
// usage errors naming the option, events EventBridge would never deliver are refused, and the help
// describes exactly what the parser accepts.
import { readdirSync, readFileSync, writeFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { OPTIONS, UsageError, parseDrillArgs, usage } from "../../drill/cli-options";
import { EVENT_MAX_BYTES, EventFileUnreadable, InvalidEventError, describeJson, parseEventText, readEventFile } from "../../drill/event-file";
import { parseEcsScript } from "../../drill/local-aws/local-aws";
import { parseSlackScript } from "../../drill/slack/local-slack";
import { AGENT_EVENT_FILE, EVENTS_DIR } from "../../drill/scenarios";

describe("parseDrillArgs", () => {
  test("no option runs the scenarios; --help asks for help", () => {
    expect(parseDrillArgs([])).toEqual({ kind: "scenarios" });
    expect(parseDrillArgs(["-h"])).toEqual({ kind: "help" });
    expect(parseDrillArgs(["--event", "x.json", "--help"])).toEqual({ kind: "help" });
  });

  test("reads an event run with its scripts and clusters", () => {
    expect(parseDrillArgs(["--event", "e.json", "--ecs", "AGENT,ok", "--clusters", "a, arn:aws:ecs:us-east-1:123456789012:cluster/b", "--slack", "500,ok", "--json"])).toEqual({
      kind: "event",
      file: "e.json",
      ecs: [{ kind: "fail", reason: "AGENT" }, { kind: "ok" }],
      slack: ["500", "ok"],
      clusters: ["a", "arn:aws:ecs:us-east-1:123456789012:cluster/b"],
      deliver: 1,
      json: true,
      slackBot: false,
    });
    expect(parseDrillArgs(["--event", "e.json", "--deliver", "3"])).toMatchObject({ kind: "event", deliver: 3 });
    expect(parseDrillArgs(["--event", "e.json", "--notify", "every-step", "--slack-bot"])).toMatchObject({ kind: "event", notify: "every-step", slackBot: true });
    // Never delivered: the reconciler must find it.
    expect(parseDrillArgs(["--event", "e.json", "--deliver", "0"])).toMatchObject({ kind: "event", deliver: 0 });
  });

  test.each([
    [["--event", "e.json", "--clusters", "bad cluster!"], '--clusters: "bad cluster!" is not a cluster name (1-255 letters, digits, - or _) or a cluster ARN'],
    [["--event", "e.json", "--clusters", ","], '--clusters ",": give at least one cluster name or ARN'],
    [["--event", "e.json", "--ecs", "AGENT,okk"], /^--ecs: ECS script "AGENT,okk", entry 2: Invalid ECS script entry "okk"/],
    [["--event", "e.json", "--slack", "404"], /^--slack: Slack script "404", entry 1: invalid entry "404"/],
    [["--ecs", "ok"], "--ecs goes with --event FILE"],
    [["--event", "e.json", "--deliver", "11"], '--deliver "11": expected a whole number from 0 to 10'],
    [["--event", "e.json", "--deliver", "two"], '--deliver "two": expected a whole number from 0 to 10'],
    [["--json", "--slack", "ok"], "--slack, --json go with --event FILE"],
    [["--jsn"], /Unknown option '--jsn'/],
    [["--event", "e.json", "--notify", "all"], '--notify "all": expected one of outcomes, problems, every-step'],
    [["--event"], /--event/],
  ])("refuses %p as a usage error", (argv, message) => {
    expect(() => parseDrillArgs(argv)).toThrow(UsageError);
    expect(() => parseDrillArgs(argv)).toThrow(message);
  });
});

describe("the help", () => {
  const text = usage(15);

  test("names every option the parser takes, and no other", () => {
    const named = [...text.matchAll(/--([a-z]+(?:-[a-z]+)*)/g)].map((m) => m[1]);
    expect([...new Set(named)].sort()).toEqual(Object.keys(OPTIONS).sort());
  });

  test("every answer it lists for --ecs and --slack is one the scripts accept", () => {
    for (const word of ["ok", "AGENT", "RESOURCE:MEMORY", "partial:1", "throttle", "error:ServerException", "drop", "5xx-after", "drop-after", "nostart:TaskFailedToStart: RESOURCE:MEMORY", "exit:1"]) {
      expect(() => parseEcsScript(word)).not.toThrow();
    }
    expect(text).toMatch(/ok, a failure reason\s+\(AGENT, RESOURCE:MEMORY, \.\.\.\), partial:N, throttle, error:NAME, drop \(no answer\),\s+5xx-after \/ drop-after/);
    expect(parseSlackScript("ok,500,timeout,429")).toEqual(["ok", "500", "timeout", "429"]);
    expect(text).toContain("ok, 500, timeout, 429");
  });

  test("names the detail-type of every shipped event, which --event runs", () => {
    const types = new Set(readdirSync(EVENTS_DIR).filter((f) => f.endsWith(".json")).map((f) => JSON.parse(readFileSync(join(EVENTS_DIR, f), "utf8"))["detail-type"] as string));
    expect([...types].sort()).toEqual(["AWS API Call via CloudTrail", "ECS Task State Change"]);
    for (const t of types) expect(text.replace(/\s+/g, " ")).toContain(`"${t}"`);
  });

  test("states EventBridge's size limit, and each line fits a terminal", () => {
    expect(text).toContain("at most 256 KB");
    for (const line of text.split("\n")) expect(line.length).toBeLessThanOrEqual(100);
  });
});

describe("event files", () => {
  const dir = mkdtempSync(join(tmpdir(), "ecs-rerun-drill-events-"));
  const file = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };

  test("reads a shipped event", () => {
    expect(readEventFile(AGENT_EVENT_FILE)).toMatchObject({ "detail-type": "AWS API Call via CloudTrail" });
  });

  test.each<[unknown, string]>([
    [null, "null"],
    [[1], "an array"],
    ["x", "a string"],
    [5, "a number"],
    [true, "a boolean"],
    [{}, "an object"],
  ])("describes %p as %s", (value, text) => {
    expect(describeJson(value)).toBe(text);
  });

  test.each([
    ["null", "holds null, expected one EventBridge event object"],
    ["[]", "holds an array, expected one EventBridge event object"],
    ['"event"', "holds a string, expected one EventBridge event object"],
    ["{", "is not JSON: "],
    ['{"detail-type": "x"}', 'is not an EventBridge event: it needs "detail-type" and an object "detail"'],
    ['{"detail-type": "x", "detail": [], "region": "us-east-1"}', 'is not an EventBridge event: it needs "detail-type" and an object "detail"'],
    ['{"detail-type": "x", "detail": {}, "region": "mars"}', 'has "region": "mars", expected an AWS region such as "us-east-1"'],
  ])("refuses %s as an invalid event", (text, message) => {
    expect(() => parseEventText(text, "e.json")).toThrow(InvalidEventError);
    expect(() => parseEventText(text, "e.json")).toThrow(`event file e.json ${message}`);
  });

  test("refuses an event over EventBridge's 256 KB, by its size, before reading it", () => {
    const big = file("big.json", JSON.stringify({ "detail-type": "x", detail: { pad: "x".repeat(EVENT_MAX_BYTES) } }));
    expect(() => readEventFile(big)).toThrow(InvalidEventError);
    expect(() => readEventFile(big)).toThrow(/is 2621\d\d bytes; EventBridge events are at most 256 KB \(262144 bytes\), so it could never be delivered/);
    const exact = JSON.stringify({ "detail-type": "x", detail: { pad: "" } });
    const atLimit = file("at-limit.json", exact.replace('"pad":""', `"pad":"${"x".repeat(EVENT_MAX_BYTES - exact.length)}"`));
    expect(readEventFile(atLimit)).toMatchObject({ "detail-type": "x" });
  });

  test("a file that is not there, or a directory, is a usage error", () => {
    expect(() => readEventFile(join(dir, "missing.json"))).toThrow(EventFileUnreadable);
    expect(() => readEventFile(dir)).toThrow(EventFileUnreadable);
  });
});
