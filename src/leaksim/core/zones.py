"""Modules joined by open hatches solved as one volume while they equalise quickly.

Why
---
An open hatch of about 1 m^2 equalises two modules in a fraction of a second; a leak empties
them over hours. While that lasts the modules of a hatch-connected group share one pressure
to far below the tolerance, and the group behaves as one volume (``docs/physics.md``, Closed
forms): its state is one amount instead of one per module, the stiff hatch flows vanish from
the right-hand side, and a station of fifteen modules becomes one or two equations. Fast
transients (a large hole behind a small hatch, the first seconds after a hatch opens between
modules at different pressures, hatch pressure loads in a rapid decompression) are kept on
the full network.

How
---
Each case's run is cut at the times of its scheduled hatch events; between two cuts the open
hatches are fixed. In each interval the modules joined by open hatches form candidate zones,
and a zone is merged in a case when the criterion below holds for it there. Cases that share
a zone pattern are integrated together by :mod:`leaksim.core.solver` on a reduced network (one
module per zone; links inside a zone dropped; the others re-attached to their zones), from
the state the previous interval reached. A merged zone's gas is shared out between its modules
in proportion to their volumes (equal pressure at one temperature), so mass is conserved
exactly at every cut, and module outputs are their zone's. Where no open link joins two zones
and no link switches in the interval, each zone only leaks, choked, to vacuum; at one
temperature that flow is linear in the amount and the zone decays exactly as
``p0 exp(-lambda t)``, which is used instead of integrating (no solver steps are counted for
it, and thresholds, largest pressure differences and end rates come from the same closed
form).

Composition: zones are merged only on the lean model's stations (:func:`can_merge`), where
every module of a case holds one mixture and no source adds or removes a species. A merged
zone's composition is then every module's at every moment, so the criterion below needs no
term for composition, the ventilation of open hatches changes nothing inside a zone, and a
station whose modules differ in composition, or that has a crew or a scrubber, is kept on the
full network.

Criterion
---------
With leaks to vacuum only, a zone at pressure ``p`` loses ``p Lambda`` [mol/s] in all, where
``Lambda = sum_k C_d A_k psi* / sqrt(M Ru T)`` over its holes, and in the quasi-steady state
every module's pressure falls at the same rate. The flow through a hatch whose removal cuts
the zone into a side ``S`` and the rest is then ``Q_h = p |Lambda V_S / V_Z - Lambda_S|``
(a hatch in a loop is given the whole outflow ``p Lambda``, an upper bound). The pressure
difference that drives ``Q_h`` follows from the orifice law of :mod:`leaksim.core.flow` in its
incompressible limit, ``Q = (C_d A / sqrt(M Ru T)) sqrt(2 p dp)`` (exact to ``O(dp / p)``),
inverted in closed form. This is the law without its regularisation
``dp / (dp^2 + delta^2)^(1/4)``: the regularisation (``delta`` = 1 Pa) exists so that the
full network's stiff solver can pass through ``dp = 0``, and it makes a hatch carry its flow
on a larger difference than the physical one (0.016 Pa instead of 2.6e-4 Pa for a 15 mm hole
in 100 m^3 behind a 0.5 m^2 hatch). A merged zone crosses no ``dp = 0``; the criterion bounds
its departure from the physical law, and a merged result may differ from the full network's by
that network's own regularisation effect (about twice the tolerance on the two-module
benchmark, 3e-6 relative, far inside the documented accuracy of 1e-4; against a full network
solved with ``delta`` = 1 mPa the merged results are within 0.06 of the tolerance, the full
network at 1 Pa within 2.2, ``tests/test_zones.py``). The sum
``D(p)`` of these differences over
the zone's hatches bounds how far any module's pressure strays from the zone's. Using the zone
pressure instead of the leaking module's own changes the outflow by a relative ``D / p``,
which accumulates over ``ln(p_start / p_end)`` time constants. A zone is merged when

.. math::

    \\max_p \\frac{D(p)}{\\mathrm{rtol}\\,p + \\mathrm{atol}_p}
        \\left(1 + \\ln\\frac{p_\\mathrm{start}}{p_\\mathrm{low}}\\right)
        \\le \\kappa = \\mathtt{ZONE\\_ERROR\\_FRACTION},

the maximum taken over pressures from the zone's pressure at the start of the interval down
to ``p_low``, the pressure the zone would reach at the end of the interval with every one of
its holes open and choked (a lower bound), and ``atol_p`` the absolute tolerance in pascals
of the zone. The unregularised law's ``D`` is proportional to ``p`` (``dp = Q^2 / (2 p
s^2)`` with ``Q`` proportional to ``p``), so the ratio grows with ``p`` and its maximum is at
the starting pressure, where it is evaluated. Its modules must also start at one pressure, to
within ``kappa`` times the tolerance: a zone that has no hole may instead start unequal if its
equalisation time, bounded by ``(V_Z / Ru T) sum_h 1 / G_h`` with the hatches' conductances
``G_h = Q / dp`` at the largest starting difference, lets the difference decay below the
tolerance before the next output time.

The criterion is derived here from the quasi-steady balance above; its bound is checked
against the full network in ``tests/test_zones.py`` (merged results stay within the tolerance
of a full-network reference at rtol 1e-10 or 1e-11 where the full network at the same rtol
does too). ``ZONE_ERROR_FRACTION = 0.5`` keeps half the tolerance for the integration.

Reported values: a merged hatch's largest pressure difference is the quasi-steady ``dp`` of
the criterion at the zone's starting pressure (its largest); thresholds crossed when a sealed
zone's gas is shared out at a cut are dated at the cut.

Merging applies to isothermal stations with one gas at one temperature, holes to vacuum and no
gas sources, triggers or growing holes; other stations are solved on the full network.
:func:`solve` merges; :func:`leaksim.core.solver.solve` never does; ``Scenario.run`` merges by
default (``zones=False`` turns it off).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from itertools import pairwise

import numpy as np
from numpy.typing import ArrayLike

from . import solver
from .model import GeneralModel, LeanModel, build_model, vacuum_links
from .network import Links, Modules, Network, Schedule
from .solver import (
    Operations,
    PartialPressures,
    PressureOut,
    Solution,
    Start,
    check_failure,
    direction,
    per_case,
)
from .solver._arguments import check_output_time
from .solver.output import after_end, temperature_outputs

__all__ = ["ZONE_ERROR_FRACTION", "can_merge", "link_state", "solve"]

#: Cases of a batch: their indices, or a slice where they are consecutive (views, no copies).
Rows = np.ndarray | slice

#: Largest estimated merging error, as a fraction of the tolerance, at which a zone is merged.
ZONE_ERROR_FRACTION = 0.5


def can_merge(network: Network, model: GeneralModel) -> bool:
    """Whether zones may be merged at all in ``network``, whose right-hand side is ``model``
    (see the module notes)."""
    outside = network.links.b < 0
    return (
        isinstance(model, LeanModel)
        and network.energy == "isothermal"
        and network.n_modules > 1
        and not bool(np.all(outside))
        and network.triggers.module.size == 0
        and network.n_sources == 0
        and network.growth.link.size == 0
        and bool(np.all(vacuum_links(network) == outside))
    )


def link_state(network: Network, cases: np.ndarray, t: np.ndarray) -> np.ndarray:
    """Which links are open in each case just after time ``t``, (n, K): the initial state
    with every scheduled event at or before ``t`` applied in time order (ties in event order,
    as the solver applies them)."""
    is_open = network.links.initially_open[cases].copy()
    times = network.schedule.time[cases]
    for k in range(network.n_links):
        events = np.flatnonzero(network.schedule.target == k)
        if events.size == 0:
            continue
        # The last due event wins: reversed, so argmax's first maximum is the last index.
        due = np.where(times[:, events] <= t[:, None], times[:, events], -np.inf)[:, ::-1]
        last = events[::-1][np.argmax(due, axis=1)]
        happened = np.isfinite(due.max(axis=1))
        is_open[:, k] = np.where(happened, network.schedule.opens[last], is_open[:, k])
    return is_open


def _cuts(network: Network, duration: np.ndarray) -> np.ndarray:
    """Start of each interval of each case, (C, S + 1), padded with the duration: 0, then the
    distinct times of its scheduled hatch events before its duration."""
    hatch_events = network.links.b[network.schedule.target] >= 0
    times = network.schedule.time[:, hatch_events]
    inside = (times > 0.0) & (times < duration[:, None])
    times = np.sort(np.where(inside, times, np.inf), axis=1)
    if times.shape[1] > 1:
        with np.errstate(invalid="ignore"):  # inf - inf
            same = np.diff(times) == 0
        repeat = np.concatenate([np.zeros((times.shape[0], 1), bool), same], axis=1)
        times = np.sort(np.where(repeat, np.inf, times), axis=1)
    cuts = np.concatenate([np.zeros((times.shape[0], 1)), times], axis=1)
    return np.minimum(cuts, duration[:, None])


def _components(n_modules: int, edges: list[tuple[int, int]]) -> list[list[int]]:
    """Connected components of a small graph, each sorted, in order of their first module."""
    label = list(range(n_modules))

    def root(m: int) -> int:
        while label[m] != m:
            m = label[m]
        return m

    for a, b in edges:
        ra, rb = root(a), root(b)
        label[max(ra, rb)] = min(ra, rb)
    groups: dict[int, list[int]] = {}
    for m in range(n_modules):
        groups.setdefault(root(m), []).append(m)
    return list(groups.values())


def _ordered_sum(terms: Iterable[np.ndarray]) -> np.ndarray:
    """Sum of arrays in the given order: a case's sums do not depend on its batch."""
    return np.asarray(sum(terms))


def _hatch_difference(
    q_over_p: np.ndarray | float,
    scale: np.ndarray | float,
    delta: np.ndarray | float,
    p: np.ndarray | float,
) -> np.ndarray:
    """Pressure difference [Pa] that drives ``p q_over_p`` [mol/s] through a hatch of flow
    scale ``C_d A / sqrt(M Ru T)``, from the incompressible regularised law (module notes)."""
    u2 = p * (q_over_p / scale) ** 2 / 2.0
    u4 = u2 * u2
    return np.sqrt(0.5 * (u4 + np.sqrt(u4 * (u4 + 4.0 * delta**2))))


class _Plan:
    """Zone decisions for the cases of one open-hatch pattern in one interval."""

    def __init__(
        self,
        model: GeneralModel,
        rows: Rows,
        y: np.ndarray,
        is_open: np.ndarray,
        start: np.ndarray,
        end: np.ndarray,
        rtol: np.ndarray,
        atol_mol: np.ndarray,
        next_output: np.ndarray,
    ) -> None:
        net = model.network
        self.zone_of = np.tile(np.arange(net.n_modules), (y.shape[0], 1))
        self.hatch_dp = np.zeros((y.shape[0], net.n_links))
        hatches = [k for k in range(net.n_links) if net.links.b[k] >= 0 and is_open[k]]
        edges = [(int(net.links.a[k]), int(net.links.b[k])) for k in hatches]
        volume = net.modules.volume[rows]
        rt_v = model.pressure_per_mole(rows)
        pressure = y * rt_v
        leak = model.vacuum_conductance(rows)  # (n, M) [mol/(s Pa)]
        for zone in _components(net.n_modules, edges):
            if len(zone) < 2:
                continue
            inner = [k for k, e in zip(hatches, edges, strict=True) if e[0] in zone]
            ok, dp = self._check(
                model,
                rows,
                zone,
                inner,
                volume,
                pressure,
                leak,
                rt_v,
                start,
                end,
                rtol,
                atol_mol,
                next_output,
            )
            self.zone_of[np.ix_(ok, np.array(zone))] = zone[0]
            self.hatch_dp[np.ix_(ok, np.array(inner, dtype=np.intp))] = dp[ok]

    @staticmethod
    def _check(
        model: GeneralModel,
        rows: Rows,
        zone: list[int],
        inner: list[int],
        volume: np.ndarray,
        pressure: np.ndarray,
        leak: np.ndarray,
        rt_v: np.ndarray,
        start: np.ndarray,
        end: np.ndarray,
        rtol: np.ndarray,
        atol_mol: np.ndarray,
        next_output: np.ndarray,
    ) -> tuple[np.ndarray, np.ndarray]:
        net = model.network
        v_zone = _ordered_sum(volume[:, m] for m in zone)
        p_zone = _ordered_sum(pressure[:, m] * volume[:, m] for m in zone) / v_zone
        leak_zone = _ordered_sum(leak[:, m] for m in zone)
        rt = rt_v[:, zone[0]] * volume[:, zone[0]]  # Ru T [J/mol]
        atol_p = atol_mol * rt / v_zone
        tol = rtol * p_zone + atol_p
        # Lowest pressure the zone can reach in the interval: every hole open and choked.
        decay = leak_zone * rt / v_zone * (end - start)
        spread = np.zeros_like(p_zone)
        for m in zone:
            np.maximum(spread, np.abs(pressure[:, m] - p_zone), out=spread)
        # Hatch flows per unit zone pressure in the quasi-steady state.
        q: list[np.ndarray] = []
        for k in inner:
            rest = [e for e in inner if e != k]
            edges = [(int(net.links.a[e]), int(net.links.b[e])) for e in rest]
            side = next(c for c in _components(net.n_modules, edges) if net.links.a[k] in c)
            if net.links.b[k] in side:  # a loop: bounded by the whole outflow
                q.append(leak_zone)
            else:
                v_side = _ordered_sum(volume[:, m] for m in side)
                leak_side = _ordered_sum(leak[:, m] for m in side)
                q.append(np.abs(leak_zone * v_side / v_zone - leak_side))
        scale = model.flow_scale(rows)
        delta = model.regularisation(rows)
        # The orifice law itself (delta = 0), not its regularised form: the regularisation is a
        # device of the full network that lets its stiff solver pass through dp = 0, and with
        # delta = 1 Pa it makes a hatch carry its flow on up to 60 times the physical dp. A
        # merged zone has no such crossing; what merging must bound is its departure from the
        # physical law (module notes, "Criterion"). That law's dp is proportional to p, so
        # D / (rtol p + atol_p) grows with p and is largest at the starting pressure.
        dp = [
            _hatch_difference(qk, scale[:, k], 0.0, p_zone) for k, qk in zip(inner, q, strict=True)
        ]
        total = _ordered_sum(dp)
        # A zone at 0 Pa with no absolute tolerance: no difference to bound, nothing to divide.
        ratio = np.divide(total, tol, out=np.zeros_like(total), where=tol > 0)
        merge = ratio * (1.0 + decay) <= ZONE_ERROR_FRACTION
        merge &= spread <= ZONE_ERROR_FRACTION * tol
        # A zone without holes may start unequal if it equalises before the next output.
        sealed = leak_zone == 0.0
        if np.any(sealed & ~merge):
            conductance = [
                scale[:, k] * np.sqrt(2.0 * p_zone) / (spread**2 + delta[:, k] ** 2) ** 0.25
                for k in inner
            ]
            t_eq = v_zone / rt * sum(1.0 / g for g in conductance)
            decades = np.log(np.maximum(spread / (ZONE_ERROR_FRACTION * tol), 1.0))
            merge |= sealed & (t_eq * decades <= next_output - start)
        return np.flatnonzero(merge), np.stack(dp, axis=1)


class _Totals:
    """The whole run's results, filled interval by interval and zone pattern by pattern."""

    def __init__(self, network: Network, n_out: int, n_thresholds: int) -> None:
        c, m, k = network.n_cases, network.n_modules, network.n_links
        # The solver's output layout; left unwritten here: the intervals write every output
        # a case reaches, and :func:`_solution` those after its end, NaN (a fresh array of
        # 60 MB at 1e5 cases costs as much to fill as to compute).
        self.pressure = np.empty((m, c, n_out))
        self.threshold_time = np.full((c, n_thresholds, m), np.nan)
        self.n_steps = np.zeros(c, dtype=np.intp)
        self.n_rejected = np.zeros(c, dtype=np.intp)
        self.status = np.zeros(c, dtype=np.int8)
        self.message = [""] * c
        self.end_time = np.zeros(c)
        self.final_pressure = np.zeros((c, m))
        self.final_rate = np.zeros((c, m))
        self.max_dp = np.zeros((c, k))
        self.merged_time = np.zeros((c, m))


def _groups(rows: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
    """The distinct rows of a small-integer or boolean array (n, W) and, for each, the
    indices of the rows equal to it, in increasing order."""
    if rows.shape[0] and np.all(rows == rows[:1]):  # one pattern, found in one pass
        return [(rows[0], np.arange(rows.shape[0]))]
    values = rows.astype(np.int64)
    base = int(values.max(initial=0)) + 1
    if base ** rows.shape[1] < 2**62:
        # One integer per row: sorting it is far cheaper than np.unique(axis=0).
        key = values @ (base ** np.arange(rows.shape[1], dtype=np.int64))
        _, first, inverse = np.unique(key, return_index=True, return_inverse=True)
    else:
        _, first, inverse = np.unique(values, axis=0, return_index=True, return_inverse=True)
    inverse = inverse.reshape(-1)
    order = np.argsort(inverse, kind="stable")
    bounds = np.cumsum(np.bincount(inverse))
    return [
        (rows[f], order[b - c : b])
        for f, b, c in zip(first, bounds, np.bincount(inverse), strict=True)
    ]


class _Zones:
    """The zones of one zone map for the cases ``rows``: each module's zone, the zones'
    volumes and amounts, and the links kept between zones or to the outside."""

    def __init__(self, network: Network, rows: Rows, zone_map: np.ndarray, y: np.ndarray) -> None:
        labels = np.unique(zone_map)
        self.zone = np.searchsorted(labels, zone_map)
        self.members = [np.flatnonzero(self.zone == z) for z in range(labels.size)]
        self.first = np.array([mem[0] for mem in self.members])
        volume = network.modules.volume[rows]
        # Summed module by module, in a fixed order: a case's sums do not depend on its batch.
        self.volume = np.stack([sum(volume[:, m] for m in mem) for mem in self.members], axis=1)
        self.amount = np.stack([sum(y[:, m] for m in mem) for mem in self.members], axis=1)
        a, b = network.links.a, network.links.b
        zone = self.zone
        self.kept = np.flatnonzero((b < 0) | (zone[a] != zone[np.maximum(b, 0)]))

    def uncoupled(
        self, network: Network, rows: Rows, is_open: np.ndarray, start: np.ndarray,
        end: np.ndarray,
    ) -> bool:  # fmt: skip
        """Whether no kept link joins two zones while open in the interval, nor any kept link
        switches in it: each zone then only leaks, choked, to vacuum. ``is_open`` is the
        links' state at ``start`` (all links)."""
        inner = self.kept[network.links.b[self.kept] >= 0]
        if np.any(is_open[:, inner]):
            return False
        events = np.flatnonzero(np.isin(network.schedule.target, self.kept))
        if events.size == 0:
            return True
        times = network.schedule.time[rows][:, events]
        return not np.any((times > start[:, None]) & (times < end[:, None]))

    def network(
        self, network: Network, model: GeneralModel, rows: Rows, is_open: np.ndarray,
        start: np.ndarray,
    ) -> Network:  # fmt: skip
        """The network of ``rows`` with each zone as one module (links inside a zone dropped,
        the others re-attached to their zones), from the zones' amounts. Consecutive rows are
        a slice, so that a value shared by every case stays one row (a view)."""
        zone, kept, first = self.zone, self.kept, self.first
        a, b = network.links.a, network.links.b
        new_index = np.full(network.n_links, -1)
        new_index[kept] = np.arange(kept.size)
        events = np.flatnonzero(np.isin(network.schedule.target, kept))
        event_time = network.schedule.time[rows][:, events]
        # Events up to the start are in ``is_open`` already.
        event_time = np.where(event_time <= start[:, None], np.inf, event_time)
        rt = model.pressure_per_mole(rows) * network.modules.volume[rows]
        return Network(
            species=network.species,
            modules=Modules(
                volume=self.volume,
                initial_pressure=self.amount * rt[:, first] / self.volume,
                initial_temperature=network.modules.initial_temperature[rows][:, first],
                initial_mole_fraction=network.modules.initial_mole_fraction[rows][:, first],
                names=tuple(network.modules.names[m] for m in first),
            ),
            links=Links(
                a=zone[a[kept]],
                b=np.where(b[kept] < 0, -1, zone[np.maximum(b[kept], 0)]),
                boundary_pressure=network.links.boundary_pressure[rows][:, kept],
                area=network.links.area[rows][:, kept],
                discharge_coefficient=network.links.discharge_coefficient[rows][:, kept],
                initially_open=is_open[:, kept],
                ventilation=network.links.ventilation[rows][:, kept],
                names=tuple(network.links.names[k] for k in kept),
            ),
            schedule=Schedule(
                time=event_time,
                target=new_index[network.schedule.target[events]],
                opens=network.schedule.opens[events],
            ),
            energy="isothermal",
            regularisation_pressure=np.asarray(network.regularisation_pressure)[rows],
        )


def solve(
    network: Network,
    duration: ArrayLike,
    output_time: ArrayLike,
    thresholds: Iterable[tuple[str, ArrayLike]] = (),
    rtol: ArrayLike = 1e-6,
    atol: ArrayLike = 1e-9,
    max_steps: int = 100_000,
    on_failure: str = "mark",
    reduce_composition: bool = True,
    compiled: bool = True,
) -> Solution:
    """:func:`leaksim.core.solver.solve`, with zones merged where the criterion allows.

    Parameters and result as :func:`leaksim.core.solver.solve` (``compiled`` included);
    ``Solution.operations.merged_time`` says how long each module spent in a merged zone. A
    network that cannot be merged at all (:func:`can_merge`) is solved in full.
    """
    model = build_model(network, reduce_composition)
    if not can_merge(network, model):
        return solver.solve(
            network,
            duration,
            output_time,
            thresholds,
            rtol,
            atol,
            max_steps,
            on_failure,
            reduce_composition,
            model=model,
            compiled=compiled,
        )
    solution = _solve_zoned(
        network,
        model,
        duration,
        output_time,
        thresholds,
        rtol,
        atol,
        max_steps,
        reduce_composition,
        compiled,
    )
    check_failure(solution, on_failure)
    return solution


def _solve_zoned(
    network: Network,
    model: GeneralModel,
    duration: ArrayLike,
    output_time: ArrayLike,
    thresholds: Iterable[tuple[str, ArrayLike]],
    rtol: ArrayLike,
    atol: ArrayLike,
    max_steps: int,
    reduce_composition: bool,
    compiled: bool,
) -> Solution:
    """Integrate interval by interval, zone pattern by zone pattern (module notes)."""
    n = network.n_cases
    duration = per_case(duration, n, "duration")
    if np.any(~(duration > 0)):
        raise ValueError(f"duration must be > 0 s, got {duration.min()}")
    rtol = per_case(rtol, n, "rtol")
    atol = per_case(atol, n, "atol")
    t_out = check_output_time(output_time)  # as the solver: increasing, >= 0
    levels = [(q, per_case(level, n, "threshold level")) for q, level in thresholds]
    cuts = _cuts(network, duration)
    y = model.initial_state()
    scale = model.state_scale()
    totals = _Totals(network, t_out.size, len(levels))
    identity = np.arange(network.n_modules)
    for s in range(cuts.shape[1]):
        todo = np.flatnonzero((totals.status == 0) & (cuts[:, s] < duration))
        if todo.size == 0:
            break
        start = cuts[todo, s]
        end = cuts[todo, s + 1] if s + 1 < cuts.shape[1] else duration[todo]
        is_open = link_state(network, todo, start)
        # The next output this interval reports: at its start too for the first one.
        later = np.searchsorted(t_out, start, side="left" if s == 0 else "right")
        next_output = np.append(t_out, np.inf)[later]
        zone_of = np.empty((todo.size, network.n_modules), dtype=np.intp)
        for pattern, sel in _groups(is_open):
            rows = todo[sel]
            at = _as_slice(rows) or rows  # consecutive cases: views, not gathers
            plan = _Plan(
                model,
                at,
                y[at],
                pattern,
                start[sel],
                end[sel],
                rtol[at],
                atol[at] * scale[at, 0],
                next_output[sel],
            )
            zone_of[sel] = plan.zone_of
            totals.max_dp[at] = np.maximum(totals.max_dp[at], plan.hatch_dp)
        for zone_map, sel in _groups(zone_of):
            rows = todo[sel]
            at = _as_slice(rows) or rows  # consecutive cases: views, not gathers
            merged = np.bincount(zone_map, minlength=network.n_modules)[zone_map] > 1
            if merged.any():
                totals.merged_time[at] += merged * (end[sel] - start[sel])[:, None]
            zones = _Zones(network, at, zone_map, y[at])
            n_zone, zone, v_zone, kept = zones.amount, zones.zone, zones.volume, zones.kept
            if s > 0:
                _crossed_at_cut(totals, model, at, n_zone, v_zone, zone, levels, start[sel])
            if zones.uncoupled(network, at, is_open[sel], start[sel], end[sel]):
                n_end = _exponential(
                    totals,
                    model,
                    at,
                    n_zone,
                    v_zone,
                    zone,
                    kept,
                    is_open[sel],
                    start[sel],
                    end[sel],
                    t_out,
                    levels,
                    first=s == 0,
                )
                y[at] = n_end[:, zone] * network.modules.volume[at] / v_zone[:, zone]
                continue
            if s == 0 and np.array_equal(zone_map, identity):
                # Nothing merged from the start: the network's own rows and their model,
                # views where the rows are consecutive, not a reduced copy of both (5 % of
                # the run on the 4-module chain of benchmarks/peers.py).
                reduced_model = model.take(at)
                reduced = reduced_model.network
            else:
                reduced = zones.network(network, model, at, is_open[sel], start[sel])
                reduced_model = None
            if s == 0 and isinstance(at, slice):
                # The kernel's threads write these rows' outputs, none written yet: fault the
                # fresh pages in from this thread first (:func:`_touch`; the kernel took 5 %
                # longer on the 4-module chain of benchmarks/peers.py without).
                _touch(totals.pressure[:, at])
            start_at = Start(
                state=n_zone,
                state_scale=np.repeat(scale[rows, :1], n_zone.shape[1], axis=1),
                time=None if s == 0 else start[sel],
                # Steps count across intervals, against one max_steps.
                n_steps=totals.n_steps[rows],
                n_rejected=totals.n_rejected[rows],
            )
            solution, n_end = solver.solve_from(
                reduced,
                end[sel],
                t_out,
                start_at,
                [(q, level[rows]) for q, level in levels],
                rtol[rows],
                atol[rows],
                max_steps,
                reduce_composition,
                pressure_out=PressureOut(totals.pressure, rows, zone),
                compiled=compiled,
                model=reduced_model,
            )
            # Each zone's gas shared out by volume: equal pressures, mass kept exactly.
            y[rows] = n_end[:, zone] * network.modules.volume[rows] / v_zone[:, zone]
            _collect(totals, rows, solution, zone, kept)
    return _solution(network, model, totals, y, t_out)


def _exponential(
    totals: _Totals,
    model: GeneralModel,
    rows: Rows,
    n_zone: np.ndarray,
    v_zone: np.ndarray,
    zone: np.ndarray,
    kept: np.ndarray,
    is_open: np.ndarray,
    start: np.ndarray,
    end: np.ndarray,
    t_out: np.ndarray,
    thresholds: list[tuple[str, np.ndarray]],
    first: bool,
) -> np.ndarray:
    """Solve zones that only leak to vacuum exactly: a choked hole's flow is linear in the
    amount at one temperature, so ``N(t) = N0 exp(-lambda (t - t0))`` with ``lambda = (Ru T /
    V_Z) sum_k C_d A_k psi* / sqrt(M Ru T)`` over the zone's open holes (Saad [1] of
    :mod:`leaksim.core.flow`; ``docs/physics.md``, Closed forms). Fills the totals like a solver
    run; returns the zone amounts at the end."""
    net = model.network
    rt = model.pressure_per_mole(rows)[:, 0] * net.modules.volume[rows, 0]  # Ru T [J/mol]
    holes = model.hole_conductance(rows) * is_open
    outflow = np.zeros_like(v_zone)
    for k in np.flatnonzero(net.links.b < 0):
        outflow[:, zone[net.links.a[k]]] += holes[:, k]
    rate = outflow * rt[:, None] / v_zone  # lambda [1/s]
    p0 = n_zone * rt[:, None] / v_zone
    span = end - start
    # Outputs this interval reports (its start too for the first one).
    inside = _reported(t_out, start, end, first)
    _write_decay(totals.pressure, rows, zone, t_out, start, span, rate, p0, inside, first)
    for j, (quantity, level) in enumerate(thresholds):
        value0 = p0 * _share(model, quantity, rows)[:, :1]
        sign = direction(quantity)
        with np.errstate(divide="ignore", invalid="ignore"):
            # A decaying value never rises to a level it starts below.
            wait = np.log(value0 / level[rows, None]) / rate if sign > 0 else np.nan
        reached = sign * value0 <= sign * level[rows, None]
        at = np.where(reached, 0.0 if first else np.nan, wait)
        at = np.where(at <= span[:, None], start[:, None] + at, np.nan)
        totals.threshold_time[rows, j] = np.fmin(totals.threshold_time[rows, j], at[:, zone])
    decay = np.exp(-rate * span[:, None])
    p_end = p0 * decay
    totals.end_time[rows] = end
    totals.final_pressure[rows] = p_end[:, zone]
    totals.final_rate[rows] = (-rate * p_end)[:, zone]
    _largest_differences(totals, rows, net, zone, kept, p0, rate, span)
    return n_zone * decay


def _write_decay(
    out: np.ndarray,
    rows: Rows,
    zone: np.ndarray,
    t_out: np.ndarray,
    start: np.ndarray,
    span: np.ndarray,
    rate: np.ndarray,
    p0: np.ndarray,
    inside: np.ndarray,
    first: bool,
) -> None:
    """Write ``p0 exp(-rate (t - start))`` of each module's zone at the outputs ``inside``,
    and NaN at the others in a run's first interval (its outputs start unwritten).

    These (module, case, time) outputs are most of a merged run's memory, and writing fresh
    memory costs more than the arithmetic on this kind of machine; where the cases are
    consecutive and every output is inside the interval, each zone's decay is computed in
    place in its first module's output and copied to the others, with no temporary arrays.
    """
    block = _as_slice(rows)
    if block is not None and inside.all():
        # Every output lies in [start, end]: the elapsed time needs no clipping at 0, and at
        # the span only where the last output's 1e-12 allowance passes the end.
        clip = bool(np.any(t_out[-1] - start > span))
        at_zero = not clip and not np.any(start)

        def rows_from(lo: int, hi: int) -> None:
            first_module: dict[int, int] = {}
            here = slice(block.start + lo, block.start + hi)
            for m, z in enumerate(zone):
                dest = out[m, here]
                if z in first_module:
                    np.copyto(dest, out[first_module[z], here])
                    continue
                first_module[z] = m
                if at_zero:  # t - 0 is t: one pass fewer
                    np.multiply(t_out[None, :], -rate[lo:hi, z, None], out=dest)
                else:
                    np.subtract(t_out[None, :], start[lo:hi, None], out=dest)
                    if clip:
                        np.minimum(dest, span[lo:hi, None], out=dest)
                    dest *= -rate[lo:hi, z, None]
                np.exp(dest, out=dest)
                dest *= p0[lo:hi, z, None]

        if first:  # fresh memory: faulted in from one thread (see _touch)
            _touch(out[:, block])
        _in_parallel(rows_from, span.size)
        return
    elapsed = np.clip(t_out[None, :] - start[:, None], 0.0, span[:, None])
    pressure = p0[:, :, None] * np.exp(-rate[:, :, None] * elapsed[:, None, :])
    for m, z in enumerate(zone):
        before = np.nan if first else out[m, rows]
        out[m, rows] = np.where(inside, pressure[:, z], before)


# Rows below which an array pass is not worth a thread.
_PARALLEL_ROWS = 20_000


def _touch(out: np.ndarray) -> None:
    """Fault in the fresh memory under ``out`` from this thread, a word per 4 KiB page.

    numpy asks for transparent huge pages for large arrays; measured on this project's 2-core
    virtual machine, two threads faulting in 2 MiB pages of one fresh array at once took from
    13 to 80 ms for the 59 MB of 100,000 two-module cases, where one thread faulting them in
    first and two writing after took 18 to 22 ms."""
    for part in out:
        flat = part.reshape(-1)
        flat[::512] = 0.0


def _in_parallel(work: Callable[[int, int], None], n_rows: int) -> None:
    """Run ``work(lo, hi)`` over the rows 0 to ``n_rows`` on one thread per core, in blocks
    (numpy releases the GIL in its array passes); each row's numbers do not depend on its
    block."""
    workers = min(os.cpu_count() or 1, n_rows // _PARALLEL_ROWS)
    if workers < 2:
        work(0, n_rows)
        return
    bounds = np.linspace(0, n_rows, workers + 1).astype(int)
    with ThreadPoolExecutor(workers) as pool:
        for run in [pool.submit(work, int(lo), int(hi)) for lo, hi in pairwise(bounds)]:
            run.result()


def _reported(t_out: np.ndarray, start: np.ndarray, end: np.ndarray, first: bool) -> np.ndarray:
    """Which outputs each case's interval reports, (n, T), or one True where it reports them
    all (the common case, found without the (n, T) comparisons)."""
    limit = end * (1 + 1e-12)
    if t_out.size == 0 or (
        np.all(start <= t_out[0] if first else start < t_out[0]) and np.all(t_out[-1] <= limit)
    ):
        return np.ones((1, 1), dtype=bool)
    after = t_out[None, :] >= start[:, None] if first else t_out[None, :] > start[:, None]
    return after & (t_out[None, :] <= limit[:, None])


def _as_slice(rows: np.ndarray | slice) -> slice | None:
    """``rows`` as a slice when they are consecutive cases (a view instead of a gather)."""
    if isinstance(rows, slice):
        return rows
    if rows.size and rows[-1] - rows[0] + 1 == rows.size and np.all(np.diff(rows) == 1):
        return slice(int(rows[0]), int(rows[-1]) + 1)
    return None


def _largest_differences(
    totals: _Totals,
    rows: Rows,
    net: Network,
    zone: np.ndarray,
    kept: np.ndarray,
    p0: np.ndarray,
    rate: np.ndarray,
    span: np.ndarray,
) -> None:
    """Largest ``|p_a - p_b|`` of every kept link over the interval, for zones decaying
    exponentially: at its start, at its end or where the difference is stationary."""
    for k in kept:
        a = zone[net.links.a[k]]
        pa, ra = p0[:, a], rate[:, a]
        if net.links.b[k] < 0:
            largest = np.abs(pa - net.links.boundary_pressure[rows, k])
        else:
            b = zone[net.links.b[k]]
            pb, rb = p0[:, b], rate[:, b]
            with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
                stationary = np.log(rb * pb / (ra * pa)) / (rb - ra)
            stationary = np.where(np.isfinite(stationary), stationary, 0.0)
            largest = np.zeros(span.size)
            for tau in (np.zeros(span.size), span, np.clip(stationary, 0.0, span)):
                diff = pa * np.exp(-ra * tau) - pb * np.exp(-rb * tau)
                largest = np.maximum(largest, np.abs(diff))
        totals.max_dp[rows, k] = np.maximum(totals.max_dp[rows, k], largest)


def _crossed_at_cut(
    totals: _Totals,
    model: GeneralModel,
    rows: Rows,
    n_zone: np.ndarray,
    v_zone: np.ndarray,
    zone: np.ndarray,
    thresholds: list[tuple[str, np.ndarray]],
    start: np.ndarray,
) -> None:
    """Thresholds reached when a zone's gas is shared out at a cut: a module above a level
    whose zone is below it crosses it there (on the full network, within the equalisation
    time after the cut)."""
    rt = model.pressure_per_mole(rows) * model.network.modules.volume[rows]
    pressure = (n_zone / v_zone)[:, zone] * rt
    for j, (quantity, level) in enumerate(thresholds):
        value = pressure * _share(model, quantity, rows)
        sign = direction(quantity)
        known = totals.threshold_time[rows, j]
        fresh = np.isnan(known) & (sign * value <= sign * level[rows, None])
        totals.threshold_time[rows, j] = np.where(fresh, start[:, None], known)


def _share(model: GeneralModel, quantity: str, rows: Rows) -> np.ndarray:
    """The part of the pressure a threshold's quantity is, in each module of a merged run
    (one gas per case, so a fixed share), (n, M)."""
    species = {"partial_pressure_O2": "O2", "partial_pressure_CO2": "CO2"}.get(quantity)
    if species is None:
        return np.ones_like(model.pressure_per_mole(rows))
    return model.initial_fraction(species, rows)


def _collect(
    totals: _Totals, rows: np.ndarray, solution: Solution, zone: np.ndarray, kept: np.ndarray
) -> None:
    """Add one zone pattern's interval to the totals, zones spread back to their modules
    (the pressures are written by the solver itself)."""
    done = solution.operations
    totals.threshold_time[rows] = np.fmin(
        totals.threshold_time[rows], done.threshold_time[:, :, zone]
    )
    totals.n_steps[rows] = solution.n_steps
    totals.n_rejected[rows] = solution.n_rejected
    totals.end_time[rows] = solution.end_time
    totals.final_pressure[rows] = solution.final_pressure[:, zone]
    totals.final_rate[rows] = solution.final_pressure_rate[:, zone]
    grid = np.ix_(rows, kept)
    totals.max_dp[grid] = np.maximum(totals.max_dp[grid], done.max_pressure_difference)
    for i in np.flatnonzero(solution.status != 0):
        totals.status[rows[i]] = -1
        totals.message[rows[i]] = solution.message[i]


def _ended(totals: _Totals, t_out: np.ndarray) -> np.ndarray | None:
    """Which outputs come after each case's end (a failure, or a shorter duration), (C, T),
    or None: set to NaN here, the intervals having written all the others."""
    ended = after_end(t_out, totals.end_time)
    if ended is not None:
        short = np.flatnonzero(ended[:, -1])  # outputs increase: the last is the first to end
        for out in totals.pressure:
            out[short] = np.where(ended[short], np.nan, out[short])
    return ended


def _solution(
    network: Network, model: GeneralModel, totals: _Totals, y: np.ndarray, t_out: np.ndarray
) -> Solution:
    """The :class:`~leaksim.core.solver.Solution` of the whole run."""
    cases = slice(None)  # every case: views of the model's arrays, not gathers
    pressure = totals.pressure.transpose(1, 0, 2)
    temperature = network.modules.initial_temperature
    o2 = model.initial_fraction("O2", cases)
    co2 = model.initial_fraction("CO2", cases)
    done = network.schedule.time <= totals.end_time[:, None]
    none = np.zeros((network.n_cases, 0))
    # One temperature per module, NaN after a case's end like the pressure.
    temperature_out = temperature_outputs(temperature, _ended(totals, t_out), t_out.size)
    return Solution(
        time=t_out.copy(),
        pressure=pressure,
        temperature=temperature_out,
        partial_pressures=PartialPressures.from_shares(pressure, o2, co2),
        final_pressure=totals.final_pressure,
        final_temperature=temperature.copy(),
        final_moles=model.species_moles(y, cases),
        species=network.species,
        final_pressure_rate=totals.final_rate,
        final_partial_pressure_O2_rate=totals.final_rate * o2,
        final_partial_pressure_CO2_rate=totals.final_rate * co2,
        end_time=totals.end_time,
        status=totals.status,
        message=totals.message,
        n_steps=totals.n_steps,
        n_rejected=totals.n_rejected,
        operations=Operations(
            threshold_time=totals.threshold_time,
            event_time=np.where(done, network.schedule.time, np.nan),
            max_pressure_difference=totals.max_dp,
            source_on_time=none,
            source_amount=none.copy(),
            merged_time=totals.merged_time,
        ),
    )
