/** Names the reconciler's construct shares with its Lambda (which must not import cdktf). */
export { CURSOR_KEY_ATTRIBUTE, CURSOR_KEY_PREFIX, FOUND_BY_RECONCILER } from "../../../lambda/reconciler/core/names";
/** The metric counting failures the reconciler started itself, in the pipeline's namespace `ECSRerun/<name>`. */
export const FOUND_BY_RECONCILER_METRIC = "FoundByReconciler";
/** The reconciler's schedule: minutes between runs. */
export const RECONCILE_EVERY_MINUTES = { default: 5, min: 1, max: 1440 } as const;
