/**
 * Storms become one summary (pure): when more than DIGEST_ABOVE_PER_MINUTE notices of one pipeline
 * arrive in a minute, the rest of that minute's notices are folded into a digest that the notifier
 * posts at most once a minute: counts by outcome, cluster and reason, the oldest failure still open,
 * every problem that needs a human by name (up to Block Kit's 50 blocks a message, then "and N more"
 * with a link), and a console link.
 *
 * Block Kit: "you can include up to 50 blocks in each message" (Slack, Block Kit reference, "Blocks";
 * docs.slack.dev/reference/block-kit/blocks); a section's text up to 3,000 characters, a header's 150,
 * a section up to 10 fields of 2,000 (the limits format.ts keeps margins to).
 */
import type { Notice, NoticeKind } from "../../shared/contract";
import { KIND_EMOJI, escapeMrkdwn, executionUrl, link, parseTaskDefinition, truncate, type SlackBlock, type SlackMessage } from "../format";

/** The length of a window: notices are counted per minute. */
export const WINDOW_MS = 60_000;
/** Slack's limit of blocks in one message. */
export const MAX_BLOCKS = 50;
/** Every digest's fallback text starts with this (what a person's notification shows). */
export const DIGEST_TITLE = "ecs-rerun storm digest";
const SECTION_MAX = 2900;
const FIELD_MAX = 1900;
/** Lines of the counts by cluster and by reason before "and N more". */
const TOP = 8;

/** The counter item of the minute `nowMs` falls in. */
export function windowKey(nowMs: number): string {
  return `window#${Math.floor(nowMs / WINDOW_MS)}`;
}

/** Whether the `count`-th notice of its minute is folded into the digest rather than posted on its own. */
export function folds(count: number, abovePerMinute: number): boolean {
  return count > abovePerMinute;
}

/** Kinds whose failure a person must act on (or learn its job did not run): named one by one in the digest. */
const NEEDS_A_HUMAN: ReadonlySet<NoticeKind> = new Set(["gave_up", "needs_human", "not_retryable", "program_failed"]);
/** Kinds of a failure still open when its notice was written. */
const OPEN: ReadonlySet<NoticeKind> = new Set(["detected", "retrying", "still_trying"]);

const LABEL: Readonly<Record<NoticeKind, string>> = {
  detected: "detected",
  retrying: "retrying",
  still_trying: "still trying",
  recovered: "recovered",
  gave_up: "gave up",
  not_retryable: "not retryable",
  program_failed: "program failed",
  needs_human: "needs a human",
  self_test: "self-test",
};

/** Console page of the state machine's executions, from one execution's ARN. */
export function executionsUrl(executionArn: string, fallbackRegion: string): string | undefined {
  const parts = executionArn.split(":");
  if (parts.length < 8 || parts[0] !== "arn" || parts[5] !== "execution") return undefined;
  const region = parts[3] || fallbackRegion;
  const machine = [...parts.slice(0, 5), "stateMachine", parts[6]].join(":");
  return `https://${region}.console.aws.amazon.com/states/home?region=${region}#/statemachines/view/${machine}`;
}

/** Counts of `keys`, largest first (then by name), as "name: n" lines, the tail folded into "and N more". */
function countLines(keys: readonly string[], top: number): string[] {
  const counts = new Map<string, number>();
  for (const k of keys) counts.set(k, (counts.get(k) ?? 0) + 1);
  const sorted = [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  const lines = sorted.slice(0, top).map(([k, n]) => `${escapeMrkdwn(k)}: ${n}`);
  if (sorted.length > top) lines.push(`and ${sorted.length - top} more`);
  return lines;
}

const field = (label: string, lines: readonly string[]) => ({ type: "mrkdwn" as const, text: truncate(`*${label}*\n${lines.join("\n") || "none"}`, FIELD_MAX) });
const section = (text: string): SlackBlock => ({ type: "section", text: { type: "mrkdwn", text: truncate(text, SECTION_MAX) } });
const hhmm = (ms: number) => new Date(ms).toISOString().slice(11, 16);

function what(n: Notice): string {
  const { family, revision } = parseTaskDefinition(n.taskDefinition);
  return `${revision === undefined ? family : `${family}:${revision}`} on ${n.clusterName || n.cluster}`;
}

/** One line naming a problem: its kind, job, place, reason and execution. */
function problemLine(n: Notice, region: string): string {
  const reasons = (n.firstReasons ?? n.reasons ?? []).join(", ");
  const exec = n.executionArn ? ` ${link(executionUrl(n.executionArn.split(":")[3] || region, n.executionArn), "execution")}` : "";
  return `• ${KIND_EMOJI[n.kind]} ${LABEL[n.kind]}: \`${escapeMrkdwn(what(n))}\` (${escapeMrkdwn(`${n.account} / ${n.region || region}`)})${reasons ? ` — ${escapeMrkdwn(reasons)}` : ""}${exec}`;
}

export interface DigestOptions {
  /** Region of the notifier, for links when a notice carries none. */
  readonly region: string;
  /** The window the folded notices arrived in (ms since the epoch): first and last. */
  readonly fromMs: number;
  readonly toMs: number;
}

/**
 * The digest of `notices` (each counted once: the caller passes every folded notice it will
 * delete once this is posted). Its fallback text starts with "<DIGEST_TITLE>: <N> notices".
 */
export function formatDigest(notices: readonly Notice[], options: DigestOptions): SlackMessage {
  const { region } = options;
  const byKind = countLines(notices.map((n) => LABEL[n.kind]), NOTICE_KIND_COUNT);
  const byCluster = countLines(notices.map((n) => `${n.clusterName || n.cluster} (${n.account} / ${n.region || region})`), TOP);
  const byReason = countLines(notices.flatMap((n) => (n.firstReasons ?? n.reasons ?? []).slice(0, 1)).map((r) => r || "none"), TOP);
  const problems = notices.filter((n) => NEEDS_A_HUMAN.has(n.kind));
  const open = notices.filter((n) => OPEN.has(n.kind)).sort((a, b) => Date.parse(a.eventTime) - Date.parse(b.eventTime));
  const consoleUrl = notices.map((n) => executionsUrl(n.executionArn, region)).find((u) => u !== undefined);

  const blocks: SlackBlock[] = [
    { type: "header", text: { type: "plain_text", text: truncate(`:bar_chart: Storm: ${notices.length} notices folded into one digest`, 150), emoji: true } },
    section(`More notices than one a person can read arrived between ${hhmm(options.fromMs)} and ${hhmm(options.toMs)} UTC; each is counted here once.`),
    { type: "section", fields: [field("By outcome", byKind), field("By cluster", byCluster), field("By reason", byReason)] },
  ];
  const oldest = open[0];
  blocks.push(
    section(
      oldest === undefined
        ? "*Oldest open failure*: none of these is still open"
        : `*Oldest open failure* (of ${open.length} still open): \`${escapeMrkdwn(what(oldest))}\` (${escapeMrkdwn(`${oldest.account} / ${oldest.region || region}`)}), failed at ${escapeMrkdwn(oldest.eventTime)}${oldest.executionArn ? `, ${link(executionUrl(oldest.executionArn.split(":")[3] || region, oldest.executionArn), "execution")}` : ""}`,
    ),
  );
  // Every problem by name, a section of lines at a time, while blocks are left for the tail and the context.
  const tail: SlackBlock = { type: "context", elements: [{ type: "mrkdwn", text: consoleUrl ? `${link(consoleUrl, "All executions of the state machine")} · posted at most once a minute during a storm` : "posted at most once a minute during a storm" }] };
  let listed = 0;
  if (problems.length > 0) {
    blocks.push({ type: "divider" }, section(`*Needing a human: ${problems.length}*`));
    const room = MAX_BLOCKS - blocks.length - 2; // the "and N more" section and the context
    let sections = 0;
    let lines: string[] = [];
    const flush = () => {
      if (lines.length === 0) return;
      blocks.push(section(lines.join("\n")));
      sections++;
      lines = [];
    };
    for (const n of problems) {
      const line = problemLine(n, region);
      if ([...lines, line].join("\n").length > SECTION_MAX) {
        if (sections + 1 >= room) break;
        flush();
      }
      if (line.length > SECTION_MAX) continue; // cannot be shown whole; counted in "and N more"
      lines.push(line);
      listed++;
    }
    flush();
    if (listed < problems.length) {
      blocks.push(section(`…and ${problems.length - listed} more needing a human${consoleUrl ? `: ${link(consoleUrl, "see the executions")}` : ""}`));
    }
  }
  blocks.push(tail);
  const text = `${DIGEST_TITLE}: ${notices.length} notices (${byKind.join(", ")}) between ${hhmm(options.fromMs)} and ${hhmm(options.toMs)} UTC${problems.length > 0 ? `; ${problems.length} need a human` : ""}`;
  return { text: truncate(text, 2900), blocks };
}

/** Every kind fits in the counts by outcome. */
const NOTICE_KIND_COUNT = Object.keys(LABEL).length;
