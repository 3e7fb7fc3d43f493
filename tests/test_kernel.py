"""The compiled kernel (leaksim.core.solver.kernel) against the batched array loop.

Both integrate the same equations with the same RODAS4 tableau, error norm and step control,
so they take the same steps; they differ only by the round-off of scalar and vectorised
transcendental functions. The tolerances below are therefore far below the solver tolerance
(rtol 1e-6): 1e-9 relative on outputs, which a wrong term in either path would exceed by
orders of magnitude. The lean stations (one gas at one temperature) and the general ones
(several gases, energy equations, regulated and fading sources) take different paths through
the kernel, and both are held to the batched loop here.
"""

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from leaksim import Crew, Hatch, Leak, Module, Scenario, Station, Supply, Threshold, Valve
from leaksim.compile import compile_scenario
from leaksim.core.flow import (
    SERIES_LIMIT,
    choked_flow_function,
    flow_function_constants,
    regularised_flow_function,
    regularised_flux_and_slopes,
    subsonic_series,
)
from leaksim.core.model import build_model
from leaksim.core.solver import PressureOut, Start, solve, solve_from
from leaksim.core.solver.compiled import COMPILED_ENV, compiled_applies, run_compiled
from leaksim.core.solver.kernel import flow_function, flux, flux_and_slopes
from leaksim.station import Scrubber
from leaksim.units import ureg

RTOL = 1e-9  # round-off of two evaluations of one method; the solver tolerance is 1e-6


def _series(constants):
    """The kernel's limit and coefficients of the subsonic series for one gas (``CONSTS``)."""
    return np.array([SERIES_LIMIT, *(float(b) for b in subsonic_series(constants[3]))])


def _both_laws(p_u, p_d, delta, gamma):
    """``(Phi, dPhi/dp_u, dPhi/dp_d)`` of one link by the kernel and by the reference law."""
    constants = flow_function_constants(gamma)
    psi_star = float(choked_flow_function(gamma))
    reference = regularised_flux_and_slopes(
        np.array([p_u]), np.array([p_d]), np.array([delta]), constants
    )
    compiled = flux_and_slopes(
        p_u, p_d, delta, *(float(k) for k in constants), psi_star, _series(constants)
    )
    return compiled, tuple(float(ref[0]) for ref in reference)


@settings(deadline=None)
@given(
    p_u=st.floats(1.0, 2e5),
    ratio=st.one_of(st.floats(0.0, 1.0), st.floats(1.0 - 1.5 * SERIES_LIMIT, 1.0)),
    delta=st.floats(1e-3, 1e3),
    gamma=st.floats(1.1, 1.67),
)
def test_flux_and_slopes_match_the_reference_law(p_u, ratio, delta, gamma):
    compiled, reference = _both_laws(p_u, p_u * ratio, delta, gamma)
    for mine, ref in zip(compiled, reference, strict=True):
        assert mine == pytest.approx(ref, rel=1e-12, abs=1e-300)


@settings(deadline=None)
@given(
    p_u=st.floats(1.0, 2e5),
    fraction=st.floats(0.0, SERIES_LIMIT, exclude_max=True),
    delta=st.floats(1e-3, 1e3),
    gamma=st.floats(1.1, 1.67),
)
def test_the_series_branch_is_the_reference_bit_for_bit(p_u, fraction, delta, gamma):
    # Below the series' limit the law is arithmetic only, in the reference's order: the same
    # bits (elsewhere the two may take their logarithms from different libraries).
    p_d = p_u * (1.0 - fraction)
    assume((p_u - p_d) / p_u < SERIES_LIMIT)
    compiled, reference = _both_laws(p_u, p_d, delta, gamma)
    assert compiled == reference


@settings(deadline=None)
@given(
    p_u=st.floats(0.0, 2e5),
    ratio=st.one_of(st.floats(0.0, 1.0), st.floats(1.0 - 1.5 * SERIES_LIMIT, 1.0)),
    delta=st.floats(1e-3, 1e3),
    gamma=st.floats(1.1, 1.67),
)
def test_the_stages_flux_is_the_flux_of_the_law_with_slopes_bit_for_bit(p_u, ratio, delta, gamma):
    # The stages take the flux without its slopes: the same operations, so the same bits, in
    # the choked, subsonic and nearly equal (series) branches alike.
    constants = [float(k) for k in flow_function_constants(gamma)]
    psi_star = float(choked_flow_function(gamma))
    p_d = p_u * ratio
    series = _series(constants)
    assert (
        flux(p_u, p_d, delta, *constants, psi_star, series)
        == (flux_and_slopes(p_u, p_d, delta, *constants, psi_star, series)[0])
    )


@settings(deadline=None)
@given(
    p_u=st.floats(1.0, 2e5),
    ratio=st.floats(0.0, 1.0),
    delta=st.floats(0.0, 1e3),
    gamma=st.floats(1.1, 1.67),
)
def test_the_general_flow_function_matches_the_reference_law_and_its_complex_step(
    p_u, ratio, delta, gamma
):
    # The general model's law takes complex pressures and gases (complex-step Jacobian):
    # its value and its derivatives by p_u, p_d and gamma match the numpy reference's.
    p_d = p_u * ratio
    step = 1e-30

    def reference(pu, pd, g):
        constants = flow_function_constants(np.array([g]))
        return regularised_flow_function(np.array([pu]), np.array([pd]), delta, constants)[0]

    def compiled(pu, pd, g):
        r_star, c, e1, e2 = flow_function_constants(g)
        return flow_function(pu, pd, delta, r_star, c, e1, e2)

    assert compiled(p_u, p_d, gamma) == pytest.approx(
        float(reference(p_u, p_d, gamma).real), rel=1e-12, abs=1e-300
    )
    for shift in ((1j * step * p_u, 0, 0), (0, 1j * step * p_u, 0), (0, 0, 1j * step)):
        args = (p_u + shift[0], p_d + shift[1], gamma + shift[2])
        mine, ref = compiled(*args).imag / step, reference(*args).imag / step
        assert mine == pytest.approx(ref, rel=1e-9, abs=1e-12 * max(abs(ref), 1.0) / p_u)


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


def test_the_kernel_s_step_control_constants_are_the_controller_s():
    from leaksim.core.solver import kernel
    from leaksim.core.solver.controller import StepController

    control = StepController(embedded_order=3)
    assert (
        kernel._SAFETY,
        kernel._MIN_FACTOR,
        kernel._MAX_FACTOR,
        kernel._NON_FINITE_FACTOR,
        kernel._REPEAT_FACTOR,
    ) == (
        control.safety,
        control.min_factor,
        control.max_factor,
        control.non_finite_factor,
        control.repeat_factor,
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
    # 150 cases: on two threads 16 chunks of blocks of 9 cases, the first chunk two blocks
    # apart, the last block partly filled.
    compiled = compile_scenario(_station(n=150))
    network = compiled.network
    model = build_model(network)
    args = (compiled.duration, compiled.output_time)
    batch = [run_compiled(network, model, *args, threads=k)[0] for k in (1, 2, 3)]
    for other in batch[1:]:
        np.testing.assert_array_equal(other.pressure, batch[0].pressure)
        np.testing.assert_array_equal(other.final_moles, batch[0].final_moles)
    assert np.all(batch[0].n_steps > 0)
    for case in (0, 8, 9, 144, 149):
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


def test_every_station_takes_the_compiled_path_unless_it_is_turned_off(monkeypatch):
    crewed = compile_scenario(_crewed()).network
    lean = compile_scenario(_station()).network
    for network in (crewed, lean):
        assert compiled_applies(network, build_model(network))
    monkeypatch.setenv(COMPILED_ENV, "0")
    for network in (crewed, lean):
        assert not compiled_applies(network, build_model(network))


# -- the general model: several gases, energy equations, regulated and fading sources -------


def _adiabatic(n=3):
    """Three modules at two temperatures, a fan, a hatch that closes and holes, adiabatic."""
    diameters = ureg.Quantity(np.linspace(2.0, 20.0, n), "mm")
    station = Station(
        [
            Module("A", "40 m^3"),
            Module("B", "60 m^3", temperature="30 degC"),
            Module("C", "20 m^3"),
        ],
        hatches=[
            Hatch(["A", "B"], area="8 cm^2", ventilation="0.01 m^3/s"),
            Hatch(["B", "C"], area="0.5 m^2", close_at="20 min"),
        ],
        leaks=[Leak("A", diameter=diameters), Leak("C", diameter="3 mm")],
    )
    levels = [Threshold("p", pressure="95 kPa"), Threshold("o2", partial_pressure_O2="19 kPa")]
    return Scenario(station, "2 h", output_interval="5 min", thresholds=levels, energy="adiabatic")


def _wall(n=3):
    """Two modules exchanging heat with walls at their own temperatures."""
    coefficient = ureg.Quantity(np.linspace(1.0, 10.0, n), "W/(m^2*K)")
    station = Station(
        [
            Module(
                "A",
                "40 m^3",
                wall_area="60 m^2",
                wall_heat_transfer=coefficient,
                wall_temperature="25 degC",
            ),
            Module(
                "B",
                "60 m^3",
                temperature="15 degC",
                wall_area="80 m^2",
                wall_heat_transfer="3 W/(m^2*K)",
            ),
        ],
        hatches=[Hatch(["A", "B"], area="2 cm^2")],
        leaks=[Leak("A", diameter="6 mm")],
    )
    return Scenario(
        station,
        "1 h",
        output_interval="2 min",
        energy="wall",
        thresholds=[Threshold("p", pressure="90 kPa")],
    )


def _gases(n=3):
    """Three compositions mixed by fans through small hatches, an O2 feed, holes."""
    diameters = ureg.Quantity(np.linspace(1.0, 5.0, n), "mm")
    station = Station(
        [
            Module("A", "40 m^3"),
            Module("B", "30 m^3", gas={"N2": 0.9, "O2": 0.1}),
            Module("C", "20 m^3", "90 kPa", gas={"N2": 0.7, "O2": 0.25, "CO2": 0.05}),
        ],
        hatches=[
            Hatch(["A", "B"], area="3 cm^2", ventilation="0.05 m^3/s"),
            Hatch(["B", "C"], area="1 cm^2", ventilation="0.02 m^3/s"),
        ],
        leaks=[Leak("A", diameter=diameters), Leak("C", diameter="2 mm")],
        supplies=[Supply("B", mass_flow="20 kg/day", gas="O2")],
    )
    levels = [
        Threshold("o2", partial_pressure_O2="18 kPa"),
        Threshold("co2", partial_pressure_CO2="400 Pa"),
    ]
    return Scenario(station, "2 h", output_interval="5 min", thresholds=levels)


def _crewed(n=3, energy="isothermal"):
    """A crew breathing, a scrubber and an O2 regulator, fans and a slow leak."""
    station = Station(
        [Module("A", "40 m^3"), Module("B", "60 m^3")],
        hatches=[Hatch(["A", "B"], area="5 cm^2", ventilation="0.03 m^3/s")],
        leaks=[Leak("A", diameter="0.5 mm")],
        crew=Crew([2, 4, 6][:n], "A"),
        scrubbers=[Scrubber("B", co2_removal="3 kg/day")],
        supplies=[
            Supply("A", keep_partial_pressure_O2="21 kPa", max_mass_flow="10 kg/day", gas="O2")
        ],
    )
    return Scenario(
        station,
        "12 h",
        output_interval="30 min",
        energy=energy,
        thresholds=[Threshold("co2", partial_pressure_CO2="300 Pa")],
    )


def _assert_agree(mine, ref, rtol=RTOL, dp_rtol=None):
    """Outputs, final state, thresholds, events and sources of two runs, to ``rtol``
    (``dp_rtol`` for the largest pressure differences, ``rtol`` by default)."""
    dp_rtol = rtol if dp_rtol is None else dp_rtol
    assert np.all(mine.status == 0) and np.all(ref.status == 0)
    for name in ("pressure", "temperature", "partial_pressure_O2", "partial_pressure_CO2"):
        np.testing.assert_allclose(getattr(mine, name), getattr(ref, name), rtol=rtol)
    np.testing.assert_allclose(mine.final_moles, ref.final_moles, rtol=rtol, atol=1e-12)
    ops, ref_ops = mine.operations, ref.operations
    np.testing.assert_allclose(
        ops.threshold_time, ref_ops.threshold_time, rtol=rtol, atol=1e-6, equal_nan=True
    )
    np.testing.assert_allclose(ops.event_time, ref_ops.event_time, rtol=rtol, equal_nan=True)
    # A difference of two pressures each good to rtol: its error is rtol times a pressure.
    np.testing.assert_allclose(
        ops.max_pressure_difference,
        ref_ops.max_pressure_difference,
        rtol=dp_rtol,
        atol=dp_rtol * np.nanmax(ref.pressure),
    )
    np.testing.assert_allclose(ops.source_on_time, ref_ops.source_on_time, rtol=rtol)
    np.testing.assert_allclose(ops.source_amount, ref_ops.source_amount, rtol=rtol, atol=1e-15)


# The adiabatic blowdown amplifies round-off: in the batched loop alone, an rtol changed by a
# relative 1e-13 moves its outputs by 1.5e-9 (the same steps taken), so the two loops are held
# to 1e-8 there, a hundredth of the solver tolerance. Its closed hatch's largest pressure
# difference is a peak between step ends, sampled at them: the same change of rtol moves it by
# 1.3e-7, so it is held to 1e-6.
_SENSITIVE_RTOL, _SAMPLED_PEAK_RTOL = 1e-8, 1e-6


@pytest.mark.parametrize(
    ("scenario", "rtol", "dp_rtol"),
    [
        (_adiabatic, _SENSITIVE_RTOL, _SAMPLED_PEAK_RTOL),
        (_wall, RTOL, RTOL),
        (_gases, RTOL, RTOL),
        (_crewed, RTOL, RTOL),
        (lambda: _crewed(energy="adiabatic"), RTOL, RTOL),
    ],
    ids=["adiabatic", "wall", "gases-and-fans", "crew-scrubber-regulator", "crew-adiabatic"],
)
def test_general_stations_agree_with_the_batched_loop(scenario, rtol, dp_rtol):
    mine, ref, network, model = _both(scenario())
    assert not model.analytic  # the general model, Jacobian by complex step
    np.testing.assert_array_equal(mine.n_steps, ref.n_steps)
    np.testing.assert_array_equal(mine.n_rejected, ref.n_rejected)
    _assert_agree(mine, ref, rtol, dp_rtol)


def test_the_general_stations_exercise_their_physics():
    # What the comparisons above rest on: each station's own terms change its answer.
    adiabatic, _, _, _ = _both(_adiabatic())
    assert np.nanmin(adiabatic.temperature) < 290.0  # expansion cools (from 295 K)
    assert np.isfinite(adiabatic.operations.threshold_time).any()
    wall, _, _, _ = _both(_wall())
    t_end = wall.temperature[:, 1, -1]  # module B, walls at 15 degC, fed from A
    assert np.ptp(wall.temperature[:, 0, -1]) > 0.1  # the wall coefficient matters
    assert np.all(np.isfinite(t_end))
    gases, _, _, _ = _both(_gases())
    co2 = gases.partial_pressure_CO2
    assert co2[:, 0, -1].min() > co2[:, 0, 0].max()  # the fans carried C's CO2 to A
    crewed, _, _, _ = _both(_crewed())
    amount = crewed.operations.source_amount
    regulator = amount[:, 0]
    assert np.all(regulator > 0.0)  # the O2 regulator opened
    assert np.all(np.diff(regulator) > 0.0)  # more crew, more O2 fed
    assert np.isfinite(crewed.operations.threshold_time).any()


def _triggered_general(n=3):
    """The trigger station of :func:`_triggered` at two temperatures, adiabatic."""
    levels = ureg.Quantity(np.linspace(99.0, 96.0, n), "kPa")
    station = Station(
        [
            Module("A", "40 m^3"),
            Module("B", "60 m^3", temperature="10 degC"),
            Module("C", "20 m^3", "104 kPa"),
        ],
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
    return Scenario(station, "3 h", output_interval="10 min", energy="adiabatic")


def test_triggers_and_growth_of_a_general_station_agree_with_the_batched_loop():
    mine, ref, network, model = _both(_triggered_general())
    assert not model.analytic and network.growth.link.size == 1
    assert np.isfinite(ref.operations.event_time).sum() >= 3 * network.n_cases
    # The valve between C and A sits near dp = 0 in its regularised range, which amplifies
    # round-off (see test_triggers_and_growth_agree_with_the_batched_loop): one case takes a
    # step more in one path (measured), and the paths agree to the solver tolerance.
    assert np.all(np.abs(mine.n_steps - ref.n_steps) <= 1)
    _assert_agree(mine, ref, rtol=1e-6)


def test_a_general_case_has_the_same_bits_alone_in_a_batch_and_on_any_number_of_threads():
    compiled = compile_scenario(_crewed(n=3, energy="adiabatic"))
    network = compiled.network
    model = build_model(network)
    args = (compiled.duration, compiled.output_time)
    batch = [run_compiled(network, model, *args, threads=k)[0] for k in (1, 2, 3)]
    for other in batch[1:]:
        for name in ("pressure", "temperature", "partial_pressure_CO2", "final_moles"):
            np.testing.assert_array_equal(getattr(other, name), getattr(batch[0], name))
        np.testing.assert_array_equal(
            other.operations.source_amount, batch[0].operations.source_amount
        )
    duration = np.asarray(compiled.duration).reshape(-1)
    for case in (0, 2):
        alone_network = network.take(np.array([case]))
        alone = run_compiled(
            alone_network,
            build_model(alone_network),
            duration[case] if duration.size > 1 else duration,
            compiled.output_time,
        )[0]
        np.testing.assert_array_equal(alone.pressure[0], batch[0].pressure[case])
        np.testing.assert_array_equal(alone.temperature[0], batch[0].temperature[case])
        np.testing.assert_array_equal(alone.n_steps[0], batch[0].n_steps[case])


def test_a_resumed_general_run_agrees_with_the_batched_one():
    compiled = compile_scenario(_gases())
    network = compiled.network
    model = build_model(network)
    t_out = np.asarray(compiled.output_time)
    start = Start(state=_end_state(network, model), time=np.full(network.n_cases, 600.0))
    mine, y_mine = solve_from(network, 3600.0, t_out, start, compiled=True)
    ref, y_ref = solve_from(network, 3600.0, t_out, start, compiled=False)
    assert np.all(np.isnan(mine.pressure[:, :, t_out <= 600.0]))  # before the start
    np.testing.assert_array_equal(mine.n_steps, ref.n_steps)
    _assert_agree(mine, ref)
    np.testing.assert_allclose(y_mine, y_ref, rtol=RTOL)


def test_one_case_and_many_run_in_one_compiled_kernel():
    # A network's values shared by every case are read-only views; one case's are contiguous
    # too, and numba would type them apart and compile the whole kernel again for them.
    from leaksim.core.solver import kernel

    for diameter in ("5 mm", ["5 mm", "6 mm"]):
        station = Station(
            [Module("A", "60 m^3"), Module("B", "40 m^3")],
            hatches=[Hatch(["A", "B"], area="5 cm^2")],
            leaks=[Leak("A", diameter=diameter)],
        )
        Scenario(station, duration="1 h").run(zones=False)
    _crewed(n=1).run(zones=False)
    kinds = [str(t) for signature in kernel._integrate_range.signatures for t in signature]
    assert kinds and not any("readonly" in kind for kind in kinds)


def test_a_tuple_passed_by_reference_reads_as_the_tuple():
    # The run passes its tuples to the functions it calls by reference (one word, not the
    # arrays' members): indexed with constants, the reference gives the tuple's items.
    from numba import njit

    from leaksim.core.solver import kernel

    @njit
    def read(ref, nothing):
        ref[0][1] = 7.0
        return ref[0][1] + ref[2], ref[1].sum(), nothing is None

    @njit
    def through(a, b, x):
        return read(kernel._ref((a, b, x)), kernel._ref(None))

    a, b = np.arange(3.0), np.ones((2, 2))
    assert through(a, b, 0.5) == (7.5, 4.0, True)
    assert a[1] == 7.0  # the items are the tuple's arrays, not copies
