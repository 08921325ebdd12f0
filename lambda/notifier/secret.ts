/**
 * The notifier's Slack secret (a webhook URL or a bot token), read from its SSM SecureString at run
 * time and kept for WEBHOOK_CACHE_TTL_MS, so it appears in no Terraform config, state or Lambda
 * environment. Never logged, never put in an error message.
 */
import { GetParameterCommand, type GetParameterCommandOutput } from "@aws-sdk/client-ssm";
import { ConfigurationError } from "../shared/errors";
import { describeError } from "../shared/log";

export interface SsmSender {
  send(command: GetParameterCommand): Promise<GetParameterCommandOutput>;
}

export const WEBHOOK_CACHE_TTL_MS = 5 * 60 * 1000;

/** Where the secret is: the parameter's name and the variable that named it (for errors). */
export interface SecretSource {
  readonly parameter: string;
  readonly variable: "SLACK_BOT_TOKEN_PARAMETER" | "SLACK_WEBHOOK_PARAMETER";
  /** A bot token (else a webhook URL). */
  readonly bot: boolean;
}

export class SlackSecret {
  // Lives as long as the handler, i.e. the execution environment when built in index.ts.
  private cached: { secret: string; expiresAt: number } | undefined;
  // One read at a time: notices that arrive while the parameter is being read share that read.
  private reading: Promise<string> | undefined;

  constructor(
    private readonly source: SecretSource,
    private readonly ssm: SsmSender,
    private readonly now: () => number,
  ) {}

  /** The secret, from the cache while it is fresh. */
  get(): Promise<string> {
    if (this.cached && this.now() < this.cached.expiresAt) return Promise.resolve(this.cached.secret);
    this.reading ??= this.read().finally(() => (this.reading = undefined));
    return this.reading;
  }

  /** The secret may have been rotated or revoked: the next call reads it again. */
  forget(): void {
    this.cached = undefined;
  }

  private async read(): Promise<string> {
    const { parameter, variable, bot } = this.source;
    let out: GetParameterCommandOutput;
    try {
      out = await this.ssm.send(new GetParameterCommand({ Name: parameter, WithDecryption: true }));
    } catch (err) {
      const { errorName } = describeError(err);
      if (errorName === "ParameterNotFound" || errorName === "ParameterVersionNotFound") {
        throw new ConfigurationError(`SSM parameter ${parameter} (${variable}) was not found: create it as a SecureString holding the Slack ${bot ? "bot token" : "webhook URL"}`);
      }
      if (errorName === "AccessDeniedException") {
        throw new ConfigurationError(`not allowed to read SSM parameter ${parameter} (${variable}): grant ssm:GetParameter and kms:Decrypt`);
      }
      throw err;
    }
    const value = out.Parameter?.Value?.trim();
    if (!value) throw new ConfigurationError(`SSM parameter ${parameter} (${variable}) is empty`);
    if (bot && /\s/.test(value)) throw new ConfigurationError(`SSM parameter ${parameter} (${variable}) does not hold a bot token`);
    if (!bot && !isHttpUrl(value)) throw new ConfigurationError(`SSM parameter ${parameter} (${variable}) does not hold an http(s) URL`);
    this.cached = { secret: value, expiresAt: this.now() + WEBHOOK_CACHE_TTL_MS };
    return value;
  }
}

function isHttpUrl(value: string): boolean {
  try {
    const { protocol } = new URL(value);
    return protocol === "https:" || protocol === "http:";
  } catch {
    return false;
  }
}
