/**
 * Lambda entry point (bundled with esbuild for nodejs22.x): module-scope wiring only.
 * The environment is read and validated once, at cold start: a bad value fails the init with a
 * ConfigurationError naming the variable. Tests and the local drill import makeHandler from
 * ./handler instead, with their own config and client.
 */
import { ECSClient } from "@aws-sdk/client-ecs";
import { clientOnFirstSend } from "../shared/lazy-client";
import { readConfig } from "./config";
import { makeHandler, writeBareLine } from "./handler";
import { readHubConfig } from "./hub-config";
import { readPacingConfig } from "./pacer";
import { makeSpokeClients } from "./spoke-access";

// maxAttempts: 1 -- the SDK never repeats a call on its own: throttling is retried by the handler
// (THROTTLE_RETRIES), everything else by Step Functions (durable, visible); StartTask has no
// idempotency token, so a silent SDK retry of an unknown outcome could run the task twice.
// The schedule reads (the original request's first source of truth) go through the same
// in-handler throttling budget as the ECS calls. The pacer's client likewise: the pacer retries a
// reservation itself, inside the time budget, and a DynamoDB that does not answer within two
// seconds must not hold a rerun up (it goes unpaced).
//
// ECS is the one client every invocation may call; the others, and their SDK packages, are made at
// their first call (lambda/shared/lazy-client.ts): a pipeline that does not pace never loads
// DynamoDB, and EventBridge and Scheduler load only when a failure's schedule must be read.
//
// A hub (SPOKE_ROLE_ARN_PATTERN set) also keeps, at module scope, the clients of every other place
// it acts in, each signed with credentials of that place's relaunch role, made when it first acts
// there. fromTemporaryCredentials
// calls STS AssumeRole with the function's own credentials (the default provider chain: Lambda's
// environment) at the STS endpoint of the function's own region, as AWS recommends over the global
// one (IAM User Guide, "Manage AWS STS in an AWS Region"; its session tokens are valid in every
// region), while the role, an IAM resource, is global. 900 s is AssumeRole's shortest
// DurationSeconds; a Lambda role's session assuming another role is role chaining, which caps it
// at one hour anyway (STS API Reference, AssumeRole, DurationSeconds). The STS client gets maxAttempts 1 like the others: a failed
// AssumeRole is a round handed back ("later") or a notice, never a silent retry.
const dynamodbSdk = (): typeof import("../shared/sdk/dynamodb") => require("../shared/sdk/dynamodb");
const eventBridgeSdk = (): typeof import("../shared/sdk/eventbridge") => require("../shared/sdk/eventbridge");
const schedulerSdk = (): typeof import("../shared/sdk/scheduler") => require("../shared/sdk/scheduler");

const hub = readHubConfig(process.env);
const spokes = hub && makeSpokeClients(hub, { stsClientConfig: { region: hub.homeRegion, maxAttempts: 1 }, clientConfig: { maxAttempts: 1 } });
const pacing = readPacingConfig(process.env);

export const handler = makeHandler(readConfig(process.env), {
  ecs: new ECSClient({ maxAttempts: 1 }),
  events: clientOnFirstSend(() => new (eventBridgeSdk().EventBridgeClient)({ maxAttempts: 1 })),
  scheduler: clientOnFirstSend(() => new (schedulerSdk().SchedulerClient)({ maxAttempts: 1 })),
  pacing: {
    config: pacing,
    dynamodb: clientOnFirstSend(() => new (dynamodbSdk().DynamoDBClient)({ maxAttempts: 1, requestHandler: { connectionTimeout: 1_000, requestTimeout: 2_000 } })),
  },
  ...(hub && spokes ? { hub: { config: hub, spokes } } : {}),
  writeOutcome: writeBareLine,
});
