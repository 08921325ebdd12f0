/** Rerun core: the deterministic clientToken that makes a repeated rerun idempotent at ECS. */
import { createHash } from "node:crypto";

export const CLIENT_TOKEN_PREFIX = "ecs-rerun-";

/**
 * clientToken of the `attempt`-th rerun of the failure whose event is `eventId` (CloudTrail
 * eventID, or the envelope id of a task state change): "ecs-rerun-" + the first 40 hex characters
 * of sha256(`${eventId}:${attempt}`) (50 characters; ECS allows up to 64).
 *
 * Deterministic on purpose: event delivery is best effort and can duplicate an event, and
 * Lambda / Step Functions retry steps. Any repeat of the same rerun sends the same token with the
 * same parameters, and ECS answers it with the first answer instead of launching again (tokens are
 * idempotent per cluster for 24 h). Different attempts and different events get different tokens,
 * so a real next attempt is never mistaken for a repeat. The caller's own clientToken is never
 * reused: same token + same parameters would return the original (failed) answer, same token +
 * other parameters is a ConflictException.
 */
export function clientToken(eventId: string, attempt: number): string {
  const digest = createHash("sha256").update(`${eventId}:${attempt}`).digest("hex");
  return `${CLIENT_TOKEN_PREFIX}${digest.slice(0, 40)}`;
}
