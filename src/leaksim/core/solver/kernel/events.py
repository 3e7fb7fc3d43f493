"""Scheduled events and triggers of one case: the compiled counterparts of
:class:`~leaksim.core.solver.events.EventSchedule` and
:class:`~leaksim.core.solver.triggers.Triggers`.

``sched`` is ``(time (C, E), target (E,), opens (E,), done (C, E), last (C, E))`` (``last``:
when each event last happened); ``trig`` is
``(module (I,), rate (I,), sign (I,), level (C, I), delay (C, I), event (I,), fired (C, I),
fired_at (C, I), rate_now (C, M), rearms (I,))``: what each trigger watches, its signed
level, what it schedules, its state, and the trigger it re-arms when it fires (``rate_now`` is
each module's pressure rate at the start of the next step, kept where a trigger watches a
rate).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from . import lean, step

#: Halvings of a bracket, as :data:`~leaksim.core.solver.events.BISECTIONS`.
BISECTIONS = 34

_jit = njit(cache=True, error_model="numpy")


@_jit
def apply_due(c, t, is_open, sched):
    """Switch what the events due by ``t`` switch, in event order; whether any happened."""
    ev_time, ev_target, ev_opens, done, last = sched
    happened = False
    for e in range(ev_target.size):
        if not done[c, e] and ev_time[c, e] <= t:
            is_open[ev_target[e]] = ev_opens[e]
            done[c, e] = True
            last[c, e] = ev_time[c, e]
            happened = True
    return happened


@_jit
def next_stop(c, t, sched, net):
    """Time of case ``c``'s next event not yet happened, or knot of a growing area after
    ``t`` [s]; inf if none."""
    ev_time, done = sched[0], sched[3]
    nxt = np.inf
    for e in range(ev_time.shape[1]):
        if not done[c, e] and ev_time[c, e] < nxt:
            nxt = ev_time[c, e]
    knots = net[lean.BREAKPOINTS][c]
    after = t + 1e-12 * max(abs(t), 1.0)
    for i in range(knots.size):
        if knots[i] > after and knots[i] < nxt:
            nxt = knots[i]
    return nxt


@_jit
def _value(i, y, f, c, net, trig):
    """``sign * value`` of trigger ``i``: its module's pressure [Pa] or, for a rate trigger,
    ``dp/dt = (Ru T / V) dN/dt`` [Pa/s] from the derivative ``f``."""
    module, watches_rate, sign = trig[0], trig[1], trig[2]
    m = module[i]
    if watches_rate[i]:
        return sign[i] * f[m] * net[lean.RT_V][c, m]
    return sign[i] * lean.pressure(y, m, c, net)


@_jit
def _schedule(i, c, t_fire, sched, trig):
    """Mark trigger ``i`` fired at ``t_fire`` [s] and set its event's time, the delay later."""
    delay, event, fired, fired_at, rearms = trig[4], trig[5], trig[6], trig[7], trig[9]
    fired[c, i] = True
    fired_at[c, i] = t_fire
    sched[0][c, event[i]] = t_fire + delay[c, i]
    partner = rearms[i]
    if partner >= 0:
        # The other trigger of the pair watches again, and its event may happen again.
        fired[c, partner] = False
        sched[3][c, event[partner]] = False
        sched[0][c, event[partner]] = np.inf


@_jit
def fire_satisfied(y, f, t, c, net, sched, trig):
    """Keep the pressure rates of ``y`` (derivative ``f``) and fire at ``t`` the triggers whose
    condition holds (:meth:`~leaksim.core.solver.triggers.Triggers.fire_satisfied`)."""
    level, fired, rate_now = trig[3], trig[6], trig[8]
    for m in range(y.size):
        rate_now[c, m] = f[m] * net[lean.RT_V][c, m]
    any_fired = False
    for i in range(trig[0].size):
        if not fired[c, i] and _value(i, y, f, c, net, trig) <= level[c, i]:
            _schedule(i, c, t, sched, trig)
            any_fired = True
    return any_fired


@_jit
def _bisect(i, y0, y1, k1, k2, t0, h, is_open, c, net, trig, work):
    """Fraction of the step at which trigger ``i`` first holds, by bisection [-]."""
    level = trig[3][c, i]
    y_mid, f_mid = work[5], work[7]
    lo, hi = 0.0, 1.0
    for _ in range(BISECTIONS):
        mid = 0.5 * (lo + hi)
        step.dense_state(y0, y1, k1, k2, mid, y_mid)
        if trig[1][i]:
            lean.rhs(y_mid, is_open, t0 + mid * h, c, net, work, f_mid)
        if _value(i, y_mid, f_mid, c, net, trig) <= level:
            hi = mid
        else:
            lo = mid
    return hi


@_jit
def crossings(y0, y1, k1, k2, t0, h, t1, is_open, c, net, trig, work, hit, theta):
    """Which triggers not fired yet were crossed in the step (``hit``), and the fraction of
    the step at which each first holds, 1 elsewhere, for a step ending at ``t1``
    (:meth:`~leaksim.core.solver.triggers.Triggers.crossings`); whether any was."""
    module, watches_rate, sign, level, fired, rate_now = (
        trig[0],
        trig[1],
        trig[2],
        trig[3],
        trig[6],
        trig[8],
    )
    f1 = work[12]
    if np.any(watches_rate):
        lean.rhs(y1, is_open, t1, c, net, work, f1)
    crossed = False
    for i in range(module.size):
        theta[i] = 1.0
        hit[i] = False
        if fired[c, i]:
            continue
        m = module[i]
        if watches_rate[i]:
            before = sign[i] * rate_now[c, m]
        else:
            before = sign[i] * lean.pressure(y0, m, c, net)
        after = _value(i, y1, f1, c, net, trig)
        if before - level[c, i] > 0.0 and after - level[c, i] <= 0.0:
            theta[i] = _bisect(i, y0, y1, k1, k2, t0, h, is_open, c, net, trig, work)
            hit[i] = True
            crossed = True
    return crossed


@_jit
def fire_crossed(hit, theta, t0, h, t1, c, sched, trig):
    """Fire the crossed triggers that cross before the first event they make due inside the
    step; return where the step must end [s]: at that event, or at ``t1``
    (:meth:`~leaksim.core.solver.triggers.Triggers.fire_crossed`)."""
    delay = trig[4]
    cut = t1
    for i in range(theta.size):
        if hit[i]:
            cut = min(cut, t0 + theta[i] * h + delay[c, i])
    for i in range(theta.size):
        t_cross = t0 + theta[i] * h
        # A crossing after an earlier event in the same step has not happened yet.
        if hit[i] and t_cross <= cut:
            _schedule(i, c, t_cross, sched, trig)
    return cut
