/** The cdktf app: the only place that synthesizes (`npm run synth`, `cdktf synth`). */
import { App } from "cdktf";
import { buildApp } from "./modules/app";

// The only place that synthesizes: importing any module has no side effects.
const app = new App();
buildApp(app, process.env);
app.synth();
