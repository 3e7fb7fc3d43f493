"""Batched stiff integration of many leak cases at once (:mod:`.integrator`)."""

from __future__ import annotations

from .integrator import THRESHOLD_QUANTITIES, Solution, solve

__all__ = ["Solution", "solve", "THRESHOLD_QUANTITIES"]
