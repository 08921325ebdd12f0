// Public entry of the drill's EventBridge event-pattern matcher; the implementation lives in drill/event-pattern/.
/**
 * Evaluates an EventBridge event pattern against an event, following AWS's documented
 * semantics ("Amazon EventBridge event patterns", "Comparison operators for use in event
 * patterns in Amazon EventBridge", "Arrays in Amazon EventBridge event patterns") and, where
 * the docs are silent, the behaviour of aws/event-ruler, the engine EventBridge runs.
 *
 * Model: the event is flattened into leaf fields (path -> scalar values), as the engine does.
 * The pattern is compiled into branches (one per `$or` combination); a branch matches when
 * every one of its leaves matches a field, and all chosen fields come from the same element
 * of any array they share.
 */

import { branchMatches } from "./branch-matching";
import { flattenEvent } from "./event-flattening";
import { compilePattern } from "./pattern-compiler";

export { InvalidEventPatternError } from "./invalid-event-pattern";

export function matchesEventPattern(pattern: unknown, event: unknown): boolean {
  const branches = compilePattern(pattern);
  const fields = flattenEvent(event);
  return branches.some((branch) => branchMatches(branch, fields));
}
