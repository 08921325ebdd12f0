/**
 * Structured logs: one JSON object per line on stdout (console.log), so CloudWatch Logs Insights
 * can filter on fields. Correlation keys used across both Lambdas: account, region (the
 * place of the failure: a hub handles many), cluster, taskDefinition, reasons, attempt, eventId,
 * executionArn.
 */
export type LogLevel = "INFO" | "WARN" | "ERROR";

export function logJson(level: LogLevel, msg: string, fields: Record<string, unknown> = {}): void {
  const record: Record<string, unknown> = { level, msg };
  for (const [key, value] of Object.entries(fields)) {
    if (value !== undefined) record[key] = value;
  }
  let line: string;
  try {
    line = JSON.stringify(record);
  } catch {
    line = JSON.stringify({ level, msg, logError: "fields not serialisable" });
  }
  console.log(line);
}

/** Name and message of anything thrown, for logs. */
export function describeError(err: unknown): { errorName: string; errorMessage: string } {
  if (err instanceof Error) return { errorName: err.name, errorMessage: err.message };
  return { errorName: typeof err, errorMessage: String(err) };
}
