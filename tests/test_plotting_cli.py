"""``leaksim run --plot FIGURE --plot-kind KIND``: each kind draws its figure, bad uses exit 2.

The figures are checked as files written by a separate process (PNG), and, in process, as SVG
with text kept as text, whose labels and title say what was drawn.
"""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

matplotlib = pytest.importorskip("matplotlib")

from leaksim import cli  # noqa: E402
from leaksim.cli.run import PLOT_KINDS  # noqa: E402

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

# A Lab losing air through a hole for half an hour: pressure and O2 cross their floors within
# the run, so each kind has curves, a threshold and a crossing to draw.
SCENARIO = """\
[simulation]
duration = "30 min"
output_interval = "1 min"

[[module]]
name = "Lab"
volume = "20 m^3"
pressure = "760 mmHg"
temperature = "22 degC"

[[leak]]
name = "hole"
module = "Lab"
diameter = "20 mm"

[[threshold]]
name = "evacuate"
pressure = "490 mmHg"

[[threshold]]
name = "ppO2-floor"
partial_pressure_O2 = "16 kPa"

[[threshold]]
name = "co2-limit"
partial_pressure_CO2 = "1 kPa"
"""

#: What each kind shows on its (first) y axis, and the title of its top axes.
EXPECTED = {
    "pressure": ("pressure [mmHg]", "Module pressure"),
    "oxygen": ("O2 partial pressure [kPa]", "O2 partial pressure"),
    "co2": ("CO2 partial pressure [kPa]", "CO2 partial pressure"),
    "temperature": ("temperature [°C]", "Gas temperature"),
    "leak_rate": ("pressure decay rate [mmHg/day]", "Pressure decay rate"),
    "overview": ("pressure [mmHg]", "Pressure, O2 and CO2 partial pressures and temperature"),
}


@pytest.fixture
def scenario(tmp_path: Path) -> Path:
    path = tmp_path / "half_hour.toml"
    path.write_text(SCENARIO, encoding="utf-8")
    return path


def _leaksim(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "leaksim.cli", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={**os.environ, "MPLBACKEND": "Agg"},
        check=False,
    )


def test_every_kind_of_the_issue_is_offered():
    assert set(PLOT_KINDS) == set(EXPECTED)


def test_each_kind_writes_its_own_png(scenario, tmp_path):
    digests = {}
    for kind in PLOT_KINDS:
        figure = tmp_path / f"{kind}.png"
        run = _leaksim(
            "run", str(scenario), "--plot", str(figure), "--plot-kind", kind, "-q", cwd=tmp_path
        )
        assert run.returncode == 0, run.stderr
        assert run.stderr == ""
        data = figure.read_bytes()
        assert data.startswith(PNG_SIGNATURE)
        digests[kind] = hashlib.sha256(data).hexdigest()
    assert len(set(digests.values())) == len(PLOT_KINDS)  # each kind drew something else
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [scenario.name, *(f"{kind}.png" for kind in PLOT_KINDS)]
    )  # and left no temporary file


@pytest.mark.parametrize("kind", PLOT_KINDS)
def test_each_kind_draws_its_quantity_and_names_the_file(scenario, tmp_path, kind):
    figure = tmp_path / "figure.svg"
    with matplotlib.rc_context({"svg.fonttype": "none"}):  # text stays text in the SVG
        assert cli.main(["run", str(scenario), "--plot", str(figure), "--plot-kind", kind]) == 0
    svg = figure.read_text(encoding="utf-8")
    y_label, title = EXPECTED[kind]
    assert y_label in svg
    assert f"{title} (half_hour.toml)" in svg
    assert "time [min]" in svg  # half an hour: minutes, not "1.8 ks"
    assert not re.search(r"\d\s*ks\b", svg)  # no kiloseconds anywhere


def test_default_kind_is_pressure(scenario, tmp_path):
    figure = tmp_path / "figure.svg"
    with matplotlib.rc_context({"svg.fonttype": "none"}):
        assert cli.main(["run", str(scenario), "--plot", str(figure), "-q"]) == 0
    svg = figure.read_text(encoding="utf-8")
    assert "pressure [mmHg]" in svg and "evacuate 490 mmHg" in svg
    assert "evacuate reached" in svg


def test_unknown_kind_is_refused_in_one_line(scenario, tmp_path):
    run = _leaksim("run", str(scenario), "--plot", "x.png", "--plot-kind", "bars", cwd=tmp_path)
    assert run.returncode == 2
    assert run.stderr.count("\n") == 1 and "Traceback" not in run.stderr
    assert "--plot-kind" in run.stderr and "'bars'" in run.stderr and "oxygen" in run.stderr
    assert not (tmp_path / "x.png").exists()


def test_kind_without_a_figure_is_refused(scenario, tmp_path):
    run = _leaksim("run", str(scenario), "--plot-kind", "oxygen", cwd=tmp_path)
    assert run.returncode == 2
    assert run.stderr == (
        "leaksim: error: --plot-kind oxygen: give --plot FIGURE.png to draw it in\n"
    )
    assert run.stdout == ""  # refused before the run


def test_leak_rate_of_too_few_output_times_is_refused_and_writes_nothing(tmp_path):
    path = tmp_path / "coarse.toml"
    path.write_text(SCENARIO.replace('output_interval = "1 min"', 'output_interval = "30 min"'))
    figure = tmp_path / "rate.png"
    run = _leaksim(
        "run", str(path), "--plot", str(figure), "--plot-kind", "leak_rate", "-q", cwd=tmp_path
    )
    assert run.returncode == 2
    assert run.stderr.startswith("leaksim: error: --plot-kind leak_rate: ")
    assert "three output times" in run.stderr and run.stderr.count("\n") == 1
    assert not figure.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["coarse.toml"]
