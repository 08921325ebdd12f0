// jobs.ts is checked at synth as data (tsx strips its types): unknown fields with a suggestion, fields
// of the wrong kind, required fields missing, each naming the job and the field.
import { ConfigError } from "../modules/config";
import { JOB_FIELDS, checkJobs } from "../modules/jobs-check";
import { DEMO_JOB } from "../jobs";

const LABEL = "JOBS (jobs.ts)";
const refusal = (jobs: unknown) => {
  try {
    checkJobs(jobs, LABEL);
  } catch (e) {
    if (e instanceof ConfigError) return e.message;
    throw e;
  }
  return undefined;
};

test("takes the demo and every field ScheduledTaskConfig has", () => {
  expect(checkJobs([DEMO_JOB], LABEL)).toEqual([DEMO_JOB]);
  const full = {
    ...DEMO_JOB,
    environment: { A: "1" },
    secrets: { DB: "arn:aws:ssm:us-east-1:123456789012:parameter/db" },
    secretsKmsKeyArns: [],
    taskRolePolicyArns: [],
    count: 1,
    enabled: false,
    logRetentionDays: 30,
    expectedIntervalSeconds: 600,
    missedRunGraceSeconds: 60,
    alarmOnMissedRun: false,
  };
  expect(refusal([full])).toBeUndefined();
  expect(Object.keys(JOB_FIELDS)).toEqual(expect.arrayContaining(Object.keys(full)));
});

test.each<[string, unknown, string]>([
  ["a misspelt field", [{ ...DEMO_JOB, memroy: 512 }], 'JOBS (jobs.ts)[0] ("print-date"): there is no field memroy; did you mean memory? (every field and its default: ScheduledTaskConfig in modules/config.ts)'],
  ["a boolean in quotes", [DEMO_JOB, { ...DEMO_JOB, name: "b", enabled: "false" }], 'JOBS (jobs.ts)[1] ("b"): enabled = "false" is a string, expected true or false (not in quotes) (every field and its default: ScheduledTaskConfig in modules/config.ts)'],
  ["a number in quotes", [{ ...DEMO_JOB, cpu: "256" }], 'JOBS (jobs.ts)[0] ("print-date"): cpu = "256" is a string, expected a number (every field and its default: ScheduledTaskConfig in modules/config.ts)'],
  ["a job without an image", [{ name: "x", schedule: "rate(1 day)" }], 'JOBS (jobs.ts)[0] ("x"): image is missing: it is required (every field and its default: ScheduledTaskConfig in modules/config.ts)'],
  ["a command as one string", [{ ...DEMO_JOB, command: "date" }], 'JOBS (jobs.ts)[0] ("print-date"): command = "date" is a string, expected a list of strings (every field and its default: ScheduledTaskConfig in modules/config.ts)'],
  ["a job that is no object", [DEMO_JOB, "print-date"], "JOBS (jobs.ts)[1]: this is a string, expected an object with the fields name, schedule, image,"],
  ["JOBS that is no list", { DEMO_JOB }, "JOBS (jobs.ts) is an object, expected a list of jobs"],
])("refuses %s, naming the job and the field", (_name, jobs, message) => {
  expect(refusal(jobs)).toEqual(expect.stringContaining(message));
});
