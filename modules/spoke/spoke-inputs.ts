/**
 * The spoke's inputs: checks on literal values (each error names the value, the prop it was set in,
 * and what is allowed), then the defaults. Terraform values are left to the spoke module's validation
 * blocks, which apply the same limits.
 */
import { Token } from "cdktf";
import { holdsTokens } from "../hcl/hcl-expression";
import { presenceOf, type Presence } from "../hcl/presence";
import { IAM_NAME_LIMITS } from "../iam-names";
import { InputError, propOf } from "../input-error";
import type { DocumentEncoding } from "../iam";
import { DEFAULT_IGNORE_STARTED_BY, INPUT_LIMITS } from "../pipeline/pipeline-inputs";
import { ROLE_ARN_PATTERN } from "../pipeline/iam/infrastructure-roles";
import { checkRoleOptions, type RoleOptions } from "../pipeline/iam/role-options";
import { relaunchRoleName } from "../pipeline/hub/spoke-rule-patterns";
import type { EcsRerunSpokeProps } from "./spoke-props";
import { EVENT_BUS_ARN_PATTERN, HUB_RERUN_ROLE_ARN_PATTERN } from "./spoke-policies";

/** The spoke's props, checked, with their defaults filled in. */
export interface SpokeInputs {
  /** Whether anything exists: `true`, or a Terraform bool expression. */
  readonly create: Presence;
  /** Prefix of every name; the hub's name. */
  readonly name: string;
  /** The spoke's protected clusters. */
  readonly clusters: readonly string[];
  /** `startedBy` values left alone. */
  readonly ignoreStartedBy: readonly string[];
  /** Whether tasks that stopped before starting are forwarded. */
  readonly catchFailedToStart: Presence;
  /** Whether program failures are forwarded. */
  readonly reportProgramFailures: Presence;
  /** Task definition families the hub may relaunch here; empty: any. */
  readonly taskDefinitionFamilies: readonly string[];
  /** Roles the hub may pass to tasks here; undefined: any role of the account. */
  readonly passRoleArns?: readonly string[];
  /** Whether a management-events trail is created. */
  readonly createTrail: Presence;
  /** Whether the alarms are created. */
  readonly createAlarms: Presence;
  /** Where the alarms go. */
  readonly alarmActions: readonly string[];
  /** How policy documents are written. */
  readonly encoding: DocumentEncoding;
  /** The permissions boundary and path the roles take (role-options.ts). */
  readonly roles: RoleOptions;
  /** The hub's reconciler role, which the sweep role trusts; undefined: no sweep role. */
  readonly hubReconcilerRoleArn?: string;
}

/** Where a value was set, for errors. */
const where = (prop: string, variable: string) => `(EcsRerunSpoke prop ${prop}; module spoke: ${variable})`;

/** Refuses a literal value that is not allowed. */
function check<T>(value: T, label: string, setIn: string, ok: (v: T) => boolean, allowed: string): void {
  if (!Token.isUnresolved(value) && !ok(value)) throw new InputError(/^\(EcsRerunSpoke prop (\w+)/.exec(setIn)?.[1] ?? propOf(label), `${label} = ${JSON.stringify(value)} is invalid ${setIn}: ${allowed}`);
}

/** Each literal element of a literal list, with its index. */
const eachLiteral = <T>(list: readonly T[]): [T, number][] => (Token.isUnresolved(list) ? [] : list.map((v, i) => [v, i] as [T, number]));

/** Checks the props and fills in the defaults. */
export function resolveSpokeInputs(props: EcsRerunSpokeProps): SpokeInputs {
  const L = INPUT_LIMITS;
  const create = presenceOf(props.create, true);
  if (create === false) throw new InputError("create", `create = false is invalid ${where("create", "create")}: expected true or a Terraform expression (to create nothing, leave the construct out)`);
  const name = props.name ?? "ecs-rerun";
  check(name, "name", where("name", "name"), (v) => new RegExp(L.namePattern).test(v), "expected 1-40 letters, digits or dashes, the same name as the hub's");
  if (!Token.isUnresolved(name) && props.region !== undefined && !Token.isUnresolved(props.region)) {
    // The hub computes the role's ARN from its name and the event's region: a name IAM would make us shorten would not be found.
    const role = relaunchRoleName(name, props.region);
    check(role, "the relaunch role's name", where("name", "name"), (v) => v.length <= IAM_NAME_LIMITS.roleName, `expected at most ${IAM_NAME_LIMITS.roleName} characters (IAM's limit): use a shorter name on the hub and every spoke`);
  }
  const clusters = props.clusters;
  check(clusters, "clusters", where("clusters", "clusters"), (v) => v.length > 0, "expected at least one cluster name or ARN of this account and region");
  for (const [c, i] of eachLiteral(clusters)) {
    check(c, `clusters[${i}]`, where("clusters", "clusters"), (v) => new RegExp(L.clusterPattern).test(v), "expected a cluster name or cluster ARN");
    const region = c.startsWith("arn:") ? c.split(":")[3] : undefined;
    if (region !== undefined && props.region !== undefined && !Token.isUnresolved(props.region)) {
      check(c, `clusters[${i}]`, where("clusters", "clusters"), () => region === props.region, `expected a cluster of the spoke's region ${props.region}: a spoke forwards only its own region's events (deploy one spoke per region)`);
    }
  }
  check(props.hubEventBusArn, "hubEventBusArn", where("hubEventBusArn", "hub_event_bus_arn"), (v) => new RegExp(EVENT_BUS_ARN_PATTERN).test(v), "expected the ARN of the hub's event bus (the hub's output hub_event_bus_arn)");
  check(props.hubRerunRoleArn, "hubRerunRoleArn", where("hubRerunRoleArn", "hub_rerun_role_arn"), (v) => new RegExp(HUB_RERUN_ROLE_ARN_PATTERN).test(v), "expected the ARN of the hub's rerun role, under the path /ecs-rerun/ (the hub's output rerun_role_arn)");
  if (props.hubReconcilerRoleArn !== undefined) {
    check(props.hubReconcilerRoleArn, "hubReconcilerRoleArn", where("hubReconcilerRoleArn", "hub_reconciler_role_arn"), (v) => new RegExp(ROLE_ARN_PATTERN).test(v), "expected the ARN of the hub's reconciler role (the hub's output reconciler_role_arn)");
  }
  const ignoreStartedBy = props.ignoreStartedBy ?? DEFAULT_IGNORE_STARTED_BY;
  const taskDefinitionFamilies = props.taskDefinitionFamilies ?? [];
  for (const [f, i] of eachLiteral(taskDefinitionFamilies)) check(f, `taskDefinitionFamilies[${i}]`, where("taskDefinitionFamilies", "task_definition_families"), (v) => new RegExp(L.familyPattern).test(v), "expected a task definition family name");
  if (props.passRoleArns !== undefined) {
    // An empty list would become `"Resource": []` in the relaunch role's policy, which IAM refuses at apply.
    check(props.passRoleArns, "passRoleArns", where("passRoleArns", "pass_role_arns"), (v) => v.length > 0, "expected at least one role ARN, or leave it unset for any role of the account");
  }
  const alarmActions = props.alarmActions ?? [];
  for (const [a, i] of eachLiteral(alarmActions)) check(a, `alarmActions[${i}]`, where("alarmActions", "alarm_actions"), (v) => v.startsWith("arn:"), "expected an ARN (an SNS topic, for example)");
  const catchFailedToStart = presenceOf(props.catchFailedToStart, true);
  const reportProgramFailures = presenceOf(props.reportProgramFailures, true);
  const roles: RoleOptions = { permissionsBoundary: props.rolePermissionsBoundary, path: props.rolePath };
  checkRoleOptions(roles, { construct: "EcsRerunSpoke", module: "module spoke" });
  // Expressions inside JSON text would break it as soon as they hold a string literal or a list.
  const encoding: DocumentEncoding = holdsTokens(props) ? "jsonencode" : "json";
  return {
    create,
    name,
    clusters,
    ignoreStartedBy,
    catchFailedToStart,
    reportProgramFailures,
    taskDefinitionFamilies,
    passRoleArns: props.passRoleArns,
    createTrail: presenceOf(props.createTrail, false),
    createAlarms: presenceOf(props.createAlarms, true),
    alarmActions,
    encoding,
    roles,
    ...(props.hubReconcilerRoleArn !== undefined ? { hubReconcilerRoleArn: props.hubReconcilerRoleArn } : {}),
  };
}
