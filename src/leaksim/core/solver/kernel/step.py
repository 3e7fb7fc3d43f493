"""One Rosenbrock step of one case, and its control: the compiled counterparts of
:mod:`~leaksim.core.solver.rosenbrock`, :mod:`~leaksim.core.linalg`,
:mod:`~leaksim.core.solver.controller` and :mod:`~leaksim.core.solver.dense`.

``tab`` is ``(gamma, a, c, h1, h2, stage_time, d)`` of the tableau
(:data:`~leaksim.core.solver.tableau.RODAS4`), ``a`` and ``c`` zero-padded to squares.
``work`` is a thread's scratch (:func:`leaksim.core.solver.kernel.loop.scratch`).
"""

from __future__ import annotations

import math

from numba import njit

from . import lean

# The step controller's constants (controller.StepController).
_SAFETY, _MIN_FACTOR, _MAX_FACTOR, _NON_FINITE_FACTOR = 0.9, 0.2, 6.0, 0.25

_jit = njit(cache=True, error_model="numpy", inline="always")


@_jit
def lu_factor(w, perm):
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


@_jit
def lu_solve(lu, perm, b, x):
    """Solve from :func:`lu_factor`'s output, column by column as the batched solve does."""
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
def rosenbrock_step(y0, f0, t0, h, is_open, growing, c, net, tab, work, u, y1, k1, k2):
    """One RODAS4 step of case ``c``
    (:func:`~leaksim.core.solver.rosenbrock.rosenbrock_step`): ``y1`` and the dense
    coefficients ``k1``, ``k2``; the error estimate is left in ``u[last]``. With ``growing``
    areas the stages are taken at their times and carry ``df/dt``."""
    gamma, a, cc, h1, h2, stage_time, d = tab
    size = y0.size
    n_stages = h1.size + 1
    last = n_stages - 1
    w, perm, y_stage, rhs_stage, f_stage = work[3], work[4], work[5], work[6], work[7]
    jac, f_t = work[8], work[11]
    lean.jacobian(y0, is_open, t0, c, net, work, jac)
    for i in range(size):
        for j in range(size):
            w[i, j] = -jac[i, j]
        w[i, i] += 1.0 / (h * gamma)
    lu_factor(w, perm)
    rhs_stage[:] = f0
    if growing:
        lean.time_derivative(y0, is_open, t0, c, net, work, f_t)
        for i in range(size):
            rhs_stage[i] = f0[i] + (h * d[0]) * f_t[i]
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
            lean.rhs(y_stage, is_open, t0 + stage_time[stage] * h, c, net, work, f_stage)
            for i in range(size):
                acc = 0.0
                for j in range(stage):
                    acc += (cc[stage - 1, j] / h) * u[j, i]
                rhs_stage[i] = f_stage[i] + acc
                if growing and d[stage] != 0.0:
                    rhs_stage[i] += (h * d[stage]) * f_t[i]
        lu_solve(w, perm, rhs_stage, u[stage])
    for i in range(size):
        y1[i] = y_stage[i] + u[last, i]
        acc1 = 0.0
        acc2 = 0.0
        for j in range(last):
            acc1 += h1[j] * u[j, i]
            acc2 += h2[j] * u[j, i]
        k1[i] = acc1
        k2[i] = acc2


@_jit
def error_norm(err, y0, y1, atol, rtol):
    """Scaled RMS norm of the error (:func:`~leaksim.core.solver.controller.error_norm`)."""
    total = 0.0
    for i in range(err.size):
        scale = atol[i] + rtol * max(abs(y0[i]), abs(y1[i]))
        total += (err[i] / scale) ** 2
    return math.sqrt(total / err.size)


@_jit
def step_factor(err, accept, exponent):
    """Next step over this step (:meth:`~leaksim.core.solver.controller.StepController.factor`)."""
    if not math.isfinite(err):
        return _NON_FINITE_FACTOR
    ideal = _MAX_FACTOR if err == 0.0 else _SAFETY * err**exponent
    factor = min(max(ideal, _MIN_FACTOR), _MAX_FACTOR)
    return factor if accept else min(factor, 1.0)


@njit(cache=True, error_model="numpy")
def initial_step(y, f, atol, rtol, span):
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


@_jit
def dense_state(y0, y1, k1, k2, theta, out):
    """The state at the fraction ``theta`` of a step
    (:class:`~leaksim.core.solver.dense.DenseOutput`)."""
    for i in range(y0.size):
        out[i] = (1 - theta) * y0[i] + theta * (y1[i] + (1 - theta) * (k1[i] + theta * k2[i]))


@_jit
def pressure_at(y0, y1, k1, k2, rt_v, m, theta):
    """Pressure of module ``m`` at the fraction ``theta`` of a step, never negative
    (:func:`~leaksim.core.solver.dense.pressure_at`)."""
    c0 = y0[m] * rt_v
    c1 = (y1[m] - y0[m] + k1[m]) * rt_v
    c2 = (k2[m] - k1[m]) * rt_v
    c3 = -k2[m] * rt_v
    return max(((c3 * theta + c2) * theta + c1) * theta + c0, 0.0)
