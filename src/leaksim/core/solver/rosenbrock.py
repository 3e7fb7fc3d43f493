"""One Rosenbrock step for a batch of cases, each with its own step size.

Rosenbrock methods need one Jacobian and one LU factorisation per step and no Newton
iteration, which maps well onto array code: every case takes the same sequence of operations
with different numbers. The linear systems are small (one amount per module for a
uniform-composition station) and are factorised by :mod:`leaksim.core.linalg` with the case
axis last; the factorisation serves all stages.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from ..linalg import lu_factor, lu_solve
from .dense import DenseOutput
from .tableau import RosenbrockTableau

__all__ = ["RightHandSide", "rosenbrock_step"]

#: ``f(y, t)``, (n, F), of states ``y`` (n, F) at times ``t`` (n,) [s]; ``t`` is None for a
#: right-hand side that does not depend on time.
RightHandSide = Callable[[np.ndarray, np.ndarray | None], np.ndarray]


def rosenbrock_step(
    tableau: RosenbrockTableau,
    rhs: RightHandSide,
    jacobian: np.ndarray,
    y0: np.ndarray,
    f0: np.ndarray,
    t0: np.ndarray,
    h: np.ndarray,
    f_t: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, DenseOutput]:
    """Advance every row by one step of a stiffly accurate Rosenbrock method.

    Parameters
    ----------
    tableau : RosenbrockTableau
        The method, in the transformed form of :mod:`leaksim.core.solver.tableau`.
    rhs : callable
        The right-hand side, ``rhs(y, t)`` (:data:`RightHandSide`).
    jacobian : ndarray, shape (F, F, n)
        ``df/dy`` at the start of each step, case axis last [1/s].
    y0, f0 : ndarray, shape (n, F)
        State and its derivative at the start of each step.
    t0, h : ndarray, shape (n,)
        Start and length of each step [s].
    f_t : ndarray, shape (n, F), optional
        ``df/dt`` at the start of each step; None for a right-hand side that does not depend
        on time (it is then called with ``t = None``).

    Returns
    -------
    y1 : ndarray, shape (n, F)
        State at the end of each step.
    error : ndarray, shape (n, F)
        Difference from the embedded solution: the local error estimate.
    dense : DenseOutput
        The interpolant over each step.
    """
    size = y0.shape[1]
    w = (np.eye(size)[:, :, None] / (h * tableau.gamma)) - jacobian
    lu, perm = lu_factor(w)
    u: list[np.ndarray] = []
    rhs_stage = f0
    y_stage = y0
    if f_t is not None:
        rhs_stage = f0 + (h * tableau.d[0])[:, None] * f_t
    last = tableau.n_stages - 1
    for stage in range(tableau.n_stages):
        if stage > 0:
            if stage < last:
                y_stage = y0 + _weighted(tableau.a[stage - 1], u)
            else:
                # Stiff accuracy: the last stage is at Y_{s-1} + u_{s-1}.
                y_stage = y_stage + u[stage - 1]
            t_stage = t0 + tableau.stage_time[stage] * h if f_t is not None else None
            rhs_stage = rhs(y_stage, t_stage) + sum(
                (c / h)[:, None] * uj for c, uj in zip(tableau.c[stage - 1], u, strict=False)
            )
            if f_t is not None and tableau.d[stage]:
                rhs_stage = rhs_stage + (h * tableau.d[stage])[:, None] * f_t
        u.append(lu_solve(lu, perm, rhs_stage.T).T)
    y1 = y_stage + u[last]
    dense = DenseOutput(t0, h, y0, y1, _weighted(tableau.h1, u), _weighted(tableau.h2, u))
    return y1, u[last], dense


def _weighted(weights: Sequence[float], u: Sequence[np.ndarray]) -> np.ndarray:
    """``sum_j weights[j] u[j]`` over the leading stages, summed in stage order."""
    return np.asarray(sum(w * uj for w, uj in zip(weights, u, strict=False)))
