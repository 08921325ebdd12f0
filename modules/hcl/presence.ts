/** Optional parts as Terraform `count`: presence switches that are literal booleans or Terraform expressions. */
import { Fn, Op, Token, conditional, propertyAccess, type IResolvable, type TerraformResource } from "cdktf";

/**
 * Whether a part of a configuration exists: decided at synth time (a literal, so the part is plainly
 * created or not), or by Terraform (a bool expression, so the part is count-switched).
 */
export type Presence = boolean | IResolvable;

/** The presence a literal-or-token switch gives, `fallback` when unset. */
export function presenceOf(value: boolean | IResolvable | undefined, fallback: boolean): Presence {
  return value ?? fallback;
}

/** Every one must hold. Literals fold away, so literal inputs never produce an expression. */
export function allOf(...presences: readonly Presence[]): Presence {
  if (presences.some((p) => p === false)) return false;
  const open = presences.filter((p): p is IResolvable => p !== true);
  if (open.length === 0) return true;
  return open.reduce((a, b) => Op.and(a, b) as IResolvable);
}

/** At least one must hold. Literals fold away, as in {@link allOf}. */
export function anyOf(...presences: readonly Presence[]): Presence {
  if (presences.some((p) => p === true)) return true;
  const open = presences.filter((p): p is IResolvable => p !== false);
  if (open.length === 0) return false;
  return open.reduce((a, b) => Op.or(a, b) as IResolvable);
}

/** Terraform's `value != null` for a value that may be unset; a literal answers now. */
export function isSet(value: string | undefined): Presence {
  return Token.isUnresolved(value) ? (Op.neq(value, Token.nullValue()) as IResolvable) : value !== undefined;
}

/** Terraform's `value == null` for a value that may be unset; a literal answers now. */
export function isUnset(value: string | undefined): Presence {
  return Token.isUnresolved(value) ? (Op.eq(value, Token.nullValue()) as IResolvable) : value === undefined;
}

/**
 * The `count` of a part that exists when `presence` holds: none at all when it surely exists (the
 * configuration stays what it was before parts could be switched). A part that surely does not
 * exist is not created, so asking for its count is a bug.
 */
export function countOf(presence: Presence): number | undefined {
  if (presence === false) throw new Error("a part that is never present must not be created (count would always be 0)");
  return presence === true ? undefined : Token.asNumber(conditional(presence, 1, 0));
}

/**
 * A string attribute of a resource that may be count-switched: the plain reference when it has no
 * count, else `one(resource[*].attribute)`, which is null when the resource is absent.
 */
export function attributeOf(resource: TerraformResource, attribute: string): string {
  return resource.count === undefined ? resource.getStringAttribute(attribute) : Token.asString(Fn.one(propertyAccess(resource, ["*", attribute])));
}
