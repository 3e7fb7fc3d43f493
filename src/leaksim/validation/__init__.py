"""Validation of leaksim against the world: closed forms, other codes and real events.

Each case computes leaksim's answer, states the reference it is compared with and where that
comes from, and the tolerance with the reason for it (:class:`CaseResult`). The groups:

* :mod:`~leaksim.validation.closed_forms`: isothermal and adiabatic blowdown, a lumped
  two-module network, the piecewise answer around a hatch closure, a fed steady state and
  adiabatic mixing;
* :mod:`~leaksim.validation.code_to_code`: NASA GUNNS's published test numbers and HydDown's
  nitrogen blowdown, each difference in law explained;
* :mod:`~leaksim.validation.convergence`: error against tolerance, and the full network
  against its zone-merged reduction;
* :mod:`~leaksim.validation.events`: the Zvezda PrK decays, Soyuz MS-09, Mir Spektr and
  Soyuz 11, as bands where the sources disagree.

``python -m leaksim.validation --out docs/validation`` writes the report
(:func:`write_report`). This package sits at the top layer: it uses scenarios, stations and
results, and nothing below imports it.
"""

from __future__ import annotations

from ._case import CaseResult, Group
from .report import GROUPS, render, run_groups, write_report

__all__ = ["CaseResult", "Group", "GROUPS", "render", "run_groups", "write_report"]
