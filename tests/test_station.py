"""Tests of leaksim.station: modules, hatches, leaks and stations built with quantities."""

import dataclasses
import doctest
import math

import numpy as np
import pytest

import leaksim._params
import leaksim.station
from leaksim.errors import ScenarioError
from leaksim.station import Hatch, Leak, Module, Station
from leaksim.units import ureg

MMHG = 133.322387415  # conventional millimetre of mercury [Pa], NIST SP 811


def assert_error(call, *fragments):
    """``call()`` raises a ScenarioError (a ValueError) whose message holds every fragment."""
    with pytest.raises(ScenarioError) as info:
        call()
    assert isinstance(info.value, ValueError)
    message = str(info.value)
    for fragment in fragments:
        assert fragment in message, f"{fragment!r} not in {message!r}"
    return message


def two_modules(**leak):
    leak = {"diameter": "5 mm", "name": "hole", **leak}
    return Station(
        modules=[Module("Lab", "60 m^3"), Module("Node1", "40 m^3")],
        hatches=[Hatch(["Lab", "Node1"], area="0.5 m^2")],
        leaks=[Leak("Lab", **leak)],
    )


# --- Module ---------------------------------------------------------------------------------


def test_module_defaults_are_sea_level_air_at_22_degC():
    module = Module("Lab", "60 m^3")
    assert float(module.si["volume"]) == 60.0
    assert float(module.si["pressure"]) == pytest.approx(760 * MMHG, rel=1e-12)
    assert float(module.si["temperature"]) == pytest.approx(295.15, rel=1e-12)
    # U.S. Standard Atmosphere 1976 dry air, renormalised over N2, O2, Ar, CO2.
    total = 0.78084 + 0.209476 + 0.00934 + 0.000314
    assert module.composition[0]["O2"] == pytest.approx(0.209476 / total, rel=1e-12)
    assert sum(module.composition[0].values()) == pytest.approx(1.0, rel=1e-15)


def test_module_accepts_quantities_and_arrays():
    module = Module(
        "Lab",
        ureg.Quantity(np.array([50.0, 60.0]), "m^3"),
        pressure=ureg.Quantity(14.7, "psi"),
        temperature=[ureg.Quantity(20, "degC"), "300 K"],
    )
    np.testing.assert_allclose(module.si["volume"], [50.0, 60.0])
    assert module.si["volume"].shape == (2,)
    assert module.si["pressure"].shape == ()
    np.testing.assert_allclose(module.si["temperature"], [293.15, 300.0], rtol=1e-12)


def test_module_gas_by_species_fractions_and_per_case():
    assert Module("A", "1 m^3", gas="N2").composition == ({"N2": 1.0},)
    mixed = Module("A", "1 m^3", gas={"N2": 0.79, "O2": 0.21}).composition[0]
    assert mixed == pytest.approx({"N2": 0.79, "O2": 0.21})
    per_case = Module("A", "1 m^3", gas=["air", "O2"])
    assert len(per_case.composition) == 2
    assert list(per_case.case_values()["gas"]) == ["air", "O2"]
    assert "gas" not in Module("A", "1 m^3").case_values()


def test_module_wall_values():
    module = Module(
        "A",
        "1 m^3",
        wall_area="150 m^2",
        wall_heat_transfer="2 W/(m^2*K)",
        wall_temperature="20 degC",
    )
    assert float(module.si["wall_area"]) == 150.0
    assert float(module.si["wall_heat_transfer"]) == 2.0
    assert float(module.si["wall_temperature"]) == pytest.approx(293.15)


def test_module_wall_bounds_are_inclusive_for_area_and_coefficient():
    # Each wall key has its own bound: area and coefficient >= 0 (zero means no exchange),
    # temperature > 0 K (tested with the bad values below).
    module = Module("A", "1 m^3", wall_area="0 m^2", wall_heat_transfer="0 W/(m^2*K)")
    assert float(module.si["wall_area"]) == 0.0
    assert float(module.si["wall_heat_transfer"]) == 0.0


@pytest.mark.parametrize(
    ("kwargs", "fragments"),
    [
        ({"volume": "-60 m^3"}, ["volume", "must be > 0 m^3", "'-60 m^3'"]),
        ({"volume": "0 m^3"}, ["volume", "must be > 0 m^3", "'0 m^3'"]),
        ({"volume": ureg.Quantity(-2, "m^3")}, ["volume", "must be > 0 m^3", "-2 m³"]),
        ({"volume": 60}, ["volume needs a unit", "60"]),
        ({"volume": "5 kg"}, ["volume", "dimension", "'5 kg'"]),
        ({"volume": "nan m^3"}, ["volume", "finite", "'nan m^3'"]),
        ({"volume": ["1 m^3", "-1 m^3"]}, ["volume", "> 0 m^3", "'-1 m^3'", "entry 2 of 2"]),
        ({"volume": [["1 m^3"]]}, ["volume", "flat list"]),
        ({"volume": []}, ["volume", "at least one value", "[]"]),
        ({"pressure": "-1 kPa"}, ["pressure", "must be >= 0 Pa", "'-1 kPa'"]),
        ({"pressure": "1 m"}, ["pressure", "dimension", "'1 m'"]),
        ({"temperature": "-300 degC"}, ["temperature", "must be > 0 K", "'-300 degC'"]),
        ({"temperature": "0 K"}, ["temperature", "must be > 0 K", "'0 K'"]),
        ({"temperature": "inf K"}, ["temperature", "finite", "'inf K'"]),
        ({"gas": "Xe"}, ["gas", "'Xe'"]),
        ({"gas": 5}, ["gas", "mole fractions", "5"]),
        ({"gas": {"N2": 0.7, "O2": 0.2}}, ["gas", "sum to 1", "0.9"]),
        ({"gas": {"N2": 1.2, "O2": -0.2}}, ["gas", "O2", ">= 0", "-0.2"]),
        ({"wall_area": "-1 m^2"}, ["wall_area", "must be >= 0 m^2", "'-1 m^2'"]),
        ({"wall_heat_transfer": "2 W"}, ["wall_heat_transfer", "dimension", "'2 W'"]),
        ({"wall_temperature": "-1 K"}, ["wall_temperature", "must be > 0 K", "'-1 K'"]),
        ({"wall_temperature": "0 K"}, ["wall_temperature", "must be > 0 K", "'0 K'"]),
        (
            {"wall_heat_transfer": "-2 W/(m^2*K)"},
            ["wall_heat_transfer", "must be >= 0 W/(m^2*K)", "'-2 W/(m^2*K)'"],
        ),
        ({"name": ""}, ["name", "non-empty string", "''"]),
        ({"name": 5}, ["name", "non-empty string", "5"]),
    ],
)
def test_module_rejects_bad_values(kwargs, fragments):
    kwargs = {"name": "Lab", "volume": "60 m^3", **kwargs}
    message = assert_error(lambda: Module(**kwargs), *fragments)
    if isinstance(kwargs["name"], str) and kwargs["name"]:
        assert message.startswith("module 'Lab': ")


def test_objects_are_immutable():
    module = Module("Lab", "60 m^3")
    with pytest.raises(dataclasses.FrozenInstanceError):
        module.volume = "1 m^3"


# --- Hatch and Leak ---------------------------------------------------------------------------


def test_hatch_default_name_joins_module_names_in_order():
    assert Hatch(["Node1", "Lab"], area="1 m^2").name == "Node1-Lab"
    assert Hatch(("Lab", "Node1"), area="1 m^2", name="crew").name == "crew"


def test_hatch_area_from_diameter_and_defaults():
    hatch = Hatch(["Lab", "Node1"], diameter="800 mm")
    assert float(hatch.flow_area) == pytest.approx(math.pi * 0.4**2, rel=1e-12)
    assert float(hatch.si["discharge_coefficient"]) == 0.8
    assert bool(hatch.si["open"]) is True
    assert "close_at" not in hatch.si


def test_hatch_events_accept_never_per_case():
    hatch = Hatch(["A", "B"], area="1 m^2", close_at=["30 min", None, "never"], open_at="1 h")
    np.testing.assert_array_equal(hatch.si["close_at"], [1800.0, np.inf, np.inf])
    assert float(hatch.si["open_at"]) == 3600.0


def test_hatch_open_per_case():
    np.testing.assert_array_equal(
        Hatch(["A", "B"], area="1 m^2", open=[True, False]).si["open"], [True, False]
    )


def test_leak_defaults_and_area():
    leak = Leak("Lab", diameter="5 mm")
    assert leak.name is None
    assert float(leak.flow_area) == pytest.approx(math.pi * 0.0025**2, rel=1e-12)
    assert float(leak.si["discharge_coefficient"]) == 0.6
    assert float(leak.si["start"]) == 0.0
    assert float(leak.si["to"]) == 0.0
    assert leak.to_module is None


@pytest.mark.parametrize(
    ("to", "module", "pressure"),
    [
        ("vacuum", None, 0.0),
        ("Vacuum", None, 0.0),
        ("Node1", "Node1", None),
        ("1 Pa", None, 1.0),
        (ureg.Quantity(2, "kPa"), None, 2000.0),
        ("-0 Pa", None, 0.0),
        (["vacuum", "100 Pa"], None, [0.0, 100.0]),
    ],
)
def test_leak_target(to, module, pressure):
    leak = Leak("Lab", area="1 mm^2", to=to)
    assert leak.to_module == module
    if pressure is None:
        assert "to" not in leak.si
    else:
        np.testing.assert_allclose(leak.si["to"], pressure)


@pytest.mark.parametrize("cls", [Hatch, Leak])
@pytest.mark.parametrize(
    ("kwargs", "fragments"),
    [
        ({"diameter": "-2 mm"}, ["diameter", "must be > 0 m", "'-2 mm'"]),
        ({"diameter": ureg.Quantity(-2, "mm")}, ["diameter", "must be > 0 m", "-2 mm"]),
        ({"diameter": "0 mm"}, ["diameter", "must be > 0 m", "'0 mm'"]),
        ({"diameter": 5}, ["diameter needs a unit", "5"]),
        ({"diameter": "5 mm^2"}, ["diameter", "dimension", "'5 mm^2'"]),
        ({"area": "-1 mm^2"}, ["area", "must be > 0 m^2", "'-1 mm^2'"]),
        ({"area": "0 m^2"}, ["area", "must be > 0 m^2", "'0 m^2'"]),
        (
            {"area": "1 mm^2", "diameter": "1 mm"},
            ["exactly one of area and diameter", "both", "'1 mm^2'", "'1 mm'"],
        ),
        ({}, ["exactly one of area and diameter", "neither"]),
        (
            {"area": "1 mm^2", "discharge_coefficient": 1.5},
            ["discharge_coefficient", "must be in (0, 1]", "1.5"],
        ),
        ({"area": "1 mm^2", "discharge_coefficient": 0}, ["discharge_coefficient", "(0, 1]", "0"]),
        (
            {"area": "1 mm^2", "discharge_coefficient": -0.2},
            ["discharge_coefficient", "(0, 1]", "-0.2"],
        ),
        (
            {"area": "1 mm^2", "discharge_coefficient": math.nan},
            ["discharge_coefficient", "finite", "nan"],
        ),
        (
            {"area": "1 mm^2", "discharge_coefficient": "0.8"},
            ["discharge_coefficient", "plain number", "'0.8'"],
        ),
        (
            {"area": "1 mm^2", "discharge_coefficient": True},
            ["discharge_coefficient", "plain number", "True"],
        ),
        (
            {"area": "1 mm^2", "discharge_coefficient": [0.6, 1.1]},
            ["discharge_coefficient", "(0, 1]", "1.1", "entry 2 of 2"],
        ),
    ],
)
def test_openings_reject_bad_values(cls, kwargs, fragments):
    first = {"between": ["Lab", "Node1"]} if cls is Hatch else {"module": "Lab"}
    assert_error(
        lambda: cls(**first, **kwargs, name="x"), *fragments, f"{cls.__name__.lower()} 'x': "
    )


@pytest.mark.parametrize(
    ("kwargs", "fragments"),
    [
        ({"between": ["Lab", "Lab"]}, ["between", "two different modules", "['Lab', 'Lab']"]),
        ({"between": "Lab"}, ["between", "list of two module names", "'Lab'"]),
        ({"between": ["Lab"]}, ["between", "list of two module names", "['Lab']"]),
        ({"between": ["Lab", 5]}, ["between", "list of two module names", "5"]),
        ({"open": "yes"}, ["open", "true or false", "'yes'"]),
        ({"open": 1}, ["open", "true or false", "1"]),
        ({"open": [True, "no"]}, ["open", "true or false", "'no'", "entry 2 of 2"]),
        ({"close_at": "-1 min"}, ["close_at", "must be >= 0 s", "'-1 min'"]),
        ({"open_at": "-5 s"}, ["open_at", "must be >= 0 s", "'-5 s'"]),
        ({"close_at": "5 m"}, ["close_at", "dimension", "'5 m'"]),
        ({"close_at": 30}, ["close_at needs a unit", "30"]),
    ],
)
def test_hatch_rejects_bad_values(kwargs, fragments):
    kwargs = {"between": ["Lab", "Node1"], "area": "0.5 m^2", **kwargs}
    assert_error(lambda: Hatch(**kwargs), *fragments)


@pytest.mark.parametrize(
    ("kwargs", "fragments"),
    [
        ({"start": "-5 s"}, ["start", "must be >= 0 s", "'-5 s'"]),
        ({"start": ["0 s", "-1 s"]}, ["start", ">= 0 s", "'-1 s'", "entry 2 of 2"]),
        ({"to": "Lab"}, ["to", "another module", "'Lab'"]),
        ({"to": "-1 Pa"}, ["to", "must be >= 0 Pa", "'-1 Pa'"]),
        ({"to": "5 m"}, ["to", "dimension", "'5 m'"]),
        ({"to": 5}, ["to needs a unit", "5"]),
        ({"to": ["1 Pa", "Node1"]}, ["to", "only among pressures", "'Node1'", "entry 2 of 2"]),
        ({"module": ""}, ["module", "non-empty string", "''"]),
        ({"module": ["Lab", "Node1"]}, ["module", "non-empty string", "['Lab', 'Node1']"]),
        ({"name": ""}, ["name", "non-empty string", "''"]),
    ],
)
def test_leak_rejects_bad_values(kwargs, fragments):
    kwargs = {"module": "Lab", "diameter": "5 mm", **kwargs}
    assert_error(lambda: Leak(**kwargs), *fragments)


def test_leak_error_names_the_leak():
    assert_error(
        lambda: Leak("Lab", diameter=ureg.Quantity(-2, "mm"), name="hole"),
        "leak 'hole': diameter must be > 0 m, got -2 mm",
    )
    assert_error(lambda: Leak("Lab", diameter="-2 mm"), "leak in 'Lab': diameter")


# --- Station ----------------------------------------------------------------------------------


def test_station_names_unnamed_leaks_by_position():
    station = Station(
        [Module("Lab", "60 m^3"), Module("Node1", "40 m^3")],
        leaks=[
            Leak("Lab", diameter="1 mm"),
            Leak("Lab", diameter="2 mm", name="crack"),
            Leak("Node1", diameter="3 mm"),
        ],
    )
    assert [leak.name for leak in station.leaks] == ["leak1", "crack", "leak3"]
    assert float(station.leaks[2].si["diameter"]) == 0.003


def test_station_does_not_rename_the_users_leak():
    leak = Leak("Lab", diameter="1 mm")
    Station([Module("Lab", "60 m^3")], leaks=[leak])
    assert leak.name is None


def test_unnamed_hatches_between_the_same_modules_get_distinct_names():
    # A hatch and a parallel duct between the same two modules, neither named.
    station = Station(
        [Module("M1", "10 m^3"), Module("M0", "10 m^3")],
        hatches=[
            Hatch(["M1", "M0"], area="0.5 m^2"),
            Hatch(["M1", "M0"], diameter="10 cm"),
            Hatch(["M0", "M1"], area="1 cm^2"),
            Hatch(["M1", "M0"], area="2 cm^2"),
        ],
    )
    assert [h.name for h in station.hatches] == ["M1-M0", "M1-M0#2", "M0-M1", "M1-M0#3"]
    # the renamed copy keeps its own values, not the first hatch's
    assert float(station.hatches[1].si["diameter"]) == 0.1


def test_a_default_name_skips_the_names_the_user_gave():
    station = Station(
        [Module("A", "1 m^3"), Module("B", "1 m^3")],
        hatches=[Hatch(["A", "B"], area="1 m^2"), Hatch(["A", "B"], area="1 m^2", name="A-B")],
        leaks=[Leak("A", area="1 mm^2", name="leak2"), Leak("A", area="1 mm^2")],
    )
    assert [h.name for h in station.hatches] == ["A-B#2", "A-B"]
    assert [leak.name for leak in station.leaks] == ["leak2", "leak2#2"]


def test_default_names_are_kept_when_a_station_is_rebuilt():
    first = Station(
        [Module("A", "1 m^3"), Module("B", "1 m^3")],
        hatches=[Hatch(["A", "B"], area="1 m^2"), Hatch(["A", "B"], area="2 m^2")],
    )
    again = Station(first.modules, first.hatches)
    assert [h.name for h in again.hatches] == ["A-B", "A-B#2"]


def test_naming_a_leak_does_not_read_its_values_again(monkeypatch):
    leak, lab = Leak("Lab", diameter=["1 mm", "2 mm"]), Module("Lab", "60 m^3")

    def fail(*args, **kwargs):
        raise AssertionError("values read again")

    monkeypatch.setattr(leaksim._params, "quantity", fail)
    (named,) = Station([lab], leaks=[leak]).leaks
    assert named.name == "leak1"
    np.testing.assert_array_equal(named.si["diameter"], [0.001, 0.002])


def test_station_module_lookup():
    station = two_modules()
    assert station.module_names == ("Lab", "Node1")
    assert station.module_index("Node1") == 1
    assert station.hatches[0].name == "Lab-Node1"


@pytest.mark.parametrize(
    ("build", "fragments"),
    [
        (
            lambda: Station([Module("Lab", "1 m^3"), Module("Lab", "2 m^3")]),
            ["module 'Lab'", "name must be unique", "'Lab'", "module #1 and module #2"],
        ),
        (
            lambda: Station(
                [Module("A", "1 m^3"), Module("B", "1 m^3")],
                hatches=[
                    Hatch(["A", "B"], area="1 m^2", name="duct"),
                    Hatch(["A", "B"], area="2 m^2", name="duct"),
                ],
            ),
            ["hatch 'duct'", "name must be unique", "'duct'", "hatch #1 and hatch #2"],
        ),
        (
            lambda: Station(
                [Module("A", "1 m^3")],
                leaks=[
                    Leak("A", area="1 mm^2", name="hole"),
                    Leak("A", area="1 mm^2", name="hole"),
                ],
            ),
            ["leak 'hole'", "name must be unique", "'hole'"],
        ),
        (
            lambda: Station(
                [Module("Lab", "1 m^3"), Module("Node1", "1 m^3")],
                hatches=[Hatch(["Lba", "Node1"], area="1 m^2")],
            ),
            ["hatch 'Lba-Node1'", "between", "'Lba'", "did you mean 'Lab'?"],
        ),
        (
            lambda: Station(
                [Module("Lab", "1 m^3"), Module("Node1", "1 m^3")],
                leaks=[Leak("Nod1", area="1 mm^2", name="hole")],
            ),
            ["leak 'hole'", "module must name a module", "'Nod1'", "did you mean 'Node1'?"],
        ),
        (
            lambda: Station(
                [Module("Lab", "1 m^3")], leaks=[Leak("Lab", area="1 mm^2", to="Airlock")]
            ),
            ["leak 'leak1'", "to must name a module", "'Airlock'"],
        ),
        (lambda: Station([]), ["modules", "at least one"]),
        (lambda: Station(Module("Lab", "1 m^3")), ["modules must be a list of Module", "Module"]),
        (lambda: Station(["Lab"]), ["modules must hold only Module", "str"]),
        (
            lambda: Station([Module("Lab", "1 m^3")], hatches=[Leak("Lab", area="1 m^2")]),
            ["hatches must hold only Hatch", "Leak"],
        ),
        (lambda: Station([Module("Lab", "1 m^3")], name=""), ["name", "non-empty"]),
    ],
)
def test_station_cross_checks(build, fragments):
    assert_error(build, *fragments)


def test_docstring_examples_run():
    assert doctest.testmod(leaksim.station, optionflags=doctest.ELLIPSIS).failed == 0


# --- effective_area ---------------------------------------------------------------------------


def test_leak_effective_area_flows_with_cd_one():
    leak = Leak("Lab", effective_area=["0.0815 mm^2", "1 mm^2"], name="hole")
    np.testing.assert_allclose(leak.flow_area, [0.0815e-6, 1e-6], rtol=1e-15)
    assert float(leak.si["discharge_coefficient"]) == 1.0
    assert "effective_area" in leak.case_values()


def test_leak_discharge_coefficient_defaults_to_0_6():
    assert float(Leak("Lab", area="1 mm^2").si["discharge_coefficient"]) == 0.6
    assert leaksim.station.LEAK_DISCHARGE_COEFFICIENT == 0.6


@pytest.mark.parametrize(
    ("kwargs", "fragments"),
    [
        ({"area": "1 mm^2"}, ["effective_area = '1 mm^2'", "area = '1 mm^2'"]),
        ({"diameter": "1 mm"}, ["diameter = '1 mm'"]),
        ({"discharge_coefficient": 0.6}, ["discharge_coefficient = 0.6"]),
    ],
)
def test_effective_area_goes_alone(kwargs, fragments):
    assert_error(
        lambda: Leak("Lab", effective_area="1 mm^2", name="hole", **kwargs),
        "leak 'hole'",
        "effective_area is already Cd A: give it alone",
        *fragments,
    )


def test_a_leak_without_any_area_names_effective_area():
    assert_error(lambda: Leak("Lab"), "area and diameter, or effective_area (Cd A), got neither")


def test_effective_area_follows_the_rules_of_an_area():
    assert_error(
        lambda: Leak("Lab", effective_area="-1 mm^2"), "effective_area must be > 0 m^2", "'-1 mm^2'"
    )
    assert_error(lambda: Leak("Lab", effective_area="1 mm"), "effective_area", "m^2", "'1 mm'")


def test_crew_count_has_an_upper_end():
    from leaksim.station import Crew

    assert_error(lambda: Crew(1e300, "Lab"), "count must be a whole number from 0 to 1e+20")


def test_module_index_of_an_unknown_module():
    with pytest.raises(ValueError, match="'Nope' is not a module"):
        two_modules().module_index("Nope")


def test_an_unknown_module_among_many_lists_a_few():
    modules = [Module(f"M{i}", "1 m^3") for i in range(1000)]
    message = assert_error(
        lambda: Station(modules, leaks=[Leak("M1000", area="1 mm^2", name="hole")]),
        "module must name a module of the station, got 'M1000'",
        "'M0', 'M1',",
        "... (1,000 in all)",
    )
    assert "'M999'" not in message
