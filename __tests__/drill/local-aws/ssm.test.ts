// The local SSM endpoint: GetParameter of SecureString parameters.
import { GetParameterCommand, ParameterNotFound } from "@aws-sdk/client-ssm";
import { ACCOUNT, REGION, rejection, startAws } from "./harness";

describe("LocalAws SSM GetParameter", () => {
  const parameters = { "/ecs-rerun/slack-webhook-url": "https://hooks.slack.com/services/T0/B0/secret" };

  it("returns the plaintext of a SecureString only WithDecryption", async () => {
    const { ssm } = await startAws({ parameters });
    const client = ssm();
    const decrypted = await client.send(new GetParameterCommand({ Name: "/ecs-rerun/slack-webhook-url", WithDecryption: true }));
    const encrypted = await client.send(new GetParameterCommand({ Name: "/ecs-rerun/slack-webhook-url" }));

    expect(decrypted.Parameter).toMatchObject({
      Name: "/ecs-rerun/slack-webhook-url",
      Type: "SecureString",
      Value: parameters["/ecs-rerun/slack-webhook-url"],
      ARN: `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter/ecs-rerun/slack-webhook-url`,
    });
    expect(encrypted.Parameter?.Type).toBe("SecureString");
    expect(encrypted.Parameter?.Value).toMatch(/^AQICAH/);
    expect(encrypted.Parameter?.Value).not.toContain("secret");
  });

  it("finds a parameter by its ARN", async () => {
    const { ssm } = await startAws({ parameters });
    const out = await ssm().send(new GetParameterCommand({ Name: `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter/ecs-rerun/slack-webhook-url`, WithDecryption: true }));

    expect(out.Parameter?.Value).toBe(parameters["/ecs-rerun/slack-webhook-url"]);
  });

  it("answers ParameterNotFound for an unknown name and records the call", async () => {
    const { aws, ssm } = await startAws({ parameters });
    const err = await rejection(ssm().send(new GetParameterCommand({ Name: "/nope", WithDecryption: true })));

    expect(err.name).toBe("ParameterNotFound");
    expect(err).toBeInstanceOf(ParameterNotFound);
    expect(aws.requestsFor("GetParameter")).toMatchObject([{ request: { Name: "/nope", WithDecryption: true }, answer: "error", errorCode: "ParameterNotFound" }]);
    expect(aws.events).toHaveLength(0);
  });
});
