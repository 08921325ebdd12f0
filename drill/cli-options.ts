/**
 * The drill's command line: what `npm run drill -- ...` accepts, its help text, and the checks that
 * turn a bad argument into a usage error naming the option (never a stack trace, never mistaken for
 * an invalid event). The help is written from the same table the parser reads, so they agree.
 */
import { parseArgs, type ParseArgsConfig } from "node:util";
import { INPUT_LIMITS } from "../modules/pipeline/pipeline-inputs";
import { parseEcsScript, type EcsAnswer } from "./local-aws/local-aws";
import { parseSlackScript, type SlackAnswer } from "./slack/local-slack";
import { NOTIFY_MODES, type NotifyMode } from "../lambda/shared/contract";
import { EVENT_MAX_BYTES } from "./event-file";

/** A problem with what the user typed: reported plainly, exit code 2. */
export class UsageError extends Error {}

/** Every option, with its help text (continuation lines are indented by the help's layout). */
export const OPTIONS = {
  event: {
    type: "string",
    arg: "FILE",
    help: [
      `one EventBridge event to run, as EventBridge delivers it (JSON, at most ${EVENT_MAX_BYTES / 1024} KB):`,
      'an "AWS API Call via CloudTrail" record of RunTask/StartTask, or an',
      '"ECS Task State Change" of a task that stopped; examples in drill/events/',
    ],
  },
  ecs: {
    type: "string",
    arg: "SCRIPT",
    help: [
      "answers to successive launch calls, comma-separated: ok, a failure reason",
      "(AGENT, RESOURCE:MEMORY, ...), partial:N, throttle, error:NAME, drop (no answer),",
      "5xx-after / drop-after (took effect, then a 5xx or no answer), nostart:REASON",
      "(placed, then stops with TaskFailedToStart), exit:N (runs, exits N); the first",
      "is the original call's (recorded in the event), the last repeats. Default: ok",
    ],
  },
  clusters: {
    type: "string",
    arg: "LIST",
    help: [
      "protected clusters (names or ARNs), comma-separated. Default: batch-ec2.",
      "An ARN of another account or region is a spoke's: the hub admits it,",
      "and the drill deploys a spoke there",
    ],
  },
  "task-definition": {
    type: "string",
    arg: "FILE",
    help: [
      "a DescribeTaskDefinition response for the local ECS: its essential",
      "flags decide failure and success. Default: every container essential",
    ],
  },
  schedule: {
    type: "string",
    arg: "FILE",
    help: [
      "the schedule that launched the task, served by a local EventBridge / Scheduler:",
      '{"Rule": NAME, "Targets": [...]} as ListTargetsByRule returns targets, or a',
      "GetSchedule response; examples in drill/schedules/",
    ],
  },
  deliver: {
    type: "string",
    arg: "N",
    help: [
      "deliver the event N times (0-10) over the first simulated minute, as",
      "EventBridge's at-least-once delivery may; 0: it never arrives (its delivery",
      "is best effort) and the reconciler must find it. Default: 1",
    ],
  },
  slack: { type: "string", arg: "SCRIPT", help: ["answers of Slack: ok, 500, timeout, 429 (Retry-After 1 s);", "the last repeats. Default: ok"] },
  notify: { type: "string", arg: "MODE", help: ["which steps are told (ECS_RERUN_NOTIFY): outcomes, problems, every-step.", "Default: outcomes"] },
  "slack-bot": { type: "boolean", arg: "", help: ["post with a bot token (chat.postMessage, chat.update, threads)", "instead of the webhook"] },
  json: { type: "boolean", arg: "", help: ["print exactly one JSON object instead of the timeline", '(an error too: {"error": ...}, exit code 2)'] },
  help: { type: "boolean", arg: "", short: "h", help: ["print this help"] },
} as const;

/** The help text; `scenarios` is how many shipped scenarios a bare `npm run drill` runs. */
export function usage(scenarios: number): string {
  const lines = [
    "usage: npm run drill                 run the shipped scenarios, each as a timeline",
    "       npm run drill -- --event FILE [--ecs SCRIPT] [--clusters LIST] [--slack SCRIPT]",
    "                          [--schedule FILE] [--task-definition FILE] [--deliver N]",
    "                          [--notify MODE] [--slack-bot] [--json]",
    `  (no option)      the ${scenarios} scenarios: event -> matched -> classified -> waits -> launches`,
    "                   -> Slack -> outcome",
  ];
  for (const [name, o] of Object.entries(OPTIONS)) {
    const flag = `${"short" in o ? `-${o.short}, ` : ""}--${name}${o.arg ? ` ${o.arg}` : ""}`;
    o.help.forEach((text, i) => lines.push(`  ${(i === 0 ? flag : "").padEnd(16)} ${text}`));
  }
  return lines.join("\n");
}

/** What to do, with every argument checked. */
export type DrillCommand =
  | { readonly kind: "help" }
  | { readonly kind: "scenarios" }
  | {
      readonly kind: "event";
      readonly file: string;
      readonly ecs: EcsAnswer[];
      readonly slack: SlackAnswer[];
      readonly clusters?: string[];
      /** Copies of the event to deliver. */
      readonly deliver: number;
      /** The --schedule file's path, if given. */
      readonly schedule?: string;
      /** The --task-definition file's path, if given. */
      readonly taskDefinition?: string;
      readonly json: boolean;
      /** --notify, if given. */
      readonly notify?: NotifyMode;
      /** --slack-bot: a bot token instead of the webhook. */
      readonly slackBot: boolean;
    };

const CLUSTER = new RegExp(INPUT_LIMITS.clusterPattern);

/** Parses and checks the drill's arguments; throws UsageError naming the option at fault. */
export function parseDrillArgs(argv: readonly string[]): DrillCommand {
  let values: { event?: string; ecs?: string; clusters?: string; slack?: string; deliver?: string; schedule?: string; "task-definition"?: string; json?: boolean; help?: boolean; notify?: string; "slack-bot"?: boolean };
  try {
    const options: ParseArgsConfig["options"] = Object.fromEntries(Object.entries(OPTIONS).map(([k, o]) => [k, { type: o.type, ...("short" in o ? { short: o.short } : {}) }]));
    values = parseArgs({ args: [...argv], options, strict: true }).values as typeof values;
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  if (values.help) return { kind: "help" };
  if (values.event === undefined) {
    const extra = (["ecs", "clusters", "slack", "deliver", "schedule", "task-definition", "json", "notify", "slack-bot"] as const).filter((k) => values[k] !== undefined).map((k) => `--${k}`);
    if (extra.length > 0) throw new UsageError(`${extra.join(", ")} go${extra.length === 1 ? "es" : ""} with --event FILE`);
    return { kind: "scenarios" };
  }
  const script = <T>(option: string, text: string, parse: (s: string) => T): T => {
    try {
      return parse(text);
    } catch (err) {
      throw new UsageError(`--${option}: ${(err as Error).message}`);
    }
  };
  let clusters: string[] | undefined;
  if (values.clusters !== undefined) {
    clusters = values.clusters.split(",").map((c) => c.trim()).filter((c) => c !== "");
    if (clusters.length === 0) throw new UsageError(`--clusters ${JSON.stringify(values.clusters)}: give at least one cluster name or ARN`);
    const bad = clusters.find((c) => !CLUSTER.test(c));
    if (bad !== undefined) throw new UsageError(`--clusters: ${JSON.stringify(bad)} is not a cluster name (1-255 letters, digits, - or _) or a cluster ARN`);
  }
  const deliver = values.deliver === undefined ? 1 : Number(values.deliver);
  if (!/^\d+$/.test(values.deliver ?? "1") || deliver > 10) throw new UsageError(`--deliver ${JSON.stringify(values.deliver)}: expected a whole number from 0 to 10`);
  if (values.notify !== undefined && !(NOTIFY_MODES as readonly string[]).includes(values.notify)) {
    throw new UsageError(`--notify ${JSON.stringify(values.notify)}: expected one of ${NOTIFY_MODES.join(", ")}`);
  }
  return {
    kind: "event",
    ...(values.notify !== undefined ? { notify: values.notify as NotifyMode } : {}),
    slackBot: values["slack-bot"] ?? false,
    file: values.event,
    deliver,
    ...(values.schedule !== undefined ? { schedule: values.schedule } : {}),
    ...(values["task-definition"] !== undefined ? { taskDefinition: values["task-definition"] } : {}),
    ecs: script("ecs", values.ecs ?? "ok", parseEcsScript),
    slack: script("slack", values.slack ?? "ok", parseSlackScript),
    clusters,
    json: values.json ?? false,
  };
}
