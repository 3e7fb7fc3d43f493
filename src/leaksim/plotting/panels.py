"""Pressure, O2 partial pressure and temperature of a run as three panels on one time axis."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from .decay import plot_oxygen, plot_pressure, plot_temperature

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
) -> dict[str, Any]:
    """Plot total pressure, O2 partial pressure and temperature as three stacked panels.

    The panels share the time axis, labelled on the bottom one only; each has its thresholds
    and event markers as :func:`~leaksim.plotting.plot_pressure`. The curves and events are
    named on the top panel only where they are the same in all three (a lower panel whose
    coinciding modules differ keeps its own legend); the lower panels name their thresholds.

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

    Returns
    -------
    dict
        ``"axes"``: the three Axes, top to bottom; ``"pressure"``, ``"oxygen"``,
        ``"temperature"``: what each panel's plot function returned.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> from leaksim.stations import teaching_two_modules
    >>> artists = plot_overview(teaching_two_modules().run(), figure=Figure())
    >>> [ax.get_ylabel() for ax in artists["axes"]]
    ['pressure [mmHg]', 'O2 partial pressure [kPa]', 'temperature [°C]']
    """
    if figure is None:
        import matplotlib.pyplot as plt

        figure = plt.figure(layout="constrained", figsize=(7.0, 8.0))
    axes = figure.subplots(3, 1, sharex=True)
    common: dict[str, Any] = {"modules": modules, "cases": cases, "time_unit": time_unit}
    out: dict[str, Any] = {
        "axes": list(axes),
        "pressure": plot_pressure(result, axes[0], pressure_unit, **common),
        "oxygen": plot_oxygen(result, axes[1], oxygen_unit, **common),
        "temperature": plot_temperature(result, axes[2], temperature_unit, **common),
    }
    for ax in axes[:2]:
        ax.set_xlabel("")
    top = [line.get_label() for line in out["pressure"]["lines"]]
    for ax, key in ((axes[1], "oxygen"), (axes[2], "temperature")):
        if [line.get_label() for line in out[key]["lines"]] != top:
            continue  # its curves were merged otherwise: keep its own legend
        legend = ax.get_legend()
        if legend is not None:
            legend.remove()
        named = [line for line in out[key]["thresholds"] if not line.get_label().startswith("_")]
        if named:
            ax.legend(handles=named, fontsize="small")
    return out
