/** The DynamoDB client and the commands the Lambdas send, loaded lazily as one piece (../lazy-client.ts says why). */
export { DynamoDBClient, GetItemCommand, UpdateItemCommand } from "@aws-sdk/client-dynamodb";
