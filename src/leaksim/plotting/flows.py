"""Leak rate and hatch pressure differences against time.

The leak rate is computed from the stored module states rather than from the flow law: a
:class:`~leaksim.result.Result` holds the pressures and temperatures at the output times but
not the hole areas, discharge coefficients, growth tables or valve states the flow law needs,
and the change of the gas held is what the user asks about whatever opening let it out. The
time derivative is numpy's second-order central difference on the (possibly uneven) output
times, one-sided second-order at the ends (:func:`numpy.gradient` with ``edge_order=2``); it
smooths a step, such as a hatch closing, over one output interval.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from ..core.gas import MOLAR_GAS_CONSTANT, species_properties
from ..units import ureg
from ._common import (
    check_unit,
    draw_series,
    finish,
    group_name,
    label,
    new_axes,
    select_cases,
    select_modules,
    time_axis,
)
from .events import mark_lines, run_events

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from ..result import Result
    from ..station import Station

__all__ = ["plot_leak_rate", "plot_hatch_pressure_differences"]


def plot_leak_rate(
    result: Result,
    ax: Axes | None = None,
    rate_unit: str = "mmHg/day",
    volumes: Station | Mapping[str, Any] | Any | None = None,
    modules: str | Sequence[str] | None = None,
    cases: int | Sequence[int] | np.ndarray | None = None,
    time_unit: str | None = None,
    merge: bool = True,
    title: str | None = None,
) -> dict[str, list[Any]]:
    """Plot the leak rate against time, as a pressure-decay rate or as a mass flow.

    With a pressure rate unit (``"mmHg/day"``, the way ISS leak rates are often quoted), one
    curve per module of ``-dp/dt``. With a mass-flow unit (``"kg/day"``, ``"lb/day"``), one
    curve of the net mass the selected modules lose, ``-d/dt sum_i p_i V_i M_i / (R T_i)``
    (ideal gas, [1]_), which needs the module volumes; over the whole station it is the leak
    rate less any supply, counting the crew's O2 use.

    Parameters
    ----------
    result : leaksim.result.Result
        The run to plot [-].
    ax : matplotlib.axes.Axes, optional
        Axes to draw on. When None a new figure is created with pyplot [-].
    rate_unit : str, optional
        Unit of the rate axis: a pressure per time or a mass per time
        [pressure/time or mass/time unit, e.g. "mmHg/day", "Pa/s", "kg/day", "lb/day"].
    volumes : Station, mapping or pint.Quantity, optional
        Module volumes, needed for a mass rate: the :class:`~leaksim.station.Station` that was
        run, a mapping of module name to volume, or a quantity of shape (M,) or (C, M) in the
        result's module order [m^3].
    modules : str or sequence of str, optional
        Names of the modules to plot (or, for a mass rate, to add up); all when None [-].
    cases : int, sequence of int or bool array, optional
        Cases to plot, as indices or a mask of shape (C,); all when None [-].
    time_unit : str, optional
        Unit of the time axis; when None, as :func:`~leaksim.plotting.plot_pressure`
        [time unit, e.g. "h"].
    merge : bool, optional
        Draw modules whose curves coincide as one line (default True) [-].
    title : str, optional
        Title of the axes: "Pressure decay rate" or "Leak rate" (mass) when None, none
        when "" [-].

    Returns
    -------
    dict
        ``"lines"`` and ``"bands"``, as :func:`~leaksim.plotting.plot_pressure`.

    Raises
    ------
    ValueError
        On a unit of another dimension, a mass rate without volumes, volumes of the wrong
        shape, or a run with fewer than three output times.

    Notes
    -----
    The molar mass ``M_i`` of each module is that of its gas at the end of the run, taken as
    constant: exact while the gas only leaves (bulk flow carries the module's own composition),
    an approximation where supplies or the crew change it.

    References
    ----------
    .. [1] CODATA 2018 molar gas constant, as :data:`leaksim.core.gas.MOLAR_GAS_CONSTANT`.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> from leaksim.stations import teaching_two_modules
    >>> scenario = teaching_two_modules()
    >>> ax = Figure().subplots()
    >>> artists = plot_leak_rate(
    ...     scenario.run(), ax=ax, rate_unit="kg/day", volumes=scenario.station
    ... )
    >>> ax.get_ylabel()
    'leak rate [kg/day]'
    """
    unit = _rate_unit(rate_unit)
    module_index = select_modules(result, modules)
    case_index = select_cases(result, cases)
    t, t_unit = time_axis(result, time_unit, ax)
    time_s = np.asarray(result.solution.time, dtype=float)
    if time_s.size < 3:
        raise ValueError(
            f"plot_leak_rate needs at least three output times to differentiate, got {time_s.size}"
        )
    if ureg.Unit(unit).dimensionality == ureg.Unit("Pa/s").dimensionality:
        pressure = np.asarray(result.solution.pressure, dtype=float)[case_index][:, module_index]
        rate_si, names, what = (
            -np.gradient(pressure, time_s, axis=-1, edge_order=2),
            None,
            "pressure decay rate",
        )
        si = "Pa/s"
    else:
        mass = _module_mass(result, volumes)[case_index][:, module_index].sum(axis=1)
        rate_si, si = -np.gradient(mass, time_s, axis=-1, edge_order=2)[:, None, :], "kg/s"
        whole = len(module_index) == len(result.modules)
        names = ["station" if whole else group_name([result.modules[i] for i in module_index])]
        what = "leak rate"
    if names is None:
        names = [result.modules[i] for i in module_index]
    if ax is None:
        ax = new_axes()
    rate = ureg.Quantity(rate_si, si).m_as(unit)
    series = draw_series(ax, t, rate, names, case_index, result, merge)
    default = "Pressure decay rate" if what == "pressure decay rate" else "Leak rate"
    finish(ax, label("time", t_unit), label(what, unit), title=default if title is None else title)
    return {"lines": series["lines"], "bands": series["bands"]}


def _rate_unit(text: str) -> str:
    """``text`` if it is a pressure or a mass per time."""
    try:
        check_unit(text, "rate_unit", "Pa/s")
    except ValueError:
        try:
            check_unit(text, "rate_unit", "kg/s")
        except ValueError:
            raise ValueError(
                f"rate_unit must be a pressure per time (e.g. 'mmHg/day') or a mass per time "
                f"(e.g. 'kg/day'), got {text!r}"
            ) from None
    return text


def _module_mass(result: Result, volumes: Any) -> np.ndarray:
    """Gas mass in each module at each output time, ``p V M / (R T)``, shape (C, M, T) [kg]."""
    s = result.solution
    volume = _volumes(result, volumes)  # (C, M) [m^3]
    moles = np.asarray(s.final_moles, dtype=float)
    molar_mass = species_properties(tuple(s.species))[0]
    total = moles.sum(axis=-1)
    # A module emptied by the end keeps no composition: take air's 28.96 g/mol there.
    with np.errstate(invalid="ignore", divide="ignore"):
        mixture = np.where(total > 0, (moles * molar_mass).sum(axis=-1) / total, 0.028964)
    pressure = np.asarray(s.pressure, dtype=float)
    temperature = np.asarray(s.temperature, dtype=float)
    return pressure * (volume * mixture)[..., None] / (MOLAR_GAS_CONSTANT * temperature)


def _volumes(result: Result, volumes: Any) -> np.ndarray:
    """Module volumes as an array of shape (C, M) [m^3]."""
    n_cases, n_modules = result.n_cases, len(result.modules)
    if volumes is None:
        raise ValueError(
            "volumes: a mass leak rate needs the module volumes; pass the Station that was "
            "run, a mapping of module name to volume, or a quantity of shape (M,)"
        )
    if hasattr(volumes, "modules") and hasattr(volumes, "module_names"):  # a Station
        volumes = {m.name: ureg.Quantity(m.si["volume"], "m**3") for m in volumes.modules}
    if isinstance(volumes, Mapping):
        missing = [m for m in result.modules if m not in volumes]
        if missing:
            raise ValueError(f"volumes: no volume given for modules {missing}")
        columns = [_to_m3(volumes[m]) for m in result.modules]
        return np.stack([np.broadcast_to(c, (n_cases,)) for c in columns], axis=1)
    array = _to_m3(volumes)
    try:
        return np.broadcast_to(array, (n_cases, n_modules))
    except ValueError:
        raise ValueError(
            f"volumes must have shape ({n_modules},) or ({n_cases}, {n_modules}), got {array.shape}"
        ) from None


def _to_m3(value: Any) -> np.ndarray:
    quantity = ureg.Quantity(value) if isinstance(value, str) else value
    if not isinstance(quantity, ureg.Quantity):
        raise ValueError(f"volumes must carry a unit of volume, got {value!r}")
    check_unit(str(quantity.units), "volumes", "m**3")
    return np.asarray(quantity.m_as("m**3"), dtype=float)


def plot_hatch_pressure_differences(
    result: Result,
    ax: Axes | None = None,
    pressure_unit: str = "mmHg",
    hatches: str | Sequence[str] | None = None,
    cases: int | Sequence[int] | np.ndarray | None = None,
    time_unit: str | None = None,
    events: bool = True,
    merge: bool = True,
    title: str | None = None,
) -> dict[str, list[Any]]:
    """Plot the pressure difference across hatches against time.

    The difference is the pressure of the first module the hatch names less that of the
    second, so its sign shows which way the gas would push the hatch. Markers show when each
    hatch closed or opened.

    Parameters
    ----------
    result : leaksim.result.Result
        The run to plot [-].
    ax : matplotlib.axes.Axes, optional
        Axes to draw on. When None a new figure is created with pyplot [-].
    pressure_unit : str, optional
        Unit of the pressure-difference axis [pressure unit, e.g. "mmHg", "kPa", "psi"].
    hatches : str or sequence of str, optional
        Names of the hatches to plot; all when None [-].
    cases : int, sequence of int or bool array, optional
        Cases to plot, as indices or a mask of shape (C,); all when None [-].
    time_unit : str, optional
        Unit of the time axis; when None, as :func:`~leaksim.plotting.plot_pressure`
        [time unit, e.g. "h"].
    events : bool, optional
        Mark when the plotted hatches close or open (default True) [-].
    merge : bool, optional
        Draw hatches whose curves coincide as one line (default True) [-].
    title : str, optional
        Title of the axes: "Pressure difference across hatches" when None, none when "" [-].

    Returns
    -------
    dict
        ``"lines"``, ``"bands"`` as :func:`~leaksim.plotting.plot_pressure`, and ``"events"``.

    Raises
    ------
    ValueError
        On a run without hatches or without its link layout, an unknown hatch or a unit of
        the wrong dimension.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> from leaksim.stations import mir_spektr_1997
    >>> ax = Figure().subplots()
    >>> artists = plot_hatch_pressure_differences(mir_spektr_1997().run(), ax=ax)
    >>> ax.get_ylabel()
    'pressure difference [mmHg]'
    """
    unit = check_unit(pressure_unit, "pressure_unit", "Pa")
    index = _select_hatches(result, hatches)
    case_index = select_cases(result, cases)
    t, t_unit = time_axis(result, time_unit, ax)
    ends = result.link_ends[index]
    pressure = np.asarray(result.solution.pressure, dtype=float)[case_index]
    difference = pressure[:, ends[:, 0]] - pressure[:, ends[:, 1]]
    values = ureg.Quantity(difference, "Pa").m_as(unit)
    hatch_names = list(result.hatches)
    names = [
        f"{hatch_names[k]} ({result.modules[a]} - {result.modules[b]})"
        for k, (a, b) in zip(index, ends, strict=True)
    ]
    if ax is None:
        ax = new_axes()
    series = draw_series(ax, t, values, names, case_index, result, merge, what="hatches")
    markers = _hatch_events(ax, result, series, t, index, case_index, t_unit) if events else []
    default = "Pressure difference across hatches"
    finish(
        ax,
        label("time", t_unit),
        label("pressure difference", unit),
        title=default if title is None else title,
    )
    return {"lines": series["lines"], "bands": series["bands"], "events": markers}


def _select_hatches(result: Result, hatches: str | Sequence[str] | None) -> list[int]:
    names = list(result.hatches)
    if not names:
        raise ValueError("hatches: this result has no hatches to plot")
    if hatches is None:
        return list(range(len(names)))
    chosen = [hatches] if isinstance(hatches, str) else list(hatches)
    unknown = [h for h in chosen if h not in names]
    if unknown or not chosen:
        raise ValueError(f"hatches must name hatches of the result {names}, got {chosen}")
    return [names.index(h) for h in chosen]


def _hatch_events(
    ax: Axes,
    result: Result,
    series: dict[str, Any],
    t: np.ndarray,
    index: list[int],
    case_index: np.ndarray,
    time_unit: str,
) -> list[Any]:
    """Markers where the plotted hatches close or open, on their own curves."""
    markers: list[Any] = []
    for event in run_events(result):
        if event.kind.startswith("hatch") and event.link in index:
            times = ureg.Quantity(event.time[case_index], "s").m_as(time_unit)
            markers += mark_lines(ax, series, t, times, event, {event.link}, index)
    return markers
