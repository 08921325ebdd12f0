/**
 * Lambda entry point (bundled with esbuild for nodejs22.x): module-scope wiring only.
 * The environment is read and validated once, at cold start: a bad value fails the init with a
 * ConfigurationError naming the variable. Tests and the local drill import makeHandler from
 * ./handler instead, with their own config and client.
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { ECSClient } from "@aws-sdk/client-ecs";
import { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import { SchedulerClient } from "@aws-sdk/client-scheduler";
import { readConfig } from "./config";
import { makeHandler } from "./handler";
import { readPacingConfig } from "./pacer";

// maxAttempts: 1 -- the SDK never repeats a call on its own: throttling is retried by the handler
// (THROTTLE_RETRIES), everything else by Step Functions (durable, visible); StartTask has no
// idempotency token, so a silent SDK retry of an unknown outcome could run the task twice.
// The schedule reads (the original request's first source of truth) go through the same
// in-handler throttling budget as the ECS calls. The pacer's client likewise: the pacer retries a
// reservation itself, inside the time budget, and a DynamoDB that does not answer within two
// seconds must not hold a rerun up (it goes unpaced).
export const handler = makeHandler(readConfig(process.env), {
  ecs: new ECSClient({ maxAttempts: 1 }),
  events: new EventBridgeClient({ maxAttempts: 1 }),
  scheduler: new SchedulerClient({ maxAttempts: 1 }),
  pacing: {
    config: readPacingConfig(process.env),
    dynamodb: new DynamoDBClient({ maxAttempts: 1, requestHandler: { connectionTimeout: 1_000, requestTimeout: 2_000 } }),
  },
});
