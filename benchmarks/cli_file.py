"""Benchmark: ``leaksim run`` on the 100,000-case file, against the solve alone.

The case of ``two_modules.py`` written as a scenario file: modules of 60 and 40 m^3 of air at
760 mmHg and 22 degC joined by an open 0.5 m^2 hatch (Cd 0.8), a hole in the first whose
``diameter`` is a list of 100,000 values log-spaced from 0.5 to 15 mm (Cd 0.6), 6 h,
isothermal, output every 10 min, relative tolerance 1e-6. The file is 3.7 MB of TOML.

Timed in this process, each the fastest of ``--repeat`` runs beside the first: the TOML
reader alone (``tomllib.loads``), reading the file into a scenario
(:func:`leaksim.scenario_file.loads_scenario`, which includes the TOML reader), and the run
of that scenario (compilation and solution, ``Scenario.run``); the same run of the scenario
built in Python with an array quantity (``two_modules.py``'s), which is "the solve alone".
Then the command end to end in a fresh process, ``leaksim run FILE`` with its printed
summary, as a user types it: wall time, fastest and first, and the start of a process that
only imports the command line. The check beside the times: the file's run gives the Python
run's pressures to the bit.

Run ``python benchmarks/cli_file.py --help`` for options.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
import tomllib
from pathlib import Path

import numpy as np

from leaksim import Hatch, Leak, Module, Scenario, Station, ureg
from leaksim.scenario_file import loads_scenario


def diameters(n_cases: int) -> np.ndarray:
    """Hole diameters of the benchmark [mm]."""
    return np.geomspace(0.5, 15.0, n_cases)


def scenario_text(n_cases: int) -> str:
    """The benchmark as a scenario file; each diameter written with all its digits."""
    values = ", ".join(f'"{d!r} mm"' for d in diameters(n_cases).tolist())
    return f"""[simulation]
duration = "6 h"
output_interval = "10 min"
relative_tolerance = 1e-6

[[module]]
name = "A"
volume = "60 m^3"
pressure = "760 mmHg"
temperature = "22 degC"

[[module]]
name = "B"
volume = "40 m^3"
pressure = "760 mmHg"
temperature = "22 degC"

[[hatch]]
between = ["A", "B"]
area = "0.5 m^2"
discharge_coefficient = 0.8

[[leak]]
name = "hole"
module = "A"
discharge_coefficient = 0.6
diameter = [{values}]
"""


def python_scenario(n_cases: int) -> Scenario:
    """The same scenario built in Python with an array quantity, as ``two_modules.py`` does."""
    station = Station(
        modules=[
            Module("A", "60 m^3", "760 mmHg", "22 degC"),
            Module("B", "40 m^3", "760 mmHg", "22 degC"),
        ],
        hatches=[Hatch(["A", "B"], area="0.5 m^2", discharge_coefficient=0.8)],
        leaks=[
            Leak(
                "A",
                diameter=ureg.Quantity(diameters(n_cases), "mm"),
                discharge_coefficient=0.6,
                name="hole",
            )
        ],
    )
    return Scenario(station, duration="6 h", output_interval="10 min", relative_tolerance=1e-6)


def timed(repeat: int, call):
    """(fastest, first) wall time of ``repeat`` calls [s], and the last call's value."""
    times, value = [], None
    for _ in range(repeat):
        value = None  # free the previous result before the next run, as a user's run would
        started = time.perf_counter()
        value = call()
        times.append(time.perf_counter() - started)
    return min(times), times[0], value


def command_wall_time(repeat: int, args: list[str]) -> tuple[float, float]:
    """(fastest, first) wall time of ``python -m leaksim.cli ARGS`` in a fresh process [s]."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "leaksim.cli", *args], check=True, capture_output=True
        )
        times.append(time.perf_counter() - started)
    return min(times), times[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3, help="runs; the fastest is reported")
    parser.add_argument("--json", help="write the figures to this file")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "two_modules_cases.toml"
        text = scenario_text(args.cases)
        path.write_text(text, encoding="utf-8")
        toml_s, toml_first, _ = timed(args.repeat, lambda: tomllib.loads(text))
        read_s, read_first, from_file = timed(args.repeat, lambda: loads_scenario(text))
        run_s, run_first, by_file = timed(args.repeat, from_file.run)
        file_pressure = by_file.pressure.m_as("Pa")
        del by_file
        built = python_scenario(args.cases)
        solve_s, solve_first, by_python = timed(args.repeat, built.run)
        same = bool(np.array_equal(file_pressure, by_python.pressure.m_as("Pa")))
        del by_python, file_pressure
        command_s, command_first = command_wall_time(args.repeat, ["run", str(path)])
        start_s, start_first = command_wall_time(args.repeat, ["--version"])
        size = path.stat().st_size

    figures = {
        "cases": args.cases,
        "file_bytes": size,
        "toml_reader_s": toml_s,
        "read_file_s": read_s,
        "read_file_first_s": read_first,
        "leaksim_share_of_reading_s": read_s - toml_s,
        "run_of_the_file_s": run_s,
        "run_of_the_file_first_s": run_first,
        "solve_alone_s": solve_s,
        "solve_alone_first_s": solve_first,
        "read_over_solve": read_s / solve_s,
        "command_wall_s": command_s,
        "command_wall_first_s": command_first,
        "process_start_s": start_s,
        "command_over_solve": command_s / solve_s,
        "file_run_equals_python_run": same,
        "python": sys.version.split()[0],
        "numpy": np.__version__,
    }
    for key, value in figures.items():
        print(f"{key:>28}: {value:.3f}" if isinstance(value, float) else f"{key:>28}: {value}")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump(figures, f, indent=2)
            f.write("\n")


if __name__ == "__main__":
    main()
