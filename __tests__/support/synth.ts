import { Testing, type TerraformStack } from "cdktf";

/** The synthesized Terraform JSON of a stack. */
export interface TfJson {
  resource?: Record<string, Record<string, Record<string, unknown>>>;
  data?: Record<string, Record<string, Record<string, unknown>>>;
  output?: Record<string, Record<string, unknown>>;
  variable?: Record<string, Record<string, unknown>>;
  [key: string]: unknown;
}

export function synthJson(stack: TerraformStack): TfJson {
  return JSON.parse(Testing.synth(stack)) as TfJson;
}

/** Every resource of one type, without cdktf's metadata. */
export function resourcesOf(tf: TfJson, type: string): Record<string, unknown>[] {
  return Object.values(tf.resource?.[type] ?? {});
}

export interface Statement {
  Sid?: string;
  Effect: string;
  Action: string | string[];
  Resource: string | string[];
  Condition?: Record<string, Record<string, unknown>>;
}

/** Every statement of every inline IAM policy in the stack, parsed. */
export function iamStatements(tf: TfJson): Statement[] {
  return resourcesOf(tf, "aws_iam_role_policy").flatMap((p) => (JSON.parse(p.policy as string) as { Statement: Statement[] }).Statement);
}

export const asList = (v: string | string[]): string[] => (Array.isArray(v) ? v : [v]);
