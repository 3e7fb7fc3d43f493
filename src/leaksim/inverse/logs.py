"""Read pressure logs and other tables from CSV files with units in the header.

A log is a CSV file whose header names each column and its unit in brackets, for example::

    # PrK isolated, Oct 2020: RIA (NASA-broadcast comms), REFERENCE-DATA confidence M
    time [h], pressure [mmHg], temperature [degC]
    0, 733, 22.1
    12, 643, 21.8

Lines starting with ``#`` are comments. Recognised columns (case-insensitive): ``time`` (or
``t``) with a time unit, or ``date`` / ``time`` holding ISO 8601 dates or date-times with no
unit; ``pressure`` (or ``p``) with a pressure unit; optional ``temperature`` (or ``T``) with a
temperature unit. Other columns are ignored. A row whose pressure or temperature cell is empty
or ``nan`` is a gap and is dropped; times must increase.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import os
import re
from dataclasses import dataclass, field

import numpy as np

from ..errors import ScenarioError
from ..units import SI_UNITS, ureg

__all__ = ["Table", "PressureLog", "read_table", "read_pressure_log", "pressure_log"]

_HEADER = re.compile(r"^\s*(?P<name>[^\[\]]*?)\s*(\[(?P<unit>[^\]]*)\])?\s*$")
_ALIASES = {
    "time": ("time", "t"),
    "date": ("date", "datetime"),
    "pressure": ("pressure", "p"),
    "temperature": ("temperature", "t_gas", "temp"),
}


@dataclass(frozen=True)
class Table:
    """Columns of a CSV table: text cells by column name, units by column name."""

    source: str
    names: list[str]
    units: dict[str, str | None]
    cells: dict[str, list[str]]

    def column(self, key: str, kind: str) -> np.ndarray:
        """Column ``key`` as SI floats of ``kind``; empty or ``nan`` cells become NaN."""
        unit = self.units[key]
        if not unit:
            raise ScenarioError(
                f"column {key!r} needs a unit in brackets, e.g. '{key} [{_example(kind)}]'",
                self.source,
            )
        try:
            values = np.array([_float(c) for c in self.cells[key]], dtype=float)
        except ValueError as exc:
            raise ScenarioError(f"column {key!r}: {exc}", self.source) from None
        try:
            q = ureg.Quantity(values, unit)
            ok = q.check(ureg.Unit(SI_UNITS[kind]).dimensionality)
        except Exception as exc:  # pint raises several unrelated types on bad text
            raise ScenarioError(
                f"column {key!r}: cannot read unit {unit!r}: {exc}", self.source
            ) from None
        if not ok:
            raise ScenarioError(
                f"column {key!r} must be a {kind.replace('_', ' ')} (e.g. [{_example(kind)}]), "
                f"got [{unit}]",
                self.source,
            )
        return np.asarray(q.m_as(SI_UNITS[kind]), dtype=float)

    def find(self, role: str) -> str | None:
        """The column playing ``role`` (``"time"``, ``"pressure"``, ...), or None."""
        for name in self.names:
            if name.lower() in _ALIASES[role]:
                return name
        return None

    def times(self) -> tuple[np.ndarray, dt.datetime | None]:
        """Times [s] and the date of time zero when the column holds ISO dates."""
        key = self.find("time") or self.find("date")
        if key is None:
            raise ScenarioError(
                f"needs a 'time [unit]' or 'date' column, got columns {self.names}", self.source
            )
        if self.units[key]:
            return self.column(key, "time"), None
        return _dates(self.cells[key], key, self.source)


@dataclass(frozen=True)
class PressureLog:
    """A pressure log in SI units.

    Attributes
    ----------
    time : numpy.ndarray
        Times [s], increasing; from the first row when the file gives dates.
    pressure : numpy.ndarray
        Pressures [Pa].
    temperature : numpy.ndarray or None
        Gas temperatures [K], or None when the log has no temperature column.
    start : datetime.datetime or None
        Date of time zero when the file gives dates.
    source : str
        File name or ``"log"``.
    dropped : int
        Rows dropped as gaps (empty or ``nan`` cells).
    """

    time: np.ndarray
    pressure: np.ndarray
    temperature: np.ndarray | None = None
    start: dt.datetime | None = None
    source: str = "log"
    dropped: int = field(default=0)


def read_table(path: str | os.PathLike[str]) -> Table:
    """Read a CSV file with a ``name [unit]`` header and ``#`` comment lines.

    Raises
    ------
    leaksim.errors.ScenarioError
        On a missing or unreadable file, no header, or rows of the wrong length.
    """
    source = os.fspath(path)
    try:
        with open(source, encoding="utf-8") as f:
            text = f.read()
    except OSError as exc:
        raise ScenarioError(f"cannot read the file: {exc.strerror or exc}", source) from None
    return parse_table(text, source)


def parse_table(text: str, source: str = "table") -> Table:
    """:func:`read_table` on text already read."""
    lines = [ln for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]
    rows = [[c.strip() for c in row] for row in csv.reader(io.StringIO("\n".join(lines)))]
    if not rows:
        raise ScenarioError("has no header line such as 'time [h], pressure [mmHg]'", source)
    names, units = [], {}
    for cell in rows[0]:
        match = _HEADER.match(cell)
        if match is None or not match["name"]:
            raise ScenarioError(f"cannot read header cell {cell!r} as 'name [unit]'", source)
        names.append(match["name"])
        units[match["name"]] = (match["unit"] or "").strip() or None
    cells: dict[str, list[str]] = {n: [] for n in names}
    for i, row in enumerate(rows[1:], start=2):
        if len(row) != len(names):
            raise ScenarioError(
                f"data row {i - 1} has {len(row)} cells, the header {len(names)}", source
            )
        for n, c in zip(names, row, strict=True):
            cells[n].append(c)
    return Table(source, names, units, cells)


def read_pressure_log(path: str | os.PathLike[str]) -> PressureLog:
    """Read a pressure log (time, pressure, optional temperature) from a CSV file.

    Parameters
    ----------
    path : str or os.PathLike
        The CSV file (see the module notes for the format) [-].

    Returns
    -------
    PressureLog

    Raises
    ------
    leaksim.errors.ScenarioError
        On a missing column or unit, a wrong dimension, times not increasing, a negative
        pressure, a non-positive temperature, or fewer than two usable rows.
    """
    table = read_table(path)
    time, start = table.times()
    p_key = table.find("pressure")
    if p_key is None:
        raise ScenarioError(
            f"needs a 'pressure [unit]' column, got columns {table.names}", table.source
        )
    pressure = table.column(p_key, "pressure")
    t_key = table.find("temperature")
    temperature = None if t_key is None else table.column(t_key, "temperature")
    return pressure_log(time, pressure, temperature, start=start, source=table.source)


def pressure_log(
    time: np.ndarray,
    pressure: np.ndarray,
    temperature: np.ndarray | None = None,
    *,
    start: dt.datetime | None = None,
    source: str = "log",
) -> PressureLog:
    """Check SI arrays and build a :class:`PressureLog`, dropping rows with NaN (gaps).

    Parameters
    ----------
    time : array_like
        Times [s].
    pressure : array_like
        Pressures [Pa]; NaN marks a gap.
    temperature : array_like, optional
        Gas temperatures [K]; NaN marks a gap.
    start : datetime.datetime, optional
        Date of time zero.
    source : str, default "log"
        Name used in error messages.
    """
    time = np.asarray(time, dtype=float).reshape(-1)
    pressure = np.asarray(pressure, dtype=float).reshape(-1)
    if temperature is not None:
        temperature = np.asarray(temperature, dtype=float).reshape(-1)
    if not (
        time.shape == pressure.shape and (temperature is None or temperature.shape == time.shape)
    ):
        raise ScenarioError("time, pressure and temperature must have one value per row", source)
    keep = np.isfinite(pressure) & np.isfinite(time)
    if temperature is not None:
        keep &= np.isfinite(temperature)
    dropped = int(np.count_nonzero(~keep))
    time, pressure = time[keep], pressure[keep]
    if temperature is not None:
        temperature = temperature[keep]
        if np.any(temperature <= 0):
            raise ScenarioError(f"temperature must be > 0 K, got {temperature.min():g} K", source)
    if time.size < 2:
        raise ScenarioError(f"needs at least two rows with a pressure, got {time.size}", source)
    if np.any(np.diff(time) <= 0):
        i = int(np.argmax(np.diff(time) <= 0))
        raise ScenarioError(
            f"times must increase, got {time[i]:g} s then {time[i + 1]:g} s (rows {i + 1}, "
            f"{i + 2})",
            source,
        )
    if np.any(pressure <= 0):
        raise ScenarioError(f"pressure must be > 0 Pa, got {pressure.min():g} Pa", source)
    return PressureLog(time, pressure, temperature, start, source, dropped)


def _float(cell: str) -> float:
    text = cell.strip()
    if not text or text.lower() in ("nan", "na", "-"):
        return math.nan
    try:
        return float(text)
    except ValueError:
        raise ValueError(f"cannot read {cell!r} as a number") from None


def _dates(cells: list[str], key: str, source: str) -> tuple[np.ndarray, dt.datetime]:
    """Seconds from the first of ISO 8601 dates, and that first date (naive dates as UTC)."""
    dates = []
    for c in cells:
        try:
            d = dt.datetime.fromisoformat(c.strip())
        except ValueError:
            raise ScenarioError(
                f"column {key!r} has no unit, so its cells must be ISO 8601 dates such as "
                f"2024-04-01, got {c!r}",
                source,
            ) from None
        dates.append(d if d.tzinfo else d.replace(tzinfo=dt.UTC))
    start = dates[0]
    return np.array([(d - start).total_seconds() for d in dates]), start


def _example(kind: str) -> str:
    examples = {"time": "h", "pressure": "mmHg", "temperature": "degC", "mass_flow": "lb/day"}
    return examples.get(kind, SI_UNITS[kind])
