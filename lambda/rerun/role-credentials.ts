/**
 * Credentials of a role the hub assumes in another place (a spoke's relaunch role for the rerun
 * function, a spoke's sweep role for the reconciler), shared by all of that place's clients. No SDK
 * client is imported here, so a function loads only the clients it uses (spoke-access.ts builds the
 * rerun function's ECS, EventBridge and Scheduler clients on top of it).
 *
 * Credentials: AssumeRole returns them with an `Expiration`; the SDK's clients re-resolve a
 * provider's identity when it is within five minutes of expiring. This cache refreshes on the same
 * margin and shares one AssumeRole between the clients of a place (each client alone would assume
 * the role for itself), and it forgets a failure at once: a role that was refused is asked again by
 * the next invocation (it may have been deployed since), never cached as refused.
 */
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from "@smithy/types";
import { describeError, logJson } from "../shared/log";
import { classifyEcsError } from "./core/relaunch/ecs-errors";
import type { Place } from "./core/relaunch/place";

/** Session name of the hub's sessions in a spoke: what the spoke's CloudTrail shows as the caller's session. */
export const SPOKE_SESSION_NAME = "ecs-rerun-hub";
/** Credentials are renewed this long before they expire (the SDK's own margin for a provider's identity). */
export const REFRESH_BEFORE_EXPIRY_MS = 5 * 60_000;

/**
 * The hub could not get credentials for a place: AssumeRole of `roleArn` failed. `transient`
 * (throttled, a 5xx, no answer) is worth another round later; otherwise (AccessDenied: the spoke
 * is not deployed there, its trust names another role, the account is outside the organization;
 * RegionDisabledException) a human must look, and nothing is launched.
 */
export class SpokeAccessError extends Error {
  constructor(
    readonly roleArn: string,
    readonly place: Place,
    readonly transient: boolean,
    readonly why: string,
    options?: { cause?: unknown },
  ) {
    super(`AssumeRole of ${roleArn} for account ${place.account} region ${place.region} failed: ${why}`, options);
    this.name = "SpokeAccessError";
  }
}

/**
 * One provider of `roleArn`'s credentials for all of a place's clients: held until five minutes
 * before they expire, one AssumeRole in flight at a time, failures typed and never kept.
 */
export function sharedRoleCredentials(provider: AwsCredentialIdentityProvider, roleArn: string, place: Place, now: () => number = () => Date.now()): AwsCredentialIdentityProvider {
  let held: { identity: AwsCredentialIdentity; expiresMs: number } | undefined;
  let pending: Promise<AwsCredentialIdentity> | undefined;
  return () => {
    if (held !== undefined && held.expiresMs - now() > REFRESH_BEFORE_EXPIRY_MS) return Promise.resolve(held.identity);
    pending ??= provider()
      .then(
        (identity) => {
          held = { identity, expiresMs: identity.expiration?.getTime() ?? Number.POSITIVE_INFINITY };
          logJson("INFO", "spoke role assumed", { account: place.account, region: place.region, roleArn, expiration: identity.expiration?.toISOString() });
          return identity;
        },
        (err: unknown) => {
          held = undefined;
          // The STS client's errors carry $metadata and $fault like ECS's: throttling, a 5xx or no answer pass.
          const transient = classifyEcsError(err).outcome !== "gave_up";
          const { errorName, errorMessage } = describeError(err);
          throw new SpokeAccessError(roleArn, place, transient, `${errorName}: ${errorMessage}`, { cause: err });
        },
      )
      .finally(() => {
        pending = undefined;
      });
    return pending;
  };
}
