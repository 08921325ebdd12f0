// Shared set-up for the LocalAws tests: constants, a LocalAws with SDK clients (stopped after each
// test by the afterEach registered here) and a hand-drained scheduler for the task life tests.
import { DescribeTasksCommand, ECSClient, RunTaskCommand, RunTaskCommandInput } from "@aws-sdk/client-ecs";
import { SSMClient } from "@aws-sdk/client-ssm";
import { EcsTaskStateChangeEvent, LocalAws, LocalAwsOptions } from "../../../drill/local-aws/local-aws";

export const REGION = "ap-northeast-1";
export const ACCOUNT = "123456789012";
export const CLUSTER_ARN = `arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/batch-ec2`;
export const TASK_DEF = `arn:aws:ecs:${REGION}:${ACCOUNT}:task-definition/nightly-report:12`;
export const EVENTS_KEY = "ASIAEXAMPLEEVENTS001";
export const LAMBDA_KEY = "ASIAEXAMPLELAMBDA001";
export const TASK_ARN = /^arn:aws:ecs:ap-northeast-1:123456789012:task\/batch-ec2\/[0-9a-f]{32}$/;
export const INSTANCE_ARN = /^arn:aws:ecs:ap-northeast-1:123456789012:container-instance\/batch-ec2\/[0-9a-f]{32}$/;

export const nightly: RunTaskCommandInput = {
  cluster: CLUSTER_ARN,
  taskDefinition: TASK_DEF,
  count: 1,
  launchType: "EC2",
  startedBy: "events-rule/nightly-report-batch",
  overrides: { containerOverrides: [{ name: "app", command: ["bin/rails", "report:nightly"] }] },
};

const running: Array<{ aws: LocalAws; clients: Array<{ destroy(): void }> }> = [];

export async function startAws(options: LocalAwsOptions = {}) {
  const aws = new LocalAws({
    identities: {
      [EVENTS_KEY]: { roleName: "ecsEventsRole", invokedBy: "events.amazonaws.com" },
      [LAMBDA_KEY]: { roleName: "ecs-rerun-lambda-role", sessionName: "ecs-rerun-handler" },
    },
    ...options,
  });
  const { endpoint } = await aws.start();
  const entry = { aws, clients: [] as Array<{ destroy(): void }> };
  running.push(entry);
  const credentials = (accessKeyId: string) => ({ accessKeyId, secretAccessKey: "drill-secret" });
  const ecs = (accessKeyId = LAMBDA_KEY) => {
    const c = new ECSClient({ endpoint, region: REGION, credentials: credentials(accessKeyId), maxAttempts: 1 });
    entry.clients.push(c);
    return c;
  };
  const ssm = (accessKeyId = LAMBDA_KEY) => {
    const c = new SSMClient({ endpoint, region: REGION, credentials: credentials(accessKeyId), maxAttempts: 1 });
    entry.clients.push(c);
    return c;
  };
  return { aws, endpoint, ecs, ssm };
}

afterEach(async () => {
  for (const { aws, clients } of running.splice(0)) {
    for (const c of clients) c.destroy();
    await aws.stop();
  }
});

export async function rejection(p: Promise<unknown>): Promise<Error & Record<string, unknown>> {
  try {
    await p;
  } catch (err) {
    return err as Error & Record<string, unknown>;
  }
  throw new Error("expected the call to fail");
}

// ---------------------------------------------------------------------------------------------
// Task life
// ---------------------------------------------------------------------------------------------

/** A scheduler the test drains by hand: nothing moves until it says so. */
export function manualScheduler() {
  const queue: Array<{ ms: number; fn: () => void }> = [];
  return {
    schedule: (ms: number, fn: () => void) => void queue.push({ ms, fn }),
    /** Delays of the timers waiting, in the order they were set. */
    pending: () => queue.map((q) => q.ms),
    /** Fires the oldest timer. */
    fire: () => {
      const next = queue.shift();
      if (!next) throw new Error("no timer pending");
      next.fn();
    },
    fireAll: () => {
      while (queue.length > 0) queue.shift()!.fn();
    },
  };
}

export const T0 = Date.parse("2025-03-04T03:00:00Z");

export async function startTasks(options: LocalAwsOptions = {}) {
  const timers = manualScheduler();
  let now = T0;
  const changes: EcsTaskStateChangeEvent[] = [];
  const env = await startAws({ schedule: timers.schedule, now: () => now, onTaskStateChange: (e) => changes.push(e), ...options });
  const client = env.ecs();
  const describe = async (taskArn: string, include?: "TAGS"[]) => {
    const out = await client.send(new DescribeTasksCommand({ cluster: CLUSTER_ARN, tasks: [taskArn], ...(include ? { include } : {}) }));
    return out.tasks![0];
  };
  const runOne = async (input: RunTaskCommandInput = nightly) => (await client.send(new RunTaskCommand(input))).tasks![0];
  return { ...env, timers, client, changes, describe, runOne, advance: (ms: number) => (now += ms), now: () => now };
}

export const statuses = (events: EcsTaskStateChangeEvent[]) => events.map((e) => e.detail.lastStatus);
