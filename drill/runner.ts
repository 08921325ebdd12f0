// The Drill: runs the synthesized rerun pipeline on this machine against local endpoints, on a
// simulated clock (see the class comment); its pieces live in the files imported below.

import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { ECSClient, RunTaskCommand } from "@aws-sdk/client-ecs";
import { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import { SchedulerClient } from "@aws-sdk/client-scheduler";
import { SFNClient } from "@aws-sdk/client-sfn";
import { SQSClient } from "@aws-sdk/client-sqs";
import { SSMClient } from "@aws-sdk/client-ssm";
import type { EcsSender } from "../lambda/rerun/handler";
import { makeHandler as makeStarterHandler } from "../lambda/starter/handler";
import { makeHandler as makeRunCounterHandler } from "../lambda/run-counter/handler";
import { readConfig as readRerunConfig } from "../lambda/rerun/config";
import { readPacingConfig, type DynamoSender } from "../lambda/rerun/pacer";
import { readHubConfig } from "../lambda/rerun/hub-config";
import { makeSpokeClients, type PlaceClients } from "../lambda/rerun/spoke-access";
import { makeHandler as makeNotifierHandler, type NotifierHandler } from "../lambda/notifier/handler";
import { readConfig as readNotifierConfig } from "../lambda/notifier/config";
import type { Notice } from "../lambda/shared/contract";
import { plantedDefinition, plantedRerunHandler, plantedSfn, skipAWindow } from "./chaos/defects";
import { phraseMatcher } from "./simulation/cloudwatch";
import type { DeliveryReport, DrillOptions, DrillResult, RunOptions, RunScope, TimelineEntry } from "./drill-types";
import { inProcessFetch, inProcessRequestHandler } from "./transport/in-process";
import { LocalAws, type CloudTrailApiCallEvent } from "./local-aws/local-aws";
import { LocalSlack } from "./slack/local-slack";
import { missedRunAlarms, taskEventListener } from "./simulation/missed-run-watch";
import { digestSchedule, noticeDelivery } from "./simulation/notice-delivery";
import { pipelineExecution, ReportSink } from "./simulation/pipeline-execution";
import { seededRandom } from "./simulation/seeded-random";
import { SimClock } from "./simulation/sim-clock";
import type { SynthesizedPipeline } from "./synthesized/synthesized-pipeline";
import { failureTimeOf, recordFailure } from "./recorded-failure";
import { runReconciler } from "./simulation/reconciler-schedule";
import { routeEvent } from "./simulation/event-routing";
import { deployLocally, NOTIFIER_ACCESS_KEY, RECONCILER_ACCESS_KEY, RERUN_ACCESS_KEY, SCHEDULER_ACCESS_KEY, STARTER_ACCESS_KEY } from "./local-deployment";

export { DRILL_BOT_TOKEN_PARAMETER, DRILL_SLACK_CHANNEL, rerunAnswers } from "./local-deployment";
export type { DeliveryReport, DrillOptions, DrillResult, Outcome, RunOptions, TimelineEntry } from "./drill-types";

const DRILL_START = Date.parse("2026-01-01T03:00:00Z");

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

  /** Synthesizes the pipeline and starts the local endpoints (local-deployment.ts). */
  static async start(options: DrillOptions = {}): Promise<Drill> {
    const { pipeline, aws, slack } = await deployLocally(options);
    return new Drill(pipeline, aws, slack, options);
  }

  async stop(): Promise<void> {
    await Promise.all([this.aws.stop(), this.slack.stop()]);
  }

  /** Launch calls the endpoint answered so far, and how many of them it throttled (whoever called). */
  private launchCounts(): { calls: number; throttled: number } {
    const count = (answer?: string) => this.aws.countOf("RunTask", answer) + this.aws.countOf("StartTask", answer);
    return { calls: count(), throttled: count("throttled") };
  }

  /**
   * Delivers the events (at once, or at `deliverAtSeconds`, as EventBridge would) and runs until
   * every execution and notice has ended. `events` may be any iterable: the drill keeps no event it
   * has delivered, so a storm made by a generator holds only what the live executions hold.
   */
  async run(events: Iterable<unknown>, runOptions: RunOptions = {}): Promise<DrillResult> {
    const clock = new SimClock();
    const random = seededRandom(runOptions.seed ?? this.options.seed ?? 1);
    const realRandom = Math.random;
    const keepAll = this.options.keep !== "summary";
    const reports = new ReportSink(keepAll);
    const timeline: TimelineEntry[] = [];
    const notices: Notice[] | undefined = keepAll ? [] : undefined;
    const deadLetters: { notice: unknown; error: string }[] = [];
    const running = new Set<Promise<void>>();
    // The failure where AWS keeps it whether or not its event is ever delivered: a CloudTrail record
    // in its place's event history, a stopped task among its place's tasks. The run starts at its time.
    const failure = runOptions.failure;
    if (failure) recordFailure(this.aws, failure);
    const startMs = (failure && failureTimeOf(failure)) ?? DRILL_START;
    const requestsBefore = this.aws.requests.length;
    const receivedBefore = this.slack.received.length;
    const tasksBefore = new Map(Object.entries(this.aws.tasksByPlace()).map(([place, tasks]) => [place, tasks.length]));
    const launchesBefore = this.launchCounts();
    const note = (event: number, text: string) => {
      if (keepAll && (this.options.timeline ?? true)) timeline.push({ t: Math.round(clock.elapsedSeconds() * 10) / 10, event, text });
    };

    // Every client of the run: the local endpoint's address, the caller's keys, and (in-process) no socket.
    // cacheMiddleware (an SDK client option) reuses each command type's resolved middleware instead of
    // resolving it on every call; it changes no request, and a storm makes tens of thousands.
    const inProcess = this.options.transport === "in-process";
    const client = (accessKeyId: string) => ({
      region: this.pipeline.region,
      endpoint: this.aws.endpoint,
      credentials: { accessKeyId, secretAccessKey: "drill-secret", sessionToken: "drill-session" },
      maxAttempts: 1,
      cacheMiddleware: true,
      ...(inProcess ? { requestHandler: inProcessRequestHandler(this.aws) } : {}),
    });
    const ecs = new ECSClient(client(RERUN_ACCESS_KEY));
    const rerunConfig = readRerunConfig(this.pipeline.rerunEnvironment);
    const eventBridge = new EventBridgeClient(client(RERUN_ACCESS_KEY));
    const schedulerClient = new SchedulerClient(client(RERUN_ACCESS_KEY));
    // The launch pacer: the synthesized table and rate (or the rate the caller deploys with), on the local DynamoDB.
    const rate = this.options.launchesPerSecond;
    const pacingConfig = readPacingConfig({
      ...this.pipeline.rerunEnvironment,
      ...(rate !== undefined ? { LAUNCHES_PER_SECOND: String(rate) } : {}),
      // As deployed with pace_launches = false: no table, so no pacing.
      ...(this.options.pace === false ? { PACER_TABLE: "" } : {}),
    });
    const dynamodb = new DynamoDBClient(client(RERUN_ACCESS_KEY));
    // A hub's clients for its spokes' places, by the factory index.ts uses (makeSpokeClients):
    // credentials of the relaunch role from the local STS (called with the rerun role's own keys),
    // clients signed for the spoke's region, all kept for the run like a warm container keeps them.
    const hubConfig = this.pipeline.hub ? readHubConfig({ ...this.pipeline.rerunEnvironment, AWS_REGION: this.pipeline.region }) : undefined;
    const spokeClientsMade: { destroy(): void }[] = [];
    const spokes =
      hubConfig &&
      makeSpokeClients(hubConfig, {
        stsClientConfig: { region: this.pipeline.region, endpoint: this.aws.endpoint, maxAttempts: 1, ...(inProcess ? { requestHandler: inProcessRequestHandler(this.aws) } : {}) },
        masterCredentials: client(RERUN_ACCESS_KEY).credentials,
        clientConfig: client(RERUN_ACCESS_KEY),
        onClient: (c) => spokeClientsMade.push(c),
      });
    // One handler per invocation, so that an invocation can die: after its first ECS call has taken
    // effect, every later call fails and its answer is lost, as when Lambda kills it at its timeout.
    // Defects the sweep's own test plants back go around the real handlers (chaos/defects.ts); with none, these are the handlers as made.
    const planted = new Set(this.options.plant ?? []);
    const rerunFor = ({ dies, onDeath, deadline }: { dies: boolean; onDeath: () => void; deadline: number }) => {
      let calls = 0;
      let dead = false;
      // Past the function's timeout Lambda has killed the invocation: no call leaves it.
      const alive = () => {
        if (!dead && Date.now() > deadline) {
          dead = true;
          onDeath();
        }
        if (dead) throw Object.assign(new Error("the invocation was killed"), { name: "InvocationKilled" });
      };
      const wrap = (inner: EcsSender): EcsSender => ({
        send: (async (command: Parameters<ECSClient["send"]>[0]) => {
          alive();
          const answer = await inner.send(command as never);
          if (dies && ++calls === 1) {
            dead = true;
            onDeath();
          }
          return answer;
        }) as EcsSender["send"],
      });
      const sender = wrap(ecs);
      // A spoke's ECS calls die with the invocation like the hub's own.
      const hub = spokes && hubConfig ? { config: hubConfig, spokes: { for: (place: { account: string; region: string }): PlaceClients => ({ ...spokes.for(place), ecs: wrap(spokes.for(place).ecs) }) } } : undefined;
      // Backing off inside the handler (ECS throttling) is simulated time too, and is not work in flight.
      const pacer: DynamoSender = {
        send: async (command) => {
          alive();
          return dynamodb.send(command);
        },
      };
      return plantedRerunHandler(rerunConfig, {
        ecs: sender,
        // The outcome lines go where Lambda's logs go (bare in Lambda; here the run's log sink).
        writeOutcome: (line) => console.log(line),
        events: eventBridge,
        scheduler: schedulerClient,
        random,
        sleep: (ms) => clock.idleSleep(ms),
        pacing: { config: pacingConfig, dynamodb: pacer },
        ...(hub ? { hub } : {}),
      }, planted);
    };
    const sfn = new SFNClient(client(STARTER_ACCESS_KEY));
    const starter = makeStarterHandler(
      { stateMachineArn: this.pipeline.stateMachineArn },
      { sfn: plantedSfn(sfn, planted) },
    );
    let notifier: NotifierHandler | undefined;
    let notifierDynamo: DynamoDBClient | undefined;
    let notifierSqs: SQSClient | undefined;
    if (this.pipeline.notifierEnvironment) {
      const ssm = new SSMClient(client(NOTIFIER_ACCESS_KEY));
      const config = readNotifierConfig({
        ...this.pipeline.notifierEnvironment,
        AWS_REGION: this.pipeline.region,
        SLACK_TIMEOUT_MS: String(this.options.slackTimeoutMs ?? 300),
        // The local Slack's Web API, where a deployment reaches https://slack.com/api.
        SLACK_API_URL: this.slack.apiUrl,
      });
      notifierDynamo = new DynamoDBClient(client(NOTIFIER_ACCESS_KEY));
      notifierSqs = new SQSClient(client(NOTIFIER_ACCESS_KEY));
      notifier = makeNotifierHandler(config, {
        ssm,
        dynamodb: notifierDynamo,
        sqs: notifierSqs,
        random,
        // A post waiting for its Slack slot is simulated time, not work in flight.
        sleep: (ms) => clock.idleSleep(ms),
        ...(inProcess ? { fetch: inProcessFetch(this.slack) } : {}),
      });
    }

    let uncaught: unknown;
    // Work records its own errors; anything thrown out of it is a drill bug and must surface.
    const track = (work: Promise<void>) => {
      const p = work.catch((err) => {
        uncaught ??= err;
      });
      running.add(p);
      void p.finally(() => running.delete(p));
    };
    const metrics: Record<string, number> = {};
    const scope: RunScope = { pipeline: this.pipeline, clock, note, running, metrics, track };

    const { deliverNotice, publishedCount } = noticeDelivery(scope, notifier, deadLetters);
    // The digest queue's redrive: a folded notice no digest could post moves to the dead-letter queue.
    this.aws.sqs.onDeadLetter = (_queue, body) => deadLetters.push({ notice: JSON.parse(body), error: "folded into the digest queue, received its maxReceiveCount times without a digest posted" });
    const storm = this.pipeline.noticeStorm;
    if (notifier && storm) this.aws.sqs.onSend = () => digestSchedule(scope, notifier!, () => this.aws.sqs.depth(storm.queueUrl), this.pipeline.notifierMaxRetries, deadLetters);
    const faults = runOptions.faults ?? {};
    const { deliver, runExecution, executions } = pipelineExecution(scope, {
      starter,
      rerunFor,
      reports,
      notices,
      deliverNotice,
      park: (message, error) => deadLetters.push({ notice: JSON.parse(message), error }),
      faults,
      definition: plantedDefinition(this.pipeline.definition, planted),
    });
    const start = (event: unknown, origin: DeliveryReport["origin"], putOnHubBusBy?: string) => {
      // The failure rules disabled (and enabled again later): what comes meanwhile is never delivered.
      if (clock.elapsedSeconds() < (faults.rulesDisabledSeconds ?? 0)) {
        if (origin === "delivered") note(0, "the failure rules are disabled: the event is not delivered");
        return;
      }
      track(deliver(event, origin, putOnHubBusBy));
    };
    const previousStarter = this.aws.setExecutionStarter((execution) => {
      const run = runExecution(execution);
      track(run.then(() => undefined));
      return run;
    });
    this.aws.setFaults(faults.operations ?? {});

    // The endpoint reports every call CloudTrail would record; those go through the rule too.
    const onCloudTrail = (e: CloudTrailApiCallEvent) => start(e, "cloudtrail");
    const previousListener = this.aws.setCloudTrailListener(onCloudTrail);

    // The run counter's verdict lines, per judgment (judgments may overlap).
    const judgeRun = async (event: unknown) => {
      const lines: string[] = [];
      const { counted } = await clock.track(() => makeRunCounterHandler({ ecs, write: (line) => lines.push(line) })(event));
      return { counted, lines };
    };
    const { successfulRuns, countedAsSuccess, countRun, onTaskEvent } = taskEventListener(scope, start, judgeRun);
    const previousTaskListener = this.aws.setTaskStateChangeListener(onTaskEvent);

    const { alarmChanges, watchers, watchAlarms } = missedRunAlarms(scope, this.aws.account, successfulRuns, deliverNotice);

    let endedAt = 0;
    // The handlers log JSON lines to stdout, as Lambda ships them to CloudWatch Logs; here they
    // would drown the timeline, so they go to the caller's sink.
    const realLog = console.log;
    // The pacer's metric filter, on the lines the Lambdas log (only the rerun Lambda logs its phrase).
    const pacerFailure = this.pipeline.launchPacer ? phraseMatcher(this.pipeline.launchPacer.failurePattern) : undefined;
    const storeFailure = this.pipeline.noticeStorm?.storeFailurePattern ? phraseMatcher(this.pipeline.noticeStorm.storeFailurePattern) : undefined;
    // The reconciler's FoundByReconciler filter likewise (only the reconciler logs its phrase).
    const foundByReconciler = this.pipeline.reconciler ? phraseMatcher(this.pipeline.reconciler.foundPattern) : undefined;
    console.log = (...args: unknown[]) => {
      const line = args.map(String).join(" ");
      if (pacerFailure?.(line)) metrics.launchPacerFailures = (metrics.launchPacerFailures ?? 0) + 1;
      if (storeFailure?.(line)) metrics.noticeStoreFailures = (metrics.noticeStoreFailures ?? 0) + 1;
      if (foundByReconciler?.(line)) metrics.foundByReconciler = (metrics.foundByReconciler ?? 0) + 1;
      this.options.onLambdaLog?.(line);
    };
    Math.random = random;
    clock.install(startMs);
    this.aws.setEcsStorm(faults.ecsStorm ? startMs + faults.ecsStorm.seconds * 1000 : 0, faults.ecsStorm?.passEvery);
    // CloudTrail event history answers at AWS's documented rate (2 lookups a second per account and region).
    this.aws.setEventHistory(faults.eventHistory ?? { lookupsPerSecond: 2 });
    let reconcilerRuns: number | undefined;
    try {
      if (runOptions.watchMissedRuns) watchAlarms();
      const reconciler = this.pipeline.reconciler;
      if (runOptions.reconcile && reconciler) {
        // The second path, on its schedule, with the reconciler role's keys; a hub's spokes through the local STS.
        let work: Promise<void> | undefined;
        const loop = runReconciler(
          {
            scope,
            reconciler,
            startMs,
            account: this.pipeline.account,
            clientConfig: { ...client(RECONCILER_ACCESS_KEY), endpoint: this.aws.endpoint },
            stsClientConfig: { region: this.pipeline.region, endpoint: this.aws.endpoint, maxAttempts: 1, ...(inProcess ? { requestHandler: inProcessRequestHandler(this.aws) } : {}) },
            historyDelaySeconds: faults.eventHistory?.delaySeconds ?? 0,
            ...(planted.has("reconciler-skips-a-window") ? { plant: skipAWindow } : {}),
          },
          runOptions.reconcile,
        );
        work = loop.then(
          (runs) => void (reconcilerRuns = runs.length),
          (err: unknown) => void (uncaught ??= err),
        );
        running.add(work);
        void work.finally(() => running.delete(work!));
      }
      const at = runOptions.deliverAtSeconds ?? [];
      let delivered = 0;
      for (const event of events) {
        const i = delivered++;
        const delay = at[i] ?? 0;
        // EventBridge sends a delivered task event to every rule it matches: the successful-runs rule too.
        const deliver = () => {
          if (runOptions.invokeStarter) return start(event, "invoked");
          countRun(event);
          start(event, "delivered", runOptions.putOnHubBusBy);
        };
        if (delay <= 0) deliver();
        else track(clock.sleep(delay * 1000).then(deliver));
      }
      if (runOptions.scheduledLaunches?.length) {
        // The schedule's own RunTask calls, made with the events role as EventBridge makes them.
        const scheduler = new ECSClient(client(SCHEDULER_ACCESS_KEY));
        const launches = clock.track(async () => {
          for (const request of runOptions.scheduledLaunches!) await scheduler.send(new RunTaskCommand(request as never));
        });
        running.add(launches);
        void launches.finally(() => {
          running.delete(launches);
          scheduler.destroy();
        });
      }
      if (runOptions.background) {
        // The schedules' own RunTask calls, a steady stream through the same ECS rate limit, until
        // every delivered event has ended: what a storm of reruns would crowd out.
        const { request, everySeconds } = runOptions.background;
        const scheduler = new ECSClient(client(SCHEDULER_ACCESS_KEY));
        const stream = (async () => {
          while (reports.summary.delivered.ended < delivered && uncaught === undefined) {
            // A throttled call is the schedule's to retry; the endpoint counts it.
            await clock.track(() => scheduler.send(new RunTaskCommand(request as never)).catch(() => undefined));
            await clock.sleep(everySeconds * 1000);
          }
        })();
        running.add(stream);
        void stream.finally(() => {
          running.delete(stream);
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
      this.aws.setExecutionStarter(previousStarter);
      this.aws.setFaults({});
      this.aws.setEcsStorm(0);
      this.aws.sqs.onSend = undefined;
      notifierDynamo?.destroy();
      notifierSqs?.destroy();
      this.aws.setEventHistory({});
      ecs.destroy();
      dynamodb.destroy();
      sfn.destroy();
      eventBridge.destroy();
      schedulerClient.destroy();
      for (const c of spokeClientsMade) c.destroy();
    }
    metrics.deadLetters = (metrics.deadLetters ?? 0) + deadLetters.length;
    // Ground truth in every place: the tasks each account and region's ECS placed during the run.
    const placedByPlace = Object.fromEntries(Object.entries(this.aws.tasksByPlace()).map(([place, tasks]) => [place, tasks.slice(tasksBefore.get(place) ?? 0)]));
    const placed = Object.values(placedByPlace).flat();

    const launches = this.aws.requests.slice(requestsBefore).filter((r) => r.action === "RunTask" || r.action === "StartTask");
    const launchesAfter = this.launchCounts();
    return {
      deliveries: reports.deliveries,
      summary: reports.summary,
      launchRequests: launches.map((r) => ({ action: r.action as "RunTask" | "StartTask", request: r.request as Record<string, unknown>, answer: r.answer, account: r.account, region: r.region })),
      notifications: this.slack.received.slice(receivedBefore).filter((r) => r.answeredWith === "ok").map((r) => r.payload),
      slackAttempts: this.slack.received.length - receivedBefore,
      deadLetters,
      notices: notices ?? [],
      published: publishedCount(),
      timeline: timeline.sort((a, b) => a.t - b.t),
      simulatedSeconds: endedAt,
      tasksStarted: placed.length,
      tasksStartedByPlace: Object.fromEntries(Object.entries(placedByPlace).map(([place, tasks]) => [place, tasks.length])),
      tasksRan: placed.filter((t) => t.startedAt !== undefined).length,
      executions: executions(),
      alarms: Object.entries(metrics)
        .filter(([, n]) => n > 0)
        .map(([role]) => role)
        .sort(),
      unstartedEvents: Object.entries(reports.summary.outcomes).reduce((n, [key, count]) => n + (key.endsWith(" unstarted") ? count : 0), 0),
      throttledCalls: launchesAfter.throttled - launchesBefore.throttled,
      successfulRuns: Object.fromEntries(Object.entries(successfulRuns).map(([k, v]) => [k, v.map((t) => (t - startMs) / 1000)])),
      alarmChanges,
      countedAsSuccess,
      ...(failure ? { failureMatched: routeEvent(this.pipeline, failure).matched } : {}),
      ...(reconcilerRuns !== undefined ? { reconcilerRuns } : {}),
    };
  }
}
