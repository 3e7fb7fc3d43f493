"""Events of a run as plot markers: hatches closing or opening, holes opening, tanks emptying.

The solver reports each event's time per case (``Solution.operations.event_time``); the
compiled network's schedule says what it switches (``schedule.target``: links ``0..K-1``,
hatches first, then sources ``K..``, supplies first) and whether it opens it
(``schedule.opens``). An event on a link is marked on the curves of the modules at its ends; a
supply event is a vertical line across the axes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from ..units import ureg

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from ..result import Result

#: Marker of each kind of event.
MARKERS = {
    "hatch closes": "v",
    "hatch opens": "^",
    "opens": "X",
    "closes": "P",
    "supply starts": ">",
    "tank empties": "s",
}


@dataclass(frozen=True)
class Event:
    """One event of a run.

    Attributes
    ----------
    label : str
        Legend text, e.g. ``"PrK-hatch closes"``.
    kind : str
        A key of :data:`MARKERS`.
    link : int
        The link it switches (hatches first), or -1 for a supply [-].
    modules : tuple of int
        Modules whose curves carry the marker; empty for a vertical line.
    time : numpy.ndarray
        When it happened in each case, shape (C,) [s]; NaN where it did not.
    """

    label: str
    kind: str
    link: int
    modules: tuple[int, ...]
    time: np.ndarray


def run_events(result: Result) -> list[Event]:
    """The events of ``result`` that happened in at least one case."""
    happened = result.solution.operations.event_time
    schedule = result.schedule
    hatches = list(result.hatches)
    supplies = list(result.supplies)
    n_links = len(result.link_ends)
    events = []
    for e, (k, opens) in enumerate(zip(schedule.target, schedule.opens, strict=True)):
        time = np.where(np.isfinite(happened[:, e]), happened[:, e], np.nan)
        if np.all(np.isnan(time)):
            continue
        verb = "opens" if opens else "closes"
        ends = _link_modules(result, int(k))
        if k < len(hatches):
            events.append(Event(f"{hatches[k]} {verb}", f"hatch {verb}", int(k), ends, time))
        elif k < n_links:
            names = result.link_names
            # Without names (a Result built by hand) a link after the hatches is only numbered.
            name = names[k] if k < len(names) else f"leak or valve {k - len(hatches) + 1}"
            events.append(Event(f"{name} {verb}", verb, int(k), ends, time))
        elif k - n_links < len(supplies):
            name = supplies[k - n_links]
            kind = "supply starts" if opens else "tank empties"
            text = f"supply {name} starts" if opens else f"tank of {name} empties"
            events.append(Event(text, kind, -1, (), time))
    return events


def _link_modules(result: Result, k: int) -> tuple[int, ...]:
    ends = result.link_ends
    if k >= len(ends):
        return ()
    return tuple(int(m) for m in ends[k] if m >= 0)


def draw_events(
    ax: Axes,
    result: Result,
    series: dict[str, Any],
    t: np.ndarray,
    module_index: list[int],
    case_index: np.ndarray,
    time_unit: str,
) -> list[Any]:
    """Markers of every event on the drawn module curves, vertical lines for supply events.

    ``series`` is what :func:`leaksim.plotting._common.draw_series` returned for curves of the
    modules ``module_index`` in the cases ``case_index``, on the times ``t``.
    """
    artists: list[Any] = []
    for event in run_events(result):
        times = ureg.Quantity(event.time[case_index], "s").m_as(time_unit)
        if event.modules:
            artists += mark_lines(ax, series, t, times, event, set(event.modules), module_index)
            continue
        for n, x in enumerate(np.unique(times[np.isfinite(times)])):
            artists.append(
                ax.axvline(
                    x,
                    color="0.4",
                    linestyle=":",
                    linewidth=1.0,
                    marker=MARKERS[event.kind],
                    markevery=[1],  # the top end
                    label=event.label if n == 0 else "_nolegend_",
                )
            )
    return artists


def mark_lines(
    ax: Axes,
    series: dict[str, Any],
    t: np.ndarray,
    times: np.ndarray,
    event: Event,
    concerned: set[int],
    curve_ids: list[int],
) -> list[Any]:
    """A marker of ``event`` on each drawn line standing for a curve in ``concerned``.

    ``times`` holds the event time of each selected case in the units of ``t``; a line of one
    case takes its case's time, a median line the median time. ``curve_ids`` maps the curve
    indices of ``series`` to the ids of ``concerned`` (module or hatch indices).
    """
    markers: list[Any] = []
    for line, curves, row in zip(
        series["lines"], series["curves"], series["case_of_line"], strict=True
    ):
        if not concerned & {curve_ids[c] for c in curves}:
            continue
        x = _median(times) if row < 0 else times[row]
        if not np.isfinite(x):
            continue
        (marker,) = ax.plot(
            [x],
            [np.interp(x, t, line.get_ydata())],
            linestyle="none",
            marker=MARKERS[event.kind],
            markersize=8,
            markerfacecolor="white",
            markeredgecolor="black",
            label="_nolegend_" if markers else event.label,
            zorder=3,
        )
        markers.append(marker)
    return markers


def _median(times: np.ndarray) -> float:
    finite = times[np.isfinite(times)]
    return float(np.median(finite)) if finite.size else np.nan
