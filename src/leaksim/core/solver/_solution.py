"""The arrays the solver returns, and the check that turns a failed case into an error."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ...errors import SolverError

__all__ = ["Operations", "PartialPressures", "Solution", "check_failure"]


class PartialPressures:
    """The O2 and CO2 partial pressures of every module at the output times, (C, M, T) [Pa].

    Either stored, or, for a run of one gas per case, the pressure times each module's fixed
    share of the gas, computed when first read and kept: a merged or lean run of 100,000
    two-module cases then writes no 60 MB array it may never be asked for.

    Use :meth:`stored` or :meth:`from_shares` to make one, and :meth:`of` to read it.
    """

    def __init__(
        self,
        arrays: dict[str, np.ndarray],
        pressure: np.ndarray | None = None,
        shares: dict[str, np.ndarray] | None = None,
    ) -> None:
        self._arrays = dict(arrays)
        self._pressure = pressure
        self._shares = dict(shares or {})

    @classmethod
    def stored(cls, o2: np.ndarray, co2: np.ndarray) -> PartialPressures:
        """Partial pressures computed already, (C, M, T) each [Pa]."""
        return cls({"O2": o2, "CO2": co2})

    @classmethod
    def from_shares(cls, pressure: np.ndarray, o2: np.ndarray, co2: np.ndarray) -> PartialPressures:
        """``pressure`` (C, M, T) [Pa] times each module's mole fraction of O2 and of CO2,
        (C, M) [-], on first reading."""
        return cls({}, pressure, {"O2": o2, "CO2": co2})

    def of(self, species: str) -> np.ndarray:
        """The partial pressure of ``"O2"`` or ``"CO2"``, (C, M, T) [Pa]."""
        if species not in self._arrays:
            assert self._pressure is not None  # from_shares gives both
            self._arrays[species] = np.multiply(self._pressure, self._shares[species][:, :, None])
        return self._arrays[species]


@dataclass
class Operations:
    """What the station's operations did in each case: the domain's bookkeeping beside the
    states, kept apart from how the integration went.

    Attributes
    ----------
    threshold_time : ndarray, shape (C, H, M)
        First time each module's value reached threshold ``h`` [s]; NaN if never.
    event_time : ndarray, shape (C, E)
        When each scheduled or triggered event of the network's schedule happened [s]; NaN if
        it did not happen before the case ended. The schedule says which switch each event
        acts on and how (``Network.schedule``).
    max_pressure_difference : ndarray, shape (C, K)
        Largest pressure difference across each link seen at the solver's steps [Pa].
    source_on_time : ndarray, shape (C, J)
        How long each gas source was on [s].
    source_amount : ndarray, shape (C, J)
        Gas each source fed [mol] (negative for a sink such as the crew's O2 use).
    merged_time : ndarray, shape (C, M)
        How long each module was solved as part of a merged zone [s]: zero from
        :func:`leaksim.core.solver.solve`, which solves every module on its own; see
        :func:`leaksim.core.zones.solve`.
    """

    threshold_time: np.ndarray
    event_time: np.ndarray
    max_pressure_difference: np.ndarray
    source_on_time: np.ndarray
    source_amount: np.ndarray
    merged_time: np.ndarray


@dataclass
class Solution:
    """What the integrator returns, case axis first, SI units, no quantities: the states at
    the output times and at each case's end, how each case's integration went, and the
    :class:`Operations` of the station.

    Attributes
    ----------
    time : ndarray, shape (T,)
        Output times shared by all cases [s].
    pressure, temperature : ndarray, shape (C, M, T)
        Total pressure [Pa] and gas temperature [K] of each module at each output time; NaN
        after a case's own duration and after a case fails.
    partial_pressures : PartialPressures
        O2 and CO2 partial pressures at the same times; read them as
        :attr:`partial_pressure_O2` and :attr:`partial_pressure_CO2`.
    final_pressure, final_temperature : ndarray, shape (C, M)
        Values at each case's own end time (its duration, or the time it failed) [Pa], [K].
    final_moles : ndarray, shape (C, M, S)
        Amount of each species in each module at the end [mol].
    species : tuple of str
        Species names of the last axis of ``final_moles``.
    final_pressure_rate : ndarray, shape (C, M)
        Rate of change of the pressure at the end [Pa/s].
    final_partial_pressure_O2_rate, final_partial_pressure_CO2_rate : ndarray, shape (C, M)
        Rates of change of the O2 and CO2 partial pressures at the end [Pa/s].
    end_time : ndarray, shape (C,)
        Time each case reached [s].
    status : ndarray of int8, shape (C,)
        0 if the case reached its duration, -1 if it failed.
    message : list of str, length C
        Empty for a successful case, else why it failed.
    n_steps, n_rejected : ndarray of int, shape (C,)
        Accepted and rejected steps per case.
    operations : Operations
        Thresholds reached, events, hatch loads, gas fed and time merged, per case.
    """

    time: np.ndarray
    pressure: np.ndarray
    temperature: np.ndarray
    partial_pressures: PartialPressures
    final_pressure: np.ndarray
    final_temperature: np.ndarray
    final_moles: np.ndarray
    species: tuple[str, ...]
    final_pressure_rate: np.ndarray
    final_partial_pressure_O2_rate: np.ndarray
    final_partial_pressure_CO2_rate: np.ndarray
    end_time: np.ndarray
    status: np.ndarray
    message: list[str]
    n_steps: np.ndarray
    n_rejected: np.ndarray
    operations: Operations

    @property
    def partial_pressure_O2(self) -> np.ndarray:
        """O2 partial pressure of each module at each output time, (C, M, T) [Pa]."""
        return self.partial_pressures.of("O2")

    @property
    def partial_pressure_CO2(self) -> np.ndarray:
        """CO2 partial pressure of each module at each output time, (C, M, T) [Pa]."""
        return self.partial_pressures.of("CO2")


def check_failure(solution: Solution, on_failure: str) -> None:
    """Raise :class:`~leaksim.errors.SolverError` naming the first failed case of ``solution``
    if ``on_failure == "raise"``; do nothing for ``"mark"``."""
    if on_failure == "raise" and np.any(solution.status != 0):
        case = int(np.flatnonzero(solution.status != 0)[0])
        raise SolverError(f"case {case} failed: {solution.message[case]}")
