/** What the starter logs that others read (the pipeline's metric filter): no SDK here, so the construct may import it cheaply. */

/**
 * The message the starter logs for each execution it starts for a real failure: the pipeline's
 * metric filter counts these as failures found by the event path (a self-test logs another one).
 */
export const EXECUTION_STARTED = "execution started";
/** The message of a self-test's execution: never counted as a failure. */
export const SELF_TEST_STARTED = "self-test handed to the state machine";
