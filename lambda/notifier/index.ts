/**
 * Lambda entry point (bundled with esbuild for nodejs22.x): module-scope wiring only.
 * The environment is validated at cold start (ConfigurationError naming the variable); the Slack
 * secret itself (webhook URL or bot token) is read from SSM at run time and cached inside the
 * handler for 5 minutes. The DynamoDB and SQS clients exist only when their table and queue are
 * set, and are made (their SDK packages loaded) at their first call, not at init
 * (lambda/shared/lazy-client.ts says why).
 */
import { SSMClient } from "@aws-sdk/client-ssm";
import { clientOnFirstSend } from "../shared/lazy-client";
import { readConfig } from "./config";
import { makeHandler } from "./handler";

const dynamodbSdk = (): typeof import("../shared/sdk/dynamodb") => require("../shared/sdk/dynamodb");
const sqsSdk = (): typeof import("../shared/sdk/sqs") => require("../shared/sdk/sqs");

const config = readConfig(process.env);
export const handler = makeHandler(config, {
  ssm: new SSMClient({}),
  // The Slack clock retries its own writes (shared/slot-clock.ts).
  ...(config.noticeTable !== undefined ? { dynamodb: clientOnFirstSend(() => new (dynamodbSdk().DynamoDBClient)({ maxAttempts: 1 })) } : {}),
  ...(config.digestQueueUrl !== undefined ? { sqs: clientOnFirstSend(() => new (sqsSdk().SQSClient)({})) } : {}),
});
