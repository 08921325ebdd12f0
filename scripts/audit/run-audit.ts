/**
 * The audit's shell: reads the records (a file, standard input, or CloudTrail event history), judges
 * them, looks up each failure's execution and prints the report. cli.ts runs it as a process.
 */
import { readFileSync } from "node:fs";
import { CloudTrailClient } from "@aws-sdk/client-cloudtrail";
import { SFNClient } from "@aws-sdk/client-sfn";
import { credentialsOrRegionProblem } from "../cli-support";
import { ExecutionsUnreadable, rerunOutcomes, type DescribeSender } from "./executions";
import { lookUpLaunchRecords } from "./lookup";
import { AUDIT_USAGE, AuditUsageError, parseAuditArgs, type AuditCommand } from "./options";
import { parseRecords, recordsText, RecordsUnreadable } from "./records";
import { launchCalls } from "./rejected-launches";
import { auditReport, formatAudit } from "./report";

/** The SDK's errors a person can fix, as one sentence each. */
function awsProblem(err: unknown): string | undefined {
  const e = err as { name?: string; message?: string } | null;
  const message = e?.message ?? String(err);
  const setup = credentialsOrRegionProblem(err);
  if (setup !== undefined) return setup;
  if (e?.name === "AccessDeniedException" || e?.name === "UnauthorizedOperation") {
    return `AWS refused the call (${message}): the audit needs cloudtrail:LookupEvents, and states:DescribeExecution unless --state-machine none`;
  }
  if (e?.name === "InvalidTimeRangeException" || e?.name === "InvalidLookupAttributesException") return `CloudTrail refused the lookup: ${message}`;
  return undefined;
}

async function records(command: AuditCommand, io: AuditIo): Promise<{ list: Record<string, unknown>[]; unreadable: number; source: string }> {
  if (command.records !== undefined) {
    let bytes: Buffer;
    try {
      bytes = command.records === "-" ? io.stdin() : readFileSync(command.records);
    } catch (err) {
      throw new AuditUsageError(`--records ${command.records}: cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
    }
    try {
      return { list: parseRecords(recordsText(bytes)), unreadable: 0, source: command.records === "-" ? "standard input" : command.records };
    } catch (err) {
      if (err instanceof RecordsUnreadable) throw new AuditUsageError(`--records ${command.records}: ${err.message}`);
      throw err;
    }
  }
  const cloudtrail = new CloudTrailClient({ region: command.region, maxAttempts: 6 });
  const region = await cloudtrail.config.region();
  const progress = process.stderr.isTTY && !command.json ? (name: string, n: number) => process.stderr.write(`\r${name}: ${n} records read`) : undefined;
  const found = await lookUpLaunchRecords(cloudtrail, { since: command.since!, until: command.until!, onPage: progress });
  if (progress) process.stderr.write("\n");
  return { list: found.records, unreadable: found.unreadable, source: `CloudTrail event history (${region})` };
}

/** One Step Functions client per Region the executions live in. */
function sfnClients(): DescribeSender {
  const clients = new Map<string, SFNClient>();
  return {
    send(command) {
      const region = command.input.executionArn!.split(":")[3];
      let client = clients.get(region);
      if (!client) clients.set(region, (client = new SFNClient({ region, maxAttempts: 6, retryMode: "adaptive" })));
      return client.send(command);
    },
  };
}

/** Where the audit reads and writes: the process's own streams, or a test's. */
export interface AuditIo {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  /** Standard input's bytes, read only for `--records -`. */
  readonly stdin: () => Buffer;
}

/** Runs the audit; returns the exit code: 0 printed, 2 a problem the user can fix, 1 a bug. */
export async function runAudit(argv: readonly string[], io: AuditIo): Promise<number> {
  try {
    const command = parseAuditArgs(argv, new Date());
    if (command.help) {
      io.out(AUDIT_USAGE);
      return 0;
    }
    const read = await records(command, io);
    // Event history is already one Region's; a records file may hold several.
    const calls = launchCalls(read.list, { since: command.since, until: command.until, clusters: command.clusters, region: command.records !== undefined ? command.region : undefined });
    const outcomes = await rerunOutcomes(calls.rejected, command.stateMachine, command.stateMachine === "none" ? undefined : sfnClients());
    const report = auditReport({ source: read.source, since: command.since, until: command.until, region: command.region, clusters: command.clusters, unreadable: read.unreadable }, calls, outcomes);
    io.out(command.json ? JSON.stringify(report) : formatAudit(report));
    return 0;
  } catch (err) {
    const known = err instanceof AuditUsageError || err instanceof ExecutionsUnreadable ? err.message : awsProblem(err);
    const message = known ?? `unexpected error: ${(err as Error)?.stack ?? String(err)}`;
    if (argv.includes("--json")) io.out(JSON.stringify({ error: message }));
    else io.err(`audit: ${message}`);
    return known ? 2 : 1;
  }
}
