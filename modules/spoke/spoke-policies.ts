/**
 * The spoke's IAM documents, as pure functions: the relaunch role the hub's rerun Lambda assumes
 * (trusting that one role, allowed what the rerun does on the spoke's clusters and nothing else), the
 * sweep role the hub's reconciler assumes (trusting that one role, allowed to read the place's
 * CloudTrail event history and its clusters' tasks, nothing else), and the forwarding role
 * EventBridge sends to the hub bus with (`events:PutEvents` on that bus only).
 */
import type { PolicyStatement } from "../iam";
import { rerunFunctionStatements, type AwsPlace } from "../pipeline/iam/pipeline-policies";
import { reconcileReadStatements } from "../pipeline/reconciler/reconciler-policies";

/** Inputs of {@link relaunchRoleStatements}. */
export interface RelaunchGrants {
  /** The spoke's account, region and partition. */
  readonly place: AwsPlace;
  /** The spoke's protected clusters (names or ARNs). */
  readonly clusters: readonly string[];
  /** Task definition families it may relaunch; empty means any family of the account. */
  readonly taskDefinitionFamilies: readonly string[];
  /** Roles it may pass to ECS tasks. */
  readonly passRoleArns: readonly string[];
}

/**
 * What the hub's rerun Lambda does in the spoke through this role: exactly the rerun role's grants
 * (rerunFunctionStatements: RunTask/StartTask on task definitions with an `ecs:cluster` condition,
 * DescribeTasks/ListTasks under the same condition, TagResource only at launch, PassRole to ecs-tasks only, and the reads of
 * task definitions, rules and schedules) scoped to the spoke's place, without writing logs.
 */
export function relaunchRoleStatements(g: RelaunchGrants): PolicyStatement[] {
  // No log group: the rerun Lambda writes its logs in the hub.
  return rerunFunctionStatements(g);
}

/**
 * What the hub's reconciler reads in the spoke through the sweep role: the place's CloudTrail event
 * history and the stopped tasks of its protected clusters; it launches, tags and passes nothing.
 */
export function sweepRoleStatements(g: Pick<RelaunchGrants, "place" | "clusters">): PolicyStatement[] {
  return reconcileReadStatements(g.place, g.clusters);
}

/** The sweep role's trust: the hub's reconciler role, exactly, may assume it. */
export function sweepTrustPolicy(hubReconcilerRoleArn: string): string {
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [{ Sid: "TheHubReconcilerRoleOnly", Effect: "Allow", Principal: { AWS: hubReconcilerRoleArn }, Action: "sts:AssumeRole" }],
  });
}

/** The relaunch role's trust: the hub's rerun role, exactly, may assume it. */
export function relaunchTrustPolicy(hubRerunRoleArn: string): string {
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [{ Sid: "TheHubRerunRoleOnly", Effect: "Allow", Principal: { AWS: hubRerunRoleArn }, Action: "sts:AssumeRole" }],
  });
}

/** The forwarding role: put events on the hub bus, nothing else. */
export function forwardRoleStatements(hubEventBusArn: string): PolicyStatement[] {
  return [{ Sid: "ForwardToTheHubBusOnly", Effect: "Allow", Action: "events:PutEvents", Resource: hubEventBusArn }];
}

/** The ARN pattern of a hub event bus (EventBridge: `arn:PARTITION:events:REGION:ACCOUNT:event-bus/NAME`). */
export const EVENT_BUS_ARN_PATTERN = "^arn:aws[a-z-]*:events:[a-z0-9-]+:[0-9]{12}:event-bus/[A-Za-z0-9._/-]+$";

/** The ARN pattern of the hub's rerun role: a relaunch role, under the path `/ecs-rerun/`. */
export const HUB_RERUN_ROLE_ARN_PATTERN = "^arn:aws[a-z-]*:iam::[0-9]{12}:role/ecs-rerun/[A-Za-z0-9+=,.@_-]+$";

