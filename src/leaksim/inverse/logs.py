"""Read pressure logs and other tables from CSV files with units in the header.

A log is a CSV file whose header names each column and its unit in brackets, for example::

    # PrK isolated, Oct 2020: RIA (NASA-broadcast comms), REFERENCE-DATA confidence M
    time [h], pressure [mmHg], temperature [degC]
    0, 733, 22.1
    12, 643, 21.8

The file is UTF-8 text, with or without the byte-order mark that spreadsheets write. Lines
starting with ``#`` are comments, as is the rest of a data line after an unquoted ``#``.
Recognised columns (case-insensitive): ``time`` (or ``t``) with a time unit, or ``date`` /
``time`` holding ISO 8601 dates or date-times with no unit; ``pressure`` (or ``p``) with a
pressure unit; optional ``temperature`` (or ``T``) with a temperature unit. Other columns are
ignored. A column with a unit holds numbers; one without holds text. A row whose pressure or
temperature cell is empty, ``nan`` or ``-`` is a gap and is dropped (a row with fewer cells
than the header has its missing cells empty); a row with more cells than the header is refused,
as a decimal comma would make one. Times must increase.

Only the columns needed are parsed, by pandas' C reader a million rows at a time, into float64
arrays: a log of ten million rows costs its arrays and a few hundred megabytes more.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, TextIO

import numpy as np

from ..errors import ScenarioError
from ..units import SI_UNITS, ureg

__all__ = [
    "Table",
    "PressureLog",
    "read_table",
    "parse_table",
    "parse_date",
    "read_pressure_log",
    "pressure_log",
]

_HEADER = re.compile(r"^\s*(?P<name>[^\[\]]*?)\s*(\[(?P<unit>[^\]]*)\])?\s*$")
_ALIASES = {
    "time": ("time", "t"),
    "date": ("date", "datetime"),
    "pressure": ("pressure", "p"),
    "temperature": ("temperature", "t_gas", "temp"),
}
#: Cells of a numeric column that mark a gap.
_GAPS = ["", "nan", "NaN", "NAN", "na", "NA", "-"]
#: Rows parsed at a time: bounds the reader's own memory whatever the length of the file.
_CHUNK_ROWS = 1_000_000
#: Text that starts as a calendar date: a wrong one is reported as a wrong date.
_DATE_LIKE = re.compile(r"^\s*\d{1,4}-\d{1,2}-\d{1,2}")
_ISO_DATE = r"^\s*\d{4}-\d{2}-\d{2}"
_TOO_WIDE = re.compile(r"Expected \d+ fields in line (?P<line>\d+), saw (?P<saw>\d+)")
_NOT_TEXT = "is not UTF-8 text ({detail}): give a CSV file (a spreadsheet saves one as 'CSV UTF-8')"


@dataclass(frozen=True)
class Table:
    """Columns of a CSV table and the units of its header.

    Attributes
    ----------
    source : str
        File name, used in error messages.
    names : list of str
        Every column of the header, in order.
    units : dict of str to str or None
        The unit in brackets of each column, or None.
    cells : dict of str to numpy.ndarray
        The columns read: numbers in the file's unit for a column with a unit (NaN for a gap),
        stripped text otherwise.
    """

    source: str
    names: list[str]
    units: dict[str, str | None]
    cells: dict[str, np.ndarray]

    def column(self, key: str, kind: str) -> np.ndarray:
        """Column ``key`` as SI floats of ``kind``; gaps are NaN."""
        unit = self.units[key]
        if not unit:
            raise ScenarioError(
                f"column {key!r} needs a unit in brackets, e.g. '{key} [{_example(kind)}]'",
                self.source,
            )
        values = self.cells[key]
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
        with np.errstate(over="ignore"):  # an overflow is reported below, by row
            si = np.asarray(q.m_as(SI_UNITS[kind]), dtype=float)
        if np.isinf(si).any():
            i = int(np.argmax(np.isinf(si)))
            raise ScenarioError(
                f"column {key!r}, data row {i + 1}: {values[i]:g} {unit} is out of range "
                "(no finite value in SI units)",
                self.source,
            )
        return si

    def find(self, role: str) -> str | None:
        """The column playing ``role`` (``"time"``, ``"pressure"``, ...), or None."""
        for name in self.names:
            if name.lower() in _ALIASES[role]:
                return name
        return None

    def times(self) -> tuple[np.ndarray, dt.datetime | None]:
        """Times [s] and the date of time zero when the column holds ISO dates."""
        key = self.time_key()
        if self.units[key]:
            return self.column(key, "time"), None
        return _dates(self.cells[key], key, self.source)

    def time_key(self) -> str:
        """The column of times or dates."""
        key = self.find("time") or self.find("date")
        if key is None:
            raise ScenarioError(
                f"needs a 'time [unit]' or 'date' column, got columns {self.names}", self.source
            )
        return key


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


def read_table(path: str | os.PathLike[str], columns: Sequence[str] | None = None) -> Table:
    """Read a CSV file with a ``name [unit]`` header and ``#`` comment lines.

    Parameters
    ----------
    path : str or os.PathLike
        The CSV file [-].
    columns : sequence of str, optional
        The columns to read, by header name; default all. Other columns are not parsed, and
        an empty sequence reads the header only.

    Raises
    ------
    leaksim.errors.ScenarioError
        On a missing, unreadable or binary file, text that is not UTF-8, no header, a row with
        more cells than the header, or a cell of a numeric column that is not a number.
    """
    source = os.fspath(path)

    def opener() -> TextIO:
        # utf-8-sig drops the byte-order mark that spreadsheets put before the header
        return open(source, encoding="utf-8-sig", newline="")

    try:
        return _read(opener, source, columns)
    except OSError as exc:
        raise ScenarioError(f"cannot read the file: {exc.strerror or exc}", source) from None


def parse_table(text: str, source: str = "table", columns: Sequence[str] | None = None) -> Table:
    """:func:`read_table` on text already read."""
    return _read(lambda: io.StringIO(text.removeprefix("\ufeff")), source, columns)


def _read(opener: Callable[[], TextIO], source: str, columns: Sequence[str] | None) -> Table:
    try:
        with opener() as f:
            names, units, line = _header(f, source)
            wanted = list(names) if columns is None else list(columns)
            unknown = [c for c in wanted if c not in names]
            if unknown:
                raise ScenarioError(f"has no column {unknown[0]!r}, got {names}", source)
            cells = _columns(f, names, units, wanted, source, line) if wanted else {}
        if cells is None:  # a cell pandas could not read as a number: find it, as text
            _report_bad_number(opener, names, units, [k for k in wanted if units[k]], source)
    except UnicodeDecodeError as exc:
        detail = f"byte 0x{exc.object[exc.start]:02x} cannot be decoded"
        raise ScenarioError(_NOT_TEXT.format(detail=detail), source) from None
    assert cells is not None
    return Table(source, names, units, cells)


def _header(f: TextIO, source: str) -> tuple[list[str], dict[str, str | None], int]:
    """The header's column names and units, and its line number; reads ``f`` up to and
    including the header."""
    number = 0
    while True:
        line = f.readline()
        number += 1
        if not line:
            raise ScenarioError("has no header line such as 'time [h], pressure [mmHg]'", source)
        if "\x00" in line:
            raise ScenarioError(_NOT_TEXT.format(detail="it holds NUL bytes"), source)
        if line.strip() and not line.lstrip().startswith("#"):
            break
    names: list[str] = []
    units: dict[str, str | None] = {}
    for cell in next(csv.reader([line])):
        match = _HEADER.match(cell)
        if match is None or not match["name"]:
            raise ScenarioError(f"cannot read header cell {cell!r} as 'name [unit]'", source)
        name = match["name"]
        if name in units:
            raise ScenarioError(f"the header names column {name!r} twice", source)
        names.append(name)
        units[name] = (match["unit"] or "").strip() or None
    return names, units, number


def _columns(
    f: TextIO,
    names: list[str],
    units: dict[str, str | None],
    wanted: list[str],
    source: str,
    header_line: int,
) -> dict[str, np.ndarray] | None:
    """The wanted columns after the header: float arrays where the column has a unit, text
    arrays otherwise; None when a cell of a numeric column is not a number."""
    import pandas as pd

    n = len(names)
    numeric = {k for k in wanted if units[k]}
    chunks: dict[str, list[np.ndarray]] = {k: [] for k in wanted}
    rows = 0
    try:
        for chunk in _chunks(f, names, units, wanted):
            _check_width(chunk[n], rows, n, source)
            for k in wanted:
                col = chunk[names.index(k)]
                if k in numeric:
                    chunks[k].append(col.to_numpy(dtype=float))
                else:
                    chunks[k].append(col.fillna("").str.strip().to_numpy(dtype=object))
            rows += len(chunk)
    except (ScenarioError, UnicodeDecodeError):
        raise
    except pd.errors.ParserError as exc:  # too many cells, or a quote never closed
        wide = _TOO_WIDE.search(str(exc))
        if wide:
            raise ScenarioError(
                f"line {header_line + int(wide['line'])} has {wide['saw']} cells, more than the "
                f"{n} cells of the header (a decimal comma? write numbers with a point)",
                source,
            ) from None
        raise ScenarioError(f"cannot read the CSV: {_one_line(exc)}", source) from None
    except ValueError:  # a cell that is not a number
        return None
    return {
        k: np.concatenate(v) if v else np.array([], dtype=float if k in numeric else object)
        for k, v in chunks.items()
    }


def _chunks(
    f: TextIO, names: list[str], units: dict[str, str | None], wanted: list[str], text: bool = False
) -> Iterator[Any]:
    """pandas chunks of the columns by position, with one more column past the header's last,
    which holds something only on a row with too many cells; the wanted numeric columns are
    read as floats, the others as text (and dropped chunk by chunk)."""
    import pandas as pd

    n = len(names)
    numeric = [] if text else [names.index(k) for k in wanted if units[k]]
    dtype: dict[int, Any] = {i: (float if i in numeric else str) for i in range(n + 1)}
    yield from pd.read_csv(
        f,
        header=None,
        names=list(range(n + 1)),
        dtype=dtype,
        na_values={i: _GAPS for i in numeric},
        keep_default_na=False,
        comment="#",
        skipinitialspace=True,
        chunksize=_CHUNK_ROWS,
        engine="c",
    )


def _check_width(extra: Any, rows: int, n: int, source: str) -> None:
    """Refuse a row with more cells than the header (a trailing empty cell is allowed)."""
    filled = (extra.fillna("").str.strip() != "").to_numpy(dtype=bool)
    if filled.any():
        row = rows + int(np.argmax(filled)) + 1
        raise ScenarioError(
            f"data row {row} has more than the {n} cells of the header (a decimal comma? "
            "write numbers with a point)",
            source,
        )


def _report_bad_number(
    opener: Callable[[], TextIO],
    names: list[str],
    units: dict[str, str | None],
    numeric: list[str],
    source: str,
) -> None:
    """Raise for the first cell of the ``numeric`` columns that is not a number."""
    import pandas as pd

    rows = 0
    with opener() as f:
        _header(f, source)
        for chunk in _chunks(f, names, units, numeric, text=True):
            found = []
            for key in numeric:
                col = chunk[names.index(key)].fillna("").str.strip()
                gap = col.isin(_GAPS)
                bad = (pd.to_numeric(col.where(~gap), errors="coerce").isna() & ~gap).to_numpy()
                if bad.any():
                    found.append((int(np.argmax(bad)), key, col))
            if found:
                i, key, col = min(found, key=lambda f: f[0])
                raise ScenarioError(
                    f"column {key!r}, data row {rows + i + 1}: cannot read {col.iloc[i]!r} as "
                    "a number",
                    source,
                )
            rows += len(chunk)
    raise ScenarioError(f"a cell of columns {numeric} is not a number", source)


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
        On a missing column or unit, a wrong dimension, a wrong date, times not increasing, a
        negative pressure, a non-positive temperature, or fewer than two usable rows.
    """
    header = read_table(path, columns=())
    time_key = header.time_key()
    p_key = header.find("pressure")
    if p_key is None:
        raise ScenarioError(
            f"needs a 'pressure [unit]' column, got columns {header.names}", header.source
        )
    t_key = header.find("temperature")
    table = read_table(path, [k for k in (time_key, p_key, t_key) if k is not None])
    time, start = table.times()
    pressure = table.column(p_key, "pressure")
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
    columns = {"time": time, "pressure": pressure, "temperature": temperature}
    for name, values in columns.items():
        if values is not None and np.isinf(values).any():
            row = int(np.argmax(np.isinf(values))) + 1
            raise ScenarioError(f"{name} of row {row} is {values[row - 1]}, not finite", source)
    keep = ~(np.isnan(pressure) | np.isnan(time))
    if temperature is not None:
        keep &= ~np.isnan(temperature)
    dropped = int(keep.size - np.count_nonzero(keep))
    if dropped:  # copy only when there are gaps: a long log is not duplicated
        time, pressure = time[keep], pressure[keep]
        temperature = None if temperature is None else temperature[keep]
    if temperature is not None and np.any(temperature <= 0):
        raise ScenarioError(f"temperature must be > 0 K, got {temperature.min():g} K", source)
    if time.size < 2:
        raise ScenarioError(f"needs at least two rows with a pressure, got {time.size}", source)
    steps = np.diff(time) <= 0
    if steps.any():
        i = int(np.argmax(steps))
        raise ScenarioError(
            f"times must increase, got {time[i]:g} s then {time[i + 1]:g} s (rows {i + 1}, "
            f"{i + 2})",
            source,
        )
    if np.any(pressure <= 0):
        raise ScenarioError(f"pressure must be > 0 Pa, got {pressure.min():g} Pa", source)
    return PressureLog(time, pressure, temperature, start, source, dropped)


def parse_date(text: str) -> dt.datetime | None:
    """The moment an ISO 8601 date or date-time names, as an aware datetime (naive as UTC).

    Parameters
    ----------
    text : str
        ``2024-04-01``, ``2024-04-01T12:00`` or ``2024-04-01T12:00+02:00`` [-].

    Returns
    -------
    datetime.datetime or None
        None when the text does not start as a date (it may be a time such as ``"30 day"``).

    Raises
    ------
    ValueError
        With the reason, when the text starts as a date but is not one (``2024-02-30``).

    Examples
    --------
    >>> parse_date("2024-04-01T12:00").isoformat()
    '2024-04-01T12:00:00+00:00'
    >>> parse_date("2024-02-30")
    Traceback (most recent call last):
    ValueError: '2024-02-30' is not a valid date: day is out of range for month
    """
    try:
        moment = dt.datetime.fromisoformat(text.strip())
    except ValueError as exc:
        if not _DATE_LIKE.match(text):
            return None
        reason = str(exc)
        if reason.startswith("Invalid isoformat"):
            reason = "write a date as YYYY-MM-DD, a date-time as YYYY-MM-DDThh:mm[:ss][+hh:mm]"
        raise ValueError(f"{text!r} is not a valid date: {reason}") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def _dates(cells: np.ndarray, key: str, source: str) -> tuple[np.ndarray, dt.datetime]:
    """Seconds from the first of ISO 8601 dates, and that first date (naive dates as UTC)."""
    import pandas as pd

    column = pd.Series(cells, dtype=object)
    if column.size and column.str.match(_ISO_DATE).all():
        # pandas parses a whole column in C; it refuses what it cannot represent, which the
        # loop below then reports cell by cell with Python's reason
        try:
            stamps = pd.to_datetime(column, format="ISO8601", utc=True)
        except (ValueError, OverflowError):
            pass
        else:
            if not stamps.isna().any():
                seconds = (stamps - stamps.iloc[0]) / pd.Timedelta(seconds=1)
                return seconds.to_numpy(dtype=float), stamps.iloc[0].to_pydatetime(warn=False)
    dates = []
    for i, c in enumerate(cells):
        where = f"column {key!r}, data row {i + 1}"
        try:
            moment = parse_date(c)
        except ValueError as exc:
            raise ScenarioError(f"{where}: {exc}", source) from None
        if moment is None:
            raise ScenarioError(
                f"{where}: the column has no unit, so its cells must be ISO 8601 dates such "
                f"as 2024-04-01, got {c!r}",
                source,
            )
        dates.append(moment)
    start = dates[0]
    return np.array([(d - start).total_seconds() for d in dates]), start


def _one_line(exc: Exception) -> str:
    return " ".join(str(exc).split())


def _example(kind: str) -> str:
    examples = {"time": "h", "pressure": "mmHg", "temperature": "degC", "mass_flow": "lb/day"}
    return examples.get(kind, SI_UNITS[kind])
