// The README's table of settings as renderSettingsTable writes it (modules/settings/settings.ts): the
// README suites check the README against it, but they are left out of the mutation jest, so the
// rules of each row are pinned here on rows of today's schema, written out literally.
import { renderSettingsTable } from "../../modules/settings/settings";

/** The row of the table whose variable is `env`. */
function row(table: string, env: string): string | undefined {
  return table.split("\n").find((line) => line.startsWith(`| \`${env}\``));
}

describe("the README's table of settings", () => {
  const table = renderSettingsTable({ first_delay_seconds: "60", alarm_actions: "[]" });

  test("opens with its header and separator", () => {
    expect(table.split("\n").slice(0, 2)).toEqual([
      "| variable | settings.ts and context key | module variable | meaning | default |",
      "| --- | --- | --- | --- | --- |",
    ]);
  });

  test("a setting with fallback variables names them after its own, in order; no module variable is a dash", () => {
    expect(row(table, "ECS_RERUN_REGION")).toBe(
      "| `ECS_RERUN_REGION` (after the others: `AWS_REGION`, `AWS_DEFAULT_REGION`) | `region` | — | AWS region of every stack (synth prints it); one the AWS SDK's partition data knows | `us-east-1` |",
    );
  });

  test("a list says how a variable spells it after its meaning; no default at all is a dash", () => {
    expect(row(table, "ECS_RERUN_SUBNET_IDS")).toBe("| `ECS_RERUN_SUBNET_IDS` | `subnetIds` | — | subnets of that VPC (with `vpcId`) (comma-separated) | — |");
  });

  test("a default the schema does not write is the module variable's, in code font", () => {
    expect(row(table, "ECS_RERUN_FIRST_DELAY_SECONDS")).toBe(
      "| `ECS_RERUN_FIRST_DELAY_SECONDS` | `firstDelaySeconds` | `first_delay_seconds` | wait before the first rerun (the cap of its jitter) | `60` |",
    );
  });

  test("the schema's own default wins over the module variable's", () => {
    expect(row(table, "ECS_RERUN_ALARM_ACTIONS")).toBe(
      "| `ECS_RERUN_ALARM_ACTIONS` | `alarmActions` | `alarm_actions` | SNS topic ARNs every alarm notifies: the cluster's, the pipeline's (besides its topic) and the spoke's (comma-separated) | none |",
    );
  });

  test("a module variable without a known default is a dash", () => {
    expect(row(table, "ECS_RERUN_BACKOFF_RATE")).toBe("| `ECS_RERUN_BACKOFF_RATE` | `backoffRate` | `backoff_rate` | factor by which each wait's cap grows | — |");
  });

  test("without module defaults every default the schema does not write is a dash", () => {
    expect(row(renderSettingsTable(), "ECS_RERUN_FIRST_DELAY_SECONDS")).toBe(
      "| `ECS_RERUN_FIRST_DELAY_SECONDS` | `firstDelaySeconds` | `first_delay_seconds` | wait before the first rerun (the cap of its jitter) | — |",
    );
  });

  test("a map says its spelling after its meaning", () => {
    expect(row(table, "ECS_RERUN_TAGS")).toBe(
      "| `ECS_RERUN_TAGS` | `tags` | `tags` | tags on every resource of every stack, beside `Project`, `Stack` and `ManagedBy` (Key=Value,Key2=Value2 or a JSON object) | none |",
    );
  });
});
