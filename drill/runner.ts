// The Drill: runs the synthesized rerun pipeline on this machine against local endpoints, on a
// simulated clock (see the class comment); its pieces live in the files imported below.

import { ECSClient, RunTaskCommand } from "@aws-sdk/client-ecs";
import { SSMClient } from "@aws-sdk/client-ssm";
import { makeHandler as makeRerunHandler } from "../lambda/rerun/handler";
import { readConfig as readRerunConfig } from "../lambda/rerun/config";
import { makeHandler as makeNotifierHandler, type NotifierHandler } from "../lambda/notifier/handler";
import { readConfig as readNotifierConfig } from "../lambda/notifier/config";
import type { Notice } from "../lambda/shared/contract";
import type { DeliveryReport, DrillOptions, DrillResult, RunOptions, RunScope, TimelineEntry } from "./drill-types";
import { LocalAws, type CloudTrailApiCallEvent } from "./local-aws";
import { LocalSlack } from "./local-slack";
import { missedRunAlarms, taskEventListener } from "./missed-run-watch";
import { noticeDelivery } from "./notice-delivery";
import { pipelineExecution } from "./pipeline-execution";
import { seededRandom } from "./seeded-random";
import { SimClock } from "./sim-clock";
import { synthesizePipeline, type SynthesizedPipeline } from "./synthesized-pipeline";

export type { DeliveryReport, DrillOptions, DrillResult, Outcome, RunOptions, TimelineEntry } from "./drill-types";

const RERUN_ACCESS_KEY = "ASIADRILLRERUNROLE01";
const SCHEDULER_ACCESS_KEY = "ASIADRILLEVENTSROLE1";
const NOTIFIER_ACCESS_KEY = "ASIADRILLNOTIFIER001";
const DRILL_START = Date.parse("2026-01-01T03:00:00Z");

/** The answers reruns get: all but the first (the original call's), unless it is the only one. */
export function rerunAnswers<T>(script: readonly T[]): T[] {
  return script.length > 1 ? script.slice(1) : [...script];
}

/**
 * Runs the synthesized rerun pipeline on this machine: the rule's event pattern, the state
 * machine's definition (executed by aws-local-stepfunctions), the real Lambda handlers, the real
 * `@aws-sdk/client-ecs` against a local ECS endpoint, SNS delivery to the notifier with Lambda's
 * async retries and on-failure queue, and a local Slack server, all on a simulated clock.
 */
export class Drill {
  readonly pipeline: SynthesizedPipeline;
  readonly aws: LocalAws;
  readonly slack: LocalSlack;
  private readonly options: DrillOptions;

  private constructor(pipeline: SynthesizedPipeline, aws: LocalAws, slack: LocalSlack, options: DrillOptions) {
    this.pipeline = pipeline;
    this.aws = aws;
    this.slack = slack;
    this.options = options;
  }

  /** Synthesizes the pipeline and starts the local endpoints. */
  static async start(options: DrillOptions = {}): Promise<Drill> {
    const pipeline = synthesizePipeline({ clusters: options.clusters ?? ["batch-ec2"], env: { ECS_RERUN_REGION: options.region ?? "ap-northeast-1" } });
    const slack = new LocalSlack({ script: options.slack ?? ["ok"] });
    const { url } = await slack.start();
    const parameters: Record<string, string> = {};
    if (pipeline.notifierEnvironment) parameters[pipeline.notifierEnvironment.SLACK_WEBHOOK_PARAMETER] = `${url}/services/T000/B000/drill`;
    const aws = new LocalAws({
      region: pipeline.region,
      ecsScript: rerunAnswers(options.ecs ?? ["ok"]),
      parameters,
      throttle: options.throttle,
      identities: {
        [RERUN_ACCESS_KEY]: { roleName: pipeline.rerunRoleName },
        [NOTIFIER_ACCESS_KEY]: { roleName: pipeline.rerunRoleName.replace(/-rerun$/, "-notifier") },
        [SCHEDULER_ACCESS_KEY]: { roleName: "batch-ec2-print-date-events", invokedBy: "events.amazonaws.com" },
      },
    });
    await aws.start();
    return new Drill(pipeline, aws, slack, options);
  }

  async stop(): Promise<void> {
    await Promise.all([this.aws.stop(), this.slack.stop()]);
  }

  /** Delivers the events at once (as EventBridge would) and runs until every execution and notice has ended. */
  async run(events: readonly unknown[], runOptions: RunOptions = {}): Promise<DrillResult> {
    const clock = new SimClock();
    const random = seededRandom(this.options.seed ?? 1);
    const realRandom = Math.random;
    const deliveries: DeliveryReport[] = [];
    const timeline: TimelineEntry[] = [];
    const notices: Notice[] = [];
    const deadLetters: { notice: unknown; error: string }[] = [];
    const running = new Set<Promise<void>>();
    const requestsBefore = this.aws.requests.length;
    const receivedBefore = this.slack.received.length;
    const tasksBefore = this.aws.launchedTasks().length;
    const note = (event: number, text: string) => {
      if (this.options.timeline ?? true) timeline.push({ t: Math.round(clock.elapsedSeconds() * 10) / 10, event, text });
    };

    const credentials = (accessKeyId: string) => ({ accessKeyId, secretAccessKey: "drill-secret", sessionToken: "drill-session" });
    const ecs = new ECSClient({ region: this.pipeline.region, endpoint: this.aws.endpoint, credentials: credentials(RERUN_ACCESS_KEY), maxAttempts: 1 });
    // Backing off inside the handler (ECS throttling) is simulated time too, and is not work in flight.
    const rerun = makeRerunHandler(readRerunConfig(this.pipeline.rerunEnvironment), { ecs, random, sleep: (ms) => clock.idleSleep(ms) });
    let notifier: NotifierHandler | undefined;
    if (this.pipeline.notifierEnvironment) {
      const ssm = new SSMClient({ region: this.pipeline.region, endpoint: this.aws.endpoint, credentials: credentials(NOTIFIER_ACCESS_KEY), maxAttempts: 1 });
      const config = readNotifierConfig({
        ...this.pipeline.notifierEnvironment,
        AWS_REGION: this.pipeline.region,
        SLACK_TIMEOUT_MS: String(this.options.slackTimeoutMs ?? 300),
      });
      notifier = makeNotifierHandler(config, { ssm });
    }

    const scope: RunScope = { pipeline: this.pipeline, clock, note, running };

    const { deliverNotice, publishedCount } = noticeDelivery(scope, notifier, deadLetters);
    const execute = pipelineExecution(scope, rerun, deliveries, notices, deliverNotice);

    let uncaught: unknown;
    // Executions record their own errors; anything thrown out of one is a drill bug and must surface.
    const start = (event: unknown, origin: DeliveryReport["origin"]) => {
      const p = execute(event, origin).catch((err) => {
        uncaught ??= err;
      });
      running.add(p);
      void p.finally(() => running.delete(p));
    };

    // The endpoint reports every call CloudTrail would record; those go through the rule too.
    const onCloudTrail = (e: CloudTrailApiCallEvent) => start(e, "cloudtrail");
    const previousListener = this.aws.setCloudTrailListener(onCloudTrail);

    const { successfulRuns, onTaskEvent } = taskEventListener(scope, start);
    const previousTaskListener = this.aws.setTaskStateChangeListener(onTaskEvent);

    const { alarmChanges, watchers, watchAlarms } = missedRunAlarms(scope, this.aws.account, successfulRuns, deliverNotice);

    let endedAt = 0;
    // The handlers log JSON lines to stdout, as Lambda ships them to CloudWatch Logs; here they
    // would drown the timeline, so they go to the caller's sink.
    const realLog = console.log;
    console.log = (...args: unknown[]) => this.options.onLambdaLog?.(args.map(String).join(" "));
    Math.random = random;
    clock.install(DRILL_START);
    try {
      if (runOptions.watchMissedRuns) watchAlarms();
      for (const event of events) start(event, "delivered");
      if (runOptions.scheduledLaunches?.length) {
        // The schedule's own RunTask calls, made with the events role as EventBridge makes them.
        const scheduler = new ECSClient({ region: this.pipeline.region, endpoint: this.aws.endpoint, credentials: credentials(SCHEDULER_ACCESS_KEY), maxAttempts: 1 });
        const launches = clock.track(async () => {
          for (const request of runOptions.scheduledLaunches!) await scheduler.send(new RunTaskCommand(request as never));
        });
        running.add(launches);
        void launches.finally(() => {
          running.delete(launches);
          scheduler.destroy();
        });
      }
      if (runOptions.holdSeconds) {
        const hold = clock.sleep(runOptions.holdSeconds * 1000);
        running.add(hold);
        void hold.finally(() => running.delete(hold));
      }
      await clock.runUntil(() => running.size === 0 || uncaught !== undefined);
      if (uncaught) throw uncaught;
      endedAt = clock.elapsedSeconds();
    } finally {
      for (const w of watchers) clearInterval(w);
      clock.uninstall();
      Math.random = realRandom;
      console.log = realLog;
      this.aws.setCloudTrailListener(previousListener);
      this.aws.setTaskStateChangeListener(previousTaskListener);
      ecs.destroy();
    }

    const launches = this.aws.requests.slice(requestsBefore).filter((r) => r.action === "RunTask" || r.action === "StartTask");
    return {
      deliveries,
      launchRequests: launches.map((r) => ({ action: r.action as "RunTask" | "StartTask", request: r.request as Record<string, unknown>, answer: r.answer })),
      notifications: this.slack.received.slice(receivedBefore).filter((r) => r.answeredWith === "ok").map((r) => r.payload),
      slackAttempts: this.slack.received.length - receivedBefore,
      deadLetters,
      notices,
      published: publishedCount(),
      timeline: timeline.sort((a, b) => a.t - b.t),
      simulatedSeconds: endedAt,
      tasksStarted: this.aws.launchedTasks().length - tasksBefore,
      throttledCalls: launches.filter((r) => r.answer === "throttled").length,
      successfulRuns: Object.fromEntries(Object.entries(successfulRuns).map(([k, v]) => [k, v.map((t) => (t - DRILL_START) / 1000)])),
      alarmChanges,
    };
  }
}
