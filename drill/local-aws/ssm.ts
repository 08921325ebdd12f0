// The local SSM endpoint: GetParameter over the parameters given to LocalAws, all served as
// SecureString (ciphertext unless the caller asks WithDecryption).
import { createHash } from "node:crypto";
import { ApiError, type LocalService, type Reply } from "./protocol";

export const SSM_TARGET_PREFIX = "AmazonSSM";

export class LocalSsm implements LocalService {
  readonly operations = new Set<string | undefined>(["GetParameter"]);
  private readonly parameters: Record<string, string>;

  constructor(
    private readonly region: string,
    private readonly account: string,
    parameters: Record<string, string> = {},
  ) {
    this.parameters = { ...parameters };
  }

  answer(_op: string, request: Record<string, unknown>, at: number): Reply {
    return this.getParameter(request, at);
  }

  private getParameter(request: Record<string, unknown>, at: number): Reply {
    const rawName = request.Name;
    if (typeof rawName !== "string" || rawName === "") throw new ApiError("ValidationException", "Parameter Name is required");
    // GetParameter accepts the full ARN as well as the name; the ARN of "/a/b" ends in "parameter/a/b".
    const fromArn = /^arn:aws[\w-]*:ssm:[^:]*:[^:]*:parameter\/(.*)$/.exec(rawName)?.[1];
    const candidates = fromArn === undefined ? [rawName] : [`/${fromArn}`, fromArn];
    const found = candidates.find((n) => Object.prototype.hasOwnProperty.call(this.parameters, n));
    if (found === undefined) throw new ApiError("ParameterNotFound", `Parameter ${rawName} not found.`);
    const plain = this.parameters[found];
    // A SecureString read without WithDecryption returns the KMS ciphertext, never the secret.
    const value = request.WithDecryption === true ? plain : fakeCiphertext(found, plain);
    return {
      status: 200,
      answer: "ok",
      body: {
        Parameter: {
          Name: found,
          Type: "SecureString",
          Value: value,
          Version: 1,
          LastModifiedDate: at / 1000,
          ARN: `arn:aws:ssm:${this.region}:${this.account}:parameter/${found.replace(/^\//, "")}`,
          DataType: "text",
        },
      },
    };
  }
}

function fakeCiphertext(name: string, value: string): string {
  // Real SecureString ciphertext is a KMS blob whose base64 starts with "AQICAH".
  const header = Buffer.from([0x01, 0x02, 0x02, 0x00, 0x78]);
  return Buffer.concat([header, createHash("sha256").update(`${name}\0${value}`).digest()]).toString("base64");
}
