// Event flattening: an event becomes leaf fields (path -> scalar values), each remembering
// which element of every enclosing array it sits in.

import { fieldKey, isPlainObject, isScalar } from "./pattern-helpers";
import type { Field, Fields, Membership } from "./pattern-model";

// Only scalars become fields, exactly as the engine flattens events: an empty array, an empty
// object or an object sitting where the pattern expects a leaf leaves no field behind, so
// `exists: true` fails on them and `exists: false` matches them.
export function flattenEvent(event: unknown): Fields {
  const fields: Fields = new Map();
  if (isPlainObject(event)) {
    visit(event, [], new Map(), { fields, nextArrayId: 0 });
  }
  return fields;
}

interface FlattenState {
  readonly fields: Fields;
  nextArrayId: number;
}

function visit(value: unknown, segments: readonly string[], membership: Membership, state: FlattenState): void {
  if (Array.isArray(value)) {
    visitArray(value, segments, membership, state);
  } else if (isPlainObject(value)) {
    for (const [name, child] of Object.entries(value)) visit(child, [...segments, name], membership, state);
  } else if (isScalar(value)) {
    recordField(state.fields, fieldKey(segments), { value, membership });
  }
}

function visitArray(array: readonly unknown[], segments: readonly string[], membership: Membership, state: FlattenState): void {
  const arrayId = state.nextArrayId++;
  array.forEach((element, index) => {
    // Scalars of one array share a path, so only container elements need to be told apart.
    const elementMembership = isScalar(element) ? membership : new Map(membership).set(arrayId, index);
    visit(element, segments, elementMembership, state);
  });
}

function recordField(fields: Fields, key: string, field: Field): void {
  const existing = fields.get(key);
  if (existing === undefined) fields.set(key, [field]);
  else existing.push(field);
}
