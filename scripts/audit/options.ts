/**
 * The audit's command line: what `npm run audit -- ...` accepts, its help, and the checks that turn
 * a bad argument into one message naming the option (exit code 2, never a stack trace).
 */
import { regionProblem } from "../../modules/regions";
import { parseOptions } from "../cli-support";
import type { StateMachineRef } from "./executions";
import { LOOKUP_MAX_DAYS } from "./lookup";

/** A problem with what the user typed or gave: reported plainly, exit code 2. */
export class AuditUsageError extends Error {}

export const AUDIT_USAGE = `usage: npm run audit -- [--since 7d|24h|DATE] [--until DATE] [--region R] [--clusters LIST]
                       [--state-machine NAME|ARN|none] [--records FILE|-] [--json]
  Lists every RunTask/StartTask that ECS rejected (answered with failures[], so nothing retried it),
  with whether an ecs-rerun execution took it up and how that ended.
  --since          start of the period: 7d, 24h, 90m, or an ISO date/time. Default: 7d (event history
                   reaches back ${LOOKUP_MAX_DAYS} days); with --records: every record
  --until          end of the period (ISO date/time). Default: now; with --records: every record
  --region         the Region whose event history is read (default: the AWS SDK's, e.g. AWS_REGION);
                   with --records: keep that Region's records only
  --clusters       comma-separated cluster names or ARNs to keep. Default: every cluster
  --state-machine  the pipeline's state machine, whose executions are looked up: its name in each
                   failure's own account and Region, or one ARN (a hub), or none. Default: ecs-rerun;
                   with --records: none (offline), unless given
  --records        read CloudTrail records from FILE (- for standard input) instead of event history:
                   a trail's log file ({"Records": [...]}, gzipped or not), lookup-events output,
                   EventBridge events, or JSON lines of them
  --json           print one JSON object (an error too: {"error": ...})
Credentials: your own, read-only: cloudtrail:LookupEvents, and states:DescribeExecution on the
pipeline's executions unless --state-machine none.`;

/** What to do, every argument checked. */
export interface AuditCommand {
  readonly help: boolean;
  readonly json: boolean;
  /** Read records from this file ("-": standard input) instead of event history. */
  readonly records?: string;
  readonly since?: Date;
  readonly until?: Date;
  readonly region?: string;
  readonly clusters?: readonly string[];
  readonly stateMachine: StateMachineRef;
}

const REGION = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;
const CLUSTER = /^(arn:aws[a-z-]*:ecs:[a-z0-9-]+:\d{12}:cluster\/)?[A-Za-z0-9_-]{1,255}$/;
const STATE_MACHINE_ARN = /^arn:aws[a-z-]*:states:[a-z0-9-]+:\d{12}:stateMachine:[A-Za-z0-9_-]{1,80}$/;
const STATE_MACHINE_NAME = /^[A-Za-z0-9_-]{1,80}$/;
const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** A time: `7d`/`24h`/`90m` before `now`, or an ISO 8601 date or date-time. */
export function parseTime(option: string, value: string, now: Date): Date {
  const ago = /^(\d{1,6})([dhm])$/.exec(value);
  if (ago) return new Date(now.getTime() - Number(ago[1]) * UNIT_MS[ago[2] as keyof typeof UNIT_MS]);
  if (/^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(value)) {
    const date = new Date(value.length === 10 ? `${value}T00:00:00Z` : value);
    if (!Number.isNaN(date.getTime())) return date;
  }
  throw new AuditUsageError(`${option} ${JSON.stringify(value)}: expected a duration (7d, 24h, 90m) or an ISO date/time (2026-11-01, 2026-11-01T06:00:00Z)`);
}

/** Parses and checks the audit's arguments; throws AuditUsageError naming the option at fault. */
export function parseAuditArgs(argv: readonly string[], now: Date): AuditCommand {
  const values = parseOptions(
    argv,
    {
      since: { type: "string" },
      until: { type: "string" },
      region: { type: "string" },
      clusters: { type: "string" },
      "state-machine": { type: "string" },
      records: { type: "string" },
      json: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
    (message) => new AuditUsageError(`${message}\n${AUDIT_USAGE}`),
  );
  const str = (k: string) => values[k] as string | undefined;
  const offline = str("records") !== undefined;
  if (str("records") === "") throw new AuditUsageError("--records: expected a file name, or - for standard input");
  const since = str("since") === undefined ? (offline ? undefined : parseTime("--since", "7d", now)) : parseTime("--since", str("since")!, now);
  const until = str("until") === undefined ? (offline ? undefined : now) : parseTime("--until", str("until")!, now);
  if (since && until && since >= until) throw new AuditUsageError(`--since ${since.toISOString()} is not before --until ${until.toISOString()}`);
  if (!offline && since && now.getTime() - since.getTime() > LOOKUP_MAX_DAYS * UNIT_MS.d + UNIT_MS.h) {
    throw new AuditUsageError(`--since ${since.toISOString()}: CloudTrail event history reaches back ${LOOKUP_MAX_DAYS} days; for older launches read a trail's log files with --records`);
  }
  const region = str("region");
  if (region !== undefined && !REGION.test(region)) throw new AuditUsageError(`--region ${JSON.stringify(region)}: expected a Region code such as us-east-1`);
  const unknownRegion = region === undefined ? undefined : regionProblem(region);
  if (unknownRegion !== undefined) throw new AuditUsageError(`--region ${unknownRegion}`);
  let clusters: string[] | undefined;
  if (str("clusters") !== undefined) {
    clusters = str("clusters")!.split(",").map((c) => c.trim()).filter((c) => c !== "");
    if (clusters.length === 0) throw new AuditUsageError("--clusters: expected comma-separated cluster names or ARNs");
    const bad = clusters.find((c) => !CLUSTER.test(c));
    if (bad !== undefined) throw new AuditUsageError(`--clusters: ${JSON.stringify(bad)} is neither a cluster name nor a cluster ARN`);
  }
  const sm = str("state-machine");
  let stateMachine: StateMachineRef;
  if (sm === undefined) stateMachine = offline ? "none" : { name: "ecs-rerun" };
  else if (sm === "none") stateMachine = "none";
  else if (STATE_MACHINE_ARN.test(sm)) stateMachine = { arn: sm };
  else if (STATE_MACHINE_NAME.test(sm)) stateMachine = { name: sm };
  else throw new AuditUsageError(`--state-machine ${JSON.stringify(sm)}: expected a state machine name, a state machine ARN, or none`);
  return {
    help: values.help === true,
    json: values.json === true,
    ...(offline ? { records: str("records") } : {}),
    ...(since ? { since } : {}),
    ...(until ? { until } : {}),
    ...(region !== undefined ? { region } : {}),
    ...(clusters ? { clusters } : {}),
    stateMachine,
  };
}
