// npm run self-test -- [--region R] [--name NAME] [--wait-seconds N] [--json]   against a deployed pipeline
// npm run self-test -- --local [--json]                                        against the drill's local endpoints
// See options.ts for every option. Exit codes: 0 the self-test message was published, 1 the wiring
// failed (the report says where), 2 bad input, missing credentials or a refused permission.
import "../../drill/quiet";
import { runSelfTest, type AwsPorts } from "./run-self-test";

/** The real clients, loaded only for a self-test against AWS. */
async function awsPorts(): Promise<AwsPorts> {
  const { InvokeCommand, LambdaClient } = await import("@aws-sdk/client-lambda");
  const { DescribeExecutionCommand, SFNClient } = await import("@aws-sdk/client-sfn");
  const clients = new Map<string, { lambda: InstanceType<typeof LambdaClient>; sfn: InstanceType<typeof SFNClient> }>();
  const of = (region: string) => {
    let c = clients.get(region);
    if (!c) clients.set(region, (c = { lambda: new LambdaClient({ region, maxAttempts: 3 }), sfn: new SFNClient({ region, maxAttempts: 6 }) }));
    return c;
  };
  return {
    region: () => new SFNClient({}).config.region(),
    async invoke(region, functionName, event) {
      const out = await of(region).lambda.send(new InvokeCommand({ FunctionName: functionName, InvocationType: "RequestResponse", Payload: Buffer.from(JSON.stringify(event)) }));
      const text = out.Payload ? Buffer.from(out.Payload).toString("utf8") : "null";
      return { ...(out.FunctionError ? { functionError: out.FunctionError } : {}), payload: JSON.parse(text) as unknown };
    },
    async describe(executionArn) {
      const out = await of(executionArn.split(":")[3]).sfn.send(new DescribeExecutionCommand({ executionArn }));
      return { status: String(out.status), output: out.output, error: out.error, cause: out.cause };
    },
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  };
}

runSelfTest(process.argv.slice(2), { out: (text) => console.log(text), err: (text) => console.error(text) }, awsPorts).then((code) => process.exit(code));
