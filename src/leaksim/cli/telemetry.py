"""``leaksim watch``, ``detect`` and ``card``: live leak monitoring and what a sensor sees."""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

from ._common import EXIT_OK, STDOUT, _check_output, _UsageError

__all__ = ["add_commands"]


def add_commands(commands: Any) -> None:
    """The subcommands ``watch``, ``detect`` and ``card``."""
    watch = commands.add_parser(
        "watch",
        help="watch a pressure log for a leak as it arrives",
        description="Read a pressure log (CSV with units in the header, as 'leaksim fit' reads) "
        "row by row in time order, as the readings would arrive; detect a leak as it starts "
        "(at a stated false-alarm rate), date it, size its Cd A with a 95 %% interval, give the "
        "leak rate and the reserve time to each threshold, and raise a growth alarm when the "
        "leak grows beyond its uncertainty. --follow keeps reading as the file grows.",
    )
    watch.add_argument("log", metavar="LOG.csv", help="pressure log (CSV)")
    watch.add_argument("--volume", required=True, help="volume leaking, e.g. '5 m^3'")
    watch.add_argument("--gas", default="air", help="gas: 'air' (default) or a species")
    watch.add_argument("--follow", action="store_true", help="keep reading as the file grows")
    watch.add_argument("--json", metavar="STATE.json", help="write the state (atomically)")
    watch.add_argument("--events", metavar="EVENTS.jsonl", help="write each alarm as it fires")
    watch.add_argument(
        "--pressure-resolution", default="0.1 mmHg", help="step of the readings (0.1 mmHg)"
    )
    watch.add_argument(
        "--pressure-noise", default="0 mmHg", help="sensor noise, standard deviation (0 mmHg)"
    )
    watch.add_argument(
        "--temperature", default="22 degC", help="gas temperature if the log has none"
    )
    watch.add_argument(
        "--temperature-drift",
        default="0 K",
        help="largest temperature excursion the log does not show (0 K)",
    )
    watch.add_argument(
        "--false-alarm-rate", default="0.1 / year", help="largest false-alarm rate (0.1 / year)"
    )
    watch.add_argument("--window", default="1 min", help="block length: one decision a block")
    watch.add_argument(
        "--threshold",
        action="append",
        default=None,
        metavar="PRESSURE",
        help="pressure to give the reserve time to (default 490 mmHg); repeatable",
    )
    watch.add_argument(
        "--event",
        action="append",
        default=[],
        metavar="TIME[,VOLUME]",
        help="cut the log here (repressurisation, hatch change), as for 'leaksim fit'",
    )
    watch.add_argument(
        "--baseline-leak",
        help="the standard leak, any form 'leaksim convert' reads: alarm on a rise above it",
    )
    watch.add_argument("--confidence", type=float, default=0.95, help="interval level")
    watch.add_argument(
        "--poll", type=float, default=1.0, help="with --follow: seconds between looks"
    )
    watch.add_argument(
        "--idle-timeout", help="with --follow: stop after this long without a new row, e.g. '1 h'"
    )
    watch.set_defaults(handler=_watch)
    detect = commands.add_parser(
        "detect",
        help="how long until a leak is detected, and the smallest leak seen in a time",
        description="The detection limits of 'leaksim watch': how long until a leak (any form "
        "'leaksim convert' reads) is detected in a volume with 95 %% probability, at a sensor's "
        "resolution and noise, an unseen temperature drift and a false-alarm rate; with "
        "--within, the smallest leak detected in that time; --plot draws detection time "
        "against leak rate for each --volume.",
    )
    detect.add_argument("leak", metavar="LEAK", nargs="?", help="e.g. '1 lb/day' or '0.05 mm^2'")
    detect.add_argument(
        "--volume",
        action="append",
        required=True,
        help="volume leaking, e.g. '916 m^3'; repeat to compare (a station, an isolated module)",
    )
    detect.add_argument("--within", help="smallest leak detected within this time, e.g. '1 day'")
    detect.add_argument("--pressure-resolution", default="0.1 mmHg", help="step of the readings")
    detect.add_argument("--pressure-noise", default="0 mmHg", help="sensor noise (0 mmHg)")
    detect.add_argument(
        "--temperature-drift", default="0 K", help="largest unseen temperature excursion (0 K)"
    )
    detect.add_argument(
        "--false-alarm-rate", default="0.1 / year", help="largest false-alarm rate (0.1 / year)"
    )
    detect.add_argument("--sample-interval", default="1 s", help="time between readings (1 s)")
    detect.add_argument("--window", default="1 min", help="the monitor's block (1 min)")
    detect.add_argument("--pressure", default="760 mmHg", help="cabin pressure (760 mmHg)")
    detect.add_argument("--temperature", default="22 degC", help="cabin temperature (22 degC)")
    detect.add_argument("--gas", default="air", help="gas: 'air' (default) or a species")
    detect.add_argument(
        "--probability", type=float, default=0.95, help="probability of detection (0.95)"
    )
    detect.add_argument("--plot", metavar="FIGURE.png", help="detection time against leak rate")
    detect.add_argument("--json", metavar="OUT.json", help="write the answers as JSON ('-')")
    detect.set_defaults(handler=_detect)
    card = commands.add_parser(
        "card",
        help="print the crews' reserve-time card",
        description="Write a printable card (PDF and PNG) of the reserve time to the evacuation "
        "limit against the time measured for a 1 mmHg drop, one line per starting pressure from "
        "520 to 785 mmHg, as crews read it with a watch (isothermal choked leak).",
    )
    card.add_argument(
        "out",
        metavar="NAME",
        nargs="?",
        default="reserve-card",
        help="writes NAME.pdf and NAME.png (default reserve-card)",
    )
    card.add_argument("--level", default="490 mmHg", help="evacuation limit (490 mmHg)")
    card.add_argument("--safe-haven", default="10 min", help="reserve marked for the safe haven")
    card.set_defaults(handler=_card)


def _watch(args: argparse.Namespace) -> int:
    """``leaksim watch``: run the monitor over a log."""
    from ..inverse._common import si_value
    from ..telemetry import LeakMonitor
    from ..telemetry.watch import watch_log
    from .inverse import _check_input, _event

    _check_input(args.log)
    seen = {os.path.realpath(args.log): "the input file"}
    for option, path in (("json", args.json), ("events", args.events)):
        if path and path != STDOUT:
            _check_output(option, path, seen)
    if args.events == STDOUT:
        raise _UsageError("--events: give a file, not '-'")
    if not args.poll > 0:
        raise _UsageError(f"--poll: must be > 0 s, got {args.poll!r}")
    idle = (
        None if args.idle_timeout is None else si_value(args.idle_timeout, "time", "--idle-timeout")
    )
    monitor = LeakMonitor(
        args.volume,
        gas=args.gas,
        temperature=args.temperature,
        pressure_resolution=args.pressure_resolution,
        pressure_noise=args.pressure_noise,
        temperature_drift=args.temperature_drift,
        false_alarm_rate=args.false_alarm_rate,
        window=args.window,
        thresholds=args.threshold or ["490 mmHg"],
        events=[_event(e) for e in args.event],
        confidence=args.confidence,
        baseline_leak=args.baseline_leak,
        source=args.log,
    )
    to_stdout = args.json == STDOUT

    def announce(alarm: Any) -> None:
        if not to_stdout:
            print(f"alarm: {alarm.kind} at {alarm.time / 3600:.4g} h: {alarm.message}", flush=True)

    state = watch_log(
        args.log,
        monitor,
        follow=args.follow,
        state_path=None if to_stdout else args.json,
        events_path=args.events,
        poll=args.poll,
        idle_timeout=idle,
        on_alarm=announce,
    )
    if to_stdout:
        import json

        json.dump(state.to_dict(), sys.stdout, indent=2, allow_nan=False)
        print()
        return EXIT_OK
    print(
        "\n".join(
            [f"log: {args.log}", *(ln for ln in state.lines() if not ln.startswith("alarm:"))]
        )
    )
    return EXIT_OK


def _detect(args: argparse.Namespace) -> int:
    """``leaksim detect``: detection time, smallest detectable leak, their plot."""
    from .inverse import _check_json, _report

    if args.leak is None and args.within is None and args.plot is None:
        raise _UsageError("give a LEAK, --within TIME or --plot FIGURE.png (see --help)")
    _check_json(args.json, None)
    if args.plot:
        _check_output(
            "plot",
            args.plot,
            {} if not args.json else {os.path.realpath(args.json): "the --json output"},
        )
    from ..telemetry import detection_time, smallest_detectable_leak

    sensor = {
        "resolution": args.pressure_resolution,
        "noise": args.pressure_noise,
        "drift": args.temperature_drift,
        "false_alarm_rate": args.false_alarm_rate,
        "pressure": args.pressure,
        "temperature": args.temperature,
        "gas": args.gas,
        "sample_interval": args.sample_interval,
        "window": args.window,
        "probability": args.probability,
    }
    lines: list[str] = []
    data: dict[str, Any] = {}
    for volume in args.volume:
        entry: dict[str, Any] = {}
        if args.leak is not None:
            found = detection_time(volume, args.leak, **sensor)
            entry["detection"] = found.to_dict()
            lines.append(
                f"{volume}: {args.leak} detected within {_duration(found.time)} "
                f"({100 * found.probability:g} %), half the time within "
                f"{_duration(found.median_time)}; the pressure has then fallen "
                f"{found.pressure_drop / 133.322387415:.3g} mmHg"
            )
        if args.within is not None:
            smallest = smallest_detectable_leak(volume, args.within, **sensor)
            entry["smallest"] = smallest.to_dict()
            d = smallest.leak.to_dict()
            lines.append(
                f"{volume}: smallest leak detected within {args.within}: "
                f"{d['mass_rate_lb_per_day']:.3g} lb/day = {d['mass_rate_kg_per_day']:.3g} kg/day, "
                f"Cd A {d['effective_area_mm2']:.3g} mm^2, "
                f"{d['pressure_rate_mmHg_per_day']:.3g} mmHg/day"
            )
        data[volume] = entry
    if args.plot:
        _detection_plot(args, sensor)
        lines.append(f"plot: {args.plot}")
    return _report(lines, data, args.json, "detection limits")


def _detection_plot(args: argparse.Namespace, sensor: dict[str, Any]) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from .._io import atomic_open
    from ..telemetry.figures import plot_detection_times

    ax = plot_detection_times({v: v for v in args.volume}, **sensor)
    figure = ax.get_figure(root=True)
    assert figure is not None
    fmt = os.path.splitext(args.plot)[1].lstrip(".").lower() or "png"
    try:
        with atomic_open(args.plot, "wb") as f:
            figure.savefig(f, format=fmt, dpi=150, bbox_inches="tight")
    except ValueError as exc:
        raise _UsageError(f"--plot: {exc}") from None
    finally:
        plt.close(figure)


def _duration(seconds: float) -> str:
    import math

    if not math.isfinite(seconds):
        return "never (beyond the longest window)"
    for limit, unit, size in ((7200, "min", 60), (3 * 86400, "h", 3600), (math.inf, "day", 86400)):
        if seconds < limit:
            return f"{seconds / size:.3g} {unit}"
    return f"{seconds:g} s"


def _card(args: argparse.Namespace) -> int:
    """``leaksim card``: the reserve-time card as PDF and PNG."""
    base = args.out[:-4] if args.out.lower().endswith((".pdf", ".png")) else args.out
    pdf, png = f"{base}.pdf", f"{base}.png"
    seen: dict[str, str] = {}
    _check_output("out", pdf, seen)
    _check_output("out", png, seen)
    import matplotlib

    matplotlib.use("Agg")
    from ..telemetry.card import write_reserve_card

    write_reserve_card(pdf, png, level=args.level, safe_haven=args.safe_haven)
    print(f"card: {pdf}, {png}")
    return EXIT_OK
