/**
 * The name of the one execution a launch failure may have. Step Functions refuses a second
 * Standard execution with a name used in the last 90 days by default (an account may have that cut
 * to 30 by a quota request: Step Functions Developer Guide, "Execution guarantees") (ExecutionAlreadyExists; the same name
 * and input while the first is still open just returns the first), so naming each execution after
 * the failure it handles turns EventBridge's at-least-once delivery, and CloudTrail's rare duplicate
 * records, into exactly one execution per failure.
 * Source: Step Functions API reference, StartExecution `name`.
 */
import { createHash } from "node:crypto";
import { isSelfTestEvent } from "../shared/self-test";

/** Step Functions execution names: 1-80 characters; these are always safe. */
const SAFE = /^[A-Za-z0-9_-]+$/;
export const MAX_EXECUTION_NAME = 80;

function isRecord(v: unknown): v is Record<string, unknown> {
  // Stryker disable next-line ConditionalExpression: events come from JSON, whose only non-object values (strings, numbers, booleans) carry no properties either.
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** `prefix-id`, or `prefix-<sha256 of id>` when the id holds characters a name must not (or is too long). */
function named(prefix: string, id: string): string {
  const direct = `${prefix}-${id}`;
  if (SAFE.test(id) && direct.length <= MAX_EXECUTION_NAME) return direct;
  // Stryker disable next-line MethodExpression: a SHA-256 hex digest is 64 characters already; the slice only says so.
  return `${prefix}-${createHash("sha256").update(id).digest("hex").slice(0, 64)}`;
}

/**
 * The failure's identity:
 * - a CloudTrail record: its `detail.eventID` (one per API call; a duplicate record repeats it);
 * - an ECS Task State Change: the task's ID (a task stops once; its events share the task ARN);
 * - a self-test (shared/self-test.ts): its `id`, as `self-test-<id>`, so it stands out in the console;
 * - anything else: the EventBridge envelope `id` (a redelivered event keeps it).
 * Undefined when the event carries none of them: the execution then gets a generated name.
 */
export function executionNameFor(event: unknown): string | undefined {
  if (!isRecord(event)) return undefined;
  const detail = isRecord(event.detail) ? event.detail : undefined;
  if (isSelfTestEvent(event) && typeof event.id === "string" && event.id !== "") return named("self-test", event.id);
  if (typeof detail?.eventID === "string" && detail.eventID !== "") return named("ct", detail.eventID);
  if (event["detail-type"] === "ECS Task State Change" && typeof detail?.taskArn === "string" && detail.taskArn !== "") {
    return named("task", detail.taskArn.split("/").pop() as string);
  }
  if (typeof event.id === "string" && event.id !== "") return named("ev", event.id);
  return undefined;
}
