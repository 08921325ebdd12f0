/** The pipeline's least-privilege IAM statements (rerun, notifier, state machine, events), as pure functions. */
import { Fn, Token } from "cdktf";
import { hcl } from "../../hcl/hcl-expression";
import type { PolicyStatement } from "../../iam";

/** Where the pipeline runs, for building ARNs (values may be Terraform references). */
export interface AwsPlace {
  readonly partition: string;
  readonly region: string;
  readonly account: string;
}

/** The ARN of a protected cluster given by name or ARN. */
export function clusterArn(place: AwsPlace, cluster: string): string {
  return cluster.startsWith("arn:") ? cluster : `arn:${place.partition}:ecs:${place.region}:${place.account}:cluster/${cluster}`;
}

/** {@link clusterArn} of every cluster; a Terraform list expression when the list is one. */
export function clusterArns(place: AwsPlace, clusters: readonly string[]): string[] {
  if (!Token.isUnresolved(clusters)) return clusters.map((c) => clusterArn(place, c));
  const prefix = `arn:${place.partition}:ecs:${place.region}:${place.account}:cluster`;
  return Token.asList(hcl`[for c in ${clusters} : startswith(c, "arn:") ? c : "${prefix}/\${c}"]`);
}

/** Task definitions the rerun may launch: the given families' revisions, or any of the account. */
function taskDefinitionArns(place: AwsPlace, families: readonly string[]): string[] {
  const prefix = `arn:${place.partition}:ecs:${place.region}:${place.account}:task-definition`;
  if (Token.isUnresolved(families)) {
    return Token.asList(hcl`length(${families}) > 0 ? [for f in ${families} : "${prefix}/\${f}:*"] : ["${prefix}/*"]`);
  }
  return families.length > 0 ? families.map((f) => `${prefix}/${f}:*`) : [`${prefix}/*`];
}

const logStatement = (logGroupArn: string): PolicyStatement => ({
  Sid: "WriteOwnLogs",
  Effect: "Allow",
  Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
  Resource: `${logGroupArn}:*`,
});

/** Inputs of {@link rerunFunctionStatements}. */
export interface RerunFunctionGrants {
  readonly place: AwsPlace;
  /** Protected clusters (names or ARNs). */
  readonly clusters: readonly string[];
  /** Task definition families it may rerun; empty means any family of the account. */
  readonly taskDefinitionFamilies: readonly string[];
  /** Roles it may hand to ECS tasks (the rerun passes the original task's roles). */
  readonly passRoleArns: readonly string[];
  /** Its own log group; unset for a role that runs no Lambda (a spoke's relaunch role: the rerun logs in the hub). @default no log statement */
  readonly logGroupArn?: string;
}

/**
 * The statements naming the protected clusters (each cluster twice, the least the documented keys
 * allow: see WatchTasksOnProtectedClusters), for the given part of them: the rerun role's inline
 * policy holds the first part, customer-managed policies the rest (cluster-policies.ts).
 */
export function protectedClusterStatements(place: AwsPlace, clusters: readonly string[], taskDefinitionFamilies: readonly string[]): [PolicyStatement, PolicyStatement] {
  return [
    {
      // RunTask and StartTask authorize against the task definition (resource type task-definition)
      // and both support the ecs:cluster condition key (Service Authorization Reference, "Actions,
      // resources, and condition keys for Amazon Elastic Container Service"). The protected clusters
      // are named here and in one other statement only: each name costs the policy its full ARN, and a
      // role's inline policies share IAM's 10,240 characters (cluster-policies.ts splits long lists).
      Sid: "RerunOnProtectedClustersOnly",
      Effect: "Allow",
      Action: ["ecs:RunTask", "ecs:StartTask"],
      Resource: taskDefinitionArns(place, taskDefinitionFamilies),
      Condition: { ArnEquals: { "ecs:cluster": clusterArns(place, clusters) } },
    },
    {
      // Whether a rerun's tasks really started, and whether a stopped task was one of its own
      // (DescribeTasks); and, before repeating a StartTask whose outcome is unknown (it has no
      // clientToken), which tasks the first call placed on the pending container instances (ListTasks).
      // Both support the ecs:cluster condition key (Service Authorization Reference, as above), which
      // is the cluster the request names: one statement, one list of the clusters, decides for both.
      // ListTasks needs "*" as its resource: scoping it to container-instance ARNs is reported not to
      // work (awsdocs/amazon-ecs-developer-guide issue #211), and the CDK grants it the same way
      // (aws/aws-cdk pull request #3199). DescribeTasks shares that "*": a described task must be on
      // the cluster the request names, and a cluster ARN holds the account and region, so the
      // condition alone admits exactly the tasks of the protected clusters that task/<cluster>/*
      // resources used to.
      Sid: "WatchTasksOnProtectedClusters",
      Effect: "Allow",
      Action: ["ecs:DescribeTasks", "ecs:ListTasks"],
      Resource: "*",
      Condition: { ArnEquals: { "ecs:cluster": clusterArns(place, clusters) } },
    },
  ];
}

/** The rerun Lambda: launch tasks on the protected clusters only, and nothing else. */
export function rerunFunctionStatements(g: RerunFunctionGrants): PolicyStatement[] {
  const { place } = g;
  const [launch, watch] = protectedClusterStatements(place, g.clusters, g.taskDefinitionFamilies);
  return [
    launch,
    {
      // StartTask places tasks on container instances the request names, and generated copies of the
      // Service Authorization Reference (iam-floyd's, for one) list container-instance beside
      // task-definition as its required resource types; the reference itself could not be read from
      // here, and granting it is harmless if it is not needed. No cluster is named: every resource a
      // request names must be allowed, and its task definition is allowed only by
      // RerunOnProtectedClustersOnly, under that statement's ecs:cluster condition, so this admits
      // no StartTask on any other cluster. container-instance/* keeps it to this account and region.
      Sid: "StartTaskOnContainerInstances",
      Effect: "Allow",
      Action: "ecs:StartTask",
      Resource: `arn:${place.partition}:ecs:${place.region}:${place.account}:container-instance/*`,
    },
    {
      // A rerun keeps the original request's tags and adds its owner tags (ecs-rerun:event-id,
      // ecs-rerun:attempt) in the same call. With tags in a RunTask or StartTask, ECS also authorizes
      // ecs:TagResource with ecs:CreateAction set to that action (ECS Developer Guide, "Grant
      // permission to tag resources on creation"); a TagResource call of its own carries no
      // ecs:CreateAction, so StringEquals never matches it and no existing resource can be tagged. The
      // creating call must be allowed too, and this role allows RunTask and StartTask only on the
      // protected clusters (RerunOnProtectedClustersOnly, in this policy or the role's managed ones):
      // so this tags only tasks a permitted launch on a protected cluster creates, without naming the
      // clusters again. task/* keeps it to tasks of this account and region.
      Sid: "TagTheTasksItStarts",
      Effect: "Allow",
      Action: "ecs:TagResource",
      Resource: `arn:${place.partition}:ecs:${place.region}:${place.account}:task/*`,
      Condition: { StringEquals: { "ecs:CreateAction": ["RunTask", "StartTask"] } },
    },
    watch,
    {
      // The log configuration of a failed container, for the notice's log link. DescribeTaskDefinition
      // supports no resource-level permission: AWS documents "*" as its only resource.
      Sid: "ReadTaskDefinitionsForLogLinks",
      Effect: "Allow",
      Action: "ecs:DescribeTaskDefinition",
      Resource: "*",
    },
    {
      // The schedule that launched a task holds its real request (CloudTrail hides environment
      // overrides): read the account's rules on the default bus and their targets, nothing else.
      Sid: "ReadTheRulesThatLaunchTasks",
      Effect: "Allow",
      Action: ["events:ListTargetsByRule", "events:ListRuleNamesByTarget"],
      Resource: `arn:${place.partition}:events:${place.region}:${place.account}:rule/*`,
    },
    {
      Sid: "ReadTheSchedulesThatLaunchTasks",
      Effect: "Allow",
      Action: "scheduler:GetSchedule",
      Resource: `arn:${place.partition}:scheduler:${place.region}:${place.account}:schedule/*/*`,
    },
    {
      // ListSchedules supports no resource-level permission ("*" is its only resource); it finds a
      // schedule whose name ECS cut short in startedBy.
      Sid: "FindSchedulesByName",
      Effect: "Allow",
      Action: "scheduler:ListSchedules",
      Resource: "*",
    },
    {
      Sid: "PassTaskRolesToEcsTasksOnly",
      Effect: "Allow",
      Action: "iam:PassRole",
      Resource: Token.isUnresolved(g.passRoleArns) ? g.passRoleArns : [...g.passRoleArns],
      Condition: { StringEquals: { "iam:PassedToService": "ecs-tasks.amazonaws.com" } },
    },
    ...(g.logGroupArn !== undefined ? [logStatement(g.logGroupArn)] : []),
  ];
}

/** Inputs of {@link notifierFunctionStatements}. */
export interface NotifierFunctionGrants {
  readonly place: AwsPlace;
  /** Name of the SSM SecureString holding the Slack webhook URL. */
  readonly slackWebhookParameterName: string;
  /** Customer-managed key of that parameter; omitted for the default `aws/ssm` key. A Terraform expression (possibly null) is left to {@link decryptParameterStatements}. */
  readonly slackWebhookKmsKeyArn?: string;
  /** Queue that receives events the notifier could not deliver. */
  readonly deadLetterQueueArn: string;
  /** Its own log group. */
  readonly logGroupArn: string;
}

/** The notifier Lambda: read one parameter, park failures in one queue. */
export function notifierFunctionStatements(g: NotifierFunctionGrants): PolicyStatement[] {
  const { place } = g;
  // Parameter ARNs hold the name without its leading slash.
  const name = g.slackWebhookParameterName;
  const parameter = Token.isUnresolved(name) ? Token.asString(Fn.trimprefix(name, "/")) : name.replace(/^\//, "");
  const statements: PolicyStatement[] = [
    {
      Sid: "ReadTheSlackWebhookParameter",
      Effect: "Allow",
      Action: "ssm:GetParameter",
      Resource: `arn:${place.partition}:ssm:${place.region}:${place.account}:parameter/${parameter}`,
    },
    { Sid: "ParkUndeliveredNotices", Effect: "Allow", Action: "sqs:SendMessage", Resource: g.deadLetterQueueArn },
    logStatement(g.logGroupArn),
  ];
  if (g.slackWebhookKmsKeyArn && !Token.isUnresolved(g.slackWebhookKmsKeyArn)) statements.push(...decryptParameterStatements(place, g.slackWebhookKmsKeyArn));
  return statements;
}

/** The notifier decrypts the webhook parameter with its customer-managed key, through SSM only. */
export function decryptParameterStatements(place: AwsPlace, kmsKeyArn: string): PolicyStatement[] {
  return [
    {
      Sid: "DecryptTheParameterThroughSsmOnly",
      Effect: "Allow",
      Action: "kms:Decrypt",
      Resource: kmsKeyArn,
      Condition: { StringEquals: { "kms:ViaService": `ssm.${place.region}.amazonaws.com` } },
    },
  ];
}

/** Inputs of {@link stateMachineStatements}. */
export interface StateMachineGrants {
  readonly rerunFunctionArn: string;
  readonly topicArn: string;
  readonly kmsKeyArn: string;
  /** CloudWatch namespace of the metric counting notices that could not be published. */
  readonly metricNamespace: string;
  /** The dead-letter queue a notice the topic refused is parked in. */
  readonly deadLetterQueueArn: string;
}

/** The state machine: invoke one function, publish to one topic, count lost notices, deliver its logs. */
export function stateMachineStatements(g: StateMachineGrants): PolicyStatement[] {
  return [
    { Sid: "InvokeTheRerunFunction", Effect: "Allow", Action: "lambda:InvokeFunction", Resource: [g.rerunFunctionArn, `${g.rerunFunctionArn}:*`] },
    { Sid: "PublishNotices", Effect: "Allow", Action: "sns:Publish", Resource: g.topicArn },
    { Sid: "EncryptNotices", Effect: "Allow", Action: ["kms:GenerateDataKey", "kms:Decrypt"], Resource: g.kmsKeyArn },
    { Sid: "ParkNoticesTheTopicRefused", Effect: "Allow", Action: "sqs:SendMessage", Resource: g.deadLetterQueueArn },
    {
      // PutMetricData has no resource-level permission ("*" is its only resource); the
      // cloudwatch:namespace condition key limits it to the pipeline's own namespace.
      Sid: "CountNoticesThatFailed",
      Effect: "Allow",
      Action: "cloudwatch:PutMetricData",
      Resource: "*",
      Condition: { StringEquals: { "cloudwatch:namespace": g.metricNamespace } },
    },
    {
      // CloudWatch Logs' log-delivery actions have no resource-level permissions: AWS documents "*"
      // as the only resource these accept.
      Sid: "DeliverExecutionLogs",
      Effect: "Allow",
      Action: [
        "logs:CreateLogDelivery",
        "logs:GetLogDelivery",
        "logs:UpdateLogDelivery",
        "logs:DeleteLogDelivery",
        "logs:ListLogDeliveries",
        "logs:PutResourcePolicy",
        "logs:DescribeResourcePolicies",
        "logs:DescribeLogGroups",
      ],
      Resource: "*",
    },
  ];
}

/** The run counter: read task definitions (their essential flags), write its own logs. */
export function runCounterStatements(logGroupArn: string): PolicyStatement[] {
  return [
    {
      // DescribeTaskDefinition supports no resource-level permission: AWS documents "*" as its only resource.
      Sid: "ReadEssentialFlags",
      Effect: "Allow",
      Action: "ecs:DescribeTaskDefinition",
      Resource: "*",
    },
    logStatement(logGroupArn),
  ];
}

/** Inputs of {@link starterFunctionStatements}. */
export interface StarterFunctionGrants {
  readonly stateMachineArn: string;
  /** Queue that receives events the starter could not hand over. */
  readonly deadLetterQueueArn: string;
  /** Its own log group. */
  readonly logGroupArn: string;
}

/** The starter Lambda: start executions of one state machine, park failures in one queue. */
export function starterFunctionStatements(g: StarterFunctionGrants): PolicyStatement[] {
  return [
    { Sid: "StartTheRerunStateMachine", Effect: "Allow", Action: "states:StartExecution", Resource: g.stateMachineArn },
    { Sid: "ParkUnstartedEvents", Effect: "Allow", Action: "sqs:SendMessage", Resource: g.deadLetterQueueArn },
    logStatement(g.logGroupArn),
  ];
}

/**
 * Policy of the customer-managed key that encrypts the topic. An AWS-managed key cannot be used:
 * its policy cannot grant CloudWatch alarms the right to publish to the encrypted topic.
 */
export function topicKeyPolicy(place: AwsPlace): string {
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      {
        // Lets IAM policies of this account govern the key (the default key policy).
        Sid: "AccountAdministersTheKey",
        Effect: "Allow",
        Principal: { AWS: `arn:${place.partition}:iam::${place.account}:root` },
        Action: "kms:*",
        Resource: "*",
      },
      {
        Sid: "CloudWatchAlarmsPublishToTheTopic",
        Effect: "Allow",
        Principal: { Service: "cloudwatch.amazonaws.com" },
        Action: ["kms:Decrypt", "kms:GenerateDataKey*"],
        Resource: "*",
        Condition: { StringEquals: { "aws:SourceAccount": place.account } },
      },
    ],
  });
}
