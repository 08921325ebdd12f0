/** Builds the Lambdas' deployment packages (esbuild bundle in a reproducible zip), cached by a hash of their inputs. */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { deflateRawSync, inflateRawSync } from "node:zlib";

/** A built Lambda deployment package. */
export interface LambdaPackage {
  /** Absolute path of the zip. */
  readonly zipPath: string;
  /** Base64 SHA-256 of the zip, as Lambda's `source_code_hash` wants it. */
  readonly sourceCodeHash: string;
}

const PROJECT_ROOT = resolve(__dirname, "..", "..", "..");

/** Lambda entry points in `lambda/`, each bundled into its own package. */
export const LAMBDA_ENTRIES = {
  rerun: "lambda/rerun/index.ts",
  notifier: "lambda/notifier/index.ts",
  starter: "lambda/starter/index.ts",
  "run-counter": "lambda/run-counter/index.ts",
  reconciler: "lambda/reconciler/index.ts",
} as const;
export type LambdaName = keyof typeof LAMBDA_ENTRIES;

function listFiles(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((entry) => {
      const p = join(dir, entry);
      return statSync(p).isDirectory() ? listFiles(p) : [p];
    });
}

/**
 * How every bundle is built (esbuild's BuildOptions, less the entry point and output).
 * - `mainFields`: packages' ES modules first. The AWS SDK ships both; its ES modules let esbuild
 *   leave out what the code never imports (the starter calls one of Step Functions' 40-odd
 *   operations), so a bundle is about half the size and loads in about half the CPU.
 * - `minify` with a linked source map (index.js.map beside index.js, names and mappings only): the
 *   runtime reads the map only when the function sets `NODE_OPTIONS=--enable-source-maps`
 *   (pipeline-function.ts does), and then reports stack traces in the TypeScript sources. Node
 *   parses a linked map when it loads the module, so the map's cost is counted in
 *   `npm run bench:cold-start`. AWS SAM pairs the two the same way ("Building Node.js Lambda
 *   functions with esbuild in AWS SAM": Sourcemap true appends NODE_OPTIONS: --enable-source-maps).
 * - `keepNames`: class and function names survive minification (error names, stack frames).
 */
export const BUNDLE_OPTIONS = {
  bundle: true,
  platform: "node",
  target: "node22",
  format: "cjs",
  mainFields: ["module", "main"],
  // The SDK this project tests is the SDK it ships; the runtime's own copy may differ.
  external: [],
  minify: true,
  keepNames: true,
  sourcemap: "linked",
  sourcesContent: false,
  legalComments: "none",
} as const;

/**
 * What a bundle depends on: every source under `lambda/`, the lock file (dependency versions),
 * esbuild's version and the options above. Hashing these is a few milliseconds; bundling is a few
 * hundred, so synth rebuilds only when one of them changed.
 */
function inputsKey(root: string): string {
  const h = createHash("sha256");
  h.update(require("esbuild/package.json").version as string);
  h.update(JSON.stringify(BUNDLE_OPTIONS));
  for (const file of [...listFiles(join(root, "lambda")), join(root, "package-lock.json")]) {
    if (!existsSync(file)) continue;
    h.update(relative(root, file));
    h.update(readFileSync(file));
  }
  return h.digest("hex").slice(0, 16);
}

/** Builds (or reuses) the package of one Lambda: an esbuild bundle for Node 22 and its source map, in a reproducible zip. */
export function buildLambdaPackage(name: LambdaName, root: string = PROJECT_ROOT): LambdaPackage {
  const outDir = join(root, "build", "lambda");
  const zipPath = join(outDir, `${name}-${inputsKey(root)}.zip`);
  if (!existsSync(zipPath)) {
    // Loaded only when a bundle is really built, so a cached synth never pays for esbuild.
    const esbuild = require("esbuild") as typeof import("esbuild");
    const result = esbuild.buildSync({
      ...BUNDLE_OPTIONS,
      mainFields: [...BUNDLE_OPTIONS.mainFields],
      external: [...BUNDLE_OPTIONS.external],
      entryPoints: [join(root, LAMBDA_ENTRIES[name])],
      write: false,
      // Paths in the output (the map's `sources`) are relative to it: build/ is outside the tree, so
      // they read "../lambda/rerun/handler.ts"-style whatever the checkout's absolute path.
      outfile: join(root, "build", "index.js"),
      logLevel: "silent",
    });
    // index.js and index.js.map, by name: what Lambda unpacks into /var/task.
    const files = result.outputFiles
      .map((f) => ({ name: relative(join(root, "build"), f.path), data: Buffer.from(f.contents) }))
      .sort((a, b) => a.name.localeCompare(b.name));
    mkdirSync(outDir, { recursive: true });
    const tmp = `${zipPath}.${process.pid}.tmp`;
    writeFileSync(tmp, zip(files));
    renameSync(tmp, zipPath);
    // Older builds of this function are never read again.
    for (const f of readdirSync(outDir)) if (f.startsWith(`${name}-`) && f.endsWith(".zip") && join(outDir, f) !== zipPath) rmSync(join(outDir, f), { force: true });
  }
  const sourceCodeHash = createHash("sha256").update(readFileSync(zipPath)).digest("base64");
  return { zipPath, sourceCodeHash };
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(data: Buffer): number {
  let c = 0xffffffff;
  for (const byte of data) c = CRC_TABLE[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/**
 * A minimal zip writer with fixed timestamps and permissions: the same bundle always gives the same
 * bytes, so `source_code_hash` changes only when the code does and Terraform plans no spurious update.
 */
export function zip(files: readonly { name: string; data: Buffer }[]): Buffer {
  const DOS_TIME = 0; // 00:00:00
  const DOS_DATE = (0 << 9) | (1 << 5) | 1; // 1980-01-01, the earliest date zip can hold
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const f of files) {
    const name = Buffer.from(f.name, "utf8");
    const compressed = deflateRawSync(f.data, { level: 9 });
    const crc = crc32(f.data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4); // version needed
    local.writeUInt16LE(0x0800, 6); // UTF-8 names
    local.writeUInt16LE(8, 8); // deflate
    local.writeUInt16LE(DOS_TIME, 10);
    local.writeUInt16LE(DOS_DATE, 12);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(compressed.length, 18);
    local.writeUInt32LE(f.data.length, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(0, 28);
    locals.push(local, name, compressed);

    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE((3 << 8) | 20, 4); // made by Unix, so the mode below is honoured
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt16LE(8, 10);
    central.writeUInt16LE(DOS_TIME, 12);
    central.writeUInt16LE(DOS_DATE, 14);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(compressed.length, 20);
    central.writeUInt32LE(f.data.length, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(((0o100644 << 16) >>> 0), 38); // -rw-r--r--: Lambda must be able to read it
    central.writeUInt32LE(offset, 42);
    centrals.push(central, name);
    offset += local.length + name.length + compressed.length;
  }
  const centralSize = centrals.reduce((n, b) => n + b.length, 0);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(files.length, 8);
  end.writeUInt16LE(files.length, 10);
  end.writeUInt32LE(centralSize, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, ...centrals, end]);
}

/** The files of a zip {@link zip} wrote (local headers, deflated entries): what Lambda unpacks into /var/task. */
export function unzip(archive: Buffer): { name: string; data: Buffer }[] {
  const files: { name: string; data: Buffer }[] = [];
  for (let at = 0; archive.readUInt32LE(at) === 0x04034b50; ) {
    const compressedSize = archive.readUInt32LE(at + 18);
    const nameLength = archive.readUInt16LE(at + 26);
    const extraLength = archive.readUInt16LE(at + 28);
    const start = at + 30 + nameLength + extraLength;
    const name = archive.toString("utf8", at + 30, at + 30 + nameLength);
    const stored = archive.subarray(start, start + compressedSize);
    files.push({ name, data: archive.readUInt16LE(at + 8) === 8 ? inflateRawSync(stored) : Buffer.from(stored) });
    at = start + compressedSize;
  }
  return files;
}
