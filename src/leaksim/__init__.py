"""leaksim: simulate air leaking from spacecraft cabins, one case or a hundred thousand at once.

The public API, layer by layer:

* stations and scenarios with units: :class:`Module`, :class:`Hatch`, :class:`Leak`,
  :class:`Station`, :class:`Threshold`, :class:`Scenario`, :func:`load_scenario`;
* results with units: :class:`Result` (``.pressure``, ``.threshold_times``, ``.summary()``,
  ``.to_dataframe()``, ``.plot()``);
* from observations to leaks: :mod:`leaksim.inverse` (``convert_leak``, ``fit_leak``,
  ``locate_leak``, ``fit_budget``);
* the SI core: :class:`leaksim.core.network.Network` and :func:`leaksim.core.solver.solve`;
* the one unit registry :data:`ureg`, and the errors :class:`LeaksimError`,
  :class:`ScenarioError`, :class:`SolverError`.
"""

from __future__ import annotations

from . import inverse, stations
from .core.network import Network
from .core.solver import Solution, solve
from .errors import LeaksimError, ScenarioError, SolverError
from .result import Result
from .scenario import Scenario, Threshold
from .scenario_file import load_scenario, loads_scenario
from .station import Crew, Hatch, Leak, Module, Station, Supply, Valve
from .units import Quantity, ureg

__version__ = "0.1.0"

__all__ = [
    "Crew",
    "Hatch",
    "Leak",
    "LeaksimError",
    "Module",
    "Network",
    "Quantity",
    "Result",
    "Scenario",
    "ScenarioError",
    "Solution",
    "SolverError",
    "Station",
    "Supply",
    "Threshold",
    "Valve",
    "__version__",
    "inverse",
    "load_scenario",
    "loads_scenario",
    "solve",
    "stations",
    "ureg",
]
