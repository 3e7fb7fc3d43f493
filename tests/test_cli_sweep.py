"""``leaksim sweep``: outputs, overrides, resume after an interruption, errors, exit codes."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from test_sweep import SWEEP_FILE as BASE_SWEEP_FILE

import leaksim.cli.sweep as cli_sweep
import leaksim.sweep.engine as engine
import leaksim.sweep.study as study
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


# A sweep that writes three chunks of 20 cases and then hangs in its fourth, as a sweep
# killed mid-run would leave it: no timing decides how many chunks are on disk.
HANGING_SWEEP = """
import sys, time
import leaksim.sweep.engine as engine
from leaksim import cli
real = engine.chunk_rows
def hang(**kwargs):
    if kwargs["start"] >= 60:
        time.sleep(3600)
    return real(**kwargs)
engine.chunk_rows = hang
sys.exit(cli.main(sys.argv[1:]))
"""


def _leaksim(*args, cwd=None):
    return subprocess.run(
        [sys.executable, "-m", "leaksim.cli", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=cwd,
    )


def _start_hanging_sweep(path, out):
    process = subprocess.Popen(
        [sys.executable, "-c", HANGING_SWEEP, "sweep", str(path), "-q", "--out", str(out)]
        + ["--chunk-size", "20"]
    )
    store = Path(str(out) + ".parts")
    deadline = time.monotonic() + 300
    while len(list(store.glob("rows-*.npz"))) < 3 and process.poll() is None:
        assert time.monotonic() < deadline, "the sweep wrote no chunk in 5 minutes"
        time.sleep(0.05)
    assert process.poll() is None, "the hanging sweep ended"
    return process, store


@pytest.fixture(scope="module")
def killed_store(tmp_path_factory):
    """The store a sweep killed with SIGKILL after three chunks leaves, and its scenario."""
    if sys.platform == "win32":
        pytest.skip("SIGKILL")
    folder = tmp_path_factory.mktemp("killed")
    path = folder / "mc.toml"
    path.write_text(SWEEP_FILE.replace("cases = 30", "cases = 100"))
    process, store = _start_hanging_sweep(path, folder / "rows.csv")
    process.kill()
    process.wait(timeout=60)
    return path, store


def _tamper_rename(store):
    (store / "rows-20-40.npz").rename(store / "rows-20-60.npz")
    return "rows-20-60.npz"


def _tamper_corrupt_chunk(store):
    path = store / "rows-0-20.npz"
    path.write_bytes(path.read_bytes()[:-50])
    return "rows-0-20.npz"


def _tamper_corrupt_marker(store):
    (store / "sweep.json").write_text("{not json")
    return "sweep.json"


@pytest.mark.parametrize(
    ("tamper", "reason"),
    [
        (_tamper_rename, "holds cases 20-39, not the 20-59 its name says"),
        (_tamper_corrupt_chunk, "the chunk cannot be read (not an npz archive)"),
        (_tamper_corrupt_marker, "the sweep marker cannot be read (JSONDecodeError"),
    ],
)
def test_a_killed_and_tampered_store_is_refused_then_resumes(
    tmp_path, killed_store, tamper, reason
):
    scenario, kept = killed_store
    path = tmp_path / "mc.toml"
    path.write_text(scenario.read_text())
    out = tmp_path / "rows.csv"
    store = Path(str(out) + ".parts")
    shutil.copytree(kept, store)
    named = store / tamper(store)
    run = _leaksim("sweep", path, "-q", "--out", out, "--resume")
    assert run.returncode == 2, run.stderr
    assert run.stderr.count("\n") == 1 and "Traceback" not in run.stderr
    assert run.stderr.startswith(f"leaksim: error: {named}: ") and reason in run.stderr
    assert "rerun with resume (--resume)" in run.stderr
    assert not out.exists()
    named.unlink()  # as the message offers
    assert cli.main(["sweep", str(path), "-q", "--out", str(out), "--resume"]) == 0
    expected = load_sweep(path).run(progress=False).rows
    pd.testing.assert_frame_equal(pd.read_csv(out), expected, check_dtype=False, check_exact=True)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mc.toml", "rows.csv"]


def test_a_killed_store_without_its_marker_is_not_reused_by_another_seed(
    tmp_path, killed_store, capsys
):
    scenario, kept = killed_store
    path = tmp_path / "mc.toml"
    path.write_text(scenario.read_text())
    out = tmp_path / "rows.csv"
    store = Path(str(out) + ".parts")
    shutil.copytree(kept, store)
    (store / "sweep.json").unlink()
    assert cli.main(["sweep", str(path), "-q", "--out", str(out), "--seed", "2"]) == 2
    assert "already holds chunks" in capsys.readouterr().err
    run = _leaksim("sweep", path, "-q", "--out", out, "--seed", "2", "--resume")
    assert run.returncode == 2 and run.stderr.count("\n") == 1
    assert f"{store / 'rows-0-20.npz'}: the chunk belongs to another sweep" in run.stderr
    assert "its seed is 1, this sweep's 2" in run.stderr and not out.exists()
    # The chunks stay those of seed 1: that sweep still resumes to its own rows.
    assert cli.main(["sweep", str(path), "-q", "--out", str(out), "--resume"]) == 0
    expected = load_sweep(path).run(progress=False).rows
    pd.testing.assert_frame_equal(pd.read_csv(out), expected, check_dtype=False, check_exact=True)


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")
def test_a_second_sweep_on_the_same_out_is_refused_while_the_first_runs(tmp_path, capsys):
    path = tmp_path / "mc.toml"
    path.write_text(SWEEP_FILE.replace("cases = 30", "cases = 100"))
    out = tmp_path / "rows.csv"
    first, store = _start_hanging_sweep(path, out)
    try:
        second = _leaksim("sweep", path, "-q", "--out", out)
        assert second.returncode == 2 and second.stderr.count("\n") == 1, second.stderr
        assert f"{store} is in use by another sweep (process {first.pid} on " in second.stderr
        assert cli.main(["sweep", str(path), "-q", "--out", str(out), "--resume"]) == 2
        assert "is in use by another sweep" in capsys.readouterr().err
        assert len(list(store.glob("rows-*.npz"))) == 3  # the first sweep's chunks, untouched
    finally:
        first.kill()
        first.wait(timeout=60)
    # kill -9 left the lock file, but the lock died with its process: the sweep resumes.
    assert (store / "sweep.lock").exists()
    assert cli.main(["sweep", str(path), "-q", "--out", str(out), "--resume"]) == 0
    expected = load_sweep(path).run(progress=False).rows
    pd.testing.assert_frame_equal(pd.read_csv(out), expected, check_dtype=False, check_exact=True)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mc.toml", "rows.csv"]


def test_a_parts_path_that_is_a_file_is_refused(sweep_file, tmp_path, capsys):
    out = tmp_path / "rows.csv"
    Path(str(out) + ".parts").write_text("mine")
    assert cli.main(["sweep", str(sweep_file), "-q", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert (
        err.count("\n") == 1
        and "rows.csv.parts, where the finished chunks are kept, is a file" in err
    )
    assert Path(str(out) + ".parts").read_text() == "mine"


def test_too_many_cases_are_refused_before_any_draw(sweep_file):
    run = _leaksim("sweep", sweep_file, "-q", "--cases", "1000000000")
    assert run.returncode == 2 and run.stderr.count("\n") == 1, run.stderr
    # 7 columns (case, diameter, threshold, reserve, min, final, status) of 8 bytes each
    assert "cases = 1,000,000,000, more than a sweep may hold (100,000,000)" in run.stderr
    assert "their rows alone would take 56 GB (7 columns of 8 bytes a case)" in run.stderr
    assert str(sweep_file) in run.stderr and "--cases 1000000000" in run.stderr


def test_three_grids_of_a_thousand_values_are_refused(tmp_path, monkeypatch, capsys):
    grid = ", ".join(f"{0.001 * (k + 1):.3f}" for k in range(1000))
    lines = [
        f'"leak.hole.discharge_coefficient" = {{ grid = [{grid}] }}',
        f'"leak.hole.diameter" = {{ grid = [{grid}] }}',
        f'"module.Cabin.volume" = {{ grid = [{grid}] }}',
    ]
    text = SWEEP_FILE.split("[sweep]")[0] + "[sweep]\n[sweep.parameters]\n" + "\n".join(lines)
    path = tmp_path / "grids.toml"
    path.write_text(text)
    monkeypatch.setattr(study, "sample", _no_draw)
    assert cli.main(["sweep", str(path), "-q"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"{path}: [sweep]: the grids give 1,000,000,000 cases" in err


def test_rows_beyond_the_memory_share_are_refused(sweep_file, monkeypatch, capsys):
    monkeypatch.setattr(study, "sample", _no_draw)
    monkeypatch.setattr(study, "_physical_memory", lambda: 1_000_000_000)
    # 10,000,000 cases x 7 columns x 8 bytes = 560 MB, over half of 1 GB
    assert cli.main(["sweep", str(sweep_file), "-q", "--cases", "10000000"]) == 2
    err = capsys.readouterr().err
    assert "their rows alone would take 560 MB (7 columns of 8 bytes a case), more than " in err
    assert "500 MB (50 % of the memory this process may use)" in err
    monkeypatch.undo()
    assert cli.main(["sweep", str(sweep_file), "-q", "--cases", "3"]) == 0


def _no_draw(*args, **kwargs):
    raise AssertionError("nothing may be drawn or solved here")


def test_a_failed_write_keeps_the_old_files_and_the_chunks(
    sweep_file, tmp_path, monkeypatch, capsys
):
    out, summary = tmp_path / "rows.csv", tmp_path / "summary.json"
    out.write_text("old rows\n")
    summary.write_text("old summary\n")
    real_replace = os.replace

    def immutable_summary(src, dst):
        if str(dst).endswith("summary.json"):
            raise PermissionError(1, "Operation not permitted")
        return real_replace(src, dst)

    monkeypatch.setattr(os, "replace", immutable_summary)
    args = ["sweep", str(sweep_file), "-q", "--out", str(out), "--json", str(summary)]
    assert cli.main([*args, "--chunk-size", "10"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err and ".tmp" not in err
    assert f"cannot write {summary}: Operation not permitted" in err
    assert f"the finished chunks are kept in {out}.parts" in err and "--resume" in err
    assert out.read_text() == "old rows\n" and summary.read_text() == "old summary\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "mc.toml",
        "rows.csv",
        "rows.csv.parts",
        "summary.json",
    ]
    monkeypatch.undo()
    monkeypatch.setattr(engine, "chunk_rows", _no_draw)  # every chunk is on disk
    assert cli.main([*args, "--resume"]) == 0
    monkeypatch.undo()
    expected = load_sweep(sweep_file).run(progress=False)
    pd.testing.assert_frame_equal(
        pd.read_csv(out), expected.rows, check_dtype=False, check_exact=True
    )
    assert json.loads(summary.read_text())["cases"] == 30
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mc.toml", "rows.csv", "summary.json"]


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
def test_a_full_device_is_named_and_the_results_are_not_half_written(sweep_file, tmp_path):
    out = tmp_path / "rows.csv"
    out.write_text("old rows\n")
    run = _leaksim("sweep", sweep_file, "-q", "--out", out, "--json", "/dev/full")
    assert run.returncode == 1 and run.stderr.count("\n") == 1, run.stderr
    assert run.stderr.startswith("leaksim: error: cannot write /dev/full: No space left on device")
    assert out.read_text() == "old rows\n" and Path(str(out) + ".parts").is_dir()


def test_dev_null_is_found_but_empty(capsys):
    assert cli.main(["sweep", os.devnull]) == 2
    err = capsys.readouterr().err
    rule = "the file is empty: a sweep needs a scenario and a [sweep] table"
    assert err == f"leaksim: error: {os.devnull}: {rule}\n"


def test_a_sigma_beyond_float64_is_refused_without_warnings(sweep_file, tmp_path):
    path = tmp_path / "wide.toml"
    path.write_text(
        SWEEP_FILE.replace(
            '{ distribution = "loguniform", low = "1 mm", high = "20 mm" }',
            '{ distribution = "lognormal", median = "1 mm", sigma = 1000 }',
        )
    )
    run = _leaksim("sweep", path, "-q")
    assert run.returncode == 2 and run.stderr.count("\n") == 1, run.stderr  # no RuntimeWarning
    assert "[sweep]: swept parameter 'leak.hole.diameter': sigma must be <= 84.59" in run.stderr


def test_a_bad_draw_names_the_file_the_entry_and_the_case(tmp_path, capsys):
    path = tmp_path / "normal.toml"
    path.write_text(
        SWEEP_FILE.replace(
            '{ distribution = "loguniform", low = "1 mm", high = "20 mm" }',
            '{ distribution = "normal", mean = "2 mm", sd = "1 mm" }',
        )
    )
    drawn = load_sweep(path).sample()["leak.hole.diameter"].to_numpy()
    first = int(np.flatnonzero(drawn <= 0)[0])
    assert cli.main(["sweep", str(path), "-q"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(
        f"leaksim: error: {path}: [sweep.parameters]: swept parameter 'leak.hole.diameter' "
        f"draws {drawn[first]:.6g} m for case {first}, which breaks a rule: leak 'hole': "
        "diameter must be > 0 m"
    )


def test_the_printed_summary_tells_the_leak_module_from_the_others(tmp_path, capsys):
    # Two modules, a hole of random size in a random one, the crew closing the hatch after a
    # random delay. The cases in which a module other than the holed one falls to the level
    # are counted here from the rows, independently of the summary (as the notebook
    # examples/iss_monte_carlo.ipynb counts them).
    path = tmp_path / "two.toml"
    path.write_text(TWO_MODULE_SWEEP)
    out, summary = tmp_path / "rows.csv", tmp_path / "summary.json"
    assert cli.main(["sweep", str(path), "--out", str(out), "--json", str(summary)]) == 0
    printed = capsys.readouterr().out
    rows = pd.read_csv(out)
    crossed = {m: rows[f"threshold.low.{m}_s"].notna().to_numpy() for m in ("A", "B")}
    holed = rows["leak.hole.module"].to_numpy()
    elsewhere = (crossed["A"] & (holed != "A")) | (crossed["B"] & (holed != "B"))
    anywhere = crossed["A"] | crossed["B"]
    assert 0 < elsewhere.sum() < anywhere.sum() < len(rows)  # the study tells them apart
    data = json.loads(summary.read_text())["thresholds"]["low"]
    assert data["other_module"]["reached"] == int(elsewhere.sum())
    assert data["any_module"]["reached"] == int(anywhere.sum())
    lines = printed.splitlines()
    other = next(line for line in lines if "a module other than the leak's" in line)
    anyone = next(line for line in lines if "any module, the leak's included" in line)
    assert f"({elsewhere.sum()} of {len(rows)})" in other
    assert f"({anywhere.sum()} of {len(rows)})" in anyone
    assert "reserve time p5 / p50 / p95" in printed
    # the reserve time of the first module to reach the level, its median as printed
    first = rows[[f"reserve.low.{m}_s" for m in ("A", "B")]].min(axis=1).to_numpy()
    median = np.percentile(first, 50, method="inverted_cdf")
    assert cli_sweep._duration(median) in anyone.split(")")[-1].split(" / ")[1]


TWO_MODULE_SWEEP = """
[simulation]
duration = "1 h"
[[module]]
name = "A"
volume = "20 m^3"
[[module]]
name = "B"
volume = "20 m^3"
[[hatch]]
between = ["A", "B"]
area = "0.5 m^2"
[[leak]]
name = "hole"
module = "A"
diameter = "20 mm"
[[threshold]]
name = "low"
pressure = "600 mmHg"
[sweep]
cases = 60
seed = 4
[sweep.parameters]
"leak.hole.module" = { choice = ["A", "B"] }
"leak.hole.isolate_after" = { distribution = "loguniform", low = "1 min", high = "2 h" }
"leak.hole.diameter" = { distribution = "loguniform", low = "2 mm", high = "10 mm" }
"""


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(30.0, "30 s"), (119.0, "119 s"), (600.0, "10 min"), (7200.0, "2 h"), (259200.0, "3 day")],
)
def test_reserve_times_are_printed_in_a_unit_that_suits_them(seconds, text):
    assert cli_sweep._duration(seconds) == text
    assert cli_sweep._duration(float("inf")) == "never" and cli_sweep._duration(None) == "-"


def test_cases_written_as_a_power_of_ten_reach_the_size_guard(tmp_path):
    # "--cases 1e9" is a whole number as people write sizes: it is read, then refused by the
    # size guard with the size it would take, not by the argument parser.
    run = subprocess.run(
        [sys.executable, "-m", "leaksim", "sweep", str(ROOT / "examples" / "iss_monte_carlo.toml")]
        + ["--cases", "1e9", "--out", str(tmp_path / "r.csv")],
        capture_output=True,
        text=True,
    )
    assert run.returncode == 2
    assert "1,000,000,000" in run.stderr and "GB" in run.stderr
    assert len(run.stderr.strip().splitlines()) == 1
