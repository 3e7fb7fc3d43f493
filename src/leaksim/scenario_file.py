"""Read scenario files (TOML) into :class:`leaksim.scenario.Scenario` objects.

The file format is a public contract (``docs/scenario-format.md``): one ``[simulation]`` table
and arrays of ``[[module]]``, ``[[hatch]]``, ``[[leak]]`` and ``[[threshold]]`` tables whose keys
are the arguments of :class:`~leaksim.station.Module`, :class:`~leaksim.station.Hatch`,
:class:`~leaksim.station.Leak`, :class:`~leaksim.scenario.Threshold` and
:class:`~leaksim.scenario.Scenario`. This version adds ``relative_tolerance`` to
``[simulation]``.

Every problem with a file raises one :class:`~leaksim.errors.ScenarioError` whose one-line
message names the file, the table (with its position and name), the key, the rule and the value
received, for example::

    two_modules.toml: [[leak]] #1 'hole': diameter must be > 0 m, got '-2 mm'

Examples
--------
>>> scenario = loads_scenario('''
... [simulation]
... duration = "2 h"
... [[module]]
... name = "Lab"
... volume = "100 m^3"
... [[leak]]
... module = "Lab"
... diameter = "10 mm"
... ''')
>>> scenario.station.leaks[0].name, scenario.n_cases
('leak1', 1)
"""

from __future__ import annotations

import difflib
import os
import tomllib
from collections.abc import Callable
from dataclasses import fields
from pathlib import Path
from typing import Any, TypeVar

from . import _params as p
from .errors import ScenarioError
from .scenario import Scenario, Threshold
from .station import Crew, Hatch, Leak, Module, Scrubber, Station, Supply, Valve

__all__ = ["load_scenario", "loads_scenario", "loads_with_sweep", "read_text"]

T = TypeVar("T")


def _init_keys(cls: type, *, without: tuple[str, ...] = ()) -> tuple[str, ...]:
    return tuple(f.name for f in fields(cls) if f.init and f.name not in without)


#: Keys each table accepts: exactly the arguments of the object it builds.
TABLE_KEYS: dict[str, tuple[str, ...]] = {
    "simulation": _init_keys(Scenario, without=("station", "thresholds")),
    "module": _init_keys(Module),
    "hatch": _init_keys(Hatch),
    "leak": _init_keys(Leak),
    "supply": _init_keys(Supply),
    "valve": _init_keys(Valve),
    "crew": _init_keys(Crew),
    "scrubber": _init_keys(Scrubber),
    "threshold": _init_keys(Threshold),
}
#: Keys a table must give (area or diameter is checked by the object: exactly one of them).
REQUIRED_KEYS: dict[str, tuple[str, ...]] = {
    "simulation": ("duration",),
    "module": ("name", "volume"),
    "hatch": ("between",),
    "leak": ("module",),
    "supply": ("module",),
    "valve": (),
    "crew": ("count", "module"),
    "scrubber": ("module",),
    "threshold": ("name",),
}
# Parts of the format that belong to the operations and sweep work, not read yet.
_LATER_KEYS: dict[str, tuple[str, ...]] = {}
_ITEM_CLASSES: dict[str, type] = {
    "module": Module,
    "hatch": Hatch,
    "leak": Leak,
    "supply": Supply,
    "valve": Valve,
    "scrubber": Scrubber,
    "threshold": Threshold,
}


def load_scenario(path: str | os.PathLike[str]) -> Scenario:
    """Read a scenario file.

    Parameters
    ----------
    path : str or os.PathLike
        The TOML file; messages name it as given.

    Returns
    -------
    leaksim.scenario.Scenario

    Raises
    ------
    leaksim.errors.ScenarioError
        If the file cannot be read, is not UTF-8 TOML, has a ``[sweep]`` table (read it with
        :func:`leaksim.sweep.load_sweep`), or describes a scenario that breaks a rule; the
        one-line message names the file, the table, the key, the rule and the value received.
    """
    return loads_scenario(*read_text(path))


def read_text(path: str | os.PathLike[str]) -> tuple[str, str]:
    """The text of a scenario file and its name for messages; refuses unreadable files."""
    source = os.fspath(path)
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise ScenarioError(
            f"cannot read the scenario file: {exc.strerror or exc}", source
        ) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ScenarioError(
            f"the scenario file must be UTF-8 text, got byte {raw[exc.start]:#04x} at offset "
            f"{exc.start}",
            source,
        ) from None
    # Some editors start UTF-8 files with a byte-order mark, which TOML does not allow.
    return text.removeprefix("\ufeff"), source


def loads_scenario(text: str, source: str = "<string>") -> Scenario:
    """Read a scenario from TOML text.

    Parameters
    ----------
    text : str
        The TOML document.
    source : str, default "<string>"
        Name of the text's origin, put at the start of every message.

    Returns
    -------
    leaksim.scenario.Scenario

    Raises
    ------
    leaksim.errors.ScenarioError
        As :func:`load_scenario`.
    """
    scenario, sweep = loads_with_sweep(text, source)
    if sweep is not None:
        raise ScenarioError(
            "the file has a [sweep] table: run it with 'leaksim sweep' "
            "(leaksim.sweep.load_sweep in Python)",
            source,
        )
    return scenario


def loads_with_sweep(text: str, source: str = "<string>") -> tuple[Scenario, Any]:
    """Read a scenario from TOML text, and its ``[sweep]`` table (None when absent).

    The sweep table is returned as read; :mod:`leaksim.sweep.file` checks it.
    """
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(f"invalid TOML: {exc}", source) from None
    except RecursionError:
        # tomllib reads nested arrays and inline tables by recursion
        raise ScenarioError(
            "arrays or tables nested too deeply for the TOML reader (a scenario file nests at "
            f"most {MAX_DEPTH} levels)",
            source,
        ) from None
    _check_depth(data, source)
    sweep = data.pop("sweep", None)
    try:
        return _scenario(data), sweep
    except ScenarioError as err:
        located = err.located(source)
        # The command line prints the message as one line.
        raise ScenarioError(located.rule.replace("\n", " "), located.source) from None


#: Deepest nesting of tables and arrays a scenario file may have; the format itself needs six
#: (``[[leak]]`` > ``growth`` > ``table`` > a row > a value, under the document).
MAX_DEPTH = 16


def _check_depth(data: dict[str, Any], source: str) -> None:
    """Refuse a document nested deeper than :data:`MAX_DEPTH` before anything recurses into it."""
    level: list[Any] = [data]
    for _ in range(MAX_DEPTH):
        level = [
            child
            for value in level
            for child in (value.values() if isinstance(value, dict) else value)
            if isinstance(child, dict | list)
        ]
        if not level:
            return
    raise ScenarioError(
        f"arrays or tables nested more than {MAX_DEPTH} levels deep (a scenario file needs at "
        "most six)",
        source,
    )


def _scenario(data: dict[str, Any]) -> Scenario:
    _check_top_level(data)
    tables = {kind: _array_of_tables(data, kind) for kind in _ITEM_CLASSES}
    tables["simulation"] = [_simulation_table(data)]
    simulation = tables["simulation"][0]
    _check_keys("simulation", simulation, "[simulation]")
    if not tables["module"]:
        raise ScenarioError("at least one [[module]] table is required, got none")
    items = {
        kind: [_item(cls, kind, i, table) for i, table in enumerate(tables[kind])]
        for kind, cls in _ITEM_CLASSES.items()
    }
    # One [crew] table, or several [[crew]] tables (one per module or group).
    tables["crew"] = _crew_tables(data)
    crew = [_item(Crew, "crew", i, table) for i, table in enumerate(tables["crew"])]
    station = _at_table(
        tables,
        lambda: Station(
            items["module"],
            items["hatch"],
            items["leak"],
            supplies=items["supply"],
            crew=crew,
            valves=items["valve"],
            scrubbers=items["scrubber"],
        ),
    )
    return _at_table(tables, lambda: Scenario(station, thresholds=items["threshold"], **simulation))


def _check_top_level(data: dict[str, Any]) -> None:
    for key, value in data.items():
        if key in TABLE_KEYS:
            continue
        owners = [_syntax(kind) for kind, keys in TABLE_KEYS.items() if key in keys]
        if owners and not isinstance(value, dict | list):
            raise ScenarioError(
                f"key {key!r} must be inside a table such as {owners[0]}, got it at the top level"
            )
        written = _written(key, value)
        what = "table" if written.startswith("[") else "top-level key"
        known = ", ".join(_syntax(kind) for kind in TABLE_KEYS)
        raise ScenarioError(
            f"unknown {what} {written}" + (_suggest_table(key) or f"; the tables are {known}")
        )


def _suggest_table(key: str) -> str:
    close = difflib.get_close_matches(key, list(TABLE_KEYS), n=1, cutoff=0.6)
    return f" (did you mean {_syntax(close[0])}?)" if close else ""


def _syntax(kind: str) -> str:
    return f"[{kind}]" if kind == "simulation" else f"[[{kind}]]"


def _written(key: str, value: Any) -> str:
    """How the user wrote a top-level entry: [name], [[name]] or a plain key."""
    if isinstance(value, dict):
        return f"[{key}]"
    if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        return f"[[{key}]]"
    return repr(key)


def _array_of_tables(data: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    value = data.get(kind, [])
    if isinstance(value, dict):
        raise ScenarioError(f"{kind} must be an array of tables: write [[{kind}]], not [{kind}]")
    if not isinstance(value, list) or not all(isinstance(t, dict) for t in value):
        raise ScenarioError(f"{kind} must be an array of [[{kind}]] tables, got {p.show(value)}")
    return value


def _simulation_table(data: dict[str, Any]) -> dict[str, Any]:
    if "simulation" not in data:
        raise ScenarioError("missing table [simulation] (it must give at least duration)")
    table = data["simulation"]
    if not isinstance(table, dict):
        raise ScenarioError(
            f"simulation must be one table: write [simulation], got {_written('simulation', table)}"
        )
    return table


def _crew_tables(data: dict[str, Any]) -> list[dict[str, Any]]:
    """The crew tables: a single [crew] table or an array of [[crew]] tables."""
    if "crew" not in data:
        return []
    if isinstance(data["crew"], list):
        return _array_of_tables(data, "crew")
    return [_single_table(data, "crew")]


def _single_table(data: dict[str, Any], kind: str) -> dict[str, Any]:
    table = data[kind]
    if not isinstance(table, dict):
        raise ScenarioError(
            f"{kind} must be one table: write [{kind}], got {_written(kind, table)}"
        )
    return table


def _label(kind: str, index: int, table: dict[str, Any]) -> str:
    """``[[leak]] #1 'hole'``: table, position from 1, and name when the table gives one."""
    if kind == "simulation" or (kind == "crew" and index == 0 and "name" not in table):
        return f"[{kind}]"
    name = table.get("name")
    return f"[[{kind}]] #{index + 1}" + (f" {name!r}" if isinstance(name, str) else "")


def _check_keys(kind: str, table: dict[str, Any], label: str) -> None:
    allowed = TABLE_KEYS[kind]
    later = _LATER_KEYS.get(kind, ())
    for key in table:
        if key in later:
            raise ScenarioError(f"{key} is not supported in this version of leaksim", label)
        if key not in allowed:
            hint = p.did_you_mean(key, allowed) or "; allowed keys: " + ", ".join(allowed)
            raise ScenarioError(f"unknown key {key!r}{hint}", label)
    for key in REQUIRED_KEYS[kind]:
        if key not in table:
            raise ScenarioError(f"missing required key {key!r}", label)


def _item(cls: Callable[..., T], kind: str, index: int, table: dict[str, Any]) -> T:
    label = _label(kind, index, table)
    _check_keys(kind, table, label)
    if kind == "hatch":
        _check_closing_a_closed_hatch(table, label)
    try:
        return cls(**table)
    except ScenarioError as err:
        raise ScenarioError(err.rule, label) from None


def _check_closing_a_closed_hatch(table: dict[str, Any], label: str) -> None:
    """Refuse a ``close_at`` that can only close a hatch already closed.

    A file whose hatch starts closed in every case (``open = false``) and never opens (no
    ``open_at``) but has a ``close_at`` says something it does not mean (an ``open_at``, most
    likely). :class:`~leaksim.station.Hatch` itself accepts it, as closing a closed hatch,
    which changes nothing: a sweep that isolates a module closes every hatch of the module,
    open or not.
    """
    opened = table.get("open", True)
    closed_always = opened is False or (
        isinstance(opened, list) and bool(opened) and all(v is False for v in opened)
    )
    close_at = table.get("close_at")
    if not closed_always or close_at is None or "open_at" in table:
        return
    times = close_at if isinstance(close_at, list) else [close_at]
    if all(isinstance(v, str) and v.strip().lower() == p.NEVER for v in times):
        return
    raise ScenarioError(
        f"close_at = {p.show(close_at)} closes a hatch that is already closed: it starts closed "
        "(open = false) and nothing opens it (no open_at); give open_at to open it first, or "
        "leave open = true (the default)",
        label,
    )


def _at_table(tables: dict[str, list[dict[str, Any]]], build: Callable[[], T]) -> T:
    """Run ``build``; point an error about one item at the table that wrote it."""
    try:
        return build()
    except ScenarioError as err:
        item = err.item
        if item is None:
            raise ScenarioError(err.rule) from None
        kind, index = item
        raise ScenarioError(err.rule, _label(kind, index, tables[kind][index])) from None
