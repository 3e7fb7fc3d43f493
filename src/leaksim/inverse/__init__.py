"""From observations to leaks: the inverse tools of leaksim.

* :func:`convert_leak` states a leak every way (mass rate, pressure rate in a volume,
  effective area, equivalent diameter, e-folding time) from any one of them
  (:mod:`leaksim.inverse.convert`);
* :func:`fit_leak` fits an effective area, with a confidence interval, to a pressure log and
  says whether an orifice or a viscous-crack law fits it better (:mod:`leaksim.inverse.fit`,
  logs read by :mod:`leaksim.inverse.logs`);
* :func:`locate_leak` infers which modules leak from hatch-isolation tests and proposes the
  next test (:mod:`leaksim.inverse.locate`);
* :func:`fit_budget` fits a trend to a history of leak rates and forecasts the gas needed and
  when a reserve runs out (:mod:`leaksim.inverse.budget`).

This package sits above the scenario layer: the core modules never import it.
"""

from __future__ import annotations

from .budget import BudgetForecast, LeakHistory, fit_budget, leak_history, read_leak_history
from .convert import LeakForms, convert_leak
from .fit import LeakFit, SegmentFit, fit_leak
from .locate import (
    Hypothesis,
    IsolationTest,
    Location,
    locate_leak,
    read_isolation_tests,
    simulate_isolation_test,
)
from .logs import PressureLog, pressure_log, read_pressure_log

__all__ = [
    "BudgetForecast",
    "Hypothesis",
    "IsolationTest",
    "LeakHistory",
    "Location",
    "fit_budget",
    "leak_history",
    "locate_leak",
    "read_isolation_tests",
    "read_leak_history",
    "simulate_isolation_test",
    "LeakFit",
    "LeakForms",
    "PressureLog",
    "SegmentFit",
    "convert_leak",
    "fit_leak",
    "pressure_log",
    "read_pressure_log",
]
