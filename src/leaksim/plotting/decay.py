"""Module pressure, O2 partial pressure and temperature against time.

Each function draws one curve per (case, module), or a median and a percentile band per module
above :data:`~leaksim.plotting._common.MAX_CASE_LINES` cases; modules whose curves coincide
share one line. Thresholds on the plotted quantity are dashed horizontal lines labelled with
their name and level, with a marker (and, for few, the time) where each curve reaches them
(:mod:`~leaksim.plotting.thresholds`); events (hatches closing, holes opening, tanks running
dry) are markers on the curves. Each axes gets a title naming the quantity.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from ..units import ureg
from ._common import (
    check_unit,
    draw_series,
    finish,
    label,
    new_axes,
    select_cases,
    select_modules,
    time_axis,
)
from .events import draw_events
from .thresholds import crossing_points, draw_crossings, draw_thresholds, select_thresholds

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from ..result import Result

__all__ = ["plot_carbon_dioxide", "plot_oxygen", "plot_pressure", "plot_temperature"]


def plot_pressure(
    result: Result,
    ax: Axes | None = None,
    pressure_unit: str = "mmHg",
    modules: str | Sequence[str] | None = None,
    cases: int | Sequence[int] | np.ndarray | None = None,
    thresholds: bool | Sequence[str] = True,
    time_unit: str | None = None,
    events: bool = True,
    merge: bool = True,
    title: str | None = None,
) -> dict[str, list[Any]]:
    """Plot the total pressure of modules against time: the pressure-decay curves.

    With at most :data:`~leaksim.plotting.MAX_CASE_LINES` cases selected, one line per (case,
    module); with more, per module the median over cases and a band between the percentiles
    :data:`~leaksim.plotting.BAND_PERCENTILES`. Pressure thresholds are dashed horizontal
    lines; events are markers on the curves of the modules they concern.

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
    events : bool, optional
        Mark hatch, leak, valve and supply events (default True) [-].
    merge : bool, optional
        Draw modules whose curves coincide within 0.1 % of the plotted span as one line,
        labelled ``"Zarya and 13 more modules"`` (default True) [-].
    title : str, optional
        Title of the axes: "Module pressure" when None, none when "" [-].

    Returns
    -------
    dict
        ``"lines"``: the per-case or median lines (Line2D); ``"bands"``: the percentile bands
        (PolyCollection, empty in line mode); ``"thresholds"``: the threshold lines (Line2D);
        ``"threshold_labels"``: the name and level written on the threshold lines where the
        curves leave room (Text; the legend names every level);
        ``"crossings"``: a marker where each drawn curve first reaches a threshold (Line2D);
        ``"crossing_labels"``: the time written beside each marker (Text), when there are at
        most :data:`~leaksim.plotting.thresholds.MAX_TIME_LABELS` markers;
        ``"events"``: the event markers (Line2D).

    Raises
    ------
    ValueError
        On a unit of the wrong dimension, an empty case selection, or an unknown threshold.
    leaksim.result.UnknownModuleError
        On an unknown module name.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> from leaksim.stations import teaching_two_modules
    >>> result = teaching_two_modules().run()
    >>> ax = Figure().subplots()
    >>> artists = plot_pressure(result, ax=ax, pressure_unit="kPa")
    >>> ax.get_ylabel(), artists["thresholds"][0].get_label()
    ('pressure [kPa]', 'evacuate 65.33 kPa')
    """
    unit = check_unit(pressure_unit, "pressure_unit", "Pa")
    return _plot_modules(
        result,
        ax,
        np.asarray(result.solution.pressure, dtype=float),
        ("pressure", "Pa", unit),
        modules,
        cases,
        (thresholds, "pressure"),
        time_unit,
        events,
        merge,
        "Module pressure" if title is None else title,
    )


def plot_oxygen(
    result: Result,
    ax: Axes | None = None,
    pressure_unit: str = "kPa",
    modules: str | Sequence[str] | None = None,
    cases: int | Sequence[int] | np.ndarray | None = None,
    thresholds: bool | Sequence[str] = True,
    time_unit: str | None = None,
    events: bool = True,
    merge: bool = True,
    title: str | None = None,
) -> dict[str, list[Any]]:
    """Plot the O2 partial pressure of modules against time, with the O2 thresholds.

    As :func:`plot_pressure`, on ``Result.partial_pressure_O2``; the thresholds drawn are those
    that watch ``partial_pressure_O2``.

    Parameters
    ----------
    result : leaksim.result.Result
        The run to plot [-].
    ax : matplotlib.axes.Axes, optional
        Axes to draw on. When None a new figure is created with pyplot [-].
    pressure_unit : str, optional
        Unit of the partial-pressure axis [pressure unit, e.g. "kPa", "mmHg"].
    modules : str or sequence of str, optional
        Names of the modules to plot; all when None [-].
    cases : int, sequence of int or bool array, optional
        Cases to plot, as indices or a mask of shape (C,); all when None [-].
    thresholds : bool or sequence of str, optional
        Draw every O2 threshold (True), none (False) or those named [-].
    time_unit : str, optional
        Unit of the time axis; when None, as :func:`~leaksim.plotting.plot_pressure`
        [time unit, e.g. "h"].
    events : bool, optional
        Mark hatch, leak, valve and supply events (default True) [-].
    merge : bool, optional
        Draw modules whose curves coincide as one line (default True) [-].
    title : str, optional
        Title of the axes: "O2 partial pressure" when None, none when "" [-].

    Returns
    -------
    dict
        ``"lines"``, ``"bands"``, ``"thresholds"``, ``"threshold_labels"``, ``"crossings"``,
        ``"crossing_labels"`` and ``"events"`` as :func:`plot_pressure`.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> from leaksim.stations import teaching_two_modules
    >>> ax = Figure().subplots()
    >>> artists = plot_oxygen(teaching_two_modules().run(), ax=ax)
    >>> ax.get_ylabel()
    'O2 partial pressure [kPa]'
    """
    unit = check_unit(pressure_unit, "pressure_unit", "Pa")
    return _plot_modules(
        result,
        ax,
        np.asarray(result.solution.partial_pressure_O2, dtype=float),
        ("O2 partial pressure", "Pa", unit),
        modules,
        cases,
        (thresholds, "partial_pressure_O2"),
        time_unit,
        events,
        merge,
        "O2 partial pressure" if title is None else title,
    )


def plot_carbon_dioxide(
    result: Result,
    ax: Axes | None = None,
    pressure_unit: str = "kPa",
    modules: str | Sequence[str] | None = None,
    cases: int | Sequence[int] | np.ndarray | None = None,
    thresholds: bool | Sequence[str] = True,
    time_unit: str | None = None,
    events: bool = True,
    merge: bool = True,
    title: str | None = None,
) -> dict[str, list[Any]]:
    """Plot the CO2 partial pressure of modules against time, with the CO2 thresholds.

    As :func:`plot_pressure`, on ``Result.partial_pressure_CO2``; the thresholds drawn are those
    that watch ``partial_pressure_CO2`` (ceilings, reached rising).

    Parameters
    ----------
    result : leaksim.result.Result
        The run to plot [-].
    ax : matplotlib.axes.Axes, optional
        Axes to draw on. When None a new figure is created with pyplot [-].
    pressure_unit : str, optional
        Unit of the partial-pressure axis [pressure unit, e.g. "kPa", "mmHg"].
    modules : str or sequence of str, optional
        Names of the modules to plot; all when None [-].
    cases : int, sequence of int or bool array, optional
        Cases to plot, as indices or a mask of shape (C,); all when None [-].
    thresholds : bool or sequence of str, optional
        Draw every CO2 threshold (True), none (False) or those named [-].
    time_unit : str, optional
        Unit of the time axis; when None, as :func:`~leaksim.plotting.plot_pressure`
        [time unit, e.g. "h"].
    events : bool, optional
        Mark hatch, leak, valve and supply events (default True) [-].
    merge : bool, optional
        Draw modules whose curves coincide as one line (default True) [-].
    title : str, optional
        Title of the axes: "CO2 partial pressure" when None, none when "" [-].

    Returns
    -------
    dict
        ``"lines"``, ``"bands"``, ``"thresholds"``, ``"threshold_labels"``, ``"crossings"``,
        ``"crossing_labels"`` and ``"events"`` as :func:`plot_pressure`.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> from leaksim.stations import teaching_two_modules
    >>> ax = Figure().subplots()
    >>> artists = plot_carbon_dioxide(teaching_two_modules().run(), ax=ax)
    >>> ax.get_ylabel()
    'CO2 partial pressure [kPa]'
    """
    unit = check_unit(pressure_unit, "pressure_unit", "Pa")
    return _plot_modules(
        result,
        ax,
        np.asarray(result.solution.partial_pressure_CO2, dtype=float),
        ("CO2 partial pressure", "Pa", unit),
        modules,
        cases,
        (thresholds, "partial_pressure_CO2"),
        time_unit,
        events,
        merge,
        "CO2 partial pressure" if title is None else title,
    )


def plot_temperature(
    result: Result,
    ax: Axes | None = None,
    temperature_unit: str = "degC",
    modules: str | Sequence[str] | None = None,
    cases: int | Sequence[int] | np.ndarray | None = None,
    time_unit: str | None = None,
    events: bool = True,
    merge: bool = True,
    title: str | None = None,
) -> dict[str, list[Any]]:
    """Plot the gas temperature of modules against time.

    Parameters
    ----------
    result : leaksim.result.Result
        The run to plot [-].
    ax : matplotlib.axes.Axes, optional
        Axes to draw on. When None a new figure is created with pyplot [-].
    temperature_unit : str, optional
        Unit of the temperature axis [temperature unit, e.g. "degC", "K", "degF"].
    modules : str or sequence of str, optional
        Names of the modules to plot; all when None [-].
    cases : int, sequence of int or bool array, optional
        Cases to plot, as indices or a mask of shape (C,); all when None [-].
    time_unit : str, optional
        Unit of the time axis; when None, as :func:`~leaksim.plotting.plot_pressure`
        [time unit, e.g. "h"].
    events : bool, optional
        Mark hatch, leak, valve and supply events (default True) [-].
    merge : bool, optional
        Draw modules whose curves coincide as one line (default True) [-].
    title : str, optional
        Title of the axes: "Gas temperature" when None, none when "" [-].

    Returns
    -------
    dict
        ``"lines"``, ``"bands"``, ``"events"``, and ``"thresholds"``, ``"threshold_labels"``,
        ``"crossings"`` and ``"crossing_labels"`` (always empty), as :func:`plot_pressure`.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> from leaksim.stations import teaching_two_modules
    >>> ax = Figure().subplots()
    >>> artists = plot_temperature(teaching_two_modules().run(), ax=ax, temperature_unit="K")
    >>> ax.get_ylabel()
    'temperature [K]'
    """
    unit = check_unit(temperature_unit, "temperature_unit", "K")
    return _plot_modules(
        result,
        ax,
        np.asarray(result.solution.temperature, dtype=float),
        ("temperature", "K", unit),
        modules,
        cases,
        (False, "temperature"),
        time_unit,
        events,
        merge,
        "Gas temperature" if title is None else title,
    )


def _plot_modules(
    result: Result,
    ax: Axes | None,
    values_si: np.ndarray,
    quantity: tuple[str, str, str],
    modules: str | Sequence[str] | None,
    cases: Any,
    thresholds: tuple[bool | Sequence[str], str],
    time_unit: str | None,
    events: bool,
    merge: bool,
    title: str,
) -> dict[str, list[Any]]:
    """Curves of ``values_si`` (C, M, T), given as ``(name, SI unit, axis unit)``."""
    name, si_unit, unit = quantity
    module_index = select_modules(result, modules)
    case_index = select_cases(result, cases)
    chosen = select_thresholds(result, *thresholds)
    t, t_unit = time_axis(result, time_unit, ax)
    selected = np.ix_(case_index, np.asarray(module_index, dtype=np.intp))
    values = ureg.Quantity(values_si[selected], si_unit).m_as(unit)
    names = [result.modules[i] for i in module_index]
    if ax is None:
        ax = new_axes()
    series = draw_series(ax, t, values, names, case_index, result, merge)
    artists: dict[str, list[Any]] = {"lines": series["lines"], "bands": series["bands"]}
    points = crossing_points(result, series, chosen, module_index, case_index, (t_unit, unit))
    artists["thresholds"], artists["threshold_labels"] = draw_thresholds(
        ax, result, chosen, case_index, unit, series["lines"], points, t
    )
    artists["crossings"], artists["crossing_labels"] = draw_crossings(ax, points, t, t_unit)
    artists["events"] = (
        draw_events(ax, result, series, t, module_index, case_index, t_unit) if events else []
    )
    finish(ax, label("time", t_unit), label(name, unit), title=title)
    return artists
