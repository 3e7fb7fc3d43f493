"""One case's run from its start to its end, and the cases spread over threads: the compiled
counterpart of :class:`~leaksim.core.solver.integrator.Integrator`.

The tuples (:func:`integrate_lean` lists them) are rebuilt from their arrays inside the
compiled range loop: numba passes them between compiled functions without cost.
"""

from __future__ import annotations

import math
import os
from concurrent.futures import ThreadPoolExecutor

import numpy as np
from numba import njit

from . import events, lean, step

__all__ = ["FAIL_STEPS", "FAIL_STUCK", "integrate_lean"]

#: Failure codes of a case (``status`` stays 0 for a case that reached its end).
FAIL_STUCK = 1
FAIL_STEPS = 2

# Consecutive rejections after which a case fails, as in the batched loop.
_MAX_REJECTIONS = 60

_jit = njit(cache=True, error_model="numpy")


@_jit
def scratch(n_links, size, n_stages, n_triggers):
    """Scratch arrays of a thread, reused case after case: link flows and slopes (0-2), W
    (3), its pivots (4), three stage vectors (5-7), J (8), the stages (9), y0, f0, y1, k1,
    k2 and the state at a cut (10), df/dt (11), a derivative (12), and the triggers crossed
    in a step and where (13, 14)."""
    return (
        np.empty(n_links),
        np.empty(n_links),
        np.empty(n_links),
        np.empty((size, size)),
        np.empty(size, dtype=np.int64),
        np.empty(size),
        np.empty(size),
        np.empty(size),
        np.empty((size, size)),
        np.empty((n_stages, size)),
        np.empty((6, size)),
        np.empty(size),
        np.empty(size),
        np.empty(n_triggers, dtype=np.bool_),
        np.empty(n_triggers),
    )


@_jit
def _date_start(y, c, net, thr, thr_time):
    """Date at the start the thresholds the starting state has already reached."""
    sign, share, level = thr
    for j in range(sign.size):
        for m in range(y.size):
            if sign[j] * lean.pressure(y, m, c, net) * share[c, j, m] <= level[c, j]:
                thr_time[c, j, m] = 0.0


@_jit
def _locate(y0, y1, k1, k2, y_end, t0, h, theta_end, c, net, thr, thr_time):
    """Date the thresholds first reached in an accepted step that ends at ``y_end``, by
    bisection on its cubic (:meth:`~leaksim.core.solver.thresholds.Thresholds.locate`)."""
    rt_v = net[lean.RT_V]
    sign, share, level = thr
    for j in range(sign.size):
        for m in range(y0.size):
            if not math.isnan(thr_time[c, j, m]):
                continue
            s = sign[j] * share[c, j, m]
            before = s * lean.pressure(y0, m, c, net) - level[c, j]
            after = s * lean.pressure(y_end, m, c, net) - level[c, j]
            if not (before > 0.0 and after <= 0.0):
                continue
            lo, hi = 0.0, theta_end
            for _ in range(events.BISECTIONS):
                mid = 0.5 * (lo + hi)
                if s * step.pressure_at(y0, y1, k1, k2, rt_v[c, m], m, mid) <= level[c, j]:
                    hi = mid
                else:
                    lo = mid
            thr_time[c, j, m] = t0 + hi * h


@_jit
def _fill(y0, y1, k1, k2, t0, h, t_new, c, net, out, nxt):
    """Report every output time up to ``t_new`` that the accepted step passed."""
    rt_v = net[lean.RT_V]
    t_out, array, rows, columns = out
    row = rows[c]
    j = nxt[c]
    limit = t_new * (1 + 1e-12)
    inv_h = 1.0 / h
    while j < t_out.size and t_out[j] <= limit:
        theta = min(max((t_out[j] - t0) * inv_h, 0.0), 1.0)
        for i in range(columns.size):
            m = columns[i]
            array[i, row, j] = step.pressure_at(y0, y1, k1, k2, rt_v[c, m], m, theta)
        j += 1
    nxt[c] = j


@_jit
def _track_dp(y, c, net, max_dp):
    """Largest |p_a - p_b| of every link so far [Pa]."""
    link_a, link_b = net[lean.LINK_A], net[lean.LINK_B]
    for k in range(link_a.size):
        p_a = lean.pressure(y, link_a[k], c, net)
        b = link_b[k]
        p_b = net[lean.BOUNDARY_P][c, k] if b < 0 else lean.pressure(y, b, c, net)
        max_dp[c, k] = max(max_dp[c, k], abs(p_a - p_b))


@_jit
def _after_events(y, f, t, is_open, c, net, sched, trig, work):
    """Switch what is due at ``t`` and take the derivative there; an event may satisfy a
    trigger at once (a rate jumps), whose own event may be due at once too."""
    events.apply_due(c, t, is_open, sched)
    for _ in range(1 + trig[0].size):
        lean.rhs(y, is_open, t, c, net, work, f)
        if trig[0].size == 0:
            return
        if not events.fire_satisfied(y, f, t, c, net, sched, trig):
            return
        if not events.apply_due(c, t, is_open, sched):
            return


@_jit
def _retake_at(y0, y1, k1, k2, t0, h, is_open, c, net, trig, work):
    """Fraction of an accepted step at which to retake it, shortened to its first trigger
    crossing; 1 where none asks for it (the dense output of a long stiff step cannot place a
    fast transient)."""
    hit, theta = work[13], work[14]
    if not events.crossings(y0, y1, k1, k2, t0, h, t0 + h, is_open, c, net, trig, work, hit, theta):
        return 1.0
    first = np.min(theta)
    return first if (first < 0.999 and first * h > 1e-9 * max(t0, 1.0)) else 1.0


@_jit
def _run_case(c, net, sched, trig, thr, out, ctl, tab, state, ops, work):
    """Integrate case ``c`` from its start to its end (the loop of
    :class:`~leaksim.core.solver.integrator.Integrator` for one case)."""
    n_links = net[lean.LINK_A].size
    src_flow = net[lean.SRC_FLOW]
    y_all, t_all, f_all, h_all, n_steps, n_rej, status = state
    thr_time, max_dp, src_on, src_amount, nxt, is_open_all = ops
    duration, rtol_all, atol_all, max_steps, exponent = ctl
    size = y_all.shape[1]
    growing = net[lean.GROWTH_OF_LINK].size > 0 and np.any(net[lean.GROWTH_OF_LINK] >= 0)
    n_trig = trig[0].size
    is_open = is_open_all[c]
    rtol, atol = rtol_all[c], atol_all[c]
    u = work[9]
    y0, f0, y1, k1, k2, y_end = (
        work[10][0],
        work[10][1],
        work[10][2],
        work[10][3],
        work[10][4],
        work[10][5],
    )
    hit, theta = work[13], work[14]
    y0[:] = y_all[c]
    f0[:] = f_all[c]
    t = t_all[c]
    h = h_all[c]
    in_row = 0
    while True:
        stop = min(duration[c], events.next_stop(c, t, sched, net))
        dt = min(h, stop - t)
        # Land exactly on the stop when the remainder would be a sliver.
        if stop - t - dt < 1e-9 * dt:
            dt = stop - t
        step.rosenbrock_step(y0, f0, t, dt, is_open, growing, c, net, tab, work, u, y1, k1, k2)
        err = step.error_norm(u[u.shape[0] - 1], y0, y1, atol, rtol)
        for i in range(size):
            # Negative amounts beyond the absolute tolerance are not physical.
            if y1[i] < -atol[i]:
                err = np.inf
        if not math.isfinite(err):
            err = np.inf
        accept = err <= 1.0
        h = dt * step.step_factor(err, accept, exponent)
        if accept and n_trig:
            retake = _retake_at(y0, y1, k1, k2, t, dt, is_open, c, net, trig, work)
            if retake < 1.0:
                accept = False
                h = max(retake, 1e-3) * dt
        if accept:
            n_steps[c] += 1
            in_row = 0
            t_new = t + dt
            if abs(t_new - stop) <= 1e-12 * stop:
                t_new = stop
            y_end[:] = y1
            if n_trig and events.crossings(
                y0, y1, k1, k2, t, dt, t_new, is_open, c, net, trig, work, hit, theta
            ):
                cut = events.fire_crossed(hit, theta, t, dt, t_new, c, sched, trig)
                if cut < t_new:
                    # The dense output gives the state at the event.
                    step.dense_state(y0, y1, k1, k2, (cut - t) / dt, y_end)
                    t_new = cut
            theta_end = min(max((t_new - t) / dt, 0.0), 1.0)
            _fill(y0, y1, k1, k2, t, dt, t_new, c, net, out, nxt)
            _locate(y0, y1, k1, k2, y_end, t, dt, theta_end, c, net, thr, thr_time)
            for j in range(src_flow.shape[1]):
                if is_open[n_links + j]:
                    src_on[c, j] += t_new - t
                    src_amount[c, j] += (t_new - t) * src_flow[c, j]
            y0[:] = y_end
            t = t_new
            _after_events(y0, f0, t, is_open, c, net, sched, trig, work)
            _track_dp(y0, c, net, max_dp)
            if t >= duration[c]:
                break
        else:
            n_rej[c] += 1
            in_row += 1
        if t + h <= t or in_row > _MAX_REJECTIONS:
            status[c] = FAIL_STUCK
            break
        if n_steps[c] + n_rej[c] >= max_steps:
            status[c] = FAIL_STEPS
            break
    y_all[c] = y0
    f_all[c] = f0
    t_all[c] = t
    h_all[c] = h


@_jit
def _start_case(c, net, sched, trig, thr, out, ctl, state, ops, report_start, work):
    """Events due at the start, the first derivative and step, and what the start reports."""
    y_all, t_all, f_all, h_all = state[0], state[1], state[2], state[3]
    thr_time, max_dp, nxt, is_open_all = ops[0], ops[1], ops[4], ops[5]
    duration, rtol_all, atol_all = ctl[0], ctl[1], ctl[2]
    is_open = is_open_all[c]
    t = t_all[c]
    y = y_all[c]
    events.apply_due(c, t, is_open, sched)
    lean.rhs(y, is_open, t, c, net, work, f_all[c])
    t_out, array, rows, columns = out
    if report_start:
        j = 0
        while j < t_out.size and t_out[j] <= 0.0:
            for i in range(columns.size):
                array[i, rows[c], j] = lean.pressure(y, columns[i], c, net)
            j += 1
        # Output 0 is reported again by the first step (at theta = 0, the same value).
        nxt[c] = j
        _date_start(y, c, net, thr, thr_time)
    else:
        j = 0
        limit = t * (1 + 1e-12)
        while j < t_out.size and t_out[j] <= limit:
            j += 1
        nxt[c] = j
    if trig[0].size and events.fire_satisfied(y, f_all[c], t, c, net, sched, trig):
        # A condition met at the start with no delay switches its link at once, not in a
        # first step of length zero.
        _after_events(y, f_all[c], t, is_open, c, net, sched, trig, work)
    _track_dp(y, c, net, max_dp)
    h_all[c] = step.initial_step(y, f_all[c], atol_all[c], rtol_all[c], duration[c] - t)


@njit(cache=True, error_model="numpy", nogil=True)
def _integrate_range(
    lo, hi, rt_v, link_a, link_b, vacuum, boundary_p, delta, flow_scale, consts, fan_link,
    fan_a, fan_b, src_module, src_flow, growth_of_link, growth_time, growth_area,
    nominal_area, breakpoints, ev_time, ev_target, ev_opens, done, ev_last, trig_module,
    trig_rate,
    trig_sign, trig_level, trig_delay, trig_event, fired, fired_at, rate_now, rearms, thr_sign,
    thr_share, thr_level, t_out, array, rows, columns, duration, rtol, atol, max_steps,
    exponent, gamma, tab_a, tab_c, tab_h1, tab_h2, stage_time, tab_d, y, t, f, h, n_steps,
    n_rejected, status, thr_time, max_dp, src_on, src_amount, nxt, is_open, report_start,
):  # fmt: skip
    """:func:`integrate_lean` for the cases ``lo`` to ``hi - 1``, without the GIL."""
    work = scratch(link_a.size, y.shape[1], tab_h1.size + 1, trig_module.size)
    for c in range(lo, hi):
        net = (
            rt_v, link_a, link_b, vacuum, boundary_p, delta, flow_scale, consts, fan_link,
            fan_a, fan_b, src_module, src_flow, growth_of_link, growth_time, growth_area,
            nominal_area, breakpoints,
        )  # fmt: skip
        sched = (ev_time, ev_target, ev_opens, done, ev_last)
        trig = (
            trig_module, trig_rate, trig_sign, trig_level, trig_delay, trig_event, fired,
            fired_at, rate_now, rearms,
        )  # fmt: skip
        thr = (thr_sign, thr_share, thr_level)
        out = (t_out, array, rows, columns)
        ctl = (duration, rtol, atol, max_steps, exponent)
        tab = (gamma, tab_a, tab_c, tab_h1, tab_h2, stage_time, tab_d)
        state = (y, t, f, h, n_steps, n_rejected, status)
        ops = (thr_time, max_dp, src_on, src_amount, nxt, is_open)
        _start_case(c, net, sched, trig, thr, out, ctl, state, ops, report_start, work)
        if t[c] < duration[c]:
            _run_case(c, net, sched, trig, thr, out, ctl, tab, state, ops, work)


def integrate_lean(net, sched, trig, thr, out, ctl, tab, state, ops, report_start, threads=None):
    """Integrate every case of a lean station to its end, in parallel over cases.

    Parameters
    ----------
    net : tuple
        The station's arrays, in the order of the constants of
        :mod:`leaksim.core.solver.kernel.lean`.
    sched : tuple
        ``(time (C, E), target (E,), opens (E,), done (C, E), last (C, E))`` of the
        scheduled events; ``time``, ``done`` and ``last`` are updated in place.
    trig : tuple
        The triggers (:mod:`leaksim.core.solver.kernel.events`); their state is updated in
        place.
    thr : tuple
        ``(sign (L,), share (C, L, M), level (C, L))``: threshold ``j`` is reached when
        ``sign p share <= level``.
    out : tuple
        ``(t_out (T,), array (M', C', T), rows (C,), columns (M',))`` as
        :class:`~leaksim.core.solver.PressureOut`.
    ctl : tuple
        ``(duration (C,), rtol (C,), atol (C, M), max_steps, exponent)``.
    tab : tuple
        ``(gamma, a, c, h1, h2, stage_time, d)`` of the Rosenbrock tableau.
    state : tuple
        ``(y, t, f, h, n_steps, n_rejected, status)``, per case; updated in place.
    ops : tuple
        ``(threshold_time, max_dp, source_on_time, source_amount, next_output, is_open)``,
        per case; updated in place.
    report_start : bool
        Report the outputs and thresholds at t = 0 (a run from the start), or skip the output
        times up to each case's start time (a resumed run).
    threads : int, optional
        Threads to run cases on; by default one per core (``os.cpu_count()``).
    """
    arrays = (*net, *sched, *trig, *thr, *out, *ctl, *tab, *state, *ops, report_start)
    n_cases = state[0].shape[0]
    workers = max(1, min(threads or os.cpu_count() or 1, n_cases))
    if workers == 1:
        _integrate_range(0, n_cases, *arrays)
        return
    # Chunks of the case range, several per thread to even out cases of unequal cost. Each
    # case is integrated by one thread from its own rows only, so the chunking changes no bit.
    bounds = np.linspace(0, n_cases, min(n_cases, 8 * workers) + 1).astype(int)
    with ThreadPoolExecutor(workers) as pool:
        runs = [
            pool.submit(_integrate_range, int(lo), int(hi), *arrays)
            for lo, hi in zip(bounds[:-1], bounds[1:], strict=True)
        ]
        for run in runs:
            run.result()
