"""The ``leaksim`` command line.

::

    leaksim run SCENARIO.toml [--json SUMMARY.json] [--csv SERIES.csv] [--plot FIGURE.png]
                              [--quiet]
    leaksim stations

Exit status (a public contract, ``SCENARIO-FORMAT.md``): 0 on success, also when some cases
failed (their status is reported); 2 on a bad scenario or bad arguments; 1 on an internal
failure. Every error is one line on standard error, ``leaksim: error: <message>``, without a
Python traceback unless the environment variable ``LEAKSIM_DEBUG`` is set.
"""

from __future__ import annotations

import argparse
import os
import sys
import tomllib
import traceback
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, NoReturn

import numpy as np

from ._io import atomic_open
from .errors import LeaksimError, ScenarioError

if TYPE_CHECKING:
    from .result import Result

__all__ = ["main", "EXIT_OK", "EXIT_FAILURE", "EXIT_USAGE"]

#: Exit status on success, on an internal failure, and on a bad scenario or bad arguments.
EXIT_OK, EXIT_FAILURE, EXIT_USAGE = 0, 1, 2

#: Largest case count listed case by case in the human summary; above it min/median/max.
_CASES_LISTED = 5

#: Output path meaning standard output (for --json and --csv).
_STDOUT = "-"


class _UsageError(Exception):
    """Bad arguments: reported in one line with exit status 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        # argparse would print the whole usage block; the contract asks for one line
        raise _UsageError(f"{message} (see '{self.prog} --help')")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``leaksim`` command line.

    Parameters
    ----------
    argv : sequence of str, optional
        Arguments without the program name; ``sys.argv[1:]`` when None [-].

    Returns
    -------
    int
        Exit status: 0 success, 1 internal failure, 2 bad scenario or bad arguments.
    """
    try:
        args = _build_parser().parse_args(argv)
        return args.handler(args)
    except SystemExit as exc:  # --help and --version end through parser.exit()
        return exc.code if isinstance(exc.code, int) else EXIT_OK
    except (_UsageError, ScenarioError) as exc:
        _print_error(str(exc))
        return EXIT_USAGE
    except KeyboardInterrupt:
        _print_error("interrupted")
        return 130  # the shell's convention for SIGINT
    except LeaksimError as exc:
        _print_error(str(exc))
        return EXIT_FAILURE
    except Exception as exc:
        return _internal_failure(exc)


def _build_parser() -> _Parser:
    parser = _Parser(
        prog="leaksim",
        description="Simulate air leaking from spacecraft cabins.",
    )
    parser.add_argument("--version", action="version", version=f"leaksim {_version()}")
    commands = parser.add_subparsers(title="commands", metavar="COMMAND", required=True)
    run = commands.add_parser(
        "run",
        help="run a scenario file",
        description="Run every case of a scenario file and report or write the results. "
        "Cases that fail are reported and marked in the outputs; the exit status stays 0.",
    )
    run.add_argument("scenario", metavar="SCENARIO.toml", help="scenario file (TOML)")
    run.add_argument(
        "--json", metavar="SUMMARY.json", help="write the summary as JSON ('-' for standard output)"
    )
    run.add_argument(
        "--csv",
        metavar="SERIES.csv",
        help="write the time series in long format ('-' for standard output)",
    )
    run.add_argument(
        "--plot",
        metavar="FIGURE.png",
        help="plot module pressures; the format follows the extension (.png, .pdf, .svg, ...)",
    )
    run.add_argument(
        "-q",
        "--quiet",
        action="store_true",
        help="print no summary (failed cases are still reported on stderr)",
    )
    run.set_defaults(handler=_run)
    stations = commands.add_parser(
        "stations",
        help="list the canned stations",
        description="List the canned stations of leaksim.stations: name, description, TOML "
        "twin in the repository's examples/ folder, and Python function.",
    )
    stations.set_defaults(handler=_stations)
    return parser


def _run(args: argparse.Namespace) -> int:
    """``leaksim run``: load, solve, write the outputs, report."""
    plot_format = _check_paths(args)
    result = _load_scenario(args.scenario).run()
    if args.json:
        result.write_json(sys.stdout if args.json == _STDOUT else args.json)
    if args.csv:
        result.write_csv(sys.stdout if args.csv == _STDOUT else args.csv)
    if args.plot:
        _write_plot(result, args.plot, plot_format)
    n_failed = int(np.count_nonzero(~result.ok))
    if args.quiet or args.json or args.csv == _STDOUT:
        if n_failed:
            where = "; see 'status' in the JSON summary" if args.json else ""
            _print_error(f"{n_failed} of {result.n_cases} cases failed{where}", "warning")
    else:
        print(_format_summary(result, args.scenario))
    return EXIT_OK


def _stations(args: argparse.Namespace) -> int:
    """``leaksim stations``: one line per canned station."""
    from .stations import EXAMPLE_FILES, list_stations

    rows = list_stations()
    width = max(len(name) for name, _ in rows)
    for name, description in rows:
        where = f"examples/{EXAMPLE_FILES[name]}, leaksim.stations.{name}()"
        print(f"{name:<{width}}  {description} ({where})")
    return EXIT_OK


def _load_scenario(path: str) -> Any:
    """Read a scenario file; file-level problems become one-line usage errors."""
    from .scenario_file import load_scenario

    try:
        return load_scenario(path)
    except OSError as exc:
        raise _UsageError(f"{path}: cannot read the scenario file: {exc.strerror or exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise _UsageError(f"{path}: not a valid TOML file: {exc}") from None


def _check_paths(args: argparse.Namespace) -> str | None:
    """Refuse bad paths before any work; return the figure format of --plot, if any."""
    scenario = args.scenario
    if not os.path.exists(scenario):
        raise _UsageError(f"{scenario}: scenario file not found")
    if os.path.isdir(scenario):
        raise _UsageError(f"{scenario}: is a directory, not a scenario file")
    if args.json == args.csv == _STDOUT:
        raise _UsageError("--json and --csv cannot both write to standard output ('-')")
    outputs = {opt: getattr(args, opt) for opt in ("json", "csv", "plot")}
    seen: dict[str, str] = {os.path.realpath(scenario): "the scenario file"}
    for option, path in outputs.items():
        if not path or (path == _STDOUT and option != "plot"):
            continue
        _check_output(option, path, seen)
    return _plot_format(args.plot) if args.plot else None


def _check_output(option: str, path: str, seen: dict[str, str]) -> None:
    real = os.path.realpath(path)
    if real in seen:
        raise _UsageError(f"--{option}: {path} would overwrite {seen[real]}")
    seen[real] = f"the --{option} output"
    directory = os.path.dirname(real)
    if not os.path.isdir(directory):
        raise _UsageError(f"--{option}: directory {directory} does not exist")
    if os.path.isdir(real):
        raise _UsageError(f"--{option}: {path} is a directory")


def _plot_format(path: str) -> str:
    """Figure format named by the extension of ``path``, checked against matplotlib's list."""
    from matplotlib.backend_bases import FigureCanvasBase

    supported = FigureCanvasBase.get_supported_filetypes()
    extension = os.path.splitext(path)[1].lstrip(".").lower()
    if extension not in supported:
        raise _UsageError(
            f"--plot: cannot tell a figure format from {path!r}; give a file name ending in "
            f"one of {', '.join('.' + ext for ext in sorted(supported))}"
        )
    return extension


def _write_plot(result: Result, path: str, plot_format: str | None) -> None:
    """Draw the pressure plot with the Agg canvas and save it atomically."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    # a bare Figure on an Agg canvas: no pyplot, no global backend switch, nothing left open
    figure = Figure(figsize=(8.0, 4.5), layout="constrained")
    FigureCanvasAgg(figure)
    result.plot(ax=figure.add_subplot())
    with atomic_open(path, "wb") as f:
        figure.savefig(f, format=plot_format)


def _format_summary(result: Result, source: str) -> str:
    """A short human summary: cases, modules, final pressures, threshold times, failures."""
    lines = [
        f"scenario: {source}",
        f"cases: {result.n_cases}",
        f"modules: {', '.join(result.modules)}",
        _final_pressure_block(result),
        _threshold_block(result),
        _failure_line(result),
    ]
    return "\n".join(lines)


def _final_pressure_block(result: Result) -> str:
    pressure = result.final_pressure.m_as("mmHg")
    width = max(len(m) for m in result.modules)
    rows = [f"  {m:<{width}}  {_spread(pressure[:, i])}" for i, m in enumerate(result.modules)]
    return "\n".join([f"final pressure [mmHg]{_case_note(result)}:", *rows])


def _threshold_block(result: Result) -> str:
    if not result.thresholds:
        return "threshold times [min]: no thresholds"
    width = max(len(m) for m in result.modules)
    legend = " ('-': not reached)" if result.n_cases <= _CASES_LISTED else ""
    rows = [f"threshold times [min]{_case_note(result)}{legend}:"]
    for name, per_module in result.threshold_times.items():
        rows.append(f"  {name}")
        for module, time in per_module.items():
            rows.append(f"    {module:<{width}}  {_spread(time.m_as('min'), reached=True)}")
    return "\n".join(rows)


def _failure_line(result: Result) -> str:
    failed = [(c, s) for c, s in enumerate(result.status) if s != "ok"]
    line = f"failed cases: {len(failed)} of {result.n_cases}"
    if failed:
        shown = "; ".join(f"case {c}: {_one_line(s)}" for c, s in failed[:3])
        line += f" ({shown}{'; ...' if len(failed) > 3 else ''})"
    return line


def _case_note(result: Result) -> str:
    if result.n_cases == 1:
        return ""
    if result.n_cases <= _CASES_LISTED:
        return f", cases 0-{result.n_cases - 1}"
    return f" over {result.n_cases} cases"


def _spread(values: np.ndarray, reached: bool = False) -> str:
    """Values case by case for few cases, else min/median/max of the finite ones."""
    if values.size <= _CASES_LISTED:
        return "  ".join("-" if np.isnan(v) else f"{v:.1f}" for v in values)
    finite = values[np.isfinite(values)]
    count = f"reached in {finite.size} of {values.size} cases" if reached else ""
    if finite.size == 0:
        return count or "-"
    stats = f"min {finite.min():.1f}  median {np.median(finite):.1f}  max {finite.max():.1f}"
    return f"{count}: {stats}" if count else stats


def _internal_failure(exc: Exception) -> int:
    text = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    if os.environ.get("LEAKSIM_DEBUG"):
        _print_error(f"internal error: {text}")
        traceback.print_exc()
    else:
        _print_error(f"internal error: {text} (set LEAKSIM_DEBUG=1 for a traceback)")
    return EXIT_FAILURE


def _print_error(message: str, kind: str = "error") -> None:
    print(f"leaksim: {kind}: {_one_line(message)}", file=sys.stderr)


def _one_line(text: str) -> str:
    return " ".join(part.strip() for part in str(text).splitlines() if part.strip())


def _version() -> str:
    import leaksim

    version = getattr(leaksim, "__version__", None)
    if version:
        return str(version)
    try:
        from importlib.metadata import PackageNotFoundError
        from importlib.metadata import version as installed_version

        return installed_version("leaksim")
    except PackageNotFoundError:
        return "unknown"


if __name__ == "__main__":
    raise SystemExit(main())
