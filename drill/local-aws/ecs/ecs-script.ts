// The ECS launch script: the answers the local ECS gives successive RunTask/StartTask calls, and
// the parser for the comma-separated form a drill scenario or the CLI writes them in.

// ---------------------------------------------------------------------------------------------
// Script of launch answers
// ---------------------------------------------------------------------------------------------

/**
 * One scripted answer to a launch call. Tasks placed by "ok" and "partial" run and exit 0; "exit"
 * places tasks that run and exit with `exitCode`; "nostart" places tasks that stop without starting.
 * `startSeconds`/`runSeconds` override the server's defaults for the tasks of that answer.
 */
export type EcsAnswer =
  | { kind: "ok"; startSeconds?: number; runSeconds?: number }
  | { kind: "exit"; exitCode: number; startSeconds?: number; runSeconds?: number }
  | { kind: "nostart"; reason: string; startSeconds?: number }
  | { kind: "fail"; reason: string }
  | { kind: "partial"; placed: number }
  | { kind: "throttle" }
  | { kind: "error"; name: string }
  | { kind: "drop" }
  | { kind: "after"; fault: "5xx" | "drop" };

const ECS_SCRIPT_HELP =
  'expected "ok", "exit:N", "nostart:REASON", "throttle", "partial:N", "error:ExceptionName", "drop", "5xx-after", "drop-after" or an upper-case ECS failure reason such as "AGENT" or "RESOURCE:MEMORY"';

/** Parses one script entry; throws with the offending text so a typo in a drill scenario fails loudly. */
export function parseEcsAnswer(entry: string): EcsAnswer {
  const e = entry.trim();
  if (e === "ok") return { kind: "ok" };
  if (e === "throttle") return { kind: "throttle" };
  if (e === "drop") return { kind: "drop" };
  if (e === "5xx-after") return { kind: "after", fault: "5xx" };
  if (e === "drop-after") return { kind: "after", fault: "drop" };
  if (e.startsWith("nostart:")) {
    const reason = e.slice("nostart:".length).trim();
    if (reason === "") throw new Error(`Invalid ECS script entry "${entry}": nostart:REASON needs the stoppedReason, such as "TaskFailedToStart: RESOURCE:MEMORY"`);
    return { kind: "nostart", reason };
  }
  if (e.startsWith("exit:")) {
    const n = e.slice("exit:".length);
    if (!/^\d{1,3}$/.test(n) || Number(n) > 255) throw new Error(`Invalid ECS script entry "${entry}": exit:N needs the essential container's exit code, 0 to 255`);
    return { kind: "exit", exitCode: Number(n) };
  }
  if (e.startsWith("partial:")) {
    const n = e.slice("partial:".length);
    if (!/^\d+$/.test(n)) throw new Error(`Invalid ECS script entry "${entry}": partial:N needs a whole number of tasks to place`);
    return { kind: "partial", placed: Number(n) };
  }
  if (e.startsWith("error:")) {
    const name = e.slice("error:".length);
    if (!/^[A-Z][A-Za-z0-9]*$/.test(name)) throw new Error(`Invalid ECS script entry "${entry}": error:NAME needs an exception name such as ClientException`);
    return { kind: "error", name };
  }
  // Real reasons are upper case ("AGENT", "RESOURCE:MEMORY", "EMPTY CAPACITY PROVIDER"); insisting on
  // that catches typos such as "okk" or "Ok" instead of silently turning them into failure reasons.
  if (/^[A-Z][A-Z0-9_]*( [A-Z0-9_]+)*(:[A-Z0-9_.*-]+)?$/.test(e)) return { kind: "fail", reason: e };
  throw new Error(`Invalid ECS script entry "${entry}": ${ECS_SCRIPT_HELP}`);
}

function isEcsAnswer(entry: string): boolean {
  try {
    parseEcsAnswer(entry);
    return true;
  } catch {
    return false;
  }
}

/**
 * "AGENT,RESOURCE:MEMORY,ok" -> answers, in order. Entries are separated by commas, and spaces
 * around an entry are ignored.
 *
 * Entries:
 * - `ok`: every requested task is placed, runs (RUNNING after startSeconds) and exits 0.
 * - `exit:N`: placed and runs, then its essential container exits with code N (0-255).
 * - `nostart:REASON`: placed (PENDING, or PROVISIONING with a capacity provider), then STOPPED
 *   with stopCode TaskFailedToStart and stoppedReason REASON, verbatim.
 * - `partial:N`: N of the requested tasks are placed (and run and exit 0), the rest fail with AGENT.
 * - an upper-case failure reason (`AGENT`, `RESOURCE:MEMORY`): nothing is placed; each requested
 *   task gets a failure with that reason.
 * - `throttle`: ThrottlingException. `error:NAME`: the exception NAME (e.g. ServerException), before
 *   anything took effect. `drop`: the connection is closed with no answer, nothing took effect.
 * - `5xx-after`, `drop-after`: the call takes effect as `ok` would (tasks placed, clientToken
 *   stored), then the caller gets a ServerException, or no answer at all.
 *
 * A nostart REASON is free text and may contain colons and commas: a comma ends it only where what
 * follows the comma is itself a valid entry. So
 * `nostart:CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref docker.io/library/x:1, not found,ok`
 * is two entries, the reason ending in ", not found". A reason that must contain a comma followed by
 * something that reads as an entry (", ok", ", AGENT") cannot be written here; pass
 * `{ kind: "nostart", reason }` to the ecsScript option instead.
 */
export function parseEcsScript(s: string): EcsAnswer[] {
  const entries: string[] = [];
  for (const piece of s.split(",")) {
    const last = entries.length - 1;
    // A blank piece is never part of a reason: "nostart:X,,ok" is a typo, reported as such.
    if (last >= 0 && entries[last].trim().startsWith("nostart:") && piece.trim() !== "" && !isEcsAnswer(piece)) entries[last] += `,${piece}`;
    else entries.push(piece);
  }
  return entries.map((entry, i) => {
    try {
      return parseEcsAnswer(entry);
    } catch (err) {
      throw new Error(`ECS script "${s}", entry ${i + 1}: ${(err as Error).message}`);
    }
  });
}
