/**
 * Rerun core: which containers decide a task's fate. Events list every container, sidecars
 * included (often first) and carry no `essential` flag; the task definition does. A task failed
 * only if an essential container exited non-zero, and ran successfully only if every essential one
 * exited 0. Without the task definition every container counts as essential: a sidecar's failure
 * is then reported rather than a real failure missed.
 */
import type { FailedContainer } from "../../../shared/contract";

/** Names of the essential containers of a task definition's container definitions (ECS: `essential` defaults to true). */
export function essentialNames(definitions: ReadonlyArray<{ name?: string; essential?: boolean }> | undefined): ReadonlySet<string> | undefined {
  if (definitions === undefined) return undefined;
  return new Set(definitions.filter((d) => typeof d.name === "string" && d.essential !== false).map((d) => d.name as string));
}

/** The failing containers that are essential (all of them when `essential` is unknown). */
export function failedEssentials(failing: readonly FailedContainer[], essential: ReadonlySet<string> | undefined): FailedContainer[] {
  return essential === undefined ? [...failing] : failing.filter((c) => essential.has(c.name));
}

/**
 * Whether a stopped task counts as a successful run of its job: every essential container (every
 * container, when unknown) reported an exit code of 0.
 */
export function countsAsSuccess(containers: ReadonlyArray<{ name?: unknown; exitCode?: unknown }>, essential: ReadonlySet<string> | undefined): boolean {
  const deciding = containers.filter((c) => essential === undefined || (typeof c.name === "string" && essential.has(c.name)));
  return deciding.length > 0 && deciding.every((c) => c.exitCode === 0);
}

/**
 * A stopped reason that says nothing ("Task failed to start"): the cause is then in the
 * containers' own `reason` (e.g. "CannotPullImageManifestError: ..."), which should be told and judged.
 */
export function isGenericStoppedReason(reason: string | undefined): boolean {
  return reason === undefined || /^(task failed to start|taskfailedtostart)\.?$/i.test(reason.trim());
}
