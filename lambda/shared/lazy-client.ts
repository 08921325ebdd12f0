/**
 * Clients made at their first call, not at the Lambda's init.
 *
 * A cold start loads and runs every module the entry point imports before the first event is
 * handled, and each AWS SDK client package costs tens of milliseconds of CPU to load. A client the
 * function may never call (DynamoDB when launches are not paced, EventBridge and Scheduler until a
 * failure's schedule must be read, STS and the credential providers unless it is a hub) is
 * therefore loaded where it is first used: each module that sends its commands reaches it through
 * a `require()` inside a function (`const sdk = () => require("../shared/sdk/dynamodb")`), which
 * esbuild bundles but evaluates only when called, and the entry point (index.ts) wraps the client
 * itself in {@link clientOnFirstSend}. The `require` goes to a file of sdk/ that re-exports just the
 * client and commands used, not to the package: a package reached by `require()` is bundled whole,
 * while sdk/'s static imports let esbuild leave out the operations never sent. Types come from
 * `import type`, which costs nothing at run time. `npm run bench:cold-start` measures what init
 * costs; a test checks which SDK packages the rerun entry point loads at init.
 */

/** Anything with the SDK clients' `send`. */
export interface Sender {
  send(command: never): Promise<unknown>;
}

/**
 * A stand-in for the client `make` builds, built at the first `send` (and its package loaded then)
 * and reused by every later one, like a client made at module scope.
 */
export function clientOnFirstSend<S extends Sender>(make: () => S): S {
  let client: S | undefined;
  const send = (command: never) => (client ??= make()).send(command);
  return { send } as unknown as S;
}
