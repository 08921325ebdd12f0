/**
 * Every setting that can be changed without editing the app's code, read through one schema:
 * {@link SETTING_SCHEMA}. A setting is given as an `ECS_RERUN_*` environment variable, a key of the
 * typed settings file `settings.ts` (beside jobs.ts), or a cdktf context key, in that order of
 * precedence. Nothing is ignored quietly: an unknown variable or key is an error suggesting the
 * nearest real one, a value of the wrong type or form is an error saying what is allowed, and
 * settings that only make sense together are checked together. Errors name what the user set, as
 * they set it, and never show a value that looks like a secret. The README's table of settings is
 * generated from the schema.
 */
import { ConfigError } from "../config";
import { nameKey, nearestName } from "./nearest-name";
import { showValue } from "./show-value";
import { NO_SLACK } from "./pipeline-settings";
import { SETTING_SCHEMA, SETTINGS_LIST, type Setting, type SettingKey, type Settings } from "./setting-schema";
import type { SourceKind } from "./setting-types";
import { foreignClusterProblems, spokeStackProblems, type GivenSetting } from "./spoke-settings";

export { NO_SLACK };
export { DEFAULT_REGION } from "./cluster-settings";

/** The schema and its types live apart (setting-schema.ts); importers keep finding them here. */
export { SETTING_SCHEMA, SETTINGS_LIST, type Setting, type SettingKey, type Settings, type SettingsFile } from "./setting-schema";

/** Settings that only make sense together: set both or neither. */
const TOGETHER: readonly { readonly keys: readonly [SettingKey, SettingKey]; readonly why: string }[] = [
  { keys: ["vpcId", "subnetIds"], why: "instances in an existing VPC need subnets of it, and subnets are used only with their VPC; set both, or neither for a new VPC" },
  { keys: ["slackBotTokenParameter", "slackChannelId"], why: "a bot posts to one channel with one token; set both, or neither for the webhook" },
  { keys: ["hubEventBusArn", "hubRerunRoleArn"], why: "a spoke forwards to the hub's bus and lets the hub's rerun role relaunch here; set both (the hub's outputs hub_event_bus_arn and rerun_role_arn), or neither for no ecs-rerun-spoke stack" },
];

/** Settings that need another (`needs`) or exclude one (`excludes`). */
const DEPENDS: readonly { readonly key: SettingKey; readonly needs?: SettingKey; readonly excludes?: SettingKey; readonly why: string }[] = [
  { key: "assignPublicIp", needs: "vpcId", why: "a new VPC's instances always get a public IP (public subnets, no NAT)" },
  { key: "vpcCidr", excludes: "vpcId", why: "it is the block of a new VPC, and an existing VPC has its own" },
];

/**
 * Context keys cdktf itself sets or reads (cdktf.json of projects made by older `cdktf init` holds
 * the feature flags excludeStackIdFromLogicalIds and allowSepCharsInLogicalIds); they are not ours to
 * refuse. CDK Terrain (cdktn, cdktf's successor) keeps these and adds two feature flags of its own,
 * which its `Testing.app()` sets and `cdktn init` writes to cdktf.json (cdktn 0.24, lib/features.js,
 * FUTURE_FLAGS): failOnConstructsOutsideOfStacks and canonicalAssetHashes.
 */
export const CDKTF_CONTEXT_KEYS: ReadonlySet<string> = new Set([
  "cdktfVersion",
  "cdktfJsonPath",
  "cdktfRelativeModules",
  "cdktfStaticModuleAssetHash",
  "@cdktf/disable_stack_trace_in_metadata",
  "excludeStackIdFromLogicalIds",
  "allowSepCharsInLogicalIds",
  "failOnConstructsOutsideOfStacks",
  "canonicalAssetHashes",
]);

/** The prefix that makes an environment variable ours: any other variable with it is a typo. */
export const ENV_PREFIX = "ECS_RERUN_";

/** Thrown when settings are wrong; `problems` holds one sentence per problem, each naming what the user set. */
export class SettingsError extends ConfigError {
  constructor(readonly problems: readonly string[]) {
    super(problems.length === 1 ? problems[0] : `${problems.length} problems with the settings:\n  - ${problems.join("\n  - ")}`);
    this.name = "SettingsError";
  }
}

/** Where a value was set: an environment variable, a key of settings.ts, or a context key. */
interface Source {
  readonly kind: SourceKind;
  readonly label: string;
  /** `NAME="value"`, `settings.ts: clusterName = "value"`, `context key "k" = "value"`. */
  readonly said: (value: unknown) => string;
}

const envSource = (name: string): Source => ({ kind: "env", label: name, said: (v) => `${name}=${showValue(v)}` });
const fileSource = (key: string): Source => ({ kind: "file", label: `settings.ts: ${key}`, said: (v) => `settings.ts: ${key} = ${showValue(v)}` });
const contextSource = (key: string): Source => ({ kind: "context", label: `context key "${key}"`, said: (v) => `context key "${key}" = ${showValue(v)}` });

/** Every way to set a setting, for messages that tell the user what to set. */
export const howToSet = (s: Setting | SettingKey): string => {
  const setting = typeof s === "string" ? SETTINGS_LIST.find((x) => x.key === s)! : s;
  return `${setting.env} (context key "${setting.key}")`;
};

/** A name without the prefix and punctuation, so ECS_RERUN_CLUSTERNAME, clustername and clusterName compare alike. */
const settingKey = (name: string) => nameKey(name).replace(/^ecsrerun/, "");

function unknownNames(env: NodeJS.ProcessEnv, file: Readonly<Record<string, unknown>>, context: Readonly<Record<string, unknown>>): string[] {
  const problems: string[] = [];
  const envNames = SETTINGS_LIST.map((s) => s.env);
  for (const name of Object.keys(env).sort()) {
    if (!name.toUpperCase().startsWith(ENV_PREFIX) || envNames.includes(name)) continue;
    const near = nearestName(name, envNames, settingKey);
    problems.push(`${envSource(name).said(env[name])}: there is no such setting; ${near ? `did you mean ${near}?` : `the settings are ${envNames.join(", ")}`}`);
  }
  const keys = SETTINGS_LIST.map((s) => s.key as string);
  for (const key of Object.keys(file)) {
    if (keys.includes(key)) continue;
    const near = nearestName(key, keys, settingKey);
    problems.push(`${fileSource(key).said(file[key])}: there is no such setting; ${near ? `did you mean ${near}?` : `the settings are ${keys.join(", ")}`}`);
  }
  for (const key of Object.keys(context).sort()) {
    if (keys.includes(key) || CDKTF_CONTEXT_KEYS.has(key)) continue;
    const near = nearestName(key, keys, settingKey);
    problems.push(`${contextSource(key).said(context[key])}: there is no such setting; ${near ? `did you mean "${near}"?` : `the context keys are ${keys.join(", ")}`}`);
  }
  return problems;
}

/** The checked value of one setting from one source, or the problem with it, naming the source. */
function readValue(s: Setting, source: Source, raw: unknown): { value: unknown } | { problem: string } {
  const r = s.type.read(raw, source.kind);
  if ("secret" in r) return { problem: `${source.label} holds ${r.secret} (not shown here: it may be a secret): ${s.secretAdvice ?? `expected ${s.type.allowed}`}` };
  if ("problem" in r) return { problem: `${source.said(raw)}: ${r.problem}` };
  return r;
}

/** An unset value: absent, JSON null, or empty (`VAR= command` is the shell's way to unset a variable for one run). */
const isUnset = (raw: unknown) => raw === undefined || raw === null || (typeof raw === "string" && raw.trim() === "");

/**
 * Reads every setting from the environment (`ECS_RERUN_*`), the settings file (what settings.ts
 * exports; `{}` without one) and cdktf context (every key of it: `cdktf.json` "context", or the
 * `CDKTF_CONTEXT_JSON` variable cdktf itself reads), then the fallbacks (`AWS_REGION`,
 * `AWS_DEFAULT_REGION`). Every value given is checked, including one another source overrides. Throws
 * a {@link SettingsError} listing every problem at once.
 */
export function readSettings(env: NodeJS.ProcessEnv, context: Readonly<Record<string, unknown>>, file: Readonly<Record<string, unknown>> = {}): Settings {
  return readSettingsWithSources(env, context, file).settings;
}

/** {@link readSettings}, with where each setting used was given (`ECS_RERUN_REGION`, `settings.ts: region`, ...). */
export function readSettingsWithSources(
  env: NodeJS.ProcessEnv,
  context: Readonly<Record<string, unknown>>,
  file: Readonly<Record<string, unknown>> = {},
): { settings: Settings; sources: Partial<Record<SettingKey, string>> } {
  const problems = unknownNames(env, file, context);
  const out: Record<string, unknown> = {};
  const sources: Partial<Record<SettingKey, string>> = {};
  /** The first place each setting was given, valid or not: what "set together" checks. */
  const given: Record<string, GivenSetting> = {};
  for (const s of SETTINGS_LIST) {
    const take = (source: Source, raw: unknown) => {
      given[s.key] ??= { source, raw };
      const r = readValue(s, source, raw);
      if ("problem" in r) problems.push(r.problem);
      else if (!(s.key in out)) {
        out[s.key] = r.value;
        sources[s.key] = source.label;
      }
    };
    const own = [
      { source: envSource(s.env), raw: env[s.env] },
      { source: fileSource(s.key), raw: file[s.key] },
      { source: contextSource(s.key), raw: context[s.key] },
    ].filter((g) => !isUnset(g.raw));
    for (const { source, raw } of own) take(source, raw);
    // A fallback is someone else's variable (AWS_REGION): looked at only when it is the one used.
    const fallback = own.length === 0 ? (s.fallbackEnv ?? []).find((name) => !isUnset(env[name])) : undefined;
    if (fallback !== undefined) take(envSource(fallback), env[fallback]);
  }
  for (const { keys, why } of TOGETHER) {
    for (const [set, missing] of [keys, [keys[1], keys[0]]] as const) {
      const g = given[set];
      if (g && !(missing in given)) problems.push(`${g.source.said(g.raw)} is set but ${howToSet(missing)} is not: ${why}`);
    }
  }
  for (const { key, needs, excludes, why } of DEPENDS) {
    const g = given[key];
    if (g && needs !== undefined && !(needs in given)) problems.push(`${g.source.said(g.raw)} needs ${howToSet(needs)}: ${why}`);
    if (g && excludes !== undefined && excludes in given) problems.push(`${g.source.said(g.raw)} and ${howToSet(excludes)} are both set: ${why}; set one`);
  }
  // Only when every value is well-formed: then what is left is how they fit together.
  if (problems.length === 0) problems.push(...foreignClusterProblems(out as Settings, given), ...spokeStackProblems(out as Settings, given));
  if (problems.length > 0) throw new SettingsError(problems);
  return { settings: out as Settings, sources };
}

/** Module variables as the README's table shows their defaults: name -> rendered default. */
export type ModuleDefaults = Readonly<Record<string, string>>;

/** The README's table of settings, generated from {@link SETTING_SCHEMA}; a default not written there is the module variable's. */
export function renderSettingsTable(moduleDefaults: ModuleDefaults = {}): string {
  const cell = (t: string) => t.replace(/\|/g, "\\|");
  const rows = SETTINGS_LIST.map((s) => {
    const fallbacks = (s.fallbackEnv ?? []).map((v) => `\`${v}\``).join(", ");
    const variable = `\`${s.env}\`${fallbacks ? ` (after the others: ${fallbacks})` : ""}`;
    const spelling = s.type.spelling ? ` (${s.type.spelling})` : "";
    const fallbackDefault = s.module !== undefined && moduleDefaults[s.module] !== undefined ? `\`${moduleDefaults[s.module]}\`` : "—";
    return `| ${variable} | \`${s.key}\` | ${s.module ? `\`${s.module}\`` : "—"} | ${cell(s.meaning)}${spelling} | ${cell(s.default ?? fallbackDefault)} |`;
  });
  return ["| variable | settings.ts and context key | module variable | meaning | default |", "| --- | --- | --- | --- | --- |", ...rows].join("\n");
}
