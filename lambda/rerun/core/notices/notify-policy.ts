/**
 * Rerun core: which step of a failure is told (NOTIFY, see contract.ts NotifyMode). The Lambda
 * decides here and says so in `decision.publish`; the state machine only routes on it, so the rule
 * is a pure function with its own tests and the definition stays a plain router.
 *
 * In `outcomes` (the default) a failure that heals on its first rerun is one message, sent when it
 * heals ("recovered after 1 rerun, 42 s"); one that is still open STILL_TRYING_AFTER_SECONDS after it
 * was detected gets one "still trying" message at the first step past that (each step is a Wait of at
 * most MAX_DELAY_SECONDS, 300 s by default, or a verify or later round of 30 s to a few minutes, so the
 * message comes at most that long after the threshold); gave-up, needs-a-human, not-retryable and
 * program-failure notices go at once, a needs-a-human one before any wait (it is decided at classify).
 */
import type { Decision, LaunchFailure, NoticeKind, NotifyMode } from "../../../shared/contract";

/** The notify settings of the rerun Lambda. */
export interface NotifyPolicy {
  readonly notify: NotifyMode;
  /** Seconds a failure may stay open before its one "still trying" notice. */
  readonly stillTryingAfterSeconds: number;
}

/** Outcomes a person must act on (or learn the job did not run): always told, at once. */
const PROBLEMS: ReadonlySet<Decision["next"]> = new Set(["gave_up", "not_retryable", "report", "needs_human"]);
/** Steps that wait and come back: the only ones a "still trying" notice can ride on. */
const STILL_OPEN: ReadonlySet<Decision["next"]> = new Set(["retry", "verify", "later"]);

/** What to publish for this step: the decision with `publish` set, the notice kind, the failure with its marks. */
export interface Publication {
  readonly decision: Decision;
  readonly kind: NoticeKind;
  readonly failure: LaunchFailure;
}

/**
 * Applies `policy` to one step's output. `kind` is the every-step kind (core/notices/notice.ts). In
 * `every-step` nothing changes (no `publish` field: the state machine of that mode has no quiet route).
 */
export function publication(policy: NotifyPolicy, failure: LaunchFailure, decision: Decision, kind: NoticeKind, nowMs: number): Publication {
  // Every mode keeps when the failure was detected and what it first was, so a recovery can say both.
  const marked: LaunchFailure = {
    ...failure,
    detectedAt: failure.detectedAt ?? new Date(nowMs).toISOString(),
    firstReasons: failure.firstReasons ?? [...failure.reasons],
  };
  if (policy.notify === "every-step") return { decision, kind, failure: marked };
  const next = decision.next;
  if (PROBLEMS.has(next)) return { decision: { ...decision, publish: true }, kind, failure: marked };
  if (next === "recovered") {
    // problems: a recovery is news only to someone who was told it was still trying.
    const publish = policy.notify === "outcomes" || marked.stillTryingSent === true;
    return { decision: { ...decision, publish }, kind: "recovered", failure: marked };
  }
  if (STILL_OPEN.has(next) && !marked.stillTryingSent && openSeconds(marked, nowMs) >= policy.stillTryingAfterSeconds) {
    return { decision: { ...decision, publish: true }, kind: "still_trying", failure: { ...marked, stillTryingSent: true } };
  }
  return { decision: { ...decision, publish: false }, kind, failure: marked };
}

/** Whole seconds since the failure was detected (0 when it was not recorded). */
export function openSeconds(failure: Pick<LaunchFailure, "detectedAt">, nowMs: number): number {
  const at = failure.detectedAt === undefined ? Number.NaN : Date.parse(failure.detectedAt);
  return Number.isFinite(at) ? Math.max(0, Math.round((nowMs - at) / 1000)) : 0;
}
