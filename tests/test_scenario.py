"""Tests of leaksim.scenario: validation, case lists, and compiling to the SI network."""

import doctest
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import leaksim.scenario
from leaksim.compile import CompiledScenario, output_times
from leaksim.core import solver
from leaksim.core.network import Network
from leaksim.errors import ScenarioError
from leaksim.scenario import Scenario, Threshold
from leaksim.station import Hatch, Leak, Module, Station
from leaksim.units import ureg

# Exact conversion factors, NIST SP 811 (2008), Appendix B.
MMHG = 133.322387415  # [Pa]
PSI = 0.45359237 * 9.80665 / 0.0254**2  # [Pa]
AIR_TOTAL = 0.78084 + 0.209476 + 0.00934 + 0.000314  # US Standard Atmosphere 1976, 4 species


def assert_error(call, *fragments):
    with pytest.raises(ScenarioError) as info:
        call()
    assert isinstance(info.value, ValueError)
    message = str(info.value)
    for fragment in fragments:
        assert fragment in message, f"{fragment!r} not in {message!r}"
    return message


def station(diameter="5 mm", hatch_area="0.5 m^2", **module):
    return Station(
        modules=[Module("Lab", "60 m^3", **module), Module("Node1", "40 m^3")],
        hatches=[Hatch(["Lab", "Node1"], area=hatch_area)],
        leaks=[Leak("Lab", diameter=diameter, name="hole")],
    )


# --- compile: shapes and SI values -------------------------------------------------------------


def test_compile_two_modules_hand_computed():
    scenario = Scenario(
        station(diameter=["2 mm", "5 mm", "12 mm"]),
        duration="6 h",
        output_interval="5 min",
        thresholds=[
            Threshold("evacuate", pressure="490 mmHg"),
            Threshold("ppO2-floor", partial_pressure_O2="16 kPa"),
        ],
    )
    compiled = scenario.compile()
    network = compiled.network
    assert isinstance(compiled, CompiledScenario) and isinstance(network, Network)
    assert scenario.n_cases == compiled.n_cases == 3
    np.testing.assert_array_equal(network.modules.volume, [[60.0, 40.0]] * 3)
    np.testing.assert_allclose(network.modules.initial_pressure, 760 * MMHG, rtol=1e-12)
    np.testing.assert_allclose(network.modules.initial_temperature, 295.15, rtol=1e-12)
    assert network.species == ("N2", "O2", "Ar", "CO2")
    assert network.modules.initial_mole_fraction.shape == (3, 2, 4)
    np.testing.assert_allclose(network.modules.initial_mole_fraction[:, :, 1], 0.209476 / AIR_TOTAL)
    np.testing.assert_array_equal(network.links.a, [0, 0])
    np.testing.assert_array_equal(network.links.b, [1, -1])
    hole_area = math.pi / 4 * np.array([0.002, 0.005, 0.012]) ** 2
    np.testing.assert_allclose(network.links.area[:, 0], 0.5, rtol=1e-15)
    np.testing.assert_allclose(network.links.area[:, 1], hole_area, rtol=1e-12)
    assert network.links.area[1, 1] == pytest.approx(math.pi * 0.0025**2, rel=1e-12)
    np.testing.assert_array_equal(network.links.discharge_coefficient, [[0.8, 0.6]] * 3)
    np.testing.assert_array_equal(network.links.boundary_pressure, 0.0)
    assert network.links.initially_open.all() and network.links.initially_open.shape == (3, 2)
    assert network.schedule.time.shape == (3, 0) and network.schedule.target.size == 0
    assert network.energy == "isothermal"
    assert network.modules.names == ("Lab", "Node1")
    assert network.links.names == ("Lab-Node1", "hole")
    np.testing.assert_array_equal(compiled.duration, [21600.0] * 3)
    np.testing.assert_allclose(compiled.output_time, np.arange(73) * 300.0)
    assert compiled.threshold_names == ["evacuate", "ppO2-floor"]
    assert compiled.threshold_quantities == ["pressure", "partial_pressure_O2"]
    np.testing.assert_allclose(compiled.thresholds[0][1], [490 * MMHG] * 3, rtol=1e-12)
    np.testing.assert_array_equal(compiled.thresholds[1][1], [16000.0] * 3)
    assert compiled.module_names == ["Lab", "Node1"]
    assert list(compiled.case_parameters) == ["leak.hole.diameter"]
    np.testing.assert_allclose(
        compiled.case_parameters["leak.hole.diameter"], [0.002, 0.005, 0.012], rtol=1e-12
    )
    np.testing.assert_array_equal(compiled.relative_tolerance, [1e-6] * 3)


def test_one_case_without_lists():
    compiled = Scenario(station(), duration="2 h").compile()
    assert compiled.n_cases == 1
    assert compiled.network.modules.volume.shape == (1, 2)
    assert compiled.case_parameters == {}
    # Default output grid: duration / 200.
    np.testing.assert_allclose(compiled.output_time, np.linspace(0.0, 7200.0, 201))


def test_lists_pair_element_by_element_and_single_values_broadcast():
    scenario = Scenario(
        station(diameter=["2 mm", "5 mm"], hatch_area=["1 m^2", "2 m^2"], temperature=["20 degC"]),
        duration=["1 h", "2 h"],
        relative_tolerance=[1e-6, 1e-8],
    )
    compiled = scenario.compile()
    assert compiled.n_cases == 2
    np.testing.assert_allclose(compiled.network.links.area[:, 0], [1.0, 2.0])
    np.testing.assert_allclose(
        compiled.network.links.area[:, 1], math.pi / 4 * np.array([0.002, 0.005]) ** 2
    )
    np.testing.assert_allclose(compiled.network.modules.initial_temperature[:, 0], 293.15)
    np.testing.assert_array_equal(compiled.duration, [3600.0, 7200.0])
    assert compiled.output_time[-1] == 7200.0
    np.testing.assert_array_equal(compiled.relative_tolerance, [1e-6, 1e-8])
    assert set(compiled.case_parameters) == {
        "leak.hole.diameter",
        "hatch.Lab-Node1.area",
        "module.Lab.temperature",
        "simulation.duration",
        "simulation.relative_tolerance",
    }
    np.testing.assert_allclose(compiled.case_parameters["module.Lab.temperature"], [293.15] * 2)


def test_array_quantity_makes_cases():
    scenario = Scenario(
        station(diameter=ureg.Quantity(np.array([1.0, 2.0, 3.0]), "mm")), duration="1 h"
    )
    assert scenario.n_cases == 3
    np.testing.assert_allclose(
        scenario.compile().case_parameters["leak.hole.diameter"], [0.001, 0.002, 0.003]
    )


def test_leak_targets_compile_to_links():
    modules = [Module("Lab", "60 m^3"), Module("Node1", "40 m^3")]
    leaks = [
        Leak("Lab", area="1 mm^2", to="Node1"),
        Leak("Node1", area="1 mm^2", to="1 Pa"),
        Leak("Node1", area="1 mm^2", to=["vacuum", "100 Pa"]),
    ]
    compiled = Scenario(Station(modules, leaks=leaks), duration="1 h").compile()
    network = compiled.network
    np.testing.assert_array_equal(network.links.a, [0, 1, 1])
    np.testing.assert_array_equal(network.links.b, [1, -1, -1])
    np.testing.assert_array_equal(
        network.links.boundary_pressure, [[0.0, 1.0, 0.0], [0.0, 1.0, 100.0]]
    )
    np.testing.assert_array_equal(compiled.case_parameters["leak.leak3.to"], [0.0, 100.0])


def test_events_from_hatch_times_and_leak_start():
    stn = Station(
        [Module("Lab", "60 m^3"), Module("Node1", "40 m^3")],
        hatches=[
            Hatch(
                ["Lab", "Node1"],
                area="1 m^2",
                close_at=["30 min", "never"],
                open=[True, False],
                open_at="1 h",
            )
        ],
        leaks=[
            Leak("Lab", diameter="5 mm", start=["0 s", "10 min"], name="hole"),
            Leak("Node1", diameter="1 mm", start="0 s"),
        ],
    )
    compiled = Scenario(stn, duration="2 h").compile()
    network = compiled.network
    np.testing.assert_array_equal(
        network.links.initially_open, [[True, True, True], [False, False, True]]
    )
    np.testing.assert_array_equal(network.schedule.target, [0, 0, 1])
    np.testing.assert_array_equal(network.schedule.opens, [False, True, True])
    np.testing.assert_array_equal(
        network.schedule.time, [[1800.0, 3600.0, np.inf], [np.inf, 3600.0, 600.0]]
    )
    np.testing.assert_array_equal(
        compiled.case_parameters["hatch.Lab-Node1.close_at"], [1800.0, np.inf]
    )
    np.testing.assert_array_equal(compiled.case_parameters["hatch.Lab-Node1.open"], [True, False])


def test_species_are_the_union_of_all_modules():
    stn = Station(
        [Module("A", "1 m^3", gas="N2"), Module("B", "1 m^3", gas={"O2": 0.5, "He": 0.5})],
        leaks=[Leak("A", area="1 mm^2")],
    )
    network = Scenario(stn, duration="1 h").compile().network
    assert network.species == ("N2", "O2", "He")
    np.testing.assert_allclose(network.modules.initial_mole_fraction[0], [[1, 0, 0], [0, 0.5, 0.5]])


def test_gas_per_case():
    stn = Station([Module("A", "1 m^3", gas=["air", "N2"])], leaks=[Leak("A", area="1 mm^2")])
    compiled = Scenario(stn, duration="1 h").compile()
    x = compiled.network.modules.initial_mole_fraction
    assert x.shape == (2, 1, 4)
    np.testing.assert_allclose(x[1, 0], [1.0, 0.0, 0.0, 0.0])
    np.testing.assert_allclose(x[0, 0, 0], 0.78084 / AIR_TOTAL)
    assert list(compiled.case_parameters["module.A.gas"]) == ["air", "N2"]


def test_wall_mode_compiles_wall_arrays():
    stn = Station(
        [
            Module(
                "A",
                "1 m^3",
                temperature="20 degC",
                wall_area="10 m^2",
                wall_heat_transfer="2 W/(m^2*K)",
            ),
            Module(
                "B",
                "1 m^3",
                wall_area="5 m^2",
                wall_heat_transfer="3 W/(m^2*K)",
                wall_temperature="300 K",
            ),
        ],
        leaks=[Leak("A", area="1 mm^2")],
    )
    network = Scenario(stn, duration="1 h", energy="wall").compile().network
    assert network.energy == "wall"
    np.testing.assert_array_equal(network.modules.wall_area, [[10.0, 5.0]])
    np.testing.assert_array_equal(network.modules.wall_heat_transfer, [[2.0, 3.0]])
    # The wall of A defaults to A's initial gas temperature.
    np.testing.assert_allclose(network.modules.wall_temperature, [[293.15, 300.0]])


def test_wall_values_are_ignored_in_other_modes():
    stn = Station(
        [Module("A", "1 m^3", wall_area="10 m^2", wall_heat_transfer="2 W/(m^2*K)")],
        leaks=[Leak("A", area="1 mm^2")],
    )
    network = Scenario(stn, duration="1 h", energy="adiabatic").compile().network
    np.testing.assert_array_equal(network.modules.wall_area, [[0.0]])


def test_station_without_links_compiles():
    network = Scenario(Station([Module("A", "1 m^3")]), duration="1 h").compile().network
    assert network.links.area.shape == (1, 0) and network.links.a.size == 0


@pytest.mark.parametrize(
    ("end", "interval", "expected"),
    [
        (100.0, 30.0, [0.0, 30.0, 60.0, 90.0, 100.0]),
        (21600.0, 300.0, np.arange(73) * 300.0),
        (10.0, 60.0, [0.0, 10.0]),
        (0.3, 0.1, [0.0, 0.1, 0.2, 0.3]),
    ],
)
def test_output_times(end, interval, expected):
    np.testing.assert_allclose(output_times(end, interval), expected, rtol=1e-12)


def test_output_grid_runs_to_the_longest_duration():
    compiled = Scenario(station(), duration=["1 h", "90 min"], output_interval="20 min").compile()
    np.testing.assert_allclose(compiled.output_time, [0, 1200, 2400, 3600, 4800, 5400])


# --- invariants --------------------------------------------------------------------------------


def _compile_with_pressure(pressure):
    stn = Station(
        [Module("Lab", "60 m^3", pressure=pressure), Module("Node1", "40 m^3", pressure=pressure)],
        hatches=[Hatch(["Lab", "Node1"], area="0.5 m^2")],
        leaks=[Leak("Lab", diameter="5 mm", to=pressure)],
    )
    return Scenario(stn, duration="1 h", thresholds=[Threshold("t", pressure)]).compile()


@settings(max_examples=30, deadline=None)
@given(st.floats(min_value=1.0, max_value=1e6, allow_nan=False, allow_infinity=False))
def test_pressure_units_give_the_same_network(pressure):
    """kPa, psi, mmHg and bar inputs, as strings or quantities, compile to one SI network."""
    inputs = [
        f"{pressure / 1e3!r} kPa",
        f"{pressure / PSI!r} psi",
        f"{pressure / MMHG!r} mmHg",
        f"{pressure / 1e5!r} bar",
        ureg.Quantity(pressure / PSI, "psi"),
    ]
    compiled = [_compile_with_pressure(value) for value in inputs]
    for c in compiled:
        np.testing.assert_allclose(c.network.modules.initial_pressure, pressure, rtol=1e-12)
        np.testing.assert_allclose(c.network.links.boundary_pressure[:, 1], pressure, rtol=1e-12)
        np.testing.assert_allclose(c.thresholds[0][1], pressure, rtol=1e-12)
        np.testing.assert_array_equal(c.network.links.area, compiled[0].network.links.area)
        np.testing.assert_array_equal(
            c.network.modules.initial_mole_fraction,
            compiled[0].network.modules.initial_mole_fraction,
        )


def _three_modules(order):
    modules = {
        "Lab": Module("Lab", "60 m^3", pressure="101 kPa", gas="air"),
        "Node1": Module("Node1", ["40 m^3", "41 m^3"], temperature="18 degC", gas="N2"),
        "PrK": Module("PrK", "5 m^3", pressure="95 kPa", gas={"O2": 0.3, "N2": 0.7}),
    }
    return Station(
        [modules[name] for name in order],
        hatches=[
            Hatch(["Lab", "Node1"], area="0.5 m^2"),
            Hatch(["Node1", "PrK"], diameter="0.8 m", close_at="10 min"),
        ],
        leaks=[
            Leak("PrK", area="0.05 mm^2", name="crack"),
            Leak("Lab", diameter="1 mm", to="Node1", start="5 min"),
        ],
    )


def test_module_order_does_not_change_the_physics():
    a = Scenario(_three_modules(["Lab", "Node1", "PrK"]), duration="1 h").compile().network
    b = Scenario(_three_modules(["PrK", "Lab", "Node1"]), duration="1 h").compile().network
    perm = [b.modules.names.index(name) for name in a.modules.names]
    assert a.species == b.species
    for field in ("volume", "initial_pressure", "initial_temperature", "initial_mole_fraction"):
        np.testing.assert_array_equal(getattr(a.modules, field), getattr(b.modules, field)[:, perm])
    names_a = np.array(a.modules.names + ("outside",))
    names_b = np.array(b.modules.names + ("outside",))
    np.testing.assert_array_equal(names_a[a.links.a], names_b[b.links.a])
    np.testing.assert_array_equal(names_a[a.links.b], names_b[b.links.b])
    for record, field in (
        ("links", "area"),
        ("links", "discharge_coefficient"),
        ("links", "boundary_pressure"),
        ("links", "initially_open"),
        ("schedule", "time"),
        ("schedule", "target"),
        ("schedule", "opens"),
    ):
        np.testing.assert_array_equal(
            getattr(getattr(a, record), field), getattr(getattr(b, record), field)
        )


# --- validation --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "fragments"),
    [
        ({"duration": "0 s"}, ["scenario: duration must be > 0 s", "'0 s'"]),
        ({"duration": "-1 h"}, ["duration must be > 0 s", "'-1 h'"]),
        ({"duration": 3600}, ["duration needs a unit", "3600"]),
        ({"duration": "6 m"}, ["duration", "dimension", "'6 m'"]),
        ({"duration": "inf h"}, ["duration", "finite", "'inf h'"]),
        ({"output_interval": "0 s"}, ["output_interval must be > 0 s", "'0 s'"]),
        ({"output_interval": "-5 min"}, ["output_interval must be > 0 s", "'-5 min'"]),
        (
            {"output_interval": ["1 min", "2 min"]},
            ["output_interval must be one value", "['1 min', '2 min']"],
        ),
        (
            {"energy": "adiabatc"},
            ["energy must be one of", "'adiabatc'", "did you mean 'adiabatic'?"],
        ),
        ({"energy": ["isothermal"]}, ["energy must be one of", "['isothermal']"]),
        ({"relative_tolerance": 0.0}, ["relative_tolerance must be in (0, 1)", "0.0"]),
        ({"relative_tolerance": 1}, ["relative_tolerance must be in (0, 1)", "1"]),
        ({"relative_tolerance": "1e-6"}, ["relative_tolerance", "plain number", "'1e-6'"]),
        ({"thresholds": Threshold("a", "1 Pa")}, ["thresholds must be a list of Threshold"]),
        ({"thresholds": ["a"]}, ["thresholds must hold only Threshold", "str"]),
        (
            {"thresholds": [Threshold("a", "1 Pa"), Threshold("a", "2 Pa")]},
            ["threshold 'a'", "name must be unique", "'a'", "threshold #1 and threshold #2"],
        ),
        ({"energy": "wall"}, ["module 'Lab'", "wall_area is required", "'wall'"]),
        (
            {"duration": ["1 h", "2 h"]},
            [
                "lists of cases must have equal lengths",
                "leak.hole.diameter",
                "3",
                "simulation.duration",
                "2",
            ],
        ),
    ],
)
def test_scenario_rejects_bad_values(kwargs, fragments):
    kwargs = {"duration": "1 h", **kwargs}
    assert_error(lambda: Scenario(station(diameter=["1 mm", "2 mm", "3 mm"]), **kwargs), *fragments)


def test_unequal_lists_anywhere_name_both_keys():
    assert_error(
        lambda: Scenario(
            station(diameter=["1 mm", "2 mm", "3 mm"], hatch_area=["1 m^2", "2 m^2"]),
            duration="1 h",
        ),
        "hatch.Lab-Node1.area",
        "leak.hole.diameter",
        "2",
        "3",
        "equal lengths",
    )


def test_scenario_needs_a_station():
    assert_error(
        lambda: Scenario([Module("Lab", "1 m^3")], duration="1 h"),
        "station must be a Station",
        "list",
    )


@pytest.mark.parametrize(
    ("kwargs", "fragments"),
    [
        (
            {"pressure": "490 mmHg", "partial_pressure_O2": "16 kPa"},
            ["threshold 'x'", "exactly one of pressure and partial_pressure_O2", "both"],
        ),
        ({}, ["exactly one of pressure and partial_pressure_O2", "neither"]),
        ({"pressure": "-1 Pa"}, ["pressure must be >= 0 Pa", "'-1 Pa'"]),
        ({"partial_pressure_O2": "16 kg"}, ["partial_pressure_O2", "dimension", "'16 kg'"]),
        ({"partial_pressure_O2": 16000}, ["partial_pressure_O2 needs a unit", "16000"]),
    ],
)
def test_threshold_rejects_bad_values(kwargs, fragments):
    assert_error(lambda: Threshold("x", **kwargs), *fragments)


def test_threshold_level_and_quantity():
    threshold = Threshold("evacuate", pressure=["490 mmHg", "500 mmHg"])
    assert threshold.quantity == "pressure"
    np.testing.assert_allclose(threshold.level, [490 * MMHG, 500 * MMHG], rtol=1e-12)


# --- run ---------------------------------------------------------------------------------------


def test_run_passes_the_compiled_arrays_to_solve_and_result(monkeypatch):
    calls = {}

    def fake_solve(network, duration, output_time, thresholds=(), rtol=1e-6, **options):
        calls["solve"] = (network, duration, output_time, thresholds, rtol, options)
        return "solution"

    class FakeResult:
        def __init__(self, solution, compiled):
            calls["result"] = (solution, compiled)

    monkeypatch.setattr(solver, "solve", fake_solve)
    monkeypatch.setattr(leaksim.scenario, "Result", FakeResult)
    scenario = Scenario(
        station(diameter=["2 mm", "5 mm"]),
        duration="1 h",
        thresholds=[Threshold("floor", partial_pressure_O2="16 kPa")],
    )
    result = scenario.run(zones=False, max_steps=10)
    assert isinstance(result, FakeResult)
    network, duration, output_time, thresholds, rtol, options = calls["solve"]
    assert network.n_cases == 2
    np.testing.assert_array_equal(duration, [3600.0, 3600.0])
    assert output_time[0] == 0.0 and output_time[-1] == 3600.0
    assert thresholds[0][0] == "partial_pressure_O2"
    np.testing.assert_array_equal(thresholds[0][1], [16000.0, 16000.0])
    np.testing.assert_array_equal(rtol, [1e-6, 1e-6])
    assert options == {"max_steps": 10}
    solution, compiled = calls["result"]
    assert solution == "solution"
    assert compiled.network is network
    assert compiled.module_names == ["Lab", "Node1"]
    assert compiled.threshold_names == ["floor"]
    assert compiled.threshold_quantities == ["partial_pressure_O2"]
    np.testing.assert_array_equal(compiled.thresholds[0].level, [16000.0, 16000.0])
    np.testing.assert_allclose(compiled.case_parameters["leak.hole.diameter"], [0.002, 0.005])


def test_run_one_module_matches_isothermal_blowdown():
    """Closed form of docs/physics.md: p = p0 exp(-t / tau), tau = V / (Cd A psi* sqrt(R T0))."""
    from leaksim.core.gas import AIR, MOLAR_GAS_CONSTANT, SPECIES

    total = sum(AIR.values())
    molar_mass = sum(x / total * SPECIES[s].molar_mass for s, x in AIR.items())
    cp = sum(x / total * SPECIES[s].molar_heat_capacity for s, x in AIR.items())
    gamma = cp / (cp - MOLAR_GAS_CONSTANT)
    psi_choked = math.sqrt(gamma) * (2 / (gamma + 1)) ** ((gamma + 1) / (2 * (gamma - 1)))
    area = math.pi / 4 * np.array([0.005, 0.010]) ** 2
    tau = 100.0 / (0.6 * area * psi_choked * math.sqrt(MOLAR_GAS_CONSTANT / molar_mass * 295.15))
    stn = Station([Module("Cabin", "100 m^3")], leaks=[Leak("Cabin", diameter=["5 mm", "10 mm"])])
    compiled = Scenario(stn, duration="2 h", relative_tolerance=1e-8).compile()
    solution = solver.solve(
        compiled.network, compiled.duration, compiled.output_time, rtol=compiled.relative_tolerance
    )
    expected = 760 * MMHG * np.exp(-7200.0 / tau)
    # 1e-5: the integration tolerance and the 1 Pa flow regularisation are both far below it.
    np.testing.assert_allclose(solution.final_pressure[:, 0], expected, rtol=1e-5)


def test_docstring_examples_run():
    assert doctest.testmod(leaksim.scenario).failed == 0


# --- effective_area ---------------------------------------------------------------------------


def leak_run(**leak):
    holed = Station(
        modules=[Module("Lab", "60 m^3"), Module("Node1", "40 m^3")],
        hatches=[Hatch(["Lab", "Node1"], area="0.5 m^2")],
        leaks=[Leak("Lab", name="hole", **leak)],
    )
    return Scenario(holed, duration="6 h", output_interval="10 min").run()


def test_effective_area_is_area_with_cd_one():
    # Cd A given as effective_area, and the same area with Cd = 1: the same network, so the
    # same numbers to the bit.
    areas = ["0.0815 mm^2", "5 mm^2", "80 mm^2"]
    by_effective = leak_run(effective_area=areas)
    by_area = leak_run(area=areas, discharge_coefficient=1.0)
    np.testing.assert_array_equal(by_effective.pressure.m_as("Pa"), by_area.pressure.m_as("Pa"))
    assert by_effective.pressure.m_as("Pa")[2, 0, -1] < 0.5 * 101325.0  # it did leak


def test_effective_area_is_cd_times_a_diameter_area():
    # 0.6 x pi (5 mm)^2 / 4 = 11.781 mm^2 leaks as a 5 mm hole with the default Cd of 0.6;
    # only the rounding of Cd A differs (one multiplication), far below the solver tolerance.
    cda = 0.6 * math.pi * 5.0**2 / 4.0
    by_effective = leak_run(effective_area=f"{cda!r} mm^2")
    by_diameter = leak_run(diameter="5 mm")
    np.testing.assert_allclose(
        by_effective.pressure.m_as("Pa"), by_diameter.pressure.m_as("Pa"), rtol=1e-12
    )


# --- a hole that shrinks ------------------------------------------------------------------------


def test_a_negative_growth_rate_that_closes_the_hole_is_refused():
    holed = Station(
        [Module("Lab", "60 m^3")],
        leaks=[Leak("Lab", area="1 mm^2", growth={"rate": "-1 mm^2/h"}, name="crack")],
    )
    assert_error(
        lambda: Scenario(holed, duration="6 h"),
        "leak 'crack'",
        "growth.rate must leave the hole an area >= 0",
        "'-1 mm^2/h'",
        "closes 3600 s after its start",
        "21600 s",
    )
    # narrowing that leaves some area at the end is a hole sealing itself, and runs
    Scenario(holed, duration="30 min").compile()


# --- the size of the output grid ---------------------------------------------------------------


@given(st.floats(1.0, 1e6), st.floats(1e-3, 1e4))
def test_output_count_is_the_size_of_output_times(end, interval):
    from leaksim.compile import output_count

    if end / interval < 1e5:
        assert output_count(end, interval) == output_times(end, interval).size


def test_output_bytes_counts_cases_modules_times_and_values():
    from leaksim.compile import output_bytes

    # 8 bytes x (3 cases x 2 modules x 37 times x 4 values + 37 times)
    assert output_bytes(3, 2, 37) == 8 * (3 * 2 * 37 * 4 + 37)
    compiled = Scenario(
        station(["1 mm", "2 mm", "3 mm"]), "6 h", output_interval="10 min"
    ).compile()
    assert compiled.output_bytes == output_bytes(3, 2, 37)


@pytest.mark.parametrize(
    ("duration", "interval", "size"),
    # 8 B x T x (2 modules x 4 values + 1): T = 86,400,000,001 gives 6.22e12 B = 5.66 TiB;
    # 100 Julian years every second, T = 3,155,760,001, 2.27e11 B = 212 GiB
    [("1 day", "1 us", "5.66 TiB"), ("100 year", "1 s", "212 GiB")],
)
def test_an_output_grid_beyond_memory_is_refused_before_it_is_built(
    monkeypatch, duration, interval, size
):
    import leaksim.compile

    monkeypatch.setattr(leaksim.compile, "_memory_bytes", lambda: 64 * 2**30)
    monkeypatch.setattr(leaksim.compile.np, "arange", None)  # nothing may build the grid
    assert_error(
        lambda: Scenario(station(), duration=duration, output_interval=interval),
        f"the outputs would take about {size} of memory",
        "x 2 modules x 1 case x 4 values x 8 bytes",
        "more than half of the 64 GiB this process may use",
        "output_interval",
    )


def test_a_large_output_grid_warns(monkeypatch):
    import leaksim.compile

    monkeypatch.setattr(leaksim.compile, "OUTPUT_WARNING_BYTES", 10_000)
    with pytest.warns(leaksim.compile.OutputSizeWarning, match=r"about 12\.7 KiB of memory"):
        # 8 x (2 modules x 181 times x 4 values + 181 times) = 13,032 bytes = 12.7 KiB
        Scenario(station(), duration="3 h", output_interval="1 min").compile()


def test_closing_a_hatch_closed_all_along_reports_no_closing_time():
    # Case 0 closes its open hatch at 10 min; case 1's hatch is closed from the start and
    # never opens, so nothing closes it and results say so (NaN, not 600 s).
    from leaksim import Hatch, Leak, Module, Scenario, Station

    station = Station(
        [Module("A", "10 m^3"), Module("B", "10 m^3")],
        hatches=[Hatch(["A", "B"], area="0.5 m^2", open=[True, False], close_at="10 min")],
        leaks=[Leak("A", diameter="5 mm")],
    )
    closed = Scenario(station, "1 h").run().hatches["A-B"]["closed_at"].m_as("s")
    assert closed[0] == 600.0 and np.isnan(closed[1])
