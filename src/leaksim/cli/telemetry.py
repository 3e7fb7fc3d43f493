"""``leaksim watch``: live leak monitoring of a pressure log."""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

from ._common import EXIT_OK, STDOUT, _check_output, _UsageError

__all__ = ["add_commands"]


def add_commands(commands: Any) -> None:
    """The subcommand ``watch``."""
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
    watch.add_argument("--confidence", type=float, default=0.95, help="interval level")
    watch.add_argument(
        "--poll", type=float, default=1.0, help="with --follow: seconds between looks"
    )
    watch.add_argument(
        "--idle-timeout", help="with --follow: stop after this long without a new row, e.g. '1 h'"
    )
    watch.set_defaults(handler=_watch)


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
