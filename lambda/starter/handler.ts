/**
 * Thin shell of the starter Lambda: EventBridge invokes it with a matched event; it starts the
 * rerun state machine under the failure's own name (see execution-name.ts), so a second delivery
 * of the same failure finds its execution instead of starting another.
 */
import { StartExecutionCommand, type StartExecutionCommandOutput } from "@aws-sdk/client-sfn";
import { describeError, logJson } from "../shared/log";
import type { StarterConfig } from "./config";
import { executionNameFor } from "./execution-name";
import { isSelfTestEvent } from "../shared/self-test";
import { EXECUTION_STARTED, SELF_TEST_STARTED } from "./messages";

export { EXECUTION_STARTED, SELF_TEST_STARTED } from "./messages";

/** What the handler needs from Step Functions: an `SFNClient` or a stub with the same `send`. */
export interface SfnSender {
  send(command: StartExecutionCommand): Promise<StartExecutionCommandOutput>;
}

/** How one delivery ended: a new (or the still-open identical) execution, or a duplicate of one. */
export type StarterOutput =
  | { readonly outcome: "started"; readonly name?: string; readonly executionArn?: string }
  | { readonly outcome: "duplicate"; readonly name: string };

export type StarterHandler = (event: unknown) => Promise<StarterOutput>;

export interface StarterDeps {
  sfn: SfnSender;
}

export function makeHandler(config: StarterConfig, deps: StarterDeps): StarterHandler {
  return async function handler(event: unknown): Promise<StarterOutput> {
    const name = executionNameFor(event);
    const ctx = { executionName: name, eventId: (event as { id?: unknown } | null)?.id };
    try {
      const out = await deps.sfn.send(new StartExecutionCommand({ stateMachineArn: config.stateMachineArn, name, input: JSON.stringify(event) }));
      logJson("INFO", isSelfTestEvent(event) ? SELF_TEST_STARTED : EXECUTION_STARTED, { ...ctx, executionArn: out.executionArn });
      return { outcome: "started", name, executionArn: out.executionArn };
    } catch (err) {
      // A second delivery of a failure already being (or already) handled: the normal outcome
      // that naming exists for, not an error.
      if (name !== undefined && (err as { name?: string } | null)?.name === "ExecutionAlreadyExists") {
        logJson("INFO", "duplicate delivery: the failure already has its execution", ctx);
        return { outcome: "duplicate", name };
      }
      // Anything else is thrown: Lambda's async retries, then the on-failure queue and its alarm.
      logJson("ERROR", "execution not started", { ...ctx, ...describeError(err) });
      throw err;
    }
  };
}
