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

/** Slack did not accept the message (non-2xx, timeout, network). Never carries the webhook URL. */
export class SlackDeliveryError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "SlackDeliveryError";
  }
}

/**
 * Slack answered 429 (rate limited) with a Retry-After of `retryAfterSeconds`: nothing was posted.
 * Slack: "If you go over these limits when using our HTTP based APIs, including Incoming Webhooks,
 * Slack will start returning a HTTP 429 Too Many Requests error ... and a Retry-After header
 * containing the number of seconds until you can retry" (Slack API, "Rate limits").
 */
export class SlackRateLimitedError extends Error {
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(message);
    this.name = "SlackRateLimitedError";
  }
}
