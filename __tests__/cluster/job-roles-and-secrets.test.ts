// A job's secrets (by ARN: ECS reads them at start with the execution role, which may read exactly
// those) and its task role (its own, or the stack's with managed policies attached).
import { Testing } from "cdktf";
import { EcsClusterStack } from "../../modules/cluster/ecs-cluster-stack";
import { ConfigError, resolveClusterConfig, type ScheduledTaskConfig } from "../../modules/config";
import { DEMO_JOB } from "../../jobs";
import { iamStatements, resourcesOf, synthJson } from "../support/synth";

const PARAMETER = "arn:aws:ssm:us-east-1:123456789012:parameter/report/db-password";
const SECRET = "arn:aws:secretsmanager:us-east-1:123456789012:secret:report/api-AbC123";
const KEY = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
const job = (over: Partial<ScheduledTaskConfig>): ScheduledTaskConfig => ({ ...DEMO_JOB, name: "report", ...over });
const synth = (jobs: ScheduledTaskConfig[]) => synthJson(new EcsClusterStack(Testing.app(), "ecs-cluster", { scheduledTasks: jobs }));

describe("a job with secrets and a task role's policies", () => {
  const tf = synth([job({ secrets: { DB_PASSWORD: PARAMETER, API_TOKEN: `${SECRET}:token::` }, secretsKmsKeyArns: [KEY], taskRolePolicyArns: ["arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"] })]);

  test("hands the container each secret by its ARN, never a value", () => {
    const definition = resourcesOf(tf, "aws_ecs_task_definition")[0];
    const [container] = JSON.parse(definition.container_definitions as string) as { secrets: unknown; environment: unknown }[];
    expect(container.secrets).toEqual([
      { name: "DB_PASSWORD", valueFrom: PARAMETER },
      { name: "API_TOKEN", valueFrom: `${SECRET}:token::` },
    ]);
  });

  test("lets the execution role read exactly those, and decrypt with exactly that key", () => {
    const statements = iamStatements(tf);
    expect(statements.find((s) => s.Sid === "ReadItsParameters")).toMatchObject({ Action: "ssm:GetParameters", Resource: [PARAMETER] });
    // The json key and versions after the secret's ARN are not part of the resource.
    expect(statements.find((s) => s.Sid === "ReadItsSecrets")).toMatchObject({ Action: "secretsmanager:GetSecretValue", Resource: [SECRET] });
    expect(statements.find((s) => s.Sid === "DecryptItsSecrets")).toMatchObject({ Action: "kms:Decrypt", Resource: [KEY] });
  });

  test("attaches the managed policies to the job's own task role", () => {
    expect(resourcesOf(tf, "aws_iam_role_policy_attachment").filter((a) => String(a.role).includes("task-role"))).toEqual([
      expect.objectContaining({ policy_arn: "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess" }),
    ]);
  });
});

test("a job of its own task role gets no role of the stack's, and the schedule may pass its role", () => {
  const role = "arn:aws:iam::123456789012:role/report-job";
  const tf = synth([job({ taskRoleArn: role })]);
  expect(resourcesOf(tf, "aws_iam_role").map((r) => r.name).filter((n) => String(n).includes("-task-"))).toEqual([]);
  expect(resourcesOf(tf, "aws_ecs_task_definition")[0].task_role_arn).toBe(role);
  expect(iamStatements(tf).find((s) => s.Sid === "PassOnlyThisTasksRoles")!.Resource).toEqual([expect.stringContaining("aws_iam_role."), role]);
});

test("a job without them synthesizes no statement for them", () => {
  const sids = iamStatements(synth([DEMO_JOB])).map((s) => s.Sid);
  expect(sids).not.toEqual(expect.arrayContaining(["ReadItsParameters"]));
  expect(sids).not.toContain("ReadItsSecrets");
});

test.each<[string, Partial<ScheduledTaskConfig>, RegExp]>([
  ["a secret's value instead of its ARN", { secrets: { DB: "hunter2-but-longer" } }, /^scheduledTasks\[0\]\.secrets\.DB = "hunter2-but-longer" is invalid: expected the full ARN of an SSM parameter/],
  ["a Secrets Manager ARN without its suffix", { secrets: { DB: "arn:aws:secretsmanager:us-east-1:123456789012:secret:db" } }, /secrets\.DB = .* is invalid: expected the full ARN/],
  ["a secret also set as plain environment", { environment: { DB: "x" }, secrets: { DB: PARAMETER } }, /secrets\.DB = .* is invalid: expected a variable that environment does not set too/],
  ["a role and policies for the stack's role", { taskRoleArn: "arn:aws:iam::123456789012:role/r", taskRolePolicyArns: ["arn:aws:iam::aws:policy/ReadOnlyAccess"] }, /taskRolePolicyArns = .* is invalid: expected none with taskRoleArn/],
  ["a user's ARN for the task role", { taskRoleArn: "arn:aws:iam::123456789012:user/r" }, /taskRoleArn = .* is invalid: expected an IAM role ARN/],
])("refuses %s", (_name, over, message) => {
  const resolve = () => resolveClusterConfig({ scheduledTasks: [job(over)] });
  expect(resolve).toThrow(ConfigError);
  expect(resolve).toThrow(message);
});
