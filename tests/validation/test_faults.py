"""Faults: an interrupted run, a crash while writing, a solver that cannot finish a case.

The contract (docs/scenario-format.md, Additions; leaksim.cli; leaksim._io): Ctrl-C ends
``leaksim run`` with status 130 and one line, no traceback and no output file, at any moment
(tests/test_cli_startup.py interrupts it in each stage of its imports); a writer that fails
half-way leaves no file and keeps the previous one intact; the outputs of one run are replaced
together or not at all, and a file that cannot be written is named in one line; a case the
solver cannot finish is reported with its index and the reason, the other cases kept.
"""

from __future__ import annotations

import errno
import io
import json
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest
from _cli_process import start_leaksim, wait_for_marker

from leaksim import Leak, Module, Scenario, Station, cli
from leaksim.errors import SolverError
from leaksim.result import Result

# Slow enough to be interrupted: 400 cases of a 40-module chain over a year, each module
# emptying through its own small hole at its own pace.
LONG_SCENARIO = """\
[simulation]
duration = "1 year"
energy = "adiabatic"
{modules}
{hatches}
[[leak]]
module = "M0"
diameter = [{diameters}]
"""


def _long_scenario(path) -> None:
    modules = "\n".join(
        f'[[module]]\nname = "M{i}"\nvolume = "{5 + i} m^3"\npressure = "760 mmHg"\n'
        f'temperature = "22 degC"'
        for i in range(40)
    )
    hatches = "\n".join(
        f'[[hatch]]\nbetween = ["M{i}", "M{i + 1}"]\narea = "{0.01 * (i + 1)} m^2"'
        for i in range(39)
    )
    diameters = ", ".join(f'"{0.5 + 0.01 * k:.2f} mm"' for k in range(400))
    path.write_text(LONG_SCENARIO.format(modules=modules, hatches=hatches, diameters=diameters))


@pytest.mark.skipif(sys.platform == "win32", reason="SIGINT is a POSIX signal")
@pytest.mark.parametrize("delay_s", [0.0, 0.5, 2.0])
def test_ctrl_c_exits_130_with_one_line_and_no_output(tmp_path, delay_s):
    # The child marks when it starts to load the scenario reader (tests/_cli_process.py); the
    # interrupt comes some time after that: in the imports, the parsing or the solve, whatever
    # the machine's speed. The whole run takes about a minute here.
    work = tmp_path / "work"
    work.mkdir()
    scenario = work / "long.toml"
    _long_scenario(scenario)
    summary, series = work / "summary.json", work / "series.csv"
    args = ["run", str(scenario), "--json", str(summary), "--csv", str(series)]
    process, marker = start_leaksim(args, tmp_path, "leaksim.scenario_file", pause_s=0.0)
    wait_for_marker(process, marker)
    time.sleep(delay_s)
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=300)
    if process.returncode == 0:  # a machine fast enough to finish first: then all is written
        assert json.loads(summary.read_text())["cases"] == 400
        assert series.stat().st_size > 0
        return
    assert process.returncode == 130, err
    assert out == "" and "Traceback" not in err
    assert err.splitlines() == ["leaksim: error: interrupted"]
    assert sorted(os.listdir(work)) == ["long.toml"]


def _result() -> Result:
    station = Station([Module("Cabin", "10 m^3")], leaks=[Leak("Cabin", diameter="5 mm")])
    return Scenario(station, "1 h", output_interval="1 min").run()


def test_crash_while_writing_csv_keeps_the_previous_file(tmp_path, monkeypatch):
    target = tmp_path / "series.csv"
    target.write_text("previous\n")
    rows = Result._csv_rows

    def failing_rows(self):
        for k, row in enumerate(rows(self)):
            if k == 20:
                raise OSError("disk full")
            yield row

    monkeypatch.setattr(Result, "_csv_rows", failing_rows)
    with pytest.raises(OSError, match="disk full"):
        _result().write_csv(target)
    assert target.read_text() == "previous\n"
    assert os.listdir(tmp_path) == ["series.csv"]


def test_crash_while_writing_json_keeps_the_previous_file(tmp_path, monkeypatch):
    target = tmp_path / "summary.json"
    target.write_text("{}\n")
    result = _result()

    # The text is built first, then written: fail the write itself, half-way through the file.
    real_write = io.TextIOWrapper.write
    calls = {"n": 0}

    def write_half(self, text):
        calls["n"] += 1
        real_write(self, text[: len(text) // 2])
        raise OSError("disk full")

    monkeypatch.setattr("leaksim._io.os.fdopen", _fdopen_with(write_half))
    with pytest.raises(OSError, match="disk full"):
        result.write_json(target)
    assert calls["n"] == 1
    assert target.read_text() == "{}\n"
    assert os.listdir(tmp_path) == ["summary.json"]


def _fdopen_with(write):
    """os.fdopen whose text files write through ``write``."""
    real_fdopen = os.fdopen

    class Wrapper:
        def __init__(self, f):
            self._f = f

        def write(self, text):
            return write(self._f, text)

        def __getattr__(self, name):
            return getattr(self._f, name)

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return self._f.__exit__(*exc)

    return lambda *args, **kwargs: Wrapper(real_fdopen(*args, **kwargs))


def test_cli_crash_while_writing_exits_1_and_keeps_the_old_outputs(tmp_path, monkeypatch, capsys):
    scenario = tmp_path / "cabin.toml"
    scenario.write_text(
        '[simulation]\nduration = "10 min"\n[[module]]\nname = "Cabin"\nvolume = "10 m^3"\n'
        'pressure = "760 mmHg"\ntemperature = "22 degC"\n[[leak]]\nmodule = "Cabin"\n'
        'diameter = "5 mm"\n'
    )
    series = tmp_path / "series.csv"
    series.write_text("previous\n")

    def failing_rows(self):
        yield [0, "Cabin", "0", "1", "1", "1"]
        raise RuntimeError("writer crashed")

    monkeypatch.setattr(Result, "_csv_rows", failing_rows)
    code = cli.main(["run", str(scenario), "--csv", str(series)])
    err = capsys.readouterr().err
    assert code == cli.EXIT_FAILURE
    assert len(err.strip().splitlines()) == 1 and "writer crashed" in err
    assert series.read_text() == "previous\n"
    assert sorted(os.listdir(tmp_path)) == ["cabin.toml", "series.csv"]


CABIN = (
    '[simulation]\nduration = "10 min"\n[[module]]\nname = "Cabin"\nvolume = "10 m^3"\n'
    'pressure = "760 mmHg"\ntemperature = "22 degC"\n[[leak]]\nmodule = "Cabin"\n'
    'diameter = "5 mm"\n'
)


def test_cli_run_replaces_its_outputs_all_or_nothing(tmp_path, monkeypatch, capsys):
    # The summary is renamed into place first; the series cannot be (an immutable file, as
    # chattr +i makes it; injected, since root may write anywhere): the pair on disk must stay
    # the old one, not a summary of this run beside a series of the last.
    scenario = tmp_path / "cabin.toml"
    scenario.write_text(CABIN)
    summary, series, figure = tmp_path / "summary.json", tmp_path / "series.csv", tmp_path / "p.png"
    summary.write_text("old summary\n")
    series.write_text("old series\n")
    real_replace = os.replace

    def immutable_series(src, dst):
        if str(dst).endswith("series.csv"):
            raise PermissionError(errno.EPERM, "Operation not permitted")
        return real_replace(src, dst)

    monkeypatch.setattr(os, "replace", immutable_series)
    args = ["run", str(scenario), "--json", str(summary), "--csv", str(series)]
    code = cli.main([*args, "--plot", str(figure)])
    err = capsys.readouterr().err
    assert code == cli.EXIT_FAILURE
    assert err == (
        f"leaksim: error: cannot write {series}: Operation not permitted; no earlier file was "
        "replaced\n"
    )
    assert summary.read_text() == "old summary\n" and series.read_text() == "old series\n"
    assert sorted(os.listdir(tmp_path)) == ["cabin.toml", "series.csv", "summary.json"]
    monkeypatch.undo()
    assert cli.main(args) == cli.EXIT_OK
    assert json.loads(summary.read_text())["cases"] == 1


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
def test_cli_run_on_a_full_device_names_it_and_keeps_the_summary(tmp_path):
    scenario = tmp_path / "cabin.toml"
    scenario.write_text(CABIN)
    summary = tmp_path / "summary.json"
    summary.write_text("old summary\n")
    run = subprocess.run(
        [sys.executable, "-m", "leaksim.cli", "run", str(scenario)]
        + ["--json", str(summary), "--csv", "/dev/full"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == cli.EXIT_FAILURE
    assert run.stderr == "leaksim: error: cannot write /dev/full: No space left on device\n"
    assert summary.read_text() == "old summary\n"
    assert sorted(os.listdir(tmp_path)) == ["cabin.toml", "summary.json"]


def _two_cases() -> Scenario:
    station = Station(
        [Module("Cabin", "1 m^3")],
        leaks=[Leak("Cabin", diameter=["1 um", "20 cm"])],
    )
    return Scenario(station, "1 h", energy="adiabatic")


def test_solver_failure_reports_the_case_and_the_reason():
    result = _two_cases().run(max_steps=12)
    failed = [c for c in range(result.n_cases) if not result.ok[c]]
    assert failed, "a 20 cm hole in 1 m^3 cannot be integrated in 12 steps"
    for c in failed:
        assert "12 steps" in result.status[c]
        # The case stops where it failed: no values after it, none invented.
        assert np.isnan(result.pressure.m_as("Pa")[c, 0, -1])
    for c in set(range(result.n_cases)) - set(failed):
        assert result.status[c] == "ok"


def test_solver_failure_raises_naming_the_case_when_asked():
    with pytest.raises(SolverError, match=r"case \d+ failed: more than 12 steps"):
        _two_cases().run(max_steps=12, on_failure="raise")


def test_cli_summary_names_the_failed_case(tmp_path, monkeypatch, capsys):
    scenario = tmp_path / "two.toml"
    scenario.write_text(
        '[simulation]\nduration = "1 h"\nenergy = "adiabatic"\n[[module]]\nname = "Cabin"\n'
        'volume = "1 m^3"\npressure = "760 mmHg"\ntemperature = "22 degC"\n[[leak]]\n'
        'module = "Cabin"\ndiameter = ["1 um", "20 cm"]\n'
    )
    run = Scenario.run
    monkeypatch.setattr(Scenario, "run", lambda self, **kw: run(self, max_steps=12))
    summary = tmp_path / "summary.json"
    assert cli.main(["run", str(scenario), "--json", str(summary)]) == cli.EXIT_OK
    assert "1 of 2 cases failed" in capsys.readouterr().err
    status = json.loads(summary.read_text()).get("status")
    assert status is not None and status[0] == "ok" and "12 steps" in status[1]
