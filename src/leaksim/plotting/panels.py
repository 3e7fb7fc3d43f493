"""Pressure, O2 partial pressure, CO2 (when watched) and temperature as panels on one time axis."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from ._common import place_legend
from .decay import plot_carbon_dioxide, plot_oxygen, plot_pressure, plot_temperature

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from ..result import Result

__all__ = ["plot_overview"]


def plot_overview(
    result: Result,
    figure: Figure | None = None,
    pressure_unit: str = "mmHg",
    oxygen_unit: str = "kPa",
    temperature_unit: str = "degC",
    modules: str | Sequence[str] | None = None,
    cases: int | Sequence[int] | np.ndarray | None = None,
    time_unit: str | None = None,
    title: str | None = None,
    co2_unit: str = "kPa",
) -> dict[str, Any]:
    """Plot total pressure, O2 partial pressure and temperature as stacked panels.

    A run with a threshold on the CO2 partial pressure (a crew in a sealed cabin) gets a
    fourth panel for it, above the temperature. The panels share the time axis, labelled on
    the bottom one only; each has its thresholds, crossing markers and event markers as
    :func:`~leaksim.plotting.plot_pressure`. The curves and events are named on the top panel
    only where they are the same in every panel (a lower panel whose coinciding modules differ
    keeps its own legend); the lower panels name their thresholds and crossings. The title
    goes above the top panel.

    Parameters
    ----------
    result : leaksim.result.Result
        The run to plot [-].
    figure : matplotlib.figure.Figure, optional
        Empty figure to draw in; when None one is created with pyplot [-].
    pressure_unit : str, optional
        Unit of the total-pressure panel [pressure unit, e.g. "mmHg", "kPa", "psi"].
    oxygen_unit : str, optional
        Unit of the O2 partial-pressure panel [pressure unit, e.g. "kPa", "mmHg"].
    temperature_unit : str, optional
        Unit of the temperature panel [temperature unit, e.g. "degC", "K"].
    modules : str or sequence of str, optional
        Names of the modules to plot; all when None [-].
    cases : int, sequence of int or bool array, optional
        Cases to plot, as indices or a mask of shape (C,); all when None [-].
    time_unit : str, optional
        Unit of the time axis; when None, as :func:`~leaksim.plotting.plot_pressure`
        [time unit, e.g. "h"].
    title : str, optional
        Title above the panels, naming the quantities shown when None; none when "" [-].
    co2_unit : str, optional
        Unit of the CO2 partial-pressure panel, drawn when a threshold watches CO2
        [pressure unit, e.g. "kPa", "mmHg"].

    Returns
    -------
    dict
        ``"axes"``: the Axes, top to bottom; ``"pressure"``, ``"oxygen"``, ``"co2"`` (only
        with a CO2 panel) and ``"temperature"``: what each panel's plot function returned.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> from leaksim.stations import teaching_two_modules
    >>> artists = plot_overview(teaching_two_modules().run(), figure=Figure())
    >>> [ax.get_ylabel() for ax in artists["axes"]]
    ['pressure [mmHg]', 'O2 partial pressure [kPa]', 'temperature [°C]']
    """
    with_co2 = "partial_pressure_CO2" in result.threshold_quantities.values()
    if figure is None:
        import matplotlib.pyplot as plt

        figure = plt.figure(layout="constrained", figsize=(8.0, 10.0 if with_co2 else 8.0))
    keys = ["pressure", "oxygen", *(["co2"] if with_co2 else []), "temperature"]
    axes = list(figure.subplots(len(keys), 1, sharex=True))
    common: dict[str, Any] = {"modules": modules, "cases": cases, "time_unit": time_unit}
    common["title"] = ""
    plots: dict[str, tuple[Any, str]] = {
        "pressure": (plot_pressure, pressure_unit),
        "oxygen": (plot_oxygen, oxygen_unit),
        "co2": (plot_carbon_dioxide, co2_unit),
        "temperature": (plot_temperature, temperature_unit),
    }
    out: dict[str, Any] = {"axes": axes}
    for ax, key in zip(axes, keys, strict=True):
        function, unit = plots[key]
        out[key] = function(result, ax, unit, **common)
    for ax in axes[:-1]:
        ax.set_xlabel("")
    shown = "O2 and CO2 partial pressures" if with_co2 else "O2 partial pressure"
    axes[0].set_title(f"Pressure, {shown} and temperature" if title is None else title)
    _share_legend(axes, keys, out)
    return out


def _share_legend(axes: list[Any], keys: list[str], out: dict[str, Any]) -> None:
    """Name the curves on the top panel only, where a lower panel's curves are the same."""
    top = [line.get_label() for line in out[keys[0]]["lines"]]
    for ax, key in zip(axes[1:], keys[1:], strict=True):
        if [line.get_label() for line in out[key]["lines"]] != top:
            continue  # its curves were merged otherwise: keep its own legend
        legend = ax.get_legend()
        if legend is not None:
            legend.remove()
        drawn = out[key]["thresholds"] + out[key]["crossings"]
        named = [artist for artist in drawn if not artist.get_label().startswith("_")]
        if named:
            place_legend(ax, named)
