/** What the scripts that call AWS for a user (the audit, the self-test) share: their argument parsing and the AWS errors a person can fix. */
import { parseArgs, type ParseArgsConfig } from "node:util";

/** Values of `node:util` parseArgs in strict mode; an unknown or malformed option becomes `usageError(message)`. */
export function parseOptions(argv: readonly string[], options: NonNullable<ParseArgsConfig["options"]>, usageError: (message: string) => Error): Record<string, string | boolean | undefined> {
  try {
    return parseArgs({ args: [...argv], strict: true, options }).values as Record<string, string | boolean | undefined>;
  } catch (err) {
    throw usageError((err as Error).message);
  }
}

/** Missing credentials or Region, as one sentence saying what to set; undefined for any other error. */
export function credentialsOrRegionProblem(err: unknown): string | undefined {
  const e = err as { name?: string; message?: string } | null;
  const message = e?.message ?? String(err);
  if (e?.name === "CredentialsProviderError" || /Could not load credentials/i.test(message)) {
    return `no AWS credentials: set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (${message})`;
  }
  if (/Region is missing/i.test(message)) return "no AWS Region: pass --region, or set AWS_REGION";
  return undefined;
}
