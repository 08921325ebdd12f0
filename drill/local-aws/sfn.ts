// The local Step Functions endpoint: StartExecution with the name rules of a Standard workflow, so
// the starter Lambda's naming is tested against the behaviour it relies on, and DescribeExecution of
// the executions it started (what the audit reads). Executions themselves run in the drill
// (aws-local-stepfunctions); this endpoint hands each new one over and keeps how it ended.
import { ApiError, md5Hex, type LocalService, type Reply } from "./protocol";

export const SFN_TARGET_PREFIX = "AWSStepFunctions";

/** Execution names: 1-80 characters, none of whitespace, brackets, wildcards or `"#%\^|~`$&,;:/`. */
const NAME = /^[^\s<>{}[\]?*"#%\\^|~`$&,;:/\u0000-\u001f\u007f-\u009f]{1,80}$/;

/** How an execution ended, as DescribeExecution reports it. */
export interface ExecutionEnd {
  readonly status: "SUCCEEDED" | "FAILED" | "TIMED_OUT" | "ABORTED";
  /** The execution's output (SUCCEEDED), JSON-serializable. */
  readonly output?: unknown;
  /** The error and cause of a failed execution. */
  readonly error?: string;
  readonly cause?: string;
}

interface KnownExecution {
  /** A digest of the input (names are kept 90 days; inputs need only be compared). */
  readonly input: string;
  /** The input's text, as DescribeExecution returns it. */
  readonly inputText: string;
  readonly executionArn: string;
  readonly stateMachineArn: string;
  readonly name: string;
  readonly startDate: number;
  open: boolean;
  end?: ExecutionEnd & { readonly stopDate: number };
}

/** Starts an execution: gets its ARN, name and input, and later says when (and how, when it knows) it closed. */
export type ExecutionStarter = (execution: { executionArn: string; name: string; input: unknown }) => Promise<ExecutionEnd | void>;

export class LocalSfn implements LocalService {
  readonly operations = new Set<string | undefined>(["StartExecution", "DescribeExecution"]);
  private readonly executions = new Map<string, KnownExecution>();
  private starter?: ExecutionStarter;
  private generated = 0;

  constructor(
    private readonly region: string,
    private readonly account: string,
  ) {}

  /** Who runs the executions this endpoint starts; returns the previous one. */
  setStarter(starter: ExecutionStarter | undefined): ExecutionStarter | undefined {
    const previous = this.starter;
    this.starter = starter;
    return previous;
  }

  reset(): void {
    this.executions.clear();
  }

  /** Names of the executions started, in order. */
  startedNames(): string[] {
    return [...this.executions.keys()];
  }

  /**
   * StartExecution, as a Standard workflow answers it (Step Functions API reference): a new name
   * starts an execution; the same name and input while it is open returns it again; otherwise
   * ExecutionAlreadyExists (names are kept 90 days, longer than any drill).
   */
  answer(op: string, request: Record<string, unknown>): Reply {
    if (op === "DescribeExecution") return this.describe(request);
    const { stateMachineArn, input } = request;
    if (typeof stateMachineArn !== "string" || !stateMachineArn.includes(":stateMachine:")) throw new ApiError("InvalidArn", `Invalid Arn: '${String(stateMachineArn)}'`);
    const text = typeof input === "string" ? input : "{}";
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new ApiError("InvalidExecutionInput", "Invalid State Machine Execution Input: not JSON");
    }
    const name = typeof request.name === "string" ? request.name : `generated-${++this.generated}`;
    if (!NAME.test(name)) throw new ApiError("InvalidName", `Invalid Name: '${name}'`);
    const known = this.executions.get(name);
    if (known) {
      if (known.open && known.input === md5Hex(text)) return { status: 200, answer: "ok", body: { executionArn: known.executionArn, startDate: Date.now() / 1000 } };
      throw new ApiError("ExecutionAlreadyExists", `Execution Already Exists: '${known.executionArn}'`);
    }
    const machine = stateMachineArn.split(":stateMachine:")[1];
    const executionArn = `arn:aws:states:${this.region}:${this.account}:execution:${machine}:${name}`;
    const execution: KnownExecution = { input: md5Hex(text), inputText: text, executionArn, stateMachineArn, name, startDate: Date.now(), open: true };
    this.executions.set(name, execution);
    const starter = this.starter;
    if (starter) {
      void starter({ executionArn, name, input: parsed })
        .then((end) => {
          if (end) execution.end = { ...end, stopDate: Date.now() };
        })
        .finally(() => (execution.open = false));
    }
    return { status: 200, answer: "ok", body: { executionArn, startDate: execution.startDate / 1000 } };
  }

  /**
   * DescribeExecution, as the Step Functions API Reference answers it: the execution's ARN, its state
   * machine, name, status (RUNNING until it ended), start and stop dates, input, and its output
   * (SUCCEEDED) or error and cause (FAILED); ExecutionDoesNotExist for an ARN no execution has, and
   * InvalidArn for what is no execution ARN.
   */
  private describe(request: Record<string, unknown>): Reply {
    const arn = request.executionArn;
    if (typeof arn !== "string" || !/^arn:aws[a-z-]*:states:[a-z0-9-]+:\d{12}:execution:[^:]+:[^:]+$/.test(arn)) throw new ApiError("InvalidArn", `Invalid Arn: '${String(arn)}'`);
    const known = this.executions.get(arn.slice(arn.lastIndexOf(":") + 1));
    if (known === undefined || known.executionArn !== arn) throw new ApiError("ExecutionDoesNotExist", `Execution Does Not Exist: '${arn}'`);
    const end = known.end;
    return {
      status: 200,
      answer: "ok",
      body: {
        executionArn: known.executionArn,
        stateMachineArn: known.stateMachineArn,
        name: known.name,
        // An execution whose runner said nothing of its end is reported as it would be: it ran and closed.
        status: end?.status ?? (known.open ? "RUNNING" : "SUCCEEDED"),
        startDate: known.startDate / 1000,
        ...(end ? { stopDate: end.stopDate / 1000 } : {}),
        input: known.inputText,
        ...(end?.output !== undefined ? { output: JSON.stringify(end.output) } : {}),
        ...(end?.error !== undefined ? { error: end.error } : {}),
        ...(end?.cause !== undefined ? { cause: end.cause } : {}),
      },
    };
  }
}
