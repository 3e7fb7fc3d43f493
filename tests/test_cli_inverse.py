"""The ``fit``, ``convert``, ``locate`` and ``budget`` commands, in-process and as processes."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
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


def _leaksim(*argv):
    """The command in a process of its own, as a user runs it."""
    return subprocess.run(
        [sys.executable, "-m", "leaksim.cli", *map(str, argv)],
        capture_output=True,
        text=True,
        env={**os.environ, "LEAKSIM_DEBUG": ""},
        timeout=300,
    )


TESTS_HEAD = (
    "test, closed hatches, duration [h], module, start pressure [mmHg], end pressure [mmHg]\n"
)


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    """One bad input of each kind, and a few good ones, as files."""
    root = tmp_path_factory.mktemp("inputs")
    made = {
        "binary.csv": b"\x7fELF\x02\x01\x01\x00\xd0\x91\xff\xfe" * 64,
        "wrong_date.csv": b"date, pressure [mmHg]\n2024-02-28, 760\n2024-02-30, 740\n",
        "rise.csv": (TESTS_HEAD + "T1, PrK-hatch, 18, Zvezda-PrK, 743.5, 760\n").encode(),
        "typo.csv": (TESTS_HEAD + "T1, PrK-hach, 18, Zvezda-PrK, 760, 743.5\n").encode(),
        "bom.csv": b"\xef\xbb\xbftime [h],pressure [mmHg]\r\n0,730\r\n18,620\r\n",
        "ages.csv": b"time [h], pressure [mmHg]\n0, 760\n1e300, 740\n",
        "years.csv": b"date, leak rate [lb/day]\n0001-01-01, 2\n9999-12-31, 3\n",
    }
    for name, data in made.items():
        (root / name).write_bytes(data)
    return root


@pytest.mark.parametrize(
    "argv, words",
    [
        (["fit", "@binary.csv", "--volume", "5 m^3"], "binary.csv: is not UTF-8 text"),
        (["locate", "@binary.csv", "--station", "iss"], "binary.csv: is not UTF-8 text"),
        (["budget", "@binary.csv"], "binary.csv: is not UTF-8 text"),
        (["fit", "@wrong_date.csv", "--volume", "5 m^3"], "'2024-02-30' is not a valid date"),
        (
            ["fit", DATA / "prk_2020-12.csv", "--volume", "5 m^3", "--event", "9 h, 2 m^3, 3"],
            "--event: expected 'TIME' or 'TIME, VOLUME'",
        ),
        (["locate", "@rise.csv", "--station", "iss"], "end pressure 760 mmHg is above the start"),
        (
            ["locate", "@typo.csv", "--station", "iss"],
            "typo.csv: test 'T1': unknown hatch 'PrK-hach' (did you mean 'PrK-hatch'?)",
        ),
        (
            ["budget", DATA / "prk_leak_rates.csv", "--horizon", "1000 year"],
            "asks for 365,251 daily values",
        ),
        (["budget", DATA / "prk_leak_rates.csv", "--since", "2024-02-30"], "not a valid date"),
        (["convert", "1e308 lb/day", "--json", "-"], "'1e308 lb/day' is out of range"),
        (["convert", "1e308 lb/day", "--volume", "5 m^3", "--json", "-"], "out of range"),
    ],
)
def test_bad_input_to_a_process_exits_2_with_one_line(files, argv, words):
    # '@name' is the file of that name made by the fixture
    done = _leaksim(*[files / str(a)[1:] if str(a).startswith("@") else a for a in argv])
    assert done.returncode == 2, done.stderr
    assert done.stdout == "" and "Traceback" not in done.stderr
    assert done.stderr.count("\n") == 1 and done.stderr.startswith("leaksim: error: ")
    assert words in done.stderr


def _strict_json(text):
    def refuse(name):
        raise AssertionError(f"{name} in JSON")

    return json.loads(text, parse_constant=refuse)


def test_spreadsheet_and_edge_logs_run_in_a_process(files):
    bom = _leaksim("fit", files / "bom.csv", "--volume", "5 m^3", "--json", "-")
    assert bom.returncode == 0 and bom.stderr == ""
    # Dec 2020 PrK decay (RIA via Sputnik): 730 -> 620 mmHg in 18 h
    assert _strict_json(bom.stdout)["time_constant_s"] == pytest.approx(
        18 * 3600 / math.log(730 / 620), rel=1e-9
    )
    ages = _leaksim("fit", files / "ages.csv", "--volume", "5 m^3", "--json", "-")
    assert ages.returncode == 0 and ages.stderr == ""
    assert _strict_json(ages.stdout)["time_constant_s"] == pytest.approx(
        1e300 * 3600 / math.log(760 / 740), rel=1e-9
    )
    years = _leaksim("budget", files / "years.csv", "--reserve", "1e9 kg")
    assert years.returncode == 0 and years.stderr == ""
    assert "day 3652423 from 0001-01-01" in years.stdout


def test_a_century_budget_and_the_paste_line(capsys, tmp_path):
    out_json = tmp_path / "b.json"
    code, _, err = _run(
        capsys, "budget", DATA / "prk_leak_rates.csv", "--horizon", "100 year", "--json", out_json
    )
    assert code == 0 and err == ""
    assert len(_strict_json(out_json.read_text())["forecast"]["time_s"]) == 36525 + 1
    code, out, _ = _run(capsys, "convert", "3.7 lb/day", "--json", "-")
    assert _strict_json(out)["scenario_leak"]["area_at_default_cd"] == "0.1358 mm^2"
    code, out, _ = _run(capsys, "convert", "3.7 lb/day")
    assert 'paste as effective_area = "0.08149 mm^2" in [[leak]]' in out
    code, out, _ = _run(capsys, "locate", DATA / "iss_isolation_demo.csv", "--station", "iss")
    assert " 0 mm^2" not in out and "next test: none proposed" in out
