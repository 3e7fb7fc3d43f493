"""``leaksim sweep``: outputs, overrides, resume after an interruption, errors, exit codes."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from test_sweep import SWEEP_FILE as BASE_SWEEP_FILE

import leaksim.sweep.engine as engine
from leaksim import cli
from leaksim.sweep import load_sweep

ROOT = Path(__file__).resolve().parents[1]
# The one-cabin sweep of test_sweep, with 30 cases: three chunks of 10 in the resume tests.
SWEEP_FILE = BASE_SWEEP_FILE.replace("cases = 40", "cases = 30")


@pytest.fixture
def sweep_file(tmp_path):
    path = tmp_path / "mc.toml"
    path.write_text(SWEEP_FILE)
    return path


def test_sweep_writes_rows_and_summary(sweep_file, tmp_path, capsys):
    out, summary = tmp_path / "rows.csv", tmp_path / "summary.json"
    code = cli.main(
        ["sweep", str(sweep_file), "--out", str(out), "--json", str(summary), "--chunk-size", "8"]
    )
    assert code == 0
    rows = pd.read_csv(out)
    expected = load_sweep(sweep_file).run(progress=False).rows
    pd.testing.assert_frame_equal(rows, expected, check_dtype=False, check_exact=True)
    data = json.loads(summary.read_text())
    assert data["cases"] == 30 and data["failed"] == 0
    low = data["thresholds"]["low"]["Cabin"]
    assert low["reached"] == int(rows["threshold.low.Cabin_s"].notna().sum())
    printed = capsys.readouterr().out
    assert "30 cases, 0 failed" in printed and "any module" in printed
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mc.toml", "rows.csv", "summary.json"]


def test_cases_and_seed_override_the_file(sweep_file, tmp_path):
    out = tmp_path / "rows.csv"
    assert (
        cli.main(["sweep", str(sweep_file), "-q", "--cases", "5", "--seed", "9", "--out", str(out)])
        == 0
    )
    rows = pd.read_csv(out)
    expected = load_sweep(sweep_file).replace(cases=5, seed=9).run(progress=False).rows
    pd.testing.assert_frame_equal(rows, expected, check_dtype=False, check_exact=True)


def test_interrupted_sweep_resumes(sweep_file, tmp_path, monkeypatch, capsys):
    out = tmp_path / "rows.csv"
    real, calls = engine.chunk_rows, []

    def interrupt_second(**kwargs):
        calls.append(kwargs["start"])
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real(**kwargs)

    monkeypatch.setattr(engine, "chunk_rows", interrupt_second)
    args = ["sweep", str(sweep_file), "-q", "--out", str(out), "--chunk-size", "10"]
    assert cli.main(args) == 130
    err = capsys.readouterr().err
    assert "rerun with --resume" in err and "Traceback" not in err
    assert not out.exists()
    assert cli.main(args) == 2  # the kept chunks are not overwritten without --resume
    assert "already holds chunks" in capsys.readouterr().err
    calls.clear()
    monkeypatch.setattr(engine, "chunk_rows", lambda **kw: calls.append(kw["start"]) or real(**kw))
    assert cli.main([*args, "--resume"]) == 0
    assert calls == [10, 20]
    assert not Path(str(out) + ".parts").exists()
    expected = load_sweep(sweep_file).run(progress=False).rows
    pd.testing.assert_frame_equal(pd.read_csv(out), expected, check_dtype=False, check_exact=True)


@pytest.mark.parametrize(
    ("extra", "fragment"),
    [
        (["--cases", "0"], "--cases: must be >= 1"),
        (["--seed", "x"], "--seed: must be a whole number"),
        (["--out", "rows.xlsx"], "must end in .csv or .parquet"),
        (["--resume"], "--resume needs --out"),
        (["--out", "nowhere/rows.csv"], "does not exist"),
    ],
)
def test_bad_arguments_exit_2_in_one_line(
    sweep_file, tmp_path, monkeypatch, capsys, extra, fragment
):
    monkeypatch.chdir(tmp_path)
    assert cli.main(["sweep", str(sweep_file), *extra]) == 2
    err = capsys.readouterr().err
    assert fragment in err and err.count("\n") == 1 and "Traceback" not in err


def test_a_file_without_sweep_and_run_on_a_sweep_file(sweep_file, tmp_path, capsys):
    plain = tmp_path / "plain.toml"
    plain.write_text(SWEEP_FILE.split("[sweep]")[0])
    assert cli.main(["sweep", str(plain)]) == 2
    assert "no [sweep] table: run the file with 'leaksim run'" in capsys.readouterr().err
    assert cli.main(["run", str(sweep_file)]) == 2
    assert "run it with 'leaksim sweep'" in capsys.readouterr().err


def test_the_iss_monte_carlo_example_runs(tmp_path):
    out = tmp_path / "rows.csv"
    example = ROOT / "examples" / "iss_monte_carlo.toml"
    assert cli.main(["sweep", str(example), "-q", "--cases", "30", "--out", str(out)]) == 0
    rows = pd.read_csv(out)
    assert (rows["status"] == "ok").all()
    assert set(rows["leak.impact.module"]) <= set(load_sweep(example).scenario.station.module_names)
    assert rows["leak.impact.diameter"].between(1e-3, 0.1).all()


@pytest.mark.skipif(sys.platform == "win32", reason="SIGINT to a child process")
def test_ctrl_c_keeps_finished_chunks_and_exits_130(tmp_path):
    path = tmp_path / "mc.toml"
    path.write_text(SWEEP_FILE.replace("cases = 30", "cases = 100000"))
    out = tmp_path / "rows.csv"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "leaksim.cli",
            "sweep",
            str(path),
            "-q",
            "--out",
            str(out),
            "--chunk-size",
            "20",
        ],
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    store = Path(str(out) + ".parts")
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and len(list(store.glob("rows-*.npz"))) < 2:
        time.sleep(0.2)
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 130
    assert "Traceback" not in err and "interrupted" in err
    assert not out.exists()
    kept = list(store.glob("rows-*.npz"))
    assert len(kept) >= 2
    assert not [p for p in store.iterdir() if p.suffix not in (".npz", ".json")]


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")
def test_a_killed_sweep_resumes_from_its_finished_chunks(tmp_path):
    # kill -9 leaves no chance to clean up: the chunks on disk must still be whole, and
    # --resume must finish the sweep with the rows of an uninterrupted run.
    path = tmp_path / "mc.toml"
    path.write_text(SWEEP_FILE.replace("cases = 30", "cases = 2000"))
    out = tmp_path / "rows.csv"
    args = ["sweep", str(path), "-q", "--out", str(out), "--chunk-size", "20"]
    process = subprocess.Popen([sys.executable, "-m", "leaksim.cli", *args])
    store = Path(str(out) + ".parts")
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and len(list(store.glob("rows-*.npz"))) < 3:
        time.sleep(0.05)
    process.kill()
    process.wait(timeout=60)
    kept = list(store.glob("rows-*.npz"))
    assert 3 <= len(kept) < 100 and not out.exists()
    assert cli.main([*args, "--resume"]) == 0
    expected = load_sweep(path).run(progress=False).rows
    pd.testing.assert_frame_equal(pd.read_csv(out), expected, check_dtype=False, check_exact=True)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mc.toml", "rows.csv"]
