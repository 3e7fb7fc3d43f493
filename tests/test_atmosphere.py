"""Air that moves and is breathed: ventilation through open hatches, CO2, crews and scrubbers.

Each closed form is derived in ``docs/physics.md`` ("Atmosphere"); the tolerances are the
solver's (relative tolerance 1e-8 where set, a few times that over the run).
"""

import dataclasses

import numpy as np
import pytest
from helpers import ATM, SPECIES, T0, one_module, two_modules
from hypothesis import given, settings
from hypothesis import strategies as st

from leaksim import Crew, Hatch, Module, Scenario, Station, Threshold
from leaksim.core.gas import MOLAR_GAS_CONSTANT, species_properties
from leaksim.core.model import build_model
from leaksim.core.network import Links, Modules, Network
from leaksim.core.solver import solve
from leaksim.errors import ScenarioError
from leaksim.scenario_file import loads_scenario
from leaksim.station import DEFAULT_VENTILATION, Scrubber
from leaksim.units import ureg

DAY = 86400.0
M_O2, M_CO2 = (float(m) for m in species_properties(("O2", "CO2"))[0])
O2_RATE = 0.835 / DAY  # BVAD, kg/s per person
CO2_RATE = 0.998 / DAY
RT = MOLAR_GAS_CONSTANT * 295.15  # leaksim's default cabin temperature, 22 degC


def sealed(volume, crew=(), scrubbers=(), gas="air", days=1.0, thresholds=(), rtol=1e-8):
    """One sealed module with crews and scrubbers, run for ``days``."""
    station = Station([Module("Cabin", volume, gas=gas)], crew=list(crew), scrubbers=scrubbers)
    scenario = Scenario(
        station,
        duration=f"{days} day",
        output_interval="1 h",
        thresholds=list(thresholds),
        relative_tolerance=rtol,
    )
    return scenario.run()


# ---------------------------------------------------------------- CO2 and O2 of a crew


def test_sealed_module_co2_rises_at_crew_rate():
    # dn_CO2/dt = count m / M_CO2, so p_CO2 = p0 + count m R T t / (M V) (docs/physics.md);
    # leaksim's air holds 0.0314 % CO2 to start with.
    result = sealed("50 m^3", crew=[Crew(3, "Cabin")])
    t = result.time.m_as("s")
    co2 = result.partial_pressure_CO2.m_as("Pa")[0, 0]
    assert co2[0] == pytest.approx(101325.0 * 0.000314 / 0.99999, rel=1e-3)
    np.testing.assert_allclose(co2 - co2[0], 3 * CO2_RATE / M_CO2 * RT * t / 50.0, rtol=1e-6)
    o2 = result.partial_pressure_O2.m_as("Pa")[0, 0]
    np.testing.assert_allclose(o2, o2[0] - 3 * O2_RATE / M_O2 * RT * t / 50.0, rtol=1e-7)


def test_co2_threshold_is_reached_rising_and_its_reserve_time_is_linear():
    slope = 3 * CO2_RATE / M_CO2 * RT / 50.0  # [Pa/s]
    limit = Threshold("co2-limit", partial_pressure_CO2="1 kPa")
    crossed = sealed("50 m^3", crew=[Crew(3, "Cabin")], thresholds=[limit])
    start = crossed.partial_pressure_CO2.m_as("Pa")[0, 0, 0]
    assert crossed.threshold_times["co2-limit"]["Cabin"].m_as("s")[0] == pytest.approx(
        (1000.0 - start) / slope, rel=1e-6
    )
    # Too short to reach it: the reserve time extrapolates the rise at the end, exactly here.
    short = sealed("50 m^3", crew=[Crew(3, "Cabin")], thresholds=[limit], days=0.1)
    assert np.isnan(short.threshold_times["co2-limit"]["Cabin"].m_as("s")[0])
    assert short.reserve_times["co2-limit"]["Cabin"].m_as("s")[0] == pytest.approx(
        (1000.0 - start) / slope, rel=1e-6
    )
    summary = short.summary()
    assert summary["final"]["Cabin"]["partial_pressure_CO2_Pa"][0] == pytest.approx(
        start + slope * 0.1 * DAY, rel=1e-6
    )


def test_a_crew_breathes_its_module_empty_of_o2_without_failing():
    # 3 crew in 10 m^3: the O2 lasts about 3 days; consumption fades below 1 kPa of O2.
    floor = Threshold("hypoxia", partial_pressure_O2="16 kPa")
    result = sealed("10 m^3", crew=[Crew(3, "Cabin")], thresholds=[floor], days=6.0, rtol=1e-6)
    assert result.status == ["ok"]
    o2 = result.partial_pressure_O2.m_as("Pa")[0, 0]
    assert np.all(o2 >= 0.0) and o2[-1] < 1000.0
    slope = 3 * O2_RATE / M_O2 * RT / 10.0
    expected = (o2[0] - 16000.0) / slope
    assert result.threshold_times["hypoxia"]["Cabin"].m_as("s")[0] == pytest.approx(
        expected, rel=1e-5
    )


# ---------------------------------------------------------------- scrubbers


def test_a_scrubber_removes_its_rate_net_of_the_crew():
    crew = Crew(4, "Cabin")
    result = sealed("60 m^3", crew=[crew], scrubbers=[Scrubber("Cabin", co2_removal="2 kg/day")])
    t = result.time.m_as("s")
    net = (4 * CO2_RATE - 2.0 / DAY) / M_CO2 * RT / 60.0
    co2 = result.partial_pressure_CO2.m_as("Pa")[0, 0]
    np.testing.assert_allclose(co2 - co2[0], net * t, rtol=1e-6)


def test_a_scrubber_stronger_than_the_crew_holds_co2_low_and_positive():
    result = sealed(
        "60 m^3", crew=[Crew(2, "Cabin")], scrubbers=[Scrubber("Cabin", co2_removal="4 kg/day")]
    )
    co2 = result.partial_pressure_CO2.m_as("Pa")[0, 0]
    assert result.status == ["ok"]
    # From the 32 Pa of the air, down to where the fade balances the crew's output.
    assert np.all(co2 >= 0.0) and np.all(co2[1:] < 20.0)


def test_a_scrubber_bed_removes_co2_exponentially():
    # dn/dt = -eta Q n / V: p_CO2 = p0 exp(-eta Q t / V).
    gas = {"N2": 0.78, "O2": 0.21, "CO2": 0.01}
    bed = Scrubber("Cabin", removal_efficiency=0.5, flow="0.01 m^3/s")
    result = sealed("30 m^3", scrubbers=[bed], gas=gas, days=0.5)
    t = result.time.m_as("s")
    co2 = result.partial_pressure_CO2.m_as("Pa")[0, 0]
    # atol: the integrator's absolute tolerance, 1e-9 of the module's content (1e-4 Pa).
    expected = co2[0] * np.exp(-0.5 * 0.01 * t / 30.0)
    np.testing.assert_allclose(co2, expected, rtol=1e-6, atol=1e-4)


# ---------------------------------------------------------------- ventilation


def test_ventilation_relaxes_two_volumes_to_the_closed_form():
    # Crew in A breathing out as many moles of CO2 as of O2 in: no net gas, equal pressures,
    # so only the fans move CO2. c_A - c_B = m V_B / (Q (V_A + V_B)) (1 - exp(-k t)),
    # k = Q (1/V_A + 1/V_B), and the total is m t (docs/physics.md, "Atmosphere").
    v_a, v_b, q = 20.0, 60.0, 0.02
    co2_rate = O2_RATE / M_O2 * M_CO2  # kg/s per person: one mole of CO2 per mole of O2
    station = Station(
        [Module("A", f"{v_a} m^3"), Module("B", f"{v_b} m^3")],
        hatches=[Hatch(["A", "B"], area="0.5 m^2", ventilation=f"{q} m^3/s")],
        crew=Crew(2, "A", co2_production=f"{co2_rate} kg/s"),
    )
    result = Scenario(station, duration="4 h", output_interval="10 min").run()
    t = result.time.m_as("s")
    m = 2 * co2_rate / M_CO2  # [mol/s]
    k = q * (1 / v_a + 1 / v_b)
    difference = m * v_b / (q * (v_a + v_b)) * (1.0 - np.exp(-k * t))
    c_b = (m * t - v_a * difference) / (v_a + v_b)
    co2 = result.partial_pressure_CO2.m_as("Pa")[0] / RT  # [mol/m^3]
    co2 = co2 - co2[:, :1]  # both start with the CO2 of air
    np.testing.assert_allclose(co2[0], c_b + difference, rtol=1e-5, atol=1e-9)
    np.testing.assert_allclose(co2[1], c_b, rtol=1e-5, atol=1e-9)


def test_open_hatches_mix_by_default_and_zero_ventilation_turns_it_off():
    def crew_module_o2(ventilation):
        hatch = {} if ventilation is None else {"ventilation": ventilation}
        station = Station(
            [Module("Crew", "50 m^3"), Module("Node", "100 m^3")],
            hatches=[Hatch(["Crew", "Node"], area="0.8 m^2", **hatch)],
            crew=Crew(3, "Crew"),
        )
        result = Scenario(station, duration="2 day", output_interval="2 h").run()
        return result.partial_pressure_O2.m_as("Pa")[0, :, -1]

    mixed = crew_module_o2(None)
    still = crew_module_o2("0 m^3/s")
    # With the fans the two modules differ by about m V_B / (Q (V_A + V_B)) R T: a few Pa.
    q = ureg.Quantity(DEFAULT_VENTILATION).m_as("m^3/s")
    bound = 3 * O2_RATE / M_O2 * 100.0 / (q * 150.0) * RT
    assert abs(mixed[0] - mixed[1]) < 1.5 * bound
    assert abs(still[0] - still[1]) > 20 * abs(mixed[0] - mixed[1])


@settings(max_examples=30, deadline=None)
@given(
    volumes=st.lists(st.floats(1.0, 100.0), min_size=3, max_size=3),
    ventilation=st.lists(st.floats(0.0, 0.5), min_size=2, max_size=2),
    o2=st.lists(st.floats(0.0, 1.0), min_size=3, max_size=3),
)
def test_ventilation_conserves_every_species(volumes, ventilation, o2):
    """A closed chain of three modules of different gases: each species' total is kept."""
    x = np.zeros((3, len(SPECIES)))
    x[:, SPECIES.index("O2")] = o2
    x[:, SPECIES.index("N2")] = 1.0 - np.asarray(o2)
    net = Network(
        species=SPECIES,
        modules=Modules(
            volume=[volumes],
            initial_pressure=[[ATM, 0.99 * ATM, 1.01 * ATM]],
            initial_temperature=T0,
            initial_mole_fraction=x,
        ),
        links=Links(
            a=[0, 1],
            b=[1, 2],
            area=0.5,
            discharge_coefficient=0.8,
            initially_open=True,
            ventilation=[ventilation],
        ),
    )
    model = build_model(net)
    start = model.species_moles(model.initial_state())[0].sum(axis=0)
    sol = solve(net, 600.0, [0.0, 600.0], rtol=1e-8)
    assert sol.status[0] == 0
    np.testing.assert_allclose(sol.final_moles[0].sum(axis=0), start, rtol=1e-12, atol=1e-12)


def test_the_lean_jacobian_includes_the_fans():
    net = two_modules(hole_area=np.array([1e-4, 3e-4]), pressures=(ATM, 0.98 * ATM))
    net = net.replace(links=dataclasses.replace(net.links, ventilation=[[0.07, 0]]))
    model = build_model(net)
    assert model.analytic
    y = model.initial_state()
    jac = model.jacobian(y, net.initially_on)
    step = 1e-30 * np.abs(y)
    for j in range(y.shape[1]):
        pert = y.astype(complex)
        pert[:, j] += 1j * step[:, j]
        column = model.rhs(pert, net.initially_on).imag / step[:, j, None]
        np.testing.assert_allclose(jac[:, j, :], column.T, rtol=1e-12)


def test_fans_do_not_pressurise_equal_modules_of_different_temperatures():
    # Adiabatic: at equal pressures and heat capacities the exchange moves moles, not energy,
    # so neither pressure changes (docs/physics.md).
    net = two_modules(hole_area=np.array([0.0]), temperatures=[[280.0, 310.0]], energy="adiabatic")
    net = net.replace(links=dataclasses.replace(net.links, ventilation=[[0.1, 0]]))
    sol = solve(net, 3600.0, [0.0, 3600.0], rtol=1e-9)
    np.testing.assert_allclose(sol.final_pressure[0], [ATM, ATM], rtol=1e-9)
    assert sol.final_temperature[0, 0] > 280.0 and sol.final_temperature[0, 1] < 310.0


def test_one_module_without_hatches_has_no_fans():
    model = build_model(one_module())
    assert model._ventilated.size == 0


# ---------------------------------------------------------------- files and bad input


def test_several_crew_tables_and_scrubbers_from_a_file():
    text = """
[simulation]
duration = "1 day"
output_interval = "6 h"

[[module]]
name = "Lab"
volume = "60 m^3"

[[module]]
name = "Node1"
volume = "40 m^3"

[[hatch]]
between = ["Lab", "Node1"]
area = "0.8 m^2"
ventilation = "0.066 m^3/s"

[[crew]]
count = 3
module = "Lab"

[[crew]]
count = 1
module = "Node1"

[[scrubber]]
name = "cdra"
module = "Lab"
co2_removal = "4 kg/day"

[[threshold]]
name = "co2-limit"
partial_pressure_CO2 = "1 kPa"
"""
    scenario = loads_scenario(text)
    assert [c.name for c in scenario.station.crews] == ["crew1", "crew2"]
    assert scenario.station.scrubbers[0].name == "cdra"
    result = scenario.run()
    # The scrubber (4 kg/day) outruns the four crew (about 4 kg/day of CO2 less what the open
    # hatch carries out of Lab): Lab is held near the scrubber's fade level, never below zero.
    co2 = result.partial_pressure_CO2.m_as("Pa")[0, :, -1]
    assert result.status == ["ok"]
    assert np.all(co2 >= 0.0) and co2[0] < 100.0
    assert "partial_pressure_CO2_Pa" in result.summary()["final"]["Lab"]


@pytest.mark.parametrize(
    ("build", "words"),
    [
        (
            lambda: Hatch(["A", "B"], area="1 m^2", ventilation="-1 m^3/s"),
            r"ventilation must be >= 0 m\^3/s",
        ),
        (lambda: Hatch(["A", "B"], area="1 m^2", ventilation="1 m^3"), "ventilation"),
        (lambda: Threshold("co2", partial_pressure_CO2="4 kg/day"), "partial_pressure_CO2"),
        (
            lambda: Scrubber("Lab", co2_removal="1 kg/day", removal_efficiency=0.5, flow="1 m^3/s"),
            "exactly one of co2_removal and removal_efficiency",
        ),
        (lambda: Scrubber("Lab", removal_efficiency=0.5), "needs flow"),
        (
            lambda: Station([Module("Lab", "1 m^3")], scrubbers=[Scrubber("Lba", "1 kg/day")]),
            "did you mean 'Lab'",
        ),
        (
            lambda: Station(
                [Module("Lab", "1 m^3")], crew=[Crew(1, "Lab", name="a"), Crew(2, "Lab", name="a")]
            ),
            "name must be unique",
        ),
    ],
)
def test_bad_atmosphere_values_get_one_clear_error(build, words):
    with pytest.raises(ScenarioError, match=words):
        build()


def test_air_ventilation_default_is_the_iss_fan_flow():
    # 140 cfm (SAE 951631): 0.0661 m^3/s.
    assert ureg.Quantity(DEFAULT_VENTILATION).m_as("m^3/s") == pytest.approx(0.06607, rel=1e-3)
    assert Hatch(["A", "B"], area="1 m^2").si["ventilation"] == pytest.approx(0.06607, rel=1e-3)
    # A small opening carries at most its area times 1 m/s: 2 cm^2, 2e-4 m^3/s.
    assert Hatch(["A", "B"], area="2 cm^2").si["ventilation"] == pytest.approx(2e-4)


def test_the_safe_haven_is_governed_by_co2_then_o2():
    # Five crew sealed in 9 m^3 (leaksim.stations.safe_haven_2026): linear rises and falls at
    # the BVAD rates, about 9.7 mmHg of CO2 an hour (REFERENCE-DATA, derived).
    from leaksim.stations import safe_haven_2026

    result = safe_haven_2026().run()
    co2_0 = result.partial_pressure_CO2.m_as("Pa")[0, 0, 0]
    o2_0 = result.partial_pressure_O2.m_as("Pa")[0, 0, 0]
    co2_slope = 5 * CO2_RATE / M_CO2 * RT / 9.0
    o2_slope = 5 * O2_RATE / M_O2 * RT / 9.0
    assert co2_slope * 3600 / 133.322 == pytest.approx(9.7, abs=0.1)
    times = result.threshold_times
    assert times["co2-limit"]["Dragon"].m_as("s")[0] == pytest.approx(
        (1000.0 - co2_0) / co2_slope, rel=1e-5
    )
    assert times["ppO2-floor"]["Dragon"].m_as("s")[0] == pytest.approx(
        (o2_0 - 16000.0) / o2_slope, rel=1e-5
    )
