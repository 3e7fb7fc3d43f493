"""Per-case step-size control: the error norm, the next step size and the first step.

Each case has its own tolerances, error norm and step size. A step is accepted where the
scaled RMS norm of its error estimate is at most 1; the next step is the standard elementary
controller ``h_new = h * clip(safety * err^(-1 / (q + 1)), min_factor, max_factor)`` with ``q``
the order of the embedded solution (Hairer, Norsett and Wanner [1]_, Sec. II.4, which also
gives the first step). After a rejection the step may not grow, after a second in a row it
shrinks at least tenfold, and a non-finite error (a state gone bad) shrinks it by a fixed
factor, whether or not the steps before were rejected.

References
----------
.. [1] E. Hairer, S. P. Norsett and G. Wanner, Solving Ordinary Differential Equations I,
       2nd ed., Springer, 1993, Sec. II.4 (automatic step size control).
.. [2] A. C. Hindmarsh, P. N. Brown, K. E. Grant, S. L. Lee, R. Serban, D. E. Shumaker and
       C. S. Woodward, "SUNDIALS: Suite of nonlinear and differential/algebraic equation
       solvers", ACM Trans. Math. Software 31(3), 363-396, 2005 (CVODE's step after error
       test failures).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["StepController", "error_norm", "initial_step"]


@dataclass(frozen=True)
class StepController:
    """The step-size factor after each attempted step.

    Attributes
    ----------
    embedded_order : int
        Order ``q`` of the embedded solution of the error estimate; the factor goes as
        ``err^(-1 / (q + 1))``.
    safety : float
        Factor on the ideal step [-].
    min_factor, max_factor : float
        Bounds of the factor [-].
    non_finite_factor : float
        Factor after an error that is not finite [-].
    repeat_factor : float
        Largest factor after a second rejection in a row [-]. An error estimate that does
        not shrink as ``h^(q + 1)`` (a transient starting from rest, as the hatch flows behind
        a new hole, where the solution is not smooth in ``t``) makes the elementary
        controller shrink the step by about 0.5 per try. CVODE cuts sharper after repeated
        error-test failures too: its factor is at most 0.2 from the second and 0.1, with a
        lower order, from the third (Hindmarsh et al. 2005, [2] of the module's references);
        RODAS4's order is fixed, with none to lower, so the tenth comes at the second. On
        the 4-module chain of ``benchmarks/peers.py`` it took the rejections from 7.4 to 2.2
        per case, and the attempted steps from 23.3 to 18.4.
    """

    embedded_order: int
    safety: float = 0.9
    min_factor: float = 0.2
    max_factor: float = 6.0
    non_finite_factor: float = 0.25
    repeat_factor: float = 0.1

    @property
    def exponent(self) -> float:
        """Exponent of the error in the factor, ``-1 / (q + 1)`` [-]."""
        return -1.0 / (self.embedded_order + 1)

    def factor(
        self, err: np.ndarray, accept: np.ndarray, in_row: np.ndarray | int = 0
    ) -> np.ndarray:
        """Next step over this step [-], for errors ``err`` (n,) and acceptances ``accept``.

        Capped at 1 where the step was rejected, and at :attr:`repeat_factor` where it was
        rejected after ``in_row`` >= 1 rejections in a row (the count before this one);
        :attr:`non_finite_factor` where ``err`` is NaN or infinite.
        """
        with np.errstate(divide="ignore"):  # err = 0: the largest factor
            factor = np.clip(
                self.safety * _power(err, self.exponent), self.min_factor, self.max_factor
            )
        cap = np.where(np.asarray(in_row) >= 1, self.repeat_factor, 1.0)
        factor = np.where(accept, factor, np.minimum(factor, cap))
        return np.where(np.isfinite(err), factor, self.non_finite_factor)


def _power(err: np.ndarray, exponent: float) -> np.ndarray:
    """``err^exponent``; for RODAS4's ``-1/4`` as ``1 / sqrt(sqrt(err))``: two square roots
    and a quotient, cheaper than a power (which was 2 % of the compiled kernel's time), as the
    kernel forms it (the same bits)."""
    if exponent == -0.25:
        return 1.0 / np.sqrt(np.sqrt(err))
    return err**exponent


def error_norm(
    err: np.ndarray, y0: np.ndarray, y1: np.ndarray, atol: np.ndarray, rtol: np.ndarray
) -> np.ndarray:
    """Scaled RMS norm of each row's error estimate, ``<= 1`` to accept the step [-].

    Parameters
    ----------
    err, y0, y1 : ndarray, shape (n, F)
        Error estimate and the states at the start and end of each step.
    atol : ndarray, shape (n, F)
        Absolute tolerance of each component, in the units of the state.
    rtol : ndarray, shape (n,)
        Relative tolerance of each row [-].

    Returns
    -------
    ndarray, shape (n,)
        ``sqrt(mean((err / (atol + rtol max(|y0|, |y1|)))^2))`` of each row.
    """
    scale = atol + rtol[:, None] * np.maximum(np.abs(y0), np.abs(y1))
    return np.sqrt(np.mean((err / scale) ** 2, axis=1))


def initial_step(
    y: np.ndarray, f: np.ndarray, atol: np.ndarray, rtol: np.ndarray, span: np.ndarray
) -> np.ndarray:
    """First step of each row [s]: a hundredth of the time in which ``y`` changes by its own size.

    Parameters
    ----------
    y, f : ndarray, shape (n, F)
        Initial state and its derivative [state], [state/s].
    atol : ndarray, shape (n, F)
        Absolute tolerance of each component, in the units of the state.
    rtol : ndarray, shape (n,)
        Relative tolerance of each row [-].
    span : ndarray, shape (n,)
        Time left to integrate [s], > 0: the step never exceeds it.

    Returns
    -------
    ndarray, shape (n,)
        ``0.01 |y| / |y'|`` in the tolerance-scaled RMS norm (the starting step of the
        module reference), or ``1e-6 span`` where either norm is below 1e-5.
    """
    scale = atol + rtol[:, None] * np.abs(y)
    d0 = np.sqrt(np.mean((y / scale) ** 2, axis=1))
    d1 = np.sqrt(np.mean((f / scale) ** 2, axis=1))
    with np.errstate(divide="ignore", invalid="ignore"):
        h = np.where((d0 > 1e-5) & (d1 > 1e-5), 0.01 * d0 / d1, 1e-6 * span)
    return np.minimum(h, span)
