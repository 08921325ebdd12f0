// What Slack received, read back as a person would: how many notices a post tells of. The drill's own
// reading of the payloads (never the notifier's count of what it sent): a failure's own message is one
// notice, a storm digest says how many it counts in its first line, an alarm or a thread reply tells
// of none that was not already counted.
import { KIND_EMOJI } from "../../lambda/notifier/format";
import type { SlackDelivery } from "./local-slack";

/** The emoji a failure's own message starts its header with (alarms and plain text excluded). */
const NOTICE_EMOJI = new Set(Object.entries(KIND_EMOJI).filter(([kind]) => kind !== "alarm" && kind !== "text").map(([, emoji]) => emoji));
/** A digest's fallback text: "ecs-rerun storm digest: 312 notices (...)". */
const DIGEST = /^ecs-rerun storm digest: (\d+) notices\b/;

/** Notices a post Slack accepted tells of: 1 for a failure's message, N for a digest of N, 0 otherwise. */
export function noticesInPost(delivery: SlackDelivery): number {
  if (delivery.answeredWith !== "ok" || delivery.method === "chat.update") return 0;
  const payload = delivery.payload as { text?: unknown; thread_ts?: unknown; blocks?: Array<{ type?: string; text?: { text?: string } }> } | null;
  if (payload === null || typeof payload !== "object") return 0;
  // A reply in a failure's thread repeats a step of a failure whose first message counted it.
  if (typeof payload.thread_ts === "string") return 0;
  const digest = typeof payload.text === "string" ? DIGEST.exec(payload.text) : null;
  if (digest) return Number(digest[1]);
  const header = payload.blocks?.find((b) => b.type === "header")?.text?.text ?? "";
  return NOTICE_EMOJI.has(header.split(" ")[0]) ? 1 : 0;
}
