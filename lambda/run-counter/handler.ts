/**
 * Thin shell of the run counter: EventBridge sends it the tasks of protected clusters that stopped
 * with an exit code of 0 somewhere; it reads the task definition's essential flags (once per
 * revision) and logs one structured line saying whether the stop counts as a successful run of its
 * job. The missed-run alarms' metric filters count those lines. A metric filter on the event itself
 * could only read fixed positions (`containers[0].exitCode`), and events list sidecars too, often
 * first: an app that exited 2 beside an Envoy that exited 0 would count as a success.
 */
import { Console } from "node:console";
import { DescribeTaskDefinitionCommand, type DescribeTaskDefinitionCommandOutput } from "@aws-sdk/client-ecs";
import { countsAsSuccess, essentialNames } from "../rerun/core/failure/essential";
import { describeError, logJson } from "../shared/log";

/** The message a counted run logs: the metric filters match it. */
export const SUCCESSFUL_RUN = "successful run";

export interface TaskDefinitionReader {
  send(command: DescribeTaskDefinitionCommand): Promise<DescribeTaskDefinitionCommandOutput>;
}

export type RunCounterHandler = (event: unknown) => Promise<{ counted: boolean }>;

// The verdict goes out as a bare JSON line, the whole log event, so that the metric filters' JSON
// selectors can read it: the Lambda runtime's console prefixes every line with a timestamp, the
// request ID and the level (Lambda developer guide, "Log and monitor Node.js Lambda functions"),
// which is why Powertools' logger writes through its own Console too
// (aws-powertools/powertools-lambda-typescript issue #747).
const rawConsole = new Console({ stdout: process.stdout, stderr: process.stderr });
const writeLine = (line: string) => rawConsole.log(line);

type Json = Record<string, any>;

export function makeHandler(deps: { ecs: TaskDefinitionReader; write?: (line: string) => void }): RunCounterHandler {
  const write = deps.write ?? writeLine;
  // A revision never changes: read each once per Lambda container.
  const essentialByRevision = new Map<string, ReadonlySet<string> | undefined>();

  async function essentialOf(taskDefinitionArn: string, ctx: Json): Promise<ReadonlySet<string> | undefined> {
    if (essentialByRevision.has(taskDefinitionArn)) return essentialByRevision.get(taskDefinitionArn);
    try {
      const answer = await deps.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: taskDefinitionArn }));
      const essential = essentialNames(answer.taskDefinition?.containerDefinitions);
      essentialByRevision.set(taskDefinitionArn, essential);
      return essential;
    } catch (err) {
      // Unknown flags: every container must have exited 0 to count (a missed count alarms; a false one hides a failure).
      logJson("WARN", "task definition not read: every container must exit 0 to count", { ...ctx, ...describeError(err) });
      return undefined;
    }
  }

  return async function handler(event: unknown): Promise<{ counted: boolean }> {
    const detail: Json = (event as Json | null)?.detail ?? {};
    const containers: Json[] = Array.isArray(detail.containers) ? detail.containers : [];
    const ctx = { group: detail.group, startedBy: detail.startedBy, taskDefinitionArn: detail.taskDefinitionArn, taskArn: detail.taskArn, clusterArn: detail.clusterArn };
    const essential = typeof detail.taskDefinitionArn === "string" ? await essentialOf(detail.taskDefinitionArn, ctx) : undefined;
    // Only a stop ECS says came from the essential containers' own exit counts: a task stopped by a
    // person, a deployment or a Spot interruption is no run of its job, whatever its exit codes. An
    // event without stopCode (from before ECS recorded one) cannot say so and is not counted: a
    // missed count raises the missed-run alarm, a false one would hide a failure. The rule's pattern
    // asks for the same stopCode; this holds if an event comes another way.
    const stoppedByItsContainers = detail.stopCode === "EssentialContainerExited";
    const counted = detail.lastStatus === "STOPPED" && stoppedByItsContainers && countsAsSuccess(containers, essential);
    const verdict = {
      msg: counted ? SUCCESSFUL_RUN : "run not counted",
      ...(detail.stopCode === undefined ? { why: "no stopCode: an event from before ECS recorded one is never counted" } : {}),
      ...Object.fromEntries(Object.entries(ctx).filter(([, v]) => v !== undefined)),
      containers: containers.map((c) => ({ name: c.name, exitCode: c.exitCode, ...(essential ? { essential: essential.has(c.name) } : {}) })),
    };
    write(JSON.stringify(verdict));
    return { counted };
  };
}
