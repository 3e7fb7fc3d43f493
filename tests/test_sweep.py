"""Sweeps end to end: rows against closed forms, chunk independence, isolation, summaries, files."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
from helpers import blowdown_time_constant

import leaksim.sweep.engine as engine
from leaksim import Hatch, Leak, Module, Scenario, Station, Threshold
from leaksim.errors import ScenarioError
from leaksim.sweep import Choice, Grid, LogUniform, Normal, Sweep, Table, Uniform, loads_sweep

MMHG = 133.322387415
DURATION = 7200.0
LEVEL = 600 * MMHG
LOW, HIGH = 1e-3, 20e-3  # hole diameters [m]
CD = 0.6


def cabin_scenario() -> Scenario:
    cabin = Station(
        [Module("Cabin", "100 m^3")],
        leaks=[Leak("Cabin", diameter="5 mm", name="hole", discharge_coefficient=CD)],
    )
    return Scenario(cabin, duration="2 h", thresholds=[Threshold("low", "600 mmHg")])


def cabin_sweep(cases: int = 40, seed: int = 1) -> Sweep:
    return Sweep(
        cabin_scenario(),
        {"leak.hole.diameter": LogUniform("1 mm", "20 mm")},
        cases=cases,
        seed=seed,
    )


def threshold_time(diameter: np.ndarray) -> np.ndarray:
    """Isothermal one-volume closed form: t = tau ln(p0 / level) (docs/physics.md)."""
    tau = blowdown_time_constant(100.0, CD * math.pi / 4 * diameter**2)
    return tau * np.log(760 * MMHG / LEVEL)


@pytest.fixture(scope="module")
def cabin_result():
    return cabin_sweep(cases=400, seed=7).run(progress=False, chunk_size=150)


def test_rows_hold_the_closed_form_threshold_times(cabin_result):
    rows = cabin_result.rows
    d = rows["leak.hole.diameter"].to_numpy()
    expected = threshold_time(d)
    got = rows["threshold.low.Cabin_s"].to_numpy()
    reached = expected <= DURATION
    assert (np.isnan(got) == ~reached).all()
    np.testing.assert_allclose(got[reached], expected[reached], rtol=1e-5)
    assert rows["case"].tolist() == list(range(400))
    assert (rows["status"] == "ok").all()


def test_fraction_reached_covers_the_exact_probability(cabin_result):
    # Reached iff d >= d*, where tau(d*) ln(p0/level) = duration; tau ~ 1/d^2. Under the
    # log-uniform law P(d >= d*) = ln(high/d*) / ln(high/low).
    d_star = 5e-3 * math.sqrt(threshold_time(np.array(5e-3))[()] / DURATION)
    exact = math.log(HIGH / d_star) / math.log(HIGH / LOW)
    f = cabin_result.fraction_reached("low")
    assert f["cases"] == 400
    assert f["ci95_low"] < exact < f["ci95_high"]
    assert f == cabin_result.fraction_reached("low", "Cabin")


def test_band_table_is_all_or_nothing_away_from_the_critical_size(cabin_result):
    d_star = 5e-3 * math.sqrt(threshold_time(np.array(5e-3))[()] / DURATION)
    edges = [LOW, 0.9 * d_star, 1.1 * d_star, HIGH * 1.001]
    table = cabin_result.fraction_reached("low", by={"leak.hole.diameter": edges})
    assert table["fraction"].iloc[0] == 0.0 and table["fraction"].iloc[-1] == 1.0
    assert table["cases"].sum() == 400
    # bands given as quantities give the same table
    in_mm = [f"{e * 1e3} mm" for e in edges]
    pd.testing.assert_frame_equal(
        table, cabin_result.fraction_reached("low", by={"leak.hole.diameter": in_mm})
    )


def test_summary_percentiles_follow_the_rows(cabin_result):
    summary = cabin_result.summary()
    assert summary["cases"] == 400 and summary["ok"] == 400 and summary["failed"] == 0
    p50 = summary["min_pressure_Pa"]["Cabin"]["p50"]
    final = cabin_result.rows["final.Cabin.pressure_Pa"]
    # no supply: the lowest pressure is the final one (to the dense output's accuracy)
    lowest = cabin_result.rows["min.Cabin.pressure_Pa"]
    assert (lowest <= final).all()
    np.testing.assert_allclose(lowest, final, rtol=1e-7)
    assert p50 == pytest.approx(np.median(final), rel=1e-2)
    reserve = cabin_result.reserve_time("low", "Cabin").m_as("s")
    reached = ~np.isnan(cabin_result.rows["threshold.low.Cabin_s"].to_numpy())
    assert (reserve[reached] == cabin_result.rows["threshold.low.Cabin_s"][reached]).all()
    assert (reserve[~reached] > DURATION).all()


def test_rows_do_not_depend_on_the_chunk_size():
    sweep = two_module_sweep(cases=30)
    a = sweep.run(progress=False, chunk_size=30).rows
    b = sweep.run(progress=False, chunk_size=7).rows
    pd.testing.assert_frame_equal(a, b, check_exact=True)


def two_module_scenario() -> Scenario:
    station = Station(
        [Module("A", "60 m^3"), Module("B", "40 m^3")],
        hatches=[Hatch(["A", "B"], area="0.5 m^2", name="h")],
        leaks=[Leak("A", diameter="10 mm", name="hole")],
    )
    return Scenario(station, duration="1 h", thresholds=[Threshold("low", "700 mmHg")])


def two_module_sweep(cases: int) -> Sweep:
    return Sweep(
        two_module_scenario(),
        {
            "leak.hole.module": Choice(["A", "B"]),
            "leak.hole.diameter": LogUniform("5 mm", "50 mm"),
            "leak.hole.isolate_after": Uniform("1 min", "10 min"),
        },
        cases=cases,
        seed=4,
    )


def test_isolation_and_module_choice_match_direct_runs():
    sweep = two_module_sweep(cases=12)
    rows = sweep.run(progress=False).rows
    for module in ("A", "B"):
        mine = rows[rows["leak.hole.module"] == module]
        d = mine["leak.hole.diameter"].to_numpy()
        close = mine["leak.hole.isolate_after"].to_numpy()
        station = Station(
            [Module("A", "60 m^3"), Module("B", "40 m^3")],
            hatches=[
                Hatch(["A", "B"], area="0.5 m^2", name="h", close_at=[f"{t} s" for t in close])
            ],
            leaks=[Leak(module, diameter=[f"{x} m" for x in d], name="hole")],
        )
        direct = Scenario(station, duration="1 h", thresholds=[Threshold("low", "700 mmHg")]).run()
        other = "B" if module == "A" else "A"
        got = mine[f"final.{other}.pressure_Pa"].to_numpy()
        np.testing.assert_array_equal(
            got, direct.final_pressure.m_as("Pa")[:, direct.module(other)]
        )
        # Physics: until the hatch closes both modules fall together as one 100 m^3 volume,
        # then the sealed one keeps its pressure: p0 exp(-t_close / tau) (one-volume form).
        tau = blowdown_time_constant(100.0, 0.6 * math.pi / 4 * d**2)
        np.testing.assert_allclose(got, 760 * MMHG * np.exp(-close / tau), rtol=1e-4)


def test_grid_sweep_needs_no_case_count():
    sweep = Sweep(
        cabin_scenario(),
        {
            "leak.hole.diameter": Grid(["2 mm", "4 mm", "8 mm"]),
            "simulation.duration": Grid(["1 h", "2 h"]),
        },
    )
    assert sweep.n_cases == 6
    rows = sweep.run(progress=False).rows
    assert rows["simulation.duration"].tolist() == [3600.0, 7200.0] * 3


@pytest.mark.parametrize(
    ("parameters", "fragment"),
    [
        (
            {"leak.hloe.diameter": Uniform("1 mm", "2 mm")},
            "no leak name 'hloe' (did you mean 'hole'?)",
        ),
        ({"leak.hole.diametre": Uniform("1 mm", "2 mm")}, "did you mean 'diameter'"),
        ({"lake.hole.diameter": Uniform("1 mm", "2 mm")}, "no kind 'lake'"),
        ({"leak.hole": Uniform("1 mm", "2 mm")}, "'<kind>.<name>.<key>'"),
        ({"simulation.durration": Uniform("1 h", "2 h")}, "did you mean 'duration'"),
        ({"leak.hole.isolate_after": Uniform("1 mm", "2 mm")}, "must be a time"),
        (
            {"leak.hole.diameter": {"distribution": "uniform", "low": "2 mm"}},
            "'leak.hole.diameter': distribution 'uniform' needs",
        ),
        ({}, "at least one path"),
    ],
)
def test_bad_sweeps_are_refused(parameters, fragment):
    with pytest.raises(ScenarioError) as info:
        Sweep(cabin_scenario(), parameters, cases=4)
    assert fragment in str(info.value)


def test_random_parameters_need_a_case_count_and_a_good_seed():
    with pytest.raises(ScenarioError, match="cases must be given"):
        Sweep(cabin_scenario(), {"leak.hole.diameter": Uniform("1 mm", "2 mm")})
    with pytest.raises(ScenarioError, match="seed must be a whole number >= 0"):
        Sweep(cabin_scenario(), {"leak.hole.diameter": Uniform("1 mm", "2 mm")}, cases=3, seed=-1)


def test_a_scenario_with_case_lists_is_refused():
    station = Station(
        [Module("Cabin", ["10 m^3", "20 m^3"])], leaks=[Leak("Cabin", diameter="1 mm", name="hole")]
    )
    with pytest.raises(ScenarioError, match="already has 2 cases"):
        Sweep(
            Scenario(station, duration="1 h"),
            {"leak.hole.diameter": Uniform("1 mm", "2 mm")},
            cases=3,
        )


def test_draws_that_break_a_rule_fail_before_any_case_runs(monkeypatch):
    sweep = Sweep(cabin_scenario(), {"leak.hole.diameter": Normal("1 mm", "1 mm")}, cases=50)
    drawn = sweep.sample()["leak.hole.diameter"].to_numpy()
    first = int(np.flatnonzero(drawn <= 0)[0])  # the first case drawing an impossible size
    monkeypatch.setattr(engine, "chunk_rows", _forbidden)
    with pytest.raises(ScenarioError) as info:
        sweep.run(progress=False)
    message = str(info.value)
    assert f"swept parameter 'leak.hole.diameter' draws {drawn[first]:.6g} m for case {first}," in (
        message
    )
    assert "leak 'hole': diameter must be > 0" in message and "bound it with" in message
    assert "entry" not in message and "\n" not in message


def test_a_bad_draw_names_its_parameter_among_several(monkeypatch):
    # Only the response time breaks a rule (a close_at before 0 s): the diameter is not blamed.
    scenario = Scenario(
        Station(
            [Module("Cabin", "100 m^3"), Module("Node", "50 m^3")],
            hatches=[Hatch(["Cabin", "Node"], area="0.5 m^2", name="crew")],
            leaks=[Leak("Cabin", diameter="5 mm", name="hole")],
        ),
        duration="1 h",
    )
    parameters = {
        "leak.hole.diameter": Uniform("1 mm", "5 mm"),
        "hatch.crew.close_at": Normal("2 min", "1 min"),
    }
    sweep = Sweep(scenario, parameters, cases=400, seed=3)
    drawn = sweep.sample()["hatch.crew.close_at"].to_numpy()
    first = int(np.flatnonzero(drawn < 0)[0])
    monkeypatch.setattr(engine, "chunk_rows", _forbidden)
    with pytest.raises(
        ScenarioError, match=rf"'hatch.crew.close_at' draws \S+ s for case {first},"
    ):
        sweep.run(progress=False)


def test_a_bad_choice_is_blamed_not_the_numbers_beside_it(monkeypatch):
    parameters = {
        "leak.hole.module": Choice(["Cabin", "Attic"]),
        "leak.hole.diameter": Uniform("1 mm", "5 mm"),
    }
    sweep = Sweep(cabin_scenario(), parameters, cases=20, seed=2)
    first = int(np.flatnonzero(sweep.sample()["leak.hole.module"].to_numpy() == "Attic")[0])
    monkeypatch.setattr(engine, "chunk_rows", _forbidden)
    with pytest.raises(ScenarioError) as info:
        sweep.run(progress=False)
    message = str(info.value)
    assert message.startswith(f"case {first} takes 'leak.hole.module' = 'Attic', which breaks")
    assert "got 'Attic'" in message and "diameter" not in message


def _forbidden(**kwargs):
    raise AssertionError("no chunk may run")


def test_interrupted_sweep_resumes_without_redoing_chunks(tmp_path, monkeypatch):
    sweep = cabin_sweep(cases=50)
    store = tmp_path / "rows.parts"
    calls = []
    real = engine.chunk_rows

    def interrupt_third(**kwargs):
        calls.append(kwargs["start"])
        if len(calls) == 3:
            raise KeyboardInterrupt
        return real(**kwargs)

    monkeypatch.setattr(engine, "chunk_rows", interrupt_third)
    with pytest.raises(KeyboardInterrupt):
        sweep.run(progress=False, chunk_size=10, store=store)
    kept = sorted(p.name for p in store.iterdir())
    assert kept == ["rows-0-10.npz", "rows-10-20.npz", "sweep.json"]
    with pytest.raises(ScenarioError, match="already holds chunks"):
        sweep.run(progress=False, chunk_size=10, store=store)
    with pytest.raises(ScenarioError, match="different sweep"):
        sweep.replace(seed=2).run(progress=False, store=store, resume=True)
    calls.clear()
    monkeypatch.setattr(engine, "chunk_rows", lambda **kw: calls.append(kw["start"]) or real(**kw))
    resumed = sweep.run(progress=False, chunk_size=15, store=store, resume=True)
    assert calls == [20, 35]  # only the missing cases, cut at the new chunk size
    pd.testing.assert_frame_equal(resumed.rows, sweep.run(progress=False).rows, check_exact=True)


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_results_files_read_back_exactly(tmp_path, cabin_result, suffix):
    path = tmp_path / f"rows{suffix}"
    cabin_result.write(path)
    back = pd.read_csv(path) if suffix == ".csv" else pd.read_parquet(path)
    pd.testing.assert_frame_equal(back, cabin_result.rows, check_dtype=False, check_exact=True)
    assert sorted(p.name for p in tmp_path.iterdir()) == [path.name]


def test_results_file_extension_is_checked(tmp_path, cabin_result):
    with pytest.raises(ScenarioError, match=r"must end in \.csv or \.parquet"):
        cabin_result.write(tmp_path / "rows.xlsx")
    assert not list(tmp_path.iterdir())


def test_summary_json_has_fractions_with_intervals(tmp_path, cabin_result):
    path = tmp_path / "summary.json"
    cabin_result.write_json(path)
    data = json.loads(path.read_text())
    entry = data["thresholds"]["low"]["Cabin"]
    assert set(entry) >= {"fraction", "ci95_low", "ci95_high", "reached", "cases"}
    assert entry["ci95_low"] <= entry["fraction"] <= entry["ci95_high"]
    assert data["thresholds"]["low"]["any_module"] == entry


SWEEP_FILE = """
[simulation]
duration = "2 h"
[[module]]
name = "Cabin"
volume = "100 m^3"
[[leak]]
name = "hole"
module = "Cabin"
diameter = "5 mm"
[[threshold]]
name = "low"
pressure = "600 mmHg"
[sweep]
cases = 40
seed = 1
[sweep.parameters]
"leak.hole.diameter" = { distribution = "loguniform", low = "1 mm", high = "20 mm" }
"""


def test_sweep_file_matches_the_python_sweep():
    from_file = loads_sweep(SWEEP_FILE).run(progress=False).rows
    pd.testing.assert_frame_equal(
        from_file, cabin_sweep().run(progress=False).rows, check_exact=True
    )


@pytest.mark.parametrize(
    ("old", "new", "fragment"),
    [
        ("seed = 1", "sede = 1", "[sweep]: unknown key 'sede' (did you mean 'seed'?)"),
        ("cases = 40", "cases = 0", "[sweep]: cases must be a whole number >= 1"),
        ('"leak.hole.diameter"', '"leak.hole.diameterr"', "did you mean 'diameter'"),
        ('high = "20 mm"', 'high = "0.5 mm"', "low must be below high"),
        ("[sweep.parameters]\n", "", "[sweep]: unknown key 'leak.hole.diameter'"),
    ],
)
def test_bad_sweep_tables_name_the_file_and_table(old, new, fragment):
    assert old in SWEEP_FILE
    with pytest.raises(ScenarioError) as info:
        loads_sweep(SWEEP_FILE.replace(old, new), source="mc.toml")
    message = str(info.value)
    assert message.startswith("mc.toml: [sweep]")
    assert fragment in message


def test_choice_of_never_and_a_swept_energy_mode():
    sweep = Sweep(
        two_module_scenario(),
        {
            "hatch.h.close_at": Choice(["5 min", "never"]),
            "simulation.energy": Table(["isothermal", "adiabatic"]),
        },
        cases=8,
        seed=2,
    )
    rows = sweep.run(progress=False).rows
    never = rows["hatch.h.close_at"] == np.inf
    assert never.any() and (~never).any()
    assert set(rows["simulation.energy"]) == {"isothermal", "adiabatic"}
    # an open hatch leaves the two modules together; a closed one keeps B well above A
    a, b = rows["final.A.pressure_Pa"], rows["final.B.pressure_Pa"]
    np.testing.assert_allclose(b[never], a[never], rtol=1e-4)
    assert (b[~never] > 1.5 * a[~never]).all()
    assert (rows["simulation.energy"] == ["isothermal", "adiabatic"] * 4).all()


def test_sweep_plots_label_their_axes(cabin_result):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (left, right) = plt.subplots(1, 2)
    try:
        cabin_result.plot_reserve_cdf("low", ax=left)
        assert "reserve time" in left.get_xlabel()
        sweep = two_module_sweep(cases=40)
        result = sweep.run(progress=False)
        drawn = result.plot_map(
            "leak.hole.diameter", "leak.hole.isolate_after", "low", ax=right, bins=4
        )
        assert int(drawn["counts"].sum()) == 40
        assert "diameter" in right.get_xlabel() and "isolate after" in right.get_ylabel()
        with pytest.raises(KeyError, match="not a numeric swept parameter"):
            result.plot_map("leak.hole.module", "leak.hole.diameter", "low")
    finally:
        plt.close(fig)


def test_progress_bar_on_request_and_quiet_off_a_terminal(capsys):
    sweep = cabin_sweep(cases=6)
    sweep.run(chunk_size=3, progress=True)
    err = capsys.readouterr().err
    assert "6/6" in err and "case" in err
    sweep.run(chunk_size=3)  # standard error is not a terminal under pytest
    assert capsys.readouterr().err == ""


def test_monte_carlo_example_keeps_the_iss_station():
    # The Monte Carlo file repeats the ISS-like station of examples/iss.toml (TOML has no
    # include): its modules and hatches must stay those of the canned station.
    from pathlib import Path

    from leaksim.stations import iss
    from leaksim.sweep import load_sweep

    example = Path(__file__).resolve().parents[1] / "examples" / "iss_monte_carlo.toml"
    mine = load_sweep(example).scenario.compile().network
    canned = iss().compile().network
    np.testing.assert_array_equal(mine.modules.volume, canned.modules.volume)
    np.testing.assert_array_equal(mine.modules.initial_pressure, canned.modules.initial_pressure)
    hatches = mine.links.hatches
    assert hatches == canned.links.hatches == slice(0, len(iss().station.hatches))
    np.testing.assert_array_equal(mine.links.area[:, hatches], canned.links.area[:, hatches])
    np.testing.assert_array_equal(mine.links.a[hatches], canned.links.a[hatches])
    np.testing.assert_array_equal(mine.links.b[hatches], canned.links.b[hatches])


def test_iss_monte_carlo_rows_do_not_depend_on_the_chunk_size():
    # Fifteen modules: systems large enough for numpy to change its summation order with the
    # batch shape, and zones that merge and split at the crew's response.
    from pathlib import Path

    from leaksim.sweep import load_sweep

    example = Path(__file__).resolve().parents[1] / "examples" / "iss_monte_carlo.toml"
    sweep = load_sweep(example).replace(cases=60)
    whole = sweep.run(progress=False, chunk_size=60).rows
    parts = sweep.run(progress=False, chunk_size=13).rows
    pd.testing.assert_frame_equal(whole, parts, check_exact=True)


def test_names_with_dots_can_be_swept():
    # "module.Lab.v2.volume": the kind before the first dot, the key after the last one.
    station = Station(
        [Module("Lab.v2", "100 m^3")],
        leaks=[Leak("Lab.v2", diameter="5 mm", name="hole.1", discharge_coefficient=CD)],
    )
    scenario = Scenario(station, duration="3 h", thresholds=[Threshold("low", "600 mmHg")])
    sweep = Sweep(
        scenario,
        {
            "module.Lab.v2.volume": Grid(["50 m^3", "100 m^3"]),
            "leak.hole.1.diameter": Grid(["5 mm", "10 mm"]),
        },
    )
    rows = sweep.run(progress=False).rows
    assert rows["module.Lab.v2.volume"].tolist() == [50.0, 50.0, 100.0, 100.0]
    volume = rows["module.Lab.v2.volume"].to_numpy()
    d = rows["leak.hole.1.diameter"].to_numpy()
    # isothermal one-volume closed form, t = tau ln(p0 / level) (docs/physics.md)
    expected = blowdown_time_constant(volume, CD * math.pi / 4 * d**2) * np.log(760 / 600)
    np.testing.assert_allclose(rows["threshold.low.Lab.v2_s"], expected, rtol=1e-5)
    with pytest.raises(ScenarioError, match=r"no module name 'Lab' .did you mean 'Lab.v2'"):
        Sweep(scenario, {"module.Lab.volume": Grid(["50 m^3"])})


@pytest.mark.parametrize(
    ("written", "swept", "cd"),
    [
        # A leak given as Cd A, swept by diameter: the diameter flows with the default Cd.
        ({"effective_area": "1 mm^2"}, "diameter", CD),
        # A leak given by diameter and Cd, swept as Cd A: the coefficient goes with the size.
        ({"diameter": "5 mm", "discharge_coefficient": 0.8}, "effective_area", 1.0),
    ],
)
def test_a_swept_size_replaces_every_other_form_of_it(written, swept, cd):
    cabin = Station([Module("Cabin", "100 m^3")], leaks=[Leak("Cabin", name="hole", **written)])
    scenario = Scenario(cabin, duration="2 h", thresholds=[Threshold("low", "600 mmHg")])
    low, high = ("1 mm", "20 mm") if swept == "diameter" else ("0.5 mm^2", "200 mm^2")
    sweep = Sweep(scenario, {f"leak.hole.{swept}": LogUniform(low, high)}, cases=6, seed=3)
    rows = sweep.run(progress=False).rows
    size = rows[f"leak.hole.{swept}"].to_numpy()
    area = math.pi / 4 * size**2 if swept == "diameter" else size
    tau = blowdown_time_constant(100.0, cd * area)
    expected = tau * np.log(760 * MMHG / LEVEL)
    got = rows["threshold.low.Cabin_s"].to_numpy()
    reached = expected <= DURATION
    np.testing.assert_allclose(got[reached], expected[reached], rtol=1e-5)
    assert reached.any()
