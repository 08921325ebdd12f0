/**
 * Whether an ecs-rerun pipeline took each rejected launch up, and how that ended. Every failure's
 * execution is named after it (the starter's `executionNameFor`: `ct-<eventID>`), so one
 * `DescribeExecution` of a known ARN answers it: ExecutionDoesNotExist means no pipeline ever
 * started one ("never retried"). Standard executions are kept 90 days after they close (Step
 * Functions developer guide, "Step Functions service quotas": execution history retention), as long
 * as CloudTrail event history reaches back.
 */
import { DescribeExecutionCommand, type DescribeExecutionCommandOutput } from "@aws-sdk/client-sfn";
import type { RejectedLaunch } from "./rejected-launches";

/** How a rejected launch was followed up. */
export type RerunStatus =
  | "never retried"
  | "a rerun"
  | "running"
  | "recovered"
  | "needs a human"
  | "not retryable"
  | "reported"
  | "already handled"
  | "gave up"
  | "invalid event"
  | "succeeded"
  | "failed"
  | "timed out"
  | "aborted"
  | "not looked up";

export interface RerunOutcome {
  readonly status: RerunStatus;
  /** The execution that handled it, when there is one. */
  readonly executionArn?: string;
  /** FAILED: the execution's error name. */
  readonly error?: string;
}

/** Where the pipeline's state machine is: its name in each failure's own account and region, or one ARN (a hub). */
export type StateMachineRef = { readonly name: string } | { readonly arn: string } | "none";

/** The partition of a region: the execution ARN must carry it. */
export function partitionOf(region: string): string {
  if (region.startsWith("cn-")) return "aws-cn";
  if (region.startsWith("us-gov-")) return "aws-us-gov";
  if (region.startsWith("us-isob-")) return "aws-iso-b";
  if (region.startsWith("us-iso-")) return "aws-iso";
  return "aws";
}

/** The ARN of the execution a pipeline gives this launch. */
export function executionArnOf(launch: RejectedLaunch, ref: Exclude<StateMachineRef, "none">): string {
  if ("arn" in ref) return `${ref.arn.replace(":stateMachine:", ":execution:")}:${launch.executionName}`;
  return `arn:${partitionOf(launch.region)}:states:${launch.region}:${launch.account}:execution:${ref.name}:${launch.executionName}`;
}

/** The state machine's `decision.next` at the end (its output is the rerun Lambda's last answer), read for a person. */
const ENDINGS: Record<string, RerunStatus> = {
  recovered: "recovered",
  needs_human: "needs a human",
  not_retryable: "not retryable",
  report: "reported",
  already_handled: "already handled",
};

/** Reads one DescribeExecution answer. */
export function outcomeOf(out: Pick<DescribeExecutionCommandOutput, "status" | "output" | "error"> & { readonly executionArn?: string }): RerunOutcome {
  const executionArn = out.executionArn;
  switch (out.status) {
    case "RUNNING":
    case "PENDING_REDRIVE":
      return { status: "running", executionArn };
    case "SUCCEEDED": {
      let next: unknown;
      try {
        next = (JSON.parse(out.output ?? "null") as { decision?: { next?: unknown } } | null)?.decision?.next;
      } catch {
        next = undefined;
      }
      return { status: (typeof next === "string" && ENDINGS[next]) || "succeeded", executionArn };
    }
    case "FAILED":
      if (out.error === "GaveUp") return { status: "gave up", executionArn, error: out.error };
      if (out.error === "InvalidEvent") return { status: "invalid event", executionArn, error: out.error };
      return { status: "failed", executionArn, ...(out.error ? { error: out.error } : {}) };
    case "TIMED_OUT":
      return { status: "timed out", executionArn };
    case "ABORTED":
      return { status: "aborted", executionArn };
    default:
      return { status: "failed", executionArn, error: String(out.status) };
  }
}

/** What the lookups need from Step Functions: an `SFNClient` or a stub with the same `send`. */
export interface DescribeSender {
  send(command: DescribeExecutionCommand): Promise<DescribeExecutionCommandOutput>;
}

/** Access to Step Functions was refused: the audit says which permission, and how to go without. */
export class ExecutionsUnreadable extends Error {}

/**
 * Looks up every launch's execution, a few at a time (DescribeExecution is throttled per account
 * and region; the SDK retries a throttled call with backoff). A rerun made by ecs-rerun itself
 * belongs to the execution of the failure it reran, so it is not looked up.
 */
export async function rerunOutcomes(launches: readonly RejectedLaunch[], ref: StateMachineRef, sfn: DescribeSender | undefined, concurrency = 4): Promise<RerunOutcome[]> {
  const out: RerunOutcome[] = new Array(launches.length);
  let next = 0;
  const worker = async () => {
    while (next < launches.length) {
      const i = next++;
      const launch = launches[i];
      if (launch.rerunOf !== undefined) out[i] = { status: "a rerun" };
      else if (ref === "none" || sfn === undefined) out[i] = { status: "not looked up" };
      else out[i] = await describe(sfn, executionArnOf(launch, ref));
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, launches.length) }, worker));
  return out;
}

async function describe(sfn: DescribeSender, executionArn: string): Promise<RerunOutcome> {
  try {
    return outcomeOf({ ...(await sfn.send(new DescribeExecutionCommand({ executionArn }))), executionArn });
  } catch (err) {
    const name = (err as { name?: string } | null)?.name;
    if (name === "ExecutionDoesNotExist") return { status: "never retried" };
    if (name === "AccessDeniedException") {
      throw new ExecutionsUnreadable(
        `Step Functions refused DescribeExecution on ${executionArn} (${(err as Error).message}): allow states:DescribeExecution on the pipeline's executions, or pass --state-machine none to list the launches without their reruns`,
      );
    }
    throw err;
  }
}
