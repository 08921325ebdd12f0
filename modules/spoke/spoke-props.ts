// The spoke's props: what a user may set on EcsRerunSpoke. Apart from the construct (ecs-rerun-spoke.ts)
// so that the inputs that resolve them (spoke-inputs.ts) import them downhill, never back from the construct.
import type { IResolvable } from "cdktf";

/** Props of {@link EcsRerunSpoke}. Every input is a plain value, or a Terraform expression (as in the spoke submodule). */
export interface EcsRerunSpokeProps {
  /** Whether to create anything: `true`, or a Terraform bool expression that count-switches every resource. @default true */
  readonly create?: boolean | IResolvable;
  /** The spoke's protected clusters: short names or ARNs, in this account and region. */
  readonly clusters: readonly string[];
  /** ARN of the hub's event bus (the hub pipeline's `hubBus`, the module's output `hub_event_bus_arn`). */
  readonly hubEventBusArn: string;
  /** ARN of the hub's rerun role (the pipeline's `rerunRole`, the module's output `rerun_role_arn`): the only principal the relaunch role trusts. */
  readonly hubRerunRoleArn: string;
  /**
   * ARN of the hub's reconciler role (the pipeline's `reconciler.role`, the module's output
   * `reconciler_role_arn`): the only principal the sweep role trusts. Unset: no sweep role, and the
   * hub's reconciler cannot sweep this place (its errors alarm says so). @default undefined
   */
  readonly hubReconcilerRoleArn?: string;
  /** Prefix of every resource name: the hub's name, which the hub uses to find the relaunch role. @default "ecs-rerun" */
  readonly name?: string;
  /** The region the spoke deploys to, when known at synth (IAM names carry it). @default the provider's region */
  readonly region?: string;
  /** `startedBy` values whose failed calls are not forwarded. @default DEFAULT_IGNORE_STARTED_BY */
  readonly ignoreStartedBy?: readonly string[];
  /** Forward tasks that were accepted but stopped before starting (`TaskFailedToStart`). @default true */
  readonly catchFailedToStart?: boolean | IResolvable;
  /** Forward tasks that started and exited non-zero (the hub reports them). @default true */
  readonly reportProgramFailures?: boolean | IResolvable;
  /** Task definition families the hub may relaunch here; empty means any family of the account. @default [] */
  readonly taskDefinitionFamilies?: readonly string[];
  /** Roles the hub may pass to tasks here (the original tasks' roles). @default every role of the account, passed to ECS tasks only */
  readonly passRoleArns?: readonly string[];
  /** Create a CloudTrail trail logging management events (rejected launches reach EventBridge only through one). @default false */
  readonly createTrail?: boolean | IResolvable;
  /** Let a destroy delete the trail's bucket with its logs (off: a destroy stops at the non-empty bucket). Apply it before the destroy. @default false */
  readonly trailForceDestroy?: boolean | IResolvable;
  /** Create the alarms (forwarding failures, dead letters). @default true */
  readonly createAlarms?: boolean | IResolvable;
  /** Actions of the alarms (e.g. an SNS topic): a spoke has no topic of its own. @default [] */
  readonly alarmActions?: readonly string[];
  /** Accept alarms that notify no one (no alarmActions): without it such a spoke is refused at synth. @default false */
  readonly allowNoDestination?: boolean | IResolvable;
  /** ARN of the managed policy that is the permissions boundary of both roles the spoke creates. @default undefined (no boundary) */
  readonly rolePermissionsBoundary?: string;
  /** IAM path of the forwarding role; the relaunch role keeps `/ecs-rerun/`, its mark and the path the hub assumes it by. @default undefined ("/") */
  readonly rolePath?: string;
}
