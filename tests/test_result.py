"""Tests of leaksim.result on hand-made solver output (tests/_result_data.py)."""

from __future__ import annotations

import csv
import dataclasses
import inspect
import io
import json
import math
import re
import sys

import numpy as np
import pytest
from _result_data import (
    EVACUATE_PA,
    FAIL_MESSAGE,
    MODULES,
    NODE_PRESSURE,
    P0,
    TIME,
    make_compiled,
    make_result,
    make_solution,
    taus,
)

from leaksim.core.solver import PartialPressures
from leaksim.errors import LeaksimError
from leaksim.result import SERIES_COLUMNS, Result, UnknownModuleError
from leaksim.units import ureg

C, M, T = 3, 2, TIME.size


@pytest.fixture
def result() -> Result:
    return make_result()


# ---------------------------------------------------------------- quantities and shapes


@pytest.mark.parametrize(
    ("name", "shape", "unit"),
    [
        ("time", (T,), "s"),
        ("pressure", (C, M, T), "Pa"),
        ("temperature", (C, M, T), "K"),
        ("partial_pressure_O2", (C, M, T), "Pa"),
        ("final_pressure", (C, M), "Pa"),
        ("final_temperature", (C, M), "K"),
        ("end_time", (C,), "s"),
    ],
)
def test_quantities_have_fixed_shape_and_unit(result, name, shape, unit):
    q = getattr(result, name)
    assert q.shape == shape
    assert q.units == ureg.Unit(unit)


def test_one_case_keeps_every_axis():
    one = make_result(n_cases=1, fail_last=False)
    assert one.pressure.shape == (1, M, T)
    assert one.final_pressure.shape == (1, M)
    assert one.threshold_times["evacuate"]["Lab"].shape == (1,)


def test_values_come_back_in_si_and_convert(result):
    assert result.pressure[0, 0, 0].m_as("mmHg") == pytest.approx(760.0, rel=1e-6)
    assert result.final_pressure[0, 1].m_as("Pa") == NODE_PRESSURE
    expected = P0 * math.exp(-TIME[-1] / taus(C)[0])
    assert result.final_pressure[0, 0].m_as("Pa") == pytest.approx(expected)


def test_quantities_are_read_only(result):
    with pytest.raises(ValueError, match="read-only"):
        result.pressure.magnitude[0, 0, 0] = 0.0


def test_plain_facts(result):
    assert result.n_cases == C
    assert result.modules == list(MODULES)
    assert result.thresholds == ["evacuate", "low_O2"]
    assert result.status == ["ok", "ok", FAIL_MESSAGE]
    np.testing.assert_array_equal(result.ok, [True, True, False])


def test_failed_case_without_message_says_failed():
    solution = make_solution()
    solution.message = ["", "", ""]
    r = Result(solution, make_compiled())
    assert r.status[-1] == "failed"


def test_threshold_times_are_per_threshold_and_module(result):
    times = result.threshold_times
    assert list(times) == ["evacuate", "low_O2"]
    assert list(times["evacuate"]) == list(MODULES)
    lab = times["evacuate"]["Lab"]
    assert lab.units == ureg.second
    expected = taus(C) * math.log(P0 / EVACUATE_PA)
    np.testing.assert_allclose(lab.m[:2], expected[:2])
    assert np.isnan(lab.m[2])  # the failed case ended before reaching it
    assert np.all(np.isnan(times["evacuate"]["Node1"].m))


def test_threshold_levels(result):
    levels = result.threshold_levels
    assert levels["evacuate"].m_as("mmHg") == pytest.approx(np.full(C, 490.0))


def test_module_index_and_unknown_name(result):
    assert result.module("Node1") == 1
    with pytest.raises(KeyError) as info:
        result.module("Zvezda")
    assert isinstance(info.value, UnknownModuleError)
    assert isinstance(info.value, LeaksimError)
    message = str(info.value)
    assert message.startswith("no module named 'Zvezda'")
    assert "'Lab'" in message and "'Node1'" in message


def with_threshold_time(solution, threshold_time):
    """The solution with other threshold times."""
    operations = dataclasses.replace(solution.operations, threshold_time=threshold_time)
    return dataclasses.replace(solution, operations=operations)


@pytest.mark.parametrize(
    ("solution", "compiled", "match"),
    [
        (make_solution(), make_compiled(n_cases=2), "one value per case of the solution"),
        (
            with_threshold_time(make_solution(), np.full((C, 1, M), np.nan)),
            make_compiled(),
            "threshold_time must have shape",
        ),
        (
            make_solution(),
            make_compiled(parameters={"leak.hole.diameter": [1.0, 2.0]}),
            "one value per case",
        ),
    ],
)
def test_constructor_refuses_mismatches(solution, compiled, match):
    with pytest.raises(ValueError, match=match):
        Result(solution, compiled)


def test_constructor_refuses_a_module_count_mismatch():
    solution = make_solution()
    one_module = dataclasses.replace(
        solution,
        pressure=solution.pressure[:, :1],
        temperature=solution.temperature[:, :1],
        partial_pressures=PartialPressures.stored(
            solution.partial_pressure_O2[:, :1], solution.partial_pressure_CO2[:, :1]
        ),
    )
    with pytest.raises(ValueError, match="module_names must name the 1 modules"):
        Result(one_module, make_compiled())


def test_repr_is_short(result):
    text = repr(result)
    assert "\n" not in text and len(text) < 120
    assert "3 cases" in text and "Lab" in text and "1 failed" in text


# ---------------------------------------------------------------- SUMMARY.json


def test_summary_schema_and_values(result):
    summary = result.summary()
    assert set(summary) == {
        "cases",
        "modules",
        "final",
        "thresholds",
        "reserve_times",
        "status",
        "parameters",
    }
    # Reached thresholds are their own reserve times; the failed case has none.
    reserve = summary["reserve_times"]["evacuate"]["Lab"]
    assert reserve[:2] == summary["thresholds"]["evacuate"]["Lab"][:2] and reserve[2] is None
    assert summary["cases"] == C
    assert summary["modules"] == list(MODULES)
    assert set(summary["final"]) == set(MODULES)
    for module in MODULES:
        assert set(summary["final"][module]) == {
            "pressure_Pa",
            "temperature_K",
            "partial_pressure_O2_Pa",
            "partial_pressure_CO2_Pa",
        }
        for values in summary["final"][module].values():
            assert isinstance(values, list) and len(values) == C
            assert all(isinstance(v, float) for v in values)
    assert summary["final"]["Node1"]["pressure_Pa"] == [NODE_PRESSURE] * C
    evacuate = summary["thresholds"]["evacuate"]
    assert evacuate["Node1"] == [None, None, None]
    assert evacuate["Lab"][2] is None
    assert evacuate["Lab"][0] == pytest.approx(taus(C)[0] * math.log(P0 / EVACUATE_PA))
    assert summary["status"] == ["ok", "ok", FAIL_MESSAGE]
    assert summary["parameters"]["leak.hole.diameter"] == pytest.approx([0.002, 0.007, 0.012])


def test_summary_lists_have_length_one_for_one_case():
    summary = make_result(n_cases=1, fail_last=False, parameters=False).summary()
    assert "parameters" not in summary
    assert summary["cases"] == 1
    assert len(summary["final"]["Lab"]["pressure_Pa"]) == 1
    assert len(summary["thresholds"]["evacuate"]["Lab"]) == 1
    assert summary["status"] == ["ok"]


def test_summary_parameters_may_be_choices():
    r = Result(
        make_solution(),
        make_compiled(
            parameters={
                "leak.hole.module": np.array(["Lab", "Node1", "Lab"]),
                "leak.hole.diameter": np.array([0.001, np.nan, 0.003]),
            },
        ),
    )
    parameters = r.summary()["parameters"]
    assert parameters["leak.hole.module"] == ["Lab", "Node1", "Lab"]
    assert parameters["leak.hole.diameter"] == [0.001, None, 0.003]


def test_write_json_round_trip(result, tmp_path):
    path = tmp_path / "SUMMARY.json"
    result.write_json(path)
    text = path.read_text()
    assert "NaN" not in text
    assert json.loads(text) == result.summary()


def test_write_json_to_open_file(result):
    buffer = io.StringIO()
    result.write_json(buffer)
    assert json.loads(buffer.getvalue())["cases"] == C


# ---------------------------------------------------------------- SERIES.csv and pandas


def _read_csv(path):
    with open(path, newline="") as f:
        return list(csv.reader(f))


def test_write_csv_columns_rows_and_values(result, tmp_path):
    path = tmp_path / "SERIES.csv"
    result.write_csv(path)
    rows = _read_csv(path)
    assert tuple(rows[0]) == SERIES_COLUMNS
    body = rows[1:]
    kept_times_failed_case = int(np.count_nonzero(TIME <= 1800.0))
    assert len(body) == (C - 1) * M * T + M * kept_times_failed_case
    first = body[0]
    assert first[:3] == ["0", "Lab", "0.0"]
    assert float(first[3]) == P0
    assert float(first[4]) == 295.15
    assert float(first[5]) == 0.21 * P0  # written exactly, read back exactly
    assert {row[0] for row in body} == {"0", "1", "2"}


def test_write_csv_reads_back_with_pandas(result, tmp_path):
    pd = pytest.importorskip("pandas")
    path = tmp_path / "SERIES.csv"
    result.write_csv(path)
    frame = pd.read_csv(path)
    assert list(frame.columns) == list(SERIES_COLUMNS)
    assert not frame["pressure_Pa"].isna().any()
    case1 = frame[(frame.case == 1) & (frame.module == "Lab")]
    np.testing.assert_array_equal(case1.pressure_Pa, result.pressure[1, 0].m)


def test_write_csv_to_open_file(result):
    buffer = io.StringIO(newline="")
    result.write_csv(buffer)
    assert buffer.getvalue().splitlines()[0] == ",".join(SERIES_COLUMNS)


def test_write_csv_is_atomic(result, tmp_path, monkeypatch):
    path = tmp_path / "SERIES.csv"
    path.write_text("old content\n")

    def broken_rows(self):
        yield [0, "Lab", "0.0", "1.0", "2.0", "3.0"]
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(Result, "_csv_rows", broken_rows)
    with pytest.raises(RuntimeError, match="disk on fire"):
        result.write_csv(path)
    assert path.read_text() == "old content\n"
    assert [p.name for p in tmp_path.iterdir()] == ["SERIES.csv"]


def test_to_dataframe_long_format(result):
    pytest.importorskip("pandas")
    frame = result.to_dataframe()
    assert frame.shape == (C * M * T, len(SERIES_COLUMNS))
    assert list(frame.columns) == list(SERIES_COLUMNS)
    row = frame.iloc[1 * M * T + 1 * T + 2]  # case 1, Node1, third output time
    assert (row.case, row.module, row.time_s) == (1, "Node1", TIME[2])
    assert row.pressure_Pa == NODE_PRESSURE
    assert row.partial_pressure_O2_Pa == pytest.approx(0.21 * NODE_PRESSURE)
    failed = frame[frame.case == 2]
    assert failed.pressure_Pa.isna().sum() == M * np.count_nonzero(TIME > 1800.0)


def test_to_dataframe_without_pandas_says_how_to_install(result, monkeypatch):
    monkeypatch.setitem(sys.modules, "pandas", None)
    with pytest.raises(ImportError, match="pip install pandas"):
        result.to_dataframe()


# ---------------------------------------------------------------- documentation meta-test


def _public_callables():
    import leaksim._io
    import leaksim.cli
    import leaksim.plotting

    yield from (leaksim._io.atomic_open, leaksim._io.atomic_write_text)
    yield from (leaksim.plotting.plot_pressure, leaksim.cli.main, Result)
    for name, member in inspect.getmembers(Result, inspect.isfunction):
        if not name.startswith("_"):
            yield member


@pytest.mark.parametrize("func", list(_public_callables()), ids=lambda f: f.__qualname__)
def test_every_parameter_is_documented_with_a_unit(func):
    """python-control's kwargs_test idea: a parameter missing from the docstring fails."""
    doc = inspect.getdoc(func) or ""
    target = func.__init__ if inspect.isclass(func) else func
    names = [
        p.name if p.kind is not p.VAR_KEYWORD else f"**{p.name}"
        for p in inspect.signature(target).parameters.values()
        if p.name != "self"
    ]
    for name in names:
        assert re.search(rf"^{re.escape(name)}\b", doc, re.MULTILINE), (func, name)
    section = doc.split("Parameters\n----------\n")[-1].split("\n\n")[0] if names else ""
    entries = re.split(r"\n(?=\S)", section)
    for entry in entries:
        if entry.strip() and not entry.startswith("**"):
            assert re.search(r"\[[^\]]+\]\.?\s*$", entry), entry
