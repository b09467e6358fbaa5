// Deterministic, locale-independent ordering of ref names for the generated knowledge tables, so a
// regenerated table differs from the committed one only where the facts changed.

/** Splits a ref name into text and number runs so that v1.10.0 sorts after v1.9.0. */
function versionKey(name) {
  return name.split(/(\d+)/).map((part, i) => (i % 2 === 1 ? Number(part) : part));
}

/** v1.9.0 < v1.10.0; ties (v01 vs v1) fall back to plain code-unit order. */
export function compareNames(a, b) {
  const ka = versionKey(a);
  const kb = versionKey(b);
  for (let i = 0; i < Math.min(ka.length, kb.length); i++) {
    const x = ka[i];
    const y = kb[i];
    if (x === y) continue;
    if (typeof x === "number" && typeof y === "number") return x - y;
    return String(x) < String(y) ? -1 : 1;
  }
  if (ka.length !== kb.length) return ka.length - kb.length;
  return a < b ? -1 : a > b ? 1 : 0;
}
