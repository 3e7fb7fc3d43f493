"""``leaksim watch``, ``detect`` and ``card`` from the command line, in-process and as processes."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from _telemetry_logs import MMHG, synthetic_log

from leaksim import cli

posix_only = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")

#: Longest a test waits for a child to do something: a guard against a hang, not a timing.
PATIENCE_S = 300.0

HEADER = "# synthetic cabin log\ntime [s], pressure [mmHg], temperature [K]\n"


def _rows(log, start=0, stop=None) -> str:
    sl = slice(start, stop)
    return "".join(
        f"{t:g}, {p / MMHG:.2f}, {temp:.3f}\n"
        for t, p, temp in zip(log.time[sl], log.pressure[sl], log.temperature[sl], strict=True)
    )


@pytest.fixture(scope="module")
def log_data():
    return synthetic_log(
        21, duration=4 * 3600.0, onset=3600.0, area=1e-7, growth_at=2.5 * 3600, cycle=0.5, gaps=5
    )


@pytest.fixture
def log_file(tmp_path, log_data):
    path = tmp_path / "cabin.csv"
    path.write_text(HEADER + _rows(log_data))
    return path


def _run(capsys, *argv):
    code = cli.main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_watch_writes_the_contract_files(capsys, tmp_path, log_file):
    state, events = tmp_path / "STATE.json", tmp_path / "EVENTS.jsonl"
    code, out, err = _run(
        capsys,
        "watch",
        log_file,
        "--volume",
        "5 m^3",
        "--pressure-noise",
        "0.1 mmHg",
        "--json",
        state,
        "--events",
        events,
    )
    assert (code, err) == (0, "")
    assert "alarm: leak at" in out and "alarm: growth at" in out and "reserve to 490 mmHg" in out
    data = json.loads(state.read_text())
    for key in (
        "onset_s",
        "effective_area_m2",
        "effective_area_ci_m2",
        "leak_rate_kg_per_day",
        "alarms",
        "samples",
    ):
        assert key in data
    assert data["samples"] == 4 * 3600 + 1
    assert abs(data["onset_s"] - 3600.0) <= 120.0
    lo, hi = data["effective_area_ci_m2"]
    assert lo < data["effective_area_m2"] < hi
    lines = [json.loads(ln) for ln in events.read_text().splitlines()]
    assert [e["kind"] for e in lines] == ["leak", "growth"]
    assert all(set(e) >= {"kind", "time_s", "message"} for e in lines)
    assert lines == data["alarms"]


def test_watch_json_to_stdout(capsys, log_file):
    code, out, _ = _run(capsys, "watch", log_file, "--volume", "5 m^3", "--json", "-")
    assert code == 0
    assert json.loads(out)["alarms"][0]["kind"] == "leak"


@pytest.mark.parametrize(
    "text, message",
    [
        ("time [s], temperature [K]\n0, 295\n1, 295\n", "needs a 'pressure [unit]' column"),
        ("time [s], pressure [blorp]\n0, 1\n1, 1\n", "cannot read unit 'blorp'"),
        ("time [s], pressure [K]\n0, 1\n1, 1\n", "column 'pressure' must be a pressure"),
        (
            "time [s], pressure [mmHg]\n0, 760\n2, 760\n1, 760\n",
            "times must increase, got 2 s then 1 s (rows 2, 3)",
        ),
        ("time [s], pressure [mmHg]\n0, 760\n1, abc\n", "cannot read 'abc' as a number"),
        ("time [s], pressure [mmHg]\n0, 760\n1, 760, 3\n", "data row 2 has 3 cells"),
        ("time [s], pressure [mmHg]\n0, 760\n1, nan\n", "needs at least two rows"),
        ("# nothing\n", "has no header line"),
        ("pressure [mmHg]\n760\n", "needs a 'time [unit]' or 'date' column"),
    ],
)
def test_watch_bad_logs_get_one_line_and_status_2(capsys, tmp_path, text, message):
    path = tmp_path / "bad.csv"
    path.write_text(text)
    state = tmp_path / "STATE.json"
    code, out, err = _run(capsys, "watch", path, "--volume", "5 m^3", "--json", state)
    assert code == 2
    assert err.count("\n") == 1 and err.startswith("leaksim: error: ") and str(path) in err
    assert message in err, err
    assert not state.exists()


def test_watch_bad_options(capsys, tmp_path, log_file):
    code, _, err = _run(capsys, "watch", tmp_path / "none.csv", "--volume", "5 m^3")
    assert code == 2 and "file not found" in err
    code, _, err = _run(capsys, "watch", log_file, "--volume", "5 m^3", "--json", log_file)
    assert code == 2 and "would overwrite the input file" in err
    code, _, err = _run(
        capsys, "watch", log_file, "--volume", "5 m^3", "--false-alarm-rate", "3 kg"
    )
    assert code == 2 and "false_alarm_rate" in err


def test_watch_keeps_the_state_it_wrote_when_a_later_row_is_bad(capsys, tmp_path, log_data):
    # the alarm at about 1 h writes both files; a row going back in time at 3 h ends the
    # command with one line, and the files of the alarm stay whole
    rows = _rows(log_data, 0, 3 * 3600).splitlines(keepends=True)
    rows[-1] = "10, 700.00, 295.150\n"
    path = tmp_path / "bad_later.csv"
    path.write_text(HEADER + "".join(rows))
    state, events = tmp_path / "STATE.json", tmp_path / "EVENTS.jsonl"
    code, out, err = _run(
        capsys, "watch", path, "--volume", "5 m^3", "--json", state, "--events", events
    )
    assert code == 2 and "times must increase" in err and err.count("\n") == 1
    assert "alarm: leak" in out
    data = json.loads(state.read_text())
    assert [a["kind"] for a in data["alarms"]] == ["leak", "growth"]
    assert [json.loads(ln) for ln in events.read_text().splitlines()] == data["alarms"]


def test_watch_reads_iso_dates(capsys, tmp_path):
    rows = "".join(
        f"2024-04-01T00:{m:02d}:{s:02d}, {760 - 0.01 * (60 * m + s) / 60:.3f}\n"
        for m in range(20)
        for s in range(0, 60, 5)
    )
    path = tmp_path / "dates.csv"
    path.write_text("date, pressure [mmHg]\n" + rows)
    code, out, _ = _run(capsys, "watch", path, "--volume", "5 m^3", "--json", "-")
    assert code == 0
    assert json.loads(out)["samples"] == 240


def _python_leaksim(args, **popen):
    env = {**os.environ, "PYTHONPATH": str(Path(cli.__file__).parents[2])}
    return subprocess.Popen(
        [sys.executable, "-m", "leaksim", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        **popen,
    )


def _wait_for(predicate, proc):
    deadline = time.monotonic() + PATIENCE_S
    while not predicate():
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "the child never got there"
        time.sleep(0.05)


@posix_only
def test_watch_follow_tails_a_growing_file_and_keeps_its_state(tmp_path, log_data):
    log = tmp_path / "live.csv"
    log.write_text(HEADER + _rows(log_data, 0, 1800))  # half an hour without a leak
    state, events = tmp_path / "STATE.json", tmp_path / "EVENTS.jsonl"
    proc = _python_leaksim(
        [
            "watch",
            str(log),
            "--volume",
            "5 m^3",
            "--pressure-noise",
            "0.1 mmHg",
            "--follow",
            "--poll",
            "0.05",
            "--json",
            str(state),
            "--events",
            str(events),
        ]
    )
    try:
        time.sleep(0.5)
        assert not events.exists()
        with open(log, "a") as f:
            text = _rows(log_data, 1800, 2 * 3600)
            cut = len(text) // 2
            f.write(text[:cut])  # a row half written: read when its end comes
            f.flush()
            f.write(text[cut:])
        _wait_for(lambda: events.exists() and events.read_text().strip(), proc)
        first = [json.loads(ln) for ln in events.read_text().splitlines()]
        assert first[0]["kind"] == "leak" and 3600 < first[0]["time_s"] < 3600 + 1800
        assert json.loads(state.read_text())["alarms"] == first
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=PATIENCE_S)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 143 and err.strip() == "leaksim: error: terminated"
    final = json.loads(state.read_text())
    assert final["samples"] == 2 * 3600 and final["alarms"] == first


def test_watch_follow_stops_when_idle(tmp_path, log_data):
    log = tmp_path / "live.csv"
    log.write_text(HEADER + _rows(log_data, 0, 600))
    proc = _python_leaksim(
        ["watch", str(log), "--volume", "5 m^3", "--follow", "--poll", "0.05"]
        + ["--idle-timeout", "0.5 s", "--json", "-"]
    )
    out, err = proc.communicate(timeout=PATIENCE_S)
    assert proc.returncode == 0, err
    assert json.loads(out)["samples"] == 600


def test_watch_help_loads_no_numerical_library():
    code = (
        "import atexit, runpy, sys\n"
        "atexit.register(lambda: print(sorted(sys.modules), file=sys.stderr))\n"
        "runpy.run_module('leaksim', run_name='__main__', alter_sys=True)\n"
    )
    heavy = ("numpy", "scipy", "pint", "matplotlib", "pandas")
    for command in ("watch", "detect", "card"):
        done = subprocess.run(
            [sys.executable, "-c", code, command, "--help"],
            capture_output=True,
            text=True,
            timeout=PATIENCE_S,
        )
        assert done.returncode == 0, done.stderr
        loaded = [m for m in eval(done.stderr.splitlines()[-1]) if m.split(".")[0] in heavy]
        assert not loaded, loaded[:5]


# ---------------------------------------------------------------- leaksim detect


def test_detect_prints_both_answers_and_writes_json_and_a_plot(capsys, tmp_path):
    from leaksim.telemetry import detection_time, smallest_detectable_leak

    out_json, figure = tmp_path / "d.json", tmp_path / "d.png"
    code, out, err = _run(
        capsys,
        "detect",
        "1 lb/day",
        "--volume",
        "916 m^3",
        "--volume",
        "5 m^3",
        "--pressure-noise",
        "0.1 mmHg",
        "--within",
        "1 day",
        "--json",
        out_json,
        "--plot",
        figure,
    )
    assert (code, err) == (0, "")
    assert "detected within" in out and "smallest leak detected within 1 day" in out
    data = json.loads(out_json.read_text())
    expected = detection_time("916 m^3", "1 lb/day", noise="0.1 mmHg")
    assert data["916 m^3"]["detection"]["detection_time_s"] == expected.time
    smallest = smallest_detectable_leak("5 m^3", "1 day", noise="0.1 mmHg")
    assert data["5 m^3"]["smallest"]["mass_rate"] == smallest.leak.mass_rate
    assert figure.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--volume", "5 m^3"], "give a LEAK, --within TIME or --plot"),
        (["1 lb/day"], "the following arguments are required: --volume"),
        (["1 kg", "--volume", "5 m^3"], "leak"),
        (["1 lb/day", "--volume", "5 m^3", "--probability", "2"], "probability"),
    ],
)
def test_detect_bad_arguments(capsys, argv, message):
    code, _, err = _run(capsys, "detect", *argv)
    assert code == 2 and err.count("\n") == 1 and message in err, err
