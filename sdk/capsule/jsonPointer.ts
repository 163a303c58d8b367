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

/**
 * The pointer of a position inside an iterative walk: `frames` is the walk's stack of
 * open containers, root first (the root contributes no token), each carrying the
 * `token` it has in its parent; `last` is the member name or index being read, if any.
 * Cost is proportional to the depth: callers build it only when it is reported.
 */
export function jsonPointerOfFrames(frames: readonly { readonly token: string | number }[], last?: string | number): string {
  let out = "";
  for (let i = 1; i < frames.length; i++) out += "/" + escapeJsonPointerToken((frames[i] as { token: string | number }).token);
  if (last !== undefined) out += "/" + escapeJsonPointerToken(last);
  return out;
}
