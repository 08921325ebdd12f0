/**
 * The hub's clients for a spoke's place: every ECS, EventBridge and Scheduler call the rerun
 * function makes for a failure in another account or region goes through clients of that region,
 * signed with credentials of the spoke's relaunch role, got from STS AssumeRole. One set of
 * clients and one set of credentials per account+region, kept for the life of the Lambda container
 * (the map lives at module scope in index.ts), so a storm in one spoke costs one AssumeRole per
 * credential lifetime, not one per invocation. The credentials themselves (one AssumeRole shared
 * by a place's three clients, renewed before they expire, failures typed and never kept) are
 * role-credentials.ts's.
 */
import { ECSClient, type ECSClientConfig } from "@aws-sdk/client-ecs";
import type { FromTemporaryCredentialsOptions } from "@aws-sdk/credential-providers";
import type { AwsCredentialIdentityProvider } from "@smithy/types";
import { placeLabel, spokeRoleArn, type Place } from "./core/relaunch/place";
import { sharedRoleCredentials, SPOKE_SESSION_NAME } from "./role-credentials";
import type { EcsSender } from "./ecs-access";
import type { HubConfig } from "./hub-config";
import type { EventsSender, SchedulerSender } from "./schedule-access";

// The credentials part has no SDK client of its own: the reconciler shares it without loading these.
export { REFRESH_BEFORE_EXPIRY_MS, SPOKE_SESSION_NAME, SpokeAccessError, sharedRoleCredentials } from "./role-credentials";

// A hub's other packages are loaded when it first acts in a spoke's place, not at the Lambda's init
// (lambda/shared/lazy-client.ts says why); a pipeline that is no hub never loads them.
const credentialProvidersSdk = (): typeof import("../shared/sdk/role-credentials") => require("../shared/sdk/role-credentials");
const eventBridgeSdk = (): typeof import("../shared/sdk/eventbridge") => require("../shared/sdk/eventbridge");
const schedulerSdk = (): typeof import("../shared/sdk/scheduler") => require("../shared/sdk/scheduler");

/** The clients of one place, and a way to make sure its credentials can be had before anything is called. */
export interface PlaceClients {
  readonly place: Place;
  /** The relaunch role assumed there. */
  readonly roleArn: string;
  readonly ecs: EcsSender;
  readonly events?: EventsSender;
  readonly scheduler?: SchedulerSender;
  /** Resolves credentials now (AssumeRole unless fresh ones are held); throws SpokeAccessError. */
  ready(): Promise<void>;
}

/** Builds a place's clients, signing with `credentials`, in `place.region`. */
export type PlaceClientFactory = (place: Place, credentials: AwsCredentialIdentityProvider) => Pick<PlaceClients, "ecs" | "events" | "scheduler">;
/** A credential provider for `roleArn` (fromTemporaryCredentials in production, a local STS in the drill). */
export type RoleCredentials = (roleArn: string, place: Place) => AwsCredentialIdentityProvider;

/** The clients of every place the hub acts in, made on first use and kept. */
export class SpokeClients {
  private readonly places = new Map<string, PlaceClients>();

  constructor(
    private readonly hub: Pick<HubConfig, "roleArnPattern">,
    private readonly credentialsFor: RoleCredentials,
    private readonly build: PlaceClientFactory,
    private readonly now: () => number = () => Date.now(),
  ) {}

  /** The clients of `place` (throws RangeError for a place that is no account ID and region code). */
  for(place: Place): PlaceClients {
    const key = placeLabel(place);
    let clients = this.places.get(key);
    if (clients === undefined) {
      const roleArn = spokeRoleArn(this.hub.roleArnPattern, place);
      const credentials = sharedRoleCredentials(this.credentialsFor(roleArn, place), roleArn, place, this.now);
      clients = { place, roleArn, ...this.build(place, credentials), ready: async () => void (await credentials()) };
      this.places.set(key, clients);
    }
    return clients;
  }

  /** How many places have clients (for tests: one per account+region). */
  get size(): number {
    return this.places.size;
  }
}

/** What {@link makeSpokeClients} is told: where STS is and with which credentials it is called, and how a place's clients are configured. */
export interface SpokeClientsAccess {
  /** The STS client's configuration: the hub's home region in production (its regional endpoint), the local STS in the drill. */
  readonly stsClientConfig: FromTemporaryCredentialsOptions["clientConfig"];
  /** The credentials AssumeRole is called with. @default the default provider chain (Lambda's environment) */
  readonly masterCredentials?: FromTemporaryCredentialsOptions["masterCredentials"];
  /** The configuration of a place's clients, to which the place's region and the role's credentials are added (over any given here). */
  readonly clientConfig: Pick<ECSClientConfig, "maxAttempts" | "endpoint" | "requestHandler" | "cacheMiddleware">;
  /** Told of every client made (the drill destroys them at the end of a run). */
  readonly onClient?: (client: { destroy(): void }) => void;
}

/**
 * The hub's SpokeClients as the Lambda (index.ts) and the drill make them: credentials of a place's
 * relaunch role from STS AssumeRole (fromTemporaryCredentials, session SPOKE_SESSION_NAME, 900 s,
 * AssumeRole's shortest), and ECS, EventBridge and Scheduler clients of the place's region signed
 * with them.
 */
export function makeSpokeClients(hub: Pick<HubConfig, "roleArnPattern">, access: SpokeClientsAccess): SpokeClients {
  return new SpokeClients(
    hub,
    (roleArn) =>
      credentialProvidersSdk().fromTemporaryCredentials({
        params: { RoleArn: roleArn, RoleSessionName: SPOKE_SESSION_NAME, DurationSeconds: 900 },
        masterCredentials: access.masterCredentials,
        clientConfig: access.stsClientConfig,
      }),
    (place, credentials) => {
      const config = { ...access.clientConfig, region: place.region, credentials };
      const made = { ecs: new ECSClient(config), events: new (eventBridgeSdk().EventBridgeClient)(config), scheduler: new (schedulerSdk().SchedulerClient)(config) };
      for (const c of [made.ecs, made.events, made.scheduler]) access.onClient?.(c);
      return made;
    },
  );
}
