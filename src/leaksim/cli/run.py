"""``leaksim run`` and ``leaksim stations``: one scenario file, and the canned stations."""

from __future__ import annotations

import argparse
import os
import sys
from typing import TYPE_CHECKING, Any

import numpy as np

from .._io import atomic_open
from ._common import (
    EXIT_OK,
    STDOUT,
    _check_output,
    _load_scenario,
    _one_line,
    _print_error,
    _UsageError,
)

if TYPE_CHECKING:
    from ..result import Result

__all__ = ["add_commands"]

#: Largest case count listed case by case in the human summary; above it min/median/max.
_CASES_LISTED = 5

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
    result = _load_scenario(args.scenario).run()
    if args.json:
        result.write_json(sys.stdout if args.json == STDOUT else args.json)
    if args.csv:
        result.write_csv(sys.stdout if args.csv == STDOUT else args.csv)
    if args.plot:
        _write_plot(result, args, plot_format)
    n_failed = int(np.count_nonzero(~result.ok))
    if args.quiet or args.json or args.csv == STDOUT:
        if n_failed:
            where = "; see 'status' in the JSON summary" if args.json else ""
            _print_error(f"{n_failed} of {result.n_cases} cases failed{where}", "warning")
    else:
        print(_format_summary(result, args.scenario))
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


def _write_plot(result: Result, args: argparse.Namespace, plot_format: str | None) -> None:
    """Draw the --plot-kind plot with the Agg canvas and save it atomically."""
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
    with atomic_open(args.plot, "wb") as f:
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
