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


def test_a_rise_beyond_the_noise_is_refused_with_its_test_and_values(chain):
    rise = IsolationTest(["A-B"], "1 h", {"A": ("750 mmHg", "760 mmHg")}, name="T1")
    with pytest.raises(ScenarioError) as err:
        locate_leak(chain, [rise])
    text = str(err.value)
    assert text.startswith("test 'T1', module 'A': end pressure 760 mmHg is above the start 750")
    # the allowance is three standard uncertainties of a difference: 3 sqrt(2) x 0.5 mmHg
    assert "(2.12 mmHg)" in text
    # within the noise a rise is no leak, and is accepted
    within = IsolationTest(["A-B"], "1 h", {"A": ("750 mmHg", "751 mmHg")}, name="T1")
    assert locate_leak(chain, [within], max_leaks=1).hypotheses == []


def test_no_hypothesis_lists_a_leak_of_zero_area(chain):
    leaks = {"C": "0.1 mm^2"}
    where = locate_leak(chain, _tests(chain, leaks, [["A-B", "B-C", "C-D", "D-E"]], seed=5))
    assert where.hypotheses and all(a > 0 for h in where.hypotheses for a in h.areas)
    assert sum(h.probability for h in where.hypotheses) == pytest.approx(1.0)
    # in the ISS demo every second module beside the PrK fits to zero area
    demo = locate_leak(iss_station(), read_isolation_tests(DATA / "iss_isolation_demo.csv"))
    assert all(a > 0 for h in demo.hypotheses for a in h.areas)


def test_no_leak_at_all_gives_no_hypothesis_and_says_so(chain):
    flat = IsolationTest(["B-C"], "24 h", {"A": ("760 mmHg", "760 mmHg"), "D": ("760 mmHg",) * 2})
    where = locate_leak(chain, [flat])
    assert where.hypotheses == [] and where.next_test is None
    assert "no leak is detected" in where.notes[0]
    assert where.lines()[0].startswith("hypotheses: none")


def test_a_test_already_made_is_not_proposed_again(chain):
    leaks = {"D": "0.1 mm^2"}
    first = _tests(chain, leaks, [["B-C"]], seed=2)
    # closing B-C left C, D and E tied: B-C again is not proposed; C-D splits the tie
    where = locate_leak(chain, first, max_leaks=1, candidates=[["B-C"], ["A-B"], ["C-D"]])
    assert ("B-C",) not in [c for c, _ in where.candidates]
    assert where.next_test == ("C-D",)
    # with the test made as the only candidate, nothing is proposed, and the note says why
    only_done = locate_leak(chain, first, max_leaks=1, candidates=[["B-C"]])
    assert only_done.next_test is None and "already made" in only_done.notes[0]


def test_the_proposal_states_its_duration_and_what_its_error_bound_means(chain):
    first = _tests(chain, {"D": "0.1 mm^2"}, [["B-C"]], seed=2)
    where = locate_leak(chain, first, max_leaks=1)
    assert where.next_test_duration == 24 * 3600.0
    lines = where.lines()
    proposal = next(i for i, line in enumerate(lines) if line.startswith("next test: close"))
    assert "for 24 h (error bound" in lines[proposal]
    assert "most probable hypothesis after that test is the wrong one" in lines[proposal + 1]
    assert where.to_dict()["next_test_duration_s"] == 24 * 3600.0


def test_an_unknown_hatch_or_module_gets_a_did_you_mean(chain):
    typo = IsolationTest(["A-C"], "1 h", {"A": ("760 mmHg", "750 mmHg")}, name="T1", source="t.csv")
    with pytest.raises(ScenarioError, match=r"^t.csv: test 'T1': unknown hatch 'A-C' \(did you"):
        locate_leak(chain, [typo])
    far = IsolationTest(["Zzz"], "1 h", {"A": ("760 mmHg", "750 mmHg")})
    with pytest.raises(ScenarioError, match=r"unknown hatch 'Zzz'; the station's hatches: \["):
        locate_leak(chain, [far])
    module = IsolationTest(["A-B"], "1 h", {"AA": ("760 mmHg", "750 mmHg")})
    with pytest.raises(ScenarioError, match=r"unknown module 'AA' \(did you mean 'A'\?\)"):
        locate_leak(chain, [module])


def test_a_tests_file_with_an_empty_cell_or_a_module_read_twice_is_named(tmp_path):
    head = (
        "test, closed hatches, duration [h], module, start pressure [mmHg], end pressure [mmHg]\n"
    )
    path = tmp_path / "t.csv"
    path.write_text(head + "T1, A-B, 1, A, 760, \n")
    with pytest.raises(ScenarioError, match="data row 1: the 'end pressure' cell is empty"):
        read_isolation_tests(path)
    path.write_text(head + "T1, A-B, 1, A, 760, 750\nT1, A-B, 1, A, 760, 749\n")
    with pytest.raises(ScenarioError, match="test 'T1' reads module 'A' twice"):
        read_isolation_tests(path)
    path.write_text(head + "T1, A-B, 1, A, 760, 750\n")
    assert read_isolation_tests(path)[0].source == str(path)


def test_the_needed_duration_brings_the_bound_to_its_target(chain):
    # The separations grow in proportion to the duration: proposing the same test for the
    # needed duration must give the target bound above the floor (the pairs the test does not
    # separate), and half of it a larger one.
    leaks = {"D": "0.1 mm^2"}
    first = _tests(chain, leaks, [["B-C"]], seed=2)
    where = locate_leak(chain, first, max_leaks=1, target_error=0.05)
    assert where.next_test is not None and where.next_test_needed is not None
    cand = [list(where.next_test)]
    at = locate_leak(
        chain, first, max_leaks=1, candidates=cand, next_duration=f"{where.next_test_needed} s"
    )
    floor = where.next_test_error_floor
    assert at.next_test_error_bound - floor == pytest.approx(0.05, rel=1e-6)
    half = locate_leak(
        chain, first, max_leaks=1, candidates=cand, next_duration=f"{where.next_test_needed / 2} s"
    )
    assert half.next_test_error_bound - floor > 0.05


def test_the_crew_limit_is_half_a_1_mmhg_fall_of_the_holed_group(chain):
    # Closed form: a group of volume V with the fitted area a falls as p exp(-k t), with
    # k = a psi* sqrt(R T) / V; it loses 1 mmHg in ln(p / (p - 1 mmHg)) / k.
    from leaksim.inverse._common import MMHG, gas_constants
    from leaksim.inverse.locate import groups as station_groups

    leaks = {"D": "0.1 mm^2"}
    first = _tests(chain, leaks, [["B-C"]], seed=2)
    where = locate_leak(chain, first, max_leaks=1)
    best = where.hypotheses[0]
    r, psi = gas_constants("air")
    volumes = {"A": 40.0, "B": 60.0, "C": 20.0, "D": 80.0, "E": 30.0}
    parts = station_groups(chain, list(where.next_test))
    names = list(chain.module_names)
    holed = next(g for g in parts if names.index(best.modules[0]) in g)
    volume = sum(volumes[names[i]] for i in holed)
    k = best.areas[0] * psi * np.sqrt(r * 295.15) / volume
    p = where.pressure
    assert where.next_test_crew_limit == pytest.approx(0.5 * np.log(p / (p - MMHG)) / k, rel=1e-9)
    # and the gas is the most probable leak's loss over the shorter of the two
    span = min(where.next_test_needed, where.next_test_crew_limit)
    assert where.next_test_gas == pytest.approx(where.leak_rate(best.areas[0]) * span, rel=1e-9)
    assert "crew rule" in "\n".join(where.lines())
