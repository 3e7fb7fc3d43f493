"""Hand-made solver output with known values, so result, plotting and CLI tests need no solver.

Two modules: "Lab" decays as ``p0 exp(-t/tau)`` with one ``tau`` per case, "Node1" stays at
100 kPa. With ``fail_last`` the last case fails at 1800 s: its series are NaN afterwards.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np

from leaksim.compile import CompiledScenario
from leaksim.core.solver import Operations, PartialPressures, Solution
from leaksim.result import Result
from leaksim.scenario import Scenario, Threshold
from leaksim.station import Hatch, Leak, Module, Station, Supply

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
        partial_pressures=PartialPressures.stored(o2, 0.0004 * pressure),
        final_pressure=pressure[cases, :, last],
        final_temperature=temperature[cases, :, last],
        final_moles=np.ones((n_cases, 2, 2)),
        species=("N2", "O2"),
        final_pressure_rate=np.zeros((n_cases, 2)),
        final_partial_pressure_O2_rate=np.zeros((n_cases, 2)),
        final_partial_pressure_CO2_rate=np.zeros((n_cases, 2)),
        end_time=end_time,
        status=status,
        message=message,
        n_steps=np.full(n_cases, 50),
        n_rejected=np.zeros(n_cases, dtype=int),
        operations=Operations(
            threshold_time=threshold_time,
            event_time=np.zeros((n_cases, 0)),
            max_pressure_difference=np.zeros((n_cases, 2)),
            source_on_time=np.zeros((n_cases, 1)),
            source_amount=np.zeros((n_cases, 1)),
            merged_time=np.zeros((n_cases, 2)),
        ),
    )


def make_compiled(
    n_cases: int = 3,
    parameters: dict | None = None,
    thresholds: bool = True,
    hatch: str | None = None,
    supply: str | None = None,
    hatch_closes: float | None = None,
    hole_opens: float | None = None,
) -> CompiledScenario:
    """A compiled two-module scenario that names what :func:`make_solution` holds.

    Links: the hatch ``hatch`` Lab-Node1 when asked (closing at ``hatch_closes`` [s]), then a
    hole "hole" from Lab to vacuum (opening at ``hole_opens`` [s]); sources: the supply
    ``supply`` into Lab when asked, whose tank empties at 900 s. ``parameters`` replace the
    compiled case parameters (paths to arrays of shape (n_cases,)).
    """
    closes = {} if hatch_closes is None else {"close_at": f"{hatch_closes} s"}
    opens = "0 s" if hole_opens is None else f"{hole_opens} s"
    station = Station(
        modules=[Module("Lab", "60 m^3"), Module("Node1", "40 m^3")],
        hatches=[Hatch(["Lab", "Node1"], area="0.5 m^2", name=hatch, **closes)] if hatch else [],
        leaks=[Leak("Lab", diameter="5 mm", name="hole", start=opens)],
        supplies=(
            [Supply("Lab", mass_flow="1 kg/h", tank_mass="0.25 kg", name=supply)] if supply else []
        ),
    )
    levels = [
        Threshold("evacuate", pressure=f"{EVACUATE_PA} Pa"),
        Threshold("low_O2", partial_pressure_O2=f"{LOW_O2_PA} Pa"),
    ]
    scenario = Scenario(
        station, duration=[f"{TIME[-1]} s"] * n_cases, thresholds=levels if thresholds else []
    )
    return dataclasses.replace(scenario.compile(), case_parameters=dict(parameters or {}))


def make_result(n_cases: int = 3, fail_last: bool = True, parameters: bool = True) -> Result:
    """A Result over :func:`make_solution` with thresholds "evacuate" and "low_O2"."""
    swept = {"leak.hole.diameter": np.linspace(0.002, 0.012, n_cases)} if parameters else None
    return Result(make_solution(n_cases, fail_last), make_compiled(n_cases, swept))
