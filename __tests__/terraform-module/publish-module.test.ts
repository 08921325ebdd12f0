import { execFileSync, spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const SCRIPT = resolve(__dirname, "..", "..", "scripts", "publish-module.sh");
/** Git without the machine's own configuration, with an identity of its own. */
const GIT_ENV: NodeJS.ProcessEnv = {
  ...process.env,
  GIT_CONFIG_GLOBAL: "/dev/null",
  GIT_CONFIG_NOSYSTEM: "1",
  GIT_AUTHOR_NAME: "Release Bot",
  GIT_AUTHOR_EMAIL: "release@example.com",
  GIT_COMMITTER_NAME: "Release Bot",
  GIT_COMMITTER_EMAIL: "release@example.com",
};

// stderr is captured, not inherited: git's notes ("You appear to have cloned an empty repository")
// would otherwise land in the middle of the test run's output. A failing command still throws with it.
const git = (cwd: string, ...args: string[]) => execFileSync("git", args, { cwd, env: GIT_ENV, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim();

function writeTree(dir: string, files: Record<string, string>): void {
  rmSync(dir, { recursive: true, force: true });
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, ".."), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
}

/**
 * A project the script can publish from: the script itself in scripts/, a package.json holding the
 * version and the build:module the script runs, and a CHANGELOG.md. The real project's build takes
 * seconds and its version has no released section yet; this one's build writes a marker module.
 */
function fakeProject(dir: string, options: { version: string; released?: readonly string[]; build?: string }) {
  mkdirSync(join(dir, "scripts"), { recursive: true });
  copyFileSync(SCRIPT, join(dir, "scripts", "publish-module.sh"));
  const scripts = { "build:module": options.build ?? "echo no build expected >&2; exit 1" };
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "fake", version: options.version, private: true, scripts }));
  const sections = (options.released ?? []).map((v) => `## [${v}] - 2026-12-01\n\n### Added\n\n- Something.\n`);
  writeFileSync(join(dir, "CHANGELOG.md"), ["# Changelog\n", "## [Unreleased]\n", ...sections].join("\n"));
  return (...args: string[]) => spawnSync("bash", [join(dir, "scripts", "publish-module.sh"), ...args], { env: GIT_ENV, encoding: "utf8" });
}

describe("scripts/publish-module.sh, against a local bare repository", () => {
  const root = mkdtempSync(join(tmpdir(), "ecs-rerun-publish-"));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const remote = join(root, "terraform-aws-ecs-rerun.git");
  const checkout = join(root, "checkout");
  const source = join(root, "module");
  const project = join(root, "project");
  git(root, "init", "--quiet", "--bare", "--initial-branch=main", remote);
  git(root, "clone", "--quiet", remote, checkout);
  const remoteTags = () => git(remote, "tag", "--list");

  test("publishes package.json's version: syncs the module into the checkout, commits and tags it, and pushes nothing by default", () => {
    const publish = fakeProject(project, { version: "1.0.0", released: ["1.0.0"] });
    writeTree(source, { "versions.tf": "terraform {}\n", "main.tf.json": "{}\n", "lambda/rerun.zip": "zip", "examples/basic/main.tf": "# example\n" });
    writeFileSync(join(checkout, "stale.txt"), "left over\n");
    git(checkout, "add", "stale.txt");
    git(checkout, "commit", "--quiet", "-m", "before");

    const r = publish(checkout, "--source", source);
    expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: "" });
    expect(git(checkout, "tag", "--list")).toBe("v1.0.0");
    expect(git(checkout, "cat-file", "-t", "v1.0.0")).toBe("tag");
    expect(git(checkout, "ls-files").split("\n").sort()).toEqual(["examples/basic/main.tf", "lambda/rerun.zip", "main.tf.json", "versions.tf"]);
    expect(git(checkout, "log", "-1", "--format=%s")).toBe("Release v1.0.0");
    expect(r.stdout).toMatch(/nothing pushed/);
    expect(remoteTags()).toBe("");
    expect(git(remote, "branch", "--list")).toBe("");
  });

  test("with --push, publishes the commit and the tag; files the module dropped are gone", () => {
    const publish = fakeProject(project, { version: "1.1.0", released: ["1.1.0", "1.0.0"] });
    writeTree(source, { "versions.tf": "terraform {\n}\n", "main.tf.json": "{}\n", "outputs.tf": "# outputs\n" });
    const r = publish(checkout, "--source", source, "--push");
    expect(r.status).toBe(0);
    expect(r.stderr).not.toMatch(/error|fatal|publish-module:/i); // git push reports progress on stderr
    expect(remoteTags()).toBe("v1.1.0");
    expect(git(remote, "rev-parse", "main")).toBe(git(checkout, "rev-parse", "HEAD"));
    expect(existsSync(join(checkout, "lambda"))).toBe(false);
    expect(readFileSync(join(checkout, "outputs.tf"), "utf8")).toBe("# outputs\n");
  });

  test("without --source, builds the module with the project's build:module and publishes what it just built", () => {
    // The build replaces dist/ as build-module.ts does: a stale file there must not be published.
    const build = "rm -rf dist/terraform-aws-ecs-rerun && mkdir -p dist/terraform-aws-ecs-rerun && echo 'terraform {} # built for 1.2.0' > dist/terraform-aws-ecs-rerun/versions.tf";
    const publish = fakeProject(project, { version: "1.2.0", released: ["1.2.0"], build });
    writeTree(join(project, "dist", "terraform-aws-ecs-rerun"), { "versions.tf": "# an old build\n", "stale.tf": "# gone from the module\n" });
    const r = publish(checkout);
    expect(r.status).toBe(0);
    expect(git(checkout, "ls-files")).toBe("versions.tf");
    expect(readFileSync(join(checkout, "versions.tf"), "utf8")).toBe("terraform {} # built for 1.2.0\n");
    expect(git(checkout, "tag", "--list", "v1.2.0")).toBe("v1.2.0");
  });

  test("a build that fails publishes nothing", () => {
    const publish = fakeProject(project, { version: "1.3.0", released: ["1.3.0"], build: "echo 'tsc: error' >&2; exit 1" });
    const before = git(checkout, "rev-parse", "HEAD");
    const r = publish(checkout);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/npm run build:module failed: nothing published/);
    expect(git(checkout, "rev-parse", "HEAD")).toBe(before);
    expect(git(checkout, "tag", "--list", "v1.3.0")).toBe("");
  });

  test.each([
    ["a version that is not semver", { version: "1.2", released: ["1.2"] }, [checkout], /package\.json's version "1\.2" is not a semantic version/],
    ["a version the changelog has no released section for", { version: "1.4.0", released: ["1.3.0"] }, [checkout], /CHANGELOG\.md has no section "## \[1\.4\.0\] - YYYY-MM-DD"/],
    ["a tag that exists", { version: "1.1.0", released: ["1.1.0"] }, [checkout], /tag v1\.1\.0 already exists/],
    ["a directory inside another repository", { version: "1.4.0", released: ["1.4.0"] }, [join(checkout, "sub")], /not the root of its own/],
    ["a source with no built module", { version: "1.4.0", released: ["1.4.0"] }, [checkout, "--source", root], /no built module/],
    ["a version given as before, which package.json now holds", { version: "1.4.0", released: ["1.4.0"] }, ["1.4.0", checkout], /the version comes from package\.json now/],
  ] as const)("refuses %s", (_name, options, args, message) => {
    const publish = fakeProject(project, options);
    mkdirSync(join(checkout, "sub"), { recursive: true });
    const r = publish(...args, ...(args.includes("--source") ? [] : ["--source", source]));
    rmSync(join(checkout, "sub"), { recursive: true, force: true });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(message);
  });

  test("refuses a checkout with uncommitted changes, and leaves them alone", () => {
    const publish = fakeProject(project, { version: "1.4.0", released: ["1.4.0"] });
    writeFileSync(join(checkout, "local-edit.txt"), "mine\n");
    const r = publish(checkout, "--source", source);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/uncommitted changes/);
    expect(readFileSync(join(checkout, "local-edit.txt"), "utf8")).toBe("mine\n");
    rmSync(join(checkout, "local-edit.txt"));
  });
});
