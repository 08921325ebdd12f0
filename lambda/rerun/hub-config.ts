/**
 * The rerun Lambda's hub settings, read and validated once at cold start (the style of config.ts):
 * present only when the pipeline is a hub (the synthesized function gets these variables only then,
 * CONTRACT-hub.md); absent, every failure is handled in the function's own place, as before.
 */
import { ConfigurationError } from "../shared/errors";
import { type Env, envValue, jsonStringArray } from "../shared/env";
import { ACCOUNT_PATTERN, ACCOUNT_PLACEHOLDER, ORGANIZATION_ID_PATTERN, REGION_PATTERN, REGION_PLACEHOLDER, type Admission } from "./core/relaunch/place";

export interface HubConfig extends Admission {
  /** SPOKE_ROLE_ARN_PATTERN: the relaunch role of a place, with literal {account} and {region}. */
  readonly roleArnPattern: string;
  /** AWS_REGION: the function's own region (the home place's region, and where it calls STS). */
  readonly homeRegion: string;
}

/** arn:<partition>:iam::{account}:role/<path and name with {region}> (IAM role ARNs carry no region). */
const ROLE_PATTERN = /^arn:aws[a-z-]*:iam::\{account\}:role\/[\w+=,.@\/{}-]+$/;
const ORGANIZATION_PATTERN = new RegExp(ORGANIZATION_ID_PATTERN);

function invalid(name: string, raw: string, allowed: string): ConfigurationError {
  return new ConfigurationError(`${name}=${JSON.stringify(raw)} is invalid: expected ${allowed}`);
}

/**
 * SPOKE_ROLE_ARN_PATTERN  arn:<partition>:iam::{account}:role/.../NAME-{region}   default unset (no hub)
 * SPOKE_ACCOUNTS          JSON array of 12-digit account IDs                     default []
 * SPOKE_ORGANIZATION_ID   o-xxxxxxxxxx                                            default unset
 * AWS_REGION              set by Lambda; required with SPOKE_ROLE_ARN_PATTERN
 * Returns undefined when SPOKE_ROLE_ARN_PATTERN is unset; throws ConfigurationError naming the
 * variable, its value and what is allowed otherwise (also for spoke settings without a pattern,
 * which would silently leave every spoke's failure unhandled).
 */
export function readHubConfig(env: Env): HubConfig | undefined {
  const pattern = envValue(env, "SPOKE_ROLE_ARN_PATTERN");
  const accounts = jsonStringArray(env, "SPOKE_ACCOUNTS", []);
  const organizationId = envValue(env, "SPOKE_ORGANIZATION_ID");
  if (pattern === undefined) {
    if (accounts.length > 0 || organizationId !== undefined) {
      throw new ConfigurationError("SPOKE_ROLE_ARN_PATTERN is required (the role to assume in a spoke) when SPOKE_ACCOUNTS or SPOKE_ORGANIZATION_ID is set, but is not set");
    }
    return undefined;
  }
  const roleShape = `a role ARN "arn:<partition>:iam::{account}:role/<path>/<name>" whose name contains {region} once, e.g. "arn:aws:iam::{account}:role/ecs-rerun/ecs-rerun-relaunch-{region}"`;
  if (!ROLE_PATTERN.test(pattern) || pattern.split(ACCOUNT_PLACEHOLDER).length !== 2 || pattern.split(REGION_PLACEHOLDER).length !== 2) {
    throw invalid("SPOKE_ROLE_ARN_PATTERN", pattern, roleShape);
  }
  const bad = accounts.find((a) => !ACCOUNT_PATTERN.test(a));
  if (bad !== undefined) throw invalid("SPOKE_ACCOUNTS", envValue(env, "SPOKE_ACCOUNTS") ?? "", `a JSON array of 12-digit account IDs (${JSON.stringify(bad)} is not one)`);
  if (organizationId !== undefined && !ORGANIZATION_PATTERN.test(organizationId)) {
    throw invalid("SPOKE_ORGANIZATION_ID", organizationId, 'an organization ID "o-" followed by 10 to 32 lower-case letters or digits');
  }
  if (accounts.length === 0 && organizationId === undefined) {
    throw new ConfigurationError("SPOKE_ROLE_ARN_PATTERN is set but neither SPOKE_ACCOUNTS nor SPOKE_ORGANIZATION_ID is: no spoke would ever be admitted");
  }
  const homeRegion = envValue(env, "AWS_REGION");
  if (homeRegion === undefined) throw new ConfigurationError("AWS_REGION is required (the hub's own region; Lambda sets it) when SPOKE_ROLE_ARN_PATTERN is set, but is not set");
  if (!REGION_PATTERN.test(homeRegion)) throw invalid("AWS_REGION", homeRegion, "an AWS region code such as eu-west-1");
  return { roleArnPattern: pattern, accounts, ...(organizationId !== undefined ? { organizationId } : {}), homeRegion };
}
