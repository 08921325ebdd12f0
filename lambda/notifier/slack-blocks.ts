// What a Slack message is made of, for the notifier's formatting (format.ts) and the storm digest
// (core/digest.ts): Block Kit's shapes, the emoji per kind, Slack's length limits and mrkdwn escaping.
import type { NoticeKind } from "../shared/contract";

export type SlackKind = NoticeKind | "alarm" | "text";

export interface SlackTextObject {
  type: "plain_text" | "mrkdwn";
  text: string;
  emoji?: boolean;
}

export type SlackBlock =
  | { type: "header"; text: SlackTextObject }
  | { type: "section"; text?: SlackTextObject; fields?: SlackTextObject[] }
  | { type: "context"; elements: SlackTextObject[] }
  | { type: "divider" };

export interface SlackMessage {
  /** Plain fallback (notifications, clients without Block Kit). */
  text: string;
  blocks: SlackBlock[];
}

export interface FormatOptions {
  /** Region for links when the message does not carry one (the notifier's AWS_REGION). */
  region: string;
}

/** Header emoji of a missed-run alarm (a dead man's switch: the schedule did not produce a success). */
export const MISSED_RUN_EMOJI = ":alarm_clock:";
/** Alarms named `<something>-missed-run` watch for the absence of a successful scheduled run. */
export const MISSED_RUN_SUFFIX = "-missed-run";

/** Emoji per kind, shown in the header. */
export const KIND_EMOJI: Readonly<Record<SlackKind, string>> = Object.freeze({
  detected: ":mag:",
  retrying: ":repeat:",
  still_trying: ":hourglass_flowing_sand:",
  recovered: ":white_check_mark:",
  gave_up: ":x:",
  not_retryable: ":no_entry:",
  program_failed: ":boom:",
  needs_human: ":raising_hand:",
  self_test: ":test_tube:",
  alarm: ":rotating_light:",
  text: ":speech_balloon:",
});

export const ALARM_STATE_EMOJI: Readonly<Record<string, string>> = Object.freeze({
  ALARM: KIND_EMOJI.alarm,
  OK: ":large_green_circle:",
  INSUFFICIENT_DATA: ":grey_question:",
});

// Slack limits: header 150 chars, section text 3000, field 2000; keep margins.
export const HEADER_MAX = 150;
export const SECTION_MAX = 2900;
export const FIELD_MAX = 1900;
export const PLAIN_TEXT_MAX = 2900;

export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  return `${text.slice(0, Math.max(0, max - 1))}…`;
}

/** Escapes the three characters Slack mrkdwn treats as control characters. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** A mrkdwn link; the label is escaped, the URL must not contain `|` or `>`. */
export function link(url: string, label: string): string {
  return `<${url.replace(/\|/g, "%7C").replace(/>/g, "%3E")}|${escapeMrkdwn(label)}>`;
}
