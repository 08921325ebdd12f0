// Who signed a request: maps the SigV4 access key id of the Authorization header to the IAM user or
// assumed role (with its path) that CloudTrail names as the caller.
import { createHash } from "node:crypto";
import { isoSeconds, md5Hex } from "./protocol";
import type { Identity, IdentitySpec } from "./shapes";

export class CallerIdentities {
  private readonly identities: Record<string, IdentitySpec>;
  private readonly firstSeen = new Map<string, number>();
  private readonly known = new Map<string, Identity>();

  constructor(
    private readonly account: string,
    identities: Record<string, IdentitySpec> = {},
  ) {
    this.identities = { ...identities };
  }

  /** Forgets when each access key was first seen (the sessions' creation dates). */
  reset(): void {
    this.firstSeen.clear();
    this.known.clear();
  }

  identify(authorization: string | undefined, at: number): Identity {
    const akid = authorization ? /Credential=([^/,\s]+)\//.exec(authorization)?.[1] : undefined;
    if (!akid) return { type: "Unknown" };
    if (!this.firstSeen.has(akid)) this.firstSeen.set(akid, at);
    // A key's identity never changes once its session is first seen: computed once (two hashes), then reused.
    let known = this.known.get(akid);
    if (known === undefined) this.known.set(akid, (known = this.compute(akid, at)));
    return known;
  }

  private compute(akid: string, at: number): Identity {
    const spec = this.identities[akid];
    if (!spec) {
      return {
        type: "IAMUser",
        principalId: `AIDA${upperHex(akid, 17)}`,
        // Unknown keys have no user name to show; the key id keeps different callers apart.
        arn: `arn:aws:iam::${this.account}:user/${akid}`,
        accountId: this.account,
        accessKeyId: akid,
        userName: akid,
      };
    }
    const roleId = `AROA${upperHex(spec.roleName, 17)}`;
    const session = spec.sessionName ?? md5Hex(akid);
    return {
      type: "AssumedRole",
      principalId: `${roleId}:${session}`,
      arn: `arn:aws:sts::${this.account}:assumed-role/${spec.roleName}/${session}`,
      accountId: this.account,
      accessKeyId: akid,
      sessionContext: {
        // The role's ARN holds its path (arn:aws:iam::ACCOUNT:role/PATH/NAME); userName is NAME alone.
        sessionIssuer: { type: "Role", principalId: roleId, arn: `arn:aws:iam::${this.account}:role${spec.path ?? "/"}${spec.roleName}`, accountId: this.account, userName: spec.roleName },
        attributes: { creationDate: isoSeconds(this.firstSeen.get(akid) ?? at), mfaAuthenticated: "false" },
        webIdFederationData: {},
      },
      ...(spec.invokedBy ? { invokedBy: spec.invokedBy } : {}),
    };
  }
}

function upperHex(s: string, length: number): string {
  return createHash("sha256").update(s).digest("hex").slice(0, length).toUpperCase();
}
