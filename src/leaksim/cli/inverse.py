"""``leaksim fit``, ``convert``, ``locate`` and ``budget``: from observations to leaks."""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

from .._io import atomic_open
from ._common import EXIT_OK, STDOUT, _check_output, _load_scenario, _UsageError

__all__ = ["add_commands"]


def add_commands(commands: Any) -> None:
    """The subcommands ``fit``, ``convert``, ``locate`` and ``budget``."""
    fit = commands.add_parser(
        "fit",
        help="fit a leak to a pressure log",
        description="Fit the effective area Cd A of a leak to a pressure log (UTF-8 CSV with "
        "units in the header, e.g. 'time [h], pressure [mmHg]'), with a confidence interval, "
        "the equivalent diameter, the leak rate and the e-folding time; says whether an orifice "
        "or a viscous-crack law fits better.",
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
        "the next test, with its error bound: at most that chance that the most probable "
        "hypothesis after it is the wrong one.",
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
    locate.add_argument(
        "--target-error",
        type=float,
        default=0.05,
        help="error bound the proposed test's needed duration is found for (default 0.05)",
    )
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
    from ..inverse import fit_leak

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
    from ..inverse import convert_leak

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
    from ..inverse import locate_leak, read_isolation_tests

    _check_input(args.tests)
    _check_json(args.json, args.tests)
    if args.station is not None:
        from .. import stations

        if args.station not in stations.STATIONS:
            from .._params import did_you_mean

            raise _UsageError(
                f"--station: unknown station {args.station!r}"
                f"{did_you_mean(args.station, stations.STATIONS)}; one of "
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
        target_error=args.target_error,
    )
    return _report(location.lines(), location.to_dict(), args.json, f"tests: {args.tests}")


def _budget(args: argparse.Namespace) -> int:
    """``leaksim budget``: trend and forecast."""
    from ..inverse import fit_budget

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
    parts = [part.strip() for part in text.split(",")]
    if len(parts) > 2 or not all(parts):
        raise _UsageError(
            f"--event: expected 'TIME' or 'TIME, VOLUME' (a time, then optionally the volume "
            f"leaking from then on, e.g. '12 h' or '12 h, 80 m^3'), got {text!r}"
        )
    return (parts[0], parts[1]) if len(parts) == 2 else parts[0]


def _check_input(path: str) -> None:
    if not os.path.exists(path):
        raise _UsageError(f"{path}: file not found")
    if os.path.isdir(path):
        raise _UsageError(f"{path}: is a directory, not a file")


def _check_json(path: str | None, source: str | None) -> None:
    if path and path != STDOUT:
        seen = {os.path.realpath(source): "the input file"} if source else {}
        _check_output("json", path, seen)


def _report(lines: list[str], data: dict[str, Any], json_path: str | None, title: str) -> int:
    """Print the summary, or write JSON atomically ('-': standard output, no summary)."""
    import json

    if json_path == STDOUT:
        json.dump(data, sys.stdout, indent=2, allow_nan=False)
        print()
        return EXIT_OK
    if json_path:
        with atomic_open(json_path) as f:
            json.dump(data, f, indent=2, allow_nan=False)
            f.write("\n")
    print("\n".join([title, *lines]))
    return EXIT_OK
