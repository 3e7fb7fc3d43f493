"""The ``leaksim`` command line.

::

    leaksim run SCENARIO.toml [--json SUMMARY.json] [--csv SERIES.csv] [--plot FIGURE.png]
                              [--quiet]
    leaksim sweep SCENARIO.toml [--cases N] [--seed S] [--out RESULTS.csv|.parquet]
                                [--json SUMMARY.json] [--chunk-size K] [--dask ADDRESS]
                                [--resume] [--quiet]
    leaksim stations
    leaksim fit LOG.csv --volume VOLUME [--gas air] [--temperature T] [--event TIME[,VOLUME]]...
                        [--pressure-uncertainty P] [--confidence 0.95] [--discharge-coefficient CD]
                        [--rate-pressure P] [--json OUT.json]
    leaksim convert LEAK [--volume V] [--pressure P] [--temperature T] [--gas air]
                         [--discharge-coefficient CD] [--json OUT.json]
    leaksim locate TESTS.csv (--station NAME | --scenario FILE.toml) [--max-leaks 2]
                             [--pressure-uncertainty P] [--next-duration D] [--json OUT.json]
    leaksim budget HISTORY.csv [--trend auto|constant|linear|exponential] [--since DATE]
                               [--until DATE] [--reserve MASS] [--from DATE] [--horizon D]
                               [--relative-uncertainty 0.2] [--confidence 0.9] [--json OUT.json]

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
    # Imported here: cli_sweep builds on this module's helpers.
    from .cli_sweep import add_command as add_sweep_command

    add_sweep_command(commands)
    stations = commands.add_parser(
        "stations",
        help="list the canned stations",
        description="List the canned stations of leaksim.stations: name, description, TOML "
        "twin in the repository's examples/ folder, and Python function.",
    )
    stations.set_defaults(handler=_stations)
    _add_inverse_commands(commands)
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


# ---------------------------------------------------------------- inverse tools (leaksim.inverse)


def _add_inverse_commands(commands: Any) -> None:
    """The subcommands ``fit``, ``convert``, ``locate`` and ``budget``."""
    fit = commands.add_parser(
        "fit",
        help="fit a leak to a pressure log",
        description="Fit the effective area Cd A of a leak to a pressure log (CSV with units in "
        "the header, e.g. 'time [h], pressure [mmHg]'), with a confidence interval, the "
        "equivalent diameter, the leak rate and the e-folding time; says whether an orifice or "
        "a viscous-crack law fits better.",
    )
    fit.add_argument("log", metavar="LOG.csv", help="pressure log (CSV)")
    fit.add_argument("--volume", required=True, help="volume leaking, e.g. '5 m^3'")
    fit.add_argument("--gas", default="air", help="gas: 'air' (default) or a species")
    fit.add_argument("--temperature", default="22 degC", help="gas temperature if the log has none")
    fit.add_argument(
        "--event",
        action="append",
        default=[],
        metavar="TIME[,VOLUME]",
        help="cut the log here (repressurisation, hatch change), optionally with the new "
        "volume, e.g. '12 h' or '12 h, 80 m^3'; repeatable",
    )
    fit.add_argument(
        "--pressure-uncertainty", default="0.5 mmHg", help="uncertainty of one reading"
    )
    fit.add_argument("--confidence", type=float, default=0.95, help="interval level")
    fit.add_argument(
        "--discharge-coefficient", type=float, default=0.6, help="Cd of the equivalent hole"
    )
    fit.add_argument(
        "--rate-pressure", help="pressure to state the leak rate at (default: the log's start)"
    )
    fit.add_argument("--json", metavar="OUT.json", help="write the fit as JSON ('-': stdout)")
    fit.set_defaults(handler=_fit)
    convert = commands.add_parser(
        "convert",
        help="state a leak every way",
        description="Convert a leak given as a mass rate (lb/day), a pressure rate in a volume "
        "(mmHg/day), an effective area (mm^2), an equivalent diameter (mm) or an e-folding time "
        "(day) into all of these, for a choked leak to vacuum.",
    )
    convert.add_argument("leak", metavar="LEAK", help="e.g. '3.7 lb/day' or '0.8 mbar/h'")
    convert.add_argument("--volume", help="volume leaking, e.g. '916 m^3'")
    convert.add_argument("--pressure", default="760 mmHg", help="pressure (default 760 mmHg)")
    convert.add_argument("--temperature", default="22 degC", help="temperature (default 22 degC)")
    convert.add_argument("--gas", default="air", help="gas: 'air' (default) or a species")
    convert.add_argument(
        "--discharge-coefficient", type=float, default=0.6, help="Cd of the equivalent hole"
    )
    convert.add_argument("--json", metavar="OUT.json", help="write every form as JSON")
    convert.set_defaults(handler=_convert)
    locate = commands.add_parser(
        "locate",
        help="find the leaking module from isolation tests",
        description="Rank the hypotheses of which module(s) leak from hatch-isolation tests "
        "(CSV: test, closed hatches, duration, module, start and end pressure) and propose "
        "the next test.",
    )
    locate.add_argument("tests", metavar="TESTS.csv", help="isolation tests (CSV)")
    where = locate.add_mutually_exclusive_group(required=True)
    where.add_argument("--station", help="a canned station (see 'leaksim stations')")
    where.add_argument("--scenario", metavar="FILE.toml", help="a scenario file's station")
    locate.add_argument("--max-leaks", type=int, default=2, help="most modules leaking at once")
    locate.add_argument(
        "--pressure-uncertainty", default="0.5 mmHg", help="uncertainty of one reading"
    )
    locate.add_argument("--next-duration", help="duration of the proposed test")
    locate.add_argument("--gas", default="air", help="gas: 'air' (default) or a species")
    locate.add_argument("--json", metavar="OUT.json", help="write the ranking as JSON")
    locate.set_defaults(handler=_locate)
    budget = commands.add_parser(
        "budget",
        help="forecast the gas a leak will cost",
        description="Fit a trend (constant, linear, exponential) to a history of leak rates "
        "(CSV: 'date, leak rate [lb/day]') and forecast the gas needed and when a reserve runs "
        "out, with an uncertainty band.",
    )
    budget.add_argument("history", metavar="HISTORY.csv", help="leak-rate history (CSV)")
    budget.add_argument(
        "--trend", default="auto", choices=["auto", "constant", "linear", "exponential"]
    )
    budget.add_argument("--since", help="fit from this date (ISO) or time, e.g. after a repair")
    budget.add_argument("--until", help="fit up to this date (ISO) or time")
    budget.add_argument("--reserve", help="gas available to make up the leak, e.g. '100 kg'")
    budget.add_argument(
        "--from",
        dest="forecast_from",
        help="start of the forecast (default: the last observation fitted)",
    )
    budget.add_argument("--horizon", default="365 day", help="forecast length (default 1 year)")
    budget.add_argument(
        "--relative-uncertainty", type=float, default=0.2, help="of each observed rate"
    )
    budget.add_argument("--confidence", type=float, default=0.9, help="band level")
    budget.add_argument("--json", metavar="OUT.json", help="write the forecast as JSON")
    budget.set_defaults(handler=_budget)


def _fit(args: argparse.Namespace) -> int:
    """``leaksim fit``: fit a pressure log."""
    from .inverse import fit_leak

    _check_input(args.log)
    _check_json(args.json, args.log)
    result = fit_leak(
        args.log,
        args.volume,
        gas=args.gas,
        temperature=args.temperature,
        events=[_event(e) for e in args.event],
        pressure_uncertainty=args.pressure_uncertainty,
        confidence=args.confidence,
        discharge_coefficient=args.discharge_coefficient,
        rate_pressure=args.rate_pressure,
    )
    return _report(result.lines(), result.to_dict(), args.json, f"log: {args.log}")


def _convert(args: argparse.Namespace) -> int:
    """``leaksim convert``: every form of a leak."""
    from .inverse import convert_leak

    _check_json(args.json, None)
    forms = convert_leak(
        args.leak,
        volume=args.volume,
        pressure=args.pressure,
        temperature=args.temperature,
        gas=args.gas,
        discharge_coefficient=args.discharge_coefficient,
    )
    return _report(forms.lines(), forms.to_dict(), args.json, f"leak: {args.leak}")


def _locate(args: argparse.Namespace) -> int:
    """``leaksim locate``: rank the leaking modules."""
    from .inverse import locate_leak, read_isolation_tests

    _check_input(args.tests)
    _check_json(args.json, args.tests)
    if args.station is not None:
        from . import stations

        if args.station not in stations.STATIONS:
            raise _UsageError(
                f"--station: unknown station {args.station!r}; one of "
                f"{', '.join(sorted(stations.STATIONS))}"
            )
        station = getattr(stations, f"{args.station}_station")()
    else:
        _check_input(args.scenario)
        station = _load_scenario(args.scenario).station
    location = locate_leak(
        station,
        read_isolation_tests(args.tests),
        gas=args.gas,
        max_leaks=args.max_leaks,
        pressure_uncertainty=args.pressure_uncertainty,
        next_duration=args.next_duration,
    )
    return _report(location.lines(), location.to_dict(), args.json, f"tests: {args.tests}")


def _budget(args: argparse.Namespace) -> int:
    """``leaksim budget``: trend and forecast."""
    from .inverse import fit_budget

    _check_input(args.history)
    _check_json(args.json, args.history)
    forecast = fit_budget(
        args.history,
        trend=args.trend,
        since=args.since,
        until=args.until,
        reserve=args.reserve,
        forecast_from=args.forecast_from,
        horizon=args.horizon,
        relative_uncertainty=args.relative_uncertainty,
        confidence=args.confidence,
    )
    return _report(forecast.lines(), forecast.to_dict(), args.json, f"history: {args.history}")


def _event(text: str) -> str | tuple[str, str]:
    """'12 h' or '12 h, 80 m^3' from --event."""
    time, _, volume = text.partition(",")
    return (time.strip(), volume.strip()) if volume.strip() else time.strip()


def _check_input(path: str) -> None:
    if not os.path.exists(path):
        raise _UsageError(f"{path}: file not found")
    if os.path.isdir(path):
        raise _UsageError(f"{path}: is a directory, not a file")


def _check_json(path: str | None, source: str | None) -> None:
    if path and path != _STDOUT:
        seen = {os.path.realpath(source): "the input file"} if source else {}
        _check_output("json", path, seen)


def _report(lines: list[str], data: dict[str, Any], json_path: str | None, title: str) -> int:
    """Print the summary, or write JSON atomically ('-': standard output, no summary)."""
    import json

    if json_path == _STDOUT:
        json.dump(data, sys.stdout, indent=2, allow_nan=False)
        print()
        return EXIT_OK
    if json_path:
        with atomic_open(json_path) as f:
            json.dump(data, f, indent=2, allow_nan=False)
            f.write("\n")
    print("\n".join([title, *lines]))
    return EXIT_OK


if __name__ == "__main__":
    raise SystemExit(main())
