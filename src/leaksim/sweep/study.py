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

from .._system import memory_limit
from ..errors import ScenarioError
from ..scenario import Scenario
from .apply import build, check_paths, groups
from .distributions import Distribution, Grid, Normal, Table, from_table
from .engine import plan, run_chunks
from .result import SweepResult
from .rows import column_names
from .sampling import grid_size, sample
from .store import ChunkStore, fingerprint

__all__ = ["Sweep", "DEFAULT_CHUNK_SIZE", "MAX_CASES", "MEMORY_SHARE"]

#: Cases per chunk: large enough that per-batch costs vanish, small enough for memory
#: (about 100 MB of working arrays for a 15-module station).
DEFAULT_CHUNK_SIZE = 10_000

#: Most cases one sweep may hold. Its rows are kept in memory until written; 100 million rows
#: of a one-module station take 5.6 GB, and at the benchmark's pace (benchmarks/README.md) the
#: cases would take days of one core. Split a larger study into sweeps by seed.
MAX_CASES = 100_000_000

#: Share of the machine's physical memory the rows of a sweep may take: the rest is left to the
#: chunk being solved, the writers and everything else running.
MEMORY_SHARE = 0.5

#: Cases whose sampled values are checked at once before any case runs.
_CHECK_BLOCK = 100_000

#: Bytes a row takes per column: a float64, an int64, or the pointer of a text value.
_CELL_BYTES = 8


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
        On an unknown path, a bad distribution, a scenario that already has several cases, a
        bad case count or seed, or more cases than fit: over :data:`MAX_CASES`, or rows
        taking more than :data:`MEMORY_SHARE` of the machine's physical memory (8 bytes a
        column per case), refused before anything is drawn or allocated.
    """

    scenario: Scenario
    parameters: Mapping[str, Any]
    cases: int | None = None
    seed: int = 0
    kinds: dict[str, Distribution] = field(init=False, repr=False)
    n_cases: int = field(init=False, repr=False)
    _checked: bool = field(init=False, repr=False, default=False)

    def __post_init__(self) -> None:
        if not isinstance(self.scenario, Scenario):
            raise ScenarioError(f"scenario must be a Scenario, got {type(self.scenario).__name__}")
        kinds = _kinds(self.parameters)
        check_paths(self.scenario, kinds)
        _check_int("seed", self.seed, minimum=0)
        n_cases = _case_count(self.cases, kinds)
        _check_size(n_cases, len(column_names(self.scenario, kinds)), self.cases is None)
        object.__setattr__(self, "kinds", kinds)
        object.__setattr__(self, "n_cases", n_cases)

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
            Naming the swept parameter, the first case whose value breaks a rule, and the rule
            (a normal draw giving a negative diameter, for instance).
        """
        if self._checked:
            return
        for start in range(0, self.n_cases, _CHECK_BLOCK):
            stop = min(start + _CHECK_BLOCK, self.n_cases)
            values = sample(self.kinds, self.seed, start, stop)
            for members, shared in groups(values, self.kinds):
                if self._breaks(values, members, shared):
                    raise self._draw_error(values, members, shared, start) from None
        object.__setattr__(self, "_checked", True)

    def _breaks(
        self,
        values: Mapping[str, np.ndarray],
        members: np.ndarray,
        shared: Mapping[str, Any],
        kinds: Mapping[str, Distribution] | None = None,
    ) -> ScenarioError | None:
        """The error building the cases ``members`` raises, None if they build."""
        kinds = self.kinds if kinds is None else kinds
        numeric = {k: values[k][members] for k in kinds if k not in shared}
        try:
            build(self.scenario, kinds, numeric, shared, len(members))
        except ScenarioError as err:
            return err
        return None

    def _draw_error(
        self,
        values: Mapping[str, np.ndarray],
        members: np.ndarray,
        shared: Mapping[str, Any],
        start: int,
    ) -> ScenarioError:
        """Name the first case of ``members`` that breaks a rule, and the parameter to blame."""
        # Cases are checked independently, so halving keeps a failing half: about 17 builds for
        # a block of 100,000 cases, on the error path only.
        low, high = 0, len(members)
        while high - low > 1:
            middle = (low + high) // 2
            if self._breaks(values, members[low:middle], shared):
                high = middle
            else:
                low = middle
        one = members[low : low + 1]
        case = start + int(one[0])
        texts = {path: self.kinds[path] for path in shared}
        err = self._breaks(values, one, shared, texts) if texts else None
        if err is not None:
            drawn = ", ".join(f"{path!r} = {value!r}" for path, value in shared.items())
            return ScenarioError(
                f"case {case} takes {drawn}, which breaks a rule: {_without_entry(str(err))}"
            )
        for path, kind in self.kinds.items():
            if path in shared:
                continue
            err = self._breaks(values, one, shared, {path: kind, **texts})
            if err is not None:
                drawn = f"{float(values[path][one[0]]):.6g} {kind.unit}".strip()
                hint = _NORMAL_HINT if isinstance(kind, Normal) else ""
                return ScenarioError(
                    f"swept parameter {path!r} draws {drawn} for case {case}, which breaks a "
                    f"rule: {_without_entry(str(err))}{hint}"
                )
        err = self._breaks(values, one, shared)
        assert err is not None  # the halving kept a failing case
        return ScenarioError(
            f"the values drawn for case {case} break a rule together: {_without_entry(str(err))}"
        )

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
        names = column_names(self.scenario, self.kinds)
        chunks = self._store(store, resume, names)
        try:
            done = chunks.done() if chunks is not None else []
            ranges = plan(self.n_cases, chunk_size, done)
            work = {
                "scenario": self.scenario,
                "parameters": self.kinds,
                "seed": self.seed,
                "solve_options": solve_options,
            }
            table = _RowTable(names, self.n_cases)
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
        finally:
            if chunks is not None:
                chunks.close()

    def _store(
        self, folder: str | os.PathLike[str] | None, resume: bool, names: list[str]
    ) -> ChunkStore | None:
        if folder is None:
            return None
        identity = fingerprint(
            importlib.metadata.version("leaksim"),
            self.scenario,
            sorted(self.kinds.items()),
            self.seed,
            self.n_cases,
        )
        who = {"fingerprint": identity, "seed": self.seed, "cases": self.n_cases}
        return ChunkStore(folder, who, names, resume)

    def replace(self, **changes: Any) -> Sweep:
        """A copy with some arguments changed (``cases``, ``seed``, ...)."""
        return dataclasses.replace(self, **changes)


class _RowTable:
    """The rows of a sweep, filled chunk by chunk in place.

    Columns are allocated once and handed to pandas without a copy, so 1,000,000 rows of a
    15-module station (about 90 float columns, 0.7 GB) never exist twice in memory. A mask
    records the cases filled: a table with a case missing is never handed on, so no row can
    hold the uninitialised memory of ``numpy.empty``.
    """

    def __init__(self, names: list[str], n_cases: int) -> None:
        self.names = names
        self.n_cases = n_cases
        self.columns: dict[str, np.ndarray] = {}
        self.filled = np.zeros(n_cases, dtype=bool)

    def place(self, part: Mapping[str, np.ndarray]) -> None:
        cases = np.asarray(part["case"], dtype=np.int64)
        for name in self.names:
            values = np.asarray(part[name])
            if name not in self.columns:
                dtype = object if values.dtype.kind in "OU" else values.dtype
                self.columns[name] = np.empty(self.n_cases, dtype=dtype)
            self.columns[name][cases] = values
        self.filled[cases] = True

    def frame(self) -> pd.DataFrame:
        missing = np.flatnonzero(~self.filled)
        if missing.size:
            raise RuntimeError(
                f"{missing.size} of {self.n_cases} cases have no row (first: case {missing[0]}); "
                "the sweep's chunks do not cover its cases"
            )
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


def _check_size(n_cases: int, n_columns: int, from_grids: bool) -> None:
    """Refuse a sweep whose rows would not fit, before any value is drawn or array allocated."""
    need = n_cases * n_columns * _CELL_BYTES
    count = f"the grids give {n_cases:,} cases" if from_grids else f"cases = {n_cases:,}"
    rows = f"their rows alone would take {_size(need)} ({n_columns} columns of 8 bytes a case)"
    if n_cases > MAX_CASES:
        raise ScenarioError(
            f"{count}, more than a sweep may hold ({MAX_CASES:,}); {rows}; run fewer cases, or "
            "split the study into sweeps by seed"
        )
    memory = _physical_memory()
    if memory is not None and need > MEMORY_SHARE * memory:
        raise ScenarioError(
            f"{count}: {rows}, more than {_size(MEMORY_SHARE * memory)} "
            f"({MEMORY_SHARE * 100:g} % of the memory this process may use); run fewer cases"
        )


def _physical_memory() -> int | None:
    """Bytes of memory this process may use (:func:`leaksim._system.memory_limit`: a
    container's limit where lower than the physical memory), None where the system does not
    say (Windows)."""
    return memory_limit()


def _size(n_bytes: float) -> str:
    for unit in ("bytes", "kB", "MB", "GB"):
        if n_bytes < 1000:
            return f"{n_bytes:.3g} {unit}"
        n_bytes /= 1000
    return f"{n_bytes:,.3g} TB"


_NORMAL_HINT = (
    "; a normal law reaches any value, however rare: bound it with a uniform, loguniform or "
    "lognormal law"
)


def _without_entry(rule: str) -> str:
    # a one-case build reports "(entry 1 of 1)": the case is named instead
    return rule.replace(" (entry 1 of 1)", "")


def _check_int(key: str, value: Any, minimum: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < minimum:
        raise ScenarioError(f"{key} must be a whole number >= {minimum}, got {value!r}")
