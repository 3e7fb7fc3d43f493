"""Finished chunks on disk, so an interrupted sweep resumes without redoing them.

A store is a folder holding ``sweep.json`` (the sweep's fingerprint: a hash of the scenario,
the swept parameters, the seed, the case count and the leaksim version) and one
``rows-<start>-<stop>.npz`` per finished chunk. Each file is written whole to a temporary name
and renamed (atomic on POSIX and Windows), so a crash or Ctrl-C leaves finished chunks and no
half chunk. Resuming checks the fingerprint: a store made by another sweep is refused rather
than mixed in.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from .._io import atomic_open, atomic_write_text
from ..errors import ScenarioError

__all__ = ["ChunkStore"]

_CHUNK = re.compile(r"rows-(\d+)-(\d+)\.npz$")


class ChunkStore:
    """A folder of finished chunks of one sweep.

    Parameters
    ----------
    folder : str or os.PathLike
        Where the chunks go; created if missing.
    fingerprint : str
        Identity of the sweep (:func:`fingerprint`).
    resume : bool
        Keep chunks already in ``folder`` (refused if they belong to another sweep); without it
        a folder holding chunks is refused, so no results are overwritten by accident.
    """

    def __init__(self, folder: str | os.PathLike[str], fingerprint: str, resume: bool) -> None:
        self.folder = Path(folder)
        self.fingerprint = fingerprint
        marker = self.folder / "sweep.json"
        if marker.exists():
            stored = json.loads(marker.read_text(encoding="utf-8")).get("fingerprint")
            if not resume:
                raise ScenarioError(
                    f"{self.folder} already holds chunks of a sweep; pass resume (--resume) "
                    "to continue it, or remove the folder"
                )
            if stored != fingerprint:
                raise ScenarioError(
                    f"{self.folder} holds chunks of a different sweep (scenario, parameters, "
                    "seed or case count changed); remove the folder to start again"
                )
        self.folder.mkdir(parents=True, exist_ok=True)
        atomic_write_text(marker, json.dumps({"fingerprint": fingerprint}))

    def done(self) -> list[tuple[int, int]]:
        """Case ranges ``(start, stop)`` already on disk, sorted."""
        ranges = []
        for path in self.folder.iterdir():
            match = _CHUNK.match(path.name)
            if match:
                ranges.append((int(match[1]), int(match[2])))
        return sorted(ranges)

    def save(self, start: int, stop: int, columns: dict[str, np.ndarray]) -> None:
        """Write one chunk whole or not at all."""
        arrays = {name: _storable(values) for name, values in columns.items()}
        with atomic_open(self.folder / f"rows-{start}-{stop}.npz", "wb") as f:
            np.savez(f, **arrays)  # type: ignore[arg-type]

    def load(self) -> Iterator[dict[str, np.ndarray]]:
        """The columns of every finished chunk, in case order."""
        for start, stop in self.done():
            with np.load(self.folder / f"rows-{start}-{stop}.npz") as data:
                yield {name: _restored(data[name]) for name in data.files}

    def remove(self) -> None:
        """Delete the folder once the whole result is written."""
        shutil.rmtree(self.folder, ignore_errors=True)


def fingerprint(*parts: object) -> str:
    """A hash of the reprs of ``parts``: equal for the same sweep, different otherwise."""
    return hashlib.sha256(repr(parts).encode("utf-8")).hexdigest()[:32]


def _storable(values: np.ndarray) -> np.ndarray:
    # npz stores object arrays only by pickling; text columns are stored as fixed unicode.
    return values.astype(str) if values.dtype == object else values


def _restored(values: np.ndarray) -> np.ndarray:
    return values.astype(object) if values.dtype.kind == "U" else values
