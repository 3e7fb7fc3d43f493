"""Locating leaks from isolation tests on simulated stations where the answer is known."""

from pathlib import Path

import numpy as np
import pytest

from leaksim import Hatch, Module, Station
from leaksim.errors import ScenarioError
from leaksim.inverse import (
    IsolationTest,
    locate_leak,
    read_isolation_tests,
    simulate_isolation_test,
)
from leaksim.inverse.locate import groups
from leaksim.stations import iss_station

DATA = Path(__file__).parents[1] / "examples" / "data"
NAMES = ["A", "B", "C", "D", "E"]


@pytest.fixture(scope="module")
def chain():
    """Five modules in a line, A-B-C-D-E, with 0.8 m hatches (hatch names 'A-B', ...)."""
    volumes = ["40 m^3", "60 m^3", "20 m^3", "80 m^3", "30 m^3"]
    modules = [Module(n, v) for n, v in zip(NAMES, volumes, strict=True)]
    hatches = [Hatch([a, b], diameter="0.8 m") for a, b in zip(NAMES[:-1], NAMES[1:], strict=True)]
    return Station(modules, hatches, name="chain")


def _tests(station, leaks, plan, seed=0):
    rng = np.random.default_rng(seed)
    return [
        simulate_isolation_test(station, closed, "24 h", leaks, noise="0.2 mmHg", rng=rng)
        for closed in plan
    ]


def test_groups_follow_open_hatches(chain):
    assert groups(chain, []) == [[0, 1, 2, 3, 4]]
    assert groups(chain, ["B-C", "D-E"]) == [[0, 1], [2, 3], [4]]


@pytest.mark.parametrize("planted", ["A", "C", "E"])
def test_one_planted_leak_is_found(chain, planted):
    leaks = {planted: "0.1 mm^2"}
    # every module alone: each hatch closed
    tests = _tests(chain, leaks, [["A-B", "B-C", "C-D", "D-E"]])
    where = locate_leak(chain, tests)
    best = where.hypotheses[0]
    assert best.modules == (planted,)
    assert where.module_probability[planted] > 0.95
    assert best.areas[0] == pytest.approx(1e-7, abs=3 * best.area_sd[0])


def test_two_planted_leaks_are_found(chain):
    leaks = {"B": "0.1 mm^2", "D": "0.05 mm^2"}
    tests = _tests(chain, leaks, [["A-B", "B-C", "C-D", "D-E"]], seed=1)
    where = locate_leak(chain, tests)
    best = where.hypotheses[0]
    assert set(best.modules) == {"B", "D"}
    areas = dict(zip(best.modules, best.areas, strict=True))
    sd = dict(zip(best.modules, best.area_sd, strict=True))
    assert areas["B"] == pytest.approx(1e-7, abs=3 * sd["B"])
    assert areas["D"] == pytest.approx(5e-8, abs=3 * sd["D"])
    assert where.module_probability["B"] > 0.95 and where.module_probability["D"] > 0.95


def test_ambiguous_test_leaves_a_tie_and_the_proposal_separates_it(chain):
    leaks = {"D": "0.1 mm^2"}
    # closing B-C puts the leak in the group C-D-E: three hypotheses tie
    first = _tests(chain, leaks, [["B-C"]], seed=2)
    where = locate_leak(chain, first, max_leaks=1)
    top = {h.modules[0]: h.probability for h in where.hypotheses[:3]}
    assert set(top) == {"C", "D", "E"}
    assert max(top.values()) < 0.5
    assert where.next_test is not None
    # the proposed test separates C, D and E, and then D is found
    second = _tests(chain, leaks, [list(where.next_test)], seed=3)
    after = locate_leak(chain, first + second, max_leaks=1)
    assert after.hypotheses[0].modules == ("D",)
    assert after.hypotheses[0].probability > 0.95


def test_proposal_prefers_a_separating_test(chain):
    leaks = {"D": "0.1 mm^2"}
    first = _tests(chain, leaks, [["B-C"]], seed=4)
    where = locate_leak(chain, first, max_leaks=1, candidates=[["A-B"], ["C-D", "D-E"]])
    assert where.next_test == ("C-D", "D-E")
    assert where.candidates[0][1] < where.candidates[1][1]


def test_iss_demo_names_the_prk():
    # examples/data/iss_isolation_demo.csv: simulated with the April 2024 PrK leak planted
    station = iss_station()
    where = locate_leak(station, read_isolation_tests(DATA / "iss_isolation_demo.csv"))
    assert where.hypotheses[0].modules == ("Zvezda-PrK",)
    assert where.module_probability["Zvezda-PrK"] > 0.99
    # the area found is the area planted (0.0815 mm^2) within 1 %: readings to 0.01 mmHg
    assert where.hypotheses[0].areas[0] == pytest.approx(8.15e-8, rel=0.01)


def test_iss_demo_file_is_what_the_simulator_gives():
    station = iss_station()
    for test in read_isolation_tests(DATA / "iss_isolation_demo.csv"):
        sim = simulate_isolation_test(
            station, test.closed, test.duration, {"Zvezda-PrK": "0.0815 mm^2"}
        )
        for module, (_, end) in test.pressures.items():
            got = float(end.split()[0])
            want = float(sim.pressures[module][1].split()[0])
            assert got == pytest.approx(want, abs=0.006 * 133.322387415)


def test_bad_input_is_named(chain):
    good = IsolationTest(["A-B"], "1 h", {"A": ("760 mmHg", "750 mmHg")})
    with pytest.raises(ScenarioError, match="unknown hatch"):
        locate_leak(chain, [IsolationTest(["A-Z"], "1 h", {"A": ("760 mmHg", "750 mmHg")})])
    with pytest.raises(ScenarioError, match="unknown module"):
        locate_leak(chain, [IsolationTest(["A-B"], "1 h", {"Q": ("760 mmHg", "750 mmHg")})])
    with pytest.raises(ScenarioError, match="duration"):
        locate_leak(chain, [IsolationTest(["A-B"], "0 h", {"A": ("760 mmHg", "750 mmHg")})])
    with pytest.raises(ScenarioError, match="max_leaks"):
        locate_leak(chain, [good], max_leaks=0)
    with pytest.raises(ScenarioError, match="at least one"):
        locate_leak(chain, [])
    with pytest.raises(ScenarioError, match="no test reads"):
        locate_leak(chain, [IsolationTest(["A-B"], "1 h", {})])
