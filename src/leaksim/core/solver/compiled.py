"""The compiled path: the station's arrays handed to :mod:`~leaksim.core.solver.kernel`.

:func:`compiled_applies` says which runs the kernel serves (every station, unless turned
off); :func:`run_compiled` packs the model's per-case arrays (those of
:class:`~leaksim.core.model.LeanModel`, or of :class:`~leaksim.core.model.GeneralModel` for
any other station), the events, thresholds and outputs into the kernel's tuples, runs it
and assembles the same :class:`~leaksim.core.solver.Solution` as the batched
:class:`~leaksim.core.solver.integrator.Integrator`. The kernel is imported here, on first use,
so importing leaksim does not import numba.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from ..flow import SERIES_LIMIT, subsonic_series
from ..model import GeneralModel, LeanModel
from ..network import Network
from ._arguments import PressureOut, Start, check_duration, check_output_time, per_case
from ._solution import Operations, Solution
from .controller import StepController
from .events import EventSchedule
from .jacobian import colour_modules
from .output import Outputs
from .tableau import RODAS4
from .thresholds import Thresholds, check_thresholds, direction

__all__ = ["COMPILED_ENV", "compiled_applies", "kernel_cached", "run_compiled"]

#: Environment variable that turns the compiled path off ("0") for every run.
COMPILED_ENV = "LEAKSIM_COMPILED"

_MESSAGES = {
    1: "no step could meet the tolerance at t = {t:.6g} s (state not finite or step size "
    "{h:.3g} s too small)",
    2: "more than {max_steps} steps by t = {t:.6g} s",
}


def compiled_applies(network: Network, model: GeneralModel) -> bool:
    """Whether the compiled kernel integrates ``network`` with ``model``: always (the lean
    and the general model alike), unless the environment variable :data:`COMPILED_ENV` is
    ``"0"``."""
    return os.environ.get(COMPILED_ENV, "1") != "0"


#: Called once per process, just before the kernel's first run there, where numba's disk cache
#: holds no kernel for this machine's processor (the run then compiles: seconds to a minute).
#: None by default; the command line sets it to print a note on a terminal.
on_compile: Callable[[], None] | None = None
_compile_checked = False


def kernel_cached() -> bool:
    """Whether numba's disk cache holds the compiled kernel of the installed leaksim for this
    machine's processor, for some kind of station (a station of another kind, lean or general,
    with or without triggers, still compiles its own variant). False before the first run
    after installing or upgrading. True where the kernel is off (:data:`COMPILED_ENV`) or
    numba's cache cannot be read. Imports the kernel (numba)."""
    if os.environ.get(COMPILED_ENV, "1") == "0":
        return True
    from .kernel import _integrate_range

    try:
        # numba's own index of the cached machine code (empty where the source changed),
        # keyed by signature and by the processor the code was compiled for.
        dispatcher: Any = _integrate_range  # numba's internals, untyped
        here = dispatcher.targetctx.codegen().magic_tuple()
        return any(key[1] == here for key in dispatcher._cache._cache_file._load_index())
    except Exception:  # a numba without these internals: say nothing rather than guess
        return True


def _announce_compile() -> None:
    """Call :data:`on_compile` before the process's first kernel run if the cache is cold."""
    global _compile_checked
    if on_compile is None or _compile_checked:
        return
    _compile_checked = True
    if not kernel_cached():
        on_compile()


def _tableau() -> tuple[float | np.ndarray, ...]:
    """RODAS4 as the kernel takes it: ``a`` and ``c`` as zero-padded square arrays."""
    tab = RODAS4
    n = tab.n_stages - 1
    a = np.zeros((n, n))
    c = np.zeros((n, n))
    for i, row in enumerate(tab.a):
        a[i, : len(row)] = row
    for i, row in enumerate(tab.c):
        c[i, : len(row)] = row
    stages = (np.array(tab.stage_time), np.array(tab.d))
    return tab.gamma, a, c, np.array(tab.h1), np.array(tab.h2), *stages


def _network_arrays(network: Network, model: GeneralModel) -> tuple[np.ndarray, ...]:
    """The lean model's per-case arrays and the station's index arrays (kernel ``net``)."""
    links = network.links
    vacuum = model._vacuum_mask
    flow_scale = model.flow_scale().copy()
    flow_scale[:, vacuum] = model.hole_conductance()[:, vacuum]
    exponent_2 = model._flow_constants[3]
    columns = [
        *model._flow_constants,
        model._psi_star,
        np.full_like(exponent_2, SERIES_LIMIT),
        *subsonic_series(exponent_2),
    ]
    consts = np.ascontiguousarray(
        np.concatenate([np.broadcast_to(k, (network.n_cases, 1)) for k in columns], axis=1)
    )
    return (
        np.ascontiguousarray(model.pressure_per_mole()),
        links.a.astype(np.int64),
        np.where(links.b < 0, -1, links.b).astype(np.int64),
        np.asarray(vacuum, dtype=np.bool_),
        np.ascontiguousarray(links.boundary_pressure, dtype=float),
        np.ascontiguousarray(model.regularisation(), dtype=float),
        np.ascontiguousarray(flow_scale),
        consts,
        model._ventilated.astype(np.int64),
        np.ascontiguousarray(model._fan_a, dtype=float),
        np.ascontiguousarray(model._fan_b, dtype=float),
        network.sources.module.astype(np.int64),
        np.ascontiguousarray(model._src_flow, dtype=float),
        *_growth_arrays(network),
    )


def _general_arrays(
    network: Network, model: GeneralModel, floor: np.ndarray, levels: list[tuple[str, np.ndarray]]
) -> tuple[np.ndarray, ...]:
    """The general model's arrays (kernel ``gen``): its flags, mixture and initial-gas
    properties, links' ``C_d A``, regulated sources, walls, the shares of O2 and CO2, the
    colour groups of its complex-step Jacobian, whose smallest perturbations are ``floor``
    (C, F) in state units, and what each threshold of ``levels`` watches."""
    modules, sources, species = network.modules, network.sources, network.species
    n, n_modules = network.n_cases, network.n_modules
    neighbours = model.neighbours()
    colour = np.zeros(n_modules, dtype=np.int64)
    groups = colour_modules(neighbours)
    for g, members in enumerate(groups):
        colour[members] = g
    near = np.zeros((n_modules, n_modules), dtype=np.bool_)
    for m, others in enumerate(neighbours):
        near[m, sorted(others)] = True
    index = {s: (species.index(s) if s in species else -1) for s in ("O2", "CO2")}
    flags = [
        model.n_state_species,
        int(model.has_energy),
        int(network.energy == "wall"),
        int(model._same_temperature),
        index["O2"],
        index["CO2"],
        len(groups),
    ]
    share = np.zeros((n, 2))
    for i, s in enumerate(("O2", "CO2")):
        if index[s] >= 0:
            share[:, i] = model.composition[:, 0, index[s]]
    # Network.__post_init__ fills in the wall arrays.
    assert modules.wall_heat_transfer is not None and modules.wall_area is not None
    assert modules.wall_temperature is not None

    def per_case(value: object) -> np.ndarray:
        return np.ascontiguousarray(value, dtype=float)

    return (
        np.array(flags, dtype=np.int64),
        per_case(model.molar_mass),
        per_case(model.cp),
        per_case(model._x0_mole),
        per_case(modules.initial_temperature),
        per_case(modules.volume),
        per_case(model._vacuum_moles[:, 0]),
        per_case(model._mm0),
        per_case(model._cp0),
        per_case(model._cda),
        sources.watch.astype(np.int64),
        per_case(sources.setpoint),
        per_case(sources.band),
        per_case(model._src_x),
        per_case(model._src_h),
        per_case(modules.wall_heat_transfer * modules.wall_area),
        per_case(modules.wall_temperature),
        share,
        near,
        colour,
        per_case(floor),
        np.array([_QUANTITY[q] for q, _ in levels], dtype=np.int64),
    )


def _growth_arrays(network: Network) -> tuple[np.ndarray, ...]:
    """Growth of each link (-1 for none), the knots' times and areas, the links' nominal
    areas and the knots as one row per case (kernel ``net``, from ``GROWTH_OF_LINK``)."""
    growth = network.growth
    of_link = np.full(network.n_links, -1, dtype=np.int64)
    of_link[growth.link] = np.arange(growth.link.size)
    shape = (network.n_cases, growth.link.size, np.shape(growth.time)[-1])
    knots = np.broadcast_to(np.asarray(growth.time, dtype=float), shape)
    areas = np.broadcast_to(np.asarray(growth.area, dtype=float), shape)
    return (
        of_link,
        np.ascontiguousarray(knots),
        np.ascontiguousarray(areas),
        np.ascontiguousarray(network.links.area, dtype=float),
        np.ascontiguousarray(network.breakpoints, dtype=float),
    )


def _trigger_arrays(network: Network, n_modules: int) -> tuple[np.ndarray, ...]:
    """What each trigger watches, its signed level, delay and event, and its state (kernel
    ``trig``)."""
    triggers = network.triggers
    n = network.n_cases
    assert triggers.above is not None  # Network.__post_init__ fills it in
    assert triggers.armed is not None and triggers.rearms is not None
    sign = np.where(triggers.above, -1.0, 1.0)
    return (
        triggers.module.astype(np.int64),
        triggers.rate.astype(np.bool_),
        sign,
        np.ascontiguousarray(sign * triggers.level, dtype=float),
        np.ascontiguousarray(triggers.delay, dtype=float),
        triggers.event.astype(np.int64),
        # A trigger not armed at the start waits, as if fired, until another re-arms it.
        np.broadcast_to(~triggers.armed, (n, triggers.module.size)).copy(),
        np.full((n, triggers.module.size), np.nan),
        np.zeros((n, n_modules)),
        triggers.rearms.astype(np.int64),
    )


#: The observed value each threshold quantity watches in the kernel: p, O2, CO2.
_QUANTITY = {"pressure": 0, "partial_pressure_O2": 1, "partial_pressure_CO2": 2}


def _threshold_arrays(
    model: GeneralModel, levels: list[tuple[str, np.ndarray]], n_cases: int, n_modules: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(sign, share, level)``: threshold ``j`` is reached where ``sign p share <= level``
    (lean model) or ``sign v <= level``, ``v`` the observed value it watches (general
    model)."""
    shares = {
        "pressure": np.ones((n_cases, n_modules)),
        "partial_pressure_O2": model.initial_fraction("O2"),
        "partial_pressure_CO2": model.initial_fraction("CO2"),
    }
    sign = np.array([direction(q) for q, _ in levels], dtype=float)
    share = np.zeros((n_cases, len(levels), n_modules))
    level = np.zeros((n_cases, len(levels)))
    for j, (q, lev) in enumerate(levels):
        share[:, j] = shares[q]
        level[:, j] = direction(q) * lev
    return sign, share, level


def _writable(arrays: tuple[Any, ...]) -> tuple[Any, ...]:
    """``arrays`` with every read-only array copied. A network's values shared by all cases
    are read-only views, contiguous where they have one case or no elements, and numba types
    a read-only array apart: one would compile the whole kernel again for it."""
    return tuple(
        a.copy() if isinstance(a, np.ndarray) and not a.flags.writeable else a for a in arrays
    )


def run_compiled(
    network: Network,
    model: GeneralModel,
    duration: ArrayLike,
    output_time: ArrayLike,
    thresholds: Iterable[tuple[str, ArrayLike]] = (),
    rtol: ArrayLike = 1e-6,
    atol: ArrayLike = 1e-9,
    max_steps: int = 100_000,
    start: Start | None = None,
    pressure_out: PressureOut | None = None,
    threads: int | None = None,
    lanes: bool = True,
) -> tuple[Solution, np.ndarray]:
    """Integrate every case of ``network`` with the compiled kernel.

    Parameters are those of :func:`~leaksim.core.solver.solve_from` (``start`` None: from
    t = 0, as :func:`~leaksim.core.solver.solve`); ``threads`` is the number of threads the
    cases run on (default: one per core); ``lanes`` False runs every case alone, not in the
    kernel's lanes (:func:`~leaksim.core.solver.kernel.integrate`; the same bits).

    Returns
    -------
    Solution
        As the batched integrator gives it.
    numpy.ndarray, shape (C, M)
        State of each case at its end.
    """
    from .kernel import integrate

    n, n_modules = network.n_cases, network.n_modules
    ends = check_duration(duration, n)
    t_out = check_output_time(output_time)
    rel = per_case(rtol, n, "rtol")
    levels = check_thresholds(thresholds, n)
    if start is None:
        y = model.initial_state()
        scale = model.state_scale()
        t = np.zeros(n)
        steps, rejected = np.zeros(n, np.int64), np.zeros(n, np.int64)
    else:
        if start.state.shape != (n, model.n_state):
            raise ValueError(
                f"start state must have shape {(n, model.n_state)}, got {start.state.shape}"
            )
        y = start.state.copy()
        scale = model.state_scale() if start.state_scale is None else start.state_scale
        t = np.zeros(n) if start.time is None else per_case(start.time, n, "start time")
        steps = np.zeros(n, np.int64) + (0 if start.n_steps is None else start.n_steps)
        rejected = np.zeros(n, np.int64) + (0 if start.n_rejected is None else start.n_rejected)
    y = np.ascontiguousarray(y, dtype=float)
    absolute = np.ascontiguousarray(per_case(atol, n, "atol")[:, None] * scale)
    events = EventSchedule(network)
    lean = isinstance(model, LeanModel)
    outputs = Outputs(t_out, n, n_modules, lean, pressure_out)
    found = Thresholds(levels, n, n_modules)
    status = np.zeros(n, np.int8)
    state = (y, t, np.zeros_like(y), np.zeros(n), steps, rejected, status)
    ops = (
        found.time,
        np.zeros((n, network.n_links)),
        np.zeros((n, network.n_sources)),
        np.zeros((n, network.n_sources)),
        outputs.next.astype(np.int64),
        np.ascontiguousarray(events.is_open),
    )
    sched = (
        np.ascontiguousarray(events.time, dtype=float),
        network.schedule.target.astype(np.int64),
        network.schedule.opens.astype(np.bool_),
        events.done,
        events.last,
    )
    out = (
        t_out.astype(float),
        outputs.out["p"],
        outputs.row.astype(np.int64),
        outputs.column.astype(np.int64),
    )
    empty = np.empty((0, 0, 0))
    gout = tuple(empty if lean else outputs.out[key] for key in ("T", "o2", "co2"))
    exponent = StepController(RODAS4.embedded_order).exponent
    ctl = (ends, rel, absolute, int(max_steps), exponent)
    _announce_compile()
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        integrate(
            _writable(_network_arrays(network, model)),
            None
            if lean
            else _writable(
                _general_arrays(network, model, 1e-6 * np.asarray(scale, dtype=float), levels)
            ),
            _writable(sched),
            _writable(_trigger_arrays(network, n_modules)),
            _writable(_threshold_arrays(model, levels, n, n_modules)),
            out,
            gout,
            _writable(ctl),
            _tableau(),
            state,
            ops,
            start is None or start.time is None,
            threads,
            lanes,
        )
    y, t, f, h = state[:4]
    messages = [""] * n
    for c in np.flatnonzero(status):
        messages[c] = _MESSAGES[int(status[c])].format(t=t[c], h=h[c], max_steps=max_steps)
    # Every case at once, as views of the model's rows (the results are new arrays).
    p_end, t_end, _, _ = model.observe(y)
    rates = model.observe_rates(y, f)
    arrays, partial = outputs.finish(t, network, model)
    solution = Solution(
        time=t_out.copy(),
        pressure=arrays["p"],
        temperature=arrays["T"],
        partial_pressures=partial,
        final_pressure=p_end,
        final_temperature=np.array(t_end),  # a lean model's is a view of the network's
        final_moles=model.species_moles(y),
        species=network.species,
        final_pressure_rate=rates[0],
        final_partial_pressure_O2_rate=rates[1],
        final_partial_pressure_CO2_rate=rates[2],
        end_time=t.copy(),
        status=np.where(status != 0, -1, 0).astype(np.int8),
        message=messages,
        n_steps=steps.astype(np.intp),
        n_rejected=rejected.astype(np.intp),
        operations=Operations(
            threshold_time=found.time,
            event_time=events.happened(),
            max_pressure_difference=ops[1],
            source_on_time=ops[2],
            source_amount=ops[3],
            merged_time=np.zeros((n, n_modules)),
        ),
    )
    return solution, y
