// The local Step Functions endpoint: StartExecution with the name rules of a Standard workflow, so
// the starter Lambda's naming is tested against the behaviour it relies on. Executions themselves
// run in the drill (aws-local-stepfunctions); this endpoint hands each new one over and tracks it.
import { ApiError, md5Hex, type LocalService, type Reply } from "./protocol";

export const SFN_TARGET_PREFIX = "AWSStepFunctions";

/** Execution names: 1-80 characters, none of whitespace, brackets, wildcards or `"#%\^|~`$&,;:/`. */
const NAME = /^[^\s<>{}[\]?*"#%\\^|~`$&,;:/\u0000-\u001f\u007f-\u009f]{1,80}$/;

interface KnownExecution {
  /** A digest of the input (names are kept 90 days; inputs need only be compared). */
  readonly input: string;
  readonly executionArn: string;
  open: boolean;
}

/** Starts an execution: gets its ARN, name and input, and later says when it closed. */
export type ExecutionStarter = (execution: { executionArn: string; name: string; input: unknown }) => Promise<void>;

export class LocalSfn implements LocalService {
  readonly operations = new Set<string | undefined>(["StartExecution"]);
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
  answer(_op: string, request: Record<string, unknown>): Reply {
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
    const execution: KnownExecution = { input: md5Hex(text), executionArn, open: true };
    this.executions.set(name, execution);
    const starter = this.starter;
    if (starter) void starter({ executionArn, name, input: parsed }).finally(() => (execution.open = false));
    return { status: 200, answer: "ok", body: { executionArn, startDate: Date.now() / 1000 } };
  }
}
