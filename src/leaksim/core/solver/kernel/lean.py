"""The lean model's physics for one case: the orifice law, growing areas, ``dN/dt`` and its
Jacobian (:class:`~leaksim.core.model.LeanModel`).

``net`` is the tuple of the station's arrays that :mod:`leaksim.core.solver.compiled` builds;
its entries are named by the constants below (numba reads a tuple at a constant index
without cost). Arrays of shape (C, ...) hold one row per case; the others are the station's.
"""

from __future__ import annotations

import math

from numba import njit

#: ``Ru T / V`` of each module [Pa/mol], (C, M).
RT_V = 0
#: Side a of each link (K,); side b, -1 for a boundary (K,); links to vacuum (K,).
LINK_A, LINK_B, VACUUM = 1, 2, 3
#: Back pressure of boundary links [Pa] and regularisation pressure [Pa], (C, K).
BOUNDARY_P, DELTA = 4, 5
#: Molar flow per unit ``Phi`` [mol/(s Pa)], or per unit upstream pressure for links to
#: vacuum (``psi*`` included), (C, K).
FLOW_SCALE = 6
#: The gas's flow constants ``r*, c, e1, e2, psi*``, (C, 5).
CONSTS = 7
#: Ventilated links (V,), and their ``Q / V`` on sides a and b [1/s], (C, V).
FAN_LINK, FAN_A, FAN_B = 8, 9, 10
#: Module of each source (J,) and its constant feed [mol/s], (C, J).
SRC_MODULE, SRC_FLOW = 11, 12
#: Growth of each link, -1 for none (K,); knots' times [s] and areas [m^2], (C, G, P);
#: nominal area of each link [m^2], (C, K); the knots as one row per case, (C, B).
GROWTH_OF_LINK, GROWTH_TIME, GROWTH_AREA, NOMINAL_AREA, BREAKPOINTS = 13, 14, 15, 16, 17

_jit = njit(cache=True, error_model="numpy", inline="always")


@_jit
def flux_and_slopes(p_u, p_d, delta, r_star, coefficient, exponent_1, exponent_2, psi_star):
    """``Phi = p_u Psi reg`` and its slopes for one link, ``p_u >= p_d``, ``delta > 0``:
    :func:`leaksim.core.flow.regularised_flux_and_slopes` for scalars (its notes give the law),
    with the gas's ``psi*`` given and ``log r`` taken once."""
    if not p_u > 0.0:
        return 0.0, 0.0, 0.0
    dp = p_u - p_d
    q = max(dp / p_u, 0.0)
    r = 1.0 - q
    delta2 = delta * delta
    d2 = dp * dp + delta2
    if r <= r_star:  # choked: Phi = p_u psi* reg(dp), d log reg / d dp = delta^2 / (2 dp d2)
        reg = math.sqrt(math.sqrt(dp * dp / d2))
        phi = p_u * psi_star * reg
        b = 0.5 * delta2 / (dp * d2)
        return phi, psi_star * reg + phi * b, -phi * b
    if q < 1e-6:
        g = exponent_2 + 0.5 * exponent_2 * (1.0 - exponent_2) * q
        r_e1 = math.exp(exponent_1 * math.log(r))
        log_g = 0.5 * (1.0 - exponent_2)
    else:
        log_r = math.log1p(-q)
        one_minus_r_e2 = -math.expm1(exponent_2 * log_r)
        g = one_minus_r_e2 / q
        r_e1 = math.exp(exponent_1 * log_r)
        log_g = (exponent_2 * (1.0 - one_minus_r_e2) / (r * g) - 1.0) / q
    phi_dp = math.sqrt(p_u * coefficient * r_e1 * g) / math.sqrt(math.sqrt(d2))
    inv_pu = 1.0 / p_u
    half_w = 0.5 * dp / d2
    a_u = 0.5 * inv_pu * (1.0 - exponent_1 + log_g * r) - half_w
    a_d = half_w + 0.5 * inv_pu * (exponent_1 / r - log_g)
    return dp * phi_dp, phi_dp * (1.0 + dp * a_u), phi_dp * (dp * a_d - 1.0)


@_jit
def growth_factor(c, k, t, net):
    """Area of link ``k`` at ``t`` over its nominal area, and its rate [1/s]: piecewise linear
    between the knots, constant outside them, the rate taken forward from ``t``
    (:meth:`~leaksim.core.model.GeneralModel._growth_factor`)."""
    g = net[GROWTH_OF_LINK][k]
    if g < 0:
        return 1.0, 0.0
    knots, areas = net[GROWTH_TIME][c, g], net[GROWTH_AREA][c, g]
    nominal = net[NOMINAL_AREA][c, k]
    if not nominal > 0.0:
        return 0.0, 0.0
    segment = 0
    for i in range(knots.size):
        if knots[i] <= t:
            segment = i
    segment = min(segment, knots.size - 2)
    t0, t1 = knots[segment], knots[segment + 1]
    a0, a1 = areas[segment], areas[segment + 1]
    if t < t0 or t >= t1 or not t1 > t0:
        return (a0 if t < t0 else a1) / nominal, 0.0
    slope = (a1 - a0) / (t1 - t0)
    return (a0 + slope * (t - t0)) / nominal, slope / nominal


@_jit
def link_flows(y, is_open, t, c, net, flow, d_a, d_b, rate):
    """Molar flow of every link of case ``c`` from side a to side b at ``t`` [mol/s], and its
    derivatives by the pressures of sides a and b [mol/(s Pa)]
    (:meth:`~leaksim.core.model.LeanModel._lean_flow`); with ``rate``, the flows' derivative
    by time along the growing areas [mol/s^2] in place of the flows."""
    rt_v, link_a, link_b = net[RT_V], net[LINK_A], net[LINK_B]
    delta, flow_scale, consts = net[DELTA], net[FLOW_SCALE], net[CONSTS]
    for k in range(link_a.size):
        a, b = link_a[k], link_b[k]
        factor, factor_rate = growth_factor(c, k, t, net)
        scale = flow_scale[c, k] * (1.0 if is_open[k] else 0.0)
        scale *= factor_rate if rate else factor
        p_a = y[a] * rt_v[c, a]
        if net[VACUUM][k]:
            flow[k], d_a[k], d_b[k] = scale * p_a, scale, 0.0
            continue
        p_b = net[BOUNDARY_P][c, k] if b < 0 else y[b] * rt_v[c, b]
        forward = p_a >= p_b
        p_u, p_d = (p_a, p_b) if forward else (p_b, p_a)
        row = consts[c]
        phi, du, dd = flux_and_slopes(p_u, p_d, delta[c, k], row[0], row[1], row[2], row[3], row[4])
        if forward:
            flow[k], d_a[k], d_b[k] = scale * phi, scale * du, scale * dd
        else:
            # Reversed flow: -Phi(p_b, p_a), so the roles of the two slopes swap.
            flow[k], d_a[k], d_b[k] = -scale * phi, -scale * dd, -scale * du


@_jit
def scatter(flow, c, net, out):
    """Link flows summed into the modules: out of side a, into side b."""
    link_a, link_b = net[LINK_A], net[LINK_B]
    out[:] = 0.0
    for k in range(link_a.size):
        out[link_a[k]] -= flow[k]
        if link_b[k] >= 0:
            out[link_b[k]] += flow[k]


@_jit
def rhs(y, is_open, t, c, net, work, out):
    """``dN/dt`` of every module of case ``c`` at ``t`` [mol/s] (:meth:`LeanModel.rhs`)."""
    link_a, link_b = net[LINK_A], net[LINK_B]
    fan_link, fan_a, fan_b = net[FAN_LINK], net[FAN_A], net[FAN_B]
    flow = work[0]
    link_flows(y, is_open, t, c, net, flow, work[1], work[2], False)
    scatter(flow, c, net, out)
    for i in range(fan_link.size):
        k = fan_link[i]
        if is_open[k]:
            a, b = link_a[k], link_b[k]
            into_a = fan_b[c, i] * y[b] - fan_a[c, i] * y[a]
            out[a] += into_a
            out[b] -= into_a
    n_links = link_a.size
    src_module, src_flow = net[SRC_MODULE], net[SRC_FLOW]
    for j in range(src_module.size):
        if is_open[n_links + j]:
            out[src_module[j]] += src_flow[c, j]


@_jit
def time_derivative(y, is_open, t, c, net, work, out):
    """``d rhs / dt`` along the growing areas at ``t`` [mol/s^2]: fans and feeds do not
    change with time."""
    flow = work[0]
    link_flows(y, is_open, t, c, net, flow, work[1], work[2], True)
    scatter(flow, c, net, out)


@_jit
def jacobian(y, is_open, t, c, net, work, jac):
    """``d rhs / d y`` of case ``c`` (:meth:`LeanModel.jacobian`), rows by columns."""
    rt_v, link_a, link_b = net[RT_V], net[LINK_A], net[LINK_B]
    fan_link, fan_a, fan_b = net[FAN_LINK], net[FAN_A], net[FAN_B]
    d_a, d_b = work[1], work[2]
    link_flows(y, is_open, t, c, net, work[0], d_a, d_b, False)
    jac[:, :] = 0.0
    for k in range(link_a.size):
        a, b = link_a[k], link_b[k]
        by_a = d_a[k] * rt_v[c, a]
        jac[a, a] -= by_a
        if b >= 0:
            by_b = d_b[k] * rt_v[c, b]
            jac[a, b] -= by_b
            jac[b, a] += by_a
            jac[b, b] += by_b
    for i in range(fan_link.size):
        k = fan_link[i]
        if is_open[k]:
            a, b = link_a[k], link_b[k]
            jac[a, a] -= fan_a[c, i]
            jac[a, b] += fan_b[c, i]
            jac[b, a] += fan_a[c, i]
            jac[b, b] -= fan_b[c, i]


@_jit
def pressure(y, m, c, net):
    """Pressure of module ``m`` [Pa], never negative."""
    return max(y[m] * net[RT_V][c, m], 0.0)
