"""Plots of leaksim results and stations, on matplotlib.

Plot functions take an optional ``ax`` and return the artists they drew, so callers can restyle
them and tests can check them without looking at pixels (as python-control's ``ctrlplot``).
matplotlib is imported only when a plot is made, never on ``import leaksim``; pyplot only when
no ``ax`` is given. One module per topic:

* :mod:`~leaksim.plotting.decay`: :func:`plot_pressure` (the pressure-decay curves, with
  thresholds and event markers), :func:`plot_oxygen`, :func:`plot_carbon_dioxide`,
  :func:`plot_temperature`;
* :mod:`~leaksim.plotting.flows`: :func:`plot_leak_rate`, :func:`plot_hatch_pressure_differences`;
* :mod:`~leaksim.plotting.panels`: :func:`plot_overview`, the three quantities stacked;
* :mod:`~leaksim.plotting.sweep`: :func:`plot_reserve_cdf` and :func:`plot_outcome_map`, on
  plain per-case arrays;
* :mod:`~leaksim.plotting.diagram`: :func:`plot_station`.

Above :data:`MAX_CASE_LINES` cases the time plots draw a median and a band between the
:data:`BAND_PERCENTILES` instead of one line per case. Colours are Okabe and Ito's colour-blind
safe palette; the time axis takes s, min, h or day from the span of the run.
"""

from __future__ import annotations

from ._common import BAND_PERCENTILES, COLOURS, MAX_CASE_LINES
from .decay import plot_carbon_dioxide, plot_oxygen, plot_pressure, plot_temperature
from .diagram import plot_station
from .flows import plot_hatch_pressure_differences, plot_leak_rate
from .panels import plot_overview
from .sweep import plot_outcome_map, plot_reserve_cdf

__all__ = [
    "BAND_PERCENTILES",
    "COLOURS",
    "MAX_CASE_LINES",
    "plot_carbon_dioxide",
    "plot_hatch_pressure_differences",
    "plot_leak_rate",
    "plot_outcome_map",
    "plot_overview",
    "plot_oxygen",
    "plot_pressure",
    "plot_reserve_cdf",
    "plot_station",
    "plot_temperature",
]
