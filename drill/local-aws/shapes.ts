// The shapes LocalAws records, sends and is configured with: caller identities, recorded requests,
// CloudTrail events and LocalAwsOptions.
import type { EcsTask, EcsTaskStateChangeEvent } from "../simulation/task-lifecycle";
import type { EcsAnswer } from "./ecs/ecs-script";

// ---------------------------------------------------------------------------------------------
// Shapes
// ---------------------------------------------------------------------------------------------

export interface AssumedRoleIdentity {
  type: "AssumedRole";
  principalId: string;
  arn: string;
  accountId: string;
  accessKeyId: string;
  sessionContext: {
    sessionIssuer: { type: "Role"; principalId: string; arn: string; accountId: string; userName: string };
    attributes: { creationDate: string; mfaAuthenticated: "false" };
    webIdFederationData: Record<string, never>;
  };
  invokedBy?: string;
}

export interface IAMUserIdentity {
  type: "IAMUser";
  principalId: string;
  arn: string;
  accountId: string;
  accessKeyId: string;
  userName: string;
}

/** Caller of a request that carried no SigV4 Authorization header (it is refused). */
export interface AnonymousIdentity {
  type: "Unknown";
}

export type Identity = AssumedRoleIdentity | IAMUserIdentity | AnonymousIdentity;

export interface IdentitySpec {
  roleName: string;
  /** The role's IAM path, "/" unless given (ecs-rerun's relaunch roles: "/ecs-rerun/"). CloudTrail
   *  writes it in sessionContext.sessionIssuer.arn only; the session's own arn and userName drop it. */
  path?: string;
  /** Default: 32 hex characters derived from the access key id, like the session names AWS services use. */
  sessionName?: string;
  /** Service principal acting for the role ("events.amazonaws.com", "states.amazonaws.com"): sets
   *  userIdentity.invokedBy, sourceIPAddress and userAgent the way CloudTrail does for service calls. */
  invokedBy?: string;
  /** The account the role belongs to. Default: the endpoint's own (home) account. */
  account?: string;
}

export interface EcsFailure {
  arn?: string;
  reason?: string;
  detail?: string;
}

export type RequestAnswer = "ok" | "failed" | "throttled" | "error" | "replayed";

export interface RecordedRequest {
  /** Operation name ("RunTask", "GetParameter"), or the raw X-Amz-Target when it is not one we know. */
  action: string;
  /** The JSON body as received ({} when it could not be parsed). */
  request: Record<string, unknown>;
  caller: Identity;
  /** The account and region the request was made in: the caller's account, the region it was signed for. */
  account: string;
  region: string;
  /** "failed" = HTTP 200 with a non-empty failures list (including partial placement). */
  answer: RequestAnswer;
  at: number;
  errorCode?: string;
  tasks?: EcsTask[];
  failures?: EcsFailure[];
}

export interface CloudTrailApiCallEvent {
  version: "0";
  id: string;
  "detail-type": "AWS API Call via CloudTrail";
  source: "aws.ecs";
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: {
    eventVersion: string;
    userIdentity: Identity;
    eventTime: string;
    eventSource: "ecs.amazonaws.com";
    eventName: "RunTask" | "StartTask";
    awsRegion: string;
    sourceIPAddress: string;
    userAgent: string;
    errorCode?: string;
    errorMessage?: string;
    requestParameters: Record<string, unknown>;
    responseElements: { tasks: Array<Record<string, unknown>>; failures: EcsFailure[] } | null;
    requestID: string;
    eventID: string;
    readOnly: false;
    eventType: "AwsApiCall";
    managementEvent: true;
    recipientAccountId: string;
    eventCategory: "Management";
  };
}

export interface LocalAwsOptions {
  region?: string;
  account?: string;
  /** Answers for successive RunTask/StartTask calls; the last one repeats. Default ["ok"]. */
  ecsScript?: ReadonlyArray<string | EcsAnswer>;
  /** SSM parameters, all served as SecureString. */
  parameters?: Record<string, string>;
  /** DynamoDB tables (name -> partition key attribute), empty at the start. */
  tables?: Record<string, { hashKey: string }>;
  /** SQS queues (URL -> the redrive policy's maxReceiveCount), empty at the start. */
  queues?: Record<string, { maxReceiveCount: number }>;
  /** accessKeyId -> role the key belongs to; unknown keys are treated as IAM users. */
  identities?: Record<string, IdentitySpec>;
  /** Token bucket in front of RunTask/StartTask, like ECS's per-account API rate limit. */
  throttle?: { burst: number; refillPerSecond: number };
  /** Milliseconds since the epoch. Default Date.now. */
  now?: () => number;
  onCloudTrailEvent?: (event: CloudTrailApiCallEvent) => void;
  /** Receives an "ECS Task State Change" event each time a placed task reaches a new lastStatus. */
  onTaskStateChange?: (event: EcsTaskStateChangeEvent) => void;
  /** Seconds from placement to RUNNING (or to STOPPED, for a task that never starts). Default 5. */
  startSeconds?: number;
  /** Seconds from RUNNING to STOPPED. Default 60. */
  runSeconds?: number;
  /**
   * Runs `fn` after `ms` milliseconds; moves placed tasks through their life. Default: the global
   * setTimeout as it is at call time (so a faked clock's), unref'd and cancelled by stop()/reset().
   * Tests can pass a queue they drain by hand. A callback that runs after reset() does nothing.
   */
  schedule?: (ms: number, fn: () => void) => void;
  /** Default 0 (ephemeral). */
  port?: number;
  /**
   * What is kept of each request, event and task change: "all" (`requests`, `events` and
   * `taskStateChanges` in full) or "counts" (`requestCounts` only), so that a storm of thousands
   * keeps no per-call record. Default "all".
   */
  keep?: "all" | "counts";
}
