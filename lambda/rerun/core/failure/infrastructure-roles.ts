/**
 * Rerun core: the ECS infrastructure roles a request passes to ECS. A RunTask with
 * `volumeConfigurations[].managedEBSVolume.roleArn` names the role ECS assumes to create and attach
 * the volume (ECS API Reference, TaskManagedEBSVolumeConfiguration `roleArn`; its trust policy's
 * principal is `ecs.amazonaws.com`, ECS Developer Guide, "Amazon ECS infrastructure IAM role"). The
 * rerun role may pass such a role only when the pipeline lists it (INFRASTRUCTURE_ROLE_ARNS, from
 * `infrastructureRoleArns`; modules/pipeline/iam/infrastructure-roles.ts grants exactly those, to
 * `ecs.amazonaws.com`): any other, and IAM would refuse the rerun half-way, so it is refused before.
 */
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** The infrastructure roles of a request's managed EBS volumes, each once. */
export function infrastructureRolesOf(request: Record<string, unknown>): string[] {
  const volumes = Array.isArray(request.volumeConfigurations) ? request.volumeConfigurations : [];
  const roles = volumes.flatMap((v) => {
    const managed = isObject(v) ? v.managedEBSVolume : undefined;
    return isObject(managed) && typeof managed.roleArn === "string" ? [managed.roleArn] : [];
  });
  return [...new Set(roles)];
}

/**
 * Why a request cannot be relaunched with the rerun's roles, or undefined when it can: it names
 * infrastructure roles the pipeline does not list, or any at all in a spoke (a spoke's relaunch role
 * passes roles to `ecs-tasks.amazonaws.com` only).
 */
export function infrastructureRolesRefusal(request: Record<string, unknown>, allowed: readonly string[], inSpoke: boolean): string | undefined {
  const roles = infrastructureRolesOf(request);
  if (roles.length === 0) return undefined;
  if (inSpoke) {
    return `the task's managed EBS volumes pass the ECS infrastructure role ${roles.join(", ")} to ecs.amazonaws.com, which a spoke's relaunch role may not do: nothing was launched; launch it by hand in its account`;
  }
  const missing = roles.filter((r) => !allowed.includes(r));
  if (missing.length === 0) return undefined;
  return `the task's managed EBS volumes pass the ECS infrastructure role ${missing.join(", ")} to ecs.amazonaws.com, which this pipeline may not pass: nothing was launched; list it in infrastructureRoleArns (module: infrastructure_role_arns; app: ECS_RERUN_INFRASTRUCTURE_ROLE_ARNS) for the next time, and launch this one by hand`;
}
