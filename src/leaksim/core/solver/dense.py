"""Dense output: the state anywhere inside a batch of accepted steps.

Each step of :mod:`leaksim.core.solver.rosenbrock` comes with the order-3 interpolant of
RODAS4,

.. math::

    y(t_0 + \\theta h) = (1 - \\theta) y_0
        + \\theta \\big(y_1 + (1 - \\theta)(k_1 + \\theta k_2)\\big), \\qquad 0 \\le \\theta \\le 1,

exact at both ends. Output times, thresholds, triggers, the middle of a step for Simpson's rule
and the end of a step cut short at a triggered event all read it. For one gas at one
temperature the pressure is linear in the state, so the same cubic can be taken in pressures
once per step (:meth:`DenseOutput.pressure_coefficients`) and spread over many output times
at the cost of a polynomial each (:func:`pressure_at`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["DenseOutput", "pressure_at"]


@dataclass(frozen=True, slots=True)
class DenseOutput:
    """The interpolant of ``n`` steps, one per row.

    Attributes
    ----------
    t0 : ndarray, shape (n,)
        Start of each step [s].
    h : ndarray, shape (n,)
        Length of each step [s].
    y0, y1 : ndarray, shape (n, F)
        State at the start and at the end of each step.
    k1, k2 : ndarray, shape (n, F)
        The interpolant's other two coefficients, from the stages.
    """

    t0: np.ndarray
    h: np.ndarray
    y0: np.ndarray
    y1: np.ndarray
    k1: np.ndarray
    k2: np.ndarray

    def take(self, rows: np.ndarray) -> DenseOutput:
        """The interpolant of the steps ``rows`` (an index array or a boolean mask)."""
        return DenseOutput(
            self.t0[rows], self.h[rows], self.y0[rows], self.y1[rows], self.k1[rows], self.k2[rows]
        )

    @property
    def t1(self) -> np.ndarray:
        """End of each step [s], ``t0 + h``."""
        return self.t0 + self.h

    def time(self, theta: np.ndarray) -> np.ndarray:
        """Time at the fraction ``theta`` (n,) of each step [s]."""
        return self.t0 + theta * self.h

    def __call__(self, theta: np.ndarray) -> np.ndarray:
        """State at the fraction ``theta`` (n,) of each step, (n, F)."""
        th = theta[:, None]
        return (1 - th) * self.y0 + th * (self.y1 + (1 - th) * (self.k1 + th * self.k2))

    def pressure_coefficients(self, pressure_per_mole: np.ndarray) -> np.ndarray:
        """The interpolant in pressures, powers of ``theta`` on axis 1, (n, 4, M).

        The cubic rewritten as ``y0 + th (y1 - y0 + k1) + th^2 (k2 - k1) - th^3 k2`` and
        multiplied by ``pressure_per_mole`` (n, M) [Pa/mol], for a state of one amount per
        module whose pressure is that factor times the amount.
        """
        coef = np.stack([self.y0, self.y1 - self.y0 + self.k1, self.k2 - self.k1, -self.k2], axis=1)
        return coef * pressure_per_mole[:, None, :]


def pressure_at(coefficients: np.ndarray, theta: np.ndarray) -> np.ndarray:
    """Pressure [Pa], (n, M), from rows of :meth:`DenseOutput.pressure_coefficients`, (n, 4, M),
    at the fractions ``theta`` (n,) of their steps; never negative (like
    :meth:`~leaksim.core.model.GeneralModel.observe`)."""
    c = coefficients
    th = theta[:, None]
    return np.maximum(((c[:, 3] * th + c[:, 2]) * th + c[:, 1]) * th + c[:, 0], 0.0)
