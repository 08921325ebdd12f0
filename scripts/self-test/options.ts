/**
 * The self-test's command line: what `npm run self-test -- ...` accepts, its help, and the checks that
 * turn a bad argument into one message naming the option (exit code 2, never a stack trace).
 */
import { regionProblem } from "../../modules/regions";
import { parseOptions } from "../cli-support";

/** A problem with what the user typed: reported plainly, exit code 2. */
export class SelfTestUsageError extends Error {}

/** Seconds the self-test waits for the execution by default: a self-test takes a few, Lambda cold starts included. */
export const DEFAULT_WAIT_SECONDS = 120;

export const SELF_TEST_USAGE = `usage: npm run self-test -- [--region R] [--name NAME] [--wait-seconds N] [--json]
       npm run self-test -- --local [--json]
  Sends a synthetic failure (source ecs-rerun.self-test, which no detection rule matches) to the
  deployed pipeline's starter Lambda: it goes through the state machine, the rerun Lambda (which
  launches nothing), the notices topic and the notifier, and ends in one "self-test" message in Slack
  (and every other subscriber). Waits for the execution to end and reports what happened.
  --region        the Region the pipeline runs in (default: the AWS SDK's, e.g. AWS_REGION)
  --name          the pipeline's name: its starter is <name>-starter (default: ecs-rerun)
  --wait-seconds  how long to wait for the execution to end (default: ${DEFAULT_WAIT_SECONDS})
  --local         run it against the drill's local endpoints instead (no AWS account): the
                  synthesized pipeline, a local Slack and a local ECS
  --json          print one JSON object (an error too: {"error": ...})
Credentials: lambda:InvokeFunction on <name>-starter and states:DescribeExecution on its executions.
Exit codes: 0 the message was published, 1 the wiring failed (said how), 2 bad input or credentials.`;

/** What to do, every argument checked. */
export interface SelfTestCommand {
  readonly help: boolean;
  readonly json: boolean;
  readonly local: boolean;
  readonly region?: string;
  readonly name: string;
  readonly waitSeconds: number;
}

const REGION = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;
const NAME = /^[a-zA-Z0-9-]{1,40}$/;

/** Parses and checks the self-test's arguments; throws SelfTestUsageError naming the option at fault. */
export function parseSelfTestArgs(argv: readonly string[]): SelfTestCommand {
  const values = parseOptions(
    argv,
    {
      region: { type: "string" },
      name: { type: "string" },
      "wait-seconds": { type: "string" },
      local: { type: "boolean" },
      json: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
    (message) => new SelfTestUsageError(`${message}\n${SELF_TEST_USAGE}`),
  );
  const str = (k: string) => values[k] as string | undefined;
  const local = values.local === true;
  const region = str("region");
  if (region !== undefined && !REGION.test(region)) throw new SelfTestUsageError(`--region ${JSON.stringify(region)}: expected a Region code such as us-east-1`);
  const unknownRegion = region === undefined ? undefined : regionProblem(region);
  if (unknownRegion !== undefined) throw new SelfTestUsageError(`--region ${unknownRegion}`);
  const name = str("name") ?? "ecs-rerun";
  if (!NAME.test(name)) throw new SelfTestUsageError(`--name ${JSON.stringify(name)}: expected the pipeline's name, 1-40 letters, digits or dashes`);
  const wait = str("wait-seconds") ?? String(DEFAULT_WAIT_SECONDS);
  if (!/^\d{1,4}$/.test(wait) || Number(wait) < 1) throw new SelfTestUsageError(`--wait-seconds ${JSON.stringify(wait)}: expected a whole number of seconds from 1 to 9999`);
  if (local && (region !== undefined || str("name") !== undefined || str("wait-seconds") !== undefined)) {
    throw new SelfTestUsageError("--local runs against the drill's own pipeline: --region, --name and --wait-seconds are for a deployed one");
  }
  return { help: values.help === true, json: values.json === true, local, ...(region !== undefined ? { region } : {}), name, waitSeconds: Number(wait) };
}
