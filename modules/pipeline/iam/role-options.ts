/**
 * The permissions boundary and IAM path a user gives every role of the pipeline and of a spoke, and
 * the one place those roles are created ({@link addRole}), so that no role can miss them: most
 * enterprise accounts refuse `iam:CreateRole` without a boundary (an SCP or a delegated admin's own
 * boundary), and some keep each team's roles under a path of its own.
 *
 * The relaunch roles (the pipeline's rerun role, a spoke's relaunch role) keep the path
 * `/ecs-rerun/` whatever the user's path: that path is their mark, which every pipeline's rules
 * exclude so that no pipeline reruns any pipeline's reruns (relaunch-identity.ts), and a hub finds
 * a spoke's relaunch role by it. A user path there would either break loop safety (a pipeline with
 * another path, or none, would catch the reruns) or, nested under `/ecs-rerun/`, still fail a
 * policy that wants the user's prefix while forcing every hub to learn every spoke's path. So the
 * path goes to the other roles, and the boundary to every role: a boundary only limits what a
 * role may do, never how CloudTrail names it.
 *
 * IAM's rules (IAM API Reference, CreateRole): `Path` is "/" or begins and ends with "/", holding
 * ASCII characters from "!" through DEL, at most 512 characters; `PermissionsBoundary` is the ARN of
 * a managed policy (yours, or an AWS managed one: `arn:aws:iam::aws:policy/...`). Changing a role's
 * path replaces the role (IAM cannot move one); setting or removing a boundary does not.
 */
import type { Construct } from "constructs";
import { Token } from "cdktf";
import { IamRole, type IamRoleConfig } from "@cdktf/provider-aws/lib/iam-role";
import { IAM_NAME_LIMITS } from "../../iam-names";
import { InputError } from "../../input-error";
import { RELAUNCH_ROLE_PATH } from "./relaunch-identity";

/** What the user gives every role. Values may be Terraform expressions (the module's variables), null meaning unset. */
export interface RoleOptions {
  /** ARN of the managed policy that is every role's permissions boundary. @default no boundary */
  readonly permissionsBoundary?: string;
  /** IAM path of every role but the relaunch roles, which keep `/ecs-rerun/`. @default "/" */
  readonly path?: string;
}

/**
 * Which roles take the user's path: "relaunch" roles keep {@link RELAUNCH_ROLE_PATH} (their mark),
 * and so does a spoke's "sweep" role, which the hub's reconciler assumes by a name and path it
 * computes (the path only names it: the role launches nothing, so the mark hides no call); the
 * others take the user's.
 */
export type RoleKind = "service" | "relaunch" | "sweep";

/** What the options may be; valid in JavaScript and in Terraform's RE2 alike (the module's validation uses them). */
export const ROLE_OPTION_LIMITS = {
  /** A managed policy ARN of any partition: the account's own, or AWS's (`iam::aws:policy/`). */
  permissionsBoundaryPattern: "^arn:aws[a-z-]*:iam::([0-9]{12}|aws):policy/[!-~]+$",
  /** "/" alone, or printable ASCII beginning and ending with "/" (IAM also admits DEL, which no one types). */
  pathPattern: "^(/|/[!-~]+/)$",
  pathMaxLength: IAM_NAME_LIMITS.path,
  /** Reserved for the relaunch roles: every pipeline's rules ignore the calls of any role under it. */
  reservedPathPrefix: RELAUNCH_ROLE_PATH,
} as const;

/** Where the options were set, for errors: the construct's prop and the module's variable. */
export interface RoleOptionsOrigin {
  /** The construct, e.g. "EcsRerunPipeline". */
  readonly construct: string;
  /** The module that takes them, e.g. "module" or "module spoke". */
  readonly module: string;
}

/**
 * Refuses literal options IAM or loop safety would refuse, naming the value, where it was set and
 * what is allowed; Terraform expressions are left to the module's validation blocks, which apply the
 * same {@link ROLE_OPTION_LIMITS}.
 */
export function checkRoleOptions(options: RoleOptions, origin: RoleOptionsOrigin): void {
  const L = ROLE_OPTION_LIMITS;
  const at = (prop: string, variable: string) => `(${origin.construct} prop ${prop}; ${origin.module}: ${variable})`;
  const { permissionsBoundary: boundary, path } = options;
  if (boundary !== undefined && !Token.isUnresolved(boundary) && !new RegExp(L.permissionsBoundaryPattern).test(boundary)) {
    throw new InputError("rolePermissionsBoundary", `rolePermissionsBoundary = ${JSON.stringify(boundary)} is invalid ${at("rolePermissionsBoundary", "role_permissions_boundary")}: expected the ARN of a managed policy (arn:aws:iam::ACCOUNT:policy/NAME, or arn:aws:iam::aws:policy/NAME)`);
  }
  if (path !== undefined && !Token.isUnresolved(path)) {
    const where = at("rolePath", "role_path");
    if (!new RegExp(L.pathPattern).test(path) || path.length > L.pathMaxLength) {
      throw new InputError("rolePath", `rolePath = ${JSON.stringify(path)} is invalid ${where}: expected "/" or a path that begins and ends with "/" (e.g. "/platform/batch/"), of printable ASCII without spaces, at most ${L.pathMaxLength} characters`);
    }
    if (path.startsWith(L.reservedPathPrefix)) {
      throw new InputError("rolePath", `rolePath = ${JSON.stringify(path)} is invalid ${where}: ${L.reservedPathPrefix} is reserved for the relaunch roles (every ecs-rerun pipeline ignores the calls of any role under it); choose a path outside it`);
    }
  }
}

/**
 * The path and boundary one role takes: a relaunch (or sweep) role keeps `/ecs-rerun/`, another role the user's
 * path; every role the boundary. An option not given adds no field, so a role synthesizes exactly as
 * it did before the options existed.
 */
export function roleSettings(options: RoleOptions, kind: RoleKind): Pick<IamRoleConfig, "path" | "permissionsBoundary"> {
  const path = kind === "service" ? options.path : RELAUNCH_ROLE_PATH;
  return {
    ...(path !== undefined ? { path } : {}),
    ...(options.permissionsBoundary !== undefined ? { permissionsBoundary: options.permissionsBoundary } : {}),
  };
}

/**
 * Creates a role of the pipeline or of a spoke: every role they create goes through here, so the
 * user's boundary and path reach it. `config` holds everything but the path and the boundary.
 */
export function addRole(scope: Construct, id: string, config: Omit<IamRoleConfig, "path" | "permissionsBoundary">, options: RoleOptions, kind: RoleKind = "service"): IamRole {
  return new IamRole(scope, id, { ...config, ...roleSettings(options, kind) });
}
