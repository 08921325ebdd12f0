// SNS -> notifier in the drill: each message published to the topic is an async Lambda
// invocation of the notifier, retried by Lambda, then parked in the on-failure queue.

import { randomUUID } from "node:crypto";
import type { SNSEvent } from "aws-lambda";
import type { NotifierHandler } from "../lambda/notifier/handler";
import type { RunScope } from "./drill-types";

// Lambda's documented async retry schedule: about one minute, then about two.
const LAMBDA_ASYNC_RETRY_DELAYS_S = [60, 120];

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
    for (let attempt = 0; ; attempt++) {
      try {
        await clock.track(() => notifier!(envelope));
        note(event, `slack: "${kind}" delivered${attempt > 0 ? ` (after ${attempt} Lambda ${attempt === 1 ? "retry" : "retries"})` : ""}`);
        return;
      } catch (err) {
        const error = `${(err as Error).name}: ${(err as Error).message}`;
        if (attempt >= delays.length) {
          deadLetters.push({ notice: JSON.parse(message), error });
          note(event, `slack: "${kind}" failed ${attempt + 1} times (${error}); parked in the dead-letter queue`);
          return;
        }
        note(event, `slack: "${kind}" failed (${error}); Lambda retries in ${delays[attempt]} s`);
        await clock.sleep(delays[attempt] * 1000);
      }
    }
  };
  return { deliverNotice, publishedCount: () => published };
}
