// LocalAws, the router: errors on the wire (scripted exceptions, malformed bodies, unknown targets,
// unsigned requests) as the SDK clients see them.
import { AccessDeniedException, ClientException, InvalidParameterException, RunTaskCommand, ServerException } from "@aws-sdk/client-ecs";
import { LAMBDA_KEY, REGION, nightly, rejection, startAws } from "./local-aws/harness";

describe("LocalAws scripted errors", () => {
  it("maps the throttle entry to ThrottlingException and consumes it", async () => {
    const { aws, ecs } = await startAws({ ecsScript: ["throttle", "ok"] });
    const client = ecs();
    const err = await rejection(client.send(new RunTaskCommand(nightly)));
    const out = await client.send(new RunTaskCommand(nightly));

    expect(err.name).toBe("ThrottlingException");
    expect(out.tasks).toHaveLength(1);
    expect(aws.launchRequests().map((r) => r.answer)).toEqual(["throttled", "ok"]);
  });

  it.each([
    ["ClientException", ClientException, 400, "client"],
    ["InvalidParameterException", InvalidParameterException, 400, "client"],
    ["AccessDeniedException", AccessDeniedException, 400, "client"],
    ["ServerException", ServerException, 500, "server"],
  ] as const)("maps error:%s to the SDK's exception of that name", async (name, ctor, status, fault) => {
    const { aws, ecs } = await startAws({ ecsScript: [`error:${name}`] });
    const err = await rejection(ecs().send(new RunTaskCommand(nightly)));

    expect(err.name).toBe(name);
    expect(err).toBeInstanceOf(ctor);
    expect(err.$fault).toBe(fault);
    expect((err.$metadata as { httpStatusCode: number }).httpStatusCode).toBe(status);
    expect(aws.launchRequests()[0]).toMatchObject({ answer: "error", errorCode: name });
  });

  it("does not store the clientToken of a call that ended in an error, so a retry with it launches", async () => {
    const { ecs } = await startAws({ ecsScript: ["error:ServerException", "ok"] });
    const client = ecs();
    await rejection(client.send(new RunTaskCommand({ ...nightly, clientToken: "retry-me" })));
    const out = await client.send(new RunTaskCommand({ ...nightly, clientToken: "retry-me" }));

    expect(out.tasks).toHaveLength(1);
  });

  it("answers SerializationException to a malformed body and UnknownOperationException to an unknown target", async () => {
    const { aws, endpoint } = await startAws();
    const headers = {
      "Content-Type": "application/x-amz-json-1.1",
      Authorization: `AWS4-HMAC-SHA256 Credential=${LAMBDA_KEY}/20250304/${REGION}/ecs/aws4_request, SignedHeaders=host, Signature=00`,
    };
    const malformed = await fetch(endpoint, { method: "POST", headers: { ...headers, "X-Amz-Target": "AmazonEC2ContainerServiceV20141113.RunTask" }, body: "{not json" });
    const unknown = await fetch(endpoint, { method: "POST", headers: { ...headers, "X-Amz-Target": "AmazonEC2ContainerServiceV20141113.DeleteCluster" }, body: "{}" });

    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toMatchObject({ __type: "SerializationException" });
    expect(unknown.status).toBe(400);
    expect(await unknown.json()).toMatchObject({ __type: "UnknownOperationException" });
    expect(aws.events).toHaveLength(0);
  });

  it("refuses an unsigned request with MissingAuthenticationTokenException", async () => {
    const { endpoint } = await startAws();
    const res = await fetch(endpoint, {
      method: "POST",
      headers: { "Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": "AmazonEC2ContainerServiceV20141113.RunTask" },
      body: JSON.stringify({ taskDefinition: "x" }),
    });

    expect(await res.json()).toMatchObject({ __type: "MissingAuthenticationTokenException" });
  });
});
