// The shapes event-pattern matching works on: a compiled pattern (branches of leaves with
// value tests) and a flattened event (fields with their array-element membership).

export type Scalar = string | number | boolean | null;
export type ValueTest = (value: Scalar) => boolean;
/** `{"exists": false}` is not a test on a value: it is satisfied by the lack of one. */
export type Alternative = ValueTest | "absent";

export interface Leaf {
  readonly key: string;
  readonly path: string;
  readonly tests: readonly ValueTest[];
  readonly allowsAbsence: boolean;
}
export type Branch = readonly Leaf[];

/** Array id -> element index, for every array element (object or array) a field sits in. */
export type Membership = ReadonlyMap<number, number>;
export interface Field {
  readonly value: Scalar;
  readonly membership: Membership;
}
export type Fields = Map<string, Field[]>;
