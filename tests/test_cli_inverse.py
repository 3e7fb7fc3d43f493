"""The ``fit``, ``convert``, ``locate`` and ``budget`` commands, called in-process."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from leaksim import cli

DATA = Path(__file__).parents[1] / "examples" / "data"
TWO_MODULES = Path(__file__).parents[1] / "examples" / "two_modules.toml"


def _run(capsys, *argv):
    code = cli.main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_fit_prints_and_writes_the_contract_keys(capsys, tmp_path):
    out_json = tmp_path / "fit.json"
    code, out, err = _run(
        capsys, "fit", DATA / "prk_2020-12.csv", "--volume", "5 m^3", "--json", out_json
    )
    assert code == 0 and err == ""
    assert "effective area" in out and "lb/day" in out
    data = json.loads(out_json.read_text())
    lo, hi = data["effective_area_ci_m2"]
    assert lo < data["effective_area_m2"] < hi
    # Dec 2020: 730 -> 620 mmHg in 18 h (RIA via Sputnik) in 5 m^3: k = ln(730/620)/18 h
    assert data["time_constant_s"] == pytest.approx(18 * 3600 / 0.163323, rel=1e-4)
    assert data["leak_rate_kg_per_day"] == pytest.approx(1.25, rel=0.01)


def test_fit_json_to_stdout_and_events(capsys, tmp_path):
    log = tmp_path / "log.csv"
    log.write_text("time [h], pressure [mmHg]\n0, 760\n5, 740\n10, 720\n20, 700\n30, 680\n")
    code, out, _ = _run(
        capsys, "fit", log, "--volume", "5 m^3", "--event", "10 h, 10 m^3", "--json", "-"
    )
    assert code == 0
    data = json.loads(out)
    assert [s["volume_m3"] for s in data["segments"]] == [5.0, 10.0]


def test_convert_prints_every_form(capsys, tmp_path):
    out_json = tmp_path / "c.json"
    code, out, _ = _run(capsys, "convert", "3.7 lb/day", "--volume", "916 m^3", "--json", out_json)
    assert code == 0
    for word in ("kg/day", "lb/day", "mmHg/day", "psi/day", "mbar/h", "mm^2", "day"):
        assert word in out
    assert json.loads(out_json.read_text())["mass_rate_lb_per_day"] == pytest.approx(3.7)


def test_locate_names_the_prk(capsys, tmp_path):
    out_json = tmp_path / "loc.json"
    code, out, _ = _run(
        capsys, "locate", DATA / "iss_isolation_demo.csv", "--station", "iss", "--json", out_json
    )
    assert code == 0 and "Zvezda-PrK" in out
    data = json.loads(out_json.read_text())
    assert data["hypotheses"][0]["modules"] == ["Zvezda-PrK"]


def test_locate_with_a_scenario_file(capsys, tmp_path):
    tests = tmp_path / "t.csv"
    tests.write_text(
        "test, closed hatches, duration [h], module, start pressure [mmHg], "
        "end pressure [mmHg]\nT1, Lab-Node1, 1, Lab, 760, 750\nT1, Lab-Node1, 1, Node1, 760, 760\n"
    )
    code, out, _ = _run(capsys, "locate", tests, "--scenario", TWO_MODULES)
    assert code == 0
    assert out.splitlines()[2].split()[3] == "Lab"


def test_budget_forecasts_the_reserve(capsys, tmp_path):
    out_json = tmp_path / "b.json"
    code, out, _ = _run(
        capsys,
        "budget",
        DATA / "prk_leak_rates.csv",
        "--since",
        "2024-09-01",
        "--reserve",
        "100 kg",
        "--json",
        out_json,
    )
    assert code == 0 and "runs out" in out
    data = json.loads(out_json.read_text())
    assert data["trend"] == "constant" and data["runout_date"].startswith("2026-09")


@pytest.mark.parametrize(
    "argv, words",
    [
        (["fit", "missing.csv", "--volume", "5 m^3"], "not found"),
        (["fit", DATA / "prk_2020-12.csv", "--volume", "5 kg"], "volume"),
        (["fit", DATA / "prk_2020-12.csv"], "--volume"),
        (["convert", "3 kg"], "mass rate"),
        (["convert", "2 mmHg/day"], "volume"),
        (["locate", DATA / "iss_isolation_demo.csv", "--station", "moon"], "unknown station"),
        (["locate", DATA / "iss_isolation_demo.csv"], "--station"),
        (["budget", DATA / "prk_leak_rates.csv", "--trend", "cubic"], "trend"),
        (["budget", DATA / "prk_leak_rates.csv", "--reserve", "5 m^3"], "reserve"),
        (["fit", DATA / "prk_2020-12.csv", "--volume", "5 m^3", "--json", "/nope/x.json"], "exist"),
    ],
)
def test_bad_input_exits_2_with_one_line(capsys, argv, words):
    code, out, err = _run(capsys, *argv)
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1 and err.startswith("leaksim: error:") and words in err


def test_json_is_not_left_half_written(capsys, tmp_path):
    out_json = tmp_path / "fit.json"
    out_json.write_text("old")
    code, _, _ = _run(
        capsys, "fit", DATA / "prk_2020-12.csv", "--volume", "-5 m^3", "--json", out_json
    )
    assert code == 2
    assert out_json.read_text() == "old"
    assert list(tmp_path.iterdir()) == [out_json]
