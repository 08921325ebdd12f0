// The local SQS endpoint (AWS JSON 1.0, X-Amz-Target "AmazonSQS.<op>"): SendMessage, ReceiveMessage
// and DeleteMessageBatch on in-memory standard queues, with visibility timeouts on the request's
// clock and a redrive to a dead-letter callback after maxReceiveCount, as the notifier's digest queue
// is deployed. Answers carry the MD5 digests the SDK checks (MD5OfMessageBody, MD5OfBody).
import { createHash, randomUUID } from "node:crypto";
import { ApiError, type LocalService, type Reply } from "./protocol";

export const SQS_TARGET_PREFIX = "AmazonSQS";

interface Message {
  readonly id: string;
  readonly body: string;
  receiptHandle?: string;
  visibleAt: number;
  receives: number;
}

interface Queue {
  readonly messages: Message[];
  readonly maxReceiveCount: number;
}

const md5 = (text: string) => createHash("md5").update(text, "utf8").digest("hex");
const ok = (body: Record<string, unknown>): Reply => ({ status: 200, body, answer: "ok" });

export class LocalSqs implements LocalService {
  readonly operations = new Set<string | undefined>(["SendMessage", "ReceiveMessage", "DeleteMessageBatch"]);
  private readonly queues = new Map<string, Queue>();
  /** Where a message goes after maxReceiveCount receives (the redrive policy's dead-letter queue). */
  onDeadLetter: (queueUrl: string, body: string) => void = () => undefined;
  /** Hears each message sent (the drill starts the digest schedule on it). */
  onSend?: (queueUrl: string) => void;

  /** `queues`: URL -> the redrive policy's maxReceiveCount. */
  constructor(queues: Readonly<Record<string, { maxReceiveCount: number }>> = {}) {
    for (const [url, { maxReceiveCount }] of Object.entries(queues)) this.queues.set(url, { messages: [], maxReceiveCount });
  }

  /** Forgets every message (the queues stay). */
  reset(): void {
    for (const q of this.queues.values()) q.messages.length = 0;
  }

  /** Messages in the queue, visible or not (in flight). */
  depth(url: string): number {
    return this.queues.get(url)?.messages.length ?? 0;
  }

  answer(op: string, request: Record<string, unknown>, at: number): Reply {
    const url = request.QueueUrl;
    const queue = typeof url === "string" ? this.queues.get(url) : undefined;
    if (queue === undefined) throw new ApiError("QueueDoesNotExist", "The specified queue does not exist.");
    if (op === "SendMessage") {
      if (typeof request.MessageBody !== "string" || request.MessageBody === "") throw new ApiError("InvalidParameterValue", "The request must contain the parameter MessageBody.");
      const message: Message = { id: randomUUID(), body: request.MessageBody, visibleAt: at, receives: 0 };
      queue.messages.push(message);
      this.onSend?.(url as string);
      return ok({ MessageId: message.id, MD5OfMessageBody: md5(message.body) });
    }
    if (op === "ReceiveMessage") {
      const max = typeof request.MaxNumberOfMessages === "number" ? request.MaxNumberOfMessages : 1;
      if (max < 1 || max > 10) throw new ApiError("InvalidParameterValue", "Value for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10.");
      const visibility = typeof request.VisibilityTimeout === "number" ? request.VisibilityTimeout : 30;
      const out: Record<string, unknown>[] = [];
      for (const m of [...queue.messages]) {
        if (out.length >= max) break;
        if (m.visibleAt > at) continue;
        if (m.receives >= queue.maxReceiveCount) {
          // Received maxReceiveCount times and never deleted: SQS moves it to the dead-letter queue.
          queue.messages.splice(queue.messages.indexOf(m), 1);
          this.onDeadLetter(url as string, m.body);
          continue;
        }
        m.receives++;
        m.receiptHandle = randomUUID();
        m.visibleAt = at + visibility * 1000;
        out.push({ MessageId: m.id, ReceiptHandle: m.receiptHandle, MD5OfBody: md5(m.body), Body: m.body });
      }
      return ok(out.length > 0 ? { Messages: out } : {});
    }
    // DeleteMessageBatch: a handle deletes the message it was received with (a stale one is refused).
    const entries = Array.isArray(request.Entries) ? (request.Entries as { Id: string; ReceiptHandle: string }[]) : [];
    if (entries.length < 1 || entries.length > 10) throw new ApiError("TooManyEntriesInBatchRequest", "Maximum number of entries per request are 10.");
    const successful: { Id: string }[] = [];
    const failed: { Id: string; SenderFault: boolean; Code: string }[] = [];
    for (const e of entries) {
      const i = queue.messages.findIndex((m) => m.receiptHandle === e.ReceiptHandle);
      if (i < 0) failed.push({ Id: e.Id, SenderFault: true, Code: "ReceiptHandleIsInvalid" });
      else {
        queue.messages.splice(i, 1);
        successful.push({ Id: e.Id });
      }
    }
    return ok({ Successful: successful, Failed: failed });
  }
}
