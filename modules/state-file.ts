/**
 * Where each stack of the app keeps its Terraform state when no backend is configured: a local file
 * named by the stack, the account (when ECS_RERUN_ACCOUNT_ID names it) and the region, so that one
 * checkout deploying to several places (a hub, and a spoke in another region or account) never lets
 * one place's stack read, and then destroy, another place's resources. cdktf's own default,
 * `terraform.<stack>.tfstate`, was shared by every place; {@link legacyStateProblems} stops a synth
 * that would silently start a fresh state beside such a file.
 */
import { resolve } from "node:path";
import { LocalBackend, type TerraformStack } from "cdktf";

/** The state file's name: `terraform.<stack>[.<account>].<region>.tfstate`. */
export function stateFileName(stack: string, region: string, account?: string): string {
  return `terraform.${stack}.${account === undefined ? "" : `${account}.`}${region}.tfstate`;
}

/** Gives `stack` a local backend at {@link stateFileName}, in the directory synth runs in (as cdktf's default). */
export function addLocalState(stack: TerraformStack, id: string, region: string, account?: string): void {
  new LocalBackend(stack, { path: resolve(stateFileName(id, region, account)) });
}

/**
 * The state files a stack may have had before its state was named by place: cdktf's default
 * `terraform.<stack>.tfstate`, and for the spoke (named by region before the account could be
 * given) `terraform.<stack>.<region>.tfstate`.
 */
export function earlierStateFileNames(stack: string, region: string, account?: string): string[] {
  const now = stateFileName(stack, region, account);
  return [`terraform.${stack}.tfstate`, stateFileName(stack, region)].filter((n, i, all) => n !== now && all.indexOf(n) === i);
}

/**
 * A problem per stack whose state file does not exist yet while an earlier one does: deploying then
 * would start from empty state and try to create, beside the resources the earlier file knows,
 * everything again. `exists` is the file system's (main.ts), a stand-in in tests.
 */
export function legacyStateProblems(stacks: readonly { readonly id: string; readonly region: string; readonly account?: string }[], exists: (name: string) => boolean): string[] {
  const problems: string[] = [];
  for (const s of stacks) {
    const now = stateFileName(s.id, s.region, s.account);
    if (exists(now)) continue;
    for (const old of earlierStateFileNames(s.id, s.region, s.account).filter(exists)) {
      problems.push(
        `${old} holds the state of an earlier deploy of the ${s.id} stack, which is now kept in ${now} (state files are named by place, so that deploys to several regions or accounts from one checkout never share one). ` +
          `If it is this place's, rename it before you deploy: mv ${old} ${now}; if it is another place's, rename it to that place's name (terraform.${s.id}.[ACCOUNT.]REGION.tfstate).`,
      );
    }
  }
  return problems;
}
