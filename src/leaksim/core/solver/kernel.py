"""The compiled integrator: each case's whole run in one fused, compiled loop.

The batched loop of :mod:`leaksim.core.solver.integrator` advances every case by one step per
iteration, each operation an array pass over all cases. Here one compiled function (numba,
``nopython``) runs one case from its start to its end: the RODAS4 step of
:mod:`~leaksim.core.solver.rosenbrock` with the same tableau, the same error norm and step
controller (:mod:`~leaksim.core.solver.controller`), scheduled events ending steps exactly
(:mod:`~leaksim.core.solver.events`), outputs from the dense output
(:mod:`~leaksim.core.solver.dense`), thresholds located by the same bisection, and the
right-hand side and analytic Jacobian of :class:`~leaksim.core.model.LeanModel`, so a step
touches each case's few numbers once and takes the same steps as the batched loop.

Cases run in parallel over the machine's cores: chunks of cases on a pool of threads, the
compiled loop releasing the GIL (numba's ``parallel=True`` loops took several times longer to
compile). A case reads only its own rows, so its answer has the same bits alone, in any batch
and on any number of threads. Divisions follow numpy's rules (``error_model="numpy"``): a
zero divisor gives inf or NaN, which the error test rejects, instead of a Python exception
whose checks cost more than half the run time.

The physics is the lean model's (one gas at one temperature, fans, constant feeds, scheduled
events); the functions below are scalar transcriptions of
:func:`leaksim.core.flow.regularised_flux_and_slopes` and :class:`~leaksim.core.model.LeanModel`,
which stay the reference that ``tests/test_kernel.py`` holds them to.

Compiled on first use and cached on disk (``cache=True``), so importing leaksim costs nothing
and later processes load the machine code.
"""

from __future__ import annotations

import math
import os
from concurrent.futures import ThreadPoolExecutor

import numpy as np
from numba import njit

__all__ = ["flux_and_slopes", "integrate_lean"]

# Failure codes of a case (``status`` stays 0 for a finished case).
FAIL_STUCK = 1
FAIL_STEPS = 2

# As in the batched integrator: consecutive rejections after which a case fails, halvings of a
# threshold's bracket, and the step controller's constants (controller.StepController).
_MAX_REJECTIONS = 60
_BISECTIONS = 34
_SAFETY, _MIN_FACTOR, _MAX_FACTOR, _NON_FINITE_FACTOR = 0.9, 0.2, 6.0, 0.25


@njit(cache=True, error_model="numpy", inline="always")
def flux_and_slopes(p_u, p_d, delta, r_star, coefficient, exponent_1, exponent_2, psi_star):
    """``Phi = p_u Psi reg`` and its slopes for one link, ``p_u >= p_d``, ``delta > 0``:
    :func:`leaksim.core.flow.regularised_flux_and_slopes` for scalars (its notes give the law),
    with the gas's ``psi*`` given and ``log r`` taken once."""
    if not p_u > 0.0:
        return 0.0, 0.0, 0.0
    dp = p_u - p_d
    q = max(dp / p_u, 0.0)
    r = 1.0 - q
    delta2 = delta * delta
    d2 = dp * dp + delta2
    if r <= r_star:  # choked: Phi = p_u psi* reg(dp), d log reg / d dp = delta^2 / (2 dp d2)
        reg = math.sqrt(math.sqrt(dp * dp / d2))
        phi = p_u * psi_star * reg
        b = 0.5 * delta2 / (dp * d2)
        return phi, psi_star * reg + phi * b, -phi * b
    if q < 1e-6:
        g = exponent_2 + 0.5 * exponent_2 * (1.0 - exponent_2) * q
        r_e1 = math.exp(exponent_1 * math.log(r))
        log_g = 0.5 * (1.0 - exponent_2)
        r_sub = r
    else:
        log_r = math.log1p(-q)
        one_minus_r_e2 = -math.expm1(exponent_2 * log_r)
        g = one_minus_r_e2 / q
        r_e1 = math.exp(exponent_1 * log_r)
        log_g = (exponent_2 * (1.0 - one_minus_r_e2) / (r * g) - 1.0) / q
        r_sub = r
    phi_dp = math.sqrt(p_u * coefficient * r_e1 * g) / math.sqrt(math.sqrt(d2))
    inv_pu = 1.0 / p_u
    half_w = 0.5 * dp / d2
    a_u = 0.5 * inv_pu * (1.0 - exponent_1 + log_g * r_sub) - half_w
    a_d = half_w + 0.5 * inv_pu * (exponent_1 / r_sub - log_g)
    return dp * phi_dp, phi_dp * (1.0 + dp * a_u), phi_dp * (dp * a_d - 1.0)


@njit(cache=True, error_model="numpy", inline="always")
def _link_flows(y, is_open, c, net, flow, d_a, d_b, slopes):
    """Molar flow of every link of case ``c`` from side a to side b [mol/s], and with
    ``slopes`` its derivatives by the pressures of sides a and b [mol/(s Pa)]
    (:meth:`~leaksim.core.model.LeanModel._lean_flow`)."""
    rt_v, link_a, link_b, vacuum = net[0], net[1], net[2], net[3]
    boundary_p, delta, flow_scale, consts = net[4], net[5], net[6], net[7]
    for k in range(link_a.size):
        a, b = link_a[k], link_b[k]
        open_k = 1.0 if is_open[k] else 0.0
        p_a = y[a] * rt_v[c, a]
        if vacuum[k]:
            scale = flow_scale[c, k] * open_k
            flow[k] = scale * p_a
            d_a[k] = scale
            d_b[k] = 0.0
            continue
        p_b = boundary_p[c, k] if b < 0 else y[b] * rt_v[c, b]
        forward = p_a >= p_b
        p_u, p_d = (p_a, p_b) if forward else (p_b, p_a)
        phi, du, dd = flux_and_slopes(
            p_u,
            p_d,
            delta[c, k],
            consts[c, 0],
            consts[c, 1],
            consts[c, 2],
            consts[c, 3],
            consts[c, 4],
        )
        scale = flow_scale[c, k] * open_k
        if forward:
            flow[k], d_a[k], d_b[k] = scale * phi, scale * du, scale * dd
        else:
            # Reversed flow: -Phi(p_b, p_a), so the roles of the two slopes swap.
            flow[k], d_a[k], d_b[k] = -scale * phi, -scale * dd, -scale * du


@njit(cache=True, error_model="numpy", inline="always")
def _rhs(y, is_open, c, net, work, out):
    """``dN/dt`` of every module of case ``c`` [mol/s] (:meth:`LeanModel.rhs`)."""
    link_a, link_b = net[1], net[2]
    fan_link, fan_a, fan_b, src_module, src_flow = net[8], net[9], net[10], net[11], net[12]
    flow, d_a, d_b = work[0], work[1], work[2]
    _link_flows(y, is_open, c, net, flow, d_a, d_b, False)
    out[:] = 0.0
    for k in range(link_a.size):
        out[link_a[k]] -= flow[k]
        if link_b[k] >= 0:
            out[link_b[k]] += flow[k]
    for i in range(fan_link.size):
        k = fan_link[i]
        if is_open[k]:
            a, b = link_a[k], link_b[k]
            into_a = fan_b[c, i] * y[b] - fan_a[c, i] * y[a]
            out[a] += into_a
            out[b] -= into_a
    n_links = link_a.size
    for j in range(src_module.size):
        if is_open[n_links + j]:
            out[src_module[j]] += src_flow[c, j]


@njit(cache=True, error_model="numpy", inline="always")
def _jacobian(y, is_open, c, net, work, jac):
    """``d rhs / d y`` of case ``c`` (:meth:`LeanModel.jacobian`), rows by columns."""
    rt_v, link_a, link_b = net[0], net[1], net[2]
    fan_link, fan_a, fan_b = net[8], net[9], net[10]
    flow, d_a, d_b = work[0], work[1], work[2]
    _link_flows(y, is_open, c, net, flow, d_a, d_b, True)
    jac[:, :] = 0.0
    for k in range(link_a.size):
        a, b = link_a[k], link_b[k]
        by_a = d_a[k] * rt_v[c, a]
        jac[a, a] -= by_a
        if b >= 0:
            by_b = d_b[k] * rt_v[c, b]
            jac[a, b] -= by_b
            jac[b, a] += by_a
            jac[b, b] += by_b
    for i in range(fan_link.size):
        k = fan_link[i]
        if is_open[k]:
            a, b = link_a[k], link_b[k]
            jac[a, a] -= fan_a[c, i]
            jac[a, b] += fan_b[c, i]
            jac[b, a] += fan_a[c, i]
            jac[b, b] -= fan_b[c, i]


@njit(cache=True, error_model="numpy", inline="always")
def _lu_factor(w, perm):
    """LU with partial pivoting of ``w`` in place (:func:`leaksim.core.linalg.lu_factor`)."""
    size = w.shape[0]
    for i in range(size):
        perm[i] = i
    for k in range(size - 1):
        pivot = k
        for i in range(k + 1, size):
            if abs(w[i, k]) > abs(w[pivot, k]):
                pivot = i
        if pivot != k:
            for j in range(size):
                w[k, j], w[pivot, j] = w[pivot, j], w[k, j]
            perm[k], perm[pivot] = perm[pivot], perm[k]
        for i in range(k + 1, size):
            factor = w[i, k] / w[k, k]
            w[i, k] = factor
            for j in range(k + 1, size):
                w[i, j] -= factor * w[k, j]


@njit(cache=True, error_model="numpy", inline="always")
def _lu_solve(lu, perm, b, x):
    """Solve from :func:`_lu_factor`'s output, column by column as the batched solve does."""
    size = lu.shape[0]
    for i in range(size):
        x[i] = b[perm[i]]
    for j in range(size - 1):
        for i in range(j + 1, size):
            x[i] -= lu[i, j] * x[j]
    for j in range(size - 1, -1, -1):
        x[j] /= lu[j, j]
        for i in range(j):
            x[i] -= lu[i, j] * x[j]


@njit(cache=True, error_model="numpy")
def _step(y0, f0, h, is_open, c, net, tab, work, u, y1, k1, k2):
    """One RODAS4 step of case ``c`` (:func:`~leaksim.core.solver.rosenbrock.rosenbrock_step`
    without time dependence): ``y1``, the dense coefficients ``k1``, ``k2``; the error estimate
    is ``u[last]``."""
    gamma, a, cc, h1, h2 = tab
    size = y0.size
    n_stages = h1.size + 1
    last = n_stages - 1
    w, perm, y_stage, rhs_stage, f_stage = work[3], work[4], work[5], work[6], work[7]
    jac = work[8]
    _jacobian(y0, is_open, c, net, work, jac)
    for i in range(size):
        for j in range(size):
            w[i, j] = -jac[i, j]
        w[i, i] += 1.0 / (h * gamma)
    _lu_factor(w, perm)
    rhs_stage[:] = f0
    y_stage[:] = y0
    for stage in range(n_stages):
        if stage > 0:
            if stage < last:
                for i in range(size):
                    acc = 0.0
                    for j in range(stage):
                        acc += a[stage - 1, j] * u[j, i]
                    y_stage[i] = y0[i] + acc
            else:
                # Stiff accuracy: the last stage is at Y_{s-1} + u_{s-1}.
                for i in range(size):
                    y_stage[i] += u[stage - 1, i]
            _rhs(y_stage, is_open, c, net, work, f_stage)
            for i in range(size):
                acc = 0.0
                for j in range(stage):
                    acc += (cc[stage - 1, j] / h) * u[j, i]
                rhs_stage[i] = f_stage[i] + acc
        _lu_solve(w, perm, rhs_stage, u[stage])
    for i in range(size):
        y1[i] = y_stage[i] + u[last, i]
        acc1 = 0.0
        acc2 = 0.0
        for j in range(last):
            acc1 += h1[j] * u[j, i]
            acc2 += h2[j] * u[j, i]
        k1[i] = acc1
        k2[i] = acc2


@njit(cache=True, error_model="numpy", inline="always")
def _error_norm(err, y0, y1, atol, rtol):
    """Scaled RMS norm of the error (:func:`~leaksim.core.solver.controller.error_norm`)."""
    total = 0.0
    for i in range(err.size):
        scale = atol[i] + rtol * max(abs(y0[i]), abs(y1[i]))
        total += (err[i] / scale) ** 2
    return math.sqrt(total / err.size)


@njit(cache=True, error_model="numpy", inline="always")
def _factor(err, accept, exponent):
    """Next step over this step (:meth:`~leaksim.core.solver.controller.StepController.factor`)."""
    if not math.isfinite(err):
        return _NON_FINITE_FACTOR
    ideal = _MAX_FACTOR if err == 0.0 else _SAFETY * err**exponent
    factor = min(max(ideal, _MIN_FACTOR), _MAX_FACTOR)
    return factor if accept else min(factor, 1.0)


@njit(cache=True, error_model="numpy")
def _initial_step(y, f, atol, rtol, span):
    """First step [s] (:func:`~leaksim.core.solver.controller.initial_step`)."""
    d0 = 0.0
    d1 = 0.0
    for i in range(y.size):
        scale = atol[i] + rtol * abs(y[i])
        d0 += (y[i] / scale) ** 2
        d1 += (f[i] / scale) ** 2
    d0 = math.sqrt(d0 / y.size)
    d1 = math.sqrt(d1 / y.size)
    h = 0.01 * d0 / d1 if (d0 > 1e-5 and d1 > 1e-5) else 1e-6 * span
    return min(h, span)


@njit(cache=True, error_model="numpy", inline="always")
def _pressure_at(y0, y1, k1, k2, rt_v, m, theta):
    """Pressure of module ``m`` at the fraction ``theta`` of a step, never negative
    (:func:`~leaksim.core.solver.dense.pressure_at`)."""
    c0 = y0[m] * rt_v
    c1 = (y1[m] - y0[m] + k1[m]) * rt_v
    c2 = (k2[m] - k1[m]) * rt_v
    c3 = -k2[m] * rt_v
    return max(((c3 * theta + c2) * theta + c1) * theta + c0, 0.0)


@njit(cache=True, error_model="numpy")
def _apply_due(c, t, is_open, sched, done):
    """Switch what the events due by ``t`` switch, in event order; whether any happened."""
    ev_time, ev_target, ev_opens = sched
    happened = False
    for e in range(ev_target.size):
        if not done[c, e] and ev_time[c, e] <= t:
            is_open[ev_target[e]] = ev_opens[e]
            done[c, e] = True
            happened = True
    return happened


@njit(cache=True, error_model="numpy")
def _next_stop(c, sched, done):
    """Time of case ``c``'s next event not yet happened [s]; inf if none."""
    ev_time = sched[0]
    nxt = np.inf
    for e in range(ev_time.shape[1]):
        if not done[c, e] and ev_time[c, e] < nxt:
            nxt = ev_time[c, e]
    return nxt


@njit(cache=True, error_model="numpy")
def _track_dp(y, c, net, max_dp):
    """Largest |p_a - p_b| of every link so far [Pa]."""
    rt_v, link_a, link_b, boundary_p = net[0], net[1], net[2], net[4]
    for k in range(link_a.size):
        p_a = max(y[link_a[k]] * rt_v[c, link_a[k]], 0.0)
        b = link_b[k]
        p_b = boundary_p[c, k] if b < 0 else max(y[b] * rt_v[c, b], 0.0)
        max_dp[c, k] = max(max_dp[c, k], abs(p_a - p_b))


@njit(cache=True, error_model="numpy")
def _date_start(y, c, net, thr, thr_time):
    """Date at t = 0 the thresholds already reached by the starting state."""
    rt_v = net[0]
    sign, share, level = thr
    for j in range(sign.size):
        for m in range(y.size):
            p = max(y[m] * rt_v[c, m], 0.0)
            if sign[j] * p * share[c, j, m] <= level[c, j]:
                thr_time[c, j, m] = 0.0


@njit(cache=True, error_model="numpy")
def _locate(y0, y1, k1, k2, t0, h, theta_end, c, net, thr, thr_time):
    """Date the thresholds first reached in an accepted step, by bisection on its cubic."""
    rt_v = net[0]
    sign, share, level = thr
    for j in range(sign.size):
        for m in range(y0.size):
            if not math.isnan(thr_time[c, j, m]):
                continue
            s = sign[j] * share[c, j, m]
            before = s * max(y0[m] * rt_v[c, m], 0.0) - level[c, j]
            after = s * max(y1[m] * rt_v[c, m], 0.0) - level[c, j]
            if not (before > 0.0 and after <= 0.0):
                continue
            lo, hi = 0.0, theta_end
            for _ in range(_BISECTIONS):
                mid = 0.5 * (lo + hi)
                if s * _pressure_at(y0, y1, k1, k2, rt_v[c, m], m, mid) <= level[c, j]:
                    hi = mid
                else:
                    lo = mid
            thr_time[c, j, m] = t0 + hi * h


@njit(cache=True, error_model="numpy")
def _fill(y0, y1, k1, k2, t0, h, t_new, c, net, out, nxt):
    """Report every output time up to ``t_new`` that the accepted step passed."""
    rt_v = net[0]
    t_out, array, rows, columns = out
    row = rows[c]
    j = nxt[c]
    limit = t_new * (1 + 1e-12)
    inv_h = 1.0 / h
    while j < t_out.size and t_out[j] <= limit:
        theta = min(max((t_out[j] - t0) * inv_h, 0.0), 1.0)
        for i in range(columns.size):
            m = columns[i]
            array[i, row, j] = _pressure_at(y0, y1, k1, k2, rt_v[c, m], m, theta)
        j += 1
    nxt[c] = j


@njit(cache=True, error_model="numpy")
def _work(n_links, size, n_stages):
    """Scratch arrays of a thread, reused case after case: link flows and slopes, W, its
    pivots, three stage vectors, J, the stages, and y0, f0, y1, k1, k2."""
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
        np.empty((5, size)),
    )


@njit(cache=True, error_model="numpy")
def _run_case(c, net, sched, thr, out, ctl, tab, state, ops, work):
    """Integrate case ``c`` from its start to its end (the loop of
    :class:`~leaksim.core.solver.integrator.Integrator` for one case)."""
    n_links = net[1].size
    src_flow = net[12]
    y_all, t_all, f_all, h_all, n_steps, n_rej, status = state
    thr_time, max_dp, src_on, src_amount, done, nxt, is_open_all = ops
    duration, rtol_all, atol_all, max_steps, exponent = ctl
    size = y_all.shape[1]
    is_open = is_open_all[c]
    rtol, atol = rtol_all[c], atol_all[c]
    u = work[9]
    y0, f0, y1, k1, k2 = work[10][0], work[10][1], work[10][2], work[10][3], work[10][4]
    y0[:] = y_all[c]
    f0[:] = f_all[c]
    t = t_all[c]
    h = h_all[c]
    in_row = 0
    while True:
        stop = min(duration[c], _next_stop(c, sched, done))
        step = min(h, stop - t)
        # Land exactly on the stop when the remainder would be a sliver.
        if stop - t - step < 1e-9 * step:
            step = stop - t
        _step(y0, f0, step, is_open, c, net, tab, work, u, y1, k1, k2)
        err = _error_norm(u[tab[3].size], y0, y1, atol, rtol)
        for i in range(size):
            # Negative amounts beyond the absolute tolerance are not physical.
            if y1[i] < -atol[i]:
                err = np.inf
        if not math.isfinite(err):
            err = np.inf
        accept = err <= 1.0
        h = step * _factor(err, accept, exponent)
        if accept:
            n_steps[c] += 1
            in_row = 0
            t_new = t + step
            if abs(t_new - stop) <= 1e-12 * stop:
                t_new = stop
            theta_end = min(max((t_new - t) / step, 0.0), 1.0)
            _fill(y0, y1, k1, k2, t, step, t_new, c, net, out, nxt)
            _locate(y0, y1, k1, k2, t, step, theta_end, c, net, thr, thr_time)
            for j in range(src_flow.shape[1]):
                if is_open[n_links + j]:
                    src_on[c, j] += t_new - t
                    src_amount[c, j] += (t_new - t) * src_flow[c, j]
            y0[:] = y1
            t = t_new
            _apply_due(c, t, is_open, sched, done)
            _rhs(y0, is_open, c, net, work, f0)
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


@njit(cache=True, error_model="numpy")
def _start_case(c, net, sched, thr, out, ctl, state, ops, report_start, work):
    """Events due at the start, the first derivative and step, and what the start reports."""
    y_all, t_all, f_all, h_all = state[:4]
    thr_time, max_dp, _, _, done, nxt, is_open_all = ops
    duration, rtol_all, atol_all = ctl[:3]
    is_open = is_open_all[c]
    t = t_all[c]
    _apply_due(c, t, is_open, sched, done)
    _rhs(y_all[c], is_open, c, net, work, f_all[c])
    t_out, array, rows, columns = out
    rt_v = net[0]
    if report_start:
        j = 0
        while j < t_out.size and t_out[j] <= 0.0:
            for i in range(columns.size):
                array[i, rows[c], j] = max(y_all[c, columns[i]] * rt_v[c, columns[i]], 0.0)
            j += 1
        # Output 0 is reported again by the first step (at theta = 0, the same value).
        nxt[c] = j
        _date_start(y_all[c], c, net, thr, thr_time)
    else:
        j = 0
        limit = t * (1 + 1e-12)
        while j < t_out.size and t_out[j] <= limit:
            j += 1
        nxt[c] = j
    _track_dp(y_all[c], c, net, max_dp)
    h_all[c] = _initial_step(y_all[c], f_all[c], atol_all[c], rtol_all[c], duration[c] - t)


@njit(cache=True, error_model="numpy", nogil=True)
def _integrate_range(
    lo, hi, rt_v, link_a, link_b, vacuum, boundary_p, delta, flow_scale, consts, fan_link, fan_a,
    fan_b, src_module, src_flow, ev_time, ev_target, ev_opens, thr_sign, thr_share, thr_level,
    t_out, array, rows, columns, duration, rtol, atol, max_steps, exponent, gamma, tab_a,
    tab_c, tab_h1, tab_h2, y, t, f, h, n_steps, n_rejected, status, thr_time, max_dp, src_on,
    src_amount, done, nxt, is_open, report_start,
):  # fmt: skip
    """:func:`integrate_lean` for the cases ``lo`` to ``hi - 1``, without the GIL."""
    work = _work(link_a.size, y.shape[1], tab_h1.size + 1)
    for c in range(lo, hi):
        net = (
            rt_v, link_a, link_b, vacuum, boundary_p, delta, flow_scale, consts, fan_link,
            fan_a, fan_b, src_module, src_flow,
        )  # fmt: skip
        sched = (ev_time, ev_target, ev_opens)
        thr = (thr_sign, thr_share, thr_level)
        out = (t_out, array, rows, columns)
        ctl = (duration, rtol, atol, max_steps, exponent)
        tab = (gamma, tab_a, tab_c, tab_h1, tab_h2)
        state = (y, t, f, h, n_steps, n_rejected, status)
        ops = (thr_time, max_dp, src_on, src_amount, done, nxt, is_open)
        _start_case(c, net, sched, thr, out, ctl, state, ops, report_start, work)
        if t[c] < duration[c]:
            _run_case(c, net, sched, thr, out, ctl, tab, state, ops, work)


def integrate_lean(net, sched, thr, out, ctl, tab, state, ops, report_start, threads=None):
    """Integrate every case of a lean station to its end, in parallel over cases.

    Parameters
    ----------
    net : tuple
        ``(rt_v, link_a, link_b, vacuum, boundary_p, delta, flow_scale, consts, fan_link,
        fan_a, fan_b, src_module, src_flow)``: the lean model's per-case arrays (case axis
        first) and the station's index arrays.
    sched : tuple
        ``(time (C, E), target (E,), opens (E,))`` of the scheduled events.
    thr : tuple
        ``(sign (L,), share (C, L, M), level (C, L))``: threshold ``j`` is reached when
        ``sign p share <= level``.
    out : tuple
        ``(t_out (T,), array (M', C', T), rows (C,), columns (M',))`` as
        :class:`~leaksim.core.solver.PressureOut`.
    ctl : tuple
        ``(duration (C,), rtol (C,), atol (C, M), max_steps, exponent)``.
    tab : tuple
        ``(gamma, a, c, h1, h2)`` of the Rosenbrock tableau, ``a`` and ``c`` zero-padded.
    state : tuple
        ``(y, t, f, h, n_steps, n_rejected, status)``, per case; updated in place.
    ops : tuple
        ``(threshold_time, max_dp, source_on_time, source_amount, event_done, next_output,
        is_open)``, per case; updated in place.
    report_start : bool
        Report the outputs and thresholds at t = 0 (a run from the start), or skip the output
        times up to each case's start time (a resumed run).
    threads : int, optional
        Threads to run cases on; by default one per core (``os.cpu_count()``).
    """
    arrays = (*net, *sched, *thr, *out, *ctl, *tab, *state, *ops, report_start)
    n_cases = state[0].shape[0]
    workers = max(1, min(threads or os.cpu_count() or 1, n_cases))
    # Chunks of the case range, several per thread to even out cases of unequal cost. Each
    # case is integrated by one thread from its own rows only, so the chunking changes no bit.
    bounds = np.linspace(0, n_cases, min(n_cases, 8 * workers) + 1).astype(int)
    if workers == 1:
        _integrate_range(0, n_cases, *arrays)
        return
    with ThreadPoolExecutor(workers) as pool:
        runs = [
            pool.submit(_integrate_range, int(lo), int(hi), *arrays)
            for lo, hi in zip(bounds[:-1], bounds[1:], strict=True)
        ]
        for run in runs:
            run.result()
