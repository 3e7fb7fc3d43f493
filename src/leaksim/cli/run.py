"""``leaksim run`` and ``leaksim stations``: one scenario file, and the canned stations.

The parser is built from this module for ``leaksim --help``: it imports only the standard
library at the top, and the commands import the rest when they run.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import IO, TYPE_CHECKING, Any, TextIO, cast

from .._io import atomic_files
from ._common import (
    EXIT_OK,
    STDOUT,
    _check_output,
    _load_scenario,
    _note_a_cold_start,
    _print_error,
    _UsageError,
)

if TYPE_CHECKING:
    from ..result import Result

__all__ = ["add_commands"]

#: What ``--plot-kind`` can draw: the kinds of :meth:`leaksim.result.Result.plot`.
PLOT_KINDS = ("pressure", "oxygen", "co2", "temperature", "leak_rate", "overview")


def add_commands(commands: Any) -> None:
    """Add ``run`` and ``stations`` to the command line's subcommands."""
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
        help="plot the run (module pressures unless --plot-kind says otherwise); the format "
        "follows the extension (.png, .pdf, .svg, ...)",
    )
    run.add_argument(
        "--plot-kind",
        choices=PLOT_KINDS,
        help="what --plot draws: total pressure (default), O2 or CO2 partial pressure, gas "
        "temperature, leak rate (pressure decay rate), or an overview of pressure, O2 and "
        "temperature in three panels",
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


def _run(args: argparse.Namespace) -> int:
    """``leaksim run``: load, solve, write the outputs, report."""
    plot_format = _check_paths(args)
    scenario = _load_scenario(args.scenario)
    _note_a_cold_start()
    result = scenario.run()
    _write_outputs(result, args, plot_format)
    n_failed = result.n_cases - int(result.ok.sum())
    if args.quiet or args.json or args.csv == STDOUT:
        if n_failed:
            where = "; see 'status' in the JSON summary" if args.json else ""
            _print_error(f"{n_failed} of {result.n_cases} cases failed{where}", "warning")
    else:
        from ._summary import format_summary

        print(format_summary(result, args.scenario))
    return EXIT_OK


def _stations(args: argparse.Namespace) -> int:
    """``leaksim stations``: one line per canned station."""
    from ..stations import EXAMPLE_FILES, list_stations

    rows = list_stations()
    width = max(len(name) for name, _ in rows)
    for name, description in rows:
        where = f"examples/{EXAMPLE_FILES[name]}, leaksim.stations.{name}()"
        print(f"{name:<{width}}  {description} ({where})")
    return EXIT_OK


def _check_paths(args: argparse.Namespace) -> str | None:
    """Refuse bad paths before any work; return the figure format of --plot, if any."""
    scenario = args.scenario
    if not os.path.exists(scenario):
        raise _UsageError(f"{scenario}: scenario file not found")
    if os.path.isdir(scenario):
        raise _UsageError(f"{scenario}: is a directory, not a scenario file")
    if args.json == args.csv == STDOUT:
        raise _UsageError("--json and --csv cannot both write to standard output ('-')")
    outputs = {opt: getattr(args, opt) for opt in ("json", "csv", "plot")}
    seen: dict[str, str] = {os.path.realpath(scenario): "the scenario file"}
    for option, path in outputs.items():
        if not path or (path == STDOUT and option != "plot"):
            continue
        _check_output(option, path, seen)
    if args.plot_kind and not args.plot:
        raise _UsageError(f"--plot-kind {args.plot_kind}: give --plot FIGURE.png to draw it in")
    return _plot_format(args.plot) if args.plot else None


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


def _write_outputs(result: Result, args: argparse.Namespace, plot_format: str | None) -> None:
    """Write the files of --json, --csv and --plot as one set, then standard output.

    Every file is written to a temporary first and all are renamed at the end: on a full disk
    or a read-only file, none replaces its earlier version (no pair from two runs).
    """
    with atomic_files() as files:
        if args.json and args.json != STDOUT:
            with files.open(args.json) as f:
                result.write_json(cast(TextIO, f))
        if args.csv and args.csv != STDOUT:
            with files.open(args.csv, newline="") as f:
                result.write_csv(cast(TextIO, f))
        if args.plot:
            with files.open(args.plot, "wb") as f:
                _write_plot(result, args, f, plot_format)
    if args.json == STDOUT:
        result.write_json(sys.stdout)
    if args.csv == STDOUT:
        result.write_csv(sys.stdout)


def _write_plot(
    result: Result, args: argparse.Namespace, target: IO[bytes], plot_format: str | None
) -> None:
    """Draw the --plot-kind plot with the Agg canvas into ``target``."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    kind = args.plot_kind or "pressure"
    # a bare Figure on an Agg canvas: no pyplot, no global backend switch, nothing left open
    size = (9.0, 9.0) if kind == "overview" else (9.0, 4.8)
    figure = Figure(figsize=size, layout="constrained")
    FigureCanvasAgg(figure)
    try:
        if kind == "overview":
            result.plot(kind=kind, figure=figure)
        else:
            result.plot(ax=figure.add_subplot(), kind=kind)
    except ValueError as exc:  # a run this kind cannot show, e.g. too few output times
        raise _UsageError(f"--plot-kind {kind}: {exc}") from None
    top = figure.axes[0]  # the figure names the file it shows
    top.set_title(f"{top.get_title()} ({os.path.basename(args.scenario)})")
    figure.savefig(target, format=plot_format)
