// parseEcsScript: the comma-separated ECS launch script of drill scenarios and the CLI.
import { LocalAws, parseEcsScript } from "../../../drill/local-aws/local-aws";

describe("parseEcsScript", () => {
  it("parses ok, failure reasons, partial:N, throttle and error:NAME in order", () => {
    expect(parseEcsScript("AGENT, RESOURCE:MEMORY,partial:2,throttle,error:ServerException,ok")).toEqual([
      { kind: "fail", reason: "AGENT" },
      { kind: "fail", reason: "RESOURCE:MEMORY" },
      { kind: "partial", placed: 2 },
      { kind: "throttle" },
      { kind: "error", name: "ServerException" },
      { kind: "ok" },
    ]);
  });

  it.each(["okk", "AGENT,,ok", "partial:x", "partial:", "error:", "error:not-a-name", "agent"])("rejects the malformed script %j naming the bad entry", (script) => {
    expect(() => parseEcsScript(script)).toThrow(/entry \d+: Invalid ECS script entry/);
  });

  it("refuses a malformed entry given to the constructor", () => {
    expect(() => new LocalAws({ ecsScript: ["ok", "Ok"] })).toThrow(/Invalid ECS script entry "Ok"/);
    expect(() => new LocalAws({ ecsScript: [] })).toThrow(/at least one entry/);
    expect(() => new LocalAws({ ecsScript: [{ kind: "ok", startSeconds: -1 }] })).toThrow(/startSeconds must be a finite number >= 0/);
    expect(() => new LocalAws({ runSeconds: Number.NaN })).toThrow(/runSeconds/);
  });

  it("parses exit:N and nostart:REASON, keeping colons in the reason", () => {
    expect(parseEcsScript("exit:3, exit:0,nostart:TaskFailedToStart: RESOURCE:MEMORY,ok")).toEqual([
      { kind: "exit", exitCode: 3 },
      { kind: "exit", exitCode: 0 },
      { kind: "nostart", reason: "TaskFailedToStart: RESOURCE:MEMORY" },
      { kind: "ok" },
    ]);
  });

  it("keeps a comma in a nostart reason unless what follows it is an entry of its own", () => {
    const pull = "CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref docker.io/library/nightly:12, not found";

    expect(parseEcsScript(`AGENT,nostart:${pull},ok`)).toEqual([{ kind: "fail", reason: "AGENT" }, { kind: "nostart", reason: pull }, { kind: "ok" }]);
    expect(parseEcsScript(`nostart:${pull}`)).toEqual([{ kind: "nostart", reason: pull }]);
    expect(parseEcsScript("nostart:a, b, c,nostart:d,exit:1")).toEqual([
      { kind: "nostart", reason: "a, b, c" },
      { kind: "nostart", reason: "d" },
      { kind: "exit", exitCode: 1 },
    ]);
    // The documented limit: ", AGENT" reads as the next entry.
    expect(parseEcsScript("nostart:x, AGENT")).toEqual([{ kind: "nostart", reason: "x" }, { kind: "fail", reason: "AGENT" }]);
  });

  it.each(["nostart:", "nostart:  ,ok", "nostart:x,,ok", "exit:", "exit:256", "exit:-1", "exit:1.5", "Nostart:x"])("rejects %j naming the bad entry", (script) => {
    expect(() => parseEcsScript(script)).toThrow(/entry \d+: Invalid ECS script entry/);
  });
});
