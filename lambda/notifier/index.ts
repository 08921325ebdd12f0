/**
 * Lambda entry point (bundled with esbuild for nodejs22.x): module-scope wiring only.
 * The environment is validated at cold start (ConfigurationError naming the variable); the Slack
 * webhook URL itself is read from SSM at run time and cached inside the handler for 5 minutes.
 */
import { SSMClient } from "@aws-sdk/client-ssm";
import { readConfig } from "./config";
import { makeHandler } from "./handler";

export const handler = makeHandler(readConfig(process.env), { ssm: new SSMClient({}) });
