/**
 * The `keys` / `fields` selection of `ssd` and `sld` (§4.8). Field names are matched without regard to case: the
 * documented request asks for `cashBalance` while the documented message carries `cashbalance`.
 */
export type Entry = Record<string, unknown>;

/** Keys every entry keeps whatever `fields` says: without them an entry means nothing. */
const ALWAYS_KEPT = new Set(['key', 'severity', 'timestamp']);

export function selectEntries(
  entries: readonly Entry[],
  keys: readonly string[] | undefined,
  fields: readonly string[] | undefined,
): Entry[] {
  const wantedKeys = keys === undefined || keys.length === 0 ? undefined : new Set(keys);
  const wantedFields =
    fields === undefined || fields.length === 0 ? undefined : new Set(fields.map((field) => field.toLowerCase()));
  const selected: Entry[] = [];
  for (const entry of entries) {
    if (wantedKeys !== undefined && !wantedKeys.has(String(entry['key']))) continue;
    if (wantedFields === undefined) {
      selected.push(entry);
      continue;
    }
    const kept: Entry = {};
    for (const [name, value] of Object.entries(entry)) {
      if (ALWAYS_KEPT.has(name) || wantedFields.has(name.toLowerCase())) kept[name] = value;
    }
    selected.push(kept);
  }
  return selected;
}
