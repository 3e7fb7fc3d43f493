"""Compressible flow through orifices, hatches and holes.

Pure vectorised functions on SI floats. Every argument broadcasts; regimes (choked, subsonic,
reversed) are masks, never Python branches on array values.

The law is the isentropic nozzle relation with a discharge coefficient (Saad [1], pp. 98-106),

.. math::

    \\dot m = C_d A \\frac{p_u}{\\sqrt{R T_u}} \\Psi(\\max(r, r^*)),\\qquad
    \\Psi(r) = \\sqrt{\\frac{2\\gamma}{\\gamma-1}
        \\left(r^{2/\\gamma} - r^{(\\gamma+1)/\\gamma}\\right)},
    \\qquad r^* = \\left(\\frac{2}{\\gamma+1}\\right)^{\\gamma/(\\gamma-1)},

with ``r = p_d / p_u``. To vacuum the flow is always choked.

Near equal pressures the law behaves like ``sqrt(dp)``: its slope is infinite and implicit
integrators stall on it. :func:`regularised_orifice_mass_flow` multiplies the law by
``(dp^2 / (dp^2 + delta^2))^(1/4)``, which is exactly Modelica's ``regRoot`` [2] applied to the
``sqrt(dp)`` factor of the incompressible limit: the flow becomes linear in ``dp`` for
``|dp| << delta`` and departs from the source law by a relative ``delta^2 / (4 dp^2)`` above it.
With the default ``delta = 1 Pa`` that is below 1e-6 once ``dp`` exceeds 500 Pa.

One law, one reference: :func:`orifice_mass_flow` is the textbook law above, and every other
form here is that law times :func:`regularisation_factor`, rearranged for one use
(``tests/test_flow.py`` holds each to the reference to round-off):

* :func:`regularised_orifice_mass_flow`: two-way, from the side at higher pressure;
* :func:`regularised_flow_function`: the dimensionless ``Psi`` times the factor, analytic
  through ``dp = 0`` so that complex-step Jacobians are exact there;
* :func:`regularised_flux_and_slopes`: ``p_u`` times that, with its two pressure slopes for the
  analytic Jacobian;
* :func:`flow_function_with`: :func:`flow_function` from constants computed once per gas.

References
----------
.. [1] M. A. Saad, Compressible Fluid Flow, 2nd ed., Prentice Hall, 1993.
.. [2] Modelica Standard Library, Modelica.Fluid.Utilities.regRoot.
"""

from __future__ import annotations

from typing import TypeAlias

import numpy as np
import numpy.typing as npt

__all__ = [
    "DEFAULT_REGULARISATION_PRESSURE",
    "SERIES_LIMIT",
    "SERIES_TERMS",
    "critical_pressure_ratio",
    "flow_function",
    "flow_function_constants",
    "flow_function_with",
    "choked_flow_function",
    "orifice_mass_flow",
    "regularisation_factor",
    "regularised_flow_function",
    "regularised_flux_and_slopes",
    "regularised_orifice_mass_flow",
    "subsonic_series",
]

#: Pressure difference below which a two-way orifice flow turns linear [Pa].
DEFAULT_REGULARISATION_PRESSURE = 1.0
#: ``q = dp / p_u`` below which :func:`regularised_flux_and_slopes` takes ``g`` from its
#: series (:func:`subsonic_series`) [-].
SERIES_LIMIT = 1.0 / 32.0
#: Terms of that series kept: the rest is under an ulp of ``g`` below the limit.
SERIES_TERMS = 10

#: The constants of :func:`flow_function_constants`: ``r*``, ``2 gamma / (gamma - 1)``,
#: ``2 / gamma`` and ``(gamma - 1) / gamma``.
FlowConstants: TypeAlias = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]


def critical_pressure_ratio(gamma: npt.ArrayLike) -> np.ndarray:
    """Downstream-to-upstream pressure ratio at which the flow chokes, ``r*`` [-].

    Parameters
    ----------
    gamma : array_like
        Ratio of specific heats [-].

    Returns
    -------
    numpy.ndarray
        ``(2 / (gamma + 1)) ** (gamma / (gamma - 1))``; 0.5283 for gamma = 1.4.
    """
    gamma = np.asarray(gamma)
    return (2.0 / (gamma + 1.0)) ** (gamma / (gamma - 1.0))


def flow_function(pressure_ratio: npt.ArrayLike, gamma: npt.ArrayLike) -> np.ndarray:
    """Dimensionless mass flux ``Psi(max(r, r*))`` of an isentropic orifice.

    Parameters
    ----------
    pressure_ratio : array_like
        Downstream over upstream pressure ``r`` in [0, 1] [-]. Values below ``r*`` are choked.
    gamma : array_like
        Ratio of specific heats [-].

    Returns
    -------
    numpy.ndarray
        ``Psi`` [-]; 0 at ``r = 1``, ``choked_flow_function(gamma)`` for ``r <= r*``.

    Notes
    -----
    Comparisons act on real parts only, so the function also takes complex arguments and
    complex-step differentiation through it is exact. ``1 - r**((gamma-1)/gamma)`` is
    evaluated as ``-expm1(((gamma-1)/gamma) log r)`` so that it stays accurate as ``r -> 1``,
    where the subsonic flow is computed from a small difference.
    """
    return flow_function_with(pressure_ratio, *flow_function_constants(gamma))


def flow_function_constants(gamma: npt.ArrayLike) -> FlowConstants:
    """Constants of :func:`flow_function` for a gas: ``r*``, ``2 gamma / (gamma - 1)``,
    ``2 / gamma`` and ``(gamma - 1) / gamma``, to compute them once per gas, not per call.

    Parameters
    ----------
    gamma : array_like
        Ratio of specific heats [-].
    """
    gamma = np.asarray(gamma)
    return (
        critical_pressure_ratio(gamma),
        2.0 * gamma / (gamma - 1.0),
        2.0 / gamma,
        (gamma - 1.0) / gamma,
    )


def flow_function_with(
    pressure_ratio: npt.ArrayLike,
    r_star: np.ndarray,
    coefficient: np.ndarray,
    exponent_1: np.ndarray,
    exponent_2: np.ndarray,
) -> np.ndarray:
    """:func:`flow_function` from the constants of :func:`flow_function_constants`.

    ``flow_function_with(r, *flow_function_constants(gamma))`` is ``flow_function(r, gamma)``,
    bit for bit; callers that evaluate the law many times for one gas compute the constants
    once.

    Parameters
    ----------
    pressure_ratio : array_like
        Downstream over upstream pressure ``r`` [-], as for :func:`flow_function`.
    r_star, coefficient, exponent_1, exponent_2 : ndarray
        ``r*`` [-], ``2 gamma / (gamma - 1)`` [-], ``2 / gamma`` [-] and ``(gamma - 1) / gamma``
        [-], from :func:`flow_function_constants`.

    Returns
    -------
    numpy.ndarray
        ``Psi(max(r, r*))`` [-].
    """
    r = np.asarray(pressure_ratio)
    r = np.where(r.real > 1.0, 1.0, r)
    r = np.where(r.real < r_star, r_star, r)
    log_r = np.log(r)
    psi2 = coefficient * np.exp(exponent_1 * log_r) * -np.expm1(exponent_2 * log_r)
    return np.sqrt(np.where(psi2.real > 0.0, psi2, 0.0))


def choked_flow_function(gamma: npt.ArrayLike) -> np.ndarray:
    """Choked mass-flux function ``psi* = Psi(r*)`` [-]; 0.6847 for gamma = 1.4.

    Parameters
    ----------
    gamma : array_like
        Ratio of specific heats [-].
    """
    gamma = np.asarray(gamma)
    return np.sqrt(gamma * (2.0 / (gamma + 1.0)) ** ((gamma + 1.0) / (gamma - 1.0)))


def orifice_mass_flow(
    upstream_pressure: npt.ArrayLike,
    upstream_temperature: npt.ArrayLike,
    downstream_pressure: npt.ArrayLike,
    area: npt.ArrayLike,
    discharge_coefficient: npt.ArrayLike,
    gas_constant: npt.ArrayLike,
    gamma: npt.ArrayLike,
) -> np.ndarray:
    """One-way compressible orifice mass flow from the upstream to the downstream side: the
    reference form of the law.

    Parameters
    ----------
    upstream_pressure : array_like
        Stagnation pressure upstream ``p_u`` [Pa].
    upstream_temperature : array_like
        Stagnation temperature upstream ``T_u`` [K].
    downstream_pressure : array_like
        Back pressure ``p_d`` [Pa]; 0 for vacuum. Must not exceed ``p_u``.
    area : array_like
        Geometric flow area ``A`` [m^2].
    discharge_coefficient : array_like
        ``C_d`` in (0, 1] [-].
    gas_constant : array_like
        Specific gas constant of the upstream gas ``R`` [J/(kg K)].
    gamma : array_like
        Ratio of specific heats of the upstream gas [-].

    Returns
    -------
    numpy.ndarray
        Mass flow [kg/s], >= 0.

    Notes
    -----
    The textbook isentropic orifice law with a discharge coefficient, term by term (Saad [1],
    pp. 98-106): ``mdot = C_d A p_u / sqrt(R T_u) Psi(max(r, r*))`` with ``Psi`` of
    :func:`flow_function`. It is the reference for the other forms of this module, each of
    which equals it times :func:`regularisation_factor`; it is not smoothed, so its slope in
    ``p_d`` is infinite at ``p_d = p_u``.

    Examples
    --------
    A 1 cm^2 hole with Cd = 1 from air at 1 atm and 295 K to vacuum loses about 24 g/s:

    >>> round(float(orifice_mass_flow(101325.0, 295.0, 0.0, 1e-4, 1.0, 287.05, 1.4)), 4)
    0.0238
    """
    p_u = np.asarray(upstream_pressure)
    p_u = np.where(p_u.real > 0.0, p_u, 0.0)
    p_d = np.asarray(downstream_pressure)
    shape = np.broadcast(p_u, p_d).shape
    ratio = np.divide(
        p_d, p_u, out=np.ones(shape, dtype=np.result_type(p_u, p_d, float)), where=p_u.real > 0
    )
    return (
        np.multiply(discharge_coefficient, area)
        * p_u
        / np.sqrt(gas_constant * np.asarray(upstream_temperature))
        * flow_function(ratio, gamma)
    )


def regularisation_factor(
    pressure_difference: npt.ArrayLike, regularisation_pressure: npt.ArrayLike
) -> np.ndarray:
    """Smoothing factor ``(dp^2 / (dp^2 + delta^2))^(1/4)`` of the two-way law [-].

    Parameters
    ----------
    pressure_difference : array_like
        ``dp`` [Pa].
    regularisation_pressure : array_like
        ``delta`` [Pa]; 0 turns the smoothing off (factor 1).

    Returns
    -------
    numpy.ndarray
        A factor in [0, 1], even in ``dp``, 0 at ``dp = 0`` when ``delta > 0``.
    """
    dp2 = np.square(pressure_difference)
    denominator = dp2 + np.square(regularisation_pressure)
    shape = np.broadcast(dp2, denominator).shape
    out = np.ones(shape, dtype=np.result_type(dp2, denominator, float))
    ratio = np.divide(dp2, denominator, out=out, where=denominator.real > 0)
    return np.sqrt(np.sqrt(ratio))


def regularised_flow_function(
    upstream_pressure: npt.ArrayLike,
    downstream_pressure: npt.ArrayLike,
    regularisation_pressure: npt.ArrayLike,
    constants: FlowConstants,
) -> np.ndarray:
    """``Psi(max(r, r*))`` times :func:`regularisation_factor`, written to be analytic at
    ``dp = 0``: the reference law :func:`orifice_mass_flow` over ``C_d A p_u / sqrt(R T_u)``,
    times the factor.

    In the subsonic branch ``Psi = sqrt(q) sqrt(c r^e1 g(q))`` with ``q = dp / p_u`` and
    ``g(q) = (1 - r^e2) / q``, and the regularisation factor is ``sqrt(q p_u) /
    (dp^2 + delta^2)^(1/4)``; their product ``q sqrt(p_u) sqrt(c r^e1 g(q)) /
    (dp^2 + delta^2)^(1/4)`` has no square root of ``dp`` left, so it is smooth through
    ``dp = 0`` and complex-step differentiation through it is exact there too (the plain product
    of two ``sqrt(dp)`` factors is not).

    Parameters
    ----------
    upstream_pressure, downstream_pressure : array_like
        ``p_u >= p_d`` [Pa]; complex values allowed (real parts ordered).
    regularisation_pressure : array_like
        ``delta`` [Pa]; 0 gives the unregularised ``Psi``.
    constants : tuple
        ``(r*, c, e1, e2)`` from :func:`flow_function_constants`.

    Returns
    -------
    numpy.ndarray
        The product [-]; equal to ``flow_function(p_d / p_u) * regularisation_factor(dp,
        delta)`` for real arguments.
    """
    r_star, coefficient, exponent_1, exponent_2 = constants
    p_u = np.asarray(upstream_pressure)
    p_d = np.asarray(downstream_pressure)
    delta = np.asarray(regularisation_pressure)
    dp = p_u - p_d
    positive = p_u.real > 0.0
    q = np.where(positive, dp / np.where(positive, p_u, 1.0), 0.0)
    q = np.where(q.real < 0.0, 0.0, q)
    r = 1.0 - q
    choked = r.real <= r_star
    # g(q) = -expm1(e2 log1p(-q)) / q, with its series where q is too small to divide by.
    small = np.abs(q) < 1e-6
    q_safe = np.where(small | choked, 0.5, q)
    g = np.where(
        small,
        exponent_2 + 0.5 * exponent_2 * (1.0 - exponent_2) * q,
        -np.expm1(exponent_2 * np.log1p(-q_safe)) / q_safe,
    )
    r_safe = np.where(choked, 1.0, r)
    root = np.sqrt(coefficient * np.exp(exponent_1 * np.log(r_safe)) * g)
    regularised = delta > 0.0
    scale = np.where(
        regularised,
        np.sqrt(np.where(positive, p_u, 1.0))
        / (dp**2 + np.where(regularised, delta, 1.0) ** 2) ** 0.25,
        1.0,
    )
    subsonic = np.where(regularised, q * scale, np.sqrt(q)) * root
    psi_star = np.sqrt(
        coefficient * np.exp(exponent_1 * np.log(r_star)) * (1.0 - r_star**exponent_2)
    )
    choked_value = psi_star * regularisation_factor(dp, delta)
    return np.where(positive, np.where(choked, choked_value, subsonic), 0.0)


def regularised_flux_and_slopes(
    upstream_pressure: npt.ArrayLike,
    downstream_pressure: npt.ArrayLike,
    regularisation_pressure: npt.ArrayLike,
    constants: FlowConstants,
    slopes: bool = True,
) -> tuple[np.ndarray, np.ndarray | None, np.ndarray | None]:
    """``Phi = p_u Psi(max(r, r*)) reg(dp)`` and its two partial derivatives, analytically.

    The same law as :func:`regularised_flow_function` times ``p_u`` (the molar flow of an
    orifice is ``C_d A Phi / sqrt(M R T)``), for real pressures and ``delta > 0``, with
    ``dPhi/dp_u`` and ``dPhi/dp_d`` for an analytic Jacobian: ``C_d A Phi / sqrt(R T_u)`` is
    the reference law :func:`orifice_mass_flow` times :func:`regularisation_factor`, and the
    slopes are the exact derivatives of ``Phi``. In the subsonic branch

    .. math::

        \\Phi = \\Delta p \\, \\sqrt{p_u}\\,(\\Delta p^2 + \\delta^2)^{-1/4}
               \\sqrt{c\\, r^{e_1} g(q)},\\qquad g(q) = \\frac{1 - r^{e_2}}{q},

    so ``d Phi = (Phi / dp) (+-1 + dp d(log Phi - log dp))``: the factor ``Phi / dp`` is
    smooth through ``dp = 0`` and no ``1 / dp`` is formed, with
    ``g'/g = (e2 r^(e2-1) / g - 1) / q``. In the choked branch
    ``Phi = p_u psi* (dp^2 / (dp^2 + delta^2))^(1/4)``.

    ``sqrt(r^e1)`` is formed as ``r / r^e2``, since ``e1 / 2 = 1 / gamma = 1 - e2``, from the
    ``r^e2`` that ``g`` needs: one power instead of two. Where ``q <`` :data:`SERIES_LIMIT`
    (the nearly equal pressures of an open hatch, and the few percent across a small one)
    ``g`` is the polynomial of :func:`subsonic_series`, within an ulp of the law,
    ``r^e2 = 1 - q g``, and ``g'/g`` the polynomial's derivative over itself (within 1e-13,
    which only the Jacobian sees): no logarithm or power at all, and ``g'/g`` without the
    cancellation of the form above as ``q -> 0``.

    Parameters
    ----------
    upstream_pressure, downstream_pressure : ndarray
        ``p_u >= p_d`` [Pa], real.
    regularisation_pressure : ndarray
        ``delta`` [Pa], > 0.
    constants : tuple
        ``(r*, c, e1, e2)`` from :func:`flow_function_constants`.
    slopes : bool, optional
        Compute the derivatives (default); False returns ``None`` for them.

    Returns
    -------
    phi, dphi_dpu, dphi_dpd : ndarray
        ``Phi`` [Pa] and its derivatives [-]; all zero where ``p_u <= 0``.
    """
    r_star, coefficient, exponent_1, exponent_2 = constants
    p_u = np.asarray(upstream_pressure)
    dp = p_u - np.asarray(downstream_pressure)
    positive = p_u > 0.0
    pu_safe = np.where(positive, p_u, 1.0)
    q = np.maximum(np.where(positive, dp / pu_safe, 0.0), 0.0)
    r = 1.0 - q
    choked = r <= r_star
    series = q < SERIES_LIMIT
    q_safe = np.where(series | choked, 0.5, q)
    r_safe = 1.0 - q_safe
    # 1 - r^e2 by expm1: accurate as r -> 1, where the subsonic flow is a small difference.
    one_minus_r_e2 = -np.expm1(exponent_2 * np.log1p(-q_safe))
    terms = subsonic_series(exponent_2)
    g_series = _polynomial(terms, q)
    g = np.where(series, g_series, one_minus_r_e2 / q_safe)
    delta2 = np.asarray(regularisation_pressure) ** 2
    d2 = dp * dp + delta2
    # r^(e1/2) = r / r^e2 (e1 / 2 = 1 - e2), r^e2 = 1 - q g on the series (notes).
    root_r = np.where(series, r / (1.0 - q * g_series), r_safe / (1.0 - one_minus_r_e2))
    # Subsonic: Phi / dp, then the log-derivatives other than that of dp.
    phi_dp = root_r * np.sqrt(pu_safe * coefficient * g / np.sqrt(d2))
    # Choked: Phi = p_u psi* reg(dp), d log reg / d dp = delta^2 / (2 dp d2).
    psi_star = np.sqrt(
        coefficient * np.exp(exponent_1 * np.log(r_star)) * (1.0 - r_star**exponent_2)
    )
    reg = np.sqrt(np.sqrt(dp * dp / d2))
    phi_choked = pu_safe * psi_star * reg
    zero = np.zeros_like(phi_dp)
    phi = np.where(positive, np.where(choked, phi_choked, dp * phi_dp), zero)
    if not slopes:
        return phi, None, None
    log_g = np.where(
        series,
        _polynomial_slope(terms, q) / g_series,
        (exponent_2 * (1.0 - one_minus_r_e2) / (r_safe * g) - 1.0) / q_safe,
    )
    r_sub = np.where(series, r, r_safe)
    inv_pu = 1.0 / pu_safe
    half_w = 0.5 * dp / d2
    a_u = 0.5 * inv_pu * (1.0 - exponent_1 + log_g * r_sub) - half_w
    a_d = half_w + 0.5 * inv_pu * (exponent_1 / r_sub - log_g)
    b = np.where(choked, 0.5 * delta2 / (np.where(choked, dp, 1.0) * d2), 0.0)
    d_u = np.where(
        positive, np.where(choked, psi_star * reg + phi_choked * b, phi_dp * (1.0 + dp * a_u)), zero
    )
    d_d = np.where(positive, np.where(choked, -phi_choked * b, phi_dp * (dp * a_d - 1.0)), zero)
    return phi, d_u, d_d


def subsonic_series(exponent_2: npt.ArrayLike) -> tuple[np.ndarray, ...]:
    """Coefficients ``b_0 .. b_9`` of ``g(q) = (1 - (1 - q)^e2) / q = sum b_n q^n``.

    The binomial series of ``(1 - q)^e2``, less its first term, over ``q``: ``b_0 = e2`` and
    ``b_n = b_(n-1) (n - e2) / (n + 1)``, all positive for ``0 < e2 < 1`` (any
    ``gamma > 1``). Each ratio ``b_n / b_(n-1)`` is below 1, so the terms left out after
    :data:`SERIES_TERMS` sum to less than ``b_10 q^10 / (1 - q)``, and
    ``b_10 / b_0 < prod n / (n + 1) = 1 / 11``: below ``q^10 / (11 (1 - q))`` of ``g``,
    8.3e-17 at ``q =`` :data:`SERIES_LIMIT`. The derivative's terms left out are below
    ``10 b_10 q^9 / (1 - q)`` of ``b_1``, 6e-14 of ``g'`` there.

    Parameters
    ----------
    exponent_2 : array_like
        ``(gamma - 1) / gamma`` [-], from :func:`flow_function_constants`.

    Returns
    -------
    tuple of numpy.ndarray
        :data:`SERIES_TERMS` arrays of the shape of ``exponent_2`` [-].
    """
    e2 = np.asarray(exponent_2, dtype=float)
    terms = [e2]
    for n in range(1, SERIES_TERMS):
        terms.append(terms[-1] * (n - e2) / (n + 1))
    return tuple(terms)


def _polynomial(terms: tuple[np.ndarray, ...], q: np.ndarray) -> np.ndarray:
    """``sum terms[n] q^n`` of the ten terms by Estrin's scheme: pairs, then pairs of pairs,
    with ``q^2``, ``q^4``, ``q^8``, so that the chain of dependent operations is four deep,
    not ten as by Horner's rule (the kernel's order)."""
    b0, b1, b2, b3, b4, b5, b6, b7, b8, b9 = terms
    q2 = q * q
    q4 = q2 * q2
    low = (b0 + b1 * q) + (b2 + b3 * q) * q2
    high = (b4 + b5 * q) + (b6 + b7 * q) * q2
    return (low + high * q4) + (b8 + b9 * q) * (q4 * q4)


def _polynomial_slope(terms: tuple[np.ndarray, ...], q: np.ndarray) -> np.ndarray:
    """``d/dq sum terms[n] q^n`` by Horner's rule, highest term first (the kernel's order)."""
    last = len(terms) - 1
    value = last * terms[last]
    for n in range(last - 1, 0, -1):
        value = value * q + n * terms[n]
    return value


def regularised_orifice_mass_flow(
    pressure_a: npt.ArrayLike,
    temperature_a: npt.ArrayLike,
    pressure_b: npt.ArrayLike,
    temperature_b: npt.ArrayLike,
    area: npt.ArrayLike,
    discharge_coefficient: npt.ArrayLike,
    gas_constant_a: npt.ArrayLike,
    gamma_a: npt.ArrayLike,
    gas_constant_b: npt.ArrayLike | None = None,
    gamma_b: npt.ArrayLike | None = None,
    regularisation_pressure: npt.ArrayLike = DEFAULT_REGULARISATION_PRESSURE,
) -> np.ndarray:
    """Two-way orifice mass flow from side ``a`` to side ``b``, smooth through ``dp = 0``.

    The gas flows from the side at higher pressure and carries that side's state. The result is
    antisymmetric (swapping ``a`` and ``b`` negates it), continuous everywhere, and linear in
    ``dp`` for ``|dp| << delta`` (see the module notes). With ``u`` the side at higher pressure
    it is ``+-orifice_mass_flow(p_u, T_u, p_d, ...) * regularisation_factor(dp, delta)``, the
    reference law times the factor; ``delta = 0`` gives the reference law itself.

    Parameters
    ----------
    pressure_a, pressure_b : array_like
        Pressures on each side [Pa].
    temperature_a, temperature_b : array_like
        Temperatures on each side [K].
    area : array_like
        Flow area [m^2].
    discharge_coefficient : array_like
        ``C_d`` [-].
    gas_constant_a, gamma_a : array_like
        Specific gas constant [J/(kg K)] and heat-capacity ratio [-] of the gas on side ``a``.
    gas_constant_b, gamma_b : array_like, optional
        The same for side ``b``; default: as side ``a``.
    regularisation_pressure : array_like, optional
        ``delta`` [Pa], default :data:`DEFAULT_REGULARISATION_PRESSURE`; 0 gives the source law.

    Returns
    -------
    numpy.ndarray
        Mass flow from ``a`` to ``b`` [kg/s]; negative when the gas flows from ``b`` to ``a``.
    """
    gas_constant_b = gas_constant_a if gas_constant_b is None else gas_constant_b
    gamma_b = gamma_a if gamma_b is None else gamma_b
    p_a = np.asarray(pressure_a)
    p_b = np.asarray(pressure_b)
    forward = p_a >= p_b
    p_u = np.where(forward, p_a, p_b)
    p_d = np.where(forward, p_b, p_a)
    gas_constant_u = np.where(forward, gas_constant_a, gas_constant_b)
    t_u = np.where(forward, temperature_a, temperature_b)
    constants = flow_function_constants(np.where(forward, gamma_a, gamma_b))
    factor = regularised_flow_function(p_u, p_d, regularisation_pressure, constants)
    flow = np.multiply(discharge_coefficient, area) * p_u / np.sqrt(gas_constant_u * t_u) * factor
    return np.where(forward, flow, -flow)
