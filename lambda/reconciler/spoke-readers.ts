/**
 * The reconciler's readers of each place it sweeps, as the Lambda (index.ts) and the drill make
 * them: at home the function's own clients; in a spoke's place CloudTrail and ECS clients of that
 * region, signed with credentials of the spoke's sweep role (read-only: LookupEvents, and
 * ListTasks/DescribeTasks of its clusters), got from STS AssumeRole, shared by the place's two
 * clients and renewed before they expire (sharedRoleCredentials), kept for the life of the
 * container like the rerun function's spoke clients.
 */
import { CloudTrailClient } from "@aws-sdk/client-cloudtrail";
import { ECSClient, type ECSClientConfig } from "@aws-sdk/client-ecs";
import { fromTemporaryCredentials, type FromTemporaryCredentialsOptions } from "@aws-sdk/credential-providers";
import { placeLabel, spokeRoleArn, type Place } from "../rerun/core/relaunch/place";
import { SPOKE_SESSION_NAME, sharedRoleCredentials } from "../rerun/role-credentials";
import type { PlaceReaders, ReconcilerDeps } from "./handler";

/** What {@link makeReadersFor} is told: where STS is, with which credentials it is called, and how a place's clients are configured. */
export interface SpokeReadersAccess {
  /** The STS client's configuration: the function's home region in production, the local STS in the drill. */
  readonly stsClientConfig: FromTemporaryCredentialsOptions["clientConfig"];
  /** The credentials AssumeRole is called with. @default the default provider chain (Lambda's environment) */
  readonly masterCredentials?: FromTemporaryCredentialsOptions["masterCredentials"];
  /** The configuration of a place's clients, to which the place's region and the role's credentials are added. */
  readonly clientConfig: Pick<ECSClientConfig, "maxAttempts" | "endpoint" | "requestHandler" | "cacheMiddleware">;
  /** Told of every client made (the drill destroys them at the end of a run). */
  readonly onClient?: (client: { destroy(): void }) => void;
}

/**
 * `readersFor` of the reconciler's deps: `home` at home; elsewhere the readers of the place's sweep
 * role (`rolePattern`, with {account} and {region}), made on first use and kept. It resolves the
 * role's credentials before answering, so a refused AssumeRole is met (as a SpokeAccessError) before
 * anything is read.
 */
export function makeReadersFor(home: PlaceReaders, rolePattern: string | undefined, access: SpokeReadersAccess): ReconcilerDeps["readersFor"] {
  const spokes = new Map<string, PlaceReaders & { ready(): Promise<unknown> }>();
  return async (place: Place, isHome: boolean) => {
    if (isHome) return home;
    if (rolePattern === undefined) throw new Error(`no sweep role pattern to reach ${placeLabel(place)} with`);
    let readers = spokes.get(placeLabel(place));
    if (readers === undefined) {
      const roleArn = spokeRoleArn(rolePattern, place);
      const provider = fromTemporaryCredentials({
        params: { RoleArn: roleArn, RoleSessionName: SPOKE_SESSION_NAME, DurationSeconds: 900 },
        masterCredentials: access.masterCredentials,
        clientConfig: access.stsClientConfig,
      });
      const credentials = sharedRoleCredentials(provider, roleArn, place);
      const config = { ...access.clientConfig, region: place.region, credentials };
      const made = { cloudTrail: new CloudTrailClient(config), ecs: new ECSClient(config) };
      access.onClient?.(made.cloudTrail);
      access.onClient?.(made.ecs);
      readers = { ...made, ready: () => credentials() };
      spokes.set(placeLabel(place), readers);
    }
    await readers.ready();
    return readers;
  };
}
