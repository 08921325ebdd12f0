// Matching: a branch matches when every leaf matches a field and all chosen fields come from
// the same element of any array they share.

import type { Branch, Field, Fields, Leaf, Membership } from "./pattern-model";

const NO_CONSTRAINT: Membership = new Map();

export function branchMatches(branch: Branch, fields: Fields): boolean {
  const options: Membership[][] = [];
  for (const leaf of branch) {
    const leafOptions = matchingMemberships(leaf, fields.get(leaf.key) ?? []);
    if (leafOptions.length === 0) return false;
    options.push(leafOptions);
  }
  options.sort((a, b) => a.length - b.length);
  return consistentChoiceExists(options, 0, NO_CONSTRAINT);
}

// exists:false is checked against the whole event, not per array element, like the engine's
// absence check: a field present in any element is present.
function matchingMemberships(leaf: Leaf, candidates: readonly Field[]): Membership[] {
  if (candidates.length === 0) return leaf.allowsAbsence ? [NO_CONSTRAINT] : [];
  const unique = new Map<string, Membership>();
  for (const field of candidates) {
    if (leaf.tests.some((test) => test(field.value))) unique.set(membershipKey(field.membership), field.membership);
  }
  return [...unique.values()];
}

// Fields from different elements of the same array never combine: {"firstName": ["Anna"],
// "lastName": ["Jones"]} does not match Anna Smith and Peter Jones (event-ruler's
// "array-consistent matching").
function consistentChoiceExists(options: readonly Membership[][], index: number, chosen: Membership): boolean {
  const current = options[index];
  if (current === undefined) return true;
  return current.some((membership) => {
    const merged = mergeMemberships(chosen, membership);
    return merged !== undefined && consistentChoiceExists(options, index + 1, merged);
  });
}

function mergeMemberships(a: Membership, b: Membership): Membership | undefined {
  const merged = new Map(a);
  for (const [arrayId, elementIndex] of b) {
    const existing = merged.get(arrayId);
    if (existing !== undefined && existing !== elementIndex) return undefined;
    merged.set(arrayId, elementIndex);
  }
  return merged;
}

function membershipKey(membership: Membership): string {
  return [...membership].map(([arrayId, elementIndex]) => `${arrayId}:${elementIndex}`).join(",");
}
