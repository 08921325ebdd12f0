/**
 * Names of IAM entities, shared by both sides. IAM names are global in an account ("Names of users,
 * groups, roles, and instance profiles must be unique within the account. They aren't distinguished
 * by case", IAM User Guide, "IAM and AWS STS quotas"), while almost everything else a stack creates
 * is named per region. So every IAM name here carries the region, and is fitted to IAM's length
 * limits (same page: role names at most 64 characters, instance profile names 128, paths 512).
 */
import { createHash } from "node:crypto";
import { Token } from "cdktf";
import { hcl } from "./hcl/hcl-expression";

/** IAM's length limits (IAM User Guide, "IAM and AWS STS quotas", "IAM object character limits"). */
export const IAM_NAME_LIMITS = { roleName: 64, instanceProfileName: 128, path: 512 } as const;

/** Managed policies a role may have attached by default (IAM User Guide, "IAM and AWS STS quotas"; adjustable to 20, but not assumed). */
export const MANAGED_POLICIES_PER_ROLE = 10;

/** Characters of the SHA-1 (hex) of the full name that end a shortened one. */
const HASH_CHARS = 8;

/**
 * `<parts joined by "-">-<region>`, unchanged while it fits in `max` characters; a longer one keeps
 * its first `max - 9` characters and ends with "-" and the first 8 hex digits of the full name's
 * SHA-1, so two long names stay apart. The same rule as {@link fittedNameHcl}, which Terraform
 * evaluates when a part is known only to it; the module's tests compare the two.
 */
export function fittedName(full: string, max: number): string {
  if (full.length <= max) return full;
  const hash = createHash("sha1").update(full).digest("hex").slice(0, HASH_CHARS);
  return `${full.slice(0, max - HASH_CHARS - 1)}-${hash}`;
}

/** {@link fittedName} as a Terraform expression, for a name holding values only Terraform knows. */
export function fittedNameHcl(full: string, max: number): string {
  return Token.asString(hcl`length(${full}) <= ${max} ? ${full} : "\${substr(${full}, 0, ${max - HASH_CHARS - 1})}-\${substr(sha1(${full}), 0, ${HASH_CHARS})}"`);
}

/**
 * The name of an IAM entity of one region: `<parts>-<region>`, fitted to `max` characters. Literal
 * parts give a literal name; a Terraform value among them (the module's `name`, the region read
 * from the provider) gives the expression Terraform evaluates to the same name.
 */
export function regionalIamName(parts: readonly string[], region: string, max: number = IAM_NAME_LIMITS.roleName): string {
  const full = [...parts, region].join("-");
  return Token.isUnresolved(full) ? fittedNameHcl(full, max) : fittedName(full, max);
}
