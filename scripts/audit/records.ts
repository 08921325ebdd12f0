/**
 * The audit's input, offline: CloudTrail records as people have them at hand. A trail's log file
 * (`{"Records": [...]}`, as CloudTrail writes it to S3, gzipped or not), the output of
 * `aws cloudtrail lookup-events` (`{"Events": [{"CloudTrailEvent": "<the record as JSON text>"}]}`),
 * EventBridge events (`{"detail-type": "AWS API Call via CloudTrail", "detail": <record>}`), or a JSON
 * array or JSON lines of any of these. Sources: CloudTrail User Guide, "CloudTrail log file examples"
 * (the Records array); CloudTrail API Reference, LookupEvents (Events[].CloudTrailEvent, "A JSON
 * string that contains a representation of the event returned").
 */
import { gunzipSync } from "node:zlib";

/** A problem with the records given: reported plainly, exit code 2. */
export class RecordsUnreadable extends Error {}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** The bytes of a file or of standard input as text: gunzipped when they start with gzip's magic number. */
export function recordsText(bytes: Buffer): string {
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      return gunzipSync(bytes).toString("utf8");
    } catch (err) {
      throw new RecordsUnreadable(`a gzip file that does not unpack: ${(err as Error).message}`);
    }
  }
  return bytes.toString("utf8");
}

/** Every CloudTrail record in one parsed JSON value (`where` names it in errors). */
function recordsOf(value: unknown, where: string): Record<string, unknown>[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => recordsOf(v, `${where}[${i}]`));
  if (!isRecord(value)) throw new RecordsUnreadable(`${where}: expected an object or an array, got ${JSON.stringify(value)?.slice(0, 40)}`);
  if (Array.isArray(value.Records)) return value.Records.flatMap((v, i) => recordsOf(v, `${where}.Records[${i}]`));
  if (Array.isArray(value.Events)) return value.Events.flatMap((v, i) => recordsOf(v, `${where}.Events[${i}]`));
  if (typeof value.CloudTrailEvent === "string") {
    let parsed: unknown;
    try {
      parsed = JSON.parse(value.CloudTrailEvent);
    } catch {
      throw new RecordsUnreadable(`${where}.CloudTrailEvent: not JSON text`);
    }
    return recordsOf(parsed, `${where}.CloudTrailEvent`);
  }
  if (isRecord(value.detail) && typeof value["detail-type"] === "string") return recordsOf(value.detail, `${where}.detail`);
  if (typeof value.eventName === "string" || typeof value.eventSource === "string") return [value];
  throw new RecordsUnreadable(`${where}: neither a CloudTrail record nor {"Records": [...]}, {"Events": [...]} or an EventBridge event`);
}

/** Parses records text: one JSON value, or JSON lines. Throws RecordsUnreadable naming what is wrong. */
export function parseRecords(text: string): Record<string, unknown>[] {
  const trimmed = text.trim();
  if (trimmed === "") throw new RecordsUnreadable("empty: expected CloudTrail records as JSON");
  try {
    return recordsOf(JSON.parse(trimmed), "records");
  } catch (err) {
    if (!(err instanceof SyntaxError)) throw err;
  }
  // JSON lines: one value a line.
  return trimmed.split(/\r?\n/).flatMap((line, i) => {
    if (line.trim() === "") return [];
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      throw new RecordsUnreadable(`line ${i + 1}: not JSON (expected one JSON document, or one JSON value a line)`);
    }
    return recordsOf(parsed, `line ${i + 1}`);
  });
}
