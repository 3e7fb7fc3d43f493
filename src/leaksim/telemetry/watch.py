"""Run a :class:`~leaksim.telemetry.LeakMonitor` over a log file, following it as it grows.

What ``leaksim watch`` does (``docs/scenario-format.md``, "Telemetry"): the rows are read a
piece at a time (:class:`~leaksim.telemetry.stream.LogStream`) and fed to the monitor in time
order; each alarm is written to EVENTS.jsonl and STATE.json as it fires, and both again at the
end, always atomically (:mod:`leaksim._io`): a reader, or a crash, sees the old files or the
new ones, never half of one. Interrupted (Ctrl-C, SIGTERM), the state so far is written before
the interrupt goes on.
"""

from __future__ import annotations

import json
import os
import time as _time
from collections.abc import Callable

from .._io import atomic_files
from ..errors import ScenarioError
from .monitor import Alarm, LeakMonitor, MonitorState
from .stream import LogStream

__all__ = ["watch_log"]


def watch_log(
    path: str | os.PathLike[str],
    monitor: LeakMonitor,
    *,
    follow: bool = False,
    state_path: str | os.PathLike[str] | None = None,
    events_path: str | os.PathLike[str] | None = None,
    poll: float = 1.0,
    idle_timeout: float | None = None,
    on_alarm: Callable[[Alarm], None] | None = None,
) -> MonitorState:
    """Feed a log file to a monitor, row by row in time order, and return the last state.

    Parameters
    ----------
    path : str or os.PathLike
        The CSV log [-].
    monitor : LeakMonitor
        The monitor to feed (its ``source`` names the log in errors).
    follow : bool, default False
        Keep reading as the file grows, until interrupted or ``idle_timeout``.
    state_path, events_path : str or os.PathLike, optional
        STATE.json and EVENTS.jsonl to write [-].
    poll : float, default 1.0
        Wait between looks at a file that has not grown [s].
    idle_timeout : float, optional
        With ``follow``, stop after this long without a new row [s].
    on_alarm : callable, optional
        Called with each alarm as it fires.

    Returns
    -------
    MonitorState
        After the last row, its block closed.
    """
    written = 0

    def publish(state: MonitorState, write: bool = True) -> None:
        """Announce the alarms not yet announced, and write the files if there are any."""
        nonlocal written
        if len(state.alarms) > written:
            for alarm in state.alarms[written:]:
                if on_alarm is not None:
                    on_alarm(alarm)
            written = len(state.alarms)
            if write:
                _write(state, state_path, events_path)

    with LogStream(path) as stream:
        try:
            idle_since = _time.monotonic()
            while True:
                rows = stream.read()
                if rows is None and not follow:
                    rows = stream.read_rest()
                    if rows is None:
                        break
                if rows is None:
                    if idle_timeout is not None and _time.monotonic() - idle_since > idle_timeout:
                        break
                    _time.sleep(poll)
                    continue
                idle_since = _time.monotonic()
                try:
                    state = monitor.update_many(rows.time, rows.pressure, rows.temperature)
                except ScenarioError:
                    # the rows before the bad one were taken: publish their alarms first
                    publish(monitor.state())
                    raise
                publish(state)
            stream.check_complete()
        except KeyboardInterrupt:
            _write(monitor.finish(), state_path, events_path)
            raise
    state = monitor.finish()
    if state.samples - state.dropped < 2:
        raise ScenarioError(
            f"needs at least two rows with a pressure, got {state.samples - state.dropped}",
            monitor.source,
        )
    publish(state, write=False)
    _write(state, state_path, events_path)
    return state


def _write(state: MonitorState, state_path, events_path) -> None:
    """STATE.json and EVENTS.jsonl as one set: both replaced, or neither."""
    if state_path is None and events_path is None:
        return
    with atomic_files() as files:
        if state_path is not None:
            with files.open(state_path) as f:
                json.dump(state.to_dict(), f, indent=2, allow_nan=False)
                f.write("\n")
        if events_path is not None:
            with files.open(events_path) as f:
                for alarm in state.alarms:
                    f.write(json.dumps(alarm.to_dict(), allow_nan=False) + "\n")
