// Registers cdktf's toHaveResourceWithProperties & co. on jest's expect. The adapter by its own path:
// `Testing.setupJest()` would load all of cdktf into every suite, most of which never synthesize
// (0.1 s of CPU each, measured over the 20 suites of __tests__/lambda/rerun/core).
// eslint-disable-next-line @typescript-eslint/no-require-imports
(require("cdktf/lib/testing/adapters/jest") as { setupJest: () => void }).setupJest();

// cdktf records where every lazy value, dynamic block and computed list was created (a full stack:
// Error.stackTraceLimit raised to Number.MAX_SAFE_INTEGER), only to name that place if the token later
// fails to resolve. Under jest every capture is mapped frame by frame through source maps (jest's
// prepareStackTrace): four synthesizing suites spent 12.3 s of CPU with it and 7.4 s without (issue 22,
// `npx jest -i` on app, readme, rerun-pipeline and role-options). No test reads those stacks; a token
// that fails to resolve still fails the test, with cdktf's message but without "created at" frames.
// Synthesized output is unchanged: the stacks never reach it.
// eslint-disable-next-line @typescript-eslint/no-require-imports
(require("cdktf/lib/tokens/private/stack-trace") as { captureStackTrace: () => string[] }).captureStackTrace = () => [];
