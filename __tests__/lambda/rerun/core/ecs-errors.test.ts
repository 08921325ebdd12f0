// Tests of lambda/rerun/core/relaunch/ecs-errors.ts: mapping errors thrown by ecs.send.
import { classifyEcsError } from "../../../../lambda/rerun/core/relaunch/ecs-errors";

describe("ECS error mapping", () => {
  const err = (name: string, extra: Record<string, unknown> = {}) => Object.assign(new Error(`${name} happened`), { name, ...extra });

  it.each<[string, Error, "RunTask" | "StartTask" | "read", string]>([
    ["ThrottlingException", err("ThrottlingException", { $fault: "client", $metadata: { httpStatusCode: 400 } }), "RunTask", "throttled"],
    ["a $retryable.throttling error", err("Whatever", { $fault: "client", $retryable: { throttling: true }, $metadata: { httpStatusCode: 400 } }), "StartTask", "throttled"],
    ["HTTP 429", err("Unknown", { $fault: "client", $metadata: { httpStatusCode: 429 } }), "StartTask", "throttled"],
    ["ServerException on RunTask", err("ServerException", { $fault: "server", $metadata: { httpStatusCode: 500 } }), "RunTask", "server"],
    ["HTTP 503 on RunTask", err("ServiceUnavailable", { $fault: "client", $metadata: { httpStatusCode: 503 } }), "RunTask", "server"],
    ["a network error on RunTask", Object.assign(new Error("socket hang up"), { code: "ECONNRESET" }), "RunTask", "server"],
    // StartTask has no clientToken, but the handler first looks up what the attempt placed: safe to repeat.
    ["ServerException on StartTask", err("ServerException", { $fault: "server", $metadata: { httpStatusCode: 500 } }), "StartTask", "server"],
    ["a network error on StartTask", new Error("socket hang up"), "StartTask", "server"],
    ["ServerException on a read (DescribeTasks)", err("ServerException", { $fault: "server", $metadata: { httpStatusCode: 500 } }), "read", "server"],
    ["AccessDeniedException on a read", err("AccessDeniedException", { $fault: "client", $metadata: { httpStatusCode: 400 } }), "read", "gave_up"],
    ["ClientException", err("ClientException", { $fault: "client", $metadata: { httpStatusCode: 400 } }), "RunTask", "gave_up"],
    ["ECS LimitExceededException (a quota)", err("LimitExceededException", { $fault: "client", $metadata: { httpStatusCode: 400 } }), "RunTask", "gave_up"],
  ])("maps %s (%s)", (_label, error, _action, outcome) => {
    expect(classifyEcsError(error).outcome).toBe(outcome);
  });

  it("names the error in its message", () => {
    expect(classifyEcsError(err("ServerException", { $fault: "server", $metadata: { httpStatusCode: 500 } })).message).toBe("ServerException: ServerException happened");
  });
});
