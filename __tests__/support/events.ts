import { readFileSync } from "node:fs";
import { join } from "node:path";

/** A CloudTrail event shipped with the drill (copied from ../shared/events). */
export function loadEvent(file: string): any {
  return JSON.parse(readFileSync(join(__dirname, "..", "..", "drill", "events", file), "utf8"));
}

export const AGENT_EVENT = "constructed__runtask-failure-AGENT__eventbridge-rule.json";
export const SUCCESS_EVENT = "constructed__runtask-success-empty-failures__eventbridge-rule.json";
export const STEP_FUNCTIONS_EVENT = "constructed__runtask-failure-AGENT__step-functions-startedBy.json";

/** The AGENT failure event with changes applied to a deep copy of its `detail`. */
export function agentEventWith(change: (detail: any) => void): any {
  const e = loadEvent(AGENT_EVENT);
  change(e.detail);
  return e;
}
