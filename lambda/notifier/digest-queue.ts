/**
 * The digest queue (DIGEST_QUEUE_URL, SQS with server-side encryption): notices folded in a storm
 * wait here for the minute's digest. A notice is deleted only after the digest that counts it was
 * posted; one that is received but never deleted (a flush that failed or died) comes back after its
 * visibility timeout and is counted by a later digest, and after the queue's maxReceiveCount it
 * moves to the pipeline's dead-letter queue (alarmed): none is lost.
 */
import type { DeleteMessageBatchCommand, ReceiveMessageCommand, SendMessageCommand, DeleteMessageBatchCommandOutput, ReceiveMessageCommandOutput, SendMessageCommandOutput } from "@aws-sdk/client-sqs";

// Loaded at the queue's first call, not at the Lambda's init (lambda/shared/lazy-client.ts says why).
const sqsSdk = (): typeof import("../shared/sdk/sqs") => require("../shared/sdk/sqs");

/** What the queue needs from SQS: an `SQSClient` or a stub. */
export interface DigestQueueSender {
  send(command: SendMessageCommand): Promise<SendMessageCommandOutput>;
  send(command: ReceiveMessageCommand): Promise<ReceiveMessageCommandOutput>;
  send(command: DeleteMessageBatchCommand): Promise<DeleteMessageBatchCommandOutput>;
}

/** A folded notice as received: its SNS message and the handle that deletes it. */
export interface Folded {
  readonly body: string;
  readonly receiptHandle: string;
}

/**
 * SQS limits: ReceiveMessage's MaxNumberOfMessages "Valid values: 1 to 10"; DeleteMessageBatch
 * "Deletes up to ten messages" (SQS API Reference, ReceiveMessage and DeleteMessageBatch).
 */
const BATCH = 10;

export class DigestQueue {
  constructor(
    private readonly queueUrl: string,
    private readonly sqs: DigestQueueSender,
  ) {}

  /** Parks one notice for the digest. */
  async fold(message: string): Promise<void> {
    await this.sqs.send(new (sqsSdk().SendMessageCommand)({ QueueUrl: this.queueUrl, MessageBody: message }));
  }

  /**
   * Takes what waits, up to `max` notices or until `budgetLeft()` says stop, each hidden from other
   * readers for `visibilitySeconds` (longer than the flush takes).
   */
  async takeAll(max: number, visibilitySeconds: number, budgetLeft: () => boolean): Promise<Folded[]> {
    const taken: Folded[] = [];
    while (taken.length < max && budgetLeft()) {
      const out = await this.sqs.send(
        new (sqsSdk().ReceiveMessageCommand)({ QueueUrl: this.queueUrl, MaxNumberOfMessages: Math.min(BATCH, max - taken.length), VisibilityTimeout: visibilitySeconds, WaitTimeSeconds: 0 }),
      );
      const messages = out.Messages ?? [];
      for (const m of messages) if (m.Body !== undefined && m.ReceiptHandle !== undefined) taken.push({ body: m.Body, receiptHandle: m.ReceiptHandle });
      // Short polling samples servers: an empty answer while others hold messages is possible, but
      // what it missed waits for the next minute's flush, counted then.
      if (messages.length === 0) break;
    }
    return taken;
  }

  /** Deletes what a posted digest counted; returns how many SQS did not delete (they come back). */
  async remove(folded: readonly Folded[]): Promise<number> {
    let failed = 0;
    for (let i = 0; i < folded.length; i += BATCH) {
      const batch = folded.slice(i, i + BATCH);
      const out = await this.sqs.send(new (sqsSdk().DeleteMessageBatchCommand)({ QueueUrl: this.queueUrl, Entries: batch.map((f, j) => ({ Id: String(j), ReceiptHandle: f.receiptHandle })) }));
      failed += out.Failed?.length ?? 0;
    }
    return failed;
  }
}
