import {
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  RunTaskCommand,
  ListTasksCommand,
  StartTaskCommand,
} from "@aws-sdk/client-ecs";
import type { EcsSender } from "../../lambda/rerun/handler";

export type EcsCommand = RunTaskCommand | StartTaskCommand | DescribeTasksCommand | ListTasksCommand | DescribeTaskDefinitionCommand;
export type Reply = Record<string, unknown> | Error;

export interface EcsScript {
  /** Answers to RunTask/StartTask, in order. */
  launch?: Reply[];
  describeTasks?: Reply[];
  /** Answers to ListTasks; when not scripted every instance lists no task. */
  listTasks?: Reply[];
  describeTaskDefinition?: Reply[];
}

/**
 * A stub ECS client that records every command and answers each operation from its own script.
 * An operation called more often than scripted fails the test loudly.
 */
export function ecsStub(script: EcsScript = {}) {
  const commands: EcsCommand[] = [];
  const queues = {
    launch: [...(script.launch ?? [])],
    describeTasks: [...(script.describeTasks ?? [])],
    listTasks: script.listTasks ? [...script.listTasks] : undefined,
    describeTaskDefinition: [...(script.describeTaskDefinition ?? [])],
  };
  const next = (queue: Reply[] | undefined, name: string, unscripted: Reply = {}): Reply => {
    if (queue === undefined) return unscripted;
    const reply = queue.shift();
    if (reply === undefined) throw new Error(`stub ECS: no scripted answer left for ${name}`);
    return reply;
  };
  const ecs: EcsSender = {
    send: (async (command: EcsCommand) => {
      commands.push(command);
      let reply: Reply;
      if (command instanceof RunTaskCommand || command instanceof StartTaskCommand) reply = next(queues.launch, "RunTask/StartTask");
      else if (command instanceof DescribeTasksCommand) reply = next(queues.describeTasks, "DescribeTasks");
      else if (command instanceof ListTasksCommand) reply = next(queues.listTasks, "ListTasks", { taskArns: [] });
      else reply = next(queues.describeTaskDefinition, "DescribeTaskDefinition");
      if (reply instanceof Error) throw reply;
      return { $metadata: { httpStatusCode: 200 }, ...reply };
    }) as EcsSender["send"],
  };
  const of = <T extends EcsCommand>(type: new (...args: never[]) => T): T[] => commands.filter((c): c is T => c instanceof type);
  return {
    ecs,
    commands,
    launches: () => commands.filter((c): c is RunTaskCommand | StartTaskCommand => c instanceof RunTaskCommand || c instanceof StartTaskCommand),
    describeTasks: () => of(DescribeTasksCommand),
    listTasks: () => of(ListTasksCommand),
    describeTaskDefinitions: () => of(DescribeTaskDefinitionCommand),
  };
}

/** The stub for launch answers only (no instance lists a task). */
export function stubEcs(...launch: Reply[]) {
  return ecsStub({ launch });
}
