/**
 * The jobs of jobs.ts checked at synth as data: `npm run synth` runs jobs.ts through tsx, which strips
 * its types without checking them, so `memroy: 512` (a typo), `enabled: "false"` (a string, which is
 * truthy) or a job without `image` would otherwise reach the stacks silently or as a TypeError. Every
 * job's fields are checked against {@link JOB_FIELDS}, which the compiler holds to ScheduledTaskConfig
 * (a field added there and not here fails `tsc`), before resolveClusterConfig checks their values.
 */
import { ConfigError, type ScheduledTaskConfig } from "./config";
import { fieldProblem, typeOf, type FieldSpec } from "./settings/setting-types";

/** Each field of a job: its kind, and whether every job must give it. */
export const JOB_FIELDS = {
  name: { kind: "string", required: true },
  schedule: { kind: "string", required: true },
  image: { kind: "string", required: true },
  command: { kind: "strings" },
  cpu: { kind: "number" },
  memory: { kind: "number" },
  environment: { kind: "record" },
  secrets: { kind: "record" },
  secretsKmsKeyArns: { kind: "strings" },
  taskRoleArn: { kind: "string" },
  taskRolePolicyArns: { kind: "strings" },
  count: { kind: "number" },
  enabled: { kind: "boolean" },
  logRetentionDays: { kind: "number" },
  expectedIntervalSeconds: { kind: "number" },
  missedRunGraceSeconds: { kind: "number" },
  alarmOnMissedRun: { kind: "boolean" },
} as const satisfies { readonly [K in keyof Required<ScheduledTaskConfig>]: FieldSpec & (undefined extends ScheduledTaskConfig[K] ? { readonly required?: false } : { readonly required: true }) };

/**
 * Checks that `jobs` is a list of jobs with the fields of ScheduledTaskConfig, each of its kind;
 * throws a ConfigError naming the job (`label[i] ("name")`) and the field. Returns the jobs, typed.
 */
export function checkJobs(jobs: unknown, label: string): readonly ScheduledTaskConfig[] {
  if (!Array.isArray(jobs)) throw new ConfigError(`${label} is ${typeOf(jobs)}, expected a list of jobs ([{ name, schedule, image, ... }])`);
  jobs.forEach((job, i) => {
    const name = typeof job === "object" && job !== null && typeof (job as { name?: unknown }).name === "string" ? ` ("${(job as { name: string }).name}")` : "";
    const p = fieldProblem(job, JOB_FIELDS);
    if (p) throw new ConfigError(`${label}[${i}]${name}: ${p.problem} (every field and its default: ScheduledTaskConfig in modules/config.ts)`);
  });
  return jobs as ScheduledTaskConfig[];
}
