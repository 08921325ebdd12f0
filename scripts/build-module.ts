/** `npm run build:module`: writes the Terraform module to dist/ and formats it with terraform fmt when available. */
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { MODULE_REPOSITORY } from "../modules/terraform-module/ecs-rerun-module-stack";
import { renderModuleFiles, synthesizeModule, type ModuleJson, type SynthesizedModule } from "../modules/terraform-module/module-files";

/** Options of {@link buildModule}. */
export interface BuildModuleOptions {
  /** Directory to write; replaced if it holds an earlier build. @default "dist/terraform-aws-ecs-rerun" of the project */
  readonly outDir?: string;
  /** Run `terraform fmt` on the result when a `terraform` binary is on the PATH. @default true */
  readonly format?: boolean;
  /** The module stack as {@link synthesizeModule} gave it, to render without synthesizing again. @default synthesized afresh */
  readonly synthesized?: SynthesizedModule;
}

/** What {@link buildModule} wrote. */
export interface BuiltModule {
  /** The module's directory. */
  readonly outDir: string;
  /** Every file written, relative to it. */
  readonly files: readonly string[];
  /** The configuration the files hold. */
  readonly json: ModuleJson;
  /** The spoke submodule's configuration (modules/spoke). */
  readonly spoke: ModuleJson;
  /** Whether `terraform fmt` ran (false: not asked, or no binary). */
  readonly formatted: boolean;
}

const PROJECT_ROOT = resolve(__dirname, "..");

/** Whether a `terraform` binary answers on this machine. */
export function hasTerraform(): boolean {
  return spawnSync("terraform", ["version"], { stdio: "ignore", env: terraformEnv() }).status === 0;
}

/** Terraform's environment for offline use: no CLI config file to complain about, no checkpoint calls home. */
export function terraformEnv(): NodeJS.ProcessEnv {
  return { ...process.env, TF_CLI_CONFIG_FILE: "/dev/null", CHECKPOINT_DISABLE: "1", TF_IN_AUTOMATION: "1" };
}

/** A place the module cannot be built into, refused before anything is written (the command exits 2). */
export class OutDirError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "OutDirError";
  }
}

/** Refuses a directory that is not an earlier build (a mistyped path must not lose work), or a file. */
function checkOutDir(outDir: string): void {
  if (!existsSync(outDir)) return;
  if (!statSync(outDir).isDirectory()) throw new OutDirError(`${outDir} is a file, not a directory: give a directory to build the module into`);
  const entries = readdirSync(outDir);
  if (entries.length > 0 && !entries.includes("versions.tf")) {
    throw new OutDirError(`${outDir} is not empty and holds no versions.tf: not an earlier module build, so it is left alone; give an empty or new directory (or an earlier build's, which is replaced)`);
  }
}

/** Replaces an earlier build (checked by {@link checkOutDir}) with an empty directory. */
function prepare(outDir: string): void {
  checkOutDir(outDir);
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
}

/** Builds the Terraform module: synthesizes the module stack, renders its files and copies the Lambda zips in. */
export function buildModule(options: BuildModuleOptions = {}): BuiltModule {
  const outDir = resolve(options.outDir ?? join(PROJECT_ROOT, "dist", MODULE_REPOSITORY));
  // Before the synth, which takes seconds: a wrong directory is said at once.
  checkOutDir(outDir);
  const { json, packages, spoke } = options.synthesized ?? synthesizeModule();
  const texts = renderModuleFiles(json, spoke);
  prepare(outDir);
  const write = (path: string, action: (target: string) => void) => {
    const target = join(outDir, path);
    mkdirSync(dirname(target), { recursive: true });
    action(target);
  };
  for (const [path, text] of Object.entries(texts)) write(path, (t) => writeFileSync(t, text));
  for (const [path, pkg] of Object.entries(packages)) write(path, (t) => copyFileSync(pkg.zipPath, t));
  let formatted = false;
  if ((options.format ?? true) && hasTerraform()) {
    const fmt = spawnSync("terraform", ["fmt", "-recursive", "-no-color", outDir], { encoding: "utf8", env: terraformEnv() });
    if (fmt.status !== 0) throw new Error(`terraform fmt rejected the module:\n${fmt.stderr}`);
    formatted = true;
  }
  return { outDir, files: [...Object.keys(texts), ...Object.keys(packages)].sort(), json, spoke, formatted };
}

if (require.main === module) {
  try {
    const built = buildModule({ outDir: process.argv[2] });
    console.log(`wrote ${built.outDir}${built.formatted ? " (terraform fmt applied)" : " (terraform not found: fmt skipped)"}`);
    for (const f of built.files) console.log(`  ${f}`);
  } catch (err) {
    // A directory the user chose that cannot take the module: one line, exit 2. Anything else is a bug, with its stack.
    if (!(err instanceof OutDirError)) throw err;
    console.error(`build:module: ${err.message}`);
    process.exitCode = 2;
  }
}
