"""Put sampled values into a scenario: paths, checks, and groups of cases that share a layout.

A path is ``"<kind>.<name>.<key>"`` (``kind`` one of module, hatch, leak, valve, supply, crew,
scrubber, threshold; modules by name, other items by their ``name``) or ``"simulation.<key>"``.
The name sits between the first dot and the last, so it may hold dots itself
(``"module.Lab.v2.volume"``).
A value that changes the layout of the station (the module a leak is in, a gas, an energy
mode) cannot vary inside one batch, so the cases of a chunk are grouped by those values and
each group is solved as one batch; a case's result does not depend on the batch it is in
(the solver is deterministic case by case), so the grouping does not show in the rows.

``"leak.<name>.isolate_after"`` is a sweep-only key: the crew closes every hatch of the leak's
module that long after the hole opens (the earlier time wins where the hatch already has a
``close_at``). It is the common response model of impact studies: isolate the leaking module.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

import numpy as np

from .. import _params as p
from ..errors import ScenarioError
from ..scenario import Scenario
from ..station import Station
from .distributions import Distribution

__all__ = ["check_paths", "groups", "build"]

#: Item kinds by path prefix, and the Station field holding them.
_KINDS = {
    "module": "modules",
    "hatch": "hatches",
    "leak": "leaks",
    "valve": "valves",
    "supply": "supplies",
    "crew": "crew",
    "scrubber": "scrubbers",
}
_SIMULATION_KEYS = ("duration", "energy", "output_interval", "relative_tolerance")
#: Pairs of keys of which an item takes exactly one: setting one clears the other.
#: What a swept size replaces, by kind of item: the other ways of giving the same opening.
_EXCLUSIVE: dict[str, dict[str, tuple[str, ...]]] = {
    "leak": {
        "area": ("diameter", "effective_area"),
        "diameter": ("area", "effective_area"),
        # Cd A is the size and the coefficient together.
        "effective_area": ("area", "diameter", "discharge_coefficient"),
    },
    "hatch": {"area": ("diameter",), "diameter": ("area",)},
    "valve": {"area": ("diameter",), "diameter": ("area",)},
}
ISOLATE = "isolate_after"


def check_paths(scenario: Scenario, parameters: Mapping[str, Distribution]) -> None:
    """Refuse paths that name nothing in ``scenario``, and scenarios that already vary.

    Raises
    ------
    leaksim.errors.ScenarioError
        Naming the path, what is wrong and the valid choices.
    """
    if scenario.n_cases != 1:
        raise ScenarioError(
            f"a swept scenario must give one value per parameter; this one already has "
            f"{scenario.n_cases} cases from its lists"
        )
    for path in parameters:
        _target(scenario, path)
    for path in parameters:
        if path.endswith("." + ISOLATE):
            _check_isolation(path, parameters)


def _check_isolation(path: str, parameters: Mapping[str, Any]) -> None:
    kind = parameters[path]
    if not kind.numeric or kind.unit != "s":
        raise ScenarioError(f"{path} must be a time, got values in {kind.unit or 'no unit'}")


def _target(scenario: Scenario, path: str) -> tuple[str, Any, str]:
    """``(kind, item, key)`` named by ``path``; raises naming the valid choices."""
    parts = path.split(".")
    if parts[0] == "simulation" and len(parts) == 2:
        if parts[1] not in _SIMULATION_KEYS:
            raise _unknown(path, "key", parts[1], _SIMULATION_KEYS)
        return "simulation", scenario, parts[1]
    if len(parts) < 3:
        raise ScenarioError(
            f"swept parameter {path!r} must be '<kind>.<name>.<key>' or 'simulation.<key>'"
        )
    # Kinds and keys hold no dot, so a name may: "module.Lab.v2.volume" is module 'Lab.v2'.
    kind, name, key = parts[0], ".".join(parts[1:-1]), parts[-1]
    if kind == "threshold":
        items: list[Any] = list(scenario.thresholds)
    elif kind in _KINDS:
        items = _station_items(scenario.station, kind)
    else:
        raise _unknown(path, "kind", kind, ("simulation", *_KINDS, "threshold"))
    names = [item.name for item in items]
    if name not in names:
        raise _unknown(path, f"{kind} name", name, names)
    item = items[names.index(name)]
    keys = [f.name for f in dataclasses.fields(item) if f.init and f.name != "name"]
    if kind == "leak":
        keys.append(ISOLATE)
    if key not in keys:
        raise _unknown(path, f"{kind} key", key, keys)
    return kind, item, key


def _item_name(path: str) -> str:
    """The item a ``"<kind>.<name>.<key>"`` path names (the name may hold dots)."""
    return path.split(".", 1)[1].rsplit(".", 1)[0]


def _station_items(station: Station, kind: str) -> list[Any]:
    return list(getattr(station, _KINDS[kind]))


def _unknown(path: str, what: str, got: str, choices: Any) -> ScenarioError:
    valid = ", ".join(map(repr, choices)) or "none"
    return ScenarioError(
        f"swept parameter {path!r}: no {what} {got!r}{p.did_you_mean(got, choices)}; valid: {valid}"
    )


def groups(
    values: Mapping[str, np.ndarray], parameters: Mapping[str, Distribution]
) -> list[tuple[np.ndarray, dict[str, Any]]]:
    """Split cases by the values of their non-numeric parameters.

    Returns
    -------
    list of (numpy.ndarray, dict)
        Positions of the cases in the group, and the text value of each non-numeric parameter
        they share; in the order of first appearance.
    """
    text = [path for path, kind in parameters.items() if not kind.numeric]
    n = len(next(iter(values.values()))) if values else 0
    if not text:
        return [(np.arange(n), {})]
    # One integer per combination of values, without a Python loop over the cases.
    key = np.zeros(n, dtype=np.int64)
    for path in text:
        names, code = np.unique(values[path].astype(str), return_inverse=True)
        key = key * len(names) + code
    _, first, inverse = np.unique(key, return_index=True, return_inverse=True)
    out = []
    for g in np.argsort(first):
        members = np.flatnonzero(inverse == g)
        out.append((members, {path: values[path][members[0]] for path in text}))
    return out


def build(
    scenario: Scenario,
    parameters: Mapping[str, Distribution],
    values: Mapping[str, np.ndarray],
    shared: Mapping[str, Any],
    n_cases: int,
) -> Scenario:
    """The scenario of one group: per-case lists for numeric values, ``shared`` text values.

    Parameters
    ----------
    scenario : Scenario
        The swept scenario (one case).
    parameters : mapping of str to Distribution
        The swept parameters.
    values : mapping of str to numpy.ndarray
        Numeric values of the group's cases, SI floats.
    shared : mapping of str to str
        Values of the non-numeric parameters for the group.
    n_cases : int
        Number of cases in the group [-].

    Returns
    -------
    Scenario
        With as many cases as the group.
    """
    changes: dict[tuple[str, str], dict[str, Any]] = {}
    for path, kind in parameters.items():
        if path.endswith("." + ISOLATE):
            continue
        item_kind, item, key = _target(scenario, path)
        value = shared[path] if path in shared else _quantity(values[path], kind.unit)
        entry = changes.setdefault((item_kind, "" if item_kind == "simulation" else item.name), {})
        entry[key] = value
        for other in _EXCLUSIVE.get(item_kind, {}).get(key, ()):
            entry.setdefault(other, None)  # a value swept too is kept, and refused as given twice
    station = _station(scenario.station, changes)
    station = _isolate(station, parameters, values, n_cases)
    simulation = changes.get(("simulation", ""), {})
    thresholds = [
        dataclasses.replace(t, **changes.get(("threshold", t.name), {}))
        for t in scenario.thresholds
    ]
    return dataclasses.replace(scenario, station=station, thresholds=thresholds, **simulation)


def _quantity(values: np.ndarray, unit: str) -> p.SIValues:
    # The draws are SI floats already: the station checks them as they are, no quantity built.
    return p.SIValues(values, unit)


def _station(station: Station, changes: Mapping[tuple[str, str], dict[str, Any]]) -> Station:
    fields: dict[str, Any] = {}
    for kind, attribute in _KINDS.items():
        items = _station_items(station, kind)
        if not any((kind, item.name) in changes for item in items):
            continue
        new = [dataclasses.replace(item, **changes.get((kind, item.name), {})) for item in items]
        fields[attribute] = new
    return dataclasses.replace(station, **fields) if fields else station


def _isolate(
    station: Station,
    parameters: Mapping[str, Distribution],
    values: Mapping[str, np.ndarray],
    n_cases: int,
) -> Station:
    """Close the hatches of each ``isolate_after`` leak's module at its opening + the delay."""
    close: dict[str, np.ndarray] = {}
    for path in parameters:
        if not path.endswith("." + ISOLATE):
            continue
        leak = next(leak for leak in station.leaks if leak.name == _item_name(path))
        at = np.asarray(leak.si["start"], dtype=float) + np.asarray(values[path], dtype=float)
        for hatch in station.hatches:
            # a Station names every hatch; the assert tells the type checker so
            assert hatch.name is not None
            if leak.module in hatch.between:
                close[hatch.name] = np.minimum(close.get(hatch.name, np.inf), at)
    if not close:
        return station
    hatches = []
    for hatch in station.hatches:
        if hatch.name in close:
            own = np.asarray(hatch.si.get("close_at", np.inf), dtype=float)
            at = np.broadcast_to(np.minimum(own, close[hatch.name]), (n_cases,))
            hatch = dataclasses.replace(hatch, close_at=p.SIValues(at, "s"))
        hatches.append(hatch)
    return dataclasses.replace(station, hatches=hatches)
