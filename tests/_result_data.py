"""Hand-made solver output with known values, so result, plotting and CLI tests need no solver.

Two modules: "Lab" decays as ``p0 exp(-t/tau)`` with one ``tau`` per case, "Node1" stays at
100 kPa. With ``fail_last`` the last case fails at 1800 s: its series are NaN afterwards.
"""

from __future__ import annotations

import math

import numpy as np

from leaksim.core.solver import Solution
from leaksim.result import Result

TIME = np.array([0.0, 900.0, 1800.0, 2700.0, 3600.0])  # [s]
MODULES = ("Lab", "Node1")
P0 = 101325.0  # [Pa]
NODE_PRESSURE = 100000.0  # [Pa]
EVACUATE_PA = 490.0 * 133.322387415  # 490 mmHg [Pa]
LOW_O2_PA = 16000.0  # [Pa]
FAIL_TIME = 1800.0  # [s]
FAIL_MESSAGE = "step size too small at t = 1800 s"


def taus(n_cases: int) -> np.ndarray:
    """Decay time of "Lab" in each case [s]."""
    return np.linspace(2000.0, 8000.0, n_cases)


def make_solution(n_cases: int = 3, fail_last: bool = True) -> Solution:
    """A Solution of shape (n_cases, 2, 5) with the last case failed if asked."""
    tau = taus(n_cases)
    lab = P0 * np.exp(-TIME / tau[:, None])
    node = np.full((n_cases, TIME.size), NODE_PRESSURE)
    pressure = np.stack([lab, node], axis=1)
    temperature = np.full_like(pressure, 295.15)
    end_time = np.full(n_cases, TIME[-1])
    status = np.zeros(n_cases, dtype=np.int8)
    message = [""] * n_cases
    if fail_last:
        pressure[-1, :, TIME > FAIL_TIME] = np.nan
        temperature[-1, :, TIME > FAIL_TIME] = np.nan
        end_time[-1] = FAIL_TIME
        status[-1] = -1
        message[-1] = FAIL_MESSAGE
    o2 = 0.21 * pressure
    last = np.array([np.flatnonzero(TIME <= e)[-1] for e in end_time])
    cases = np.arange(n_cases)
    threshold_time = np.full((n_cases, 2, 2), np.nan)
    threshold_time[:, 0, 0] = tau * math.log(P0 / EVACUATE_PA)
    threshold_time[:, 1, 0] = tau * math.log(0.21 * P0 / LOW_O2_PA)
    threshold_time[threshold_time > end_time[:, None, None]] = np.nan
    return Solution(
        time=TIME.copy(),
        pressure=pressure,
        temperature=temperature,
        partial_pressure_O2=o2,
        final_pressure=pressure[cases, :, last],
        final_temperature=temperature[cases, :, last],
        final_moles=np.ones((n_cases, 2, 2)),
        species=("N2", "O2"),
        end_time=end_time,
        threshold_time=threshold_time,
        status=status,
        message=message,
        n_steps=np.full(n_cases, 50),
        n_rejected=np.zeros(n_cases, dtype=int),
    )


def make_result(
    n_cases: int = 3, fail_last: bool = True, levels: bool = True, parameters: bool = True
) -> Result:
    """A Result over :func:`make_solution` with thresholds "evacuate" and "low_O2"."""
    return Result(
        make_solution(n_cases, fail_last),
        module_names=MODULES,
        threshold_names=("evacuate", "low_O2"),
        threshold_quantities=("pressure", "partial_pressure_O2"),
        threshold_levels=(EVACUATE_PA, LOW_O2_PA) if levels else (),
        parameters={"leak.hole.diameter": np.linspace(0.002, 0.012, n_cases)}
        if parameters
        else None,
    )
