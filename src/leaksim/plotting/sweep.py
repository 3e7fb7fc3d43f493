"""Plots of many cases at once: the distribution of a time, and an outcome over two parameters.

These take plain arrays, one value per case, so any collection of runs (a parameter sweep, a
Monte Carlo batch) can use them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from ..units import ureg
from ._common import COLOURS, auto_time_unit, check_unit, finish, new_axes, time_unit_for
from ._common import label as axis_label

if TYPE_CHECKING:
    import pint
    from matplotlib.axes import Axes

__all__ = ["plot_reserve_cdf", "plot_outcome_map"]

#: Above this many distinct values a swept parameter is treated as scattered and binned.
MAX_GRID_VALUES = 30


def plot_reserve_cdf(
    times: pint.Quantity,
    ax: Axes | None = None,
    label: str | None = None,
    time_unit: str | None = None,
    quantity: str = "reserve time",
) -> dict[str, list[Any]]:
    """Plot the empirical distribution (CDF) of a time over cases, such as the reserve time.

    The curve rises by ``1/N`` at each case's time, ``N`` counting every case. Cases whose
    time is infinite or NaN (threshold never reached, case failed) never add to it, so the
    curve levels off at the fraction of cases that reached it; the legend says how many did
    not.

    Parameters
    ----------
    times : pint.Quantity
        One time per case, shape (N,); inf or NaN for never reached [time].
    ax : matplotlib.axes.Axes, optional
        Axes to draw on. When None a new figure is created with pyplot [-].
    label : str, optional
        Legend text of the curve, e.g. the module or threshold it is about [-].
    time_unit : str, optional
        Unit of the time axis; when None, that of ``ax``'s time axis if it has one (so that
        several curves share a unit), else chosen from the largest finite time
        [time unit, e.g. "h"].
    quantity : str, optional
        Name of the time on the axis label (default "reserve time") [-].

    Returns
    -------
    dict
        ``"lines"``: the step curve (Line2D), one element.

    Raises
    ------
    ValueError
        If ``times`` is not a time quantity, is empty, or ``time_unit`` is not a time unit.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> from leaksim.units import ureg
    >>> times = ureg.Quantity([2.0, 3.0, float("inf"), 5.0], "h")
    >>> (line,) = plot_reserve_cdf(times, ax=Figure().subplots(), label="Lab")["lines"]
    >>> line.get_label(), float(line.get_ydata()[-1])
    ('Lab (1 of 4 never)', 0.75)
    """
    seconds = _as_seconds(times, "times")
    if seconds.size == 0:
        raise ValueError("times must hold at least one case, got none")
    unit = time_unit_for(seconds, time_unit, ax)
    reached = np.sort(seconds[np.isfinite(seconds)])
    x = ureg.Quantity(np.concatenate([[0.0], reached]), "s").m_as(unit)
    y = np.arange(reached.size + 1) / seconds.size
    never = seconds.size - reached.size
    text = label or quantity
    if never:
        text += f" ({never} of {seconds.size} never)"
    if ax is None:
        ax = new_axes()
    (line,) = ax.step(x, y, where="post", label=text, color=COLOURS[len(ax.get_lines()) % 8])
    ax.set_ylim(0.0, 1.02)
    finish(ax, axis_label(quantity, unit), "fraction of cases reached [-]")
    return {"lines": [line]}


def plot_outcome_map(
    x: pint.Quantity,
    y: pint.Quantity,
    outcome: pint.Quantity | np.ndarray,
    ax: Axes | None = None,
    x_name: str = "hole diameter",
    y_name: str = "response time",
    outcome_name: str = "outcome",
    x_unit: str | None = None,
    y_unit: str | None = None,
    outcome_unit: str | None = None,
    bins: int = 20,
    cmap: str = "viridis",
) -> dict[str, Any]:
    """Map the mean of an outcome over two swept parameters, with a colour bar.

    Each case is put in a cell: when a parameter takes at most :data:`MAX_GRID_VALUES`
    distinct values (a grid sweep) each value is a cell centred on it, otherwise (a scattered
    sample) ``bins`` equal cells span its range. A cell shows the mean of the finite outcomes
    of its cases, so a boolean outcome shows the fraction of cases where it holds; a cell
    without a finite outcome is left blank.

    Parameters
    ----------
    x, y : pint.Quantity
        Swept values of each case, shape (N,) [any unit, e.g. m and s].
    outcome : pint.Quantity or array_like
        Outcome of each case, shape (N,); inf and NaN are left out [any unit, or -].
    ax : matplotlib.axes.Axes, optional
        Axes to draw on. When None a new figure is created with pyplot [-].
    x_name, y_name : str, optional
        Names of the parameters on the axis labels [-].
    outcome_name : str, optional
        Name of the outcome on the colour bar [-].
    x_unit, y_unit : str, optional
        Units of the axes; when None, s, min, h or day for a time as on the time plots, else
        the unit of ``x`` or ``y`` itself, or its compact form (mm for 0.002 m) if the largest
        value is below 0.01 or above 10,000 of it [unit of x, y].
    outcome_unit : str, optional
        Unit of the colour bar; that of ``outcome`` when None [unit of outcome].
    bins : int, optional
        Number of cells along a scattered parameter (default 20) [-].
    cmap : str, optional
        Colour map; the default viridis is perceptually uniform and colour-blind safe [-].

    Returns
    -------
    dict
        ``"mesh"``: the QuadMesh; ``"colorbar"``: the Colorbar; ``"counts"``: cases with a finite
        outcome in each cell, shape (ny, nx).

    Raises
    ------
    ValueError
        On inputs of different lengths, ``x`` or ``y`` without a unit, or a unit of the
        wrong dimension.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> from leaksim.units import ureg
    >>> d = ureg.Quantity([2, 2, 5, 5], "mm")
    >>> delay = ureg.Quantity([1, 5, 1, 5], "min")
    >>> reserve = ureg.Quantity([30, 25, 6, 2], "h")
    >>> ax = Figure().subplots()
    >>> artists = plot_outcome_map(d, delay, reserve, ax=ax, outcome_name="reserve time")
    >>> artists["colorbar"].ax.get_ylabel()
    'reserve time [h]'
    """
    xs, x_unit = _axis_values(x, "x", x_unit)
    ys, y_unit = _axis_values(y, "y", y_unit)
    values, outcome_label = _outcome_values(outcome, outcome_name, outcome_unit)
    if not xs.size == ys.size == values.size:
        raise ValueError(
            f"x, y and outcome must hold one value per case, got {xs.size}, {ys.size} and "
            f"{values.size} values"
        )
    x_edges, y_edges = _edges(xs, bins), _edges(ys, bins)
    mean, counts = _cell_means(xs, ys, values, x_edges, y_edges)
    if ax is None:
        ax = new_axes()
    mesh = ax.pcolormesh(x_edges, y_edges, np.ma.masked_invalid(mean), cmap=cmap)
    colorbar = ax.figure.colorbar(mesh, ax=ax, label=outcome_label)
    finish(ax, axis_label(x_name, x_unit), axis_label(y_name, y_unit), legend=False)
    return {"mesh": mesh, "colorbar": colorbar, "counts": counts}


def _as_seconds(times: Any, what: str) -> np.ndarray:
    if not isinstance(times, ureg.Quantity):
        raise ValueError(f"{what} must be a time quantity, got {type(times).__name__}")
    check_unit(str(times.units), what, "s")
    return np.atleast_1d(np.asarray(times.m_as("s"), dtype=float)).ravel()


def _axis_values(values: Any, what: str, unit: str | None) -> tuple[np.ndarray, str]:
    """Magnitudes of a parameter quantity in ``unit`` (its compact unit when None), and it."""
    if not isinstance(values, ureg.Quantity):
        raise ValueError(f"{what} must be a pint quantity, got {type(values).__name__}")
    if unit is None and values.dimensionality == ureg.Unit("s").dimensionality:
        unit = auto_time_unit(np.asarray(values.m_as("s"), dtype=float))
    elif unit is None:
        finite = np.abs(np.asarray(values.magnitude, dtype=float))
        largest = float(np.nanmax(finite[np.isfinite(finite)], initial=0.0))
        unit = str(values.units)
        if not 1e-2 <= largest < 1e4:  # e.g. a diameter in m from a sweep: shown in mm
            unit = str(ureg.Quantity(largest, values.units).to_compact().units)
    check_unit(unit, f"{what}_unit", str(values.units))
    return np.atleast_1d(np.asarray(values.m_as(unit), dtype=float)).ravel(), unit


def _outcome_values(outcome: Any, name: str, unit: str | None) -> tuple[np.ndarray, str]:
    if isinstance(outcome, ureg.Quantity):
        unit = unit or str(outcome.units)
        check_unit(unit, "outcome_unit", str(outcome.units))
        return np.asarray(outcome.m_as(unit), dtype=float).ravel(), axis_label(name, unit)
    if unit is not None:
        raise ValueError(f"outcome_unit given ({unit!r}) for an outcome without a unit")
    return np.asarray(outcome, dtype=float).ravel(), f"{name} [-]"


def _edges(values: np.ndarray, bins: int) -> np.ndarray:
    """Cell edges: midpoints between the distinct values of a grid, else ``bins`` cells."""
    distinct = np.unique(values[np.isfinite(values)])
    if distinct.size == 0:
        raise ValueError("x and y must hold finite values")
    if distinct.size == 1:
        half = 0.5 * abs(distinct[0]) or 0.5
        return np.array([distinct[0] - half, distinct[0] + half])
    if distinct.size <= MAX_GRID_VALUES:
        middle = 0.5 * (distinct[1:] + distinct[:-1])
        return np.concatenate(
            [[2 * distinct[0] - middle[0]], middle, [2 * distinct[-1] - middle[-1]]]
        )
    return np.linspace(distinct[0], distinct[-1], bins + 1)


def _cell_means(
    xs: np.ndarray, ys: np.ndarray, values: np.ndarray, x_edges: np.ndarray, y_edges: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Mean of the finite values per cell and cases per cell, each of shape (ny, nx)."""
    nx, ny = x_edges.size - 1, y_edges.size - 1
    ix = np.clip(np.searchsorted(x_edges, xs, side="right") - 1, 0, nx - 1)
    iy = np.clip(np.searchsorted(y_edges, ys, side="right") - 1, 0, ny - 1)
    cell = iy * nx + ix
    keep = np.isfinite(values) & np.isfinite(xs) & np.isfinite(ys)
    total = np.bincount(cell[keep], weights=values[keep], minlength=nx * ny)
    counts = np.bincount(cell[keep], minlength=nx * ny)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(counts > 0, total / counts, np.nan)
    return mean.reshape(ny, nx), counts.reshape(ny, nx)
