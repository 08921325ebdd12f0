import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
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
const publish = (...args: string[]) => spawnSync("bash", [SCRIPT, ...args], { env: GIT_ENV, encoding: "utf8" });

function writeTree(dir: string, files: Record<string, string>): void {
  rmSync(dir, { recursive: true, force: true });
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, ".."), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
}

describe("scripts/publish-module.sh, against a local bare repository", () => {
  const root = mkdtempSync(join(tmpdir(), "ecs-rerun-publish-"));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const remote = join(root, "terraform-aws-ecs-rerun.git");
  const checkout = join(root, "checkout");
  const source = join(root, "module");
  git(root, "init", "--quiet", "--bare", "--initial-branch=main", remote);
  git(root, "clone", "--quiet", remote, checkout);
  const remoteTags = () => git(remote, "tag", "--list");

  test("syncs the module into the checkout, commits and tags it, and pushes nothing by default", () => {
    writeTree(source, { "versions.tf": "terraform {}\n", "main.tf.json": "{}\n", "lambda/rerun.zip": "zip", "examples/basic/main.tf": "# example\n" });
    writeFileSync(join(checkout, "stale.txt"), "left over\n");
    git(checkout, "add", "stale.txt");
    git(checkout, "commit", "--quiet", "-m", "before");

    const r = publish("1.0.0", checkout, "--source", source);
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
    writeTree(source, { "versions.tf": "terraform {\n}\n", "main.tf.json": "{}\n", "outputs.tf": "# outputs\n" });
    const r = publish("v1.1.0", checkout, "--source", source, "--push");
    expect(r.status).toBe(0);
    expect(r.stderr).not.toMatch(/error|fatal|publish-module:/i); // git push reports progress on stderr
    expect(remoteTags()).toBe("v1.1.0");
    expect(git(remote, "rev-parse", "main")).toBe(git(checkout, "rev-parse", "HEAD"));
    expect(existsSync(join(checkout, "lambda"))).toBe(false);
    expect(readFileSync(join(checkout, "outputs.tf"), "utf8")).toBe("# outputs\n");
  });

  test.each([
    ["a version that is not semver", ["1.2", checkout], /is not a semantic version/],
    ["a tag that exists", ["1.1.0", checkout], /tag v1\.1\.0 already exists/],
    ["a directory inside another repository", ["1.3.0", join(checkout, "sub")], /not the root of its own/],
    ["a source with no built module", ["1.3.0", checkout, "--source", root], /no built module/],
  ])("refuses %s", (_name, args, message) => {
    mkdirSync(join(checkout, "sub"), { recursive: true });
    const r = publish(...(args as string[]), ...((args as string[]).includes("--source") ? [] : ["--source", source]));
    rmSync(join(checkout, "sub"), { recursive: true, force: true });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(message);
  });

  test("refuses a checkout with uncommitted changes, and leaves them alone", () => {
    writeFileSync(join(checkout, "local-edit.txt"), "mine\n");
    const r = publish("1.3.0", checkout, "--source", source);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/uncommitted changes/);
    expect(readFileSync(join(checkout, "local-edit.txt"), "utf8")).toBe("mine\n");
    rmSync(join(checkout, "local-edit.txt"));
  });
});
