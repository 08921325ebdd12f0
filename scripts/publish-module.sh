#!/usr/bin/env bash
# Publishes the Terraform module to its own repository: builds it (npm run build:module), replaces the
# checkout's files with it, commits, and tags the version. The version is package.json's "version",
# the one place it is kept, and CHANGELOG.md must have a released section for it. Registries publish
# from such a repository's root and list its semver tags. Nothing is pushed unless --push is given.
#
#   scripts/publish-module.sh CHECKOUT [--push] [--source DIR] [--remote NAME]
#
#   CHECKOUT  a clone of the module's repository (terraform-aws-ecs-rerun), with a clean work tree
#   --push    push the commit and the tag to the remote afterwards
#   --source  publish this already built module directory instead of building one
#   --remote  remote to push to (default: origin)
set -euo pipefail

usage() { sed -n '7,12p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
fail() { echo "publish-module: $*" >&2; exit 1; }

project_root="$(cd "$(dirname "$0")/.." && pwd)"
source_dir=""
remote="origin"
push=false
positional=()
while [ $# -gt 0 ]; do
  case "$1" in
    --push) push=true ;;
    --source) [ $# -ge 2 ] || usage; source_dir="$2"; shift ;;
    --remote) [ $# -ge 2 ] || usage; remote="$2"; shift ;;
    -h | --help) usage ;;
    -*) echo "publish-module: unknown option $1" >&2; usage ;;
    *) positional+=("$1") ;;
  esac
  shift
done
if [ ${#positional[@]} -eq 2 ]; then fail "the version comes from package.json now (the one place it is kept): pass only the checkout, e.g. npm run publish:module -- ${positional[1]}"; fi
[ ${#positional[@]} -eq 1 ] || usage
checkout="${positional[0]}"

# The version: package.json's, as Semantic Versioning 2.0.0 writes it (registries read tags so).
version="$(node -p 'require(process.argv[1]).version' "$project_root/package.json")" || fail "cannot read the version from $project_root/package.json"
semver='^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$'
[[ "$version" =~ $semver ]] || fail "package.json's version \"$version\" is not a semantic version (expected MAJOR.MINOR.PATCH, e.g. 1.4.0): set it with npm version"
tag="v$version"
# What a release changes is told before it is published: a released section, "## [1.4.0] - 2026-12-01".
changelog="$project_root/CHANGELOG.md"
escaped="$(printf '%s' "$version" | sed 's/[.+]/\\&/g')"
grep -qE "^## \[$escaped\] - [0-9]{4}-[0-9]{2}-[0-9]{2}\$" "$changelog" 2>/dev/null ||
  fail "CHANGELOG.md has no section \"## [$version] - YYYY-MM-DD\": move the Unreleased entries under it (Keep a Changelog) before publishing $version"

[ -d "$checkout" ] || fail "checkout $checkout does not exist: clone the module's repository first"
checkout="$(cd "$checkout" && pwd)"
# A directory inside another repository would make git act on that one instead.
top="$(git -C "$checkout" rev-parse --show-toplevel 2>/dev/null)" || fail "$checkout is not a git repository"
[ "$(cd "$top" && pwd -P)" = "$(cd "$checkout" && pwd -P)" ] || fail "$checkout is inside the repository $top, not the root of its own"
[ -z "$(git -C "$checkout" status --porcelain)" ] || fail "$checkout has uncommitted changes: commit or discard them first"
if git -C "$checkout" rev-parse -q --verify "refs/tags/$tag" >/dev/null; then fail "tag $tag already exists in $checkout: versions are immutable, set the next one with npm version"; fi

# What is published is what was just built from this checkout of the project, unless a built
# directory is given.
if [ -z "$source_dir" ]; then
  (cd "$project_root" && npm run --silent build:module) >&2 || fail "npm run build:module failed: nothing published"
  source_dir="$project_root/dist/terraform-aws-ecs-rerun"
fi
[ -f "$source_dir/versions.tf" ] || fail "$source_dir holds no built module (no versions.tf)"
source_dir="$(cd "$source_dir" && pwd)"
case "$source_dir/" in "$checkout"/*) fail "the source $source_dir lies inside the checkout" ;; esac

# The repository's content is exactly the module: what the module no longer has goes too.
find "$checkout" -mindepth 1 -maxdepth 1 ! -name .git -exec rm -rf {} +
cp -R "$source_dir"/. "$checkout"/
# Local Terraform state and caches never belong in the published module.
find "$checkout" -name .terraform -type d -prune -exec rm -rf {} +
find "$checkout" \( -name '*.tfstate' -o -name '*.tfstate.*' -o -name .terraform.lock.hcl \) -type f -delete

git -C "$checkout" add --all
if git -C "$checkout" diff --cached --quiet; then
  echo "publish-module: no change since the last commit; tagging it as $tag"
else
  git -C "$checkout" commit --quiet -m "Release $tag"
fi
git -C "$checkout" tag -a "$tag" -m "Release $tag"
echo "publish-module: $checkout at $(git -C "$checkout" rev-parse --short HEAD), tagged $tag"

if $push; then
  branch="$(git -C "$checkout" symbolic-ref --quiet --short HEAD)" || fail "$checkout is not on a branch: nothing to push the commit to"
  git -C "$checkout" push "$remote" "$branch"
  git -C "$checkout" push "$remote" "refs/tags/$tag"
  echo "publish-module: pushed $branch and $tag to $remote"
else
  echo "publish-module: nothing pushed; to publish: git -C $checkout push $remote HEAD $tag (or rerun with --push)"
fi
