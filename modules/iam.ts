/** IAM policy documents and trust policies as data, shared by both sides. */
import { Fn, Token } from "cdktf";

/** One statement of an IAM policy document. Values may hold cdktf string tokens, and list tokens with the `jsonencode` encoding. */
export interface PolicyStatement {
  readonly Sid?: string;
  readonly Effect: "Allow" | "Deny";
  readonly Action: string | readonly string[];
  readonly Resource: string | readonly string[];
  readonly Condition?: Record<string, Record<string, string | readonly string[]>>;
}

/** An IAM policy document as plain data, so tests can read what synth wrote. */
export interface PolicyDocument {
  readonly Version: "2012-10-17";
  readonly Statement: readonly PolicyStatement[];
}

/**
 * How a document becomes the string a resource takes. "json": JSON text written at synth time, where
 * string tokens become template interpolations. "jsonencode": Terraform's `jsonencode` of the
 * document, needed when values are Terraform lists (a list token cannot sit in a JSON string) or
 * expressions holding string literals of their own (their quotes would break the JSON text).
 */
export type DocumentEncoding = "json" | "jsonencode";

const holdsListToken = (value: unknown): boolean =>
  Array.isArray(value) ? Token.isUnresolved(value) || value.some(holdsListToken) : typeof value === "object" && value !== null && Object.values(value).some(holdsListToken);

/** A JSON document (a policy, a redrive policy) as the string a resource attribute takes, in the given encoding. */
export function encodeDocument(document: object, encoding: DocumentEncoding = "json"): string {
  if (encoding === "jsonencode") return Token.asString(Fn.jsonencode(document));
  if (holdsListToken(document)) throw new Error('a document holding Terraform list expressions cannot be JSON text: use the "jsonencode" encoding');
  return JSON.stringify(document);
}

/** Builds a policy document; refuses `Action: "*"` so no construct can grant everything by mistake. */
export function policyDocument(statements: readonly PolicyStatement[], encoding: DocumentEncoding = "json"): string {
  for (const s of statements) {
    const actions = typeof s.Action === "string" ? [s.Action] : s.Action;
    if (actions.includes("*")) throw new Error(`policy statement ${s.Sid ?? "(no Sid)"} grants Action "*", which is never allowed`);
  }
  const doc: PolicyDocument = { Version: "2012-10-17", Statement: statements };
  return encodeDocument(doc, encoding);
}

/**
 * Trust policy for an AWS service principal. `sourceAccount` and `sourceArn` guard against the
 * confused-deputy problem: another account's resource cannot make the service assume this role.
 */
export function assumeRolePolicy(service: string, guard?: { sourceAccount?: string; sourceArn?: string }): string {
  const condition: Record<string, Record<string, string>> = {};
  if (guard?.sourceAccount) condition.StringEquals = { "aws:SourceAccount": guard.sourceAccount };
  if (guard?.sourceArn) condition.ArnLike = { "aws:SourceArn": guard.sourceArn };
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Principal: { Service: service },
        Action: "sts:AssumeRole",
        ...(Object.keys(condition).length > 0 ? { Condition: condition } : {}),
      },
    ],
  });
}
