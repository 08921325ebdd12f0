/**
 * Pure Slack formatting for the notifier: an SNS message string in, a Block Kit payload out.
 * The message is a Notice (from the state machine), a CloudWatch alarm notification, or anything
 * else (posted as plain text, truncated). Its parts: what a Slack message is made of
 * (slack-blocks.ts), links into the console (console-links.ts), recognising the message
 * (parse-message.ts); here, how each kind of message reads.
 */
import type { Notice } from "../shared/contract";
import { MISSED_RUN_EMOJI, MISSED_RUN_SUFFIX, KIND_EMOJI, ALARM_STATE_EMOJI, HEADER_MAX, SECTION_MAX, FIELD_MAX, PLAIN_TEXT_MAX, truncate, escapeMrkdwn, link, type SlackTextObject, type SlackBlock, type SlackMessage, type FormatOptions } from "./slack-blocks";
import { clusterUrl, parseTaskDefinition, taskDefinitionUrl, executionUrl, cloudTrailEventUrl, taskUrl, logEventsUrl, alarmUrl } from "./console-links";
import { parseMessage, type AlarmNotification } from "./parse-message";

/** The pieces live in their own files; importers keep finding them here. */
export { type SlackKind, type SlackTextObject, type SlackBlock, type SlackMessage, type FormatOptions, MISSED_RUN_EMOJI, MISSED_RUN_SUFFIX, KIND_EMOJI, PLAIN_TEXT_MAX, truncate, escapeMrkdwn, link } from "./slack-blocks";
export { clusterUrl, parseTaskDefinition, taskDefinitionUrl, executionUrl, cloudTrailEventUrl, taskUrl, cloudWatchFragmentEncode, logEventsUrl, alarmUrl } from "./console-links";
export { type AlarmNotification, type ParsedMessage, isNotice, isAlarmNotification, parseMessage } from "./parse-message";

function header(text: string): SlackBlock {
  return { type: "header", text: { type: "plain_text", text: truncate(text, HEADER_MAX), emoji: true } };
}

function field(label: string, valueMrkdwn: string): SlackTextObject {
  return { type: "mrkdwn", text: truncate(`*${label}*\n${valueMrkdwn}`, FIELD_MAX) };
}

/** Notices published before task-state events existed carry no source: they came from CloudTrail. */
function isTaskState(n: Notice): boolean {
  return n.source === "task-state-change";
}

/**
 * Whether the notice is about a rerun that was launched or is about to be: only then does what the
 * task record could not carry over matter (a not-retryable or program-failure notice reruns nothing).
 */
function aboutARerun(n: Notice): boolean {
  switch (n.kind) {
    case "detected":
      return typeof n.nextDelaySeconds === "number";
    case "retrying":
    case "still_trying":
      return true;
    case "recovered":
    case "gave_up":
      return n.attempt > 0;
    default:
      return false;
  }
}

/** A task event's stop code for a notice: the event's own, or why there is none. */
function stopCodeText(n: Notice): string {
  return n.stopCode ?? "none recorded (an event from before ECS recorded stop codes)";
}

/** "42 s", "12 min", "3 h 5 min": how long a failure has been open. */
export function duration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 120) return `${s} s`;
  const minutes = Math.round(s / 60);
  if (minutes < 120) return `${minutes} min`;
  return `${Math.floor(minutes / 60)} h${minutes % 60 === 0 ? "" : ` ${minutes % 60} min`}`;
}

const reruns = (n: number) => `${n} rerun${n === 1 ? "" : "s"}`;

function noticeTitle(n: Notice, what: string): string {
  const open = typeof n.openSeconds === "number" ? n.openSeconds : undefined;
  switch (n.kind) {
    case "detected":
      if (n.failureType === "program_failed") return `Program failed, rerun (opted in): ${what}`;
      if (isTaskState(n)) return `ECS task failed to start: ${what}`;
      return `ECS ${n.action} rejected: ${what}`;
    case "retrying":
      return `Rerun ${n.attempt}/${n.maxAttempts} still short, retrying: ${what}`;
    case "still_trying":
      return `Still trying${open === undefined ? "" : ` after ${duration(open)}`} (rerun ${n.attempt}/${n.maxAttempts}): ${what}`;
    case "recovered":
      // The one message of a failure that heals: what it took and how long.
      return open === undefined ? `Recovered: ${what}` : `Recovered after ${reruns(n.attempt)}, ${duration(open)}: ${what}`;
    case "gave_up":
      return `Gave up: ${what}`;
    case "not_retryable":
      return `Not retryable: ${what}`;
    case "program_failed":
      return `Program failed (exited non-zero, not rerun): ${what}`;
    case "needs_human":
      return `Not rerun, a human must launch it: ${what}`;
    case "self_test":
      return "ecs-rerun self-test: the notices reach this channel";
  }
}

function section(mrkdwn: string): SlackBlock {
  return { type: "section", text: { type: "mrkdwn", text: truncate(mrkdwn, SECTION_MAX) } };
}

/** One line per failing container: name, exit code, reason and its log stream when known. */
function containerLines(n: Notice, region: string): string[] {
  return (Array.isArray(n.containers) ? n.containers : []).map((c) => {
    const group = c.logGroup ?? (n.containers?.length === 1 ? n.logGroup : undefined);
    const stream = c.logStream ?? (n.containers?.length === 1 ? n.logStream : undefined);
    const logRegion = c.logRegion ?? n.logRegion ?? region;
    const parts = [`• \`${escapeMrkdwn(c.name)}\` exited ${c.exitCode}`];
    if (c.reason) parts.push(escapeMrkdwn(c.reason));
    if (group && stream) parts.push(link(logEventsUrl(logRegion, group, stream), "logs"));
    return parts.join(" — ");
  });
}

/** What a notice's message shows, derived once from the notice. */
interface NoticeView {
  readonly region: string;
  readonly clusterName: string;
  readonly tdLabel: string;
  readonly reasons: string;
  readonly title: string;
  readonly programFailed: boolean;
  readonly reasonIsStoppedReason: boolean;
  readonly showReasons: boolean;
  readonly showStopCode: boolean;
}

function noticeView(n: Notice, fallbackRegion: string): NoticeView {
  const region = typeof n.region === "string" && n.region !== "" ? n.region : fallbackRegion;
  const clusterName = n.clusterName || n.cluster.slice(n.cluster.lastIndexOf("/") + 1) || n.cluster;
  const { family, revision } = parseTaskDefinition(n.taskDefinition);
  const tdLabel = revision === undefined ? family : `${family}:${revision}`;
  const reasonList = Array.isArray(n.reasons) ? n.reasons : [];
  const programFailed = n.kind === "program_failed";
  // For a task that failed to start, the reason IS the stopped reason: show it once, by that name.
  const reasonIsStoppedReason = n.stoppedReason !== undefined && reasonList.length === 1 && reasonList[0] === n.stoppedReason;
  return {
    region,
    clusterName,
    tdLabel,
    reasons: reasonList.join(", "),
    title: noticeTitle(n, `${tdLabel} on ${clusterName}`),
    programFailed,
    reasonIsStoppedReason,
    // No reason now (a rerun that placed everything): "none" would read as if the failure had none.
    // A task event's own cause is its stop code and stopped reason; a rejected launch's are in its
    // earlier notice and the CloudTrail event linked below.
    showReasons: !programFailed && !reasonIsStoppedReason && reasonList.length > 0,
    showStopCode: isTaskState(n) && !programFailed && reasonList.length === 0,
  };
}

/** The notice's fields section: where, what, how far along. */
function noticeFields(n: Notice, v: NoticeView): SlackTextObject[] {
  const fields: SlackTextObject[] = [
    field("Cluster", link(clusterUrl(v.region, v.clusterName), v.clusterName)),
    field("Task definition", link(taskDefinitionUrl(v.region, n.taskDefinition), v.tdLabel)),
    // A hub handles failures of many accounts and regions: where it happened leads every notice.
    field("Account / region", escapeMrkdwn(`${n.account || "unknown"} / ${v.region}`)),
  ];
  if (n.taskArn) fields.push(field("Task", link(taskUrl(v.region, v.clusterName, n.taskArn), n.taskArn.slice(n.taskArn.lastIndexOf("/") + 1))));
  if (v.showStopCode) fields.push(field("Stop code", escapeMrkdwn(stopCodeText(n))));
  if (n.stoppedReason) fields.push(field("Stopped reason", escapeMrkdwn(n.stoppedReason)));
  if (v.showReasons) fields.push(field("Reasons", escapeMrkdwn(v.reasons)));
  // A recovery's own reasons are none: what the failure was comes from its first observation.
  if (Array.isArray(n.firstReasons) && n.firstReasons.length > 0 && !v.reasonIsStoppedReason) fields.push(field("Failed with", escapeMrkdwn(n.firstReasons.join(", "))));
  if (!v.programFailed) {
    fields.push(field("Attempt", `${n.attempt}/${n.maxAttempts}`));
    fields.push(field("Placed", `${n.placed}/${n.requested}`));
  }
  if (typeof n.nextDelaySeconds === "number") fields.push(field("Next retry", `in ${n.nextDelaySeconds}s`));
  if (n.startedBy) fields.push(field("Started by", escapeMrkdwn(n.startedBy)));
  if (n.requestSource) fields.push(field("Request from", escapeMrkdwn(n.requestSource)));
  // Slack allows at most 10 fields per section.
  return fields.slice(0, 10);
}

/** What a human needs beyond the fields: how it was found, the containers, the message, what a rerun lacks, a command to run. */
function noticeSections(n: Notice, region: string): SlackBlock[] {
  const blocks: SlackBlock[] = [];
  // Its event never started an execution: the rerun is the reconciler's, and the event path (the rule,
  // the trail, a spoke's forwarding) wants a look, which the FoundByReconciler alarm also says.
  if (n.foundBy === "reconciler") blocks.push(section("*Found by the reconciler*: this failure's event never reached the pipeline, so the reconciler found it in what AWS keeps (CloudTrail event history or the cluster's stopped tasks). Check the event path: the rules, the trail, a spoke's forwarding."));
  const containers = containerLines(n, region);
  if (containers.length > 0) blocks.push(section(`*Containers*\n${containers.join("\n")}`));
  if (n.message) blocks.push(section(`*Message*\n${escapeMrkdwn(n.message)}`));
  // A rerun rebuilt from a task record lacks what the record does not carry: say so, so that the
  // human can judge the rerun (or repeat the job by hand with the full request).
  if (n.kind === "needs_human") {
    // A hub that may not act in the place (account not admitted, role not assumable) has nothing
    // missing from the request: its message says why, and the command below is to run there.
    if (Array.isArray(n.missing) && n.missing.length > 0) {
      blocks.push(section(`*Could not be recovered* (so nothing was launched: a rerun without them would be another job)\n${escapeMrkdwn(n.missing.join(", "))}`));
    }
    if (n.runTaskCommand) blocks.push(section(`*Everything that could be recovered*, to complete and run with credentials of account ${n.account}\n\`\`\`${n.runTaskCommand.replace(/\`/g, "'")}\`\`\``));
  }
  if (n.kind === "not_retryable" && n.runTaskCommand) {
    if (Array.isArray(n.missing) && n.missing.length > 0) {
      blocks.push(section(`*Left out of the command below* (put them back before running it)\n${escapeMrkdwn(n.missing.join(", "))}`));
    }
    blocks.push(section(`*To launch it by hand* once its cause is fixed, with credentials of account ${n.account}\n\`\`\`${n.runTaskCommand.replace(/\`/g, "'")}\`\`\``));
  }
  if (aboutARerun(n) && Array.isArray(n.notCarriedOver) && n.notCarriedOver.length > 0) {
    blocks.push(section(`*Not carried over to the rerun* (the stopped task does not record them)\n${escapeMrkdwn(n.notCarriedOver.join(", "))}`));
  }
  return blocks;
}

/** The links line: the execution, the CloudTrail event, where and when. */
function noticeContext(n: Notice, region: string): SlackBlock {
  const links: string[] = [];
  // The execution runs where the pipeline (a hub) is, which need not be where the task failed.
  if (n.executionArn) links.push(link(executionUrl(regionFromArn(n.executionArn) ?? region, n.executionArn), "Step Functions execution"));
  // A task state change's id is an EventBridge event id, which CloudTrail does not know.
  if (!isTaskState(n)) links.push(link(cloudTrailEventUrl(region, n.eventId), "CloudTrail event"));
  return {
    type: "context",
    elements: [{ type: "mrkdwn", text: truncate(`${[...links, escapeMrkdwn(`${n.account} ${region} ${n.eventTime}`)].join(" · ")}`, SECTION_MAX) }],
  };
}

/** The plain-text fallback (notifications, clients without blocks). */
function noticeText(n: Notice, v: NoticeView): string {
  const failedContainers = (Array.isArray(n.containers) ? n.containers : []).map((c) => `${c.name} exited ${c.exitCode}`);
  const text = [
    `${KIND_EMOJI[n.kind]} ${v.title}`,
    `account ${n.account || "unknown"} region ${v.region}`,
    ...(n.stoppedReason && !v.programFailed ? [`stopped reason: ${n.stoppedReason}`] : []),
    ...(v.showStopCode ? [`stop code: ${stopCodeText(n)}`] : []),
    ...(v.showReasons ? [`reasons: ${v.reasons}`] : []),
    ...(failedContainers.length > 0 ? [failedContainers.join(", ")] : []),
    ...(!v.programFailed ? [`attempt ${n.attempt}/${n.maxAttempts}`, `placed ${n.placed}/${n.requested}`] : []),
    ...(typeof n.nextDelaySeconds === "number" ? [`next retry in ${n.nextDelaySeconds}s`] : []),
    ...(n.message ? [n.message] : []),
  ].join(" | ");
  return truncate(text, PLAIN_TEXT_MAX);
}

function formatNotice(n: Notice, fallbackRegion: string): SlackMessage {
  const v = noticeView(n, fallbackRegion);
  const blocks: SlackBlock[] = [header(`${KIND_EMOJI[n.kind]} ${v.title}`), { type: "section", fields: noticeFields(n, v) }, ...noticeSections(n, v.region), noticeContext(n, v.region)];
  return { text: noticeText(n, v), blocks };
}

/**
 * A self-test's message (npm run self-test): which execution carried it through the starter, the
 * state machine, the rerun Lambda and the topic, in which account and region, and who sent it.
 */
function formatSelfTest(n: Notice, fallbackRegion: string): SlackMessage {
  const region = typeof n.region === "string" && n.region !== "" ? n.region : fallbackRegion;
  const title = `${KIND_EMOJI.self_test} ${noticeTitle(n, "")}`;
  const fields: SlackTextObject[] = [field("Account / region", escapeMrkdwn(`${n.account || "unknown"} / ${region}`)), field("Sent", escapeMrkdwn(n.eventTime))];
  if (n.sentBy) fields.push(field("Sent by", escapeMrkdwn(n.sentBy)));
  const blocks: SlackBlock[] = [header(title), { type: "section", fields }];
  if (n.message) blocks.push(section(escapeMrkdwn(n.message)));
  if (n.executionArn) {
    blocks.push({ type: "context", elements: [{ type: "mrkdwn", text: truncate(link(executionUrl(regionFromArn(n.executionArn) ?? region, n.executionArn), "Step Functions execution"), SECTION_MAX) }] });
  }
  const text = [title, `account ${n.account || "unknown"} region ${region}`, ...(n.message ? [n.message] : [])].join(" | ");
  return { text: truncate(text, PLAIN_TEXT_MAX), blocks };
}

function regionFromArn(arn: string | undefined): string | undefined {
  const parts = (arn ?? "").split(":");
  return parts.length >= 6 && parts[0] === "arn" && parts[3] ? parts[3] : undefined;
}

export function isMissedRunAlarm(a: AlarmNotification): boolean {
  return a.AlarmName.endsWith(MISSED_RUN_SUFFIX);
}

function alarmTitle(a: AlarmNotification): { emoji: string; title: string } {
  if (isMissedRunAlarm(a) && a.NewStateValue === "ALARM") {
    return { emoji: MISSED_RUN_EMOJI, title: `Scheduled task did not succeed in time: ${a.AlarmName}` };
  }
  if (isMissedRunAlarm(a) && a.NewStateValue === "OK") {
    return { emoji: ALARM_STATE_EMOJI.OK, title: `Scheduled task succeeded again: ${a.AlarmName}` };
  }
  return { emoji: ALARM_STATE_EMOJI[a.NewStateValue] ?? KIND_EMOJI.alarm, title: `${a.NewStateValue}: ${a.AlarmName}` };
}

function formatAlarm(a: AlarmNotification, fallbackRegion: string): SlackMessage {
  // `Region` in the notification is a display name; the ARN carries the region code.
  const region = regionFromArn(a.AlarmArn) ?? fallbackRegion;
  const { emoji, title } = alarmTitle(a);
  const missedRun = isMissedRunAlarm(a);
  const fields: SlackTextObject[] = [
    field("Alarm", link(alarmUrl(region, a.AlarmName), a.AlarmName)),
    field("State", escapeMrkdwn(a.OldStateValue ? `${a.OldStateValue} → ${a.NewStateValue}` : a.NewStateValue)),
  ];
  if (a.AWSAccountId) fields.push(field("Account", escapeMrkdwn(a.AWSAccountId)));
  fields.push(field("Region", escapeMrkdwn(region)));
  const blocks: SlackBlock[] = [header(`${emoji} ${title}`)];
  // The description of a missed-run alarm names the job: it is the headline, not a footnote.
  if (missedRun && a.AlarmDescription) blocks.push(section(`*Job*\n${escapeMrkdwn(a.AlarmDescription)}`));
  blocks.push({ type: "section", fields });
  if (a.NewStateReason) blocks.push(section(`*Reason*\n${escapeMrkdwn(a.NewStateReason)}`));
  if (!missedRun && a.AlarmDescription) {
    blocks.push({ type: "context", elements: [{ type: "mrkdwn", text: truncate(escapeMrkdwn(a.AlarmDescription), SECTION_MAX) }] });
  }
  const text = [
    `${emoji} ${title}`,
    ...(missedRun && a.AlarmDescription ? [a.AlarmDescription] : []),
    ...(a.NewStateReason ? [a.NewStateReason] : []),
  ].join(" | ");
  return { text: truncate(text, PLAIN_TEXT_MAX), blocks };
}

function formatText(message: string): SlackMessage {
  const body = truncate(message, PLAIN_TEXT_MAX);
  return {
    text: body,
    blocks: [
      header(`${KIND_EMOJI.text} ecs-rerun message`),
      { type: "section", text: { type: "mrkdwn", text: truncate(escapeMrkdwn(body), SECTION_MAX) } },
    ],
  };
}

/** Formats one SNS message into a Slack Block Kit payload with a plain `text` fallback. */
export function formatSlackMessage(message: string, options: FormatOptions): SlackMessage {
  const parsed = parseMessage(message);
  if (parsed.kind === "text") return formatText(parsed.text);
  if (parsed.kind === "alarm") return formatAlarm(parsed.alarm, options.region);
  if (parsed.kind === "self_test") return formatSelfTest(parsed.notice, options.region);
  return formatNotice(parsed.notice, options.region);
}
