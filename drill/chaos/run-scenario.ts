// Runs one fault-sweep scenario on a started drill: builds its event, sets every local service's
// faults, runs the synthesized pipeline, and reads back what really happened.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { KIND_EMOJI } from "../../lambda/notifier/format";
import type { Drill, DrillResult } from "../runner";
import { agentEvent, EVENTS_DIR, taskEvent } from "../scenarios";
import type { Observation } from "./invariants";
import type { Scenario } from "./scenario";

type Json = Record<string, any>;

const CLUSTER = "arn:aws:ecs:ap-northeast-1:123456789012:cluster/batch-ec2";
const INSTANCE = "arn:aws:ecs:ap-northeast-1:123456789012:container-instance/batch-ec2/7a1c2b3d4e5f46a7b8c9d0e1f2a3b4c5";
const STARTTASK_FILE = join(EVENTS_DIR, "constructed__starttask-partial-AGENT__two-instances.json");
/** The hub's own place, and the spoke the sweep's drill deploys (the hub admits its cluster). */
export const HOME_PLACE = "123456789012/ap-northeast-1";
export const SPOKE_PLACE = "222233334444/eu-west-1";
export const SPOKE_CLUSTER = "arn:aws:ecs:eu-west-1:222233334444:cluster/batch-ec2";

/**
 * The EventBridge event of the scenario's failure, in its place: a spoke's is the hub's event with
 * its account and region (every ARN, the envelope, CloudTrail's recipientAccountId and awsRegion).
 */
export function failureEvent(s: Scenario): Json {
  const event = homeFailureEvent(s);
  if (s.place === "home") return event;
  return JSON.parse(JSON.stringify(event).replaceAll("123456789012", "222233334444").replaceAll("ap-northeast-1", "eu-west-1")) as Json;
}

function homeFailureEvent(s: Scenario): Json {
  switch (s.source) {
    case "runtask-rejected":
    case "partial":
    case "unprotected-cluster":
    case "hidden-environment":
      return agentEvent((d) => {
        if (s.source === "unprotected-cluster") d.requestParameters.cluster = CLUSTER.replace("batch-ec2", "unprotected");
        if (s.source === "hidden-environment") d.requestParameters.overrides.containerOverrides[0].environment = "HIDDEN_DUE_TO_SECURITY_REASONS";
        d.requestParameters.count = s.count;
        d.responseElements.tasks = Array.from({ length: s.placed }, (_, i) => ({
          taskArn: `${CLUSTER.replace(":cluster/", ":task/")}/0000000000000000000000000000000${i}`,
          containerInstanceArn: INSTANCE,
          lastStatus: "PENDING",
        }));
        d.responseElements.failures = Array.from({ length: s.count - s.placed }, () => ({ arn: INSTANCE, reason: "AGENT" }));
      });
    case "starttask-rejected":
      return JSON.parse(readFileSync(STARTTASK_FILE, "utf8")) as Json;
    case "failed-to-start": {
      // A bridge-mode task (the demo cluster's): its record carries everything the rerun needs.
      const e = taskEvent("TaskFailedToStart-RESOURCE-MEMORY");
      delete e.detail.attachments;
      return e;
    }
    case "service-task": {
      const e = taskEvent("TaskFailedToStart-RESOURCE-MEMORY");
      e.detail.group = "service:web";
      e.detail.startedBy = "ecs-svc/9223370305235423542";
      return e;
    }
    case "program-failure":
      return taskEvent("EssentialContainerExited-exit-1");
  }
}

/** The copies EventBridge delivers: the same event, later copies under another envelope id (as a CloudTrail duplicate would be). */
export function deliveries(s: Scenario): Json[] {
  const event = failureEvent(s);
  return s.deliverAt.map((_, i) => (i === 0 ? event : { ...structuredClone(event), id: `${event.id}-copy-${i}` }));
}

const EMOJI_KIND = new Map(Object.entries(KIND_EMOJI).map(([kind, emoji]) => [emoji, kind]));

/** A Slack message's notice kind, read off the emoji its header starts with. */
export function slackKind(payload: unknown): string {
  const blocks = (payload as { blocks?: Array<{ type?: string; text?: { text?: string } }> } | null)?.blocks ?? [];
  const header = blocks.find((b) => b.type === "header")?.text?.text ?? "";
  return EMOJI_KIND.get(header.split(" ")[0]) ?? "unknown";
}

/**
 * The notice kinds a person reads in a Slack message: its own kind, or, for a storm digest, "digest"
 * and the kind of each problem it names ("• :x: gave up: ..."), read off the emoji of each line.
 */
export function slackKinds(payload: unknown): string[] {
  const p = payload as { text?: unknown; blocks?: Array<{ type?: string; text?: { text?: string } }> } | null;
  if (typeof p?.text !== "string" || !p.text.startsWith("ecs-rerun storm digest:")) return [slackKind(payload)];
  const lines = (p.blocks ?? []).flatMap((b) => (b.type === "section" ? (b.text?.text ?? "").split("\n") : []));
  return ["digest", ...lines.map((l) => /^• (:[a-z_]+:) /.exec(l)?.[1]).flatMap((emoji) => (emoji && EMOJI_KIND.has(emoji) ? [EMOJI_KIND.get(emoji)!] : []))];
}

/**
 * What the run really did: the placed tasks (in every place: `tasks` by "account/region"), what Slack
 * and the queue received, the alarms. `place` is where the failure happened ("account/region").
 */
export function observe(r: DrillResult, tasks: Readonly<Record<string, readonly { startedAt?: unknown }[]>>, place: string): Observation {
  const all = Object.values(tasks).flat();
  return {
    tasks: all.map((t) => ({ ran: t.startedAt !== undefined })),
    misplacedTasks: Object.entries(tasks).reduce((n, [at, list]) => n + (at === place ? 0 : list.length), 0),
    // A notice folded into a digest (Slack answered 429) reaches a human named in it.
    slackKinds: r.notifications.flatMap(slackKinds),
    // The queue holds notices, and events the starter could not hand to Step Functions: the failure itself.
    deadLetterKinds: [...r.deadLetters.map((d) => String((d.notice as { kind?: unknown } | null)?.kind ?? "unknown")), ...Array.from({ length: r.unstartedEvents }, () => "unstarted-event")],
    alarms: r.alarms,
    // Executions of the failure, delivered or found by the reconciler; its reruns' own task events start executions of their own.
    executions: r.deliveries.filter((d) => (d.origin === "delivered" || d.origin === "reconciler") && d.executionArn !== undefined).length,
  };
}

/** Runs `s` on `drill` (reset first) and returns the result with its observation. */
export async function runScenario(drill: Drill, s: Scenario, seed: number): Promise<{ result: DrillResult; observation: Observation }> {
  drill.aws.reset();
  drill.slack.reset();
  drill.aws.setEcsScript([...s.ecs]);
  drill.slack.setScript([...s.slack]);
  const result = await drill.run(s.delivery === "never" ? [] : deliveries(s), {
    seed,
    deliverAtSeconds: s.deliverAt,
    // The failure happened, delivered or not: its record is in event history, its task among the stopped ones.
    failure: failureEvent(s),
    ...(s.reconcile ? { reconcile: { firstAfterSeconds: s.reconcilerPhaseSeconds, deaths: s.reconcilerDeaths } } : {}),
    // Long enough for every placed task to start (or not) after the last execution ended.
    holdSeconds: 120,
    faults: {
      lambda: s.lambda,
      sns: s.sns,
      operations: { DescribeTasks: s.describeTasks, ListTasks: s.listTasks, TagResource: s.tagResource, StartExecution: s.startExecution, [`UpdateItem:${drill.pipeline.launchPacer!.table}`]: s.updateItem, LookupEvents: s.lookupEvents },
      ecsStorm: s.storm,
      rulesDisabledSeconds: s.delivery === "rules-off-an-hour" ? 3600 : 0,
      eventHistory: { lookupsPerSecond: 2, delaySeconds: s.historyDelaySeconds },
    },
  });
  return { result, observation: observe(result, drill.aws.tasksByPlace(), s.place === "spoke" ? SPOKE_PLACE : HOME_PLACE) };
}
