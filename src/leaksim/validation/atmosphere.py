"""Atmosphere: a crew's CO2 and O2, scrubbers, and two volumes mixed by the fans of a hatch.

Each reference is an exact solution of the equations leaksim integrates (``docs/physics.md``,
Atmosphere): linear rises of a sealed crewed module, a scrubber's net rate, the first-order
relaxation of two volumes exchanging air at a volumetric rate, and the exponential removal of a
scrubber bed. The tolerance is the integrator's documented accuracy on closed forms.
"""

from __future__ import annotations

import numpy as np

from ..core.gas import MOLAR_GAS_CONSTANT, species_properties
from ..scenario import Scenario
from ..station import Crew, Hatch, Module, Scrubber, Station
from ._case import CaseResult, Group

__all__ = ["evaluate"]

ACCURACY = 1e-4
WHY = "documented accuracy at the default rtol 1e-6; the reference is exact"
SOURCE = "closed form, docs/physics.md (Atmosphere)"
DAY = 86400.0
RT = MOLAR_GAS_CONSTANT * 295.15
M_O2, M_CO2 = (float(m) for m in species_properties(("O2", "CO2"))[0])
O2_RATE, CO2_RATE = 0.835 / DAY, 0.998 / DAY  # NASA BVAD, kg/s per person


def _row(name: str, reference: float, mine: float, unit: str) -> CaseResult:
    return CaseResult(
        name, SOURCE, (reference, reference), (mine, mine), unit, "relative", ACCURACY, WHY
    )


def _sealed(
    crew: int, scrubbers: list[Scrubber], gas: str | dict[str, float] = "air"
) -> np.ndarray:
    """CO2 partial pressure of one sealed 50 m^3 module over a day [Pa], at 0 and 24 h."""
    station = Station(
        [Module("Cabin", "50 m^3", gas=gas)],
        crew=Crew(crew, "Cabin") if crew else None,
        scrubbers=scrubbers,
    )
    result = Scenario(station, "1 day", output_interval="1 day").run()
    return result.partial_pressure_CO2.m_as("Pa")[0, 0]


def _crew_rows() -> list[CaseResult]:
    rise = np.diff(_sealed(3, []))[0]
    net = np.diff(_sealed(3, [Scrubber("Cabin", co2_removal="2 kg/day")]))[0]
    bed_gas = {"N2": 0.78, "O2": 0.21, "CO2": 0.01}
    bed = _sealed(0, [Scrubber("Cabin", removal_efficiency=0.5, flow="0.002 m^3/s")], bed_gas)
    return [
        _row(
            "3 crew sealed in 50 m^3: CO2 rise in 24 h",
            3 * CO2_RATE / M_CO2 * RT / 50.0 * DAY,
            float(rise),
            "Pa",
        ),
        _row(
            "3 crew and a 2 kg/day scrubber in 50 m^3: CO2 rise in 24 h",
            (3 * CO2_RATE - 2.0 / DAY) / M_CO2 * RT / 50.0 * DAY,
            float(net),
            "Pa",
        ),
        _row(
            "scrubber bed, eta Q = 1 L/s, in 50 m^3: CO2 left after 24 h",
            float(bed[0] * np.exp(-0.5 * 0.002 * DAY / 50.0)),
            float(bed[1]),
            "Pa",
        ),
    ]


def _exchange_rows() -> list[CaseResult]:
    """Two volumes, crew in A breathing out a mole of CO2 per mole of O2 in, fans at Q."""
    v_a, v_b, q = 20.0, 60.0, 0.02
    co2_rate = O2_RATE / M_O2 * M_CO2
    station = Station(
        [Module("A", f"{v_a} m^3"), Module("B", f"{v_b} m^3")],
        hatches=[Hatch(["A", "B"], area="0.5 m^2", ventilation=f"{q} m^3/s")],
        crew=Crew(2, "A", co2_production=f"{co2_rate} kg/s"),
    )
    result = Scenario(station, "2 h", output_interval="1 h").run()
    co2 = result.partial_pressure_CO2.m_as("Pa")[0] / RT
    gained = co2 - co2[:, :1]
    m = 2 * co2_rate / M_CO2
    k = q * (1 / v_a + 1 / v_b)
    steady = m * v_b / (q * (v_a + v_b))
    t = result.time.m_as("s")
    return [
        _row(
            "fans of 20 L/s between 20 and 60 m^3, crew in A: c_A - c_B after 1 h",
            float(steady * (1 - np.exp(-k * t[1]))),
            float(gained[0, 1] - gained[1, 1]),
            "mol/m^3",
        ),
        _row(
            "the same: c_A - c_B after 2 h",
            float(steady * (1 - np.exp(-k * t[2]))),
            float(gained[0, 2] - gained[1, 2]),
            "mol/m^3",
        ),
    ]


def evaluate() -> Group:
    """Run the atmosphere cases.

    Returns
    -------
    Group
    """
    return Group(
        "Atmosphere",
        "A crew's CO2 in a sealed module, a scrubber's net rate, a scrubber bed's exponential "
        "removal and two volumes mixed by the fans of an open hatch, each against the exact "
        "solution of leaksim's equations. The air starts with 0.0314 % CO2, so rises are "
        "measured from the start. More atmosphere checks run in `tests/test_atmosphere.py` "
        "(species conservation as a property, O2 exhaustion, the lean Jacobian with fans).",
        [*_crew_rows(), *_exchange_rows()],
    )
