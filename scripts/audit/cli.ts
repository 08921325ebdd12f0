// npm run audit -- [--since 7d] [--region R] [--clusters LIST] [--state-machine NAME|ARN|none] [--records FILE|-] [--json]
// What ECS rejected and nobody retried: see options.ts for every option. Exit codes: 0 the report
// was printed, 2 bad input, missing credentials or a refused permission (one message, no stack trace).
import "../../drill/quiet";
import { readFileSync } from "node:fs";
import { runAudit } from "./run-audit";

runAudit(process.argv.slice(2), {
  out: (text) => console.log(text),
  err: (text) => console.error(text),
  stdin: () => readFileSync(0),
}).then((code) => process.exit(code));
