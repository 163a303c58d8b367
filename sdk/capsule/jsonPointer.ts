/**
 * JSON Pointer (RFC 6901) formatting for the paths every Capsule error and
 * finding carries: "" is the whole value, "/effect/status", "/constraints/0/id".
 */

/** Escapes one reference token (`~` → `~0`, `/` → `~1`). */
export function escapeJsonPointerToken(token: string | number): string {
  const s = String(token);
  return s.includes("~") || s.includes("/") ? s.replace(/~/g, "~0").replace(/\//g, "~1") : s;
}

/** Builds a pointer from tokens. */
export function jsonPointer(...tokens: readonly (string | number)[]): string {
  let out = "";
  for (const t of tokens) out += "/" + escapeJsonPointerToken(t);
  return out;
}
