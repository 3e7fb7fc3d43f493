"""Live telemetry: watch a pressure log as it arrives, and what a sensor can see.

* :class:`LeakMonitor` takes readings one at a time, detects a leak as it starts (a sequential
  test with a stated false-alarm rate), dates it, sizes it (``Cd A`` with an interval), gives
  the leak rate and the reserve time to each threshold, and says when the leak has grown
  (:mod:`leaksim.telemetry.monitor`);
* :func:`detection_time` and :func:`smallest_detectable_leak` say how long a leak takes to be
  detected at a sensor's resolution and noise, and the smallest seen in a given time
  (:mod:`leaksim.telemetry.limits`);
* :func:`reserve_time` and :func:`reserve_card` give the crews' reserve time from the time of
  a 1 mmHg drop, and draw it as a card (:mod:`leaksim.telemetry.card`).

This package sits beside :mod:`leaksim.inverse`, whose laws and log readers it uses.
"""

from __future__ import annotations

from .card import reserve_card, reserve_time, write_reserve_card
from .limits import DetectableLeak, DetectionTime, detection_time, smallest_detectable_leak
from .monitor import Alarm, LeakMonitor, MonitorState

__all__ = [
    "Alarm",
    "DetectableLeak",
    "DetectionTime",
    "LeakMonitor",
    "MonitorState",
    "detection_time",
    "reserve_card",
    "reserve_time",
    "smallest_detectable_leak",
    "write_reserve_card",
]
