import decimal

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from leaksim.core.flow import (
    SERIES_LIMIT,
    _polynomial,
    _polynomial_slope,
    choked_flow_function,
    critical_pressure_ratio,
    flow_function,
    flow_function_constants,
    flow_function_with,
    orifice_mass_flow,
    regularisation_factor,
    regularised_flow_function,
    regularised_flux_and_slopes,
    regularised_orifice_mass_flow,
    subsonic_series,
)

R_AIR, GAMMA = 287.05, 1.4
EPS = np.finfo(float).eps
pressures = st.floats(0.0, 2e5)
temperatures = st.floats(150.0, 400.0)
gammas = st.floats(1.1, 1.67)
gas_constants = st.floats(200.0, 2100.0)  # CO2 to He [J/(kg K)]


def test_choked_constants_for_air():
    # Textbook values for gamma = 1.4 (Saad, Table A.1; docs/physics.md).
    assert critical_pressure_ratio(GAMMA) == pytest.approx(0.5283, abs=1e-4)
    assert choked_flow_function(GAMMA) == pytest.approx(0.6847, abs=1e-4)


def test_choked_flux_at_one_atmosphere():
    # docs/physics.md: 238 kg/s per m^2 of Cd A from 1 atm, 295 K air to vacuum.
    flux = orifice_mass_flow(101325.0, 295.0, 0.0, 1.0, 1.0, R_AIR, GAMMA)
    assert flux == pytest.approx(238.0, rel=3e-3)


def test_flow_function_is_flat_when_choked_and_zero_at_equal_pressure():
    r = np.array([0.0, 0.2, 0.5])
    np.testing.assert_allclose(flow_function(r, GAMMA), choked_flow_function(GAMMA))
    assert flow_function(1.0, GAMMA) == 0.0


def test_flow_function_continuous_at_critical_ratio():
    rc = critical_pressure_ratio(GAMMA)
    below, above = flow_function(rc * (1 - 1e-9), GAMMA), flow_function(rc * (1 + 1e-9), GAMMA)
    assert above == pytest.approx(below, rel=1e-8)


def test_subsonic_flow_matches_incompressible_limit():
    # For dp << p the law tends to Cd A sqrt(2 rho dp) (Bernoulli).
    p, t, dp = 1e5, 295.0, 10.0
    rho = p / (R_AIR * t)
    mdot = orifice_mass_flow(p, t, p - dp, 1.0, 1.0, R_AIR, GAMMA)
    assert mdot == pytest.approx(np.sqrt(2 * rho * dp), rel=1e-4)


def test_flow_function_accurate_near_equal_pressure():
    # Psi^2 ~ 2 (1 - r) as r -> 1; no cancellation in 1 - r**((g-1)/g).
    eps = 1e-12
    assert flow_function(1 - eps, GAMMA) ** 2 == pytest.approx(2 * eps, rel=1e-6)


@given(pressures, pressures, temperatures, temperatures)
def test_two_way_flow_is_antisymmetric(pa, pb, ta, tb):
    forward = regularised_orifice_mass_flow(pa, ta, pb, tb, 0.3, 0.7, R_AIR, GAMMA)
    backward = regularised_orifice_mass_flow(pb, tb, pa, ta, 0.3, 0.7, R_AIR, GAMMA)
    assert np.isfinite(forward)
    assert forward == -backward


@given(st.floats(1e3, 2e5), temperatures)
def test_two_way_flow_is_continuous_through_zero(p, t):
    steps = np.array([-1e-3, -1e-6, 0.0, 1e-6, 1e-3])
    mdot = regularised_orifice_mass_flow(p + steps, t, p, t, 1.0, 0.8, R_AIR, GAMMA)
    assert mdot[2] == 0.0
    # Linear with a finite slope inside the regularised band: no sqrt cusp.
    slope = mdot[3:] / steps[3:]
    assert np.all(np.isfinite(slope))
    assert slope[0] == pytest.approx(slope[1], rel=1e-3)
    assert np.all(np.sign(mdot) == np.sign(steps))


def test_regularisation_departs_by_delta_squared_over_four_dp_squared():
    p, dp, delta = 1e5, 500.0, 1.0
    exact = orifice_mass_flow(p, 295.0, p - dp, 1.0, 1.0, R_AIR, GAMMA)
    smooth = regularised_orifice_mass_flow(
        p, 295.0, p - dp, 295.0, 1.0, 1.0, R_AIR, GAMMA, regularisation_pressure=delta
    )
    assert 1 - smooth / exact == pytest.approx(delta**2 / (4 * dp**2), rel=1e-3)


def test_zero_regularisation_gives_source_law():
    args = (8e4, 295.0, 3e4, 280.0, 1e-3, 0.6, R_AIR, GAMMA)
    smooth = regularised_orifice_mass_flow(*args, regularisation_pressure=0.0)
    assert smooth == pytest.approx(
        orifice_mass_flow(8e4, 295.0, 3e4, 1e-3, 0.6, R_AIR, GAMMA), rel=1e-14
    )


def test_regularisation_factor_edges():
    np.testing.assert_array_equal(regularisation_factor([0.0, 5.0], 0.0), [1.0, 1.0])
    assert regularisation_factor(0.0, 1.0) == 0.0
    assert regularisation_factor(1e6, 1.0) == pytest.approx(1.0)


def test_vectorised_over_broadcast_shapes_and_empty_upstream():
    p_a = np.linspace(0.0, 1e5, 5)[:, None]
    p_b = np.array([0.0, 5e4, 1e5])
    mdot = regularised_orifice_mass_flow(p_a, 295.0, p_b, 295.0, 0.1, 0.8, R_AIR, GAMMA)
    assert mdot.shape == (5, 3)
    assert np.all(np.isfinite(mdot))
    assert mdot[0, 0] == 0.0  # both sides empty


def test_orifice_flow_of_empty_upstream_is_zero_not_nan():
    assert orifice_mass_flow(0.0, 295.0, 0.0, 1.0, 1.0, R_AIR, GAMMA) == 0.0


@given(st.floats(1e3, 2e5), st.floats(0.0, 1.0), st.floats(0.01, 100.0))
def test_regularised_flow_function_equals_the_product_it_replaces(p_u, fraction, delta):
    constants = flow_function_constants(GAMMA)
    p_d = p_u * fraction
    smooth = regularised_flow_function(p_u, p_d, delta, constants)
    product = flow_function(p_d / p_u, GAMMA) * regularisation_factor(p_u - p_d, delta)
    # The product loses digits to p_d / p_u rounding when dp << p_u; the smooth form does not.
    assert smooth == pytest.approx(product, rel=1e-9, abs=1e-12)


@given(st.floats(1e3, 2e5), st.floats(-1e-3, 1e-3), st.floats(0.1, 10.0))
def test_complex_step_through_equal_pressures_gives_the_linear_slope(p, dp, delta):
    # Near dp = 0 the law is linear, slope sqrt(2 / (p delta)) (module notes): complex-step
    # differentiation must see it, including at dp = 0 exactly.
    constants = flow_function_constants(GAMMA)
    h = 1e-20
    p_d = p - abs(dp)
    slope = regularised_flow_function(p, p_d - 1j * h, delta, constants).imag / h
    assert slope == pytest.approx(np.sqrt(2 / (p * delta)), rel=1e-3)


# -- every form of the law against the reference, orifice_mass_flow ------------------------------


def reference_round_off(p_u, p_d):
    """Relative round-off of the reference law: it rounds ``r = p_d / p_u``, an error of eps in
    ``r`` and of eps / q in ``1 - r`` (``q = dp / p_u``), which the forms built on ``dp``
    avoid."""
    q = (p_u - p_d) / p_u
    return 4 * EPS * (1 + 1 / q)


@given(st.floats(0.0, 0.999), gammas)
def test_flow_function_is_the_textbook_formula(r, gamma):
    # Psi(max(r, r*)) written out (Saad, pp. 98-106); it cancels as r -> 1, by eps / (1 - r).
    rc = max(r, float(critical_pressure_ratio(gamma)))
    textbook = np.sqrt(2 * gamma / (gamma - 1) * (rc ** (2 / gamma) - rc ** ((gamma + 1) / gamma)))
    assert flow_function(r, gamma) == pytest.approx(textbook, rel=16 * EPS / (1 - rc))


@given(
    st.lists(st.floats(-0.5, 1.5), min_size=1, max_size=8),
    st.lists(gammas, min_size=1, max_size=3),
    st.floats(0.0, 1e-3),
)
def test_flow_function_with_its_constants_is_flow_function(ratios, gamma, imag):
    # Broadcast (ratios, 1) against (gammas,), real and complex: identical bits.
    r = np.array(ratios)[:, None] + 1j * imag
    g = np.array(gamma)
    np.testing.assert_array_equal(
        flow_function_with(r, *flow_function_constants(g)), flow_function(r, g)
    )
    np.testing.assert_array_equal(
        flow_function_with(r.real, *flow_function_constants(g)), flow_function(r.real, g)
    )


@given(
    p_u=st.floats(1.0, 1e6),
    fraction=st.floats(1e-6, 1.0),
    sides=st.tuples(temperatures, temperatures),
    gases=st.tuples(gas_constants, gammas, gas_constants, gammas),
    delta=st.one_of(st.just(0.0), st.floats(1e-2, 1e2)),
    forward=st.booleans(),
)
def test_two_way_flow_is_the_reference_times_the_factor(
    p_u, fraction, sides, gases, delta, forward
):
    # Upstream state and gas from the side at higher pressure, either way round; delta = 0
    # gives the reference itself.
    p_d = p_u * (1 - fraction)
    t_u, t_d = sides
    r_u, gamma_u, r_d, gamma_d = gases
    reference = orifice_mass_flow(p_u, t_u, p_d, 1e-3, 0.7, r_u, gamma_u)
    expected = reference * regularisation_factor(p_u - p_d, delta)
    up, down = (p_u, t_u, r_u, gamma_u), (p_d, t_d, r_d, gamma_d)
    a, b = (up, down) if forward else (down, up)
    flow = regularised_orifice_mass_flow(
        a[0], a[1], b[0], b[1], 1e-3, 0.7, a[2], a[3], b[2], b[3], regularisation_pressure=delta
    )
    assert (flow if forward else -flow) == pytest.approx(
        expected, rel=reference_round_off(p_u, p_d)
    )


@given(
    p_u=st.floats(1.0, 1e6),
    fraction=st.floats(1e-6, 1.0),
    temperature=temperatures,
    gas_constant=gas_constants,
    gamma=gammas,
    delta=st.floats(1e-2, 1e2),
)
def test_flux_is_the_reference_times_the_factor(
    p_u, fraction, temperature, gas_constant, gamma, delta
):
    # The analytic-Jacobian form: C_d A Phi / sqrt(R T) is the mass flow.
    p_d = p_u * (1 - fraction)
    phi, _, _ = regularised_flux_and_slopes(
        np.array(p_u), np.array(p_d), np.array(delta), flow_function_constants(gamma), False
    )
    reference = orifice_mass_flow(p_u, temperature, p_d, 1e-3, 0.7, gas_constant, gamma)
    expected = reference * regularisation_factor(p_u - p_d, delta)
    assert 0.7e-3 * phi / np.sqrt(gas_constant * temperature) == pytest.approx(
        expected, rel=reference_round_off(p_u, p_d)
    )


def _exact_flux(p_u, p_d, delta, gamma):
    """``Phi`` of the subsonic law in 40-digit decimal arithmetic, from the floats given."""
    with decimal.localcontext() as context:
        context.prec = 40
        p_u, p_d, delta, gamma = (decimal.Decimal(v) for v in (p_u, p_d, delta, gamma))
        dp = p_u - p_d
        q = dp / p_u
        log_r = (1 - q).ln()
        r_e1 = (2 / gamma * log_r).exp()
        g = (1 - ((gamma - 1) / gamma * log_r).exp()) / q
        c = 2 * gamma / (gamma - 1)
        d2 = dp * dp + delta * delta
        return float(dp * (p_u * c * r_e1 * g).sqrt() / d2.sqrt().sqrt())


@given(
    p_u=st.floats(1.0, 1e6),
    # The series branch (q < 1/32), about its limit, and the subsonic range above.
    fraction=st.one_of(
        st.floats(1e-15, SERIES_LIMIT),
        st.floats(0.9 * SERIES_LIMIT, 1.1 * SERIES_LIMIT),
        st.floats(SERIES_LIMIT, 0.4),
    ),
    delta=st.floats(1e-2, 1e2),
    gamma=gammas,
)
def test_subsonic_flux_is_the_law_to_round_off(p_u, fraction, delta, gamma):
    # The flux forms sqrt(r^e1) as r / r^e2, and below q = 1/32 takes g from its series:
    # neither may cost more than round-off (about 20 ulp) against the law.
    p_d = p_u * (1 - fraction)
    assume(p_d < p_u)
    phi, _, _ = regularised_flux_and_slopes(
        np.array(p_u), np.array(p_d), np.array(delta), flow_function_constants(gamma), False
    )
    assert float(phi) == pytest.approx(_exact_flux(p_u, p_d, delta, gamma), rel=5e-15)


def _exact_g(q, exponent_2):
    """``g(q) = (1 - (1 - q)^e2) / q`` and ``g'(q)`` in 50-digit decimal arithmetic, from the
    floats given (``g'`` by its closed form ``(e2 (1 - q)^(e2 - 1) - g) / q``)."""
    with decimal.localcontext() as context:
        context.prec = 50
        q, e2 = decimal.Decimal(q), decimal.Decimal(exponent_2)
        log_r = (1 - q).ln()
        g = (1 - (e2 * log_r).exp()) / q
        slope = (e2 * ((e2 - 1) * log_r).exp() - g) / q
        return float(g), float(slope)


@given(fraction=st.floats(1e-12, SERIES_LIMIT, exclude_max=True), gamma=gammas)
def test_the_series_of_g_is_the_law_to_round_off(fraction, gamma):
    # Ten terms of the binomial series below q = 1/32: the rest is under 1e-16 of g and
    # 6e-14 of g' (subsonic_series); Horner's rule adds a few ulp.
    terms = subsonic_series(flow_function_constants(gamma)[3])
    g, slope = _exact_g(fraction, float(terms[0]))
    assert float(_polynomial(terms, np.float64(fraction))) == pytest.approx(g, rel=1e-15)
    assert float(_polynomial_slope(terms, np.float64(fraction))) == pytest.approx(slope, rel=1e-13)


def _central_difference(f, x, h):
    """Fourth-order central difference of ``f`` at ``x`` with step ``h``."""
    return (f(x - 2 * h) - 8 * f(x - h) + 8 * f(x + h) - f(x + 2 * h)) / (12 * h)


@given(
    p_u=st.floats(1e-3, 1e6),
    # All of (0, 1], and more often about the choked ratio 1 - r* (0.41-0.51 here).
    fraction=st.one_of(st.floats(1e-9, 1.0), st.floats(0.35, 0.65)),
    delta=st.floats(1e-2, 1e2),
    gamma=gammas,
)
def test_flux_slopes_are_the_derivatives_of_the_flux(p_u, fraction, delta, gamma):
    # The slopes against the flux's own value, by central differences. The step stays well
    # inside the distance to dp = 0 and to the choked ratio r*, where second derivatives jump,
    # and small against dp, the scale of Phi over its slope. It is a power of two and the
    # pressures are rounded to multiples of it, so that every point of the stencil is exact;
    # the round-off left is about eps dp / h, below 1e5 eps.
    constants = flow_function_constants(gamma)
    r_star = float(constants[0])
    p_d = p_u * (1 - fraction)
    dp = p_u - p_d
    h = 2.0 ** np.floor(np.log2(min(min(dp, abs(p_d - r_star * p_u)) / 4, dp / 1000)))
    assume(h >= max(4 * np.spacing(p_u), 1e-5 * dp))
    p_u, p_d = h * np.round(p_u / h), h * np.round(p_d / h)

    def flux(a, b):
        return regularised_flux_and_slopes(
            np.array(a), np.array(b), np.array(delta), constants, False
        )[0]

    _, d_u, d_d = regularised_flux_and_slopes(
        np.array(p_u), np.array(p_d), np.array(delta), constants
    )
    ref_u = _central_difference(lambda a: flux(a, p_d), p_u, h)
    ref_d = _central_difference(lambda b: flux(p_u, b), p_d, h)
    size = abs(ref_u) + abs(ref_d)
    assert abs(d_u - ref_u) <= 1e-9 * size
    assert abs(d_d - ref_d) <= 1e-9 * size
