// Who signed a request, and for which region: maps the SigV4 access key id of the Authorization
// header to the IAM user or assumed role (with its path and account) that CloudTrail names as the
// caller, and reads the region from the signature's credential scope.
import { createHash } from "node:crypto";
import { isoSeconds, md5Hex } from "./protocol";
import type { Identity, IdentitySpec } from "./shapes";

export class CallerIdentities {
  private readonly identities: Record<string, IdentitySpec>;
  private readonly firstSeen = new Map<string, number>();
  private readonly known = new Map<string, Identity>();
  private readonly issued = new Set<string>();

  constructor(
    private readonly account: string,
    identities: Record<string, IdentitySpec> = {},
  ) {
    this.identities = { ...identities };
  }

  /** Forgets when each access key was first seen (the sessions' creation dates), and the keys issued by register(). */
  reset(): void {
    this.firstSeen.clear();
    this.known.clear();
    for (const key of this.issued) delete this.identities[key];
    this.issued.clear();
  }

  /** A key issued while running (the local STS's AssumeRole): who it belongs to, from now on. */
  register(accessKeyId: string, spec: IdentitySpec): void {
    this.identities[accessKeyId] = spec;
    this.issued.add(accessKeyId);
    this.known.delete(accessKeyId);
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
    // A role of another account (a spoke's relaunch role, assumed through the local STS) signs as that account.
    const account = spec.account ?? this.account;
    const roleId = `AROA${upperHex(spec.account === undefined ? spec.roleName : `${account}/${spec.roleName}`, 17)}`;
    const session = spec.sessionName ?? md5Hex(akid);
    return {
      type: "AssumedRole",
      principalId: `${roleId}:${session}`,
      arn: `arn:aws:sts::${account}:assumed-role/${spec.roleName}/${session}`,
      accountId: account,
      accessKeyId: akid,
      sessionContext: {
        // The role's ARN holds its path (arn:aws:iam::ACCOUNT:role/PATH/NAME); userName is NAME alone.
        sessionIssuer: { type: "Role", principalId: roleId, arn: `arn:aws:iam::${account}:role${spec.path ?? "/"}${spec.roleName}`, accountId: account, userName: spec.roleName },
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

/**
 * The region a request was signed for: the third field of the SigV4 credential scope,
 * `Credential=<access key id>/<yyyymmdd>/<region>/<service>/aws4_request` (AWS General Reference,
 * "Signature Version 4: create a string to sign", credential scope). AWS answers a request in the
 * region it was signed for, so the local endpoint keeps each region's ECS apart by it.
 */
export function signedRegion(authorization: string | undefined): string | undefined {
  return authorization ? /Credential=[^/,\s]+\/\d{8}\/([a-z0-9-]+)\/[a-z0-9-]+\/aws4_request/.exec(authorization)?.[1] : undefined;
}
