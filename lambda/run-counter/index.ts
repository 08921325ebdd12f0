/** Lambda entry point of the run counter (bundled with esbuild for nodejs22.x): module-scope wiring only. */
import { ECSClient } from "@aws-sdk/client-ecs";
import { makeHandler } from "./handler";

export const handler = makeHandler({ ecs: new ECSClient({}) });
