"""The compiled kernel (leaksim.core.solver.kernel) against the batched array loop.

Both integrate the same equations with the same RODAS4 tableau, error norm and step control,
so they take the same steps; they differ only by the round-off of scalar and vectorised
transcendental functions. The tolerances below are therefore far below the solver tolerance
(rtol 1e-6): 1e-9 relative on outputs, which a wrong term in either path would exceed by
orders of magnitude.
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from leaksim import Crew, Hatch, Leak, Module, Scenario, Station, Supply, Threshold, Valve
from leaksim.compile import compile_scenario
from leaksim.core.flow import (
    choked_flow_function,
    flow_function_constants,
    regularised_flux_and_slopes,
)
from leaksim.core.model import build_model
from leaksim.core.solver import PressureOut, Start, solve, solve_from
from leaksim.core.solver.compiled import COMPILED_ENV, compiled_applies, run_compiled
from leaksim.core.solver.kernel import flux_and_slopes
from leaksim.units import ureg

RTOL = 1e-9  # round-off of two evaluations of one method; the solver tolerance is 1e-6


@settings(deadline=None)
@given(
    p_u=st.floats(1.0, 2e5),
    ratio=st.floats(0.0, 1.0),
    delta=st.floats(1e-3, 1e3),
    gamma=st.floats(1.1, 1.67),
)
def test_flux_and_slopes_match_the_reference_law(p_u, ratio, delta, gamma):
    p_d = p_u * ratio
    constants = flow_function_constants(gamma)
    psi_star = float(choked_flow_function(gamma))
    reference = regularised_flux_and_slopes(
        np.array([p_u]), np.array([p_d]), np.array([delta]), constants
    )
    compiled = flux_and_slopes(p_u, p_d, delta, *(float(k) for k in constants), psi_star)
    for mine, ref in zip(compiled, reference, strict=True):
        assert mine == pytest.approx(float(ref[0]), rel=1e-12, abs=1e-300)


def _station(n=5, thresholds=True):
    """Three modules in a chain, one behind a closing hatch, a hole, a back-pressure link,
    fans and a constant feed: every part of a lean station."""
    diameters = ureg.Quantity(np.linspace(2.0, 30.0, n), "mm")
    station = Station(
        [Module("A", "40 m^3"), Module("B", "60 m^3"), Module("C", "20 m^3")],
        hatches=[
            Hatch(["A", "B"], area="8 cm^2", ventilation="0.01 m^3/s"),
            Hatch(["B", "C"], area="0.5 m^2", close_at="20 min"),
        ],
        leaks=[Leak("A", diameter=diameters), Leak("C", diameter="3 mm")],
    )
    levels = [Threshold("p", pressure="95 kPa"), Threshold("o2", partial_pressure_O2="19 kPa")]
    return Scenario(
        station,
        "2 h",
        output_interval="5 min",
        thresholds=levels if thresholds else [],
    )


def _both(scenario):
    compiled = compile_scenario(scenario)
    network = compiled.network
    model = build_model(network)
    thresholds = [(t.quantity, t.level) for t in compiled.thresholds]
    args = (network, compiled.duration, compiled.output_time, thresholds)
    return (
        solve(*args, model=model, compiled=True),
        solve(*args, model=model, compiled=False),
        network,
        model,
    )


def test_the_station_takes_the_compiled_path():
    compiled = compile_scenario(_station())
    network = compiled.network
    assert compiled_applies(network, build_model(network))


def test_compiled_and_batched_runs_agree():
    mine, ref, _, _ = _both(_station())
    assert np.all(mine.status == 0)
    np.testing.assert_array_equal(mine.n_steps, ref.n_steps)
    np.testing.assert_array_equal(mine.n_rejected, ref.n_rejected)
    np.testing.assert_allclose(mine.pressure, ref.pressure, rtol=RTOL)
    np.testing.assert_allclose(mine.final_pressure, ref.final_pressure, rtol=RTOL)
    np.testing.assert_allclose(mine.final_pressure_rate, ref.final_pressure_rate, rtol=1e-7)
    np.testing.assert_allclose(
        mine.partial_pressure_O2, ref.partial_pressure_O2, rtol=RTOL, equal_nan=True
    )
    ops, ref_ops = mine.operations, ref.operations
    assert np.isfinite(ref_ops.threshold_time).any()
    np.testing.assert_allclose(
        ops.threshold_time, ref_ops.threshold_time, rtol=RTOL, atol=1e-6, equal_nan=True
    )
    np.testing.assert_array_equal(ops.event_time, ref_ops.event_time)
    np.testing.assert_allclose(
        ops.max_pressure_difference, ref_ops.max_pressure_difference, rtol=RTOL, atol=1e-6
    )


def _triggered(n=4):
    """Hatches closed by the crew on a pressure and on a pressure rate, a valve that opens
    above a pressure, and a hole that grows: every event the kernel locates."""
    levels = ureg.Quantity(np.linspace(99.0, 96.0, n), "kPa")
    station = Station(
        [Module("A", "40 m^3"), Module("B", "60 m^3"), Module("C", "20 m^3", "104 kPa")],
        hatches=[
            Hatch(["A", "B"], area="0.3 m^2", close_when={"module": "B", "pressure_below": levels}),
            Hatch(
                ["B", "C"],
                area="5 cm^2",
                close_when={"module": "A", "pressure_rate_below": "-2 Pa/s", "delay": "30 s"},
            ),
        ],
        valves=[
            Valve(between=["C", "A"], area="2 cm^2", opens_above="103.5 kPa", reseats_below="0 Pa")
        ],
        leaks=[
            Leak("A", diameter="8 mm", growth={"rate": "20 mm^2/h"}),
            Leak("B", diameter="2 mm", start="10 min"),
        ],
    )
    return Scenario(station, "3 h", output_interval="10 min")


def test_triggers_and_growth_agree_with_the_batched_loop():
    mine, ref, network, model = _both(_triggered())
    # Two hatch triggers and a valve's pair (opening, reseating).
    assert network.triggers.module.size == 4 and network.growth.link.size == 1
    assert compiled_applies(network, model)
    assert np.all(mine.status == 0)
    events_ref = ref.operations.event_time
    assert np.isfinite(events_ref).sum() >= 3 * network.n_cases  # every trigger fired
    np.testing.assert_array_equal(mine.n_steps, ref.n_steps)
    # This station amplifies round-off: the valve between C and A sits near dp = 0 in its
    # regularised range, and a 1e-15 change of the initial state moves the batched loop's own
    # pressures by 5e-8 (measured). The two paths agree to the solver tolerance, not to 1e-9.
    np.testing.assert_allclose(mine.operations.event_time, events_ref, rtol=1e-6, equal_nan=True)
    np.testing.assert_allclose(mine.pressure, ref.pressure, rtol=1e-6)
    np.testing.assert_allclose(
        mine.operations.max_pressure_difference,
        ref.operations.max_pressure_difference,
        rtol=1e-6,
    )


def test_a_cycling_relief_valve_agrees_with_the_batched_loop():
    # A feed pushes the pressure up to the valve's opening level and the valve vents it down
    # to its reseat level, again and again: each opening and reseating is located, and each
    # re-arms the other, in both loops.
    station = Station(
        [Module("A", "10 m^3")],
        supplies=[Supply("A", mass_flow=ureg.Quantity(np.linspace(15, 30, 3), "kg/day"))],
        valves=[Valve(module="A", area="1 cm^2", opens_above="104 kPa", reseats_below="102 kPa")],
    )
    mine, ref, _, _ = _both(Scenario(station, "3 h", output_interval="2 min"))
    assert np.all(mine.status == 0)
    np.testing.assert_array_equal(mine.n_steps, ref.n_steps)
    np.testing.assert_allclose(mine.pressure, ref.pressure, rtol=1e-9)
    np.testing.assert_allclose(mine.operations.event_time, ref.operations.event_time, rtol=1e-9)
    assert np.all(mine.pressure[:, 0, -30:].min(axis=1) < 102.5e3)  # it reseated


def test_a_case_has_the_same_bits_alone_in_a_batch_and_on_any_number_of_threads():
    compiled = compile_scenario(_station(n=9))
    network = compiled.network
    model = build_model(network)
    args = (compiled.duration, compiled.output_time)
    batch = [run_compiled(network, model, *args, threads=k)[0] for k in (1, 2, 3)]
    for other in batch[1:]:
        np.testing.assert_array_equal(other.pressure, batch[0].pressure)
        np.testing.assert_array_equal(other.final_moles, batch[0].final_moles)
    for case in (0, 4, 8):
        alone_network = network.take(np.array([case]))
        duration = np.asarray(compiled.duration).reshape(-1)
        alone = run_compiled(
            alone_network,
            build_model(alone_network),
            duration[case] if duration.size > 1 else duration,
            compiled.output_time,
        )[0]
        np.testing.assert_array_equal(alone.pressure[0], batch[0].pressure[case])
        np.testing.assert_array_equal(alone.n_steps[0], batch[0].n_steps[case])


def test_a_failing_case_fails_alone_with_the_batched_message():
    compiled = compile_scenario(_station(n=4, thresholds=False))
    network = compiled.network
    model = build_model(network)
    args = (network, compiled.duration, compiled.output_time)
    mine = solve(*args, max_steps=12, model=model, compiled=True)
    ref = solve(*args, max_steps=12, model=model, compiled=False)
    np.testing.assert_array_equal(mine.status, ref.status)
    assert np.any(mine.status != 0)
    assert mine.message == ref.message
    assert "more than 12 steps" in next(m for m in mine.message if m)


def test_a_resumed_run_writes_where_it_is_told_as_the_batched_one_does():
    compiled = compile_scenario(_station(n=3, thresholds=False))
    network = compiled.network
    model = build_model(network)
    t_out = np.asarray(compiled.output_time)
    first = solve(network, 600.0, t_out, model=model, compiled=False)
    start = Start(state=_end_state(network, model), time=np.full(network.n_cases, 600.0))
    results = []
    for flag in (True, False):
        array = np.full((network.n_modules, network.n_cases, t_out.size), -1.0)
        out = (array, np.arange(network.n_cases), np.arange(network.n_modules))
        solution, y = solve_from(
            network, 3600.0, t_out, start, pressure_out=PressureOut(*out), compiled=flag
        )
        results.append((array, y, solution))
    (mine, y_mine, _), (ref, y_ref, _) = results
    assert np.all(mine[:, :, t_out <= 600.0] == -1.0)  # left to whoever ran up to 600 s
    np.testing.assert_allclose(mine, ref, rtol=RTOL)
    np.testing.assert_allclose(y_mine, y_ref, rtol=RTOL)
    assert first.status.max() == 0


def _end_state(network, model):
    """State of every case after 600 s, by the batched loop."""
    solution, y = solve_from(
        network, 600.0, [0.0], Start(state=model.initial_state()), compiled=False
    )
    assert solution.status.max() == 0
    return y


def test_stations_off_the_lean_model_take_the_batched_loop(monkeypatch):
    crewed = Scenario(
        Station([Module("A", "40 m^3")], crew=Crew(2, "A"), leaks=[Leak("A", diameter="1 mm")]),
        "1 h",
    )
    network = compile_scenario(crewed).network
    assert not compiled_applies(network, build_model(network))
    lean = compile_scenario(_station()).network
    monkeypatch.setenv(COMPILED_ENV, "0")
    assert not compiled_applies(lean, build_model(lean))
