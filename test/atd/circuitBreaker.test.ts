/**
 * Circuit breaker (draft-atd-agent-task-dag-01 §Circuit Breaker Pattern,
 * §Coordinated Circuit Breaking, §Circuit Breaker Policy Configuration,
 * §Interaction with HITL (4)), driven by a fake clock; seeded properties.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  ATD_CIRCUIT_DEFAULTS,
  AtdCircuitBreaker,
  AtdCircuitBreakers,
  AtdCircuitConfigError,
  AtdCircuitOpenError,
  AtdCircuitPermitError,
  atdCircuitOptionsFromConstraints,
  detectAtdCoordinatedCircuitOpen,
  validateAtdEct,
  type AtdCircuitEvent,
  type AtdCircuitBreakerOptions,
} from "../../sdk/atd/index.js";
import { E, prng } from "./helpers.js";

const B = "spiffe://example.com/agent/b";

function clocked(options: Partial<AtdCircuitBreakerOptions> = {}) {
  const clock = { t: 1_000_000 };
  const events: AtdCircuitEvent[] = [];
  const cb = new AtdCircuitBreaker({ downstreamAgent: B, now: () => clock.t, onEvent: (e) => events.push(e), ...options });
  const call = (ok: boolean) => cb.record(cb.acquire(), ok ? "success" : "failure");
  return { cb, clock, events, call };
}

describe("circuit breaker: defaults", () => {
  it("uses the draft's defaults: 50 % over 60 s, 30 s cooldown doubling to 300 s, 3 probes", () => {
    assert.deepEqual({ ...ATD_CIRCUIT_DEFAULTS }, {
      threshold: 0.5,
      windowS: 60,
      cooldownS: 30,
      maxCooldownS: 300,
      backoffFactor: 2,
      minRequests: 1,
      permanentOpenProbes: 3,
    });
    const cb = new AtdCircuitBreaker({ downstreamAgent: B });
    assert.equal(cb.options.threshold, 0.5);
    assert.equal(cb.state, "closed");
  });
});

describe("circuit breaker: a probe whose outcome is never recorded (M2)", () => {
  it("times out after the current cooldown, counts as a failed probe (re-open, backed-off cooldown) and allows a new probe", () => {
    const { cb, clock, events } = clocked();
    cb.recordFailure(cb.acquire());
    clock.t += 30_000;
    const lost = cb.acquire(); // the caller crashes: never recorded
    assert.equal(lost.probe, true);
    const probeAt = clock.t;
    clock.t += 29_999;
    const refused = cb.tryAcquire();
    assert.deepEqual(refused, { allowed: false, state: "half_open", retryAfterMs: 1 });
    assert.equal(cb.snapshot().probeDeadline, probeAt + 30_000);
    clock.t += 1; // deadline: the probe failed, the breaker re-opens with the cooldown doubled
    assert.equal(cb.state, "open");
    const reopen = events.at(-1)!;
    assert.ok(reopen.type === "open" && reopen.reopen && reopen.probeTimedOut && reopen.cooldownS === 60 && reopen.at === probeAt + 30_000);
    assert.equal(reopen.type === "open" && validateAtdEct({ jti: "x", ...reopen.claims }).valid, true);
    const waiting = cb.tryAcquire();
    assert.deepEqual(waiting, { allowed: false, state: "open", retryAfterMs: 60_000 });
    clock.t += 60_000;
    const next = cb.acquire();
    assert.equal(next.probe, true);
    // The lost probe's late report is ignored; the new probe decides.
    assert.deepEqual(cb.record(lost, "success"), []);
    assert.equal(cb.state, "half_open");
    assert.equal(cb.record(next, "success")[0]!.type, "close");
    assert.equal(cb.state, "closed");
  });

  it("a breaker left alone for a day is not wedged: the first call after the lost probe gets a new probe", () => {
    const { cb, clock, events } = clocked();
    cb.recordFailure(cb.acquire());
    clock.t += 31_000;
    assert.ok(cb.tryAcquire().allowed); // lost
    for (const dt of [29_000, 3_600_000, 86_400_000]) {
      clock.t += dt;
      const a = cb.tryAcquire();
      if (!a.allowed) assert.ok(a.retryAfterMs > 0, `refused with retryAfterMs ${a.retryAfterMs}`);
      else {
        assert.equal(a.permit.probe, true);
        cb.recordFailure(a.permit);
      }
    }
    assert.ok(events.some((e) => e.type === "open" && e.probeTimedOut));
  });

  it("timed-out probes count toward the HITL Level 2 escalation (3 successive failed probes)", () => {
    const { cb, clock, events } = clocked();
    cb.recordFailure(cb.acquire());
    for (let i = 0; i < 3; i++) {
      clock.t += cb.snapshot().retryAfterMs;
      assert.ok(cb.acquire().probe);
      clock.t += cb.snapshot().retryAfterMs; // let it time out
      assert.equal(cb.state, "open");
    }
    const esc = events.filter((e) => e.type === "escalate");
    assert.equal(esc.length, 1);
    assert.ok(esc[0]!.type === "escalate" && esc[0]!.consecutiveProbeFailures === 3);
  });

  it("probeTimeoutS overrides the default; invalid values are AtdCircuitConfigError", () => {
    const { cb, clock } = clocked({ probeTimeoutS: 5 });
    cb.recordFailure(cb.acquire());
    clock.t += 30_000;
    cb.acquire();
    assert.deepEqual(cb.tryAcquire(), { allowed: false, state: "half_open", retryAfterMs: 5_000 });
    clock.t += 5_000;
    assert.equal(cb.state, "open");
    for (const bad of [0, -1, Number.NaN, Infinity, "5"]) {
      assert.throws(() => new AtdCircuitBreaker({ downstreamAgent: B, probeTimeoutS: bad as never }), (e: unknown) => e instanceof AtdCircuitConfigError && e.path === "probeTimeoutS");
    }
  });

  it("AtdCircuitOpenError never carries retryAfterMs 0", () => {
    const { cb, clock } = clocked();
    cb.recordFailure(cb.acquire());
    clock.t += 30_000;
    cb.acquire();
    assert.throws(() => cb.acquire(), (e: unknown) => e instanceof AtdCircuitOpenError && e.retryAfterMs === 30_000);
  });
});

describe("circuit breaker: CLOSED -> OPEN", () => {
  it("opens when the error rate exceeds (strictly) the threshold and emits atd:circuit_open", () => {
    const { cb, call } = clocked();
    assert.deepEqual(call(true), []);
    assert.deepEqual(call(false), []); // 1/2 = 50 %: not above the threshold
    assert.equal(cb.state, "closed");
    const ev = call(false); // 2/3
    assert.equal(cb.state, "open");
    assert.equal(ev.length, 1);
    const open = ev[0]!;
    assert.equal(open.type, "open");
    if (open.type !== "open") return;
    assert.equal(open.errorRate, 2 / 3);
    assert.equal(open.reopen, false);
    assert.equal(open.cooldownS, 30);
    assert.deepEqual(open.claims, {
      exec_act: "atd:circuit_open",
      par: [],
      ext: { "atd.downstream_agent": B, "atd.error_rate": 2 / 3, "atd.window_s": 60 },
    });
    assert.ok(validateAtdEct({ jti: "x", ...open.claims }).valid);
  });

  it("with no minimum volume (draft default) the first failure opens it", () => {
    const { cb, call } = clocked();
    call(false);
    assert.equal(cb.state, "open");
  });

  it("minRequests holds the breaker closed until enough requests were seen", () => {
    const { cb, call } = clocked({ minRequests: 4 });
    call(false);
    call(false);
    call(false);
    assert.equal(cb.state, "closed");
    call(false);
    assert.equal(cb.state, "open");
  });

  it("the window slides: outcomes older than 60 s no longer count", () => {
    const { cb, clock, call } = clocked({ minRequests: 2 });
    call(true);
    call(true);
    clock.t += 30_000;
    call(false);
    call(false); // 2/4 = 50 %
    assert.equal(cb.state, "closed");
    clock.t += 30_000; // the two successes are exactly 60 s old: out of the window
    call(true);
    assert.equal(cb.snapshot().requests, 3);
    call(false); // 3/4
    assert.equal(cb.state, "open");
  });

  it("respects a custom threshold and window (§Circuit Breaker Policy Configuration)", () => {
    const { cb, call } = clocked({ ...atdCircuitOptionsFromConstraints({ "atd.circuit_threshold": 0.2, "atd.circuit_window_s": 10 }), minRequests: 5 });
    for (let i = 0; i < 4; i++) call(true);
    call(false); // 1/5 = 20 %: not above
    assert.equal(cb.state, "closed");
    call(false); // 2/6
    assert.equal(cb.state, "open");
    assert.equal(cb.options.windowS, 10);
  });
});

describe("circuit breaker: OPEN, HALF-OPEN, probes", () => {
  it("OPEN rejects immediately with the time until the probe", () => {
    const { cb, clock, call } = clocked();
    call(false);
    clock.t += 10_000;
    const a = cb.tryAcquire();
    assert.deepEqual(a, { allowed: false, state: "open", retryAfterMs: 20_000 });
    assert.throws(
      () => cb.acquire(),
      (e: unknown) => e instanceof AtdCircuitOpenError && e.code === "ATD_CIRCUIT_OPEN" && e.retryAfterMs === 20_000 && e.downstreamAgent === B,
    );
  });

  it("after the cooldown it is HALF-OPEN and allows exactly one probe", () => {
    const { cb, clock, call, events } = clocked();
    call(false);
    clock.t += 29_999;
    assert.equal(cb.state, "open");
    clock.t += 1;
    assert.equal(cb.state, "half_open");
    assert.equal(events.at(-1)!.type, "half_open");
    const probe = cb.acquire();
    assert.equal(probe.probe, true);
    // Refused while the probe is out, with the time until it times out (the 30 s cooldown): never 0.
    assert.deepEqual(cb.tryAcquire(), { allowed: false, state: "half_open", retryAfterMs: 30_000 });
  });

  it("probe success closes it and emits atd:circuit_close with the cooldown served", () => {
    const { cb, clock, call } = clocked();
    call(false);
    clock.t += 30_000;
    const ev = cb.record(cb.acquire(), "success");
    assert.equal(cb.state, "closed");
    assert.equal(ev.length, 1);
    const close = ev[0]!;
    assert.equal(close.type, "close");
    if (close.type !== "close") return;
    assert.equal(close.cooldownS, 30);
    assert.deepEqual(close.claims, { exec_act: "atd:circuit_close", par: [], ext: { "atd.downstream_agent": B, "atd.cooldown_s": 30 } });
    assert.ok(validateAtdEct({ jti: "y", ...close.claims }).valid);
    assert.equal(cb.snapshot().requests, 0); // the window starts afresh
  });

  it("probe failure re-opens with the cooldown doubled, capped at 300 s", () => {
    const { cb, clock, call } = clocked();
    call(false);
    const seen: number[] = [];
    for (let i = 0; i < 6; i++) {
      clock.t += cb.snapshot().cooldownS * 1000;
      const ev = cb.record(cb.acquire(), "failure");
      const open = ev.find((e) => e.type === "open");
      assert.ok(open && open.type === "open" && open.reopen);
      seen.push(open.cooldownS);
      assert.equal(cb.state, "open");
    }
    assert.deepEqual(seen, [60, 120, 240, 300, 300, 300]);
  });

  it("the cooldown returns to 30 s after a successful probe", () => {
    const { cb, clock, call } = clocked();
    call(false);
    clock.t += 30_000;
    cb.record(cb.acquire(), "failure"); // 60
    clock.t += 60_000;
    const ev = cb.record(cb.acquire(), "success");
    assert.equal(ev[0]!.type === "close" && ev[0]!.cooldownS, 60);
    call(false);
    assert.equal(cb.snapshot().cooldownS, 30);
  });

  it("§Interaction with HITL (4): three successive failed probes -> one SHOULD Level 2 escalation", () => {
    const { cb, clock, call, events } = clocked();
    call(false);
    for (let i = 0; i < 5; i++) {
      clock.t += cb.snapshot().cooldownS * 1000;
      cb.record(cb.acquire(), "failure");
    }
    const esc = events.filter((e) => e.type === "escalate");
    assert.equal(esc.length, 1);
    assert.deepEqual(esc[0], { type: "escalate", at: esc[0]!.at, downstreamAgent: B, trigger: "circuit_permanent_open", requirement: "SHOULD", level: 2, consecutiveProbeFailures: 3 });
  });

  it("a successful probe resets the probe-failure count", () => {
    const { cb, clock, call, events } = clocked();
    call(false);
    for (const ok of [false, false, true]) {
      clock.t += cb.snapshot().cooldownS * 1000;
      cb.record(cb.acquire(), ok ? "success" : "failure");
    }
    call(false);
    for (let i = 0; i < 2; i++) {
      clock.t += cb.snapshot().cooldownS * 1000;
      cb.record(cb.acquire(), "failure");
    }
    assert.equal(events.filter((e) => e.type === "escalate").length, 0);
  });
});

describe("circuit breaker: permits", () => {
  it("outcomes of requests admitted before a state change are ignored", () => {
    const { cb, clock } = clocked();
    const early = cb.acquire();
    cb.record(cb.acquire(), "failure"); // opens
    clock.t += 30_000;
    assert.equal(cb.state, "half_open");
    assert.deepEqual(cb.record(early, "success"), []);
    assert.equal(cb.state, "half_open");
  });

  it("a permit reported twice -> AtdCircuitPermitError", () => {
    const { cb } = clocked();
    const p = cb.acquire();
    cb.record(p, "success");
    assert.throws(() => cb.record(p, "success"), (e: unknown) => e instanceof AtdCircuitPermitError && e.code === "ATD_CIRCUIT_PERMIT_INVALID");
  });

  it("a permit from another breaker, or a forged one -> AtdCircuitPermitError", () => {
    const a = clocked();
    const b = clocked();
    assert.throws(() => a.cb.record(b.cb.acquire(), "success"), AtdCircuitPermitError);
    assert.throws(() => a.cb.record({ probe: false, issuedAt: 0, generation: 0 }, "success"), AtdCircuitPermitError);
  });

  it("an outcome that is neither success nor failure -> AtdCircuitPermitError (permit still usable)", () => {
    const { cb } = clocked();
    const p = cb.acquire();
    assert.throws(() => cb.record(p, "maybe" as never), (e: unknown) => e instanceof AtdCircuitPermitError && e.path === "outcome");
    assert.doesNotThrow(() => cb.record(p, "success"));
  });

  it("execute(): success, failure (rethrown), and rejection without calling fn", async () => {
    const { cb } = clocked();
    assert.equal(await cb.execute(async () => 42), 42);
    await assert.rejects(cb.execute(() => Promise.reject(new Error("down"))), /down/);
    assert.equal(cb.state, "closed"); // 1/2 is not above 50 %
    await assert.rejects(
      cb.execute(() => {
        throw new Error("sync down");
      }),
      /sync down/,
    );
    assert.equal(cb.state, "open");
    let called = false;
    await assert.rejects(
      cb.execute(() => {
        called = true;
        return 1;
      }),
      AtdCircuitOpenError,
    );
    assert.equal(called, false);
  });
});

describe("circuit breaker: configuration errors", () => {
  const bad: [keyof AtdCircuitBreakerOptions, unknown][] = [
    ["downstreamAgent", ""],
    ["threshold", 1],
    ["threshold", -0.1],
    ["threshold", Number.NaN],
    ["windowS", 0],
    ["cooldownS", -1],
    ["maxCooldownS", 10],
    ["backoffFactor", 0.5],
    ["minRequests", 0],
    ["minRequests", 1.5],
    ["permanentOpenProbes", 0],
  ];
  for (const [key, value] of bad) {
    it(`${key} = ${String(value)} -> AtdCircuitConfigError naming ${key}`, () => {
      assert.throws(
        () => new AtdCircuitBreaker({ downstreamAgent: B, [key]: value } as AtdCircuitBreakerOptions),
        (e: unknown) => e instanceof AtdCircuitConfigError && e.code === "ATD_CIRCUIT_BAD_OPTION" && e.path === key,
      );
    });
  }
  it("atdCircuitOptionsFromConstraints reads fig-circuit-policy and rejects bad values", () => {
    assert.deepEqual(atdCircuitOptionsFromConstraints({ "atd.circuit_threshold": 0.5, "atd.circuit_window_s": 60 }), { threshold: 0.5, windowS: 60 });
    assert.deepEqual(atdCircuitOptionsFromConstraints({ other: 1 }), {});
    assert.throws(() => atdCircuitOptionsFromConstraints({ "atd.circuit_threshold": "0.5" }), (e: unknown) => e instanceof AtdCircuitConfigError && e.path === 'constraints["atd.circuit_threshold"]');
    assert.throws(() => atdCircuitOptionsFromConstraints({ "atd.circuit_window_s": 0 }), (e: unknown) => e instanceof AtdCircuitConfigError && e.path === 'constraints["atd.circuit_window_s"]');
    assert.throws(() => atdCircuitOptionsFromConstraints(null), AtdCircuitConfigError);
  });
});

describe("circuit breakers: one per downstream agent", () => {
  it("keeps independent breakers keyed by downstream agent", () => {
    let t = 0;
    const reg = new AtdCircuitBreakers({ now: () => t });
    const b = reg.get(B);
    assert.equal(reg.get(B), b);
    b.record(b.acquire(), "failure");
    assert.equal(reg.get(B).state, "open");
    assert.equal(reg.get("spiffe://example.com/agent/c").state, "closed");
    assert.deepEqual(reg.keys(), [B, "spiffe://example.com/agent/c"]);
    t += 1;
  });
  it("validates shared options up front", () => {
    assert.throws(() => new AtdCircuitBreakers({ threshold: 2 }), AtdCircuitConfigError);
  });
});

describe("coordinated circuit breaking (§Coordinated Circuit Breaking)", () => {
  it("N distinct breakers opening for one downstream within the window -> one SHOULD escalation", () => {
    const ects = [E.open("o1", "A", B, 100), E.open("o2", "B", B, 110), E.open("o3", "A", B, 115), E.open("o4", "C", B, 120), E.open("o5", "D", "other", 120)];
    const r = detectAtdCoordinatedCircuitOpen({ ects, minBreakers: 3, windowS: 30 });
    assert.deepEqual(r.escalations.map((e) => [e.trigger, e.requirement, e.cause, e.downstreamAgent, e.nodes]), [
      ["coordinated_circuit_open", "SHOULD", "o4", B, ["o1", "o2", "o3", "o4"]],
    ]);
  });
  it("opens spread wider than the window do not count together", () => {
    const ects = [E.open("o1", "A", B, 100), E.open("o2", "B", B, 200), E.open("o3", "C", B, 300)];
    assert.equal(detectAtdCoordinatedCircuitOpen({ ects, minBreakers: 3, windowS: 60 }).escalations.length, 0);
  });
  it("the same breaker re-opening does not count as several", () => {
    const ects = [E.open("o1", "A", B, 100), E.open("o2", "A", B, 101), E.open("o3", "A", B, 102)];
    assert.equal(detectAtdCoordinatedCircuitOpen({ ects, minBreakers: 2, windowS: 60 }).escalations.length, 0);
  });
  it("skips opens without iat and ignores invalid input", () => {
    const r = detectAtdCoordinatedCircuitOpen({ ects: [E.open("o1", "A"), null, 5, E.open("o2", "B", B, 1)], minBreakers: 2, windowS: 60 });
    assert.deepEqual(r.skipped, [0]);
    assert.equal(r.escalations.length, 0);
  });
});

describe("circuit breaker: property tests (seeded, fake clock)", () => {
  it("random traffic keeps the breaker's invariants", () => {
    const r = prng(0xb2ea);
    for (let run = 0; run < 200; run++) {
      const minRequests = 1 + r.int(5);
      const { cb, clock, events } = clocked({ minRequests });
      const outstanding: { permit: ReturnType<AtdCircuitBreaker["acquire"]>; probe: boolean }[] = [];
      let lastType: string | undefined;
      let opens = 0;
      for (let step = 0; step < 400; step++) {
        const op = r.int(10);
        const before = cb.snapshot();
        if (op < 2) clock.t += r.int(45_000);
        else if (op < 7) {
          const a = cb.tryAcquire();
          // rejected iff OPEN, or HALF-OPEN with the probe out
          assert.equal(a.allowed, before.state === "closed" || (before.state === "half_open" && !before.probeInFlight));
          if (a.allowed) {
            assert.equal(a.permit.probe, before.state === "half_open");
            outstanding.push({ permit: a.permit, probe: a.permit.probe });
          } else assert.ok(a.retryAfterMs >= 0 && a.retryAfterMs <= 300_000);
        } else if (outstanding.length) {
          const k = r.int(outstanding.length);
          const [o] = outstanding.splice(k, 1);
          const fail = r.bool(0.5);
          const ev = cb.record(o!.permit, fail ? "failure" : "success");
          for (const e of ev) {
            if (e.type === "open" && !e.reopen) {
              assert.ok(e.errorRate > 0.5);
              assert.equal(e.cooldownS, 30);
            }
            if (e.type === "open" && e.reopen) assert.ok(o!.probe && fail);
            if (e.type === "close") assert.ok(o!.probe && !fail);
          }
        }
        const s = cb.snapshot();
        assert.ok(s.cooldownS >= 30 && s.cooldownS <= 300);
        assert.ok(s.state === "open" ? s.openedAt !== undefined : true);
        assert.ok(s.errorRate >= 0 && s.errorRate <= 1);
      }
      // event order: open -> half_open -> (close | open) ...
      for (const e of events) {
        if (e.type === "escalate") continue;
        if (e.type === "open") {
          assert.ok(lastType === undefined || lastType === "close" || lastType === "half_open", `open after ${lastType}`);
          opens++;
        }
        if (e.type === "half_open") assert.equal(lastType, "open");
        if (e.type === "close") assert.equal(lastType, "half_open");
        lastType = e.type;
      }
      // every recorded claim is a valid ATD ECT
      for (const e of events) if (e.type === "open" || e.type === "close") assert.ok(validateAtdEct({ jti: "j", ...e.claims }).valid);
      assert.ok(opens >= 0);
    }
  });

  it("cooldowns follow 30 * 2^k capped at 300 for k successive failed probes", () => {
    const r = prng(0xc001);
    for (let run = 0; run < 100; run++) {
      const { cb, clock, call, events } = clocked();
      call(false);
      let k = 0;
      for (let i = 0; i < 12; i++) {
        clock.t += cb.snapshot().cooldownS * 1000 + r.int(5000);
        const ok = r.bool(0.3);
        cb.record(cb.acquire(), ok ? "success" : "failure");
        if (ok) {
          k = 0;
          call(false);
        } else k++;
        assert.equal(cb.snapshot().cooldownS, Math.min(30 * 2 ** k, 300));
      }
      assert.ok(events.filter((e) => e.type === "escalate").every((e) => e.type === "escalate" && e.consecutiveProbeFailures === 3));
    }
  });
});
