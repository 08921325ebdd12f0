// The settings schema's shape: every setting by key and the types read from it. Apart from
// settings.ts (the reading and its checks) so that the checks kept in their own files
// (spoke-settings.ts) import the types downhill, never back from the file that calls them.
import { CLUSTER_SETTINGS } from "./cluster-settings";
import { PIPELINE_SETTINGS } from "./pipeline-settings";
import type { SettingSpec, SettingValue } from "./setting-spec";

/** The one schema of every setting, by key (its context key and settings-file key); the README's table follows its order. */
export const SETTING_SCHEMA = { ...CLUSTER_SETTINGS, ...PIPELINE_SETTINGS };

/** A setting's key. */
export type SettingKey = keyof typeof SETTING_SCHEMA;

/** The settings' values, after checking: environment variables win over settings.ts, which wins over cdktf context. */
export type Settings = { readonly [K in SettingKey]?: SettingValue<(typeof SETTING_SCHEMA)[K]> };

/** What settings.ts exports: any of the settings, each as its own type (a number as a number, a list as an array). */
export type SettingsFile = Settings;

/** One setting with its key, as the schema's entries list them. */
export type Setting = SettingSpec<unknown> & { readonly key: SettingKey };

/** Every setting, in the schema's order. */
export const SETTINGS_LIST: readonly Setting[] = Object.entries(SETTING_SCHEMA).map(([key, spec]) => ({ ...(spec as SettingSpec<unknown>), key: key as SettingKey }));
