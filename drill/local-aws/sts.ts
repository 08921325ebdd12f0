// The local STS endpoint: AssumeRole, as the hub's rerun function calls it for a spoke's relaunch
// role. It honours the roles the drill deployed (the synthesized spokes' relaunch roles): an unknown
// role, or a caller its trust policy does not name, is refused with AccessDenied, as IAM would. The
// credentials it issues carry an access key that identifies the role's account, and the endpoint
// registers it, so every later call signed with it is made as the assumed role in that account.
//
// Wire: STS speaks the AWS Query protocol (the SDK's STS client uses AwsQueryProtocol): a form-
// encoded POST `Action=AssumeRole&Version=2011-06-15&RoleArn=...&RoleSessionName=...`, answered in
// XML, `<AssumeRoleResponse><AssumeRoleResult><Credentials>...` or `<ErrorResponse><Error>...`
// (STS API Reference, AssumeRole, "Examples"; AWS Query protocol error responses).
import { createHash } from "node:crypto";
import type { CallerIdentities } from "./identity";
import { identityPoliciesAllow, resourcePolicyAllows, type PolicyDocument } from "./iam-policy";
import { isoSeconds } from "./protocol";
import type { Identity } from "./shapes";

/** A role the drill deployed that can be assumed: a spoke's relaunch role, with its trust policy. */
export interface AssumableRole {
  readonly arn: string;
  readonly account: string;
  readonly name: string;
  /** IAM path, "/ecs-rerun/" for the relaunch roles. */
  readonly path: string;
  readonly trustPolicy: PolicyDocument;
  /** The AWS Organization its account belongs to, if any (what aws:ResourceOrgID and aws:PrincipalOrgID see). */
  readonly organizationId?: string;
}

/** An STS answer: HTTP status and XML body. */
export interface StsReply {
  readonly status: number;
  readonly xml: string;
  readonly errorCode?: string;
}

const XMLNS = "https://sts.amazonaws.com/doc/2011-06-15/";
/** AssumeRole's own bounds of DurationSeconds (STS API Reference); role chaining caps it at one hour. */
const MIN_DURATION_S = 900;
const MAX_CHAINED_DURATION_S = 3600;

const escapeXml = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

function errorReply(status: number, code: string, message: string, requestId: string): StsReply {
  return {
    status,
    errorCode: code,
    xml: `<ErrorResponse xmlns="${XMLNS}"><Error><Type>Sender</Type><Code>${code}</Code><Message>${escapeXml(message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`,
  };
}

export class LocalSts {
  private roles = new Map<string, AssumableRole>();
  private issued = 0;
  /** AssumeRole calls, in order: who asked for which role, and whether STS said yes. */
  readonly calls: { roleArn: string; caller: string; granted: boolean; errorCode?: string }[] = [];
  /** Faults the next AssumeRole calls meet before anything is checked ("throttle", "5xx"), in order. */
  private faults: ("throttle" | "5xx")[] = [];

  constructor(private readonly identities: CallerIdentities) {}

  /** Identity policies of the callers' roles, by role ARN: a role listed here must be allowed sts:AssumeRole by them. */
  private identityPolicies = new Map<string, readonly PolicyDocument[]>();

  /**
   * The inline policies of roles that call AssumeRole (the hub's rerun role, as synthesized): IAM
   * lets a role assume another account's role only when both the caller's identity policy and the
   * role's trust allow it (IAM User Guide, "Cross account resource access in IAM").
   */
  setIdentityPolicies(policies: Readonly<Record<string, readonly PolicyDocument[]>>): void {
    this.identityPolicies = new Map(Object.entries(policies));
  }

  /** The roles that exist (replaces the earlier ones). */
  setRoles(roles: readonly AssumableRole[]): void {
    this.roles = new Map(roles.map((r) => [r.arn, r]));
  }

  setFaults(faults: readonly ("throttle" | "5xx")[]): void {
    this.faults = [...faults];
  }

  reset(): void {
    this.issued = 0;
    this.calls.length = 0;
    this.faults = [];
  }

  /** Answers one Query-protocol request from `caller` at `at` (ms since the epoch). */
  answer(form: URLSearchParams, caller: Identity, at: number, requestId: string): StsReply {
    const action = form.get("Action");
    if (action !== "AssumeRole") return errorReply(400, "InvalidAction", `Could not find operation ${action ?? "(none)"} for version ${form.get("Version") ?? "(none)"}`, requestId);
    const roleArn = form.get("RoleArn") ?? "";
    const sessionName = form.get("RoleSessionName") ?? "";
    const callerArn = caller.type === "Unknown" ? "anonymous" : caller.arn;
    const refuse = (status: number, code: string, message: string) => {
      this.calls.push({ roleArn, caller: callerArn, granted: false, errorCode: code });
      return errorReply(status, code, message, requestId);
    };
    const fault = this.faults.shift();
    if (fault === "throttle") return refuse(400, "Throttling", "Rate exceeded");
    if (fault === "5xx") return refuse(500, "InternalFailure", "Scripted fault on AssumeRole");
    if (!/^[\w+=,.@-]{2,64}$/.test(sessionName)) return refuse(400, "ValidationError", "1 validation error detected: Value at 'roleSessionName' failed to satisfy constraint");
    const duration = Number(form.get("DurationSeconds") ?? MAX_CHAINED_DURATION_S);
    // The callers here are Lambda roles' sessions: assuming a role from one is role chaining.
    if (!Number.isInteger(duration) || duration < MIN_DURATION_S || duration > MAX_CHAINED_DURATION_S) {
      return refuse(400, "ValidationError", `The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining, or is under ${MIN_DURATION_S}`);
    }
    if (caller.type === "Unknown") return refuse(403, "MissingAuthenticationToken", "Missing Authentication Token");
    const role = this.roles.get(roleArn);
    const callerArns = caller.type === "AssumedRole" ? [caller.sessionContext.sessionIssuer.arn, caller.arn] : [caller.arn];
    const own = this.identityPolicies.get(callerArns[0]);
    if (own !== undefined && !identityPoliciesAllow(own, "sts:AssumeRole", roleArn, { arns: callerArns, account: caller.accountId, resourceOrganizationId: role?.organizationId })) {
      return refuse(403, "AccessDenied", `User: ${callerArn} is not authorized to perform: sts:AssumeRole on resource: ${roleArn} because no identity-based policy allows the sts:AssumeRole action`);
    }
    // A role that does not exist and one whose trust refuses the caller answer alike: AccessDenied.
    if (role === undefined || !resourcePolicyAllows(role.trustPolicy, "sts:AssumeRole", { arns: callerArns, account: caller.accountId })) {
      return refuse(403, "AccessDenied", `User: ${callerArn} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`);
    }
    // ASIA + the role's account + a serial: the key says whose it is, as the drill's tests can read.
    const accessKeyId = `ASIA${role.account}${(++this.issued).toString(16).toUpperCase().padStart(4, "0")}`;
    this.identities.register(accessKeyId, { roleName: role.name, path: role.path, account: role.account, sessionName });
    this.calls.push({ roleArn, caller: callerArn, granted: true });
    const secret = createHash("sha256").update(`${accessKeyId}/secret`).digest("base64");
    const roleId = `AROA${createHash("sha256").update(`${role.account}/${role.name}`).digest("hex").slice(0, 17).toUpperCase()}`;
    return {
      status: 200,
      xml:
        `<AssumeRoleResponse xmlns="${XMLNS}"><AssumeRoleResult>` +
        `<Credentials><AccessKeyId>${accessKeyId}</AccessKeyId><SecretAccessKey>${secret}</SecretAccessKey>` +
        `<SessionToken>drill-session-${accessKeyId}</SessionToken><Expiration>${isoSeconds(at + duration * 1000)}</Expiration></Credentials>` +
        `<AssumedRoleUser><AssumedRoleId>${roleId}:${escapeXml(sessionName)}</AssumedRoleId><Arn>arn:aws:sts::${role.account}:assumed-role/${escapeXml(role.name)}/${escapeXml(sessionName)}</Arn></AssumedRoleUser>` +
        `</AssumeRoleResult><ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></AssumeRoleResponse>`,
    };
  }
}
