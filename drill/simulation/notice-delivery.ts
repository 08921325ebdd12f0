// SNS -> notifier in the drill: each message published to the topic is an async Lambda
// invocation of the notifier, retried by Lambda, then parked in the on-failure queue.

import { randomUUID } from "node:crypto";
import type { SNSEvent } from "aws-lambda";
import type { NotifierHandler } from "../../lambda/notifier/handler";
import { invokeAsync, LAMBDA_ASYNC_RETRY_DELAYS_S } from "./async-invoke";
import type { RunScope } from "../drill-types";


/** Delivers the messages published to the topic (`deliverNotice`) and counts them (`publishedCount`). */
export function noticeDelivery(
  { pipeline, clock, note }: RunScope,
  notifier: NotifierHandler | undefined,
  deadLetters: { notice: unknown; error: string }[],
): { deliverNotice: (event: number, message: string) => Promise<void>; publishedCount: () => number } {
  // SNS -> notifier: an async Lambda invocation, retried by Lambda, then the on-failure queue.
  let published = 0;
  const deliverNotice = async (event: number, message: string) => {
    published++;
    if (!notifier) return;
    const envelope: SNSEvent = {
      Records: [
        {
          EventSource: "aws:sns",
          EventVersion: "1.0",
          EventSubscriptionArn: `arn:aws:sns:${pipeline.region}:123456789012:ecs-rerun-notices:${randomUUID()}`,
          Sns: {
            Type: "Notification",
            MessageId: randomUUID(),
            TopicArn: `arn:aws:sns:${pipeline.region}:123456789012:ecs-rerun-notices`,
            Subject: "",
            Message: message,
            Timestamp: new Date().toISOString(),
            SignatureVersion: "1",
            Signature: "",
            SigningCertUrl: "",
            UnsubscribeUrl: "",
            MessageAttributes: {},
          },
        },
      ],
    };
    const parsed = JSON.parse(message) as { kind?: string; AlarmName?: string };
    const kind = parsed.kind ?? `alarm ${parsed.AlarmName}`;
    const delays = LAMBDA_ASYNC_RETRY_DELAYS_S.slice(0, pipeline.notifierMaxRetries);
    await invokeAsync(clock, delays, () => notifier(envelope), {
      onDone: (retries) => note(event, `slack: "${kind}" delivered${retries > 0 ? ` (after ${retries} Lambda ${retries === 1 ? "retry" : "retries"})` : ""}`),
      onRetry: (error, delay) => note(event, `slack: "${kind}" failed (${error}); Lambda retries in ${delay} s`),
      onDeadLetter: (error, tries) => {
        deadLetters.push({ notice: JSON.parse(message), error });
        note(event, `slack: "${kind}" failed ${tries} times (${error}); parked in the dead-letter queue`);
      },
    });
  };
  return { deliverNotice, publishedCount: () => published };
}

const scheduled = new WeakMap<RunScope, { ticking: boolean }>();

/**
 * The notifier's digest schedule (rate(1 minute), notice-storm.ts) on the simulated clock: from the
 * first folded notice, at each whole minute the notifier gets the scheduled event (an async
 * invocation: Lambda's retries, then the on-failure queue), until the digest queue is empty. It runs
 * only while notices wait: a real schedule fires every minute, but one that finds nothing posts
 * nothing, and a drill that ticks for nothing would end a minute late.
 */
export function digestSchedule(scope: RunScope, notifier: NotifierHandler, waiting: () => number, maxRetries: number, deadLetters: { notice: unknown; error: string }[]): void {
  const state = scheduled.get(scope) ?? { ticking: false };
  scheduled.set(scope, state);
  if (state.ticking) return;
  state.ticking = true;
  const { clock, note } = scope;
  scope.track(
    (async () => {
      try {
        while (waiting() > 0) {
          await clock.sleep(60_000 - (Date.now() % 60_000));
          await invokeAsync(clock, LAMBDA_ASYNC_RETRY_DELAYS_S.slice(0, maxRetries), () => notifier({ "detail-type": "Scheduled Event", source: "aws.events" }), {
            onRetry: (error, delay) => note(0, `digest: the scheduled flush failed (${error}); Lambda retries in ${delay} s`),
            onDeadLetter: (error) => {
              deadLetters.push({ notice: { kind: "digest-flush" }, error });
              note(0, `digest: the scheduled flush failed for good (${error}); its record is in the dead-letter queue, the notices wait in the digest queue`);
            },
          });
        }
      } finally {
        state.ticking = false;
      }
    })(),
  );
}
