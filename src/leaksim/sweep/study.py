"""A sweep: a scenario, the parameters that vary, how many cases, and the seed.

Examples
--------
>>> from leaksim import Leak, Module, Scenario, Station, Threshold
>>> from leaksim.sweep import LogUniform, Sweep
>>> cabin = Station([Module("Cabin", "100 m^3")], leaks=[Leak("Cabin", diameter="5 mm",
...                 name="hole")])
>>> scenario = Scenario(cabin, duration="1 h", thresholds=[Threshold("low", "700 mmHg")])
>>> sweep = Sweep(scenario, {"leak.hole.diameter": LogUniform("1 mm", "20 mm")}, cases=8, seed=3)
>>> result = sweep.run(progress=False)
>>> result.n_cases, result.rows["status"].eq("ok").all()
(8, np.True_)
"""

from __future__ import annotations

import dataclasses
import importlib.metadata
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..errors import ScenarioError
from ..scenario import Scenario
from .apply import build, check_paths, groups
from .distributions import Distribution, Grid, Table, from_table
from .engine import plan, run_chunks
from .result import SweepResult
from .rows import column_names
from .sampling import grid_size, sample
from .store import ChunkStore, fingerprint

__all__ = ["Sweep", "DEFAULT_CHUNK_SIZE"]

#: Cases per chunk: large enough that per-batch costs vanish, small enough for memory
#: (about 100 MB of working arrays for a 15-module station).
DEFAULT_CHUNK_SIZE = 10_000

#: Cases whose sampled values are checked at once before any case runs.
_CHECK_BLOCK = 100_000


@dataclass(frozen=True, eq=False)
class Sweep:
    """Many cases of one scenario, with parameters drawn or tabled per case.

    Parameters
    ----------
    scenario : leaksim.scenario.Scenario
        The scenario every case starts from; one value per parameter (no lists).
    parameters : mapping of str to Distribution or mapping
        Path ``"<kind>.<name>.<key>"`` or ``"simulation.<key>"`` -> a
        :class:`~leaksim.sweep.distributions.Distribution`, or a table as in a scenario
        file's ``[sweep.parameters]`` (``{"distribution": "loguniform", "low": "1 mm",
        "high": "100 mm"}``). ``"leak.<name>.isolate_after"`` closes every hatch of the
        leak's module that long after the hole opens.
    cases : int, optional
        Number of cases; default the number of grid points, or the longest table. Required
        when a parameter is random.
    seed : int, default 0
        Seed of the random parameters, >= 0; each case's values depend only on it, the
        parameter's path and the case index.

    Raises
    ------
    leaksim.errors.ScenarioError
        On an unknown path, a bad distribution, a scenario that already has several cases, or
        a bad case count or seed.
    """

    scenario: Scenario
    parameters: Mapping[str, Any]
    cases: int | None = None
    seed: int = 0
    kinds: dict[str, Distribution] = field(init=False, repr=False)
    n_cases: int = field(init=False, repr=False)

    def __post_init__(self) -> None:
        if not isinstance(self.scenario, Scenario):
            raise ScenarioError(f"scenario must be a Scenario, got {type(self.scenario).__name__}")
        kinds = _kinds(self.parameters)
        check_paths(self.scenario, kinds)
        _check_int("seed", self.seed, minimum=0)
        object.__setattr__(self, "kinds", kinds)
        object.__setattr__(self, "n_cases", _case_count(self.cases, kinds))

    def sample(self, start: int = 0, stop: int | None = None) -> pd.DataFrame:
        """The swept values of cases ``start`` to ``stop - 1``, in SI units, indexed by case."""
        stop = self.n_cases if stop is None else stop
        frame = pd.DataFrame(sample(self.kinds, self.seed, start, stop))
        frame.index = pd.RangeIndex(start, stop, name="case")
        return frame

    def check(self) -> None:
        """Build every case's parameters without solving, so bad draws fail before any run.

        Raises
        ------
        leaksim.errors.ScenarioError
            Naming the case range and the rule broken (a normal draw giving a negative
            diameter, for instance).
        """
        for start in range(0, self.n_cases, _CHECK_BLOCK):
            stop = min(start + _CHECK_BLOCK, self.n_cases)
            values = sample(self.kinds, self.seed, start, stop)
            for members, shared in groups(values, self.kinds):
                numeric = {k: v[members] for k, v in values.items() if k not in shared}
                try:
                    build(self.scenario, self.kinds, numeric, shared, len(members))
                except ScenarioError as err:
                    raise ScenarioError(
                        f"the values drawn for cases {start}-{stop - 1} break a rule: {err}"
                    ) from None

    def run(
        self,
        *,
        chunk_size: int = DEFAULT_CHUNK_SIZE,
        client: Any = None,
        store: str | os.PathLike[str] | None = None,
        resume: bool = False,
        progress: bool | None = None,
        **solve_options: Any,
    ) -> SweepResult:
        """Run every case in chunks and collect the rows.

        Parameters
        ----------
        chunk_size : int, default 10,000
            Cases solved together; the rows do not depend on it.
        client : distributed.Client, optional
            Send the chunks to this Dask cluster; in this process when None.
        store : str or os.PathLike, optional
            Folder keeping each finished chunk, so an interrupted sweep can resume.
        resume : bool, default False
            Reuse the chunks already in ``store`` instead of refusing a non-empty store.
        progress : bool, optional
            Progress bar on standard error; default only when it is a terminal.
        **solve_options
            Passed to :meth:`leaksim.scenario.Scenario.run`.

        Returns
        -------
        SweepResult
        """
        _check_int("chunk_size", chunk_size, minimum=1)
        if resume and store is None:
            raise ScenarioError("resume needs a store: the folder of the interrupted sweep")
        self.check()
        chunks = self._store(store, resume)
        done = chunks.done() if chunks is not None else []
        ranges = plan(self.n_cases, chunk_size, done)
        work = {
            "scenario": self.scenario,
            "parameters": self.kinds,
            "seed": self.seed,
            "solve_options": solve_options,
        }
        table = _RowTable(column_names(self.scenario, self.kinds), self.n_cases)
        for part in chunks.load() if chunks is not None else ():
            table.place(part)
        finished = run_chunks(
            work,
            ranges,
            store=chunks,
            client=client,
            progress=progress,
            done_cases=sum(b - a for a, b in done),
            n_cases=self.n_cases,
        )
        for _, columns in finished:
            table.place(columns)
        return SweepResult(table.frame(), self)

    def _store(self, folder: str | os.PathLike[str] | None, resume: bool) -> ChunkStore | None:
        if folder is None:
            return None
        identity = fingerprint(
            importlib.metadata.version("leaksim"),
            self.scenario,
            sorted(self.kinds.items()),
            self.seed,
            self.n_cases,
        )
        return ChunkStore(folder, identity, resume)

    def replace(self, **changes: Any) -> Sweep:
        """A copy with some arguments changed (``cases``, ``seed``, ...)."""
        return dataclasses.replace(self, **changes)


class _RowTable:
    """The rows of a sweep, filled chunk by chunk in place.

    Columns are allocated once and handed to pandas without a copy, so 1,000,000 rows of a
    15-module station (about 90 float columns, 0.7 GB) never exist twice in memory.
    """

    def __init__(self, names: list[str], n_cases: int) -> None:
        self.names = names
        self.n_cases = n_cases
        self.columns: dict[str, np.ndarray] = {}

    def place(self, part: Mapping[str, np.ndarray]) -> None:
        cases = np.asarray(part["case"], dtype=np.int64)
        for name in self.names:
            values = np.asarray(part[name])
            if name not in self.columns:
                dtype = object if values.dtype.kind in "OU" else values.dtype
                self.columns[name] = np.empty(self.n_cases, dtype=dtype)
            self.columns[name][cases] = values

    def frame(self) -> pd.DataFrame:
        if not self.columns:
            return pd.DataFrame({name: [] for name in self.names})
        return pd.DataFrame({name: self.columns[name] for name in self.names}, copy=False)


def _kinds(parameters: Mapping[str, Any]) -> dict[str, Distribution]:
    if not isinstance(parameters, Mapping) or not parameters:
        raise ScenarioError("parameters must map at least one path to a distribution")
    kinds = {}
    for path, spec in parameters.items():
        if not isinstance(path, str):
            raise ScenarioError(f"a swept parameter's path must be text, got {path!r}")
        try:
            kinds[path] = spec if isinstance(spec, Distribution) else from_table(spec)
        except ScenarioError as err:
            raise ScenarioError(f"swept parameter {path!r}: {err.rule}") from None
    return kinds


def _case_count(cases: int | None, kinds: Mapping[str, Distribution]) -> int:
    if cases is not None:
        _check_int("cases", cases, minimum=1)
        return int(cases)
    if any(kind.random for kind in kinds.values()):
        raise ScenarioError("cases must be given when a swept parameter is random")
    tables = [len(k) for k in kinds.values() if isinstance(k, Table) and not isinstance(k, Grid)]
    return max([grid_size(kinds), *tables])


def _check_int(key: str, value: Any, minimum: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < minimum:
        raise ScenarioError(f"{key} must be a whole number >= {minimum}, got {value!r}")
