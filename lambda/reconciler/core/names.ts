/** Names the reconciler shares with the construct that deploys it (which must not load the SDK). */

/** The phrase every failure the reconciler starts itself is logged with; the pipeline's metric filter counts it. */
export const FOUND_BY_RECONCILER = "failure found by the reconciler";
/** Name of the cursor table's partition key, and the attribute holding a cursor (ms since the epoch). */
export const CURSOR_KEY_ATTRIBUTE = "pk";
export const CURSOR_VALUE_ATTRIBUTE = "coveredUntil";
/** Every cursor's key: `cloudtrail#<account>#<region>`. */
export const CURSOR_KEY_PREFIX = "cloudtrail#";

export function cursorKey(place: { account: string; region: string }): string {
  return `${CURSOR_KEY_PREFIX}${place.account}#${place.region}`;
}
