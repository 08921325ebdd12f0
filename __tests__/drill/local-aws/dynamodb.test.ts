// The local DynamoDB endpoint (UpdateItem with its expression subset), driven by the real
// @aws-sdk/client-dynamodb, and the launch pacer's reservations against it.
import { ConditionalCheckFailedException, DynamoDBClient, UpdateItemCommand } from "@aws-sdk/client-dynamodb";
import { LaunchPacer, PACER_UNAVAILABLE } from "../../../lambda/rerun/pacer";
import { captureLogs } from "../../lambda/helpers";
import { LAMBDA_KEY, REGION, rejection, startAws } from "./harness";

const TABLE = "ecs-rerun-launch-pacer";
const clients: DynamoDBClient[] = [];
afterEach(() => clients.splice(0).forEach((c) => c.destroy()));

async function startDynamo() {
  const env = await startAws({ tables: { [TABLE]: { hashKey: "pk" } } });
  const client = new DynamoDBClient({ endpoint: env.endpoint, region: REGION, credentials: { accessKeyId: LAMBDA_KEY, secretAccessKey: "s" }, maxAttempts: 1 });
  clients.push(client);
  return { ...env, client };
}

const update = (input: Partial<ConstructorParameters<typeof UpdateItemCommand>[0]>) =>
  new UpdateItemCommand({ TableName: TABLE, Key: { pk: { S: "launches" } }, ...input } as ConstructorParameters<typeof UpdateItemCommand>[0]);

describe("LocalAws DynamoDB UpdateItem", () => {
  it("creates the item, then adds to it, returning what the caller asked for", async () => {
    const { client, aws } = await startDynamo();
    const first = await client.send(update({ UpdateExpression: "SET #t = if_not_exists(#t, :zero) + :one", ExpressionAttributeNames: { "#t": "tat" }, ExpressionAttributeValues: { ":zero": { N: "100" }, ":one": { N: "2.5" } }, ReturnValues: "UPDATED_NEW" }));
    expect(first.Attributes).toEqual({ tat: { N: "102.5" } });
    const second = await client.send(update({ UpdateExpression: "SET tat = tat - :d", ExpressionAttributeValues: { ":d": { N: "0.5" } }, ReturnValues: "ALL_OLD" }));
    expect(second.Attributes).toEqual({ pk: { S: "launches" }, tat: { N: "102.5" } });
    expect(aws.dynamodb.item(TABLE, "launches")).toEqual({ pk: { S: "launches" }, tat: { N: "102" } });
  });

  it("checks conditions before writing anything, and can hand back the item that failed them", async () => {
    const { client, aws } = await startDynamo();
    const cond = "attribute_not_exists(#t) OR (#t <= :now AND NOT #t = :never)";
    const names = { "#t": "tat" };
    await client.send(update({ UpdateExpression: "SET #t = :v", ConditionExpression: cond, ExpressionAttributeNames: names, ExpressionAttributeValues: { ":v": { N: "50" }, ":now": { N: "10" }, ":never": { N: "-1" } } }));
    const err = await rejection(
      client.send(update({ UpdateExpression: "SET #t = :v", ConditionExpression: cond, ExpressionAttributeNames: names, ExpressionAttributeValues: { ":v": { N: "60" }, ":now": { N: "10" }, ":never": { N: "-1" } }, ReturnValuesOnConditionCheckFailure: "ALL_OLD" })),
    );
    expect(err).toBeInstanceOf(ConditionalCheckFailedException);
    expect(err.Item).toEqual({ pk: { S: "launches" }, tat: { N: "50" } });
    expect(aws.dynamodb.item(TABLE, "launches")?.tat).toEqual({ N: "50" });
    // A missing attribute compares false, whatever the operator.
    await expect(client.send(update({ UpdateExpression: "SET other = :v", ConditionExpression: "missing < :v OR missing >= :v", ExpressionAttributeValues: { ":v": { N: "1" } } }))).rejects.toThrow("The conditional request failed");
  });

  it("refuses what DynamoDB refuses, and what the local subset does not know, by name", async () => {
    const { client } = await startDynamo();
    const fails = async (input: Partial<ConstructorParameters<typeof UpdateItemCommand>[0]>) => (await rejection(client.send(update(input)))).message;
    expect(await fails({ TableName: "nope", UpdateExpression: "SET a = :v", ExpressionAttributeValues: { ":v": { N: "1" } } })).toBe("Requested resource not found");
    expect(await fails({ UpdateExpression: "SET a = :v", ExpressionAttributeValues: { ":v": { N: "1" }, ":unused": { N: "2" } } })).toMatch(/unused in expressions: keys: \{:unused\}/);
    expect(await fails({ UpdateExpression: "SET a = missing + :v", ExpressionAttributeValues: { ":v": { N: "1" } } })).toMatch(/does not exist in the item/);
    expect(await fails({ UpdateExpression: "ADD a :v", ExpressionAttributeValues: { ":v": { N: "1" } } })).toMatch(/only SET is supported/);
    expect(await fails({ UpdateExpression: "SET pk = :v", ExpressionAttributeValues: { ":v": { S: "x" } } })).toMatch(/part of the key/);
    expect(await fails({ Key: { id: { S: "launches" } }, UpdateExpression: "SET a = :v", ExpressionAttributeValues: { ":v": { N: "1" } } })).toMatch(/does not match the schema/);
  });
});

describe("the launch pacer on the local DynamoDB", () => {
  const T0 = Date.parse("2026-01-01T03:00:00Z");

  async function pacer(options: { now: () => number }) {
    const env = await startDynamo();
    const p = new LaunchPacer({ table: TABLE, launchesPerSecond: 10 }, { dynamodb: env.client, now: options.now, sleep: async () => {}, random: () => 0.5 });
    return { ...env, p };
  }

  it("gives a lone launch the present moment with two writes, and a storm one slot after another with one write each", async () => {
    let now = T0;
    const { p, aws } = await pacer({ now: () => now });
    const logs = captureLogs();
    try {
      // No clock yet: the storm write fails its condition, the idle write starts the clock at now.
      expect(await p.reserve(1, {})).toBe(T0);
      expect(aws.requestsFor("UpdateItem").map((r) => r.answer)).toEqual(["error", "ok"]);
      // Three more at the same instant: 100 ms apart at 10/s, one write each.
      expect([await p.reserve(1, {}), await p.reserve(1, {}), await p.reserve(3, {})].map((s) => s! - T0)).toEqual([100, 200, 300]);
      expect(aws.requestsFor("UpdateItem")).toHaveLength(5);
      expect(aws.dynamodb.item(TABLE, "launches")?.tat).toEqual({ N: String(T0 + 600) }); // the count-3 launch took 300 ms
      // A minute later the clock has fallen behind: the next launch goes at once again.
      now = T0 + 60_000;
      expect(await p.reserve(1, {})).toBe(T0 + 60_000);
      expect(logs.lines).toEqual([]);
    } finally {
      logs.restore();
    }
  });

  it("retries a throttled or unanswered write, then launches unpaced with the phrase the alarm counts", async () => {
    const { p, aws } = await pacer({ now: () => T0 });
    const logs = captureLogs();
    try {
      aws.setFaults({ UpdateItem: ["throttle", "5xx"] });
      expect(await p.reserve(1, {})).toBe(T0);
      expect(logs.lines).toEqual([]);
      aws.setFaults({ UpdateItem: ["throttle", "drop", "5xx"] });
      expect(await p.reserve(1, { eventId: "e1" })).toBeUndefined();
      expect(logs.records()).toMatchObject([{ level: "ERROR", msg: `${PACER_UNAVAILABLE}: launching unpaced`, eventId: "e1", table: TABLE, errorName: "ServerException" }]);
    } finally {
      logs.restore();
    }
  });

  it("does not retry what will not heal (a missing table)", async () => {
    const env = await startDynamo();
    const p = new LaunchPacer({ table: "deleted", launchesPerSecond: 10 }, { dynamodb: env.client, now: () => T0, sleep: async () => {}, random: () => 0.5 });
    const logs = captureLogs();
    try {
      expect(await p.reserve(1, {})).toBeUndefined();
      expect(env.aws.requestsFor("UpdateItem")).toHaveLength(1);
      expect(logs.records()[0]).toMatchObject({ msg: `${PACER_UNAVAILABLE}: launching unpaced`, errorName: "ResourceNotFoundException" });
    } finally {
      logs.restore();
    }
  });
});
