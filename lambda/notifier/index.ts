/**
 * Lambda entry point (bundled with esbuild for nodejs22.x): module-scope wiring only.
 * The environment is validated at cold start (ConfigurationError naming the variable); the Slack
 * secret itself (webhook URL or bot token) is read from SSM at run time and cached inside the
 * handler for 5 minutes. The DynamoDB and SQS clients exist only when their table and queue are set.
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { SQSClient } from "@aws-sdk/client-sqs";
import { SSMClient } from "@aws-sdk/client-ssm";
import { readConfig } from "./config";
import { makeHandler } from "./handler";

const config = readConfig(process.env);
export const handler = makeHandler(config, {
  ssm: new SSMClient({}),
  // The Slack clock retries its own writes (shared/slot-clock.ts).
  ...(config.noticeTable !== undefined ? { dynamodb: new DynamoDBClient({ maxAttempts: 1 }) } : {}),
  ...(config.digestQueueUrl !== undefined ? { sqs: new SQSClient({}) } : {}),
});
