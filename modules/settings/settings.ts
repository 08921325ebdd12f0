/**
 * Every setting that can be changed without editing code (an `ECS_RERUN_*` environment variable or
 * a cdktf context key), read through one schema: {@link SETTINGS}. Nothing is ignored quietly: an
 * unknown `ECS_RERUN_*` variable or context key is an error suggesting the nearest real one, a value
 * of the wrong type or form is an error saying what is allowed, and settings that only make sense
 * together are checked together. Errors name what the user set, as they set it, and never show a
 * value that looks like a secret. The README's table of settings is generated from the schema.
 */
import { ConfigError, VALUE_RULES } from "../config";
import { nameKey, nearestName } from "./nearest-name";
import { INPUT_LIMITS } from "../pipeline/rerun-pipeline";
import { ORGANIZATION_ID_PATTERN } from "../pipeline/spoke-rule-patterns";
import { RECONCILE_EVERY_MINUTES } from "../pipeline/reconciler/reconciler-names";
import { EVENT_BUS_ARN_PATTERN, HUB_RERUN_ROLE_ARN_PATTERN } from "../spoke/spoke-policies";
import { ROLE_ARN_PATTERN } from "../pipeline/infrastructure-roles";
import { secretKind, showValue } from "./show-value";
import { DEFAULT_NOTIFY, NOTICE_LIMITS } from "../pipeline/notify-inputs";
import { spokeStackProblems, SPOKE_CLUSTER_ARN, type GivenSetting } from "./spoke-settings";

/** The value of ECS_RERUN_SLACK_WEBHOOK_PARAMETER that turns Slack off (an empty variable counts as unset, so it cannot). */
export const NO_SLACK = "none";

/** The settings' values, after checking: environment variables win over cdktf context. */
export interface Settings {
  readonly region?: string;
  readonly clusterName?: string;
  readonly vpcId?: string;
  readonly subnetIds?: readonly string[];
  readonly alarmActions?: readonly string[];
  readonly slackWebhookParameter?: string;
  readonly notificationEmails?: readonly string[];
  readonly infrastructureRoleArns?: readonly string[];
  readonly protectedClusters?: readonly string[];
  readonly spokeClusters?: readonly string[];
  readonly spokeOrganizationId?: string;
  readonly hubEventBusArn?: string;
  readonly hubRerunRoleArn?: string;
  readonly reconcileEveryMinutes?: string;
  readonly allowNoDestination?: string;
  readonly createDashboard?: string;
  readonly notify?: string;
  readonly stillTryingAfterSeconds?: string;
  readonly digestAbovePerMinute?: string;
  readonly slackBotTokenParameter?: string;
  readonly slackChannelId?: string;
}

/** What one value (or each item of a list) must be. */
interface Rule {
  readonly test: (value: string) => boolean;
  /** What is allowed, after "expected". */
  readonly allowed: string;
}

/** One setting of the schema. */
export interface Setting {
  /** Key in {@link Settings} and in cdktf context. */
  readonly key: keyof Settings;
  /** Environment variable; wins over the context key. */
  readonly env: string;
  /** Variables read after the context key, in order (checked only when used). */
  readonly fallbackEnv?: readonly string[];
  /** A list: comma-separated in a variable; a JSON array of strings (or one comma-separated string) in context. */
  readonly list: boolean;
  /** What it sets (for the README). */
  readonly meaning: string;
  /** What applies when it is unset (for the README). */
  readonly default: string;
  readonly rule: Rule;
  /** What to say instead when the value looks like a secret (the setting wants a name, not the secret). */
  readonly secretAdvice?: string;
}

/** A whole number within a range, as a variable or context value spells it. */
const wholeNumber = (limit: { readonly min: number; readonly max: number }, unit: string): Rule => ({
  test: (v) => /^[0-9]{1,6}$/.test(v) && Number(v) >= limit.min && Number(v) <= limit.max,
  allowed: `a whole number of ${unit} from ${limit.min} to ${limit.max}`,
});

const pattern = (re: RegExp | string, allowed: string, maxLength = Infinity): Rule => {
  const r = typeof re === "string" ? new RegExp(re) : re;
  return { test: (v) => r.test(v) && v.length <= maxLength, allowed };
};

/** The one schema of every setting; the README's table is generated from it. */
export const SETTINGS: readonly Setting[] = [
  {
    key: "region",
    env: "ECS_RERUN_REGION",
    fallbackEnv: ["AWS_REGION", "AWS_DEFAULT_REGION"],
    list: false,
    meaning: "AWS region",
    default: "`us-east-1`",
    rule: pattern(VALUE_RULES.region.pattern, VALUE_RULES.region.allowed),
  },
  { key: "clusterName", env: "ECS_RERUN_CLUSTER_NAME", list: false, meaning: "ECS cluster name", default: "`batch-ec2`", rule: pattern(VALUE_RULES.clusterName.pattern, VALUE_RULES.clusterName.allowed) },
  { key: "vpcId", env: "ECS_RERUN_VPC_ID", list: false, meaning: "use this VPC instead of creating one (with `subnetIds`)", default: "a new VPC", rule: pattern(VALUE_RULES.vpcId.pattern, VALUE_RULES.vpcId.allowed) },
  { key: "subnetIds", env: "ECS_RERUN_SUBNET_IDS", list: true, meaning: "subnets of that VPC (with `vpcId`)", default: "—", rule: pattern(VALUE_RULES.subnetId.pattern, VALUE_RULES.subnetId.allowed) },
  {
    key: "alarmActions",
    env: "ECS_RERUN_ALARM_ACTIONS",
    list: true,
    meaning: "SNS topic ARNs every alarm notifies: the cluster's, the pipeline's (besides its topic) and the spoke's",
    default: "none",
    rule: pattern(VALUE_RULES.snsTopicArn.pattern, VALUE_RULES.snsTopicArn.allowed),
  },
  {
    key: "protectedClusters",
    env: "ECS_RERUN_PROTECTED_CLUSTERS",
    list: true,
    meaning: "clusters (names or ARNs) the pipeline protects, or the `ecs-rerun-spoke` stack forwards to its hub",
    default: "the `ecs-cluster` stack's cluster",
    rule: pattern(INPUT_LIMITS.clusterPattern, "a cluster name (1-255 letters, digits, - or _) or a cluster ARN"),
  },
  {
    key: "slackWebhookParameter",
    env: "ECS_RERUN_SLACK_WEBHOOK_PARAMETER",
    list: false,
    meaning: `name of the SSM SecureString holding the Slack webhook URL; \`${NO_SLACK}\`: no Slack notifier (then emails or alarm actions must reach someone)`,
    default: "`/ecs-rerun/slack-webhook`",
    rule: pattern(INPUT_LIMITS.parameterNamePattern, `the NAME of an SSM parameter, such as "/ecs-rerun/slack-webhook" (letters, digits and _ . / -), or ${NO_SLACK} for no Slack`, INPUT_LIMITS.parameterNameMaxLength),
    secretAdvice:
      "it takes the NAME of the SSM SecureString parameter that holds the webhook URL, never the URL itself (it would land in Terraform state). " +
      "Store the URL once with: aws ssm put-parameter --type SecureString --name /ecs-rerun/slack-webhook --value '<webhook URL>', then set the name /ecs-rerun/slack-webhook here (or leave it unset: that is the default)",
  },
  { key: "notificationEmails", env: "ECS_RERUN_NOTIFICATION_EMAILS", list: true, meaning: "addresses subscribed to the notices", default: "none", rule: pattern(INPUT_LIMITS.emailPattern, "an email address") },
  {
    key: "infrastructureRoleArns",
    env: "ECS_RERUN_INFRASTRUCTURE_ROLE_ARNS",
    list: true,
    meaning: "ECS infrastructure roles of tasks' managed EBS volumes, which a rerun may pass to `ecs.amazonaws.com`",
    default: "none (such a rerun is refused, a human told)",
    rule: pattern(ROLE_ARN_PATTERN, "an IAM role ARN, such as \"arn:aws:iam::123456789012:role/ecsInfrastructureRole\""),
  },
  // The hub: clusters of other accounts and regions, each with a spoke there (`ecs-rerun-spoke`).
  {
    key: "spokeClusters",
    env: "ECS_RERUN_SPOKE_CLUSTERS",
    list: true,
    meaning: "makes `ecs-rerun` a hub: full ARNs of clusters in other accounts or regions, each with a spoke",
    default: "none (no hub)",
    rule: pattern(SPOKE_CLUSTER_ARN.pattern, SPOKE_CLUSTER_ARN.allowed),
  },
  {
    key: "spokeOrganizationId",
    env: "ECS_RERUN_SPOKE_ORGANIZATION_ID",
    list: false,
    meaning: "the hub's bus admits every account of this AWS Organization too",
    default: "only the spoke clusters' accounts",
    rule: pattern(ORGANIZATION_ID_PATTERN, 'an AWS Organizations ID such as "o-a1b2c3d4e5" (o- and 10 to 32 lowercase letters or digits)'),
  },
  {
    key: "reconcileEveryMinutes",
    env: "ECS_RERUN_RECONCILE_EVERY_MINUTES",
    list: false,
    meaning: "minutes between runs of the reconciler, which finds failed launches whose events never arrived (`0`: no reconciler)",
    default: `\`${RECONCILE_EVERY_MINUTES.default}\``,
    rule: {
      test: (v) => /^(0|[1-9][0-9]{0,3})$/.test(v) && Number(v) <= RECONCILE_EVERY_MINUTES.max,
      allowed: `a whole number of minutes from ${RECONCILE_EVERY_MINUTES.min} to ${RECONCILE_EVERY_MINUTES.max}, or 0 for no reconciler`,
    },
  },
  {
    key: "allowNoDestination",
    env: "ECS_RERUN_ALLOW_NO_DESTINATION",
    list: false,
    meaning: "`true`: accept notices and alarms that reach no one synth knows of (no Slack, emails or alarm actions; you subscribe the topic yourself), instead of refusing",
    default: "`false`",
    rule: { test: (v) => v === "true" || v === "false", allowed: "true or false" },
  },
  {
    key: "createDashboard",
    env: "ECS_RERUN_CREATE_DASHBOARD",
    list: false,
    meaning: "`false`: no CloudWatch dashboard (and none of the metric filters it draws)",
    default: "`true`",
    rule: { test: (v) => v === "true" || v === "false", allowed: "true or false" },
  },
  // Which notices are told, and how Slack gets them (notify-inputs.ts).
  {
    key: "notify",
    env: "ECS_RERUN_NOTIFY",
    list: false,
    meaning: "which steps of a failure are told: `outcomes` (one message when it ends, one \"still trying\" past `stillTryingAfterSeconds`; problems at once), `problems` (no message for recoveries) or `every-step`",
    default: `\`${DEFAULT_NOTIFY}\``,
    rule: { test: (v) => (NOTICE_LIMITS.notify as readonly string[]).includes(v), allowed: `one of ${NOTICE_LIMITS.notify.join(", ")}` },
  },
  {
    key: "stillTryingAfterSeconds",
    env: "ECS_RERUN_STILL_TRYING_AFTER_SECONDS",
    list: false,
    meaning: "seconds a failure may stay open before its one \"still trying\" message",
    default: `\`${NOTICE_LIMITS.stillTryingAfterSeconds.default}\``,
    rule: wholeNumber(NOTICE_LIMITS.stillTryingAfterSeconds, "seconds"),
  },
  {
    key: "digestAbovePerMinute",
    env: "ECS_RERUN_DIGEST_ABOVE_PER_MINUTE",
    list: false,
    meaning: "notices in a minute above which they fold into one digest a minute",
    default: `\`${NOTICE_LIMITS.digestAbovePerMinute.default}\``,
    rule: wholeNumber(NOTICE_LIMITS.digestAbovePerMinute, "notices"),
  },
  {
    key: "slackBotTokenParameter",
    env: "ECS_RERUN_SLACK_BOT_TOKEN_PARAMETER",
    list: false,
    meaning: "name of an SSM SecureString holding a Slack bot token, instead of the webhook: a failure's first message is updated in place and threaded (with `slackChannelId`)",
    default: "none (the webhook)",
    rule: pattern(INPUT_LIMITS.parameterNamePattern, 'the NAME of an SSM parameter, such as "/ecs-rerun/slack-bot-token" (letters, digits and _ . / -)', INPUT_LIMITS.parameterNameMaxLength),
    secretAdvice:
      "it takes the NAME of the SSM SecureString parameter that holds the bot token, never the token itself (it would land in Terraform state). " +
      "Store the token once with: aws ssm put-parameter --type SecureString --name /ecs-rerun/slack-bot-token --value '<xoxb-... token>', then set the name here",
  },
  {
    key: "slackChannelId",
    env: "ECS_RERUN_SLACK_CHANNEL_ID",
    list: false,
    meaning: "ID of the channel the bot posts to (with `slackBotTokenParameter`)",
    default: "none",
    rule: pattern(NOTICE_LIMITS.slackChannelIdPattern, 'a Slack channel ID such as "C0123456789" (in Slack: the channel\'s details, at the bottom)'),
  },
  // A spoke: given both, the app adds the `ecs-rerun-spoke` stack for this account and region.
  {
    key: "hubEventBusArn",
    env: "ECS_RERUN_HUB_EVENT_BUS_ARN",
    list: false,
    meaning: "adds the `ecs-rerun-spoke` stack forwarding to this hub bus (the hub's output `hub_event_bus_arn`; with `hubRerunRoleArn`)",
    default: "no spoke stack",
    rule: pattern(EVENT_BUS_ARN_PATTERN, 'the ARN of the hub\'s event bus, such as "arn:aws:events:us-east-1:111122223333:event-bus/ecs-rerun-hub" (the ecs-rerun stack\'s output hub_event_bus_arn)'),
  },
  {
    key: "hubRerunRoleArn",
    env: "ECS_RERUN_HUB_RERUN_ROLE_ARN",
    list: false,
    meaning: "the hub's rerun role, the only principal the spoke's relaunch role trusts (the hub's output `rerun_role_arn`; with `hubEventBusArn`)",
    default: "no spoke stack",
    rule: pattern(HUB_RERUN_ROLE_ARN_PATTERN, 'the ARN of the hub\'s rerun role, under the path /ecs-rerun/, such as "arn:aws:iam::111122223333:role/ecs-rerun/ecs-rerun-rerun-us-east-1" (the ecs-rerun stack\'s output rerun_role_arn)'),
  },
];

/** Settings that only make sense together: set both or neither. */
const TOGETHER: readonly { readonly keys: readonly [keyof Settings, keyof Settings]; readonly why: string }[] = [
  { keys: ["vpcId", "subnetIds"], why: "instances in an existing VPC need subnets of it, and subnets are used only with their VPC; set both, or neither for a new VPC" },
  { keys: ["slackBotTokenParameter", "slackChannelId"], why: "a bot posts to one channel with one token; set both, or neither for the webhook" },
  { keys: ["hubEventBusArn", "hubRerunRoleArn"], why: "a spoke forwards to the hub's bus and lets the hub's rerun role relaunch here; set both (the hub's outputs hub_event_bus_arn and rerun_role_arn), or neither for no ecs-rerun-spoke stack" },
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

/** Where a value was set: an environment variable or a context key. */
interface Source {
  readonly label: string;
  /** `NAME="value"` for a variable, `context key "k" = "value"` for context. */
  readonly said: (value: unknown) => string;
}

const envSource = (name: string): Source => ({ label: name, said: (v) => `${name}=${showValue(v)}` });
const contextSource = (key: string): Source => ({ label: `context key "${key}"`, said: (v) => `context key "${key}" = ${showValue(v)}` });

/** Both ways to set a setting, for messages that tell the user what to set. */
const howToSet = (s: Setting) => `${s.env} (context key "${s.key}")`;

const typeOf = (v: unknown) => (v === null ? "null" : Array.isArray(v) ? "a list" : typeof v === "object" ? "an object" : `a ${typeof v}`);

/** A name without the prefix and punctuation, so ECS_RERUN_CLUSTERNAME, clustername and clusterName compare alike. */
const settingKey = (name: string) => nameKey(name).replace(/^ecsrerun/, "");

function unknownNames(env: NodeJS.ProcessEnv, context: Readonly<Record<string, unknown>>): string[] {
  const problems: string[] = [];
  const envNames = SETTINGS.map((s) => s.env);
  for (const name of Object.keys(env).sort()) {
    if (!name.toUpperCase().startsWith(ENV_PREFIX) || envNames.includes(name)) continue;
    const near = nearestName(name, envNames, settingKey);
    problems.push(`${envSource(name).said(env[name])}: there is no such setting; ${near ? `did you mean ${near}?` : `the settings are ${envNames.join(", ")}`}`);
  }
  const keys = SETTINGS.map((s) => s.key as string);
  for (const key of Object.keys(context).sort()) {
    if (keys.includes(key) || CDKTF_CONTEXT_KEYS.has(key)) continue;
    const near = nearestName(key, keys, settingKey);
    problems.push(`${contextSource(key).said(context[key])}: there is no such setting; ${near ? `did you mean "${near}"?` : `the context keys are ${keys.join(", ")}`}`);
  }
  return problems;
}

/** The checked value of one setting from one source, or the problem with it. */
function readValue(s: Setting, source: Source, raw: unknown): { value: string | string[] } | { problem: string } {
  let items: string[];
  if (typeof raw === "string") {
    items = s.list ? raw.split(",").map((x) => x.trim()).filter((x) => x !== "") : [raw];
  } else if (Array.isArray(raw) && s.list) {
    const bad = raw.findIndex((x) => typeof x !== "string" || x.trim() === "");
    if (bad >= 0) return { problem: `${source.said(raw)}: item ${bad + 1} is ${typeOf(raw[bad])}${raw[bad] === "" ? " (empty)" : ""}; expected a list of strings, each ${s.rule.allowed}` };
    items = raw.map((x: string) => x.trim());
  } else {
    const wanted = s.list ? "a list of strings (a JSON array, or one comma-separated string)" : "one string";
    return { problem: `${source.said(raw)}: this is ${typeOf(raw)}, expected ${wanted}: ${s.rule.allowed}` };
  }
  for (const item of items) {
    const secret = secretKind(item);
    if (secret !== undefined) {
      return { problem: `${source.label} holds ${secret} (not shown here: it may be a secret): ${s.secretAdvice ?? `expected ${s.rule.allowed}`}` };
    }
    if (!s.rule.test(item)) {
      return { problem: s.list && items.length > 1 ? `${source.said(raw)}: ${showValue(item)} is not ${s.rule.allowed}` : `${source.said(raw)}: expected ${s.rule.allowed}` };
    }
  }
  return { value: s.list ? items : items[0] };
}

/** An unset value: absent, JSON null, or empty (`VAR= command` is the shell's way to unset a variable for one run). */
const isUnset = (raw: unknown) => raw === undefined || raw === null || (typeof raw === "string" && raw.trim() === "");

/**
 * Reads every setting from the environment (`ECS_RERUN_*`) and from cdktf context (every key of it:
 * `cdktf.json` "context", or the `CDKTF_CONTEXT_JSON` variable cdktf itself reads), then the
 * fallbacks (`AWS_REGION`, `AWS_DEFAULT_REGION`). Every value given is checked, including one a
 * variable overrides. Throws a {@link SettingsError} listing every problem at once.
 */
export function readSettings(env: NodeJS.ProcessEnv, context: Readonly<Record<string, unknown>>): Settings {
  const problems = unknownNames(env, context);
  const out: Record<string, string | string[]> = {};
  /** The first place each setting was given, valid or not: what "set together" checks. */
  const given: Record<string, GivenSetting> = {};
  for (const s of SETTINGS) {
    const take = (source: Source, raw: unknown) => {
      given[s.key] ??= { source, raw };
      const r = readValue(s, source, raw);
      if ("problem" in r) problems.push(r.problem);
      else if (!(s.key in out)) out[s.key] = r.value;
    };
    const own = [{ source: envSource(s.env), raw: env[s.env] }, { source: contextSource(s.key), raw: context[s.key] }].filter((g) => !isUnset(g.raw));
    for (const { source, raw } of own) take(source, raw);
    // A fallback is someone else's variable (AWS_REGION): looked at only when it is the one used.
    const fallback = own.length === 0 ? (s.fallbackEnv ?? []).find((name) => !isUnset(env[name])) : undefined;
    if (fallback !== undefined) take(envSource(fallback), env[fallback]);
  }
  for (const { keys, why } of TOGETHER) {
    const [a, b] = keys.map((k) => SETTINGS.find((s) => s.key === k)!);
    for (const [set, missing] of [[a, b], [b, a]]) {
      const g = given[set.key];
      if (g && !(missing.key in given)) problems.push(`${g.source.said(g.raw)} is set but ${howToSet(missing)} is not: ${why}`);
    }
  }
  // Only when every value is well-formed: then what is left is how they fit together.
  if (problems.length === 0) problems.push(...spokeStackProblems(out as Settings, given));
  if (problems.length > 0) throw new SettingsError(problems);
  return out as Settings;
}

/** The README's table of settings, generated from {@link SETTINGS}. */
export function renderSettingsTable(): string {
  const rows = SETTINGS.map((s) => {
    const fallbacks = (s.fallbackEnv ?? []).map((v) => `\`${v}\``).join(", ");
    const variable = `\`${s.env}\`${fallbacks ? ` (after the context key: ${fallbacks})` : ""}`;
    return `| ${variable} | \`${s.key}\` | ${s.meaning}${s.list ? " (comma-separated)" : ""} | ${s.default} |`;
  });
  return ["| variable | context key | meaning | default |", "| --- | --- | --- | --- |", ...rows].join("\n");
}
