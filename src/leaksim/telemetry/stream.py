"""Read a pressure log a piece at a time, as it grows: the rows of ``leaksim fit``'s format.

:class:`LogStream` reads the header of a CSV log (``time [h], pressure [mmHg], temperature
[degC]``, ``#`` comments; :mod:`leaksim.inverse.logs`) and then hands out the complete rows
written so far, in SI, each time :meth:`LogStream.read` is called; a row still being written
(no end of line yet) waits for the next call. The columns, units and cells are read by
:class:`leaksim.inverse.logs.Table`, so a bad log gets the errors ``fit`` gives.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
from dataclasses import dataclass
from typing import IO

import numpy as np

from ..errors import ScenarioError
from ..inverse.logs import Table, parse_table

__all__ = ["LogStream", "Rows"]

#: Most text read at one call [bytes]: the log is never held whole.
CHUNK_BYTES = 1 << 20


@dataclass(frozen=True)
class Rows:
    """Rows of a log in SI units: times [s], pressures [Pa], temperatures [K] or None."""

    time: np.ndarray
    pressure: np.ndarray
    temperature: np.ndarray | None


class LogStream:
    """The rows of a CSV pressure log, read as the file grows.

    Parameters
    ----------
    path : str or os.PathLike
        The log [-].

    Raises
    ------
    leaksim.errors.ScenarioError
        On an unreadable file, a header without a time or pressure column or unit, and, from
        :meth:`read`, rows of the wrong length or cells that are not numbers.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.source = os.fspath(path)
        try:
            self._file: IO[str] = open(self.source, encoding="utf-8", newline="")
        except OSError as exc:
            raise ScenarioError(
                f"cannot read the file: {exc.strerror or exc}", self.source
            ) from None
        self._pending = ""
        self._header: Table | None = None
        self._row = 0  # data rows read so far
        self._start: dt.datetime | None = None

    def close(self) -> None:
        """Close the file."""
        self._file.close()

    def __enter__(self) -> LogStream:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def has_header(self) -> bool:
        """Whether the header line has been read."""
        return self._header is not None

    def read(self) -> Rows | None:
        """The complete rows written since the last call, or None if there are none yet."""
        while True:
            text = self._file.read(CHUNK_BYTES)
            if not text:
                return None
            text = self._pending + text
            cut = text.rfind("\n") + 1
            self._pending = text[cut:]
            rows = self._parse(text[:cut])
            if rows is not None:
                return rows

    def read_rest(self) -> Rows | None:
        """At the end of the log: the rows left, the last one even without an end of line."""
        rows = self.read()
        if rows is not None or not self._pending.strip():
            return rows
        text, self._pending = self._pending, ""
        return self._parse(text + "\n")

    def _parse(self, text: str) -> Rows | None:
        lines = [ln for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]
        if self._header is None and lines:
            self._header = self._read_header(lines.pop(0))
        return self._rows(lines) if lines else None

    def check_complete(self) -> None:
        """Raise if the log ended without a header: it has no columns to read."""
        if self._header is None:
            raise ScenarioError(
                "has no header line such as 'time [h], pressure [mmHg]'", self.source
            )

    def _read_header(self, line: str) -> Table:
        table = parse_table(line, self.source)
        if table.find("time") is None and table.find("date") is None:
            raise ScenarioError(
                f"needs a 'time [unit]' or 'date' column, got columns {table.names}", self.source
            )
        if table.find("pressure") is None:
            raise ScenarioError(
                f"needs a 'pressure [unit]' column, got columns {table.names}", self.source
            )
        return table

    def _rows(self, lines: list[str]) -> Rows:
        assert self._header is not None
        names = self._header.names
        cells: dict[str, list[str]] = {n: [] for n in names}
        for row in csv.reader(lines):
            self._row += 1
            if len(row) != len(names):
                raise ScenarioError(
                    f"data row {self._row} has {len(row)} cells, the header {len(names)}",
                    self.source,
                )
            for n, c in zip(names, row, strict=True):
                cells[n].append(c.strip())
        units = self._header.units
        first = self._row - len(cells[names[0]]) + 1 if names else self._row
        columns = {n: _column(cells[n], units[n], n, first, self.source) for n in names}
        table = Table(self.source, names, units, columns)
        time, start = table.times()
        if start is not None:
            if self._start is None:
                self._start = start
            time = time + (start - self._start).total_seconds()
        pressure = table.column(table.find("pressure") or "", "pressure")
        t_key = table.find("temperature")
        temperature = None if t_key is None else table.column(t_key, "temperature")
        return Rows(time, pressure, temperature)


def _column(cells: list[str], unit: str | None, name: str, first: int, source: str) -> np.ndarray:
    """A column as :class:`~leaksim.inverse.logs.Table` holds it: numbers in the file's unit,
    NaN for an empty cell, where the column has a unit; the stripped text otherwise. A cell
    that is not a number is named by its data row (``first`` is the row of ``cells[0]``)."""
    if not unit:
        return np.array(cells, dtype=object)
    text = np.array([c if c else "nan" for c in cells], dtype=object)
    try:
        return text.astype(float)
    except ValueError:
        for i, cell in enumerate(cells):
            try:
                float(cell or "nan")
            except ValueError:
                raise ScenarioError(
                    f"column {name!r}, data row {first + i}: cannot read {cell!r} as a number",
                    source,
                ) from None
        raise
