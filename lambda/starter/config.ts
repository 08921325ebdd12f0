/** The starter Lambda's settings, read once from its environment at cold start. */
import { requiredString, type Env } from "../shared/env";

export interface StarterConfig {
  /** ARN of the rerun state machine the starter starts. */
  readonly stateMachineArn: string;
}

export function readConfig(env: Env): StarterConfig {
  return { stateMachineArn: requiredString(env, "STATE_MACHINE_ARN", "the ARN of the rerun state machine") };
}
