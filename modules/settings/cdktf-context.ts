/**
 * The cdktf context a synth sees. The cdktf CLI passes cdktf.json's "context" to the app in
 * `CDKTF_CONTEXT_JSON`; `npm run synth` runs the app without the CLI, so main.ts reads cdktf.json
 * itself, and a setting written there is used (and checked) either way instead of silently ignored.
 */
import { ConfigError } from "../config";

/** Parses `text` as a JSON object, or throws a ConfigError naming `where` (without echoing the text). */
function jsonObject(text: string, where: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    // Not the parser's own message: newer V8s quote the text around the error, which may be a secret.
    const at = /position (\d+)/.exec((e as Error).message);
    throw new ConfigError(`${where} is not valid JSON${at ? ` (at character ${Number(at[1]) + 1})` : ""}; its text is not shown here, as it may hold secrets`);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new ConfigError(`${where} must be a JSON object of context keys and values, not ${value === null ? "null" : Array.isArray(value) ? "a list" : `a ${typeof value}`}`);
  }
  return value as Record<string, unknown>;
}

/**
 * The context to give `new App({ context })`: cdktf.json's "context" when the CLI has not passed it
 * (no `CDKTF_CONTEXT_JSON`), else nothing (the App reads the variable itself). Either source is
 * checked first, so malformed JSON is a ConfigError rather than a stack trace from inside cdktf.
 */
export function appContext(env: NodeJS.ProcessEnv, cdktfJsonText: string | undefined): Record<string, unknown> {
  const fromCli = env.CDKTF_CONTEXT_JSON;
  if (fromCli !== undefined && fromCli !== "") {
    jsonObject(fromCli, "CDKTF_CONTEXT_JSON");
    return {};
  }
  if (cdktfJsonText === undefined) return {};
  const config = jsonObject(cdktfJsonText, "cdktf.json");
  if (config.context === undefined) return {};
  return jsonObject(JSON.stringify(config.context), 'cdktf.json "context"');
}
