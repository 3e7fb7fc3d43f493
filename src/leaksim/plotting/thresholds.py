"""Thresholds on a time plot: a labelled line at each level, and where each curve reaches it.

A threshold is a horizontal line, named with its level in the legend (``"evacuate 490
mmHg"``) and, where the curves leave room, on the line itself. Where a drawn curve reaches the
threshold (``Result.threshold_times``: the first crossing, found by the solver's event
bisection, not read off the output grid) a marker sits on the curve at that time and level;
with few such markers the time is written beside each one.

Where the texts go is chosen before the figure is laid out, from estimates of their size (an
average glyph is 0.65 em wide) and of the axes' size once a layout engine has made room for a
legend outside them: a choice, not a measurement; the tests check the outcome on drawn
figures.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from ..core.solver import RISING_QUANTITIES
from ..units import ureg
from ._common import readable, symbol

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.lines import Line2D
    from matplotlib.text import Text

    from ..result import Result

#: Dash patterns of the threshold lines, in the order the thresholds were given.
THRESHOLD_STYLES = ("--", "-.", (0, (1, 2)), (0, (5, 2, 1, 2, 1, 2)))

#: Most crossing markers whose time is written beside them; above it, markers only, as a
#: dozen overlapping times would hide the curves.
MAX_TIME_LABELS = 4

#: A crossing is ``(threshold name, line index, time, level, rising)`` in the axis units.
Crossing = tuple[str, int, float, float, bool]

# Share of the curves' range of values a text needs beside its line [-]; room kept on each
# side of a crossing marker and offset of a crossing's time from it [pt].
_TEXT_ROOM, _MARKER_PAD, _TIME_OFFSET = 0.06, 12.0, 5.0


@dataclass(frozen=True)
class _Page:
    """Where the time axis will lie: its data range with matplotlib's margins, and its width.

    ``t0`` and ``t1`` are the first and last output times [time axis unit]; ``points`` is the
    estimated width of the axes after the layout [pt].
    """

    t0: float
    t1: float
    points: float

    @classmethod
    def of(cls, ax: Axes, t: np.ndarray) -> _Page:
        finite = t[np.isfinite(t)]
        t0, t1 = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
        # the layout engine narrows the axes by about a third for a legend outside them
        return cls(t0, max(t1, t0 + 1e-300), ax.bbox.width / ax.figure.dpi * 72.0 * 0.65)

    @property
    def axis_range(self) -> tuple[float, float]:
        margin = 0.05 * (self.t1 - self.t0)  # matplotlib's default x margin
        return self.t0 - margin, self.t1 + margin

    def width(self, text: str) -> float:
        """Estimated width of ``text`` in small type [time axis unit]."""
        from matplotlib.font_manager import FontProperties

        points = 0.65 * len(text) * FontProperties(size="small").get_size_in_points()
        return self.span(points)

    def span(self, points: float) -> float:
        """``points`` [pt] of the axes' width in the time axis unit."""
        low, high = self.axis_range
        return points / max(self.points, 1.0) * (high - low)

    def fraction(self, x: float) -> float:
        """Time ``x`` as a fraction of the axes' width [-]."""
        low, high = self.axis_range
        return (x - low) / (high - low)


def select_thresholds(
    result: Result, thresholds: bool | Sequence[str] | None, quantity: str
) -> list[str]:
    """Names of the thresholds to draw: all watching ``quantity`` (True), none, or those named.

    Raises
    ------
    ValueError
        On an unknown name, or a threshold that watches another quantity.
    """
    quantities = result.threshold_quantities
    if thresholds is False or thresholds is None:
        return []
    if thresholds is True:
        return [name for name, q in quantities.items() if q == quantity]
    names = [thresholds] if isinstance(thresholds, str) else list(thresholds)
    for name in names:
        if name not in quantities:
            raise ValueError(
                f"thresholds: no threshold named {name!r}; thresholds are {list(quantities)}"
            )
        if quantities[name] != quantity:
            raise ValueError(
                f"thresholds: {name!r} watches {quantities[name]}, and only {quantity} "
                "thresholds can be drawn on this plot"
            )
    return names


def draw_thresholds(
    ax: Axes,
    result: Result,
    names: list[str],
    case_index: np.ndarray,
    unit: str,
    curves: Sequence[Line2D],
    crossings: list[Crossing],
    t: np.ndarray,
) -> tuple[list[Line2D], list[Text]]:
    """Grey lines at each distinct level of the thresholds ``names``, each with its text.

    Each threshold has its own dash pattern and its legend entry gives its level (or how many
    levels it has in the selected cases), so that two thresholds on one axis can be told
    apart. The text, ``"evacuate 490 mmHg"``, goes on the line above or below it, where the
    drawn ``curves`` (on the output times ``t``) leave it the most room and no crossing of
    ``crossings`` is marked; where there is no such place the line has no text, and its
    legend entry names its level.
    """
    lines, texts = [], []
    page = _Page.of(ax, t)
    blocked = _blocked(page, crossings)
    levels = result.threshold_levels
    for n, name in enumerate(names):
        values = levels[name].m_as(unit)[case_index]
        distinct = np.unique(values[np.isfinite(values)])
        for k, y in enumerate(distinct):
            words = f"{name} {y:.4g} {symbol(unit)}"
            entry = words if distinct.size == 1 else f"{name}, {distinct.size} levels"
            lines.append(
                ax.axhline(
                    y,
                    linestyle=THRESHOLD_STYLES[n % len(THRESHOLD_STYLES)],
                    linewidth=1.0,
                    color="0.3",
                    label=entry if k == 0 else "_nolegend_",
                )
            )
            place = _text_place(page, words, float(y), curves, blocked)
            if place is None:
                continue
            x, va = place
            texts.append(
                ax.text(
                    page.fraction(x),
                    y,
                    words,
                    transform=ax.get_yaxis_transform(),  # x in axes fractions, y in data
                    ha="left",
                    va=va,
                    fontsize="small",
                    color="0.3",
                )
            )
    return lines, texts


def _blocked(page: _Page, crossings: list[Crossing]) -> dict[str, list[tuple[float, float]]]:
    """Time intervals of the line taken by crossings, on each side ("bottom": above it).

    A marker takes both sides; a written time the side it is written on.
    """
    pad = page.span(_MARKER_PAD)
    out: dict[str, list[tuple[float, float]]] = {"bottom": [], "top": []}
    for _, _, x, _, _ in crossings:
        out["bottom"].append((x - pad, x + pad))
        out["top"].append((x - pad, x + pad))
    if len(crossings) <= MAX_TIME_LABELS:
        for _, _, x, _, rising in crossings:
            width = page.width("00.0 min") + page.span(_TIME_OFFSET)
            low, high = (x, x + width) if _ahead(page, x) else (x - width, x)
            out["top" if rising else "bottom"].append((low, high))
    return out


def _text_place(
    page: _Page,
    text: str,
    level: float,
    curves: Sequence[Line2D],
    blocked: dict[str, list[tuple[float, float]]],
) -> tuple[float, str] | None:
    """``(left end [time axis unit], va)`` of a threshold's ``text``, or None if none fits.

    Places along the line, from the left end of the axes to the right, above
    (``va="bottom"``) and below it, are tried. A place fits where no ``blocked`` interval of
    its side meets the text and the curves drawn under the text pass at least
    :data:`_TEXT_ROOM` of their range of values from the level, on that side, with as much
    room between the level and the top (or bottom) of all the curves, so that the text stays
    inside the axes. Of the places that fit, the one where the curves pass farthest.
    """
    data = [(np.asarray(c.get_xdata(), float), np.asarray(c.get_ydata(), float)) for c in curves]
    every_y = np.concatenate([y for _, y in data] + [np.array([level])])
    top, bottom = float(np.nanmax(every_y)), float(np.nanmin(every_y))
    enough = _TEXT_ROOM * (top - bottom)
    if enough <= 0.0:
        return None
    width = page.width(text)
    low, high = page.axis_range
    fitting = []
    for left in np.linspace(low + 0.01 * (high - low), high - width, 40):
        right = left + width
        inside = [y[(xs >= left - width / 20) & (xs <= right + width / 20)] for xs, y in data]
        values = np.concatenate(inside or [np.zeros(0)])
        values = values[np.isfinite(values)]
        for va, gap in (
            ("bottom", np.append(values[values >= level] - level, top - level)),
            ("top", np.append(level - values[values <= level], level - bottom)),
        ):
            clear = not any(a <= right and left <= b for a, b in blocked[va])
            if clear and float(gap.min()) >= enough:
                fitting.append((float(gap.min()), float(left), va))
    if not fitting:
        return None
    _, left, va = max(fitting, key=lambda place: place[0])  # the first of the roomiest
    return left, va


def _ahead(page: _Page, x: float) -> bool:
    """Whether a crossing's time is written to the right of its marker (else to its left)."""
    return x <= page.t0 + 0.8 * (page.t1 - page.t0)


def crossing_points(
    result: Result,
    series: dict[str, Any],
    names: list[str],
    module_index: list[int],
    case_index: np.ndarray,
    units: tuple[str, str],
) -> list[Crossing]:
    """Where each drawn line first reaches each threshold of ``names``.

    ``series`` is what :func:`leaksim.plotting._common.draw_series` returned for the modules
    ``module_index`` in the cases ``case_index``; ``units`` are those of the time and value
    axes. A line of one case takes its case's crossing time; a median line the median over
    the selected cases, counting a case that never reached the threshold as reaching it last,
    so that a median marker only shows when at least half the cases reached it.

    Returns
    -------
    list of Crossing
        ``(threshold name, line index, time, level, rising)`` for each line that reaches a
        threshold, in the axis units.
    """
    time_unit, unit = units
    crossed = result.threshold_times
    levels = result.threshold_levels
    quantities = result.threshold_quantities
    points: list[Crossing] = []
    for name in names:
        level = levels[name].m_as(unit)[case_index]
        rising = quantities[name] in RISING_QUANTITIES
        for n, (curves, row) in enumerate(
            zip(series["curves"], series["case_of_line"], strict=True)
        ):
            module = result.modules[module_index[curves[0]]]
            times = crossed[name][module].m_as(time_unit)[case_index]
            if row < 0:  # a median line
                x, y = _median_crossing(times), _median(level)
            else:
                x, y = float(times[row]), float(level[row])
            if np.isfinite(x) and np.isfinite(y):
                points.append((name, n, x, y, rising))
    return points


def draw_crossings(
    ax: Axes, crossings: list[Crossing], t: np.ndarray, time_unit: str
) -> tuple[list[Line2D], list[Text]]:
    """A marker at each of :func:`crossing_points`, and its time when there are few.

    The markers are white circles edged in black, as the event markers are, on the curve they
    belong to; the first of each threshold is named ``"<threshold> reached"`` in the legend.
    The time, in a unit chosen for it (``"54.1 min"``, ``"37.5 h"``), is written beside each
    marker when there are at most :data:`MAX_TIME_LABELS` of them, on the side away from the
    curve: above where the curve falls through the level, below where it rises through it;
    to the right of the marker, or to its left in the last fifth of the output times ``t``.
    """
    markers: list[Line2D] = []
    texts: list[Text] = []
    named: set[str] = set()
    for name, _, x, y, _ in crossings:
        (marker,) = ax.plot(
            [x],
            [y],
            linestyle="none",
            marker="o",
            markersize=7,
            markerfacecolor="white",
            markeredgecolor="black",
            label="_nolegend_" if name in named else f"{name} reached",
            zorder=4,
        )
        named.add(name)
        markers.append(marker)
    if len(crossings) > MAX_TIME_LABELS:
        return markers, texts
    page = _Page.of(ax, t)
    seconds = float(ureg.Quantity(1.0, time_unit).m_as("s"))
    for _, _, x, y, rising in crossings:
        ahead = _ahead(page, x)
        texts.append(
            ax.annotate(
                readable(x * seconds, "s"),
                (x, y),
                xytext=(_TIME_OFFSET if ahead else -_TIME_OFFSET, -5 if rising else 5),
                textcoords="offset points",
                ha="left" if ahead else "right",
                va="top" if rising else "bottom",
                fontsize="small",
            )
        )
    return markers, texts


def _median_crossing(times: np.ndarray) -> float:
    """Median crossing time, a case that never crossed (NaN) counting as infinitely late."""
    return float(np.median(np.where(np.isnan(times), np.inf, times)))


def _median(values: np.ndarray) -> float:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # no finite level: no marker
        return float(np.nanmedian(values))
