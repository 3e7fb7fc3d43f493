"""Convergence: the error against the tolerance on a closed form, and the full network against
its zone-merged reduction.

RODAS4 controls the local error per step, so the global error on the adiabatic blowdown should
stay within a small factor of the relative tolerance asked for and fall with it (Hairer and
Wanner, Solving ODEs II, Sec. IV.7). A station whose hatches are all open behaves as one zone of
the summed volume to within ``0.23 (A_leak / A_hatch)^2`` (``docs/physics.md``, Closed forms):
the ISS-like station of :func:`leaksim.stations.iss_station` with a hole of ``Cd A`` 1 mm^2
moved into Destiny is compared with the closed form of one module of the 888 m^3 its open
hatches join (the PrK stays behind its closed hatch and plays no part), and the zone-merged
solver (:mod:`leaksim.core.zones`) with the full network.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..scenario import Scenario
from ..station import Leak, Module, Station
from ..stations import iss_station
from ._case import MMHG, CaseResult, Group, gas_properties, time_constant

__all__ = ["evaluate", "TOLERANCES"]

#: Relative tolerances of the convergence study [-].
TOLERANCES = (1e-4, 1e-6, 1e-8, 1e-10)
T0 = 295.15


def _adiabatic_errors() -> np.ndarray:
    """Largest relative error of p(t) against the closed form at each tolerance."""
    station = Station(
        [Module("Capsule", "4 m^3", "760 mmHg", "22 degC")],
        leaks=[Leak("Capsule", area="5 cm^2", discharge_coefficient=1.0)],
    )
    scenario = Scenario(
        station,
        "10 min",
        energy="adiabatic",
        output_interval="10 s",
        relative_tolerance=list(TOLERANCES),
    )
    # A tiny absolute tolerance so that the relative one alone sets the error.
    result = scenario.run(atol=1e-14)
    _, gamma = gas_properties()
    tau = time_constant(4.0, 5e-4, T0)
    t = result.time.m_as("s")
    closed = 760 * MMHG * (1 + (gamma - 1) / 2 * t / tau) ** (-2 * gamma / (gamma - 1))
    pressure = result.pressure.m_as("Pa")[:, 0, :]
    return np.max(np.abs(pressure / closed - 1), axis=1)


def _zone_merged() -> tuple[list[CaseResult], dict[str, Any]]:
    station = iss_station(leak_module="Destiny", leak_area="1 mm^2")
    volume = sum(float(m.si["volume"]) for m in station.modules if m.name != "Zvezda-PrK")
    scenario = Scenario(station, "30 day", output_interval="1 day")
    full_run = scenario.run(zones=False)
    zone_run = scenario.run(zones=True)
    far = full_run.module("Zvezda-RO")
    t = full_run.time.m_as("s")
    one_zone = 760 * np.exp(-t / time_constant(volume, 1e-6, T0))
    full = full_run.pressure.m_as("mmHg")[0, far]
    merged = zone_run.pressure.m_as("mmHg")[0, far]
    why = "hatch drops 0.23 (A_leak/A_hatch)^2 ~ 1e-12 per hatch; both runs at rtol 1e-6"
    rows = [
        CaseResult(
            "ISS-like, 15 modules, Cd A 1 mm^2 in Destiny: full network, Zvezda-RO p(30 day)",
            f"one zone of {volume:.0f} m^3, p0 exp(-t/tau) (docs/physics.md; Saad pp. 103-106)",
            (float(one_zone[-1]),) * 2,
            (float(full[-1]),) * 2,
            "mmHg",
            "relative",
            1e-4,
            why,
        ),
        CaseResult(
            "same station: zone-merged solver against the full network, Zvezda-RO p(30 day)",
            "leaksim full network (Scenario.run(zones=False))",
            (float(full[-1]),) * 2,
            (float(merged[-1]),) * 2,
            "mmHg",
            "relative",
            1e-4,
            "leaksim.core.zones merges a zone only when its estimated error is below half the "
            "tolerance",
        ),
    ]
    curves = {"t": t / 86400, "full": full, "zone": merged, "closed": one_zone}
    return rows, curves


def _draw(errors: np.ndarray, curves: dict[str, Any]):
    def draw(figure) -> None:
        ax1, ax2 = figure.subplots(1, 2)
        tol = np.array(TOLERANCES)
        ax1.loglog(tol, errors, "o-", label="leaksim, adiabatic blowdown")
        ax1.loglog(tol, 10 * tol, "--", label="10 x rtol")
        ax1.set(xlabel="relative tolerance", ylabel="max relative error", title="convergence")
        ax1.legend(fontsize=7)
        ax2.plot(curves["t"], curves["full"], "-", label="full network, Zvezda-RO")
        ax2.plot(curves["t"], curves["zone"], "--", label="zone-merged solver")
        ax2.plot(curves["t"], curves["closed"], ":", label="one zone, closed form")
        ax2.set(xlabel="time [day]", ylabel="p [mmHg]", title="network vs zone-merged")
        ax2.legend(fontsize=7)

    return draw


def evaluate() -> Group:
    """Run the convergence cases.

    Returns
    -------
    Group
    """
    errors = _adiabatic_errors()
    rows = [
        CaseResult(
            f"adiabatic blowdown, error at rtol {tol:.0e}",
            "closed form (Saad pp. 103-106); bound 10 x rtol for error-per-step control",
            (0.0, 0.0),
            (float(err), float(err)),
            "-",
            "absolute",
            10 * tol,
            "a local error per step of rtol gives a global error of a few rtol over the run",
        )
        for tol, err in zip(TOLERANCES, errors, strict=True)
    ]
    rows.append(
        CaseResult(
            "error falls as the tolerance is tightened (1e-4 to 1e-10)",
            "Hairer and Wanner, Solving ODEs II, Sec. IV.7",
            (0.0, 0.0),
            (float(np.sum(np.diff(errors) >= 0)), float(np.sum(np.diff(errors) >= 0))),
            "steps up",
            "absolute",
            0.0,
            "every tightening must lower the error",
        )
    )
    zone_rows, curves = _zone_merged()
    rows.extend(zone_rows)
    return Group(
        "Convergence",
        "Error against tolerance on the adiabatic blowdown, and the full network against a "
        "zone-merged reduction where both apply (all hatches open, a hole far smaller than "
        "any hatch). `tests/validation/test_convergence.py` also checks that the step count "
        "grows like the method's order.",
        rows,
        [("convergence.png", _draw(errors, curves))],
    )
