/**
 * The module's version, kept in one place: `package.json`'s `version`. The documents' `version = "~> X.0"`
 * is derived from it here, `npm run publish:module` tags the module with it, and CHANGELOG.md has a
 * section per released version (the tests check all three agree).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";

/** `MAJOR.MINOR.PATCH` (a pre-release or build suffix allowed), as Semantic Versioning 2.0.0 writes it. */
export const SEMVER_PATTERN = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/;

/** Reads the version from a package.json; refuses one that is not semver, since registries read tags as semver. */
export function packageVersion(packageJsonPath: string): string {
  const version = (JSON.parse(readFileSync(packageJsonPath, "utf8")) as { version?: unknown }).version;
  if (typeof version !== "string" || !SEMVER_PATTERN.test(version)) throw new Error(`${packageJsonPath}: version ${JSON.stringify(version)} is not a semantic version (MAJOR.MINOR.PATCH)`);
  return version;
}

/** The version of the module this project builds. */
export const MODULE_VERSION = packageVersion(join(__dirname, "..", "..", "package.json"));

/**
 * The constraint callers write to take this version and every later one of its major, which by
 * semantic versioning keeps their configuration working: `~> MAJOR.0`.
 */
export function versionConstraint(version: string = MODULE_VERSION): string {
  const m = SEMVER_PATTERN.exec(version);
  if (!m) throw new Error(`version ${JSON.stringify(version)} is not a semantic version (MAJOR.MINOR.PATCH)`);
  return `~> ${m[1]}.0`;
}
