"""Tests of leaksim.scenario_file: TOML scenarios, and the same bad inputs from Python and TOML."""

import copy
import doctest
import json
import math
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import numpy as np
import pytest

import leaksim.scenario_file
from leaksim.errors import ScenarioError
from leaksim.scenario import Scenario, Threshold
from leaksim.scenario_file import load_scenario, loads_scenario
from leaksim.station import Hatch, Leak, Module, Station

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
MMHG = 133.322387415  # conventional millimetre of mercury [Pa], NIST SP 811
DROP = object()  # marks a key to leave out

BASE = {
    "simulation": {"duration": "1 h"},
    "module": [{"name": "Lab", "volume": "60 m^3"}, {"name": "Node1", "volume": "40 m^3"}],
    "hatch": [{"between": ["Lab", "Node1"], "area": "0.5 m^2"}],
    "leak": [{"name": "hole", "module": "Lab", "diameter": "5 mm"}],
    "threshold": [{"name": "evacuate", "pressure": "490 mmHg"}],
}


def toml_value(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value)  # a JSON string is a valid TOML basic string
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    return "{" + ", ".join(f"{k} = {toml_value(v)}" for k, v in value.items()) + "}"


def to_toml(spec):
    lines = ["[simulation]"] + [f"{k} = {toml_value(v)}" for k, v in spec["simulation"].items()]
    for kind in ("module", "hatch", "leak", "threshold"):
        for table in spec[kind]:
            lines += ["", f"[[{kind}]]"] + [f"{k} = {toml_value(v)}" for k, v in table.items()]
    return "\n".join(lines) + "\n"


def to_api(spec):
    """Build the scenario of ``spec`` through the Python API, without the file layer."""
    stn = Station(
        [Module(**t) for t in spec["module"]],
        [Hatch(**t) for t in spec["hatch"]],
        [Leak(**t) for t in spec["leak"]],
    )
    return Scenario(
        stn, thresholds=[Threshold(**t) for t in spec["threshold"]], **spec["simulation"]
    )


def edited(edits):
    """BASE with ``(kind, index, key, value)`` edits; index None for [simulation], key None to
    append a whole table."""
    spec = copy.deepcopy(BASE)
    for kind, index, key, value in edits:
        if key is None:
            spec[kind].append(value)
            continue
        table = spec[kind] if index is None else spec[kind][index]
        if value is DROP:
            del table[key]
        else:
            table[key] = value
    return spec


LEAK = "[[leak]] #1 'hole'"
HATCH = "[[hatch]] #1"
LAB = "[[module]] #1 'Lab'"
SIM = "[simulation]"

# (id, edits, fragments every message holds, label of the file message or None, label of the
# Python message or None)
BAD_INPUTS = [
    (
        "diameter-negative",
        [("leak", 0, "diameter", "-2 mm")],
        ["diameter must be > 0 m", "'-2 mm'"],
        LEAK,
        "leak 'hole'",
    ),
    (
        "diameter-zero",
        [("leak", 0, "diameter", "0 mm")],
        ["diameter must be > 0 m", "'0 mm'"],
        LEAK,
        "leak 'hole'",
    ),
    (
        "diameter-list-entry",
        [("leak", 0, "diameter", ["2 mm", "-5 mm"])],
        ["diameter must be > 0 m", "'-5 mm'", "entry 2 of 2"],
        LEAK,
        "leak 'hole'",
    ),
    (
        "leak-area-negative",
        [("leak", 0, "diameter", DROP), ("leak", 0, "area", "-1 mm^2")],
        ["area must be > 0 m^2", "'-1 mm^2'"],
        LEAK,
        "leak 'hole'",
    ),
    (
        "hatch-area-zero",
        [("hatch", 0, "area", "0 m^2")],
        ["area must be > 0 m^2", "'0 m^2'"],
        HATCH,
        "hatch 'Lab-Node1'",
    ),
    (
        "hatch-diameter-negative",
        [("hatch", 0, "area", DROP), ("hatch", 0, "diameter", "-1 m")],
        ["diameter must be > 0 m", "'-1 m'"],
        HATCH,
        "hatch 'Lab-Node1'",
    ),
    (
        "volume-negative",
        [("module", 0, "volume", "-60 m^3")],
        ["volume must be > 0 m^3", "'-60 m^3'"],
        LAB,
        "module 'Lab'",
    ),
    (
        "volume-zero",
        [("module", 0, "volume", "0 m^3")],
        ["volume must be > 0 m^3", "'0 m^3'"],
        LAB,
        "module 'Lab'",
    ),
    (
        "volume-bare-number",
        [("module", 0, "volume", 60)],
        ["volume needs a unit", "60"],
        LAB,
        "module 'Lab'",
    ),
    (
        "volume-bool",
        [("module", 0, "volume", True)],
        ["volume needs a unit", "True"],
        LAB,
        "module 'Lab'",
    ),
    (
        "volume-wrong-dimension",
        [("module", 0, "volume", "5 kg")],
        ["volume must have the dimension of m^3", "'5 kg'"],
        LAB,
        "module 'Lab'",
    ),
    (
        "volume-nan",
        [("module", 0, "volume", "nan m^3")],
        ["volume must be finite", "'nan m^3'"],
        LAB,
        "module 'Lab'",
    ),
    (
        "volume-inf",
        [("module", 0, "volume", "inf m^3")],
        ["volume must be finite", "'inf m^3'"],
        LAB,
        "module 'Lab'",
    ),
    (
        "volume-unreadable",
        [("module", 0, "volume", "sixty m^3")],
        ["volume", "cannot read 'sixty m^3'"],
        LAB,
        "module 'Lab'",
    ),
    (
        "pressure-negative",
        [("module", 0, "pressure", "-1 kPa")],
        ["pressure must be >= 0 Pa", "'-1 kPa'"],
        LAB,
        "module 'Lab'",
    ),
    (
        "pressure-wrong-dimension",
        [("module", 0, "pressure", "5 m")],
        ["pressure must have the dimension of Pa", "'5 m'"],
        LAB,
        "module 'Lab'",
    ),
    (
        "temperature-below-zero-K",
        [("module", 0, "temperature", "-300 degC")],
        ["temperature must be > 0 K", "'-300 degC'"],
        LAB,
        "module 'Lab'",
    ),
    (
        "temperature-zero-K",
        [("module", 0, "temperature", "0 K")],
        ["temperature must be > 0 K", "'0 K'"],
        LAB,
        "module 'Lab'",
    ),
    ("gas-unknown", [("module", 0, "gas", "Xe")], ["gas must be", "'Xe'"], LAB, "module 'Lab'"),
    (
        "gas-sum",
        [("module", 0, "gas", {"N2": 0.7, "O2": 0.2})],
        ["gas mole fractions must sum to 1", "0.9"],
        LAB,
        "module 'Lab'",
    ),
    ("gas-wrong-type", [("module", 0, "gas", 5)], ["gas must be", "5"], LAB, "module 'Lab'"),
    (
        "name-wrong-type",
        [("module", 1, "name", 5)],
        ["name must be a non-empty string", "5"],
        "[[module]] #2",
        "module",
    ),
    (
        "cd-above-one",
        [("leak", 0, "discharge_coefficient", 1.5)],
        ["discharge_coefficient must be in (0, 1]", "1.5"],
        LEAK,
        "leak 'hole'",
    ),
    (
        "cd-zero",
        [("hatch", 0, "discharge_coefficient", 0)],
        ["discharge_coefficient must be in (0, 1]", "0"],
        HATCH,
        "hatch 'Lab-Node1'",
    ),
    (
        "cd-negative",
        [("leak", 0, "discharge_coefficient", -0.2)],
        ["discharge_coefficient must be in (0, 1]", "-0.2"],
        LEAK,
        "leak 'hole'",
    ),
    (
        "cd-nan",
        [("leak", 0, "discharge_coefficient", math.nan)],
        ["discharge_coefficient must be finite", "nan"],
        LEAK,
        "leak 'hole'",
    ),
    (
        "cd-string",
        [("leak", 0, "discharge_coefficient", "0.8")],
        ["discharge_coefficient must be a plain number", "'0.8'"],
        LEAK,
        "leak 'hole'",
    ),
    (
        "duration-zero",
        [("simulation", None, "duration", "0 s")],
        ["duration must be > 0 s", "'0 s'"],
        SIM,
        "scenario",
    ),
    (
        "duration-negative",
        [("simulation", None, "duration", "-1 h")],
        ["duration must be > 0 s", "'-1 h'"],
        SIM,
        "scenario",
    ),
    (
        "duration-bare",
        [("simulation", None, "duration", 3600)],
        ["duration needs a unit", "3600"],
        SIM,
        "scenario",
    ),
    (
        "output-interval-zero",
        [("simulation", None, "output_interval", "0 s")],
        ["output_interval must be > 0 s", "'0 s'"],
        SIM,
        "scenario",
    ),
    (
        "output-interval-list",
        [("simulation", None, "output_interval", ["1 s", "2 s"])],
        ["output_interval must be one value", "['1 s', '2 s']"],
        SIM,
        "scenario",
    ),
    (
        "energy-unknown",
        [("simulation", None, "energy", "adiabatc")],
        ["energy must be one of", "'adiabatc'", "did you mean 'adiabatic'?"],
        SIM,
        "scenario",
    ),
    (
        "energy-wrong-type",
        [("simulation", None, "energy", 1)],
        ["energy must be one of", "got 1"],
        SIM,
        "scenario",
    ),
    (
        "tolerance-out-of-range",
        [("simulation", None, "relative_tolerance", 2.0)],
        ["relative_tolerance must be in (0, 1)", "2.0"],
        SIM,
        "scenario",
    ),
    (
        "duplicate-module",
        [("module", 1, "name", "Lab")],
        ["name must be unique", "'Lab'", "module #1 and module #2"],
        "[[module]] #2 'Lab'",
        "module 'Lab'",
    ),
    (
        "duplicate-hatch",
        [
            ("hatch", 0, "name", "crew"),
            ("hatch", None, None, {"name": "crew", "between": ["Lab", "Node1"], "area": "1 m^2"}),
        ],
        ["name must be unique", "'crew'", "hatch #1 and hatch #2"],
        "[[hatch]] #2 'crew'",
        "hatch 'crew'",
    ),
    (
        "duplicate-leak",
        [("leak", None, None, {"name": "hole", "module": "Node1", "area": "1 mm^2"})],
        ["name must be unique", "'hole'", "leak #1 and leak #2"],
        "[[leak]] #2 'hole'",
        "leak 'hole'",
    ),
    (
        "duplicate-threshold",
        [("threshold", None, None, {"name": "evacuate", "partial_pressure_O2": "16 kPa"})],
        ["name must be unique", "'evacuate'", "threshold #1 and threshold #2"],
        "[[threshold]] #2 'evacuate'",
        "threshold 'evacuate'",
    ),
    (
        "hatch-unknown-module",
        [("hatch", 0, "between", ["Lba", "Node1"])],
        ["between must name a module of the station", "'Lba'", "did you mean 'Lab'?"],
        HATCH,
        "hatch 'Lba-Node1'",
    ),
    (
        "leak-unknown-module",
        [("leak", 0, "module", "Nod1")],
        ["module must name a module of the station", "'Nod1'", "did you mean 'Node1'?"],
        LEAK,
        "leak 'hole'",
    ),
    (
        "leak-to-unknown-module",
        [("leak", 0, "to", "Node2")],
        ["to must name a module of the station", "'Node2'", "did you mean 'Node1'?"],
        LEAK,
        "leak 'hole'",
    ),
    (
        "hatch-to-itself",
        [("hatch", 0, "between", ["Lab", "Lab"])],
        ["between must name two different modules", "['Lab', 'Lab']"],
        HATCH,
        "hatch",
    ),
    (
        "hatch-between-string",
        [("hatch", 0, "between", "Lab")],
        ["between must be a list of two module names", "'Lab'"],
        HATCH,
        "hatch",
    ),
    (
        "leak-to-own-module",
        [("leak", 0, "to", "Lab")],
        ["to must name another module than the leak's own", "'Lab'"],
        LEAK,
        "leak 'hole'",
    ),
    (
        "leak-to-negative-pressure",
        [("leak", 0, "to", "-1 Pa")],
        ["to must be >= 0 Pa", "'-1 Pa'"],
        LEAK,
        "leak 'hole'",
    ),
    (
        "area-and-diameter",
        [("leak", 0, "area", "1 mm^2")],
        ["exactly one of area and diameter", "both", "'1 mm^2'", "'5 mm'"],
        LEAK,
        "leak 'hole'",
    ),
    (
        "neither-area-nor-diameter",
        [("hatch", 0, "area", DROP)],
        ["exactly one of area and diameter", "neither"],
        HATCH,
        "hatch 'Lab-Node1'",
    ),
    (
        "threshold-both",
        [("threshold", 0, "partial_pressure_O2", "16 kPa")],
        ["exactly one of pressure and partial_pressure_O2", "both", "'490 mmHg'", "'16 kPa'"],
        "[[threshold]] #1 'evacuate'",
        "threshold 'evacuate'",
    ),
    (
        "threshold-neither",
        [("threshold", 0, "pressure", DROP)],
        ["exactly one of pressure and partial_pressure_O2", "neither"],
        "[[threshold]] #1 'evacuate'",
        "threshold 'evacuate'",
    ),
    (
        "threshold-negative",
        [("threshold", 0, "pressure", "-1 mmHg")],
        ["pressure must be >= 0 Pa", "'-1 mmHg'"],
        "[[threshold]] #1 'evacuate'",
        "threshold 'evacuate'",
    ),
    (
        "unequal-lists",
        [
            ("leak", 0, "diameter", ["1 mm", "2 mm", "3 mm"]),
            ("hatch", 0, "area", ["1 m^2", "2 m^2"]),
        ],
        [
            "lists of cases must have equal lengths",
            "hatch.Lab-Node1.area",
            "leak.hole.diameter",
            "got 2 values",
            "and 3",
        ],
        None,
        "scenario",
    ),
    (
        "close-at-negative",
        [("hatch", 0, "close_at", "-1 min")],
        ["close_at must be >= 0 s", "'-1 min'"],
        HATCH,
        "hatch 'Lab-Node1'",
    ),
    (
        "open-at-negative",
        [("hatch", 0, "open_at", "-5 s")],
        ["open_at must be >= 0 s", "'-5 s'"],
        HATCH,
        "hatch 'Lab-Node1'",
    ),
    (
        "start-negative",
        [("leak", 0, "start", "-5 s")],
        ["start must be >= 0 s", "'-5 s'"],
        LEAK,
        "leak 'hole'",
    ),
    (
        "open-string",
        [("hatch", 0, "open", "yes")],
        ["open must be true or false", "'yes'"],
        HATCH,
        "hatch 'Lab-Node1'",
    ),
    (
        "open-number",
        [("hatch", 0, "open", 1)],
        ["open must be true or false", "1"],
        HATCH,
        "hatch 'Lab-Node1'",
    ),
    (
        "wall-missing",
        [("simulation", None, "energy", "wall")],
        ["wall_area is required when energy = 'wall'"],
        LAB,
        "module 'Lab'",
    ),
    (
        "wall-negative",
        [
            ("simulation", None, "energy", "wall"),
            ("module", 0, "wall_area", "-1 m^2"),
            ("module", 0, "wall_heat_transfer", "2 W/(m^2*K)"),
        ],
        ["wall_area must be >= 0 m^2", "'-1 m^2'"],
        LAB,
        "module 'Lab'",
    ),
]


@pytest.mark.parametrize(
    ("edits", "fragments", "file_label", "api_label"),
    [case[1:] for case in BAD_INPUTS],
    ids=[case[0] for case in BAD_INPUTS],
)
def test_bad_input_from_python(edits, fragments, file_label, api_label):
    with pytest.raises(ScenarioError) as info:
        to_api(edited(edits))
    assert isinstance(info.value, ValueError)
    message = str(info.value)
    for fragment in fragments:
        assert fragment in message, f"{fragment!r} not in {message!r}"
    assert message.startswith(f"{api_label}: "), message


@pytest.mark.parametrize(
    ("edits", "fragments", "file_label", "api_label"),
    [case[1:] for case in BAD_INPUTS],
    ids=[case[0] for case in BAD_INPUTS],
)
def test_bad_input_from_toml(edits, fragments, file_label, api_label):
    with pytest.raises(ScenarioError) as info:
        loads_scenario(to_toml(edited(edits)), source="case.toml")
    assert isinstance(info.value, ValueError)
    message = str(info.value)
    for fragment in fragments:
        assert fragment in message, f"{fragment!r} not in {message!r}"
    prefix = "case.toml: " + (f"{file_label}: " if file_label else "")
    assert message.startswith(prefix), message
    assert "\n" not in message


def test_the_base_spec_is_valid_both_ways():
    from_file = loads_scenario(to_toml(BASE)).compile()
    from_api = to_api(BASE).compile()
    for record, field in (
        ("modules", "volume"),
        ("modules", "initial_pressure"),
        ("links", "area"),
        ("links", "discharge_coefficient"),
        ("links", "b"),
    ):
        np.testing.assert_array_equal(
            getattr(getattr(from_file.network, record), field),
            getattr(getattr(from_api.network, record), field),
        )


def test_message_matches_the_contract_example():
    text = to_toml(edited([("leak", 0, "diameter", "-2 mm")]))
    with pytest.raises(ScenarioError) as info:
        loads_scenario(text, source="two_modules.toml")
    assert str(info.value) == (
        "two_modules.toml: [[leak]] #1 'hole': diameter must be > 0 m, got '-2 mm'"
    )


# --- errors only a file can make ---------------------------------------------------------------


def file_error(text, *fragments):
    with pytest.raises(ScenarioError) as info:
        loads_scenario(text, source="case.toml")
    assert isinstance(info.value, ValueError)
    message = str(info.value)
    assert message.startswith("case.toml: ") and "\n" not in message
    for fragment in fragments:
        assert fragment in message, f"{fragment!r} not in {message!r}"
    return message


BASE_TEXT = to_toml(BASE)


@pytest.mark.parametrize(
    ("old", "new", "fragments"),
    [
        (
            'diameter = "5 mm"',
            'diamter = "5 mm"',
            [LEAK, "unknown key 'diamter' (did you mean 'diameter'?)"],
        ),
        (
            'volume = "60 m^3"',
            'volume = "60 m^3"\nvolum = "1 m^3"',
            [LAB, "unknown key 'volum' (did you mean 'volume'?)"],
        ),
        (
            'duration = "1 h"',
            'duration = "1 h"\nzzz = 1',
            [SIM, "unknown key 'zzz'", "allowed keys: duration"],
        ),
        ("[[hatch]]", "[[hatchs]]", ["unknown table [[hatchs]] (did you mean [[hatch]]?)"]),
        ("[simulation]", "[simulaton]", ["unknown table [simulaton] (did you mean [simulation]?)"]),
        ("[simulation]", 'colour = "red"\n[simulation]', ["unknown top-level key 'colour'"]),
        (
            '[simulation]\nduration = "1 h"',
            'duration = "1 h"\n[simulation]',
            ["'duration' must be inside a table such as [simulation]"],
        ),
        ('volume = "60 m^3"', "", [LAB, "missing required key 'volume'"]),
        ('name = "Lab"\n', "", ["[[module]] #1", "missing required key 'name'"]),
        ('module = "Lab"\n', "", [LEAK, "missing required key 'module'"]),
        ('between = ["Lab", "Node1"]\n', "", [HATCH, "missing required key 'between'"]),
        ('duration = "1 h"', "", [SIM, "missing required key 'duration'"]),
        ('[simulation]\nduration = "1 h"', "", ["missing table [simulation]"]),
        ("[simulation]", "[[simulation]]", ["simulation must be one table", "[[simulation]]"]),
        (
            'area = "0.5 m^2"',
            'area = "0.5 m^2"\nclose_when = {module = "Node1"}',
            [HATCH, "give exactly one of pressure_below and pressure_rate_below, got neither"],
        ),
        (
            'area = "0.5 m^2"',
            'area = "0.5 m^2"\nclose_when = {modul = "Node1", pressure_below = "700 mmHg"}',
            [HATCH, "close_when: unknown key 'modul' (did you mean 'module'?)"],
        ),
        (
            'area = "0.5 m^2"',
            'area = "0.5 m^2"\nclose_when = {module = "Nod1", pressure_below = "700 mmHg"}',
            [HATCH, "close_when.module must name a module", "'Nod1'", "did you mean 'Node1'"],
        ),
        (
            'area = "0.5 m^2"',
            'area = "0.5 m^2"\nclose_when = {module = "Node1", pressure_below = 700}',
            [HATCH, "close_when.pressure_below needs a unit", "700"],
        ),
        (
            'area = "0.5 m^2"',
            'area = "0.5 m^2"\nclose_when = {module = "Node1", pressure_below = "1 kPa", '
            'delay = "-5 min"}',
            [HATCH, "close_when.delay must be >= 0 s", "'-5 min'"],
        ),
        (
            'area = "0.5 m^2"',
            'area = "0.5 m^2"\nclose_when = {module = "Node1", pressure_rate_below = "1 kPa"}',
            [HATCH, "close_when.pressure_rate_below must have the dimension", "'1 kPa'"],
        ),
        (
            'diameter = "5 mm"',
            'diameter = "5 mm"\ngrowth = {rate = "0.01 mm^2"}',
            [LEAK, "growth.rate must have the dimension of m^2/s", "'0.01 mm^2'"],
        ),
        (
            'diameter = "5 mm"',
            'diameter = "5 mm"\ngrowth = {rat = "0.01 mm^2/day"}',
            [LEAK, "growth: unknown key 'rat' (did you mean 'rate'?)"],
        ),
        (
            'diameter = "5 mm"',
            'diameter = "5 mm"\ngrowth = {table = [["1 day", "1 mm^2"], ["0 day", "2 mm^2"]]}',
            [LEAK, "growth.table times must increase"],
        ),
        (
            'diameter = "5 mm"',
            'diameter = "5 mm"\ngrowth = {table = [["1 day", "1 mm^2"]]}',
            [LEAK, "growth.table must be a list of at least two [time, area] pairs"],
        ),
        (
            "[simulation]",
            '[[supply]]\nmodule = "Lab"\n[simulation]',
            [
                "[[supply]] #1",
                "give mass_flow (a constant feed such as '2 kg/day'), or a regulator",
            ],
        ),
        (
            "[simulation]",
            '[[supply]]\nmodule = "Lab"\nkeep_pressure_above = "740 mmHg"\n[simulation]',
            ["[[supply]] #1", "a regulator needs max_mass_flow"],
        ),
        (
            "[simulation]",
            '[[supply]]\nmodule = "Lab"\nmass_flow = "1 kg/day"\nkeep_pressure_above = "740 mmHg"'
            "\n[simulation]",
            ["[[supply]] #1", "give exactly one of mass_flow and keep_pressure_above"],
        ),
        (
            "[simulation]",
            '[[supply]]\nmodule = "Lab"\nkeep_partial_pressure_O2 = ["23 kPa", "19 kPa"]\n'
            'max_mass_flow = "1 g/s"\n[simulation]',
            ["[[supply]] #1", "band must be [low, high] with high > low"],
        ),
        (
            "[simulation]",
            '[[supply]]\nmodule = "Lab"\nkeep_pressure_above = "740 mmHg"\n'
            'max_mass_flow = "1 g/s"\ntank_mass = "5 kg"\n[simulation]',
            ["[[supply]] #1", "tank_mass with a regulator is not supported"],
        ),
        (
            "[simulation]",
            '[[supply]]\nmodule = "Lab"\nmass_flow = "-2 kg/day"\n[simulation]',
            ["[[supply]] #1", "mass_flow must be > 0 kg/s", "'-2 kg/day'"],
        ),
        (
            "[simulation]",
            '[[supply]]\nmodule = "Lab"\nmass_flow = "2 kg/day"\ntank_mass = "5 m^3"\n[simulation]',
            ["[[supply]] #1", "tank_mass must have the dimension of kg", "'5 m^3'"],
        ),
        (
            "[simulation]",
            '[[supply]]\nmodule = "Labb"\nmass_flow = "2 kg/day"\n[simulation]',
            ["[[supply]] #1", "module must name a module", "did you mean 'Lab'"],
        ),
        (
            "[simulation]",
            '[[valve]]\nmodule = "Lab"\n[simulation]',
            ["[[valve]] #1", "give exactly one of area and diameter, got neither"],
        ),
        (
            "[simulation]",
            '[[valve]]\narea = "1 cm^2"\n[simulation]',
            ["[[valve]] #1", "give exactly one of between and module, got neither"],
        ),
        (
            "[simulation]",
            '[[valve]]\nmodule = "Lab"\narea = "1 cm^2"\nopens_above = "780 kg"\n[simulation]',
            ["[[valve]] #1", "opens_above must have the dimension of Pa", "'780 kg'"],
        ),
        (
            "[simulation]",
            '[[valve]]\nbetween = ["Lab", "Lab"]\narea = "1 cm^2"\n[simulation]',
            ["[[valve]] #1", "two different modules"],
        ),
        (
            "[simulation]",
            "[crew]\ncount = 4\n[simulation]",
            ["[crew]", "missing required key 'module'"],
        ),
        (
            "[simulation]",
            '[crew]\ncount = 2.5\nmodule = "Lab"\n[simulation]',
            ["[crew]", "count must be a whole number from 0 to 1e+20", "2.5"],
        ),
        (
            "[simulation]",
            '[crew]\ncount = 2\nmodule = "Lab"\no2_consumption = 0.8\n[simulation]',
            ["[crew]", "o2_consumption needs a unit", "0.8"],
        ),
        (
            "[simulation]",
            "[sweep]\ncases = 10\n[simulation]",
            ["the file has a [sweep] table", "leaksim sweep"],
        ),
        ('volume = "60 m^3"', 'volume = "60 m^3', ["invalid TOML", "line 6"]),
        ('duration = "1 h"', 'duration = "1 h"\nduration = "2 h"', ["invalid TOML", "line 3"]),
        ('duration = "1 h"', "duration = 1979-05-27", [SIM, "duration", "datetime"]),
    ],
)
def test_file_only_errors(old, new, fragments):
    assert old in BASE_TEXT
    file_error(BASE_TEXT.replace(old, new, 1), *fragments)


def test_module_written_as_a_single_table():
    text = '[simulation]\nduration = "1 h"\n[module]\nname = "Lab"\nvolume = "1 m^3"\n'
    file_error(text, "module must be an array of tables: write [[module]], not [module]")


def test_module_key_holding_a_list_of_values():
    file_error(
        'module = ["Lab"]\n[simulation]\nduration = "1 h"\n',
        "module must be an array of [[module]] tables",
        "['Lab']",
    )


def test_no_module():
    file_error('[simulation]\nduration = "1 h"\n', "at least one [[module]] table is required")


def test_unnamed_items_are_labelled_by_position():
    text = BASE_TEXT + '\n[[leak]]\nmodule = "Node1"\ndiameter = "-1 mm"\n'
    file_error(text, "[[leak]] #2: diameter must be > 0 m, got '-1 mm'")
    text = BASE_TEXT + '\n[[leak]]\nmodule = "Nod1"\ndiameter = "1 mm"\n'
    file_error(text, "[[leak]] #2: module must name a module", "'Nod1'")


# --- reading files -----------------------------------------------------------------------------


def test_missing_file(tmp_path):
    path = tmp_path / "absent.toml"
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert str(info.value).startswith(f"{path}: cannot read the scenario file")
    assert "No such file" in str(info.value)


def test_directory_is_not_a_file(tmp_path):
    with pytest.raises(ScenarioError, match="cannot read the scenario file"):
        load_scenario(tmp_path)


def test_file_that_is_not_utf8(tmp_path):
    path = tmp_path / "latin1.toml"
    path.write_bytes('[simulation]\nduration = "1 h" # caf\xe9\n'.encode("latin-1"))
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert "must be UTF-8 text" in str(info.value) and "0xe9" in str(info.value)


def test_file_errors_name_the_path(tmp_path):
    path = tmp_path / "two_modules.toml"
    path.write_text(to_toml(edited([("leak", 0, "diameter", "-2 mm")])), encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        load_scenario(str(path))
    assert str(info.value) == f"{path}: [[leak]] #1 'hole': diameter must be > 0 m, got '-2 mm'"


def test_byte_order_mark_is_accepted(tmp_path):
    path = tmp_path / "bom.toml"
    path.write_bytes(b"\xef\xbb\xbf" + BASE_TEXT.encode("utf-8"))
    assert load_scenario(path).n_cases == 1


# --- reading values ----------------------------------------------------------------------------


def test_every_key_of_the_format_reads():
    text = """
[simulation]
duration = "6 h"
energy = "wall"
output_interval = "60 s"
relative_tolerance = 1e-7

[[module]]
name = "Lab"
volume = "106 m^3"
pressure = "760 mmHg"
temperature = "22 degC"
gas = {N2 = 0.79, O2 = 0.21}
wall_area = "150 m^2"
wall_heat_transfer = "2 W/(m^2*K)"
wall_temperature = "20 degC"

[[module]]
name = "Node1"
volume = "40 m^3"
gas = "N2"
wall_area = "80 m^2"
wall_heat_transfer = "2 W/(m^2*K)"

[[hatch]]
name = "lab-hatch"
between = ["Lab", "Node1"]
diameter = "1 m"
discharge_coefficient = 0.7
open = false
open_at = "10 min"
close_at = ["30 min", "never"]

[[leak]]
name = "hole"
module = "Lab"
area = "0.05 mm^2"
discharge_coefficient = 0.65
start = "5 min"
to = "Node1"

[[leak]]
module = "Node1"
diameter = "3 mm"
to = "1 Pa"

[[threshold]]
name = "evacuate"
pressure = "490 mmHg"

[[threshold]]
name = "ppO2-floor"
partial_pressure_O2 = ["16 kPa", "17 kPa"]
"""
    compiled = loads_scenario(text).compile()
    network = compiled.network
    assert compiled.n_cases == 2 and network.energy == "wall"
    np.testing.assert_array_equal(compiled.relative_tolerance, [1e-7, 1e-7])
    assert len(compiled.output_time) == 361
    np.testing.assert_allclose(network.modules.initial_mole_fraction[0, 0, :2], [0.79, 0.21])
    np.testing.assert_allclose(network.modules.wall_temperature[0], [293.15, 295.15])
    assert network.links.names == ("lab-hatch", "hole", "leak2")
    np.testing.assert_allclose(
        network.links.area[0], [math.pi / 4, 0.05e-6, math.pi / 4 * 0.003**2]
    )
    np.testing.assert_allclose(network.links.discharge_coefficient[0], [0.7, 0.65, 0.6])
    np.testing.assert_array_equal(network.links.b, [1, 1, -1])
    np.testing.assert_array_equal(network.links.boundary_pressure[0], [0.0, 0.0, 1.0])
    np.testing.assert_array_equal(network.links.initially_open[0], [False, False, True])
    np.testing.assert_array_equal(network.schedule.target, [0, 0, 1])
    np.testing.assert_array_equal(network.schedule.opens, [False, True, True])
    np.testing.assert_array_equal(
        network.schedule.time, [[1800.0, 600.0, 300.0], [np.inf, 600.0, 300.0]]
    )
    np.testing.assert_array_equal(compiled.thresholds[1][1], [16000.0, 17000.0])


# --- examples ----------------------------------------------------------------------------------


def _is_sweep(path: Path) -> bool:
    return "sweep" in tomllib.loads(path.read_text())


@pytest.mark.parametrize(
    "path",
    [p for p in sorted(EXAMPLES.glob("*.toml")) if not _is_sweep(p)],
    ids=lambda p: p.name,
)
def test_examples_load_and_compile(path):
    compiled = load_scenario(path).compile()
    assert compiled.n_cases >= 1
    assert compiled.output_time[0] == 0.0
    assert np.all(np.diff(compiled.output_time) > 0)


def test_two_modules_example():
    scenario = load_scenario(EXAMPLES / "two_modules.toml")
    compiled = scenario.compile()
    assert scenario.n_cases == 3
    assert compiled.module_names == ["Lab", "Node1"]
    np.testing.assert_array_equal(compiled.network.modules.volume, [[60.0, 40.0]] * 3)
    np.testing.assert_allclose(compiled.network.modules.initial_pressure, 760 * MMHG, rtol=1e-12)
    np.testing.assert_allclose(compiled.network.modules.initial_temperature, 295.15, rtol=1e-12)
    np.testing.assert_allclose(compiled.network.links.area[:, 0], 0.5)
    np.testing.assert_allclose(
        compiled.network.links.area[:, 1],
        math.pi / 4 * np.array([0.002, 0.005, 0.012]) ** 2,
        rtol=1e-12,
    )
    np.testing.assert_allclose(compiled.network.links.discharge_coefficient, [[0.8, 0.6]] * 3)
    np.testing.assert_allclose(compiled.output_time, np.arange(73) * 300.0)
    assert compiled.threshold_names == ["evacuate", "ppO2-floor"]
    np.testing.assert_allclose(compiled.thresholds[0][1], 490 * MMHG, rtol=1e-12)
    np.testing.assert_allclose(compiled.thresholds[1][1], 16000.0, rtol=1e-12)


def test_one_module_example():
    compiled = load_scenario(EXAMPLES / "one_module.toml").compile()
    assert compiled.n_cases == 1
    np.testing.assert_array_equal(compiled.network.modules.volume, [[100.0]])
    np.testing.assert_allclose(compiled.network.links.area, [[math.pi / 4 * 0.01**2]], rtol=1e-12)
    assert compiled.network.links.names == ("leak1",)
    np.testing.assert_allclose(compiled.duration, [7200.0])


def test_docstring_examples_run():
    assert doctest.testmod(leaksim.scenario_file).failed == 0


# --- additions: effective_area, default names, closing a closed hatch -------------------------


def test_effective_area_from_a_file_is_cd_a():
    text = BASE_TEXT.replace('diameter = "5 mm"', 'effective_area = "0.0815 mm^2"', 1)
    (leak,) = loads_scenario(text).station.leaks
    assert float(leak.flow_area) == pytest.approx(0.0815e-6, rel=1e-15)
    assert float(leak.si["discharge_coefficient"]) == 1.0


@pytest.mark.parametrize("other", ['diameter = "5 mm"', "discharge_coefficient = 0.6"])
def test_effective_area_with_another_area_is_refused_in_a_file(other):
    text = BASE_TEXT.replace('diameter = "5 mm"', f'effective_area = "0.0815 mm^2"\n{other}', 1)
    file_error(text, LEAK, "effective_area is already Cd A", other.split(" =")[0])


def test_unnamed_hatch_and_duct_between_the_same_modules():
    text = BASE_TEXT + '\n[[hatch]]\nbetween = ["Lab", "Node1"]\ndiameter = "10 cm"\n'
    hatches = loads_scenario(text).station.hatches
    assert [h.name for h in hatches] == ["Lab-Node1", "Lab-Node1#2"]


CLOSED = '[[hatch]]\nbetween = ["Lab", "Node1"]\narea = "0.5 m^2"\nopen = false\n'


@pytest.mark.parametrize("close_at", ['"30 min"', '["never", "30 min"]'])
def test_close_at_on_a_hatch_that_never_opens_is_refused(close_at):
    text = BASE_TEXT.replace(
        '[[hatch]]\nbetween = ["Lab", "Node1"]\narea = "0.5 m^2"\n',
        CLOSED + f"close_at = {close_at}\n",
    )
    file_error(text, HATCH, "closes a hatch that is already closed", "no open_at", "open = true")


@pytest.mark.parametrize(
    "keys",
    [
        'close_at = "30 min"\nopen_at = "10 min"',  # it opens first
        'close_at = "never"',
        'close_at = "30 min"\nopen = [true, false]',  # open in one case
    ],
)
def test_close_at_with_a_way_to_open_is_read(keys):
    text = BASE_TEXT.replace(
        '[[hatch]]\nbetween = ["Lab", "Node1"]\narea = "0.5 m^2"\n', CLOSED + keys + "\n"
    )
    if "open = [" in keys:
        text = text.replace("open = false\n", "", 1)
    loads_scenario(text).compile()


def test_python_accepts_closing_a_closed_hatch_and_nothing_changes():
    # the documented other half of the rule: no file, no slip to guard against
    def run(**close):
        hatch = Hatch(["Lab", "Node1"], area="0.5 m^2", open=False, **close)
        holed = Station(
            [Module("Lab", "60 m^3"), Module("Node1", "40 m^3")],
            [hatch],
            [Leak("Lab", diameter="5 mm")],
        )
        return Scenario(holed, duration="1 h").run().pressure.m_as("Pa")

    # the integration stops at the event and goes on from it: only the rounding differs
    np.testing.assert_allclose(run(close_at="10 min"), run(), rtol=1e-12)


# --- hostile files ------------------------------------------------------------------------------


@pytest.mark.parametrize("depth", [17, 500, 5000])
def test_deeply_nested_values_get_one_line(depth):
    text = BASE_TEXT.replace('volume = "60 m^3"', f"volume = {'[' * depth}1{']' * depth}", 1)
    file_error(text, "nested", "levels")


def test_deeply_nested_inline_tables_get_one_line():
    text = BASE_TEXT + "\nx = " + "{a = " * 400 + "1" + "}" * 400 + "\n"
    file_error(text, "nested too deeply for the TOML reader")


def test_a_negative_growth_rate_names_the_file_table_and_key():
    text = BASE_TEXT.replace(
        'diameter = "5 mm"', 'area = "1 mm^2"\ngrowth = { rate = "-2 mm^2/h" }', 1
    )
    file_error(text, LEAK, "growth.rate must leave the hole an area >= 0", "'-2 mm^2/h'", "1800 s")


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ('"22 C"', "write 'degC'"),
        ('"10 delta_degC"', "not a temperature difference"),
        ('["22 degC", "10 delta_degC"]', "entry 2 of 2"),
    ],
)
def test_temperatures_that_are_not_temperatures(value, fragment):
    text = BASE_TEXT.replace('volume = "60 m^3"', f'volume = "60 m^3"\ntemperature = {value}', 1)
    file_error(text, LAB, "temperature", fragment)


def test_a_huge_output_grid_is_refused_in_the_file():
    text = BASE_TEXT.replace('duration = "1 h"', 'duration = "1 day"\noutput_interval = "1 us"')
    file_error(text, SIM, "the outputs would take about", "TiB", "output_interval")


def cli(*args, cwd):
    return subprocess.run(
        [sys.executable, "-m", "leaksim.cli", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONWARNINGS": "default"},
    )


@pytest.mark.parametrize(
    ("old", "new", "fragment"),
    [
        ('duration = "1 h"', 'duration = "1 day"\noutput_interval = "1 us"', "TiB of memory"),
        ('duration = "1 h"', 'duration = "100 year"\noutput_interval = "1 s"', "GiB of memory"),
        ('volume = "60 m^3"', 'volume = "1e-300 m^3"', "between 1e-20 and 1e+20 m^3"),
        ('volume = "60 m^3"', 'volume = "60 m^3"\ntemperature = "22 C"', "write 'degC'"),
    ],
)
def test_the_command_line_refuses_with_one_line(tmp_path, old, new, fragment):
    path = tmp_path / "case.toml"
    path.write_text(BASE_TEXT.replace(old, new, 1))
    done = cli("run", "case.toml", "--json", "out.json", cwd=tmp_path)
    assert done.returncode == 2
    (line,) = done.stderr.splitlines()  # one line: no traceback, no RuntimeWarning
    assert line.startswith("leaksim: error: case.toml: ") and fragment in line
    assert not (tmp_path / "out.json").exists()
