/**
 * Your scheduled jobs. `npm run synth` (main.ts) deploys each one on the `ecs-cluster` stack's
 * cluster (a task definition, a schedule with a dead-letter queue, a log group) and gives it a
 * missed-run alarm on the `ecs-rerun` stack, which reruns it when its launch is rejected.
 *
 * To add a job, copy DEMO_JOB into JOBS and change it. Every field is checked at synth time, and an
 * error names the job (`JOBS[1].schedule ...`); ScheduledTaskConfig in modules/config.ts lists them
 * all with their defaults. To stop deploying the demo, take DEMO_JOB out of JOBS (the drill and the
 * tests keep using it, as the example it is).
 */
import type { ScheduledTaskConfig } from "./modules/config";

/** The demo: prints the date once a day, so leaving it deployed costs cents. */
export const DEMO_JOB: ScheduledTaskConfig = {
  name: "print-date",
  schedule: "rate(1 day)",
  image: "public.ecr.aws/docker/library/busybox:1.37",
  command: ["sh", "-c", "date -u +%Y-%m-%dT%H:%M:%SZ"],
  cpu: 128,
  memory: 64,
};

/** The jobs main.ts deploys, in this order. */
export const JOBS: readonly ScheduledTaskConfig[] = [
  DEMO_JOB,
  // {
  //   name: "nightly-report",
  //   schedule: "cron(0 3 * * ? *)", // 03:00 UTC every day
  //   expectedIntervalSeconds: 86400, // a cron job says how often it runs, for its missed-run alarm
  //   image: "123456789012.dkr.ecr.us-east-1.amazonaws.com/report:1.4",
  //   command: ["node", "report.js"],
  // },
];
