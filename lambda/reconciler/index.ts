/**
 * Lambda entry point of the reconciler (bundled with esbuild for nodejs22.x): module-scope wiring only.
 *
 * maxAttempts 1 everywhere: the handler paces and retries LookupEvents itself (a throttled call is
 * AWS telling it to slow down, ThrottlingException), and a read or a StartExecution that fails is
 * simply met again by the next run, which starts from the durable cursor. A hub reaches each spoke
 * through the spoke's relaunch role, assumed with STS in the function's own region as the rerun
 * Lambda does (lambda/rerun/index.ts says why), its credentials shared by the place's clients and
 * renewed before they expire (sharedRoleCredentials).
 */
import { CloudTrailClient } from "@aws-sdk/client-cloudtrail";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { ECSClient } from "@aws-sdk/client-ecs";
import { SFNClient } from "@aws-sdk/client-sfn";
import { fromTemporaryCredentials } from "@aws-sdk/credential-providers";
import { placeLabel, spokeRoleArn } from "../rerun/core/place";
import { SPOKE_SESSION_NAME, sharedRoleCredentials } from "../rerun/spoke-access";
import { readConfig } from "./config";
import { dynamoCursors, makeHandler, type PlaceReaders } from "./handler";

const config = readConfig(process.env);
const home: PlaceReaders = { cloudTrail: new CloudTrailClient({ maxAttempts: 1 }), ecs: new ECSClient({ maxAttempts: 1 }) };
const spokes = new Map<string, PlaceReaders & { ready(): Promise<unknown> }>();

export const handler = makeHandler(config, {
  sfn: new SFNClient({ maxAttempts: 1 }),
  cursors: dynamoCursors(config.cursorTable, new DynamoDBClient({ maxAttempts: 1 })),
  readersFor: async (place, isHome) => {
    if (isHome) return home;
    let readers = spokes.get(placeLabel(place));
    if (readers === undefined) {
      const roleArn = spokeRoleArn(config.spokeRoleArnPattern as string, place);
      const provider = fromTemporaryCredentials({
        params: { RoleArn: roleArn, RoleSessionName: SPOKE_SESSION_NAME, DurationSeconds: 900 },
        clientConfig: { region: config.homeRegion, maxAttempts: 1 },
      });
      const credentials = sharedRoleCredentials(provider, roleArn, place);
      const clientConfig = { region: place.region, credentials, maxAttempts: 1 };
      readers = { cloudTrail: new CloudTrailClient(clientConfig), ecs: new ECSClient(clientConfig), ready: () => credentials() };
      spokes.set(placeLabel(place), readers);
    }
    await readers.ready();
    return readers;
  },
});
