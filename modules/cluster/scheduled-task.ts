/** One scheduled job: task definition, log group, roles and the EventBridge rule that runs it. */
import { Construct } from "constructs";
import { CloudwatchEventRule } from "@cdktf/provider-aws/lib/cloudwatch-event-rule";
import { CloudwatchEventTarget } from "@cdktf/provider-aws/lib/cloudwatch-event-target";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { EcsTaskDefinition } from "@cdktf/provider-aws/lib/ecs-task-definition";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import type { ResolvedScheduledTask } from "../config";
import { assumeRolePolicy, policyDocument, type PolicyStatement } from "../iam";
import { regionalIamName } from "../iam-names";

/** Props of {@link ScheduledTask}. */
export interface ScheduledTaskProps {
  /** The job (defaults already applied). */
  readonly task: ResolvedScheduledTask;
  /** Name of the cluster; prefixes resource names. */
  readonly clusterName: string;
  /** ARN of the cluster the job runs on. */
  readonly clusterArn: string;
  /** Capacity provider the job launches through. */
  readonly capacityProviderName: string;
  /** ARN of the dead-letter queue for invocations EventBridge could not deliver. */
  readonly deadLetterQueueArn: string;
  /** Region, for the log driver, ARNs and the roles' names (IAM names are global in an account). */
  readonly region: string;
  /** Account ID, for ARNs. */
  readonly accountId: string;
  /** AWS partition, for ARNs. */
  readonly partition: string;
  /** How many times EventBridge retries a failed invocation. @default 3 */
  readonly maxRetryAttempts?: number;
  /** How old an invocation may get before EventBridge gives it up to the dead-letter queue, in seconds. @default 3600 */
  readonly maxEventAgeSeconds?: number;
}

/** A batch job on the cluster, started by an EventBridge schedule through the capacity provider. */
export class ScheduledTask extends Construct {
  /** The task definition (family = job name). */
  public readonly taskDefinition: EcsTaskDefinition;
  /** The schedule rule. */
  public readonly rule: CloudwatchEventRule;
  /** The rule's ECS target. */
  public readonly target: CloudwatchEventTarget;
  /** The role ECS uses to pull the image and write logs. */
  public readonly executionRole: IamRole;
  /** The role the job's code runs as (no permissions but the job's `taskRolePolicyArns`); none with the job's own `taskRoleArn`. */
  public readonly taskRole?: IamRole;
  /** The role EventBridge uses to start the job. */
  public readonly eventsRole: IamRole;
  /** The job's log group. */
  public readonly logGroup: CloudwatchLogGroup;

  constructor(scope: Construct, id: string, props: ScheduledTaskProps) {
    super(scope, id);
    const maxRetryAttempts = props.maxRetryAttempts ?? 3;
    const maxEventAgeSeconds = props.maxEventAgeSeconds ?? 3600;
    if (!Number.isInteger(maxRetryAttempts) || maxRetryAttempts < 0 || maxRetryAttempts > 185) {
      throw new Error(`maxRetryAttempts = ${maxRetryAttempts} is invalid: expected a whole number from 0 to 185`);
    }
    if (!Number.isInteger(maxEventAgeSeconds) || maxEventAgeSeconds < 60 || maxEventAgeSeconds > 86400) {
      throw new Error(`maxEventAgeSeconds = ${maxEventAgeSeconds} is invalid: expected a whole number from 60 to 86400`);
    }
    const { task, clusterName, region, accountId, partition } = props;
    const prefix = `${clusterName}-${task.name}`;

    this.logGroup = new CloudwatchLogGroup(this, "logs", {
      name: `/ecs/${clusterName}/${task.name}`,
      retentionInDays: task.logRetentionDays,
    });

    const ecsTasksTrust = assumeRolePolicy("ecs-tasks.amazonaws.com", {
      sourceAccount: accountId,
      sourceArn: `arn:${partition}:ecs:${region}:${accountId}:*`,
    });
    this.executionRole = new IamRole(this, "execution-role", { name: regionalIamName([prefix, "exec"], region), assumeRolePolicy: ecsTasksTrust });
    new IamRolePolicy(this, "execution-policy", {
      name: "pull-image-and-write-logs",
      role: this.executionRole.id,
      policy: policyDocument([
        { Sid: "WriteLogs", Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: `${this.logGroup.arn}:*` },
        ...ecrPullStatements(task.image, partition),
        ...secretReadStatements(Object.values(task.secrets), task.secretsKmsKeyArns),
      ]),
    });
    if (task.taskRoleArn === undefined) {
      const role = new IamRole(this, "task-role", { name: regionalIamName([prefix, "task"], region), assumeRolePolicy: ecsTasksTrust });
      task.taskRolePolicyArns.forEach((policyArn, i) => new IamRolePolicyAttachment(this, `task-role-policy-${i}`, { role: role.name, policyArn }));
      this.taskRole = role;
    }
    const taskRoleArn = this.taskRole?.arn ?? task.taskRoleArn!;

    this.taskDefinition = new EcsTaskDefinition(this, "task-definition", {
      family: task.name,
      requiresCompatibilities: ["EC2"],
      // Bridge mode: tasks share the instance's public IP, so images pull without a NAT gateway
      // (awsvpc tasks on EC2 never get a public IP).
      networkMode: "bridge",
      executionRoleArn: this.executionRole.arn,
      taskRoleArn,
      containerDefinitions: JSON.stringify([
        {
          name: "app",
          image: task.image,
          essential: true,
          cpu: task.cpu,
          memory: task.memory,
          ...(task.command ? { command: task.command } : {}),
          environment: Object.entries(task.environment).map(([name, value]) => ({ name, value })),
          // Read by ECS when the task starts (with the execution role): only their ARNs are in the definition.
          ...(Object.keys(task.secrets).length > 0 ? { secrets: Object.entries(task.secrets).map(([name, valueFrom]) => ({ name, valueFrom })) } : {}),
          logConfiguration: {
            logDriver: "awslogs",
            options: { "awslogs-group": this.logGroup.name, "awslogs-region": region, "awslogs-stream-prefix": "app" },
          },
        },
      ]),
    });

    this.eventsRole = new IamRole(this, "events-role", {
      name: regionalIamName([prefix, "events"], region),
      assumeRolePolicy: assumeRolePolicy("events.amazonaws.com", { sourceAccount: accountId }),
    });
    const onThisCluster = { ArnEquals: { "ecs:cluster": props.clusterArn } };
    new IamRolePolicy(this, "events-policy", {
      name: "run-this-task-on-this-cluster",
      role: this.eventsRole.id,
      policy: policyDocument([
        {
          Sid: "RunThisFamilyOnThisCluster",
          Effect: "Allow",
          Action: "ecs:RunTask",
          Resource: `${this.taskDefinition.arnWithoutRevision}:*`,
          Condition: onThisCluster,
        },
        {
          Sid: "TagTasksItStarts",
          Effect: "Allow",
          Action: "ecs:TagResource",
          Resource: `arn:${partition}:ecs:${region}:${accountId}:task/${clusterName}/*`,
          Condition: { StringEquals: { "ecs:CreateAction": "RunTask" } },
        },
        {
          Sid: "PassOnlyThisTasksRoles",
          Effect: "Allow",
          Action: "iam:PassRole",
          Resource: [this.executionRole.arn, taskRoleArn],
          Condition: { StringEquals: { "iam:PassedToService": "ecs-tasks.amazonaws.com" } },
        },
      ] satisfies PolicyStatement[]),
    });

    this.rule = new CloudwatchEventRule(this, "schedule", {
      name: prefix,
      description: `Starts ${task.name} on ${clusterName}`,
      scheduleExpression: task.schedule,
      state: task.enabled ? "ENABLED" : "DISABLED",
    });
    this.target = new CloudwatchEventTarget(this, "target", {
      rule: this.rule.name,
      targetId: "ecs",
      arn: props.clusterArn,
      roleArn: this.eventsRole.arn,
      ecsTarget: {
        taskDefinitionArn: this.taskDefinition.arn,
        taskCount: task.count,
        // Through the capacity provider, not launchType: a task waits for capacity instead of failing at once.
        capacityProviderStrategy: [{ capacityProvider: props.capacityProviderName, weight: 1, base: 0 }],
        propagateTags: "TASK_DEFINITION",
        enableEcsManagedTags: true,
      },
      retryPolicy: { maximumRetryAttempts: maxRetryAttempts, maximumEventAgeInSeconds: maxEventAgeSeconds },
      deadLetterConfig: { arn: props.deadLetterQueueArn },
    });
  }
}

/** ECR pull rights scoped to the image's own repository; none for images from other registries. */
export function ecrPullStatements(image: string, partition: string): PolicyStatement[] {
  const m = /^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?\/([^:@]+)/.exec(image);
  if (!m) return [];
  const [, account, region, repository] = m;
  return [
    // GetAuthorizationToken is account-wide: AWS offers no resource to scope it to.
    { Sid: "EcrLogin", Effect: "Allow", Action: "ecr:GetAuthorizationToken", Resource: "*" },
    {
      Sid: "PullThisRepository",
      Effect: "Allow",
      Action: ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"],
      Resource: `arn:${partition}:ecr:${region}:${account}:repository/${repository}`,
    },
  ];
}

/**
 * What the execution role needs to hand the container its secrets ("Required IAM permissions for
 * Amazon ECS secrets", Amazon ECS Developer Guide): `ssm:GetParameters` on each SSM parameter,
 * `secretsmanager:GetSecretValue` on each secret (its ARN without the json key and version that may
 * follow), and `kms:Decrypt` only on customer-managed keys (the default keys need no grant). None
 * without secrets, so a job without them synthesizes as before.
 */
export function secretReadStatements(arns: readonly string[], kmsKeyArns: readonly string[]): PolicyStatement[] {
  const parameters = [...new Set(arns.filter((a) => a.split(":")[2] === "ssm"))];
  const secrets = [...new Set(arns.filter((a) => a.split(":")[2] === "secretsmanager").map((a) => a.split(":").slice(0, 7).join(":")))];
  return [
    ...(parameters.length > 0 ? [{ Sid: "ReadItsParameters", Effect: "Allow" as const, Action: "ssm:GetParameters", Resource: parameters }] : []),
    ...(secrets.length > 0 ? [{ Sid: "ReadItsSecrets", Effect: "Allow" as const, Action: "secretsmanager:GetSecretValue", Resource: secrets }] : []),
    ...(kmsKeyArns.length > 0 ? [{ Sid: "DecryptItsSecrets", Effect: "Allow" as const, Action: "kms:Decrypt", Resource: [...kmsKeyArns] }] : []),
  ];
}
