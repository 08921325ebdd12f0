/** The reconciler's least-privilege IAM statements, as a pure function. */
import type { PolicyStatement } from "../../iam";
import { clusterArns, type AwsPlace } from "../iam/pipeline-policies";
import { CURSOR_KEY_PREFIX } from "./reconciler-names";

/** Inputs of {@link reconcilerStatements}. */
export interface ReconcilerGrants {
  readonly place: AwsPlace;
  /** The home place's protected clusters (names or ARNs). */
  readonly clusters: readonly string[];
  /** The state machine it hands failures to. */
  readonly stateMachineArn: string;
  /** The table of its cursors. */
  readonly cursorTableArn: string;
  /** Its own log group. */
  readonly logGroupArn: string;
}

/**
 * What the reconciler reads in one place: its CloudTrail event history and the stopped tasks of its
 * protected clusters. The reconciler's own role has it at home; a spoke's sweep role has it there
 * (modules/spoke/spoke-policies.ts).
 */
export function reconcileReadStatements(place: AwsPlace, clusters: readonly string[]): PolicyStatement[] {
  return [
    {
      // LookupEvents supports no resource-level permission: the Service Authorization Reference
      // ("Actions, resources, and condition keys for AWS CloudTrail") lists no resource type for it,
      // and an action without one must be granted on "*". It reads only this account's event history,
      // in the region of the call, and changes nothing.
      Sid: "ReadEventHistory",
      Effect: "Allow",
      Action: "cloudtrail:LookupEvents",
      Resource: "*",
    },
    {
      // The stopped tasks of the protected clusters only: both actions support the ecs:cluster
      // condition key, and ListTasks needs "*" as its resource (see WatchTasksOnProtectedClusters in
      // pipeline-policies.ts for the sources).
      Sid: "ReadStoppedTasksOfProtectedClusters",
      Effect: "Allow",
      Action: ["ecs:ListTasks", "ecs:DescribeTasks"],
      Resource: "*",
      Condition: { ArnEquals: { "ecs:cluster": clusterArns(place, clusters) } },
    },
  ];
}

/**
 * Read the account's CloudTrail event history and the protected clusters' stopped tasks, keep its
 * cursors, start executions of one state machine, write its own logs. A hub's right to assume the
 * spokes' sweep roles is a policy of its own beside these (hub-policies.ts).
 */
export function reconcilerStatements(g: ReconcilerGrants): PolicyStatement[] {
  return [
    ...reconcileReadStatements(g.place, g.clusters),
    { Sid: "HandFailuresToTheRerunStateMachine", Effect: "Allow", Action: "states:StartExecution", Resource: g.stateMachineArn },
    {
      // Its cursors only: one item per place, keyed "cloudtrail#<account>#<region>".
      Sid: "KeepCursors",
      Effect: "Allow",
      Action: ["dynamodb:GetItem", "dynamodb:PutItem"],
      Resource: g.cursorTableArn,
      Condition: { "ForAllValues:StringLike": { "dynamodb:LeadingKeys": [`${CURSOR_KEY_PREFIX}*`] } },
    },
    { Sid: "WriteOwnLogs", Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: `${g.logGroupArn}:*` },
  ];
}
