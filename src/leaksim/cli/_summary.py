"""The human summary of ``leaksim run``: cases, final pressures, threshold times, failures.

Every time is written in a unit read at a glance, chosen per value (``45 s``, ``31 min``,
``2.5 h``, ``4.2 d``), and the modules that matter come first: the soonest to reach each
threshold, the lowest final pressures. A station of many modules lists the first
:data:`MODULES_LISTED` and says how many more there are and how the rest stand.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from ._common import _one_line

if TYPE_CHECKING:
    from collections.abc import Callable

    from ..result import Result

__all__ = ["format_summary", "readable_time"]

#: Largest case count listed case by case; above it earliest (min), median and latest (max).
CASES_LISTED = 5
#: Most modules listed per block; the others are counted on one line.
MODULES_LISTED = 8

# Units a person reads at a glance, largest first, in seconds. Hand-written: pint's
# to_compact() picks SI prefixes (30 min becomes "1.8 ks"), and no library leaksim depends on
# names a time in hours or days. A unit is used from two of it up, so that 90 s stays "90 s"
# and 25 h stays "25 h" rather than "1.0 d".
_TIME_UNITS = (("year", 365.25 * 86400.0), ("d", 86400.0), ("h", 3600.0), ("min", 60.0))


def readable_time(seconds: float) -> str:
    """A time in the unit a person would say, to three significant digits.

    Parameters
    ----------
    seconds : float
        A duration [s]; NaN for "not reached".

    Returns
    -------
    str
        ``"-"`` for NaN, else for example ``"0.25 s"``, ``"90 s"``, ``"31.4 min"``, ``"2.5 h"``,
        ``"25 h"``, ``"4.21 d"``, ``"3 year"``.

    Examples
    --------
    >>> readable_time(1800.0), readable_time(9000.0), readable_time(4.2 * 86400)
    ('30 min', '2.5 h', '4.2 d')
    """
    if math.isnan(seconds):
        return "-"
    if math.isinf(seconds):
        return "never"
    for unit, size in _TIME_UNITS:
        if abs(seconds) >= 2.0 * size:
            return f"{_three_digits(seconds / size)} {unit}"
    return f"{_three_digits(seconds)} s"


def _three_digits(value: float) -> str:
    # ".3g" switches to exponents at 1000 (only years get there): whole numbers instead
    return f"{value:.0f}" if abs(value) >= 1000.0 else f"{value:.3g}"


def format_summary(result: Result, source: str) -> str:
    """The summary ``leaksim run`` prints: cases, modules, final pressures, thresholds, failures.

    Parameters
    ----------
    result : Result
        The run's result.
    source : str
        The scenario file's name, as given on the command line.

    Returns
    -------
    str
        Lines without a final newline.
    """
    lines = [
        f"scenario: {source}",
        f"cases: {result.n_cases}",
        f"modules: {_names(result.modules)}",
        _final_pressure_block(result),
        _threshold_block(result),
        _failure_line(result),
    ]
    return "\n".join(lines)


def _names(modules: list[str]) -> str:
    if len(modules) <= MODULES_LISTED:
        return ", ".join(modules)
    rest = len(modules) - MODULES_LISTED
    return f"{', '.join(modules[:MODULES_LISTED])} ... and {rest} more ({len(modules)} in all)"


def _final_pressure_block(result: Result) -> str:
    """Final pressures, the lowest first."""
    pressure = result.final_pressure.m_as("mmHg")
    lowest = _nanmin(pressure)
    order = np.argsort(lowest, kind="stable")
    rows = [(result.modules[i], _spread(pressure[:, i], _mmHg)) for i in order]
    lines = [
        f"final pressure [mmHg]{_case_note(result)}:",
        *_table(rows[:MODULES_LISTED], "  ", _by_case(result)),
    ]
    rest = lowest[order[MODULES_LISTED:]]
    if rest.size:
        floor = f", none below {rest.min():.1f}" if np.isfinite(rest.min()) else ""
        lines.append(f"  ... and {rest.size} more{floor}")
    return "\n".join(lines)


def _mmHg(value: float) -> str:
    return f"{value:.1f}"


def _threshold_block(result: Result) -> str:
    """Per threshold, the modules that reach it, the soonest first."""
    if not result.thresholds:
        return "threshold times: no thresholds"
    legend = " ('-': not reached)" if _by_case(result) else ""
    lines = [f"threshold times{_case_note(result)}{legend}:"]
    for name, per_module in result.threshold_times.items():
        times = np.stack([per_module[m].m_as("s") for m in result.modules], axis=1)
        soonest = _nanmin(times)
        order = np.argsort(soonest, kind="stable")  # not reached (inf) last
        rows = [
            (result.modules[i], _spread(times[:, i], readable_time, reached=True)) for i in order
        ]
        lines.append(f"  {name}")
        lines.extend(_table(rows[:MODULES_LISTED], "    ", _by_case(result)))
        rest = soonest[order[MODULES_LISTED:]]
        if rest.size:
            lines.append(f"    ... and {rest.size} more, {_rest_reaching(rest)}")
    return "\n".join(lines)


def _rest_reaching(soonest: np.ndarray) -> str:
    reached = soonest[np.isfinite(soonest)]
    if reached.size == 0:
        return "none of them reaches it"
    return f"{reached.size} of them reaching it, the first at {readable_time(reached.min())}"


def _failure_line(result: Result) -> str:
    failed = [(c, s) for c, s in enumerate(result.status) if s != "ok"]
    line = f"failed cases: {len(failed)} of {result.n_cases}"
    if failed:
        shown = "; ".join(f"case {c}: {_one_line(s)}" for c, s in failed[:3])
        line += f" ({shown}{'; ...' if len(failed) > 3 else ''})"
    return line


def _by_case(result: Result) -> bool:
    """Whether values are listed case by case (else earliest, median, latest)."""
    return result.n_cases <= CASES_LISTED


def _case_note(result: Result) -> str:
    if result.n_cases == 1:
        return ""
    if _by_case(result):
        return f", cases 0-{result.n_cases - 1}"
    return f" over {result.n_cases} cases"


def _nanmin(values: np.ndarray) -> np.ndarray:
    """Smallest finite value of each column (case axis 0); inf for a column without one."""
    return np.where(np.isfinite(values), values, np.inf).min(axis=0)


def _spread(values: np.ndarray, show: Callable[[float], str], reached: bool = False) -> list[str]:
    """Cells: each case for few cases, else earliest (min), median and latest (max)."""
    if values.size <= CASES_LISTED:
        return ["-" if np.isnan(v) else show(v) for v in values]
    finite = values[np.isfinite(values)]
    count = [f"reached in {finite.size} of {values.size} cases"] if reached else []
    if finite.size == 0:
        return count or ["-"]
    low, high = ("earliest", "latest") if reached else ("min", "max")
    stats = "  ".join(
        f"{label} {show(value)}"
        for label, value in (
            (low, finite.min()),
            ("median", np.median(finite)),
            (high, finite.max()),
        )
    )
    return [f"{count[0]}: {stats}"] if count else [stats]


def _table(rows: list[tuple[str, list[str]]], indent: str, columns: bool) -> list[str]:
    """Rows of a name and cells; with ``columns``, the cells right-aligned in columns."""
    if not rows:
        return []
    name_width = max(len(name) for name, _ in rows)
    n_cells = max(len(cells) for _, cells in rows)
    widths = [max((len(c[k]) for _, c in rows if k < len(c)), default=0) for k in range(n_cells)]
    lines = []
    for name, cells in rows:
        if columns:
            cells = [cell.rjust(widths[k]) for k, cell in enumerate(cells)]
        lines.append(f"{indent}{name:<{name_width}}  {'  '.join(cells)}".rstrip())
    return lines
