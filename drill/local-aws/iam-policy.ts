// The part of IAM's policy evaluation the drill needs to honour policies as synthesized: a role's
// trust policy (who may sts:AssumeRole it), an event bus's resource policy (who may events:PutEvents
// on it), and the caller's own identity policies (whether the hub's rerun role may assume a given
// relaunch role). Only what those documents use is evaluated; anything else denies, so a policy the
// drill cannot read never lets a call through.

/** A policy document as Terraform sends it (parsed JSON). */
export interface PolicyDocument {
  readonly Version?: string;
  readonly Statement: readonly PolicyStatement[] | PolicyStatement;
}

export interface PolicyStatement {
  readonly Sid?: string;
  readonly Effect: "Allow" | "Deny";
  readonly Action?: string | readonly string[];
  readonly Principal?: "*" | { readonly AWS?: string | readonly string[]; readonly Service?: string | readonly string[] };
  readonly Resource?: string | readonly string[];
  readonly Condition?: Readonly<Record<string, Readonly<Record<string, string | readonly string[]>>>>;
}

/** Who is asking: the principal's ARNs (the role, and the assumed-role session), its account and organization. */
export interface Caller {
  /** ARNs IAM would match against a Principal element: the role ARN (with its path) and the session ARN. */
  readonly arns: readonly string[];
  readonly account: string;
  readonly organizationId?: string;
  /** The organization of the resource acted on (aws:ResourceOrgID), when it belongs to one. */
  readonly resourceOrganizationId?: string;
}

const list = <T>(v: T | readonly T[] | undefined): readonly T[] => (v === undefined ? [] : Array.isArray(v) ? (v as readonly T[]) : [v as T]);

/** IAM's wildcard match: `*` any run of characters, `?` one character, case-sensitive. */
export function wildcardMatch(pattern: string, value: string): boolean {
  const source = pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".");
  return new RegExp(`^${source}$`).test(value);
}

/** Action names are case-insensitive in IAM ("sts:AssumeRole" = "sts:assumerole"). */
function actionMatches(statement: PolicyStatement, action: string): boolean {
  return list(statement.Action).some((a) => wildcardMatch(a.toLowerCase(), action.toLowerCase()));
}

/**
 * An AWS principal matches the caller: "*", the caller's account ("123456789012" or its root ARN:
 * any principal of that account, IAM User Guide, "AWS JSON policy elements: Principal"), or one of
 * its ARNs exactly (a role named in a trust policy is matched by its ARN, path included).
 */
function principalMatches(statement: PolicyStatement, caller: Caller): boolean {
  const principal = statement.Principal;
  if (principal === "*") return true;
  return list(principal?.AWS).some((p) => p === "*" || p === caller.account || p === `arn:aws:iam::${caller.account}:root` || caller.arns.includes(p));
}

/** The global condition keys a caller has (IAM User Guide, "AWS global condition context keys"). */
function contextValue(key: string, caller: Caller): string | undefined {
  switch (key.toLowerCase()) {
    case "aws:principalaccount":
      return caller.account;
    case "aws:principalorgid":
      return caller.organizationId;
    case "aws:resourceorgid":
      return caller.resourceOrganizationId;
    case "aws:principalarn":
      return caller.arns[0];
    default:
      return undefined;
  }
}

/** Every condition holds (operators the drill does not know, or keys the caller lacks, do not). */
function conditionsHold(statement: PolicyStatement, caller: Caller): boolean {
  for (const [operator, keys] of Object.entries(statement.Condition ?? {})) {
    for (const [key, expected] of Object.entries(keys)) {
      const value = contextValue(key, caller);
      if (value === undefined) return false;
      const wanted = list(expected);
      if (operator === "StringEquals" || operator === "ArnEquals") {
        if (!wanted.includes(value)) return false;
      } else if (operator === "StringLike" || operator === "ArnLike") {
        if (!wanted.some((w) => wildcardMatch(w, value))) return false;
      } else {
        return false;
      }
    }
  }
  return true;
}

/**
 * Whether the caller's identity `policies` let it do `action` on `resource`: some Allow statement's
 * Action and Resource match and its conditions hold, and no such Deny does. aws:ResourceOrgID is the
 * caller's `resourceOrganizationId` (the organization of the role assumed), unknown outside one.
 */
export function identityPoliciesAllow(policies: readonly PolicyDocument[], action: string, resource: string, caller: Caller): boolean {
  const statements = policies.flatMap((p) => list(p.Statement));
  const applies = (s: PolicyStatement) => actionMatches(s, action) && list(s.Resource).some((r) => wildcardMatch(r, resource)) && conditionsHold(s, caller);
  if (statements.some((s) => s.Effect === "Deny" && applies(s))) return false;
  return statements.some((s) => s.Effect === "Allow" && applies(s));
}

/**
 * Whether `policy` lets `caller` do `action`: some Allow statement matches and no Deny does (an
 * explicit deny wins, IAM User Guide, "Policy evaluation logic").
 */
export function resourcePolicyAllows(policy: PolicyDocument | undefined, action: string, caller: Caller): boolean {
  if (policy === undefined) return false;
  const statements = list(policy.Statement);
  const applies = (s: PolicyStatement) => actionMatches(s, action) && principalMatches(s, caller) && conditionsHold(s, caller);
  if (statements.some((s) => s.Effect === "Deny" && applies(s))) return false;
  return statements.some((s) => s.Effect === "Allow" && applies(s));
}
