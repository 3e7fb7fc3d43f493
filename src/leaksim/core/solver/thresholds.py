"""Thresholds: the first time each module's pressure or O2 partial pressure falls to a level,
or its CO2 partial pressure rises to one.

A rising quantity is watched with its sign turned (``-value`` falling to ``-level``), so one
rule serves both directions. A sign change of ``value - level`` over an accepted step is
located by bisection on the dense output (:func:`leaksim.core.solver.events.first_at_or_below`),
within the part of the step that the integration keeps (a step cut short at a triggered event
ends early).
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
from numpy.typing import ArrayLike

from ..model import GeneralModel
from ._arguments import per_case
from .dense import DenseOutput
from .events import crossed, first_at_or_below
from .output import observe

__all__ = [
    "RISING_QUANTITIES",
    "THRESHOLD_QUANTITIES",
    "Thresholds",
    "check_thresholds",
    "direction",
]

#: Quantities a threshold can watch.
THRESHOLD_QUANTITIES = ("pressure", "partial_pressure_O2", "partial_pressure_CO2")

#: Quantities whose threshold is reached when the value rises to the level.
RISING_QUANTITIES = ("partial_pressure_CO2",)

#: The observed value (:func:`~leaksim.core.solver.output.observe`) each quantity watches.
_OBSERVED = {"pressure": "p", "partial_pressure_O2": "o2", "partial_pressure_CO2": "co2"}


def direction(quantity: str) -> float:
    """+1 for a quantity whose threshold is reached falling, -1 for one reached rising."""
    return -1.0 if quantity in RISING_QUANTITIES else 1.0


def check_thresholds(
    thresholds: Iterable[tuple[str, ArrayLike]], n_cases: int
) -> list[tuple[str, np.ndarray]]:
    """``(quantity, level)`` pairs with one level per case [Pa] and a known quantity."""
    checked = [(q, per_case(level, n_cases, "threshold level")) for q, level in thresholds]
    for q, _ in checked:
        if q not in THRESHOLD_QUANTITIES:
            raise ValueError(f"threshold quantity must be one of {THRESHOLD_QUANTITIES}, got {q!r}")
    return checked


def _watched(obs: dict[str, np.ndarray], quantity: str) -> np.ndarray:
    """The observed values a threshold on ``quantity`` watches, (n, M), signed so that the
    threshold is reached falling (:func:`direction`)."""
    return direction(quantity) * obs[_OBSERVED[quantity]]


class Thresholds:
    """Levels and the times each module first reached them.

    Parameters
    ----------
    levels : list of (str, ndarray)
        ``(quantity, level)`` pairs, ``quantity`` in :data:`THRESHOLD_QUANTITIES` and
        ``level`` of shape (C,) [Pa] (:func:`check_thresholds`).
    n_cases, n_modules : int
        Cases and modules solved.

    Attributes
    ----------
    time : ndarray, shape (C, H, M)
        First time each module's value reached level ``h`` [s]; NaN so far.
    """

    def __init__(self, levels: list[tuple[str, np.ndarray]], n_cases: int, n_modules: int) -> None:
        # Levels signed like the values they are compared with.
        self.levels = [(q, direction(q) * level) for q, level in levels]
        self.time = np.full((n_cases, len(levels), n_modules), np.nan)

    def start(self, obs: dict[str, np.ndarray]) -> None:
        """Date at t = 0 the levels that the starting values ``obs`` are already at or below."""
        for j, (q, level) in enumerate(self.levels):
            below = _watched(obs, q) <= level[:, None]
            self.time[:, j, :] = np.where(below, 0.0, np.nan)

    def locate(
        self,
        model: GeneralModel,
        rows: np.ndarray,
        local: np.ndarray,
        dense: DenseOutput,
        obs_before: dict[str, np.ndarray],
        obs_after: dict[str, np.ndarray],
        theta_end: np.ndarray,
    ) -> None:
        """Date the levels first reached in the accepted steps ``dense`` of cases ``rows``.

        Parameters
        ----------
        model : GeneralModel
            The model whose rows ``local`` are the cases ``rows``.
        rows, local : ndarray of int, shape (n,)
            Cases of the steps, and their rows in ``model``.
        dense : DenseOutput
            The steps.
        obs_before : dict of ndarray
            Observed values of every case at the start of its step (see :func:`observe`).
        obs_after : dict of ndarray
            Observed values at the end of each step, (n, M) each.
        theta_end : ndarray, shape (n,)
            Fraction of each step that is kept [-].
        """
        for j, (q, level) in enumerate(self.levels):
            lev = level[rows][:, None]
            g_before = _watched(obs_before, q)[rows] - lev
            g_after = _watched(obs_after, q) - lev
            crossing = crossed(g_before, g_after) & np.isnan(self.time[rows, j, :])
            hit_rows, hit_modules = np.nonzero(crossing)
            if hit_rows.size == 0:
                continue
            part = dense.take(hit_rows)
            theta = self._bisect(
                model,
                local[hit_rows],
                part,
                hit_modules,
                q,
                level[rows[hit_rows]],
                theta_end[hit_rows],
            )
            self.time[rows[hit_rows], j, hit_modules] = part.time(theta)

    @staticmethod
    def _bisect(
        model: GeneralModel,
        where: np.ndarray,
        dense: DenseOutput,
        modules: np.ndarray,
        quantity: str,
        level: np.ndarray,
        theta_end: np.ndarray,
    ) -> np.ndarray:
        """Fraction of each step at which the value of its module first reaches its level."""
        pick = np.arange(modules.size)

        def value(y: np.ndarray, theta: np.ndarray) -> np.ndarray:
            return _watched(observe(model, y, where), quantity)[pick, modules]

        return first_at_or_below(dense, value, level, theta_end)
