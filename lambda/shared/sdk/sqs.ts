/** The SQS client and the commands the notifier sends, loaded lazily as one piece (../lazy-client.ts says why). */
export { DeleteMessageBatchCommand, ReceiveMessageCommand, SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
