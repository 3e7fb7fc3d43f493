"""Values at the output times, taken from the dense output of the steps that pass them.

The dense output is evaluated at every output time a step passes, all (case, time) pairs at
once, and scattered into (module, case, time) arrays one module at a time: one step's reports
for one module are then a scatter into a flat (case * time) view. For one gas at one
temperature the pressure is linear in the state, so the cubic is taken in pressures per step
(:meth:`~leaksim.core.solver.dense.DenseOutput.pressure_coefficients`) and only the pressure is
stored; temperature and O2 follow from it at the end.
"""

from __future__ import annotations

import numpy as np

from ..model import GeneralModel
from ..network import Network
from ._arguments import PressureOut
from ._solution import PartialPressures
from .dense import DenseOutput, pressure_at

__all__ = ["Outputs", "after_end", "observe", "temperature_outputs"]


def observe(model: GeneralModel, y: np.ndarray, cases: np.ndarray) -> dict[str, np.ndarray]:
    """Pressure ``"p"`` [Pa], temperature ``"T"`` [K] and O2 and CO2 partial pressures
    ``"o2"``, ``"co2"`` [Pa] of each module, each (n, M), of states ``y`` (n, F) of the rows
    ``cases`` of ``model``."""
    p, temperature, o2, co2 = model.observe(y, cases)
    return {"p": p, "T": temperature, "o2": o2, "co2": co2}


class Outputs:
    """The (module, case, time) arrays of the reported values, filled step by step.

    Parameters
    ----------
    t_out : ndarray, shape (T,)
        Output times [s], increasing.
    n_cases, n_modules : int
        Cases and modules solved.
    lean : bool
        Store the pressure only: the model is
        :attr:`~leaksim.core.model.LeanModel`.
    pressure_out : PressureOut, optional
        Write the pressures there instead of keeping them (``lean`` models only).
    """

    def __init__(
        self,
        t_out: np.ndarray,
        n_cases: int,
        n_modules: int,
        lean: bool,
        pressure_out: PressureOut | None = None,
    ) -> None:
        self.t_out = t_out
        self.lean = lean
        keys = ("p",) if lean else ("p", "T", "o2", "co2")
        self.external = pressure_out is not None
        if pressure_out is None:
            self.out = {k: np.full((n_modules, n_cases, t_out.size), np.nan) for k in keys}
            self.row, self.column = np.arange(n_cases), np.arange(n_modules)
        else:
            if not lean:
                raise ValueError("pressure_out needs a network of one gas at one temperature")
            self.out = {"p": pressure_out.array}
            self.row, self.column = pressure_out.rows, pressure_out.columns
        #: Index of the first output time each case has not reported yet.
        self.next = np.zeros(n_cases, dtype=np.intp)

    def start(self, obs: dict[str, np.ndarray], t: np.ndarray, resumed: bool) -> None:
        """Report the values ``obs`` at the start, t = 0; or, for cases ``resumed`` at times
        ``t`` [s], only skip the output times at or before them."""
        if resumed:
            self.next[:] = np.searchsorted(self.t_out, t * (1 + 1e-12), side="right")
            return
        first = np.flatnonzero(self.t_out <= 0.0)
        for key in self.out:
            for m, column in enumerate(self.column):
                self.out[key][m][np.ix_(self.row, first)] = obs[key][:, column, None]
        # Counts the nonzero indices, so output 0 is reported again by the first step (at
        # theta = 0, the same value).
        self.next[:] = np.count_nonzero(first)

    def fill(
        self,
        model: GeneralModel,
        rows: np.ndarray,
        local: np.ndarray,
        dense: DenseOutput,
        t_new: np.ndarray,
    ) -> None:
        """Report every output time up to ``t_new`` (n,) [s] that the accepted steps ``dense``
        of cases ``rows`` (the rows ``local`` of ``model``) passed."""
        first = self.next[rows]
        last = np.searchsorted(self.t_out, t_new * (1 + 1e-12), side="right")
        count = np.maximum(last - first, 0)
        if not np.any(count):
            return
        # One (row, output time) pair per reported value, all interpolated at once; per-row
        # values are repeated (cheaper than gathering them).
        shift = first - (np.cumsum(count) - count)
        j = np.arange(count.sum()) + np.repeat(shift, count)
        theta = (self.t_out[j] - np.repeat(dense.t0, count)) * np.repeat(1.0 / dense.h, count)
        theta = np.clip(theta, 0.0, 1.0)
        # Outputs are (module, case, time): each module's reports are one flat scatter.
        flat = j + np.repeat(self.row[rows] * self.t_out.size, count)
        if self.lean:
            # The cubic in pressures per step, then spread over the output times.
            coef = dense.pressure_coefficients(model.pressure_per_mole(local))
            obs = {"p": pressure_at(np.repeat(coef, count, axis=0), theta)}
        else:
            pair = np.repeat(np.arange(rows.size), count)
            obs = observe(model, dense.take(pair)(theta), local[pair])
        for key in self.out:
            for m, column in enumerate(self.column):
                self.out[key][m].reshape(-1)[flat] = obs[key][:, column]
        self.next[rows] = np.maximum(first, last)

    def finish(
        self, t_end: np.ndarray, net: Network, model: GeneralModel
    ) -> tuple[dict[str, np.ndarray], PartialPressures]:
        """The reported arrays ``"p"`` and ``"T"``, each (C, M, T), NaN after each case's end
        ``t_end`` (C,) [s] (empty in time where they were written elsewhere), and the partial
        pressures: stored, or from the fixed shares of a lean model."""
        out = self.out
        late = None
        if self.external:
            out = {"p": np.empty((net.n_modules, net.n_cases, 0))}
        else:
            late = after_end(self.t_out, t_end)
        if late is not None:
            for key in out:
                out[key][:, late] = np.nan
        arrays = {key: value.transpose(1, 0, 2) for key, value in out.items()}
        if self.lean:
            temperature = net.modules.initial_temperature
            arrays["T"] = temperature_outputs(temperature, late, arrays["p"].shape[2])
            o2, co2 = model.initial_fraction("O2"), model.initial_fraction("CO2")
            partial = PartialPressures.from_shares(arrays["p"], o2, co2)
        else:
            partial = PartialPressures.stored(arrays["o2"], arrays["co2"])
        return arrays, partial


def after_end(t_out: np.ndarray, t_end: np.ndarray) -> np.ndarray | None:
    """Which output times ``t_out`` (T,) come after each case's end ``t_end`` (C,) [s], (C, T),
    with the allowance of 1e-12 that reporting an output uses; None where no case ends before
    the last output."""
    limit = t_end * (1 + 1e-12)
    if t_out.size == 0 or np.all(t_out[-1] <= limit):
        return None
    return t_out[None, :] > limit[:, None]


def temperature_outputs(
    temperature: np.ndarray, after: np.ndarray | None, n_out: int
) -> np.ndarray:
    """Each module's one temperature (C, M) [K] at the ``n_out`` outputs, (C, M, T), NaN at
    the outputs ``after`` a case's end (:func:`after_end`); where none is, a read-only
    broadcast view (not a written array the size of the pressures)."""
    if after is None:
        return np.broadcast_to(temperature[:, :, None], temperature.shape + (n_out,))
    return np.where(after[:, None, :], np.nan, temperature[:, :, None])
