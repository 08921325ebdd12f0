#!/usr/bin/env bash
# Publishes the built Terraform module to its own repository: replaces the checkout's files with
# the module directory, commits, and tags the version. Registries publish from such a repository's
# root and list its semver tags. Nothing is pushed unless --push is given.
#
#   scripts/publish-module.sh VERSION CHECKOUT [--push] [--source DIR] [--remote NAME]
#
#   VERSION   semantic version, with or without a leading v (1.4.0, v1.4.0, 2.0.0-rc.1)
#   CHECKOUT  a clone of the module's repository (terraform-aws-ecs-rerun), with a clean work tree
#   --push    push the commit and the tag to the remote afterwards
#   --source  module directory to publish (default: dist/terraform-aws-ecs-rerun of this project)
#   --remote  remote to push to (default: origin)
set -euo pipefail

usage() { sed -n '6,12p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
fail() { echo "publish-module: $*" >&2; exit 1; }

project_root="$(cd "$(dirname "$0")/.." && pwd)"
source_dir="$project_root/dist/terraform-aws-ecs-rerun"
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
[ ${#positional[@]} -eq 2 ] || usage
version="${positional[0]#v}"
checkout="${positional[1]}"

# Semantic Versioning 2.0.0, as registries read tags.
semver='^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$'
[[ "$version" =~ $semver ]] || fail "version \"${positional[0]}\" is not a semantic version (expected MAJOR.MINOR.PATCH, e.g. 1.4.0)"
tag="v$version"

[ -f "$source_dir/versions.tf" ] || fail "$source_dir holds no built module (no versions.tf): run npm run build:module first"
[ -d "$checkout" ] || fail "checkout $checkout does not exist: clone the module's repository first"
checkout="$(cd "$checkout" && pwd)"
source_dir="$(cd "$source_dir" && pwd)"
# A directory inside another repository would make git act on that one instead.
top="$(git -C "$checkout" rev-parse --show-toplevel 2>/dev/null)" || fail "$checkout is not a git repository"
[ "$(cd "$top" && pwd -P)" = "$(cd "$checkout" && pwd -P)" ] || fail "$checkout is inside the repository $top, not the root of its own"
case "$source_dir/" in "$checkout"/*) fail "the source $source_dir lies inside the checkout" ;; esac
[ -z "$(git -C "$checkout" status --porcelain)" ] || fail "$checkout has uncommitted changes: commit or discard them first"
if git -C "$checkout" rev-parse -q --verify "refs/tags/$tag" >/dev/null; then fail "tag $tag already exists in $checkout: versions are immutable, pick the next one"; fi

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
