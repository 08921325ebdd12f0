/**
 * The spoke as the root module's submodule `modules/spoke` (the terraform-aws-modules convention):
 * variables in, the same EcsRerunSpoke construct, outputs out, no provider or backend. Each spoke
 * account and region calls it once, with the hub module's outputs.
 */
import type { Construct } from "constructs";
import { Token } from "cdktf";
import { hcl, raw } from "../hcl/hcl-expression";
import { attributeOf } from "../hcl/presence";
import { DEFAULT_IGNORE_STARTED_BY, INPUT_LIMITS } from "../pipeline/pipeline-inputs";
import { EcsRerunSpoke, type EcsRerunSpokeProps } from "../spoke/ecs-rerun-spoke";
import { ROLE_ARN_PATTERN } from "../pipeline/iam/infrastructure-roles";
import { EVENT_BUS_ARN_PATTERN, HUB_RERUN_ROLE_ARN_PATTERN } from "../spoke/spoke-policies";
import { AWS_PROVIDER_VERSION, REQUIRED_TERRAFORM_VERSION, TRAIL_FORCE_DESTROY_DESCRIPTION } from "./ecs-rerun-module-stack";
import { ModuleStack, eachMatches, passRoleArnsChecks, required } from "./module-stack-base";

/** Where the submodule sits inside the module, by the terraform-aws-modules convention. */
export const SPOKE_MODULE_DIRECTORY = "modules/spoke";

/** Values the documents' examples set for the spoke's variables without a default. */
export const SPOKE_EXAMPLE_INPUTS: Readonly<Record<string, unknown>> = {
  clusters: ["batch-ec2"],
  hub_event_bus_arn: "arn:aws:events:us-east-1:111122223333:event-bus/ecs-rerun-hub",
  hub_rerun_role_arn: "arn:aws:iam::111122223333:role/ecs-rerun/ecs-rerun-rerun-us-east-1",
};

/** The spoke submodule: variables with validation, the EcsRerunSpoke, tags on every resource, outputs. */
export class EcsRerunSpokeModuleStack extends ModuleStack {
  /** The spoke. */
  public readonly spoke: EcsRerunSpoke;
  /** What the spoke was given: each prop a variable (the app's settings test reads which is which). */
  public readonly spokeProps: EcsRerunSpokeProps;

  constructor(scope: Construct, id: string) {
    super(scope, id, { terraform: REQUIRED_TERRAFORM_VERSION, aws: AWS_PROVIDER_VERSION });
    const L = INPUT_LIMITS;
    const nothing = Token.nullValue();
    const create = this.variable("create", { type: "bool", default: true, nullable: false, description: "Whether to create anything at all (false: the module creates nothing)." });
    const clusters = this.variable(
      "clusters",
      { type: "list(string)", nullable: false, description: "This spoke's protected ECS clusters, by name or ARN, in the provider's account and region. Their rejected launches and failed tasks are forwarded to the hub; the hub may relaunch on them and on nothing else." },
      (v) => ({ condition: hcl`length(${raw(v)}) > 0`, errorMessage: "Name at least one cluster." }),
      eachMatches(L.clusterPattern, "a cluster name or a cluster ARN"),
    );
    const bus = this.variable(
      "hub_event_bus_arn",
      { type: "string", nullable: false, description: "ARN of the hub's event bus: the hub module's output hub_event_bus_arn." },
      (v) => ({ condition: hcl`can(regex(${EVENT_BUS_ARN_PATTERN}, ${raw(v)}))`, errorMessage: "Must be an event bus ARN (arn:aws:events:REGION:ACCOUNT:event-bus/NAME)." }),
    );
    const hubRole = this.variable(
      "hub_rerun_role_arn",
      { type: "string", nullable: false, description: "ARN of the hub's rerun role (the hub module's output rerun_role_arn): the only principal the relaunch role trusts. The role must exist before this module is applied." },
      (v) => ({ condition: hcl`can(regex(${HUB_RERUN_ROLE_ARN_PATTERN}, ${raw(v)}))`, errorMessage: "Must be the ARN of a role under the path /ecs-rerun/ (the hub's rerun_role_arn)." }),
    );
    const hubReconcilerRole = this.variable(
      "hub_reconciler_role_arn",
      {
        type: "string",
        default: nothing,
        description:
          "ARN of the hub's reconciler role (the hub module's output reconciler_role_arn): the only principal the sweep role <name>-sweep-<region> trusts, through which the hub's reconciler reads this place's CloudTrail event history and its clusters' stopped tasks (read-only). null: no sweep role, and the hub's reconciler cannot sweep this place (its errors alarm says so).",
      },
      (v) => ({ condition: hcl`${raw(v)} == null || can(regex(${ROLE_ARN_PATTERN}, ${raw(v)}))`, errorMessage: "Must be null or the ARN of a role (the hub's reconciler_role_arn)." }),
    );
    const name = this.variable(
      "name",
      { type: "string", default: "ecs-rerun", nullable: false, description: "The hub's name: prefix of every resource name here, and how the hub finds the relaunch role <name>-relaunch-<region> (at most 64 characters)." },
      (v) => ({ condition: hcl`can(regex(${L.namePattern}, ${raw(v)}))`, errorMessage: "Must be 1 to 40 letters, digits or dashes." }),
    );
    const ignoreStartedBy = this.variable("ignore_started_by", {
      type: "list(string)",
      default: [...DEFAULT_IGNORE_STARTED_BY],
      nullable: false,
      description: "startedBy values whose failed calls are not forwarded, because their callers retry on their own. Calls without startedBy are always forwarded.",
    });
    const catchFailedToStart = this.variable("catch_failed_to_start", { type: "bool", default: true, nullable: false, description: "Forward tasks that ECS accepted but stopped before they started (TaskFailedToStart)." });
    const reportProgramFailures = this.variable("report_program_failures", { type: "bool", default: true, nullable: false, description: "Forward tasks that started and exited non-zero (the hub reports them)." });
    const families = this.variable(
      "task_definition_families",
      { type: "list(string)", default: [], nullable: false, description: "Task definition families the hub may relaunch here. Empty: any family of the account." },
      eachMatches(L.familyPattern, "a task definition family name"),
    );
    const passRoles = this.variable(
      "pass_role_arns",
      { type: "list(string)", default: nothing, description: "Roles the hub may pass to tasks here (the original tasks' task and execution roles), at least one. null: any role of the account, passed to ECS tasks only." },
      ...passRoleArnsChecks,
    );
    const createTrail = this.variable("create_trail", {
      type: "bool",
      default: false,
      nullable: false,
      description: "Create a CloudTrail trail logging write management events. EventBridge sees rejected launches only through a trail; one per account and region is enough.",
    });
    const trailForceDestroy = this.variable("trail_force_destroy", { type: "bool", default: false, nullable: false, description: TRAIL_FORCE_DESTROY_DESCRIPTION });
    const createAlarms = this.variable("create_alarms", { type: "bool", default: true, nullable: false, description: "Create the alarms (a forwarding rule's failed invocations, messages in the dead-letter queue)." });
    const alarmActions = this.variable(
      "alarm_actions",
      { type: "list(string)", default: [], nullable: false, description: "Actions of the alarms (e.g. an SNS topic ARN of this account and region): a spoke has no topic of its own. Empty: every plan warns (a check block) unless allow_no_destination." },
      eachMatches("^arn:", "an ARN"),
    );
    const allowNoDestination = this.variable("allow_no_destination", {
      type: "bool",
      default: false,
      nullable: false,
      description: "Accept alarms that notify no one (no alarm_actions): false: every plan warns (a check block) until alarm_actions is set.",
    });
    const roles = this.roleOptionVariables("the relaunch role");
    const tags = this.variable("tags", { type: "map(string)", default: {}, nullable: false, description: "Tags on every resource that takes tags." });

    this.spokeProps = {
      create: create.booleanValue,
      clusters: clusters.listValue,
      hubEventBusArn: bus.stringValue,
      hubRerunRoleArn: hubRole.stringValue,
      hubReconcilerRoleArn: hubReconcilerRole.stringValue,
      name: name.stringValue,
      ignoreStartedBy: ignoreStartedBy.listValue,
      catchFailedToStart: catchFailedToStart.booleanValue,
      reportProgramFailures: reportProgramFailures.booleanValue,
      taskDefinitionFamilies: families.listValue,
      passRoleArns: passRoles.listValue,
      createTrail: createTrail.booleanValue,
      trailForceDestroy: trailForceDestroy.booleanValue,
      createAlarms: createAlarms.booleanValue,
      alarmActions: alarmActions.listValue,
      allowNoDestination: allowNoDestination.booleanValue,
      rolePermissionsBoundary: roles.permissionsBoundary,
      rolePath: roles.path,
    };
    this.spoke = new EcsRerunSpoke(this, "spoke", this.spokeProps);
    this.tagEverything(tags);

    const s = this.spoke;
    this.output("relaunch_role_arn", attributeOf(s.relaunchRole, "arn"), "ARN of the relaunch role the hub's rerun Lambda assumes here (<name>-relaunch-<region>, path /ecs-rerun/).");
    this.output("sweep_role_arn", attributeOf(required(s.sweepRole, "sweep role"), "arn"), "ARN of the read-only role the hub's reconciler assumes here (<name>-sweep-<region>, path /ecs-rerun/); null when hub_reconciler_role_arn is null.");
    this.output("forward_role_arn", attributeOf(s.forwardRole, "arn"), "ARN of the role EventBridge forwards failures to the hub bus with.");
    this.output("dead_letter_queue_arn", attributeOf(s.deadLetterQueue, "arn"), "ARN of the dead-letter queue of failures the hub bus did not take.");
    this.output("rule_arn", attributeOf(s.rule, "arn"), "ARN of the rule forwarding rejected launches (the first one: a long clusters list adds rules named <name>-forward-launch-failures-N).");
    this.output(
      "task_failures_rule_arn",
      attributeOf(required(s.taskStateRule, "task-failures rule"), "arn"),
      "ARN of the rule forwarding tasks that stopped before starting or exited non-zero; null when catch_failed_to_start and report_program_failures are both false.",
    );
    this.output("trail_arn", attributeOf(required(s.trail, "trail").trail, "arn"), "ARN of the management-events trail; null unless create_trail.");
  }
}
