// Release hygiene: the license package.json names is there word for word, the changelog keeps its
// format, and the module's version lives in package.json alone, with every document derived from it.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { README, codeBlocks } from "../scripts/readme";
import { MODULE_VERSION, SEMVER_PATTERN, packageVersion, versionConstraint } from "../modules/terraform-module/module-version";
import { renderModuleFiles } from "../modules/terraform-module/module-files";
import { sharedModule } from "./support/shared-module";

const ROOT = join(__dirname, "..");
const read = (file: string) => readFileSync(join(ROOT, file), "utf8");
const pkg = JSON.parse(read("package.json")) as { license: string; version: string; scripts: Record<string, string> };

/** SHA-256 of the Apache License 2.0 as published (Debian's /usr/share/common-licenses/Apache-2.0 is the same file). */
const APACHE_2_0_SHA256 = "cfc7749b96f63bd31c3c42b5c471bf756814053e847c10f3eb003417bc523d30";

/** Semantic versions compared by precedence, for the released ones (no pre-release parts in a released heading). */
const compareVersions = (a: string, b: string) => {
  const [x, y] = [a, b].map((v) => v.split(".").map(Number));
  return x[0] - y[0] || x[1] - y[1] || x[2] - y[2];
};

describe("LICENSE", () => {
  test("is the full Apache License 2.0, unaltered, which package.json names", () => {
    expect(pkg.license).toBe("Apache-2.0");
    const text = read("LICENSE");
    expect(text).toMatch(/^\s+Apache License\n\s+Version 2\.0, January 2004\n/);
    expect(text).toContain("END OF TERMS AND CONDITIONS");
    expect(createHash("sha256").update(text).digest("hex")).toBe(APACHE_2_0_SHA256);
  });
});

describe("CHANGELOG.md", () => {
  const text = read("CHANGELOG.md");
  const headings = [...text.matchAll(/^(#{1,3}) (.*)$/gm)].map((m) => ({ level: m[1].length, title: m[2] }));
  const versions = headings.filter((h) => h.level === 2).map((h) => h.title);
  const released = versions.slice(1).map((title) => /^\[(\d+\.\d+\.\d+)\] - \d{4}-\d{2}-\d{2}$/.exec(title)?.[1] ?? `malformed: ${title}`);

  test("keeps the Keep a Changelog format: a title, Unreleased first, then released versions, newest first, each dated", () => {
    expect(headings[0]).toEqual({ level: 1, title: "Changelog" });
    expect(text).toContain("keepachangelog.com");
    expect(versions[0]).toBe("[Unreleased]");
    expect(released.filter((v) => v.startsWith("malformed"))).toEqual([]);
    expect([...released].sort(compareVersions).reverse()).toEqual(released);
  });

  test("groups changes only under the kinds the format names, and has entries", () => {
    const kinds = headings.filter((h) => h.level === 3).map((h) => h.title);
    expect(kinds.length).toBeGreaterThan(0);
    for (const kind of kinds) expect(["Added", "Changed", "Deprecated", "Removed", "Fixed", "Security"]).toContain(kind);
    expect(text).toMatch(/^### Added\n\n- /m);
  });

  test("releases no version beyond package.json's: the version is either the newest released or the next one", () => {
    for (const v of released) expect(compareVersions(v, pkg.version)).toBeLessThanOrEqual(0);
  });
});

describe("the module's version lives in package.json alone", () => {
  test("read from there, as semantic versioning writes it", () => {
    expect(MODULE_VERSION).toBe(pkg.version);
    expect(MODULE_VERSION).toMatch(SEMVER_PATTERN);
    expect(() => packageVersion(join(ROOT, "tsconfig.json"))).toThrow(/is not a semantic version/);
  });

  test("callers pin its major: ~> MAJOR.0", () => {
    expect(versionConstraint("1.0.0")).toBe("~> 1.0");
    expect(versionConstraint("1.4.2")).toBe("~> 1.0");
    expect(versionConstraint("2.0.0-rc.1")).toBe("~> 2.0");
    expect(() => versionConstraint("1.4")).toThrow(/not a semantic version/);
  });

  test("this README's module example and the built module's README ask for that constraint", () => {
    const hcl = codeBlocks(readFileSync(README, "utf8")).filter((b) => b.language === "hcl" && /version\s*=/.test(b.body));
    expect(hcl.length).toBeGreaterThan(0);
    for (const b of hcl) expect([...b.body.matchAll(/^\s*version\s*=\s*"([^"]+)"/gm)].map((m) => m[1])).toEqual([versionConstraint()]);
    const { json, spoke } = sharedModule();
    expect(renderModuleFiles(json, spoke)["README.md"]).toContain(`version = "${versionConstraint()}"`);
  });

  test("npm run publish:module is the script that builds, then tags that version", () => {
    expect(pkg.scripts["publish:module"]).toBe("bash scripts/publish-module.sh");
    const script = read("scripts/publish-module.sh");
    expect(script).toContain("npm run --silent build:module");
    expect(script).toMatch(/version="\$\(node -p 'require\(process\.argv\[1\]\)\.version' "\$project_root\/package\.json"\)"/);
  });
});
