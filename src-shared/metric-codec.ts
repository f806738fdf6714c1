// The one codec for metric values that cross a boundary (job -> service messages, the
// database, the AppApi, the UI). JSON has no NaN or Infinity, and SQLite stores them badly,
// so a value that is not a finite number (a diverged loss) travels and is stored as null,
// and null comes back as NaN wherever the code computes with it.

/** A metric value on the wire or in the database. */
export type WireValue = number | null;

export function toWire(value: number): WireValue {
  return Number.isFinite(value) ? value : null;
}

export function fromWire(value: WireValue | undefined): number {
  return value ?? Number.NaN;
}

/** Every value of a record through toWire. */
export function recordToWire<K extends string>(values: Readonly<Record<K, number>>): Record<K, WireValue> {
  const out = {} as Record<K, WireValue>;
  for (const key of Object.keys(values) as K[]) out[key] = toWire(values[key]);
  return out;
}

/** Every value of a record through fromWire. */
export function recordFromWire<K extends string>(values: Readonly<Record<K, WireValue>>): Record<K, number> {
  const out = {} as Record<K, number>;
  for (const key of Object.keys(values) as K[]) out[key] = fromWire(values[key]);
  return out;
}
