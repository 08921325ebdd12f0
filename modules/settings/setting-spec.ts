/**
 * What one setting of the schema says about itself: where it is read (its variable, its context and
 * settings-file key), its kind of value, what it means, and which input of the Terraform module and
 * of the constructs has the same meaning, so that the app reaches every knob the module has and a
 * test can prove it (__tests__/settings/schema-coverage.test.ts).
 */
import type { EcsRerunPipelineProps } from "../pipeline/rerun-pipeline";
import type { EcsRerunSpokeProps } from "../spoke/ecs-rerun-spoke";
import type { ValueType } from "./setting-types";

/** One setting; its key (camelCase) is its context key and its key in settings.ts. */
export interface SettingSpec<T> {
  /** Environment variable (`ECS_RERUN_` and the key in SNAKE_CASE); wins over the file and context. */
  readonly env: string;
  /** Variables read after the context key, in order (checked only when used). @default none */
  readonly fallbackEnv?: readonly string[];
  /** Its kind of value, and how each source spells it. */
  readonly type: ValueType<T>;
  /** What it sets (the README's table). */
  readonly meaning: string;
  /** What applies when it is unset (the README's table). @default the module variable's default */
  readonly default?: string;
  /** The Terraform module's variable of the same meaning (root module, spoke submodule or both). @default none: an app-only setting */
  readonly module?: string;
  /** The EcsRerunPipeline prop the app gives it to (as it is, unless app.ts says otherwise). @default none */
  readonly prop?: keyof EcsRerunPipelineProps;
  /** The EcsRerunSpoke prop the app gives it to. @default none */
  readonly spokeProp?: keyof EcsRerunSpokeProps;
  /** What to say instead when the value looks like a secret (the setting wants a name, not the secret). @default what is allowed */
  readonly secretAdvice?: string;
  /** A valid value other than the default: the tests set every setting to it. */
  readonly example: T;
}

/** Declares a setting, checking its example against its kind of value. */
export const setting = <T>(spec: SettingSpec<T>): SettingSpec<T> => spec;

/** The value type of a setting. */
export type SettingValue<S> = S extends SettingSpec<infer T> ? T : never;
