"""Batched stiff integration of many leak cases at once (work in progress)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["Solution", "solve"]


@dataclass
class Solution:
    """Arrays the solver returns, case axis first, SI units, no quantities.

    Attributes
    ----------
    time : ndarray, shape (T,)
        Output times shared by all cases [s].
    pressure, temperature, partial_pressure_O2 : ndarray, shape (C, M, T)
        Total pressure [Pa], gas temperature [K] and O2 partial pressure [Pa] of each module at
        each output time; NaN after a case's own duration and after a case fails.
    final_pressure, final_temperature : ndarray, shape (C, M)
        Values at each case's own end time (its duration, or the time it failed) [Pa], [K].
    final_moles : ndarray, shape (C, M, S)
        Amount of each species in each module at the end [mol].
    species : tuple of str
        Species names of the last axis of ``final_moles``.
    end_time : ndarray, shape (C,)
        Time each case reached [s].
    threshold_time : ndarray, shape (C, H, M)
        First time each module's value fell to threshold ``h`` or below [s]; NaN if never.
    status : ndarray of int8, shape (C,)
        0 if the case reached its duration, -1 if it failed.
    message : list of str, length C
        Empty for a successful case, else why it failed.
    n_steps, n_rejected : ndarray of int, shape (C,)
        Accepted and rejected steps per case.
    """

    time: np.ndarray
    pressure: np.ndarray
    temperature: np.ndarray
    partial_pressure_O2: np.ndarray
    final_pressure: np.ndarray
    final_temperature: np.ndarray
    final_moles: np.ndarray
    species: tuple[str, ...]
    end_time: np.ndarray
    threshold_time: np.ndarray
    status: np.ndarray
    message: list[str]
    n_steps: np.ndarray
    n_rejected: np.ndarray


def solve(network, duration, output_time, thresholds=(), rtol=1e-6, atol=1e-9,
          max_steps=100_000, on_failure="mark"):
    """Integrate every case of ``network`` (signature fixed; implementation in progress).

    Parameters
    ----------
    network : leaksim.network.Network
    duration : array_like, shape (C,) or scalar  [s]
    output_time : array_like, shape (T,)  [s], increasing, starting at 0
    thresholds : sequence of (quantity, level) with quantity "pressure" or
        "partial_pressure_O2" and level array_like shape (C,) or scalar [Pa]
    rtol : array_like, shape (C,) or scalar [-]
    atol : array_like, shape (C,) or scalar, absolute tolerance relative to each case's
        largest initial module content [-]
    max_steps : int
    on_failure : {"mark", "raise"}
    """
    raise NotImplementedError
