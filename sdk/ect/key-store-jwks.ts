/**
 * JWKS-backed agent key store (RFC 7517 JWK Set), static or fetched from a URL.
 *
 * Spec: seed 000, Table 5 steps 4, 6, 7, 8 (see agent-key.ts). A JWK carries the public key,
 * `kid` and `alg`; the two WIT facts a JWK has no standard member for are taken from
 * conventions of this SDK, each overridable by an option:
 *
 * - subject (WIT `sub`, step 8): the JWK member `sub`, or `options.subjects[kid]`, or
 *   `options.subjects(kid, jwk)`;
 * - revoked (step 6): the JWK member `revoked: true`, or `kid` in `options.revokedKids`, or a
 *   later `revoke(kid)`.
 *
 * `alg` defaults to the curve's algorithm when the JWK has none. Keys that are not EC, lack a
 * `kid` or a subject are skipped and listed in `skipped` (a JWKS may hold keys for other uses).
 *
 * Remote mode refreshes the set when it is older than `maxAgeMs`, and on a lookup miss at most
 * once per `cooldownMs` (so an unknown `kid` cannot make the verifier hammer the JWKS host).
 * If a refresh fails and a previous set exists, the previous set keeps serving.
 * `exportRecords()` (what an `EctVerifierPool` sends its workers) follows the same freshness
 * rule as `getKey`: a stale set is refreshed first. `revision` changes on every load and
 * local revocation.
 */
import { importAgentKey, type AgentKey, type AgentKeyRecord, type AgentKeyStore } from "./agent-key.js";
import { EctJwksFetchError, EctKeyError } from "./errors.js";

/** A JWK Set. */
export type JsonWebKeySet = { keys: readonly Record<string, unknown>[] };

type Common = {
  /** kid → subject map, or a function of (kid, jwk). Overrides the JWK `sub` member. */
  subjects?: Readonly<Record<string, string>> | ((kid: string, jwk: Record<string, unknown>) => string | undefined) | undefined;
  /** kids to treat as revoked in addition to JWKs marked `revoked: true`. */
  revokedKids?: Iterable<string> | undefined;
};

export type JwksAgentKeyStoreParameters =
  | (Common & { jwks: JsonWebKeySet })
  | (Common & {
      url: string | URL;
      /** Injected fetch (defaults to global `fetch`). */
      fetch?: ((input: string, init?: { signal?: AbortSignal }) => Promise<{ ok: boolean; status: number; json(): Promise<unknown> }>) | undefined;
      /** Refresh when the cached set is older than this (default 10 min). */
      maxAgeMs?: number | undefined;
      /** Minimum time between refreshes triggered by unknown kids (default 30 s). */
      cooldownMs?: number | undefined;
      /** Abort a fetch after this long (default 5 s). */
      timeoutMs?: number | undefined;
      /** Milliseconds clock (default `Date.now`). */
      clock?: (() => number) | undefined;
    });

/** A JWK that was not loaded, and why. */
export type SkippedJwk = { index: number; kid: string | undefined; reason: string };

export class JwksAgentKeyStore implements AgentKeyStore {
  readonly #params: JwksAgentKeyStoreParameters;
  readonly #revoked: Set<string>;
  #keys = new Map<string, { key: AgentKey; record: AgentKeyRecord }>();
  #skipped: SkippedJwk[] = [];
  #loadedAt = -Infinity;
  #lastAttempt = -Infinity;
  #inflight: Promise<void> | undefined;
  #loadedOnce = false;
  #revision = 0;

  /** Throws `EctKeyError` for parameters without `jwks` or `url`, or an unusable JWK Set. */
  constructor(params: JwksAgentKeyStoreParameters) {
    if (typeof params !== "object" || params === null) throw new EctKeyError({ details: "JwksAgentKeyStore needs either `jwks` or `url`" });
    if (params.revokedKids !== undefined && typeof (params.revokedKids as { [Symbol.iterator]?: unknown })[Symbol.iterator] !== "function") {
      throw new EctKeyError({ details: '"revokedKids" must be an iterable of kids' });
    }
    this.#params = params;
    this.#revoked = new Set(params.revokedKids ?? []);
    if ("jwks" in params) {
      this.#install(params.jwks);
      this.#loadedOnce = true;
    } else if (typeof params.url !== "string" && !(params.url instanceof URL)) {
      throw new EctKeyError({ details: "JwksAgentKeyStore needs either `jwks` or `url`" });
    }
  }

  /** JWKs that were not loaded, with reasons. */
  get skipped(): readonly SkippedJwk[] {
    return this.#skipped;
  }

  /** Marks a key revoked locally (survives refreshes). */
  revoke(kid: string): void {
    this.#revoked.add(kid);
    const e = this.#keys.get(kid);
    if (e) {
      e.key = { ...e.key, revoked: true };
      e.record = { ...e.record, revoked: true };
    }
    this.#revision++;
  }

  /** Changes on every (re)load of the set and every local revocation (see `AgentKeyStore.revision`). */
  get revision(): number {
    return this.#revision;
  }

  getKey(kid: string): AgentKey | undefined | Promise<AgentKey | undefined> {
    if ("jwks" in this.#params) return this.#keys.get(kid)?.key;
    const now = this.#now();
    const p = this.#params;
    const stale = now - this.#loadedAt > (p.maxAgeMs ?? 600_000);
    const hit = this.#keys.get(kid);
    if (hit && !stale) return hit.key;
    const mayRetry = !this.#loadedOnce || now - this.#lastAttempt >= (p.cooldownMs ?? 30_000);
    if (!stale && !mayRetry) return undefined;
    if (this.#loadedOnce && !mayRetry) return hit?.key;
    return this.refresh().then(
      () => this.#keys.get(kid)?.key,
      (err: unknown) => {
        // Keep serving the previous set if there is one.
        if (this.#loadedOnce) return this.#keys.get(kid)?.key;
        throw err;
      },
    );
  }

  async exportRecords(): Promise<AgentKeyRecord[]> {
    if (!this.#loadedOnce) await this.refresh();
    else if (!("jwks" in this.#params)) {
      const p = this.#params;
      const now = this.#now();
      const stale = now - this.#loadedAt > (p.maxAgeMs ?? 600_000);
      if (stale && now - this.#lastAttempt >= (p.cooldownMs ?? 30_000)) {
        // Keep serving the previous set if the refresh fails.
        await this.refresh().catch(() => undefined);
      }
    }
    return [...this.#keys.values()].map((e) => e.record);
  }

  /** Fetches the JWKS now (remote mode). Concurrent callers share one request. Throws `EctJwksFetchError`. */
  refresh(): Promise<void> {
    if ("jwks" in this.#params) return Promise.resolve();
    this.#inflight ??= this.#fetch().finally(() => {
      this.#inflight = undefined;
    });
    return this.#inflight;
  }

  #now(): number {
    const p = this.#params;
    return "clock" in p && p.clock ? p.clock() : Date.now();
  }

  async #fetch(): Promise<void> {
    const p = this.#params;
    if ("jwks" in p) return;
    this.#lastAttempt = this.#now();
    const url = String(p.url);
    const doFetch = p.fetch ?? (globalThis.fetch as NonNullable<typeof p.fetch>);
    let body: unknown;
    try {
      const res = await doFetch(url, { signal: AbortSignal.timeout(p.timeoutMs ?? 5_000) });
      if (!res.ok) throw new EctJwksFetchError({ details: `GET ${url} answered HTTP ${res.status}` });
      body = await res.json();
    } catch (cause) {
      if (cause instanceof EctJwksFetchError) throw cause;
      throw new EctJwksFetchError({ details: `GET ${url} failed: ${(cause as Error)?.message ?? String(cause)}`, cause });
    }
    if (typeof body !== "object" || body === null || !Array.isArray((body as { keys?: unknown }).keys)) {
      throw new EctJwksFetchError({ details: `GET ${url} did not return a JWK Set ({"keys": [...]})` });
    }
    this.#install(body as JsonWebKeySet);
    this.#loadedAt = this.#now();
    this.#loadedOnce = true;
  }

  #install(jwks: JsonWebKeySet): void {
    if (typeof jwks !== "object" || jwks === null || !Array.isArray(jwks.keys)) {
      throw new EctKeyError({ details: 'a JWK Set must be an object with a "keys" array' });
    }
    const keys = new Map<string, { key: AgentKey; record: AgentKeyRecord }>();
    const skipped: SkippedJwk[] = [];
    jwks.keys.forEach((jwk, index) => {
      const kid = typeof jwk?.kid === "string" && jwk.kid.length > 0 ? jwk.kid : undefined;
      if (!kid) return skipped.push({ index, kid, reason: 'no "kid"' });
      if (jwk.kty !== "EC") return skipped.push({ index, kid, reason: `kty ${JSON.stringify(jwk.kty)} is not EC` });
      if (jwk.use !== undefined && jwk.use !== "sig") return skipped.push({ index, kid, reason: `use ${JSON.stringify(jwk.use)} is not "sig"` });
      if (keys.has(kid)) return skipped.push({ index, kid, reason: "duplicate kid" });
      const subject = this.#subjectOf(kid, jwk);
      if (!subject) return skipped.push({ index, kid, reason: 'no subject (JWK "sub" member or `subjects` option)' });
      try {
        const { d: _d, ...publicJwk } = jwk; // never keep private material
        const entry = importAgentKey({
          kid,
          subject,
          alg: jwk.alg as never,
          revoked: jwk.revoked === true || this.#revoked.has(kid),
          publicKey: publicJwk,
        });
        keys.set(kid, entry);
      } catch (err) {
        skipped.push({ index, kid, reason: (err as EctKeyError).details ?? (err as Error).message });
      }
      return undefined;
    });
    this.#keys = keys;
    this.#skipped = skipped;
    this.#revision++;
  }

  #subjectOf(kid: string, jwk: Record<string, unknown>): string | undefined {
    const s = this.#params.subjects;
    if (typeof s === "function") return s(kid, jwk);
    if (s && Object.prototype.hasOwnProperty.call(s, kid) && typeof s[kid] === "string") return s[kid];
    return typeof jwk.sub === "string" && jwk.sub.length > 0 ? jwk.sub : undefined;
  }
}
