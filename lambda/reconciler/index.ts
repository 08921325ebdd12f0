/**
 * Lambda entry point of the reconciler (bundled with esbuild for nodejs22.x): module-scope wiring only.
 *
 * maxAttempts 1 everywhere: the handler paces and retries LookupEvents itself (a throttled call is
 * AWS telling it to slow down, ThrottlingException), and a read or a StartExecution that fails is
 * simply met again by the next run, which starts from the durable cursor. A hub reaches each spoke
 * through the spoke's sweep role (read-only), assumed with STS in the function's own region as the
 * rerun Lambda does (lambda/rerun/index.ts says why), its credentials shared by the place's clients
 * and renewed before they expire (spoke-readers.ts). It loads the CloudTrail, ECS, Step Functions,
 * DynamoDB and STS clients only: none the rerun function's spoke access would bring (EventBridge,
 * Scheduler).
 */
import { CloudTrailClient } from "@aws-sdk/client-cloudtrail";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { ECSClient } from "@aws-sdk/client-ecs";
import { SFNClient } from "@aws-sdk/client-sfn";
import { readConfig } from "./config";
import { dynamoCursors, makeHandler } from "./handler";
import { makeReadersFor } from "./spoke-readers";

const config = readConfig(process.env);

export const handler = makeHandler(config, {
  sfn: new SFNClient({ maxAttempts: 1 }),
  cursors: dynamoCursors(config.cursorTable, new DynamoDBClient({ maxAttempts: 1 })),
  readersFor: makeReadersFor({ cloudTrail: new CloudTrailClient({ maxAttempts: 1 }), ecs: new ECSClient({ maxAttempts: 1 }) }, config.spokeRoleArnPattern, {
    stsClientConfig: { region: config.homeRegion, maxAttempts: 1 },
    clientConfig: { maxAttempts: 1 },
  }),
});
