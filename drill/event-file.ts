/**
 * Reading the event the drill is asked to run (`--event FILE`), with the checks EventBridge itself
 * would make before delivering it: one JSON object of at most 256 KB with a "detail-type" and an
 * object "detail". A file that cannot be read is a usage error (the argument is wrong); one that
 * EventBridge would never deliver is an invalid event.
 */
import { readFileSync, statSync } from "node:fs";
import { VALUE_RULES } from "../modules/config";
import type { ScheduleRecord, ScheduleStore } from "./local-aws/schedules";

/** EventBridge's limit on an event's size: 256 KB (PutEvents entries and the events rules receive). */
export const EVENT_MAX_BYTES = 256 * 1024;

/** The argument is wrong (no such file, a directory): exit 2, a usage error. */
/**
 * A `--schedule` file: `{"Rule": NAME, "Targets": [...]}` (a rule and its targets, as
 * ListTargetsByRule returns them) or a GetSchedule response (`{"Name", "Target", ...}`).
 */
export function readScheduleFile(path: string): ScheduleStore {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, "utf8"));
  } catch (err) {
    throw new Error(`${path}: ${(err as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : `not JSON (${(err as Error).message})`}`);
  }
  const o = (typeof parsed === "object" && parsed !== null && !Array.isArray(parsed) ? parsed : {}) as Record<string, unknown>;
  if (typeof o.Rule === "string" && Array.isArray(o.Targets)) return { rules: { [o.Rule]: o.Targets as Record<string, unknown>[] }, schedules: [] };
  if (typeof o.Name === "string" && typeof o.Target === "object" && o.Target !== null) return { rules: {}, schedules: [o as unknown as ScheduleRecord] };
  throw new Error(`${path}: expected {"Rule": NAME, "Targets": [...]} or a GetSchedule response with Name and Target`);
}

/** A `--task-definition` file: a DescribeTaskDefinition response, `{"taskDefinition": {...}}`. */
export function readTaskDefinitionFile(path: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, "utf8"));
  } catch (err) {
    throw new Error(`${path}: ${(err as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : `not JSON (${(err as Error).message})`}`);
  }
  const td = (parsed as { taskDefinition?: { containerDefinitions?: unknown } } | null)?.taskDefinition;
  if (typeof td !== "object" || td === null || !Array.isArray(td.containerDefinitions)) {
    throw new Error(`${path}: expected a DescribeTaskDefinition response, {"taskDefinition": {"containerDefinitions": [...], ...}}`);
  }
  return parsed as Record<string, unknown>;
}

export class EventFileUnreadable extends Error {}

/** The file holds something EventBridge would never deliver: exit 2, outcome invalid_event. */
export class InvalidEventError extends Error {}

/** What a parsed JSON value is, for messages: "null", "an array", "a string", ... */
export function describeJson(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return typeof value === "object" ? "an object" : `a ${typeof value}`;
}

function sizeText(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MB` : `${bytes} bytes`;
}

/** Checks the text of an event file and returns the event; throws InvalidEventError saying what is wrong. */
export function parseEventText(text: string, file: string): Record<string, unknown> {
  const bytes = Buffer.byteLength(text, "utf8");
  if (bytes > EVENT_MAX_BYTES) {
    throw new InvalidEventError(`event file ${file} is ${sizeText(bytes)}; EventBridge events are at most 256 KB (${EVENT_MAX_BYTES} bytes), so it could never be delivered`);
  }
  let event: unknown;
  try {
    event = JSON.parse(text);
  } catch (err) {
    throw new InvalidEventError(`event file ${file} is not JSON: ${(err as Error).message}`);
  }
  if (typeof event !== "object" || event === null || Array.isArray(event)) {
    throw new InvalidEventError(`event file ${file} holds ${describeJson(event)}, expected one EventBridge event object (see drill/events/)`);
  }
  const e = event as Record<string, unknown>;
  if (typeof e["detail-type"] !== "string" || typeof e.detail !== "object" || e.detail === null || Array.isArray(e.detail)) {
    throw new InvalidEventError(`event file ${file} is not an EventBridge event: it needs "detail-type" and an object "detail" (see drill/events/)`);
  }
  if (e.region !== undefined && (typeof e.region !== "string" || !VALUE_RULES.region.pattern.test(e.region))) {
    throw new InvalidEventError(`event file ${file} has "region": ${JSON.stringify(e.region)}, expected ${VALUE_RULES.region.allowed}`);
  }
  return e;
}

/** Reads and checks `file`; its size is checked before it is read, so a huge file is refused at once. */
export function readEventFile(file: string): Record<string, unknown> {
  let size: number;
  try {
    const stat = statSync(file);
    if (!stat.isFile()) throw new Error("not a regular file");
    size = stat.size;
  } catch (err) {
    throw new EventFileUnreadable(`cannot read event file ${file}: ${(err as Error).message}`);
  }
  if (size > EVENT_MAX_BYTES) {
    throw new InvalidEventError(`event file ${file} is ${sizeText(size)}; EventBridge events are at most 256 KB (${EVENT_MAX_BYTES} bytes), so it could never be delivered`);
  }
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    throw new EventFileUnreadable(`cannot read event file ${file}: ${(err as Error).message}`);
  }
  return parseEventText(text, file);
}
