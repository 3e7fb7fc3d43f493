"""What the plot modules share: units and axis labels, selections, colours, lines and bands.

A series here is an array of shape (selected cases, curves, T) on the output times of a run,
already in the unit of the axis; :func:`draw_series` draws it as one line per (case, curve) or,
above :data:`MAX_CASE_LINES` cases, as a median and a percentile band per curve.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from ..units import ureg

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.lines import Line2D

    from ..result import Result

#: Above this many cases a plot shows a median and a percentile band instead of every case.
MAX_CASE_LINES = 12

#: Percentiles bounding the band drawn for many cases [%].
BAND_PERCENTILES = (5.0, 95.0)

#: Okabe and Ito's colour-blind-safe palette (Color Universal Design, 2008), black and the pale
#: yellow moved last so that the first colours read well on white.
COLOURS = (
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#D55E00",  # vermillion
    "#CC79A7",  # reddish purple
    "#56B4E9",  # sky blue
    "#000000",  # black
    "#F0E442",  # yellow
)

LINE_STYLES = ("-", "--", ":", "-.")

#: Curves closer than this fraction of the plotted span are drawn as one line: the eye cannot
#: tell them apart, and a station of fifteen modules at one pressure would otherwise need
#: fifteen legend entries for one curve.
MERGE_TOLERANCE = 1e-3

# (largest duration [s], unit) pairs: the time axis uses the first unit whose limit is not
# exceeded, so numbers on the axis stay between about 1 and 100.
_TIME_UNITS = ((120.0, "s"), (2 * 3600.0, "min"), (3 * 86400.0, "h"), (np.inf, "day"))

#: Units a swept value is written in, by its SI unit: the first unit whose (limit [SI], unit)
#: is not exceeded, so that "0.0815 mm^2" is not written "8.15x10^4 um^2" as pint's
#: ``to_compact`` would. Times take the unit of the time axis, never kiloseconds.
_READABLE_UNITS = {
    "m": ((1.0, "mm"), (np.inf, "m")),
    "m**2": ((1e-3, "mm**2"), (0.1, "cm**2"), (np.inf, "m**2")),
    "m**3": ((np.inf, "m**3"),),
    "Pa": ((np.inf, "kPa"),),
    "K": ((np.inf, "K"),),
}

#: SI unit of a swept parameter, by the last part of its path.
_PARAMETER_UNITS = {
    "diameter": "m",
    "area": "m**2",
    "volume": "m**3",
    "pressure": "Pa",
    "temperature": "K",
    "close_at": "s",
    "open_at": "s",
    "start": "s",
    "duration": "s",
}


#: Size of a figure made for a call without ``ax`` [in]: wider than matplotlib's default, as
#: the legend sits beside the axes.
FIGURE_SIZE = (8.0, 4.5)


def new_axes() -> Axes:
    """Axes on a new pyplot figure, for calls without ``ax``."""
    import matplotlib.pyplot as plt

    _, ax = plt.subplots(layout="constrained", figsize=FIGURE_SIZE)
    return ax


def check_unit(text: str, what: str, reference: str) -> str:
    """Return ``text`` if it parses as a unit of the dimension of ``reference``."""
    try:
        unit = ureg.Unit(text)
    except Exception:  # pint raises several unrelated types on bad text
        unit = None
    if unit is None or unit.dimensionality != ureg.Unit(reference).dimensionality:
        raise ValueError(f"{what} must be a unit with the dimension of {reference}, got {text!r}")
    return text


def auto_time_unit(time_s: np.ndarray) -> str:
    """The unit of :data:`_TIME_UNITS` that suits the last finite time [s]."""
    finite = np.asarray(time_s, dtype=float)
    finite = finite[np.isfinite(finite)]
    duration = float(np.abs(finite).max()) if finite.size else 0.0
    return next(unit for limit, unit in _TIME_UNITS if duration <= limit)


def readable(value: float, unit: str) -> str:
    """``value`` [``unit``, an SI unit] as text in a unit chosen for its size: ``"30 min"``,
    ``"5 mm"``, ``"0.0815 mm²"``; times as :func:`auto_time_unit` chooses for the time axis."""
    if unit == "s":
        chosen = auto_time_unit(np.array([value]))
    else:
        limits = _READABLE_UNITS.get(unit)
        if limits is None:
            return f"{ureg.Quantity(value, unit).to_compact():.3g~P}"
        chosen = next(u for limit, u in limits if abs(value) < limit)
    return f"{ureg.Quantity(value, unit).m_as(chosen):.3g} {symbol(chosen)}"


def symbol(unit: str) -> str:
    """Short symbol of ``unit`` for an axis label, e.g. ``"mmHg"``, ``"h"``, ``"day"``."""
    text = f"{ureg.Unit(unit):~P}"
    return re.sub(r"(^|/)d\b", r"\1day", text)  # a lone "d" for day reads poorly


def label(quantity: str, unit: str) -> str:
    """Axis label ``"quantity [unit]"``."""
    return f"{quantity} [{symbol(unit)}]"


def time_unit_for(time_s: np.ndarray, time_unit: str | None, ax: Axes | None) -> str:
    """``time_unit`` if given; else that of the time axis ``ax`` already has, so that a second
    plot on the same axes uses the same unit; else one chosen from the span of ``time_s``."""
    if time_unit is not None:
        return check_unit(time_unit, "time_unit", "s")
    found = re.search(r"\[([^\]]+)\]$", ax.get_xlabel()) if ax is not None else None
    if found:
        try:
            return check_unit(found.group(1), "time_unit", "s")
        except ValueError:
            pass  # the axes show something else than time: choose afresh
    return auto_time_unit(time_s)


def time_axis(result: Result, time_unit: str | None, ax: Axes | None) -> tuple[np.ndarray, str]:
    """Output times of ``result`` in the unit :func:`time_unit_for` picks, and that unit."""
    time_s = np.asarray(result.solution.time, dtype=float)
    unit = time_unit_for(time_s, time_unit, ax)
    return ureg.Quantity(time_s, "s").m_as(unit), unit


def select_modules(result: Result, modules: str | Sequence[str] | None) -> list[int]:
    """Indices of the named modules, all when None."""
    if modules is None:
        return list(range(len(result.modules)))
    names = [modules] if isinstance(modules, str) else list(modules)
    if not names:
        raise ValueError("modules must name at least one module, got an empty selection")
    return [result.module(name) for name in names]


def select_cases(result: Result, cases: Any) -> np.ndarray:
    """Indices of the selected cases: all when None, else indices or a boolean mask."""
    all_cases = np.arange(result.n_cases)
    if cases is None:
        return all_cases
    index = np.asarray(cases)
    if index.size == 0 or (index.dtype == bool and not index.any()):
        raise ValueError(f"cases must select at least one case, got {cases!r}")
    try:
        return np.atleast_1d(all_cases[index])
    except IndexError as exc:
        raise ValueError(
            f"cases must index the {result.n_cases} cases of the result, got {cases!r} ({exc})"
        ) from None


def case_text(parameters: dict[str, np.ndarray], case: int) -> str:
    """``hole diameter 5 mm`` for each swept parameter of one case."""
    parts = []
    for path, values in parameters.items():
        kind, _, rest = path.partition(".")
        item, _, key = rest.rpartition(".")
        value = values[case]
        unit = _PARAMETER_UNITS.get(key)
        if unit is not None and np.isfinite(value):
            text = readable(float(value), unit)
        else:
            text = f"{value:.3g}" if isinstance(value, float | np.floating) else str(value)
        parts.append(f"{item or kind} {key.replace('_', ' ')} {text}")
    return ", ".join(parts)


def merge_equal(values: np.ndarray, enabled: bool = True) -> list[list[int]]:
    """Groups of curves (axis 1 of ``values``) that coincide within the plot's resolution.

    Two curves are equal when, in every selected case and at every time, they differ by at
    most :data:`MERGE_TOLERANCE` times the span of all plotted values (NaN matching NaN).
    """
    n = values.shape[1]
    if not enabled or n == 1:
        return [[i] for i in range(n)]
    finite = values[np.isfinite(values)]
    span = float(np.ptp(finite)) if finite.size else 0.0
    scale = span if span > 0 else float(np.max(np.abs(finite), initial=0.0))
    tolerance = MERGE_TOLERANCE * scale
    groups: list[list[int]] = []
    for i in range(n):
        for group in groups:
            if _close(values[:, group[0]], values[:, i], tolerance):
                group.append(i)
                break
        else:
            groups.append([i])
    return groups


def _close(a: np.ndarray, b: np.ndarray, tolerance: float) -> bool:
    same_gaps = np.array_equal(np.isnan(a), np.isnan(b))
    return bool(same_gaps and np.all(np.abs(a - b)[~np.isnan(a)] <= tolerance))


def group_name(names: list[str], what: str = "modules") -> str:
    """``"Lab"``, ``"Lab, Node1"`` or ``"Zarya and 13 more modules"``."""
    if len(names) <= 2:
        return ", ".join(names)
    return f"{names[0]} and {len(names) - 1} more {what}"


def draw_series(
    ax: Axes,
    t: np.ndarray,
    values: np.ndarray,
    names: list[str],
    case_index: np.ndarray,
    result: Result,
    merge: bool = True,
    what: str = "modules",
) -> dict[str, Any]:
    """Lines per (case, curve), or medians and bands above :data:`MAX_CASE_LINES` cases.

    Returns ``"lines"``, ``"bands"`` and ``"curves"``: for each line, the indices (on axis 1
    of ``values``) of the curves it stands for, and ``"case_of_line"``: its row of ``values``,
    or -1 for a median.
    """
    groups = merge_equal(values, merge)
    group_names = [group_name([names[i] for i in g], what) for g in groups]
    if case_index.size > MAX_CASE_LINES:
        lines, bands = _draw_bands(ax, t, values[:, [g[0] for g in groups]], group_names)
        return {"lines": lines, "bands": bands, "curves": groups, "case_of_line": [-1] * len(lines)}
    lines, curves, rows = [], [], []
    for j, c in enumerate(case_index):
        for g, (group, name) in enumerate(zip(groups, group_names, strict=True)):
            text = name if result.n_cases == 1 else f"{name}, case {c}"
            if result.n_cases > 1 and result.parameters:
                text += ": " + case_text(result.parameters, int(c))
            if case_index.size == 1:  # one case: a colour per curve
                colour, style = COLOURS[g % len(COLOURS)], LINE_STYLES[g // len(COLOURS) % 4]
            else:  # several: a colour per case, a line style per curve
                colour, style = COLOURS[j % len(COLOURS)], LINE_STYLES[g % len(LINE_STYLES)]
            (line,) = ax.plot(t, values[j, group[0]], label=text, color=colour, linestyle=style)
            lines.append(line)
            curves.append(group)
            rows.append(j)
    return {"lines": lines, "bands": [], "curves": curves, "case_of_line": rows}


def _draw_bands(
    ax: Axes, t: np.ndarray, values: np.ndarray, names: list[str]
) -> tuple[list[Line2D], list[Any]]:
    """Per curve, the median over cases and a percentile band around it."""
    low_q, high_q = BAND_PERCENTILES
    median, low, high = percentiles(values)
    lines, bands = [], []
    for i, name in enumerate(names):
        colour = COLOURS[i % len(COLOURS)]
        (line,) = ax.plot(t, median[i], label=f"{name} median", color=colour)
        band = ax.fill_between(
            t,
            low[i],
            high[i],
            color=colour,
            alpha=0.25,
            linewidth=0,
            label=f"{name} {low_q:g}-{high_q:g} %",
        )
        lines.append(line)
        bands.append(band)
    return lines, bands


def percentiles(values: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Median and :data:`BAND_PERCENTILES` over axis 0, ignoring NaN."""
    with warnings.catch_warnings():
        # times after every case has ended are all-NaN columns: a gap in the plot, not an error
        warnings.simplefilter("ignore", RuntimeWarning)
        median = np.nanmedian(values, axis=0)
        low, high = np.nanpercentile(values, list(BAND_PERCENTILES), axis=0)
    return median, low, high


def finish(
    ax: Axes, x_label: str, y_label: str, legend: bool = True, title: str | None = None
) -> None:
    """Axis labels, the title when one is given and, when anything is labelled, a legend."""
    ax.set_xlabel(x_label)
    ax.set_ylabel(y_label)
    if title:
        ax.set_title(title)
    handles, _ = ax.get_legend_handles_labels()
    if legend and handles:
        place_legend(ax)


def place_legend(ax: Axes, handles: Sequence[Any] | None = None) -> Any:
    """A legend that does not cover the curves.

    On a figure with a layout engine (pyplot figures made here are ``constrained``) the legend
    sits outside the axes, to their right, and the engine makes room for it. Without one,
    nothing would make that room and a legend outside would be cut off when saved, so it goes
    inside at matplotlib's ``"best"`` place, the one that overlaps the fewest data points.
    """
    kwargs: dict[str, Any] = {"fontsize": "small"}
    if handles is not None:
        kwargs["handles"] = list(handles)
    if ax.figure.get_layout_engine() is not None:
        kwargs.update(loc="upper left", bbox_to_anchor=(1.02, 1.0), borderaxespad=0.0)
    else:
        kwargs["loc"] = "best"
    return ax.legend(**kwargs)
