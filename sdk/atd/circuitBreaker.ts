/**
 * The per-downstream-agent circuit breaker, with the events (and the
 * `atd:circuit_open` / `atd:circuit_close` ECT claims) it emits.
 *
 * Spec: draft-atd-agent-task-dag-01 §Circuit Breaker Pattern:
 * - CLOSED: requests flow; the error rate is tracked over a sliding window
 *   (default 60 s). When it exceeds the threshold (default 50 %, strictly
 *   greater: fig-fsm "error_rate > threshold") the breaker opens and MUST
 *   emit `atd:circuit_open` {downstream_agent, error_rate, window_s}.
 * - OPEN: every request is rejected immediately.
 * - HALF-OPEN: after the cooldown (default 30 s) exactly one probe request
 *   is allowed. Success → CLOSED, MUST emit `atd:circuit_close`
 *   {downstream_agent, cooldown_s}; failure → OPEN with the cooldown doubled
 *   (exponential backoff, max 300 s).
 * - §Interaction with HITL (4): a breaker that re-opens after 3 successive
 *   HALF-OPEN probes SHOULD trigger HITL Level 2 (an `escalate` event).
 * - §Circuit Breaker Policy Configuration: `atd.circuit_threshold` and
 *   `atd.circuit_window_s` node constraints (`atdCircuitOptionsFromConstraints`).
 * - "Each agent MUST implement a circuit breaker for every downstream agent":
 *   `AtdCircuitBreakers` keeps one per downstream agent.
 *
 * Resolutions: the draft sets no minimum request volume, so `minRequests`
 * defaults to 1 (one failure out of one request is 100 % > 50 %); raise it to
 * avoid opening on the first failure. A re-open after a failed probe also
 * emits `atd:circuit_open` (the breaker opens again; peers observe it).
 * Outcomes of requests admitted before the breaker last changed state are
 * ignored. The cooldown returns to its base after a successful probe.
 *
 * Lost probes: the draft allows exactly one probe in HALF-OPEN and says
 * nothing about a probe whose outcome is never reported (the caller crashed
 * or forgot). Such a breaker would refuse every request forever. So a probe
 * times out after `probeTimeoutS` (default: the cooldown that was served
 * before it, i.e. 30 s, then 60 s, … up to 300 s): the timeout counts as a
 * failed probe (re-open with the cooldown backed off, `atd:circuit_open`
 * with `probeTimedOut: true`, and toward the HITL escalation), dated at the
 * deadline, and a new probe is allowed once the new cooldown has passed. A
 * late report of the timed-out probe is ignored. A refusal always carries
 * `retryAfterMs > 0`: the rest of the cooldown while OPEN, the time until the
 * probe times out while HALF-OPEN.
 */
import { buildAtdEctClaims, type AtdEctClaims } from "./buildAtdEctClaims.js";
import { AtdCircuitConfigError, AtdCircuitOpenError, AtdCircuitPermitError, describe } from "./errors.js";
import { isJsonObject, own } from "./ect.js";
import { ATD_PERMANENT_OPEN_PROBES } from "./hitl.js";

export type AtdCircuitState = "closed" | "open" | "half_open";

/** Draft defaults. */
export const ATD_CIRCUIT_DEFAULTS = Object.freeze({
  threshold: 0.5,
  windowS: 60,
  cooldownS: 30,
  maxCooldownS: 300,
  backoffFactor: 2,
  minRequests: 1,
  permanentOpenProbes: ATD_PERMANENT_OPEN_PROBES,
});

export type AtdCircuitBreakerOptions = {
  /** The downstream agent this breaker guards (e.g. its SPIFFE ID). */
  downstreamAgent: string;
  /** Clock in milliseconds (default `Date.now`). */
  now?: (() => number) | undefined;
  /** Opens when the window's error rate is strictly greater (default 0.5). In [0, 1). */
  threshold?: number | undefined;
  /** Sliding window in seconds (default 60). */
  windowS?: number | undefined;
  /** First cooldown in seconds (default 30). */
  cooldownS?: number | undefined;
  /** Cooldown cap in seconds (default 300). */
  maxCooldownS?: number | undefined;
  /** Cooldown multiplier after a failed probe (default 2). */
  backoffFactor?: number | undefined;
  /** Minimum requests in the window before the rate can open the breaker (default 1: the draft sets none). */
  minRequests?: number | undefined;
  /** Successive failed probes that call for HITL Level 2 (default 3). */
  permanentOpenProbes?: number | undefined;
  /**
   * Seconds after which an unreported HALF-OPEN probe counts as failed
   * (default: the current cooldown, i.e. the one served before the probe). > 0.
   */
  probeTimeoutS?: number | undefined;
  /** Called synchronously with every event, in order. */
  onEvent?: ((event: AtdCircuitEvent) => void) | undefined;
};

export type AtdCircuitEvent =
  | {
      type: "open";
      at: number;
      downstreamAgent: string;
      errorRate: number;
      windowS: number;
      /** Cooldown before the next probe, seconds. */
      cooldownS: number;
      /** True when a failed probe re-opened the breaker. */
      reopen: boolean;
      /** True when the probe was never reported and timed out (`probeTimeoutS`). */
      probeTimedOut: boolean;
      /** The `atd:circuit_open` claims the agent MUST record. */
      claims: AtdEctClaims;
    }
  | { type: "half_open"; at: number; downstreamAgent: string }
  | {
      type: "close";
      at: number;
      downstreamAgent: string;
      /** The cooldown served before the successful probe, seconds. */
      cooldownS: number;
      /** The `atd:circuit_close` claims the agent MUST record. */
      claims: AtdEctClaims;
    }
  | {
      type: "escalate";
      at: number;
      downstreamAgent: string;
      trigger: "circuit_permanent_open";
      requirement: "SHOULD";
      level: 2;
      consecutiveProbeFailures: number;
    };

/** Admission ticket for one request; report its outcome exactly once. */
export type AtdCircuitPermit = {
  readonly probe: boolean;
  readonly issuedAt: number;
  readonly generation: number;
};

export type AtdCircuitAdmission =
  | { allowed: true; permit: AtdCircuitPermit }
  | { allowed: false; state: AtdCircuitState; retryAfterMs: number };

export type AtdCircuitSnapshot = {
  state: AtdCircuitState;
  downstreamAgent: string;
  /** Failures / requests in the current window (0 when empty). */
  errorRate: number;
  requests: number;
  failures: number;
  /** Current cooldown in seconds (the one being served while open). */
  cooldownS: number;
  /** When the breaker last opened (ms), undefined when closed. */
  openedAt: number | undefined;
  /**
   * Milliseconds until a request may be admitted: the rest of the cooldown
   * while OPEN, until the probe times out while HALF-OPEN with the probe out,
   * 0 otherwise (a request would be admitted now).
   */
  retryAfterMs: number;
  probeInFlight: boolean;
  /** When the probe in flight times out (ms), if one is out. */
  probeDeadline: number | undefined;
  consecutiveProbeFailures: number;
};

type CheckedOptions = Required<Omit<AtdCircuitBreakerOptions, "onEvent" | "now" | "probeTimeoutS">> & { probeTimeoutS: number | undefined };

function checkOptions(o: AtdCircuitBreakerOptions): CheckedOptions {
  const fail = (path: string, msg: string): never => {
    throw new AtdCircuitConfigError({ path, details: msg });
  };
  const num = (path: string, v: unknown, ok: (n: number) => boolean, what: string): number => {
    if (typeof v !== "number" || !Number.isFinite(v) || !ok(v)) fail(path, `${path} must be ${what}, got ${describe(v)}`);
    return v as number;
  };
  if (typeof o !== "object" || o === null) fail("options", `options must be an object, got ${describe(o)}`);
  if (o.now !== undefined && typeof o.now !== "function") fail("now", "now must be a function returning milliseconds");
  if (o.onEvent !== undefined && typeof o.onEvent !== "function") fail("onEvent", "onEvent must be a function");
  if (typeof o.downstreamAgent !== "string" || o.downstreamAgent.length === 0)
    fail("downstreamAgent", `downstreamAgent must be a non-empty string, got ${describe(o.downstreamAgent)}`);
  const d = ATD_CIRCUIT_DEFAULTS;
  const threshold = num("threshold", o.threshold ?? d.threshold, (n) => n >= 0 && n < 1, "a number in [0, 1)");
  const windowS = num("windowS", o.windowS ?? d.windowS, (n) => n > 0, "> 0");
  const cooldownS = num("cooldownS", o.cooldownS ?? d.cooldownS, (n) => n > 0, "> 0");
  const maxCooldownS = num("maxCooldownS", o.maxCooldownS ?? d.maxCooldownS, (n) => n >= cooldownS, `>= cooldownS (${cooldownS})`);
  const backoffFactor = num("backoffFactor", o.backoffFactor ?? d.backoffFactor, (n) => n >= 1, ">= 1");
  const minRequests = num("minRequests", o.minRequests ?? d.minRequests, (n) => Number.isSafeInteger(n) && n >= 1, "an integer >= 1");
  const permanentOpenProbes = num("permanentOpenProbes", o.permanentOpenProbes ?? d.permanentOpenProbes, (n) => Number.isSafeInteger(n) && n >= 1, "an integer >= 1");
  const probeTimeoutS = o.probeTimeoutS === undefined ? undefined : num("probeTimeoutS", o.probeTimeoutS, (n) => n > 0, "> 0");
  return { downstreamAgent: o.downstreamAgent, threshold, windowS, cooldownS, maxCooldownS, backoffFactor, minRequests, permanentOpenProbes, probeTimeoutS };
}

type PermitState = { breaker: AtdCircuitBreaker; reported: boolean };
const PERMITS = new WeakMap<AtdCircuitPermit, PermitState>();

export class AtdCircuitBreaker {
  readonly options: Readonly<CheckedOptions>;
  readonly #now: () => number;
  readonly #onEvent: ((event: AtdCircuitEvent) => void) | undefined;
  #state: AtdCircuitState = "closed";
  #generation = 0;
  // sliding window as a queue of (time, failed)
  #times: number[] = [];
  #failed: boolean[] = [];
  #head = 0;
  #failures = 0;
  #cooldownS: number;
  #openedAt: number | undefined;
  #probeOut = false;
  /** When the probe in flight times out (ms). */
  #probeDeadline: number | undefined;
  #probeFailures = 0;

  constructor(options: AtdCircuitBreakerOptions) {
    this.options = Object.freeze(checkOptions(options));
    this.#now = options.now ?? Date.now;
    this.#onEvent = options.onEvent;
    this.#cooldownS = this.options.cooldownS;
  }

  get downstreamAgent(): string {
    return this.options.downstreamAgent;
  }

  /** Current state (moves OPEN → HALF-OPEN when the cooldown has expired). */
  get state(): AtdCircuitState {
    this.#tickAndEmit();
    return this.#state;
  }

  /** A read-out of the breaker (ticks the clock like `state`). */
  snapshot(): AtdCircuitSnapshot {
    this.#tickAndEmit();
    const now = this.#now();
    this.#evict(now);
    const requests = this.#times.length - this.#head;
    return {
      state: this.#state,
      downstreamAgent: this.options.downstreamAgent,
      errorRate: requests ? this.#failures / requests : 0,
      requests,
      failures: this.#failures,
      cooldownS: this.#cooldownS,
      openedAt: this.#openedAt,
      retryAfterMs: this.#retryAfter(now),
      probeInFlight: this.#probeOut,
      probeDeadline: this.#probeOut ? this.#probeDeadline : undefined,
      consecutiveProbeFailures: this.#probeFailures,
    };
  }

  /**
   * Asks to send one request. CLOSED: allowed. OPEN: rejected with the time
   * until the probe. HALF-OPEN: the first caller gets the probe permit, others
   * are rejected until its outcome is recorded or it times out
   * (`probeTimeoutS`). A rejection's `retryAfterMs` is always > 0.
   */
  tryAcquire(): AtdCircuitAdmission {
    this.#tickAndEmit();
    const now = this.#now();
    if (this.#state === "closed") return { allowed: true, permit: this.#issue(false, now) };
    if (this.#state === "half_open" && !this.#probeOut) {
      this.#probeOut = true;
      this.#probeDeadline = now + (this.options.probeTimeoutS ?? this.#cooldownS) * 1000;
      return { allowed: true, permit: this.#issue(true, now) };
    }
    return { allowed: false, state: this.#state, retryAfterMs: this.#retryAfter(now) };
  }

  /** Like `tryAcquire` but throws `AtdCircuitOpenError` when rejected. */
  acquire(): AtdCircuitPermit {
    const a = this.tryAcquire();
    if (a.allowed) return a.permit;
    throw new AtdCircuitOpenError(this.options.downstreamAgent, a.retryAfterMs);
  }

  /**
   * Records the outcome of a permitted request and returns the events it
   * caused (also passed to `onEvent`). Throws `AtdCircuitPermitError` for a
   * permit reported twice or issued by another breaker.
   */
  record(permit: AtdCircuitPermit, outcome: "success" | "failure"): AtdCircuitEvent[] {
    const ps = PERMITS.get(permit);
    if (!ps || ps.breaker !== this) throw new AtdCircuitPermitError({ path: "permit", details: "permit was not issued by this breaker" });
    if (ps.reported) throw new AtdCircuitPermitError({ path: "permit", details: "permit outcome already recorded" });
    if (outcome !== "success" && outcome !== "failure")
      throw new AtdCircuitPermitError({ path: "outcome", details: `outcome must be "success" or "failure", got ${describe(outcome)}` });
    ps.reported = true;
    const events: AtdCircuitEvent[] = [];
    this.#tick(events);
    const now = this.#now();
    if (permit.generation !== this.#generation) return this.#emit(events); // admitted before the last state change
    if (permit.probe) {
      this.#probeOut = false;
      this.#probeDeadline = undefined;
      if (outcome === "success") this.#close(now, events);
      else this.#probeFailed(now, false, events);
      return this.#emit(events);
    }
    // an ordinary request admitted while CLOSED
    this.#push(now, outcome === "failure");
    if (outcome === "failure") {
      const requests = this.#times.length - this.#head;
      if (requests >= this.options.minRequests && this.#failures / requests > this.options.threshold) this.#open(now, false, events);
    }
    return this.#emit(events);
  }

  /** Records a success (shorthand for `record(permit, "success")`). */
  recordSuccess(permit: AtdCircuitPermit): AtdCircuitEvent[] {
    return this.record(permit, "success");
  }

  /** Records a failure (shorthand for `record(permit, "failure")`). */
  recordFailure(permit: AtdCircuitPermit): AtdCircuitEvent[] {
    return this.record(permit, "failure");
  }

  /**
   * Runs `fn` through the breaker: throws `AtdCircuitOpenError` without
   * calling it when rejected; a throw from `fn` counts as a failure and is
   * rethrown, a return as a success.
   */
  async execute<T>(fn: () => Promise<T> | T): Promise<T> {
    const permit = this.acquire();
    let value: T;
    try {
      value = await fn();
    } catch (err) {
      this.record(permit, "failure");
      throw err;
    }
    this.record(permit, "success");
    return value;
  }

  // ---------------------------------------------------------------- internals

  #issue(probe: boolean, now: number): AtdCircuitPermit {
    const permit: AtdCircuitPermit = Object.freeze({ probe, issuedAt: now, generation: this.#generation });
    PERMITS.set(permit, { breaker: this, reported: false });
    return permit;
  }

  #emit(events: AtdCircuitEvent[]): AtdCircuitEvent[] {
    if (this.#onEvent) for (const e of events) this.#onEvent(e);
    return events;
  }

  /** Milliseconds until a request could be admitted; > 0 whenever one would be refused now. */
  #retryAfter(now: number): number {
    if (this.#state === "open" && this.#openedAt !== undefined) return Math.max(1, Math.ceil(this.#openedAt + this.#cooldownS * 1000 - now));
    if (this.#state === "half_open" && this.#probeOut && this.#probeDeadline !== undefined) return Math.max(1, Math.ceil(this.#probeDeadline - now));
    return 0;
  }

  /** A failed (or timed-out) probe at time `at`: back off, re-open, maybe escalate. */
  #probeFailed(at: number, timedOut: boolean, events: AtdCircuitEvent[]): void {
    this.#push(at, true);
    this.#probeFailures++;
    this.#cooldownS = Math.min(this.#cooldownS * this.options.backoffFactor, this.options.maxCooldownS);
    this.#open(at, true, events, timedOut);
    if (this.#probeFailures === this.options.permanentOpenProbes)
      events.push({
        type: "escalate",
        at,
        downstreamAgent: this.options.downstreamAgent,
        trigger: "circuit_permanent_open",
        requirement: "SHOULD",
        level: 2,
        consecutiveProbeFailures: this.#probeFailures,
      });
  }

  /**
   * Time-driven transitions; events go into `events`: a HALF-OPEN probe past
   * its deadline fails (re-open, dated at the deadline), then OPEN → HALF-OPEN
   * once the cooldown has expired.
   */
  #tick(events: AtdCircuitEvent[]): void {
    const now = this.#now();
    if (this.#state === "half_open" && this.#probeOut && this.#probeDeadline !== undefined && now >= this.#probeDeadline) {
      const at = this.#probeDeadline;
      this.#probeOut = false;
      this.#probeDeadline = undefined;
      this.#probeFailed(at, true, events);
    }
    if (this.#state !== "open" || this.#openedAt === undefined) return;
    if (now < this.#openedAt + this.#cooldownS * 1000) return;
    this.#state = "half_open";
    this.#generation++;
    events.push({ type: "half_open", at: now, downstreamAgent: this.options.downstreamAgent });
  }

  /** Ticks for a read-only call and delivers any event to `onEvent`. */
  #tickAndEmit(): void {
    const events: AtdCircuitEvent[] = [];
    this.#tick(events);
    this.#emit(events);
  }

  #push(now: number, failed: boolean): void {
    this.#evict(now);
    this.#times.push(now);
    this.#failed.push(failed);
    if (failed) this.#failures++;
  }

  #evict(now: number): void {
    const cutoff = now - this.options.windowS * 1000;
    while (this.#head < this.#times.length && this.#times[this.#head]! <= cutoff) {
      if (this.#failed[this.#head]) this.#failures--;
      this.#head++;
    }
    if (this.#head > 1024 && this.#head * 2 > this.#times.length) {
      this.#times = this.#times.slice(this.#head);
      this.#failed = this.#failed.slice(this.#head);
      this.#head = 0;
    }
  }

  #open(now: number, reopen: boolean, events: AtdCircuitEvent[], probeTimedOut = false): void {
    this.#evict(now);
    const requests = this.#times.length - this.#head;
    const errorRate = requests ? this.#failures / requests : 1;
    this.#state = "open";
    this.#openedAt = now;
    this.#generation++;
    events.push({
      type: "open",
      at: now,
      downstreamAgent: this.options.downstreamAgent,
      errorRate,
      windowS: this.options.windowS,
      cooldownS: this.#cooldownS,
      reopen,
      probeTimedOut,
      claims: buildAtdEctClaims({
        act: "atd:circuit_open",
        downstream_agent: this.options.downstreamAgent,
        error_rate: errorRate,
        window_s: this.options.windowS,
      }),
    });
  }

  #close(now: number, events: AtdCircuitEvent[]): void {
    const served = this.#cooldownS;
    this.#state = "closed";
    this.#openedAt = undefined;
    this.#generation++;
    this.#cooldownS = this.options.cooldownS;
    this.#probeFailures = 0;
    this.#times = [];
    this.#failed = [];
    this.#head = 0;
    this.#failures = 0;
    events.push({
      type: "close",
      at: now,
      downstreamAgent: this.options.downstreamAgent,
      cooldownS: served,
      claims: buildAtdEctClaims({ act: "atd:circuit_close", downstream_agent: this.options.downstreamAgent, cooldown_s: served }),
    });
  }
}

/** One breaker per downstream agent, all with the same options. */
export class AtdCircuitBreakers {
  readonly #options: Omit<AtdCircuitBreakerOptions, "downstreamAgent">;
  readonly #breakers = new Map<string, AtdCircuitBreaker>();
  constructor(options: Omit<AtdCircuitBreakerOptions, "downstreamAgent"> = {}) {
    checkOptions({ ...options, downstreamAgent: "(check)" });
    this.#options = options;
  }
  /** The breaker for `downstreamAgent`, created on first use. */
  get(downstreamAgent: string): AtdCircuitBreaker {
    let b = this.#breakers.get(downstreamAgent);
    if (!b) {
      b = new AtdCircuitBreaker({ ...this.#options, downstreamAgent });
      this.#breakers.set(downstreamAgent, b);
    }
    return b;
  }
  /** Downstream agents with a breaker. */
  keys(): string[] {
    return [...this.#breakers.keys()];
  }
}

/**
 * §Circuit Breaker Policy Configuration: reads `atd.circuit_threshold` and
 * `atd.circuit_window_s` from an ACP-DAG-HITL node `constraints` object.
 * Absent members are left out; invalid ones throw `AtdCircuitConfigError`.
 */
export function atdCircuitOptionsFromConstraints(constraints: unknown): { threshold?: number; windowS?: number } {
  if (!isJsonObject(constraints))
    throw new AtdCircuitConfigError({ path: "constraints", details: `constraints must be an object, got ${describe(constraints)}` });
  const out: { threshold?: number; windowS?: number } = {};
  const t = own(constraints, "atd.circuit_threshold");
  if (t !== undefined) {
    if (typeof t !== "number" || !Number.isFinite(t) || t < 0 || t >= 1)
      throw new AtdCircuitConfigError({ path: 'constraints["atd.circuit_threshold"]', details: `must be a number in [0, 1), got ${describe(t)}` });
    out.threshold = t;
  }
  const w = own(constraints, "atd.circuit_window_s");
  if (w !== undefined) {
    if (typeof w !== "number" || !Number.isFinite(w) || w <= 0)
      throw new AtdCircuitConfigError({ path: 'constraints["atd.circuit_window_s"]', details: `must be a number > 0, got ${describe(w)}` });
    out.windowS = w;
  }
  return out;
}
