"""Figures of the telemetry tools: detection time against leak size, and the crews' card.

Each function draws on the axes given (or new ones) and returns them, as the plotting layer
does; matplotlib is imported when a figure is drawn.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from ..plotting._common import COLOURS, LINE_STYLES
from .limits import detection_time

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["plot_detection_times"]

#: Leaks drawn unless given: 0.01 to 100 lb/day.
DEFAULT_LEAKS_LB_PER_DAY = tuple(np.geomspace(0.01, 100.0, 33))


def plot_detection_times(
    volumes: Mapping[str, Any],
    leaks_lb_per_day: Sequence[float] = DEFAULT_LEAKS_LB_PER_DAY,
    *,
    ax: Axes | None = None,
    **sensor: Any,
) -> Axes:
    """Detection time against leak rate, one line per volume (a station, an isolated module).

    Parameters
    ----------
    volumes : mapping of str to str or pint.Quantity
        Label and volume of each line, e.g. ``{"station": "916 m^3", "PrK": "5 m^3"}`` [m^3].
    leaks_lb_per_day : sequence of float
        Leak rates at the cabin's pressure [lb/day].
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; new ones otherwise.
    **sensor
        Passed to :func:`leaksim.telemetry.detection_time` (``resolution``, ``noise``,
        ``drift``, ``false_alarm_rate``, ...).

    Returns
    -------
    matplotlib.axes.Axes
    """
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(7.0, 4.5))
    rates = np.asarray(leaks_lb_per_day, dtype=float)
    for i, (label, volume) in enumerate(volumes.items()):
        times = [
            detection_time(volume, f"{float(r)!r} lb/day", **sensor).time / 3600 for r in rates
        ]
        ax.loglog(
            rates,
            times,
            color=COLOURS[i % len(COLOURS)],
            linestyle=LINE_STYLES[i % len(LINE_STYLES)],
            label=label if label == str(volume) else f"{label} ({volume})",
        )
    ax.set_xlabel("leak rate [lb/day]")
    ax.set_ylabel("time to detect [h]")
    ax.set_title("Time to detect a leak with 95 % probability")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()
    return ax
