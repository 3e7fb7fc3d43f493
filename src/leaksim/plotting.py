"""Plots of a :class:`leaksim.result.Result`.

Plot functions take an optional ``ax`` and return the artists they drew, so callers can restyle
them and tests can check them without looking at pixels (as python-control's ``ctrlplot``).
matplotlib is imported only when a plot is made, never on ``import leaksim``; pyplot only when
no ``ax`` is given.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from .units import ureg

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.lines import Line2D

    from .result import Result

__all__ = ["plot_pressure", "MAX_CASE_LINES", "BAND_PERCENTILES"]

#: Above this many cases a plot shows a median and a percentile band instead of every case.
MAX_CASE_LINES = 12

#: Percentiles bounding the band drawn for many cases [%].
BAND_PERCENTILES = (5.0, 95.0)

# (largest duration [s], unit) pairs: the time axis uses the first unit whose limit is not
# exceeded, so numbers on the axis stay between about 1 and 100.
_TIME_UNITS = ((120.0, "s"), (2 * 3600.0, "min"), (3 * 86400.0, "h"), (np.inf, "day"))


def plot_pressure(
    result: Result,
    ax: Axes | None = None,
    pressure_unit: str = "mmHg",
    modules: str | Sequence[str] | None = None,
    cases: int | Sequence[int] | np.ndarray | None = None,
    thresholds: bool | Sequence[str] = True,
    time_unit: str | None = None,
) -> dict[str, list[Any]]:
    """Plot the total pressure of modules against time.

    With at most :data:`MAX_CASE_LINES` cases selected, one line per (case, module); with
    more, per module the median over cases and a band between the percentiles
    :data:`BAND_PERCENTILES`. Pressure thresholds are dashed horizontal lines.

    Parameters
    ----------
    result : leaksim.result.Result
        The run to plot [-].
    ax : matplotlib.axes.Axes, optional
        Axes to draw on. When None a new figure is created with pyplot [-].
    pressure_unit : str, optional
        Unit of the pressure axis [pressure unit, e.g. "mmHg", "kPa", "psi"].
    modules : str or sequence of str, optional
        Names of the modules to plot; all when None [-].
    cases : int, sequence of int or bool array, optional
        Cases to plot, as indices or a mask of shape (C,); all when None [-].
    thresholds : bool or sequence of str, optional
        Draw every pressure threshold (True), none (False) or those named. Partial-pressure
        thresholds are never drawn on a total-pressure axis [-].
    time_unit : str, optional
        Unit of the time axis; chosen from the duration (s, min, h, day) when None
        [time unit, e.g. "h"].

    Returns
    -------
    dict
        ``"lines"``: the per-case or median lines (Line2D); ``"bands"``: the percentile bands
        (PolyCollection, empty in line mode); ``"thresholds"``: the threshold lines (Line2D).

    Raises
    ------
    ValueError
        On a unit of the wrong dimension, an empty case selection, or an unknown threshold.
    leaksim.result.UnknownModuleError
        On an unknown module name.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> artists = result.plot(pressure_unit="kPa", modules=["Lab"])  # doctest: +SKIP
    >>> artists["lines"][0].get_label()  # doctest: +SKIP
    'Lab'
    """
    p_unit = _check_unit(pressure_unit, "pressure_unit", "Pa")
    module_index = _select_modules(result, modules)
    case_index = _select_cases(result, cases)
    time_s = np.asarray(result.solution.time, dtype=float)
    t_unit = (
        _auto_time_unit(time_s) if time_unit is None else _check_unit(time_unit, "time_unit", "s")
    )
    t = ureg.Quantity(time_s, "s").m_as(t_unit)
    pressure_pa = np.asarray(result.solution.pressure, dtype=float)
    selected = np.ix_(case_index, np.asarray(module_index, dtype=np.intp))
    p = ureg.Quantity(pressure_pa[selected], "Pa").m_as(p_unit)
    names = [result.modules[i] for i in module_index]

    if ax is None:
        ax = _new_axes()
    artists: dict[str, list[Any]] = {"lines": [], "bands": [], "thresholds": []}
    if case_index.size <= MAX_CASE_LINES:
        artists["lines"] = _draw_case_lines(
            ax, t, p, names, case_index, result.n_cases, result.parameters
        )
    else:
        artists["lines"], artists["bands"] = _draw_bands(ax, t, p, names)
    artists["thresholds"] = _draw_thresholds(ax, result, thresholds, case_index, p_unit)
    ax.set_xlabel(f"time [{_symbol(t_unit)}]")
    ax.set_ylabel(f"pressure [{_symbol(p_unit)}]")
    ax.legend(fontsize="small")
    return artists


def _new_axes() -> Axes:
    import matplotlib.pyplot as plt

    _, ax = plt.subplots(layout="constrained")
    return ax


def _draw_case_lines(
    ax: Axes,
    t: np.ndarray,
    p: np.ndarray,
    names: list[str],
    case_index: np.ndarray,
    n_cases: int,
    parameters: dict[str, np.ndarray] | None = None,
) -> list[Line2D]:
    """One line per (case, module): a colour per case, a line style per module.

    A case is named only when the run has several, with the values of its swept parameters
    when the run has any (``Lab, case 1: hole diameter 5 mm``).
    """
    colours = plt_colours(ax)
    lines = []
    for j, c in enumerate(case_index):
        for i, name in enumerate(names):
            label = name if n_cases == 1 else f"{name}, case {c}"
            if n_cases > 1 and parameters:
                label += ": " + _case_text(parameters, c)
            lines.extend(
                ax.plot(
                    t,
                    p[j, i],
                    label=label,
                    color=colours[j % len(colours)],
                    linestyle=_LINE_STYLES[i % len(_LINE_STYLES)],
                )
            )
    return lines


_LINE_STYLES = ("-", "--", ":", "-.")

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


def plt_colours(ax: Axes) -> list[str]:
    """The colours of the axes' property cycle."""
    import matplotlib as mpl

    return mpl.rcParams["axes.prop_cycle"].by_key().get("color", ["C0"])


def _case_text(parameters: dict[str, np.ndarray], case: int) -> str:
    """``hole diameter 5 mm`` for each swept parameter of one case."""
    parts = []
    for path, values in parameters.items():
        kind, _, rest = path.partition(".")
        item, _, key = rest.rpartition(".")
        value = values[case]
        unit = _PARAMETER_UNITS.get(key)
        if unit is not None and np.isfinite(value):
            text = f"{ureg.Quantity(float(value), unit).to_compact():.3g~P}"
        else:
            text = f"{value:.3g}" if isinstance(value, float | np.floating) else str(value)
        parts.append(f"{item or kind} {key.replace('_', ' ')} {text}")
    return ", ".join(parts)


def _draw_bands(
    ax: Axes, t: np.ndarray, p: np.ndarray, names: list[str]
) -> tuple[list[Line2D], list[Any]]:
    """Per module, the median over cases and a percentile band around it."""
    low_q, high_q = BAND_PERCENTILES
    with warnings.catch_warnings():
        # times after every case has ended are all-NaN columns: a gap in the plot, not an error
        warnings.simplefilter("ignore", RuntimeWarning)
        median = np.nanmedian(p, axis=0)
        low, high = np.nanpercentile(p, [low_q, high_q], axis=0)
    lines, bands = [], []
    for i, name in enumerate(names):
        (line,) = ax.plot(t, median[i], label=f"{name} median")
        band = ax.fill_between(
            t,
            low[i],
            high[i],
            color=line.get_color(),
            alpha=0.25,
            linewidth=0,
            label=f"{name} {low_q:g}-{high_q:g} %",
        )
        lines.append(line)
        bands.append(band)
    return lines, bands


def _draw_thresholds(
    ax: Axes,
    result: Result,
    thresholds: bool | Sequence[str],
    case_index: np.ndarray,
    p_unit: str,
) -> list[Line2D]:
    """Dashed lines at each distinct level of the chosen pressure thresholds."""
    lines = []
    levels = result.threshold_levels or {}
    for name in _select_thresholds(result, thresholds):
        values = levels[name].m_as(p_unit)[case_index]
        for k, y in enumerate(np.unique(values[np.isfinite(values)])):
            lines.append(
                ax.axhline(
                    y,
                    linestyle="--",
                    linewidth=1.0,
                    color="0.3",
                    label=name if k == 0 else "_nolegend_",
                )
            )
    return lines


def _select_thresholds(result: Result, thresholds: bool | Sequence[str]) -> list[str]:
    quantities = result.threshold_quantities
    if thresholds is False or thresholds is None:
        return []
    if thresholds is True:
        if result.threshold_levels is None:
            return []  # the run did not record levels: nothing to draw
        return [name for name, q in quantities.items() if q == "pressure"]
    names = [thresholds] if isinstance(thresholds, str) else list(thresholds)
    for name in names:
        if name not in quantities:
            raise ValueError(
                f"thresholds: no threshold named {name!r}; thresholds are {list(quantities)}"
            )
        if quantities[name] != "pressure":
            raise ValueError(
                f"thresholds: {name!r} watches {quantities[name]}, and only total-pressure "
                "thresholds can be drawn on a pressure plot"
            )
    if names and result.threshold_levels is None:
        raise ValueError("thresholds: this result holds no threshold levels to draw")
    return names


def _select_modules(result: Result, modules: str | Sequence[str] | None) -> list[int]:
    if modules is None:
        return list(range(len(result.modules)))
    names = [modules] if isinstance(modules, str) else list(modules)
    if not names:
        raise ValueError("modules must name at least one module, got an empty selection")
    return [result.module(name) for name in names]


def _select_cases(result: Result, cases: Any) -> np.ndarray:
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


def _check_unit(text: str, what: str, reference: str) -> str:
    """Return ``text`` if it parses as a unit of the dimension of ``reference``."""
    try:
        unit = ureg.Unit(text)
    except Exception:  # pint raises several unrelated types on bad text
        unit = None
    if unit is None or unit.dimensionality != ureg.Unit(reference).dimensionality:
        raise ValueError(f"{what} must be a unit with the dimension of {reference}, got {text!r}")
    return text


def _auto_time_unit(time_s: np.ndarray) -> str:
    """The unit of :data:`_TIME_UNITS` that suits the last output time [s]."""
    finite = time_s[np.isfinite(time_s)]
    duration = float(finite.max()) if finite.size else 0.0
    return next(unit for limit, unit in _TIME_UNITS if duration <= limit)


def _symbol(unit: str) -> str:
    """Short symbol of ``unit`` for an axis label, e.g. ``"mmHg"``, ``"h"``, ``"day"``."""
    symbol = f"{ureg.Unit(unit):~P}"
    return "day" if symbol == "d" else symbol  # a lone "d" reads poorly under an axis
