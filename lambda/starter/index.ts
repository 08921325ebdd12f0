/**
 * Lambda entry point of the starter (bundled with esbuild for nodejs22.x): module-scope wiring only.
 * The SDK's own retries stay on (StartExecution with a name is idempotent, so a repeat is safe).
 */
import { SFNClient } from "@aws-sdk/client-sfn";
import { readConfig } from "./config";
import { makeHandler } from "./handler";

export const handler = makeHandler(readConfig(process.env), { sfn: new SFNClient({}) });
