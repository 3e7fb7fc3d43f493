"""Closed forms: blowdowns, a lumped two-module network, a hatch closure, a fed steady state.

Every reference is an exact solution of the equations leaksim integrates (ideal gas, constant
heat capacities, the choked orifice law of :mod:`leaksim.core.flow`), so the tolerance is the
integrator's documented accuracy, 1e-4 relative at the default ``rtol = 1e-6``, and what a
failure would show is an error in the network, the energy equation or the integrator. Sources:
Saad, Compressible Fluid Flow, 2nd ed., pp. 103-106 (blowdown); ``docs/physics.md``, Closed forms
(two modules as one volume to within ``0.23 (A_leak / A_hatch)^2``, and ``sum(p V)`` kept by
adiabatic equalisation, both derived there).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..scenario import Scenario, Threshold
from ..station import Hatch, Leak, Module, Station, Supply
from ._case import MMHG, CaseResult, Group, gas_properties, time_constant

__all__ = ["evaluate"]

#: Documented accuracy on closed forms at the default tolerance (README, test_convergence).
ACCURACY = 1e-4
P0 = 760 * MMHG
T0 = 295.15
SAAD = "closed form, Saad, Compressible Fluid Flow, 2nd ed., pp. 103-106"
WHY = "documented accuracy at the default rtol 1e-6; the reference is exact"


def _point(value: float) -> tuple[float, float]:
    return (float(value), float(value))


def _row(name: str, source: str, reference: float, mine: float, unit: str) -> CaseResult:
    return CaseResult(
        name, source, _point(reference), _point(mine), unit, "relative", ACCURACY, WHY
    )


def _blowdowns() -> tuple[list[CaseResult], dict[str, Any]]:
    """Isothermal and adiabatic blowdown of one module to vacuum."""
    _, gamma = gas_properties()
    iso = Station(
        [Module("Cabin", "100 m^3", "760 mmHg", "22 degC")],
        leaks=[Leak("Cabin", diameter="10 mm", discharge_coefficient=0.7)],
    )
    iso_run = Scenario(
        iso, "2 h", output_interval="2 min", thresholds=[Threshold("evacuate", "490 mmHg")]
    ).run()
    tau_iso = time_constant(100.0, 0.7 * math.pi * 0.01**2 / 4, T0)
    adia = Station(
        [Module("Capsule", "4 m^3", "760 mmHg", "22 degC")],
        leaks=[Leak("Capsule", area="5 cm^2", discharge_coefficient=0.6)],
    )
    adia_run = Scenario(adia, "2 min", energy="adiabatic", output_interval="4 s").run()
    tau_ad = time_constant(4.0, 0.6 * 5e-4, T0)
    s_end = 1 + (gamma - 1) / 2 * 120.0 / tau_ad
    rows = [
        _row(
            "isothermal blowdown, 100 m^3, 10 mm hole: p(2 h)",
            f"p0 exp(-t/tau), {SAAD}",
            P0 * math.exp(-7200.0 / tau_iso) / MMHG,
            float(iso_run.final_pressure.m_as("mmHg")[0, 0]),
            "mmHg",
        ),
        _row(
            "isothermal blowdown: time to 490 mmHg",
            f"tau ln(760/490), {SAAD}",
            tau_iso * math.log(760 / 490) / 60,
            float(iso_run.threshold_times["evacuate"]["Cabin"].m_as("min")[0]),
            "min",
        ),
        _row(
            "adiabatic blowdown, 4 m^3, 5 cm^2 hole: p(2 min)",
            f"p0 (1 + (g-1)/2 t/tau)^(-2g/(g-1)), {SAAD}",
            P0 * s_end ** (-2 * gamma / (gamma - 1)) / MMHG,
            float(adia_run.final_pressure.m_as("mmHg")[0, 0]),
            "mmHg",
        ),
        _row(
            "adiabatic blowdown: T(2 min)",
            f"T0 (1 + (g-1)/2 t/tau)^(-2), {SAAD}",
            T0 * s_end**-2.0,
            float(adia_run.final_temperature.m_as("K")[0, 0]),
            "K",
        ),
    ]
    curves = {
        "iso": (iso_run.time.m_as("min"), iso_run.pressure.m_as("mmHg")[0, 0], tau_iso),
        "adia": (adia_run.time.m_as("s"), adia_run.pressure.m_as("mmHg")[0, 0], tau_ad, gamma),
    }
    return rows, curves


def _two_modules(close_at: str | None) -> Station:
    return Station(
        [
            Module("Lab", "60 m^3", "760 mmHg", "22 degC"),
            Module("Node1", "40 m^3", "760 mmHg", "22 degC"),
        ],
        hatches=[Hatch(["Lab", "Node1"], area="0.5 m^2", close_at=close_at)],
        leaks=[Leak("Lab", area="1 cm^2", discharge_coefficient=1.0)],
    )


def _networks() -> tuple[list[CaseResult], dict[str, Any]]:
    """Two modules behind an open hatch, and the same with the hatch closing at 10 min."""
    tau_both = time_constant(100.0, 1e-4, T0)
    tau_lab = time_constant(60.0, 1e-4, T0)
    # The full network (zones=False); the zone-merged solver is checked on the closure too.
    lumped = Scenario(_two_modules(None), "2 h", output_interval="2 min").run(zones=False)
    closing_scenario = Scenario(_two_modules("10 min"), "1 h", output_interval="30 s")
    closing = closing_scenario.run(zones=False)
    zoned = closing_scenario.run(zones=True)
    p_close = P0 * math.exp(-600.0 / tau_both)
    rows = [
        CaseResult(
            "two modules, open 0.5 m^2 hatch, 1 cm^2 hole: Node1 p(2 h), full network",
            "one volume of 100 m^3, p0 exp(-t/tau) (docs/physics.md)",
            _point(P0 * math.exp(-7200.0 / tau_both) / MMHG),
            _point(float(lumped.final_pressure.m_as("mmHg")[0, 1])),
            "mmHg",
            "relative",
            ACCURACY,
            f"{WHY}; the hatch's own drop, 0.23 (A_leak/A_hatch)^2 = 1e-8, is far below it",
        ),
        _row(
            "hatch closes at 10 min: Node1 keeps p(10 min)",
            "p0 exp(-600 s/tau_100 m^3), piecewise closed form",
            p_close / MMHG,
            float(closing.final_pressure.m_as("mmHg")[0, 1]),
            "mmHg",
        ),
        _row(
            "hatch closes at 10 min: Lab p(1 h)",
            "p(10 min) exp(-(t - 600 s)/tau_60 m^3), piecewise closed form",
            p_close * math.exp(-3000.0 / tau_lab) / MMHG,
            float(closing.final_pressure.m_as("mmHg")[0, 0]),
            "mmHg",
        ),
        _row(
            "hatch closes at 10 min: Lab p(1 h), zone-merged solver",
            "as above; leaksim.core.zones merges Lab and Node1 until the closure",
            p_close * math.exp(-3000.0 / tau_lab) / MMHG,
            float(zoned.final_pressure.m_as("mmHg")[0, 0]),
            "mmHg",
        ),
    ]
    curves = {
        "closing": (closing.time.m_as("min"), closing.pressure.m_as("mmHg")[0], tau_both, tau_lab)
    }
    return rows, curves


def _steady_and_conserved() -> list[CaseResult]:
    """A feed against a hole settles where they balance; adiabatic mixing keeps sum(p V)."""
    r, gamma = gas_properties()
    effective_area, target = 1e-6, 700 * MMHG
    # Feed equal to the choked leak at the target pressure: mdot = Cd A p psi* / sqrt(R T).
    psi = math.sqrt(gamma * (2 / (gamma + 1)) ** ((gamma + 1) / (gamma - 1)))
    feed = effective_area * target * psi / math.sqrt(r * T0)
    tau = time_constant(10.0, effective_area, T0)
    station = Station(
        [Module("Cabin", "10 m^3", "760 mmHg", "22 degC")],
        leaks=[Leak("Cabin", area=f"{effective_area} m^2", discharge_coefficient=1.0)],
        supplies=[Supply("Cabin", mass_flow=f"{feed} kg/s", name="feed")],
    )
    # 25 time constants: the transient exp(-25) * 60 mmHg is 1e-9 of the answer.
    fed = Scenario(station, f"{25 * tau} s", output_interval=f"{tau} s").run()
    mixing = Station(
        [
            Module("A", "10 m^3", "101.325 kPa", "295.15 K"),
            Module("B", "5 m^3", "50 kPa", "250 K"),
        ],
        hatches=[Hatch(["A", "B"], area="0.01 m^2")],
    )
    mixed = Scenario(mixing, "10 min", energy="adiabatic").run()
    return [
        _row(
            "feed against a 1 mm^2 hole: steady pressure",
            "p_ss = mdot sqrt(R T) / (Cd A psi*), where feed = leak",
            target / MMHG,
            float(fed.final_pressure.m_as("mmHg")[0, 0]),
            "mmHg",
        ),
        CaseResult(
            "adiabatic equalisation of 10 + 5 m^3: final p",
            "sum(p V) / sum(V): energy of an ideal gas with constant cv (docs/physics.md)",
            _point((101325.0 * 10 + 50e3 * 5) / 15 / 1e3),
            _point(float(np.mean(mixed.final_pressure.m_as("kPa")[0]))),
            "kPa",
            "relative",
            1e-6,
            "energy is a state variable, so sum(p V) is kept to round-off; the two modules "
            "equalise to the regularisation pressure (1 Pa) and the mean is exact",
        ),
    ]


def _draw(curves: dict[str, Any]):
    def draw(figure) -> None:
        ax1, ax2, ax3 = figure.subplots(1, 3)
        t, p, tau = curves["iso"]
        ax1.plot(t, p, "o", ms=3, label="leaksim")
        ax1.plot(t, P0 / MMHG * np.exp(-t * 60 / tau), "-", label="closed form")
        ax1.set(title="isothermal, 100 m^3, 10 mm", xlabel="time [min]", ylabel="p [mmHg]")
        t, p, tau, gamma = curves["adia"]
        closed = P0 / MMHG * (1 + (gamma - 1) / 2 * t / tau) ** (-2 * gamma / (gamma - 1))
        ax2.plot(t, p, "o", ms=3, label="leaksim")
        ax2.plot(t, closed, "-", label="closed form")
        ax2.set(title="adiabatic, 4 m^3, 5 cm^2", xlabel="time [s]")
        t, p, tau_both, tau_lab = curves["closing"]
        ts = t * 60
        before = ts <= 600
        p_close = P0 * math.exp(-600 / tau_both) / MMHG
        lab = np.where(
            before, P0 / MMHG * np.exp(-ts / tau_both), p_close * np.exp(-(ts - 600) / tau_lab)
        )
        node = np.where(before, P0 / MMHG * np.exp(-ts / tau_both), p_close)
        ax3.plot(t, p[0], "o", ms=3, label="leaksim Lab")
        ax3.plot(t, p[1], "s", ms=3, label="leaksim Node1")
        ax3.plot(t, lab, "-", t, node, "-", lw=1)
        ax3.set(title="hatch closes at 10 min", xlabel="time [min]")
        for ax in (ax1, ax2, ax3):
            ax.legend(fontsize=7)

    return draw


def evaluate() -> Group:
    """Run the closed-form cases.

    Returns
    -------
    Group
    """
    blowdown_rows, curves = _blowdowns()
    network_rows, more = _networks()
    curves.update(more)
    return Group(
        "Closed forms",
        "Exact solutions of leaksim's own equations: what they test is the network, the energy "
        "equation and the integrator, at the documented accuracy of 1e-4 relative. More "
        "closed-form checks run in `tests/test_solver.py` and `tests/test_end_to_end.py` (many "
        "cases at once, wall heat exchange, species transport, triggers).",
        [*blowdown_rows, *network_rows, *_steady_and_conserved()],
        [("closed_forms.png", _draw(curves))],
    )
