"""The compiled kernel's lanes (leaksim.core.solver.kernel, section "Cases in lanes").

A lean station without triggers, scheduled events or growing areas runs its cases ``LANES``
at a time on each thread, each lane doing its case's own operations in the same order as the
case run alone (``lanes=False``). So every number of a run in lanes has the same bits as the
run case by case, whatever the batch, the thread count or the lane a case lands in: these
tests hold them equal bit for bit, not to a tolerance.
"""

import dataclasses

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from leaksim import Hatch, Leak, Module, Scenario, Station, Supply, Threshold, Valve
from leaksim.compile import compile_scenario
from leaksim.core.model import LeanModel, build_model
from leaksim.core.solver import Start, solve_from
from leaksim.core.solver.compiled import _network_arrays, _trigger_arrays, run_compiled
from leaksim.core.solver.events import EventSchedule
from leaksim.core.solver.kernel import LANES, lanes_apply
from leaksim.units import ureg


def _assert_same_bits(mine, ref):
    """Every array of two solutions equal, NaN where NaN (thresholds never reached)."""
    for field in dataclasses.fields(mine):
        a, b = getattr(mine, field.name), getattr(ref, field.name)
        if isinstance(a, np.ndarray):
            np.testing.assert_array_equal(a, b, err_msg=field.name, strict=True)
    for key, value in vars(mine.operations).items():
        if isinstance(value, np.ndarray):
            np.testing.assert_array_equal(value, getattr(ref.operations, key), err_msg=key)


def _chain(n_cases, n_modules, hatch_cm2, leak_mm, back_kpa, feed, closed, fans):
    """A chain of modules behind hatches, a hole in the first module, and optionally a leak
    to a back pressure from the last (inflow where that pressure is the higher), a constant
    feed, hatches closed from the start in some cases, and fans."""
    names = [f"M{i}" for i in range(n_modules)]
    rng = np.random.default_rng(n_cases + n_modules)
    hatches = [
        Hatch(
            [a, b],
            area=f"{hatch_cm2[k % len(hatch_cm2)]} cm^2",
            open=list(rng.random(n_cases) > 0.3) if closed else True,
            ventilation="0.02 m^3/s" if fans and k % 2 == 0 else None,
        )
        for k, (a, b) in enumerate(zip(names, names[1:], strict=False))
    ]
    leaks = [Leak(names[0], diameter=ureg.Quantity(np.geomspace(*leak_mm, n_cases), "mm"))]
    if back_kpa is not None:
        leaks.append(Leak(names[-1], diameter="4 mm", to=f"{back_kpa} kPa"))
    supplies = [Supply(names[-1], mass_flow="30 kg/day")] if feed else []
    station = Station(
        [Module(m, f"{20 + 15 * i} m^3") for i, m in enumerate(names)],
        hatches=hatches,
        leaks=leaks,
        supplies=supplies,
    )
    levels = [Threshold("p", pressure="97 kPa"), Threshold("low", pressure="60 kPa")]
    return Scenario(station, "3 h", output_interval="7 min", thresholds=levels)


def _runs(scenario, **kwargs):
    compiled = compile_scenario(scenario)
    network = compiled.network
    model = build_model(network)
    thresholds = [(t.quantity, t.level) for t in compiled.thresholds]
    args = (network, model, compiled.duration, compiled.output_time, thresholds)
    return [run_compiled(*args, lanes=flag, **kwargs) for flag in (True, False)], compiled


@settings(deadline=None, max_examples=12)
@given(
    n_cases=st.integers(1, 2 * LANES + 5),
    n_modules=st.integers(1, 4),
    hatch_cm2=st.lists(st.sampled_from([0.3, 2.0, 5.0, 50.0, 5000.0]), min_size=1, max_size=3),
    leak_mm=st.sampled_from([(0.5, 3.0), (1.0, 20.0), (10.0, 60.0)]),
    back_kpa=st.sampled_from([None, 50.0, 140.0]),
    feed=st.booleans(),
    closed=st.booleans(),
    fans=st.booleans(),
)
def test_lanes_give_the_bits_of_each_case_run_alone(
    n_cases, n_modules, hatch_cm2, leak_mm, back_kpa, feed, closed, fans
):
    scenario = _chain(n_cases, n_modules, hatch_cm2, leak_mm, back_kpa, feed, closed, fans)
    ((mine, y_mine), (ref, y_ref)), _ = _runs(scenario, threads=2)
    _assert_same_bits(mine, ref)
    np.testing.assert_array_equal(y_mine, y_ref, strict=True)
    assert np.all(ref.n_steps > 0)


def test_the_laws_outside_the_series_range_are_exercised_and_exact():
    # Small hatches behind a large hole: pressures across them differ by more than 1/32 of
    # the upstream one (the exact law, not the series) and choke; a back pressure above the
    # cabin's reverses the flow of its link.
    scenario = _chain(70, 3, [0.3], (20.0, 60.0), 140.0, True, False, True)
    ((mine, _), (ref, _)), _ = _runs(scenario)
    _assert_same_bits(mine, ref)
    p = mine.pressure
    assert np.max(np.abs(np.diff(p, axis=1)) / p.max(axis=1)[:, None, :]) > 1 / 32


def test_a_case_has_the_same_bits_in_any_lane_batch_and_thread_count():
    scenario = _chain(2 * LANES + 9, 3, [5.0, 50.0], (1.0, 30.0), None, True, True, True)
    compiled = compile_scenario(scenario)
    network = compiled.network
    model = build_model(network)
    args = (compiled.duration, compiled.output_time)
    batch = [run_compiled(network, model, *args, threads=k)[0] for k in (1, 2, 3)]
    for other in batch[1:]:
        _assert_same_bits(other, batch[0])
    duration = np.broadcast_to(compiled.duration, (network.n_cases,))
    for case in (0, 1, LANES - 1, LANES, 2 * LANES + 8):
        alone_network = network.take(np.array([case]))
        alone = run_compiled(
            alone_network, build_model(alone_network), duration[case], compiled.output_time
        )[0]
        np.testing.assert_array_equal(alone.pressure[0], batch[0].pressure[case])
        np.testing.assert_array_equal(alone.n_steps[0], batch[0].n_steps[case])


def test_a_case_that_fails_in_a_lane_fails_as_it_does_alone():
    scenario = _chain(LANES + 3, 3, [5.0], (1.0, 30.0), None, False, False, False)
    ((mine, _), (ref, _)), _ = _runs(scenario, max_steps=9)
    _assert_same_bits(mine, ref)
    assert np.any(mine.status != 0) and np.any(mine.status == 0)
    assert mine.message == ref.message


def test_a_resumed_run_in_lanes_is_the_resumed_run_alone():
    scenario = _chain(LANES + 3, 2, [5.0], (1.0, 30.0), None, True, False, True)
    compiled = compile_scenario(scenario)
    network = compiled.network
    model = build_model(network)
    first, y = solve_from(network, 600.0, [0.0], Start(state=model.initial_state()))
    start = Start(state=y, time=np.full(network.n_cases, 600.0))
    t_out = np.asarray(compiled.output_time)
    runs = [run_compiled(network, model, 3600.0, t_out, start=start, lanes=f) for f in (1, 0)]
    (mine, y_mine), (ref, y_ref) = runs
    _assert_same_bits(mine, ref)
    np.testing.assert_array_equal(y_mine, y_ref, strict=True)
    assert first.status.max() == 0


def _applies(station):
    network = compile_scenario(Scenario(station, "1 h")).network
    model = build_model(network)
    lean = isinstance(model, LeanModel)
    return lanes_apply(
        _network_arrays(network, model),
        None if lean else (),
        (EventSchedule(network).time,),
        _trigger_arrays(network, network.n_modules),
    )


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ({}, True),
        ({"hatches": [Hatch(["A", "B"], area="1 cm^2", close_at="10 min")]}, False),
        ({"leaks": [Leak("A", diameter="2 mm", growth={"rate": "1 mm^2/h"})]}, False),
        ({"valves": [Valve(module="B", area="1 cm^2", opens_above="104 kPa")]}, False),
        ({"supplies": [Supply("B", mass_flow="20 kg/day", gas="O2")]}, False),
    ],
    ids=["lean", "scheduled event", "growing hole", "trigger", "second gas"],
)
def test_lanes_take_the_lean_stations_without_events_triggers_or_growth(extra, expected):
    parts = {"hatches": [Hatch(["A", "B"], area="1 cm^2")], "leaks": [Leak("A", "3 mm^2")]}
    parts.update(extra)
    station = Station([Module("A", "10 m^3"), Module("B", "10 m^3")], **parts)
    assert _applies(station) is expected


@settings(deadline=None, max_examples=30)
@given(
    seed=st.integers(0, 2**32 - 1),
    n_modules=st.integers(2, 5),
)
def test_the_lean_jacobian_keeps_w_diagonally_dominant_by_columns(seed, n_modules):
    # The lanes' LU takes no pivots because W = I / (h gamma) - J is strictly diagonally
    # dominant by columns: each column of J has a diagonal of at most minus the sum of its
    # other entries, which are not negative.
    rng = np.random.default_rng(seed)
    names = [f"M{i}" for i in range(n_modules)]
    hatches = [
        Hatch([a, b], area=f"{rng.uniform(0.1, 500):.3f} cm^2", ventilation="0.01 m^3/s")
        for a, b in zip(names, names[1:], strict=False)
    ]
    diameters = ureg.Quantity(rng.uniform(1, 40, 16), "mm")
    station = Station(
        [Module(m, f"{rng.uniform(5, 100):.1f} m^3") for m in names],
        hatches=hatches,
        leaks=[Leak(names[0], diameter=diameters), Leak(names[-1], diameter="3 mm", to="90 kPa")],
    )
    network = compile_scenario(Scenario(station, "1 h")).network
    model = build_model(network)
    assert isinstance(model, LeanModel)
    # States from a near vacuum to above the start, each module its own.
    y = model.initial_state() * rng.uniform(0.01, 1.3, size=(16, n_modules))
    jac = np.moveaxis(model.jacobian(y, EventSchedule(network).is_open), -1, 0)
    eye = np.eye(n_modules, dtype=bool)
    size = np.abs(jac).sum(axis=1)  # each column's scale
    assert np.all(jac[:, ~eye] >= 0.0)
    assert np.all(np.diagonal(jac, axis1=1, axis2=2) < 0.0)
    assert np.all(jac.sum(axis=1) <= 1e-12 * size)
