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

Each name is imported on first use (PEP 562), so that ``import leaksim`` and the command line's
``--help`` and ``--version`` load neither numpy nor pint; ``from leaksim import Station`` and
``leaksim.Station`` work as if everything had been imported up front.
"""

from __future__ import annotations

import importlib

# typing.TYPE_CHECKING without importing typing: this runs before the command line can catch
# Ctrl-C, so it does as little as it can (type checkers know the name)
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

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

# The module that defines each re-exported name; a new one goes here, in __all__ and in the
# TYPE_CHECKING imports above (a test checks that they agree). Hand-written rather than a
# lazy-import package: a few lines of the standard module __getattr__ hook, no dependency.
_DEFINED_IN = {
    "Crew": "station",
    "Hatch": "station",
    "Leak": "station",
    "LeaksimError": "errors",
    "Module": "station",
    "Network": "core.network",
    "Quantity": "units",
    "Result": "result",
    "Scenario": "scenario",
    "ScenarioError": "errors",
    "Solution": "core.solver",
    "SolverError": "errors",
    "Station": "station",
    "Supply": "station",
    "Threshold": "scenario",
    "Valve": "station",
    "load_scenario": "scenario_file",
    "loads_scenario": "scenario_file",
    "solve": "core.solver",
    "ureg": "units",
}

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


def __getattr__(name: str) -> Any:
    """Import a re-exported name, or a submodule such as ``leaksim.units``, on first use."""
    if name in _DEFINED_IN:
        value = getattr(importlib.import_module(f"{__name__}.{_DEFINED_IN[name]}"), name)
        globals()[name] = value  # later look-ups skip this hook
        return value
    if not name.startswith("__"):
        # `import leaksim; leaksim.units.ureg` worked when every layer was imported up front
        try:
            return importlib.import_module(f"{__name__}.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"{__name__}.{name}":
                raise
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
