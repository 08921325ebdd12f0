/**
 * Typed errors. Each sets `this.name` to a string literal equal to the class name: the Lambda
 * Node.js runtime reports `errorType` from `error.name`, and Step Functions `Retry`/`Catch`
 * match on that errorType. A literal (not `new.target.name`) survives minification.
 */

/** Required or invalid configuration (env variable, SSM parameter). Thrown at cold start for env. */
export class ConfigurationError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "ConfigurationError";
  }
}

/** The invocation payload (EventBridge envelope or rerun input) is not what the contract says. */
export class InvalidEventError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "InvalidEventError";
  }
}

/**
 * ECS throttled the call even after the handler's own retries (THROTTLE_RETRIES); nothing was
 * executed, so Step Functions retries it with backoff.
 */
export class EcsThrottledError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "EcsThrottledError";
  }
}

/**
 * ECS answered 5xx (or the call's outcome is unknown) on RunTask. Retrying is safe because the
 * request carries a deterministic clientToken: ECS answers a repeated token with the first answer.
 */
export class EcsServerError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "EcsServerError";
  }
}

/**
 * The event is about a task the pipeline itself launched (it carries the ecs-rerun:event-id tag).
 * The execution that launched it verifies its own launches and counts this failure there; a
 * second execution must not count it again (double counting, and a rerun chain without end).
 * Not a fault: the state machine ends the execution quietly.
 */
export class AlreadyHandledError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "AlreadyHandledError";
  }
}

/** Slack did not accept the message (non-2xx, timeout, network). Never carries the webhook URL. */
export class SlackDeliveryError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "SlackDeliveryError";
  }
}
