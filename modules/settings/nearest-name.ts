/**
 * "Did you mean ...?" for a misspelt setting: the known name closest to what was typed, by edit
 * distance over names reduced to their letters and digits, so ECS_RERUN_CLUSTERNAME finds
 * ECS_RERUN_CLUSTER_NAME and a context key written as clustername or cluster_name finds clusterName.
 */

/** Levenshtein distance: the fewest single-character insertions, deletions and substitutions from a to b. */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length];
}

/** Lower case, letters and digits only: the part of a name a typo is likely to get wrong. */
export function nameKey(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]/g, "");
}

/**
 * The candidate nearest to `name`, or undefined when none is near enough to be a likely typo: at
 * most one edit in three characters (and always at least one edit allowed), or a name cut short
 * (ECS_RERUN_SLACK_WEBHOOK for ECS_RERUN_SLACK_WEBHOOK_PARAMETER).
 */
export function nearestName(name: string, candidates: readonly string[], key: (n: string) => string = nameKey): string | undefined {
  const k = key(name);
  let best: { name: string; distance: number } | undefined;
  for (const c of candidates) {
    const distance = editDistance(k, key(c));
    if (!best || distance < best.distance) best = { name: c, distance };
  }
  if (best && best.distance <= Math.max(1, Math.floor(k.length / 3))) return best.name;
  return k.length >= 4 ? candidates.find((c) => key(c).startsWith(k)) : undefined;
}
