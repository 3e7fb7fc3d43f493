"""The compiled integrator: each case's whole run in one fused, compiled loop.

The batched loop of :mod:`leaksim.core.solver.integrator` advances every case by one step per
iteration, each operation an array pass over all cases. Here one compiled function (numba,
``nopython``) runs one case from its start to its end with the same method: the RODAS4 step
of :mod:`~leaksim.core.solver.rosenbrock` with the same tableau, error norm and step
controller (:mod:`~leaksim.core.solver.controller`); scheduled events and the knots of growing
areas ending steps exactly, triggers located and retaken as the batched loop does
(:mod:`~leaksim.core.solver.events`, :mod:`~leaksim.core.solver.triggers`); outputs from the
dense output (:mod:`~leaksim.core.solver.dense`); thresholds by the same bisection; sources'
amounts by Simpson's rule. A step touches each case's few numbers once and takes the same
steps as the batched loop.

It serves every station, with one of two right-hand sides: the
:class:`~leaksim.core.model.LeanModel` (one gas at one temperature: moles per module, an
analytic Jacobian) or the :class:`~leaksim.core.model.GeneralModel` (several gases, the
adiabatic and wall energy modes, regulated and fading sources, fans with their enthalpy: the
moles of each species and the energy of each module, a Jacobian by complex step on a
complex128 copy of the same compiled functions). The general model's arrays travel in tuples
of their own (``gen``, ``gout``, ``gwork``), None for a lean station, so that numba compiles
the lean run apart, without the general code or its arguments (section "One case's run").

The triggers' arrays are None likewise for a station without triggers, which compiles without
their code. Every array of a run is read through a view that counts no references
(:func:`_borrowed`): numba counts a reference, with an atomic increment and decrement, for each
array a compiled function takes out of a tuple or passes on, and that count was about half of a
step's time. The tuples are passed on by reference (:func:`_ref`, one word each): numba passes
a tuple to a function it does not inline as its members, seven to nine words per array, and
pushing them on the stack at every call took half the remaining time of a step.

A lean station without triggers, scheduled events or growing areas (a sweep of holes whose
hatches stay as they are) runs its cases in lanes: sixty-four cases at a time on each thread,
every loop of the step over the cases innermost (the step's sums and solves in vector
instructions), each case doing the operations of its own run in the same order (the same
bits; section "Cases in lanes").

Sections, in order: the lean model's physics; the general model's physics; one Rosenbrock
step and its control; scheduled events and triggers; cases in lanes; one case's run, and the
cases spread over threads. They are one module because numba keys each cached function on
its own file: a function compiled with code from another file would be served from the cache
after that file changed.

Cases run in parallel over the machine's cores: chunks of cases on a pool of threads, the
compiled loop releasing the GIL (numba's ``parallel=True`` loops took several times longer to
compile). A case reads only its own rows, so its answer has the same bits alone, in any batch
and on any number of threads. Divisions follow numpy's rules (``error_model="numpy"``): a
zero divisor gives inf or NaN, which the error test rejects, instead of a Python exception
whose checks cost more than half the run time.

The functions are scalar transcriptions of :mod:`leaksim.core.flow`,
:class:`~leaksim.core.model.LeanModel`, :class:`~leaksim.core.model.GeneralModel` and the
batched loop, which stay the reference that ``tests/test_kernel.py`` holds them to. They are
compiled on first use and cached on disk (``cache=True``), so importing leaksim costs nothing
and later processes load the machine code.
"""

from __future__ import annotations

import math
import os
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
from llvmlite import ir
from numba import njit, types
from numba.core import cgutils
from numba.core.datamodel import models
from numba.core.imputils import impl_ret_borrowed
from numba.core.typing.templates import AbstractTemplate, infer, signature
from numba.extending import intrinsic, lower_builtin, overload, register_model
from numba.np.arrayobj import populate_array

__all__ = ["FAIL_STEPS", "FAIL_STUCK", "flow_function", "flux_and_slopes", "integrate"]

# Compiled on first use and cached on disk; divisions follow numpy's rules (module notes).
# The law and the step's parts are inlined where they are used (in numba's IR, so LLVM
# optimises across them); a function called rarely is compiled once and called, without the
# wrappers that would let Python call it (only the range is called from Python).
_inline = njit(cache=True, error_model="numpy", inline="always")
# numba's own options, which its type stubs do not list.
_NO_WRAPPERS: dict[str, Any] = {"no_cpython_wrapper": True, "no_cfunc_wrapper": True}
_called = njit(cache=True, error_model="numpy", **_NO_WRAPPERS)


# --------------------------------------------------------------------------------------------
# The lean model's physics
#
# The lean model's physics for one case: the orifice law, growing areas, ``dN/dt`` and its
# Jacobian (:class:`~leaksim.core.model.LeanModel`).
#
# ``net`` is the tuple of the station's arrays that :mod:`leaksim.core.solver.compiled` builds;
# its entries are named by the constants below. A function takes the arrays it needs out of
# the tuple once, before its loops: each access loads the array's fields and calls numba's
# reference count (which does nothing for the borrowed views, but is a call). Arrays of shape
# (C, ...) hold one row per case; the others are the station's.
# --------------------------------------------------------------------------------------------

#: ``Ru T / V`` of each module [Pa/mol], (C, M).
RT_V = 0
#: Side a of each link (K,); side b, -1 for a boundary (K,); links to vacuum (K,).
LINK_A, LINK_B, VACUUM = 1, 2, 3
#: Back pressure of boundary links [Pa] and regularisation pressure [Pa], (C, K).
BOUNDARY_P, DELTA = 4, 5
#: Molar flow per unit ``Phi`` [mol/(s Pa)], or per unit upstream pressure for links to
#: vacuum (``psi*`` included), (C, K).
FLOW_SCALE = 6
#: The gas's flow constants ``r*, c, e1, e2, psi*``, then the ``q`` below which the subsonic
#: law takes ``g`` from its series and the series' coefficients, (C, 6 + N)
#: (:func:`leaksim.core.flow.subsonic_series`).
CONSTS = 7
#: Ventilated links (V,), and their ``Q / V`` on sides a and b [1/s], (C, V).
FAN_LINK, FAN_A, FAN_B = 8, 9, 10
#: Module of each source (J,) and its constant feed [mol/s], (C, J).
SRC_MODULE, SRC_FLOW = 11, 12
#: Growth of each link, -1 for none (K,); knots' times [s] and areas [m^2], (C, G, P);
#: nominal area of each link [m^2], (C, K); the knots as one row per case, (C, B).
GROWTH_OF_LINK, GROWTH_TIME, GROWTH_AREA, NOMINAL_AREA, BREAKPOINTS = 13, 14, 15, 16, 17

# The law is inlined into the Rosenbrock step's stages (in numba's IR, so LLVM optimises
# across it and a stage makes no call); the events and the loop, which evaluate it once a
# step or less, call :func:`rhs_called` instead, one compiled copy, which keeps the first
# compilation short.


@_inline
def flux_and_slopes(p_u, p_d, delta, r_star, coefficient, exponent_1, exponent_2, psi_star,
                    series):  # fmt: skip
    """``Phi = p_u Psi reg`` and its slopes for one link, ``p_u >= p_d``, ``delta > 0``:
    :func:`leaksim.core.flow.regularised_flux_and_slopes` for scalars, in the same operations
    (its notes give the law, how ``r^(e1/2)`` is formed and the series of ``g``), with the
    gas's ``psi*`` given, and ``series`` the limit of the series and its coefficients
    (:data:`CONSTS`)."""
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
    if q < series[0]:
        g = _series(series, q)
        root_r = r / (1.0 - q * g)
        log_g = _series_slope(series, q) / g
    else:
        one_minus_r_e2, g, root_r = _subsonic(q, r, exponent_2)
        log_g = (exponent_2 * (1.0 - one_minus_r_e2) / (r * g) - 1.0) / q
    phi_dp = root_r * math.sqrt(p_u * coefficient * g / math.sqrt(d2))
    inv_pu = 1.0 / p_u
    half_w = 0.5 * dp / d2
    a_u = 0.5 * inv_pu * (1.0 - exponent_1 + log_g * r) - half_w
    a_d = half_w + 0.5 * inv_pu * (exponent_1 / r - log_g)
    return dp * phi_dp, phi_dp * (1.0 + dp * a_u), phi_dp * (dp * a_d - 1.0)


@_inline
def flux(p_u, p_d, delta, r_star, coefficient, exponent_1, exponent_2, psi_star, series):
    """``Phi`` of :func:`flux_and_slopes` alone, in the same operations (the same bits), for
    the step's stages, which need no slopes."""
    if not p_u > 0.0:
        return 0.0
    dp = p_u - p_d
    q = max(dp / p_u, 0.0)
    r = 1.0 - q
    d2 = dp * dp + delta * delta
    if r <= r_star:
        return p_u * psi_star * math.sqrt(math.sqrt(dp * dp / d2))
    if q < series[0]:
        g = _series(series, q)
        root_r = r / (1.0 - q * g)
    else:
        g, root_r = _subsonic(q, r, exponent_2)[1:]
    return dp * (root_r * math.sqrt(p_u * coefficient * g / math.sqrt(d2)))


@_inline
def _subsonic(q, r, exponent_2):
    """``1 - r^e2``, ``g = (1 - r^e2) / q`` and ``r^(e1/2) = r / r^e2`` for ``r = 1 - q``
    (:func:`leaksim.core.flow.regularised_flux_and_slopes`)."""
    one_minus_r_e2 = -math.expm1(exponent_2 * math.log1p(-q))
    return one_minus_r_e2, one_minus_r_e2 / q, r / (1.0 - one_minus_r_e2)


@_inline
def _series(series, q):
    """``g(q)`` from its ten coefficients ``series[1:]``
    (:func:`leaksim.core.flow.subsonic_series`) by Estrin's scheme, in the reference's
    order: a chain four operations deep instead of Horner's ten."""
    q2 = q * q
    q4 = q2 * q2
    low = (series[1] + series[2] * q) + (series[3] + series[4] * q) * q2
    high = (series[5] + series[6] * q) + (series[7] + series[8] * q) * q2
    return (low + high * q4) + (series[9] + series[10] * q) * (q4 * q4)


@_inline
def _series_slope(series, q):
    """``g'(q)`` from the series of :func:`_series`, in the reference's order."""
    last = series.size - 2  # the highest power of q in g
    slope = last * series[last + 1]
    for n in range(last - 1, 0, -1):
        slope = slope * q + n * series[n + 1]
    return slope


@_inline
def growth_factor(knots, areas, nominal, t):
    """Area of a growing link at ``t`` over its nominal area, and its rate [1/s], from its
    knots' times [s] and areas [m^2]: piecewise linear between the knots, constant outside
    them, the rate taken forward from ``t``
    (:meth:`~leaksim.core.model.GeneralModel._growth_factor`)."""
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


@_inline
def _links(net, c):
    """The arrays of ``net`` the links' loops read, taken out once, before the loop (each
    access loads the array's fields and calls numba's reference count), and the gas's flow
    constants ``r*, c, e1, e2, psi*`` and the series of ``g`` of case ``c``."""
    consts = net[CONSTS]
    return (
        net[RT_V],
        net[LINK_A],
        net[LINK_B],
        net[VACUUM],
        net[DELTA],
        net[FLOW_SCALE],
        net[BOUNDARY_P],
        net[GROWTH_OF_LINK],
        net[GROWTH_TIME],
        net[GROWTH_AREA],
        net[NOMINAL_AREA],
        consts[c, 0],
        consts[c, 1],
        consts[c, 2],
        consts[c, 3],
        consts[c, 4],
        consts[c, 5:],
    )


@_inline
def link_flows(y, is_open, t, c, net, flow, d_a, d_b, rate):
    """Molar flow of every link of case ``c`` from side a to side b at ``t`` [mol/s], and its
    derivatives by the pressures of sides a and b [mol/(s Pa)]
    (:meth:`~leaksim.core.model.LeanModel._lean_flow`); with ``rate``, the flows' derivative
    by time along the growing areas [mol/s^2] in place of the flows."""
    links = _links(net, c)
    rt_v, link_a, link_b, vacuum, delta, flow_scale, boundary_p = links[:7]
    growth_of_link, growth_time, growth_area, nominal = links[7:11]
    r_star, coefficient, e1, e2, psi_star, series = links[11:]
    for k in range(link_a.size):
        a, b = link_a[k], link_b[k]
        factor, factor_rate = 1.0, 0.0
        g = growth_of_link[k]
        if g >= 0:
            factor, factor_rate = growth_factor(
                growth_time[c, g], growth_area[c, g], nominal[c, k], t
            )
        scale = flow_scale[c, k] * (1.0 if is_open[k] else 0.0)
        scale *= factor_rate if rate else factor
        p_a = y[a] * rt_v[c, a]
        if vacuum[k]:
            flow[k], d_a[k], d_b[k] = scale * p_a, scale, 0.0
            continue
        p_b = boundary_p[c, k] if b < 0 else y[b] * rt_v[c, b]
        forward = p_a >= p_b
        p_u, p_d = (p_a, p_b) if forward else (p_b, p_a)
        phi, du, dd = flux_and_slopes(
            p_u, p_d, delta[c, k], r_star, coefficient, e1, e2, psi_star, series
        )
        if forward:
            flow[k], d_a[k], d_b[k] = scale * phi, scale * du, scale * dd
        else:
            # Reversed flow: -Phi(p_b, p_a), so the roles of the two slopes swap.
            flow[k], d_a[k], d_b[k] = -scale * phi, -scale * dd, -scale * du


@_inline
def stage_flows(y, is_open, t, c, net, flow):
    """The flows of :func:`link_flows` alone, through :func:`flux` (the same bits), for the
    step's stages. The loop over the links is written twice, not shared through a function
    of the links' arrays: a tuple of them handed to an inlined function per link made the
    step twice as slow (measured)."""
    links = _links(net, c)
    rt_v, link_a, link_b, vacuum, delta, flow_scale, boundary_p = links[:7]
    growth_of_link, growth_time, growth_area, nominal = links[7:11]
    r_star, coefficient, e1, e2, psi_star, series = links[11:]
    for k in range(link_a.size):
        a, b = link_a[k], link_b[k]
        factor = 1.0
        g = growth_of_link[k]
        if g >= 0:
            factor = growth_factor(growth_time[c, g], growth_area[c, g], nominal[c, k], t)[0]
        scale = flow_scale[c, k] * (1.0 if is_open[k] else 0.0)
        scale *= factor
        p_a = y[a] * rt_v[c, a]
        if vacuum[k]:
            flow[k] = scale * p_a
            continue
        p_b = boundary_p[c, k] if b < 0 else y[b] * rt_v[c, b]
        if p_a >= p_b:
            flow[k] = scale * flux(
                p_a, p_b, delta[c, k], r_star, coefficient, e1, e2, psi_star, series
            )
        else:
            flow[k] = -scale * flux(
                p_b, p_a, delta[c, k], r_star, coefficient, e1, e2, psi_star, series
            )


@_inline
def scatter(flow, c, net, out):
    """Link flows summed into the modules: out of side a, into side b."""
    link_a, link_b = net[LINK_A], net[LINK_B]
    out[:] = 0.0
    for k in range(link_a.size):
        out[link_a[k]] -= flow[k]
        if link_b[k] >= 0:
            out[link_b[k]] += flow[k]


# ``rate`` as a boolean, not a literal: one compiled link_flows_called for both.
_NO, _YES = np.bool_(False), np.bool_(True)


@_called
def link_flows_called(y, is_open, t, c, net, flow, d_a, d_b, rate):
    """:func:`link_flows`, compiled once for the callers that take it once per step or less
    (the Jacobian, ``df/dt``, the derivative after a step): numba inlines a function by
    compiling its body again in each caller, seconds of a cold start each time."""
    link_flows(y, is_open, t, c, net, flow, d_a, d_b, rate)


@_inline
def rhs(y, is_open, t, c, net, work, out):
    """``dN/dt`` of every module of case ``c`` at ``t`` [mol/s] (:meth:`LeanModel.rhs`): the
    law inlined, without its slopes, for the step's stages."""
    stage_flows(y, is_open, t, c, net, work[0])
    _rhs_of_flows(y, is_open, c, net, work[0], out)


@_inline
def _rhs_of_flows(y, is_open, c, net, flow, out):
    """:func:`rhs` from the links' flows: the flows into the modules, the fans and feeds."""
    link_a, link_b = net[LINK_A], net[LINK_B]
    fan_link, fan_a, fan_b = net[FAN_LINK], net[FAN_A], net[FAN_B]
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


@_called
def rhs_called(y, is_open, t, c, net, gen, work, gwork, out):
    """:func:`rhs`, or :func:`rhs_general` where ``gen`` is not None, compiled once for the
    callers off the step's path."""
    if gen is None:
        link_flows_called(y, is_open, t, c, net, work[0], work[1], work[2], _NO)
        _rhs_of_flows(y, is_open, c, net, work[0], out)
    else:
        rhs_general(y, is_open, t, c, net, gen, gwork[0], out)


@_called
def time_derivative(y, is_open, t, c, net, work, out):
    """``d rhs / dt`` along the growing areas at ``t`` [mol/s^2]: fans and feeds do not
    change with time."""
    flow = work[0]
    link_flows_called(y, is_open, t, c, net, flow, work[1], work[2], _YES)
    scatter(flow, c, net, out)


@_called
def jacobian(y, is_open, t, c, net, work, jac):
    """``d rhs / d y`` of case ``c`` (:meth:`LeanModel.jacobian`), rows by columns."""
    link_flows_called(y, is_open, t, c, net, work[0], work[1], work[2], _NO)
    jacobian_of_slopes(is_open, c, net, work, jac)


@_called
def jacobian_of_slopes(is_open, c, net, work, jac):
    """:func:`jacobian` from the links' slopes that :func:`link_flows` left in ``work``."""
    rt_v, link_a, link_b = net[RT_V], net[LINK_A], net[LINK_B]
    fan_link, fan_a, fan_b = net[FAN_LINK], net[FAN_A], net[FAN_B]
    d_a, d_b = work[1], work[2]
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


@_inline
def pressure(y, m, c, rt_v):
    """Pressure of module ``m`` of case ``c`` [Pa], never negative, from ``Ru T / V``
    (``net[RT_V]``, taken out of the tuple by the caller, once)."""
    return max(y[m] * rt_v[c, m], 0.0)


@intrinsic
def _borrowed(typingctx, value):
    """``value`` (an array, a tuple of them, nested, or anything else, returned as it is) with
    every array's memory-information pointer null: views that numba does not count references
    to. Each array a compiled function takes out of a tuple, or passes on, counts a reference
    with an atomic increment and decrement, and the run's functions pass the station's tuples
    at every step: about half the time of a 4-module chain's step went to that count. A view
    is valid while its array lives; :func:`_integrate_range` borrows only the arrays its
    caller holds and its own scratch, which it keeps to its end. Anything else counted by
    reference (a list, a string) is refused when compiling: returned as it is, it would be
    released once too often."""
    if not _borrowable(value):
        return None
    sig = value(value)

    def codegen(context, builder, signature, args):
        return _borrow(context, builder, value, args[0])

    return sig, codegen


class TupleRef(types.Type):
    """The numba type of :func:`_ref`: a pointer to a tuple of type ``dtype`` on the stack of
    the function that made it, indexed with constants as the tuple is (``net[RT_V]``)."""

    def __init__(self, dtype):
        self.dtype = dtype
        super().__init__(name=f"TupleRef({dtype})")


register_model(TupleRef)(models.PointerModel)


@intrinsic
def _ref(typingctx, value):
    """A :class:`TupleRef` to a copy of the tuple ``value`` in the calling function's frame
    (None stays None), valid until that function returns.

    numba passes a tuple to a compiled function that is not inlined as its flattened members,
    each array as seven to nine words: the 4-module chain's step pushed several hundred words
    on the stack per call, about half its time (measured with ``perf``); a reference is one
    word. The tuple's arrays count no more references than the tuple did: pass
    :func:`_borrowed` ones, whose owners outlive the frame."""
    if isinstance(value, types.NoneType):
        return value(value), lambda context, builder, signature, args: args[0]
    if not isinstance(value, types.BaseTuple):
        return None

    def codegen(context, builder, signature, args):
        model = context.data_model_manager[value]
        # In the entry block: one slot per call site, however often a loop passes it.
        slot = cgutils.alloca_once(builder, model.get_data_type())
        builder.store(model.as_data(builder, args[0]), slot)
        return slot

    return TupleRef(value)(value), codegen


@infer
class _StaticGetItemRef(AbstractTemplate):
    """``ref[i]`` of a :class:`TupleRef` for a constant ``i``: the tuple's item ``i``."""

    key = "static_getitem"

    def generic(self, args, kws):
        ref, index = args
        # Indices from the end are refused: the lowering reads the slot of the index given.
        if isinstance(ref, TupleRef) and isinstance(index, int) and 0 <= index < len(ref.dtype):
            return signature(ref.dtype.types[index], *args)
        return None


@lower_builtin("static_getitem", TupleRef, types.IntegerLiteral)
def _static_getitem_ref(context, builder, sig, args):
    ref, index = args
    item = sig.args[0].dtype.types[index]
    slot = cgutils.gep_inbounds(builder, ref, 0, index)
    value = context.data_model_manager[item].load_from_data_pointer(builder, slot)
    return impl_ret_borrowed(context, builder, item, value)


def _borrowed_unless_none(first, value):
    """:func:`_borrowed` ``value``, or None where ``first`` is None: chosen by type when
    compiling, so that the variable it is given to has one type (an ``if`` on an argument
    would give it an optional type)."""


@overload(_borrowed_unless_none)
def _borrowed_unless_none_impl(first, value):
    if isinstance(first, types.NoneType):
        return lambda first, value: None
    return lambda first, value: _borrowed(value)


def _borrowable(typ):
    """Whether :func:`_borrowed` takes ``typ``: arrays, numbers, booleans and None, or tuples
    of them (nested)."""
    if isinstance(typ, types.BaseTuple):
        return all(_borrowable(item) for item in typ)
    return isinstance(typ, (types.Array, types.Number, types.Boolean, types.NoneType))


def _general_work_unless_none(flags, t0, molar_mass, link_a, y, src_module):
    """:func:`general_work` for a general station, None where ``flags`` is None (a lean one),
    chosen by type when compiling as :func:`_borrowed_unless_none` is."""


@overload(_general_work_unless_none)
def _general_work_unless_none_impl(flags, t0, molar_mass, link_a, y, src_module):
    if isinstance(flags, types.NoneType):
        return lambda flags, t0, molar_mass, link_a, y, src_module: None

    def impl(flags, t0, molar_mass, link_a, y, src_module):
        return general_work(
            t0.shape[1], molar_mass.shape[1], link_a.size, y.shape[1], src_module.size
        )

    return impl


def _borrow(context, builder, typ, value):
    """The LLVM value of :func:`_borrowed`: arrays with a null meminfo and parent."""
    if isinstance(typ, types.Array):
        src = context.make_array(typ)(context, builder, value)
        view = context.make_array(typ)(context, builder)
        for name in ("nitems", "itemsize", "data", "shape", "strides"):
            setattr(view, name, getattr(src, name))
        view.meminfo = cgutils.get_null_value(view.meminfo.type)
        view.parent = cgutils.get_null_value(view.parent.type)
        return view._getvalue()
    if isinstance(typ, types.BaseTuple):
        for i, item in enumerate(typ):
            part = _borrow(context, builder, item, builder.extract_value(value, i))
            value = builder.insert_value(value, part, i)
    return value


@_inline
def _copy(src, dst):
    """``dst[:] = src`` for vectors of one size, as a loop: numba's slice assignment checks
    the shapes and compiles the formatting of its error message, seconds of a cold start."""
    for i in range(dst.size):
        dst[i] = src[i]


# --------------------------------------------------------------------------------------------
# The general model's physics
#
# Any other station (:class:`~leaksim.core.model.GeneralModel`): several gases (the moles of
# each state species per module), an energy equation (the internal energy per module),
# regulated and fading sources, fans with their enthalpy, walls, back pressures carrying the
# module's initial gas. The state of module ``m`` is ``y[m k : (m + 1) k]``, ``k = S' + E``.
#
# Every function here takes real or complex states: numba compiles a complex128 copy for the
# complex-step Jacobian and time derivative (:mod:`leaksim.core.solver.jacobian`), so regimes
# compare real parts and no branch breaks complex step, as in the numpy code. Sums run in the
# order numpy's reductions take over the short last axis (sequentially), so the two paths
# round alike.
#
# ``g`` is a scratch tuple of the state's dtype (:func:`general_scratch`): each module's
# pressure, temperature, molar mass, heat capacity, mole fractions and total amount, then each
# link's flow, upstream enthalpy and composition, the fans' moles and energy, and a state and
# a derivative.
# --------------------------------------------------------------------------------------------

#: Flags of the station (int64): state species ``S'``, an energy equation (0/1), walls (0/1),
#: one temperature in an isothermal station (0/1), index of O2 and of CO2 among the species
#: (-1 for none), colour groups of the Jacobian.
GEN = 0
N_SPECIES, ENERGY, WALL, SAME_T, O2, CO2, N_GROUPS = 0, 1, 2, 3, 4, 5, 6
#: Molar mass [kg/mol] and heat capacity [J/(mol K)] of each state species, (C, S').
MOLAR_MASS, HEAT_CAPACITY = 1, 2
#: Initial mole fractions over the state species, (C, M, S').
X0 = 3
#: Initial (and isothermal) temperature [K] and volume [m^3] of each module, (C, M).
T0, VOLUME = 4, 5
#: A billionth of each case's largest initial module content [mol], (C,).
VACUUM_MOLES = 6
#: Molar mass and heat capacity of each module's initial gas, (C, M).
MM0, CP0 = 7, 8
#: ``C_d A`` of each link [m^2], (C, K).
CDA = 9
#: What each source watches (``FEED_*``, (J,)), its set point and band [Pa], (C, J), its
#: composition over the state species (C, J, S') and molar enthalpy [J/mol], (C, J).
SRC_WATCH, SRC_SETPOINT, SRC_BAND, SRC_X, SRC_H = 10, 11, 12, 13, 14
#: ``h_w A_w`` [W/K] and wall temperature [K] of each module, (C, M).
WALL_CONDUCTANCE, WALL_TEMPERATURE = 15, 16
#: Share of O2 and CO2 in each case's one (pseudo-)species, (C, 2).
SHARE = 17
#: Modules whose state enters each module's derivative (M, M) and the colour of each module
#: (M,) (:func:`~leaksim.core.solver.jacobian.colour_modules`).
NEIGHBOURS, COLOUR = 18, 19
#: Smallest magnitude of a complex-step perturbation, in state units, (C, F).
FLOOR = 20
#: What each threshold watches: the observed pressure, O2 or CO2 partial pressure (0, 1, 2),
#: (L,).
QUANTITY = 21

_RU = 8.314462618  # leaksim.core.gas.MOLAR_GAS_CONSTANT
# Complex steps: of the Jacobian (a fraction of the component), in t (a fraction of
# max(t, 1 s)) and of pressure rates (a fraction of the derivative).
_JAC_STEP, _TIME_STEP, _RATE_STEP = 1e-30, 1e-20, 1e-20
# The feed codes of leaksim.core.network.
_FEED_PRESSURE, _FEED_O2, _FADES_O2, _FADES_CO2, _FOLLOWS_CO2 = 1, 2, 3, 4, 5


@_called
def general_scratch(n_modules, n_species, n_links, size, like):
    """Scratch of :func:`rhs_general` in the dtype of ``like`` (real or complex)."""
    dtype = np.asarray(like).dtype
    return (
        np.empty(n_modules, dtype),
        np.empty(n_modules, dtype),
        np.empty(n_modules, dtype),
        np.empty(n_modules, dtype),
        np.empty((n_modules, n_species), dtype),
        np.empty(n_modules, dtype),
        np.empty(n_links, dtype),
        np.empty(n_links, dtype),
        np.empty((n_links, n_species), dtype),
        np.empty((n_modules, n_species), dtype),
        np.empty(n_modules, dtype),
        np.empty(size, dtype),
        np.empty(size, dtype),
    )


@_inline
def module_state(y, m, c, gen, x_row):
    """Pressure [Pa] (not clipped), temperature [K], molar mass [kg/mol], heat capacity
    [J/(mol K)] and total amount [mol] of module ``m``, its mole fractions left in ``x_row``
    with several species (:meth:`~leaksim.core.model.GeneralModel.thermo`)."""
    flags = gen[GEN]
    n_sp, energy = flags[N_SPECIES], flags[ENERGY]
    molar_mass, heat_capacity, x0 = gen[MOLAR_MASS], gen[HEAT_CAPACITY], gen[X0]
    t0, volume, vacuum_moles = gen[T0], gen[VOLUME], gen[VACUUM_MOLES]
    base = m * (n_sp + energy)
    raw_total = y[base]
    for s in range(1, n_sp):
        raw_total += y[base + s]
    if n_sp == 1:
        total = y[base] if y[base].real > 0.0 else 0.0 * y[base].real
        mm, cp = molar_mass[c, 0], heat_capacity[c, 0]
    else:
        total = y[base] if y[base].real > 0.0 else 0.0 * y[base].real
        for s in range(1, n_sp):
            v = y[base + s]
            total += v if v.real > 0.0 else 0.0 * v.real
        positive = total.real > 0.0
        mm = 0.0 * total
        cp = 0.0 * total
        for s in range(n_sp):
            v = y[base + s]
            moles = v if v.real > 0.0 else 0.0 * v.real
            xs = moles / total if positive else x0[c, m, s] + 0.0 * total
            x_row[s] = xs
            mm = xs * molar_mass[c, s] if s == 0 else mm + xs * molar_mass[c, s]
            cp = xs * heat_capacity[c, s] if s == 0 else cp + xs * heat_capacity[c, s]
    cv = cp - _RU
    if energy:
        u = y[base + n_sp]
        if total.real > 0.0 and u.real > 0.0:
            temperature = u / (total * cv)
        else:
            temperature = t0[c, m] + 0.0 * u
        # The fade of GeneralModel.thermo: N / (N + 1e-5 N_vac).
        fade = total / (total + 1e-5 * vacuum_moles[c])
        p = u * _RU / (cv * volume[c, m]) * fade
    else:
        temperature = t0[c, m] + 0.0 * raw_total
        p = raw_total * _RU * t0[c, m] / volume[c, m]
    return p, temperature, mm, cp, raw_total


@_inline
def fractions(m, c, gen, x_row):
    """Mole fractions of O2 and CO2 in module ``m`` now [-], from ``x_row`` as
    :func:`module_state` left it (:meth:`~leaksim.core.model.GeneralModel._fraction`)."""
    flags, share = gen[GEN], gen[SHARE]
    if flags[N_SPECIES] == 1:  # one gas per case: its fixed shares
        return share[c, 0], share[c, 1]
    o2, co2 = flags[O2], flags[CO2]
    return (x_row[o2] if o2 >= 0 else 0.0), (x_row[co2] if co2 >= 0 else 0.0)


@_inline
def observe(y, m, c, gen, x_row):
    """Pressure [Pa], temperature [K], O2 and CO2 partial pressures [Pa] of module ``m`` of a
    real state, the pressure never negative (:meth:`~leaksim.core.model.GeneralModel.observe`)."""
    p, temperature, _, _, _ = module_state(y, m, c, gen, x_row)
    p = max(p, 0.0)
    o2, co2 = fractions(m, c, gen, x_row)
    return p, temperature, p * o2, p * co2


@_inline
def regulator_opening(x):
    """:func:`leaksim.core.model.regulator_opening` of one scaled error ``x`` [-]."""
    if x.real >= 1.0:
        return 1.0 + 0.0 * x
    if x.real <= -1.0:
        return 0.0 * x
    # x * x * x, not x**3: numba raises a complex number to a power through exp(3 log x),
    # whose imaginary part the rounding of arg(x) ~ pi spoils for x < 0 (complex step).
    return 0.5 + 0.75 * x - 0.25 * (x * x * x)


@_inline
def feed_factor(code, p, o2, co2, setpoint, band):
    """The factor of a source's feed on its module's state: pressure ``p`` [Pa] and O2 and
    CO2 fractions [-] (:meth:`~leaksim.core.model.GeneralModel.source_feed`)."""
    if code == _FEED_PRESSURE:
        return regulator_opening((setpoint - p) / band)
    if code == _FEED_O2:
        return regulator_opening((setpoint - p * o2) / band)
    if code == _FADES_O2:
        return regulator_opening((p * o2 - setpoint) / band)
    if code == _FADES_CO2:
        return regulator_opening((p * co2 - setpoint) / band)
    return p * co2 / setpoint  # _FOLLOWS_CO2


@_inline
def choked_psi(gamma):
    """``psi*`` of a gas (:func:`leaksim.core.flow.choked_flow_function`)."""
    return np.sqrt(gamma * (2.0 / (gamma + 1.0)) ** ((gamma + 1.0) / (gamma - 1.0)))


@_inline
def flow_function(p_u, p_d, delta, r_star, coefficient, exponent_1, exponent_2):
    """``Psi(max(r, r*))`` times the regularisation factor of one link, ``p_u >= p_d``, real or
    complex (:func:`leaksim.core.flow.regularised_flow_function`, whose notes give the law)."""
    dp = p_u - p_d
    positive = p_u.real > 0.0
    q = dp / p_u if positive else 0.0 * dp
    if q.real < 0.0:
        q = 0.0 * q
    r = 1.0 - q
    choked = r.real <= r_star.real
    small = abs(q) < 1e-6
    q_safe = 0.5 + 0.0 * q if (small or choked) else q
    if small:
        g = exponent_2 + 0.5 * exponent_2 * (1.0 - exponent_2) * q
    else:
        g = -np.expm1(exponent_2 * np.log1p(-q_safe)) / q_safe
    r_safe = 1.0 + 0.0 * r if choked else r
    root = np.sqrt(coefficient * np.exp(exponent_1 * np.log(r_safe)) * g)
    regularised = delta > 0.0
    if regularised:
        scale = np.sqrt(p_u if positive else 1.0 + 0.0 * p_u) / (dp * dp + delta * delta) ** 0.25
        subsonic = q * scale * root
    else:
        subsonic = np.sqrt(q) * root
    if not positive:
        return 0.0
    if not choked:
        return subsonic
    psi_star = np.sqrt(
        coefficient * np.exp(exponent_1 * np.log(r_star)) * (1.0 - r_star**exponent_2)
    )
    # regularisation_factor(dp, delta)
    dp2 = dp * dp
    denominator = dp2 + delta * delta
    ratio = dp2 / denominator if denominator.real > 0.0 else 1.0 + 0.0 * dp2
    return psi_star * np.sqrt(np.sqrt(ratio))


@_inline
def growth_weight(knots, areas, nominal, t):
    """Area of a growing link at ``t`` (real or complex) over its nominal area
    (:meth:`~leaksim.core.model.GeneralModel._growth_factor`): the segment chosen by the real
    part of ``t``, taken forward at a knot."""
    count = 0
    for i in range(knots.size):
        if knots[i] <= t.real:
            count += 1
    segment = min(max(count - 1, 0), knots.size - 2)
    t0, t1 = knots[segment], knots[segment + 1]
    a0, a1 = areas[segment], areas[segment + 1]
    span = t1 - t0 if t1 > t0 else 1.0
    if t.real < t0:
        weight = 0.0 * t
    elif t.real >= t1:
        weight = 1.0 + 0.0 * t
    else:
        weight = (t - t0) / span
    area = a0 + (a1 - a0) * weight
    return area / nominal if nominal > 0.0 else 0.0 * area


@_called
def rhs_general(y, is_open, t, c, net, gen, g, out):
    """``dy/dt`` of case ``c`` at ``t`` (:meth:`~leaksim.core.model.GeneralModel.rhs`): the
    moles of each species and the energy of each module [mol/s], [W]."""
    flags = gen[GEN]
    n_sp, energy, same_t = flags[N_SPECIES], flags[ENERGY], flags[SAME_T]
    link_a, link_b, vacuum, boundary_p = net[LINK_A], net[LINK_B], net[VACUUM], net[BOUNDARY_P]
    delta, consts, cda = net[DELTA], net[CONSTS], gen[CDA]
    molar_mass, heat_capacity, x0, t0 = gen[MOLAR_MASS], gen[HEAT_CAPACITY], gen[X0], gen[T0]
    mm0, cp0 = gen[MM0], gen[CP0]
    growth_of_link, growth_time, growth_area = (
        net[GROWTH_OF_LINK],
        net[GROWTH_TIME],
        net[GROWTH_AREA],
    )
    nominal = net[NOMINAL_AREA]
    fan_link, fan_a, fan_b = net[FAN_LINK], net[FAN_A], net[FAN_B]
    src_module, src_flow, src_watch = net[SRC_MODULE], net[SRC_FLOW], gen[SRC_WATCH]
    src_setpoint, src_band, src_x, src_h = (
        gen[SRC_SETPOINT],
        gen[SRC_BAND],
        gen[SRC_X],
        gen[SRC_H],
    )
    wall_conductance, wall_temperature, vacuum_moles = (
        gen[WALL_CONDUCTANCE],
        gen[WALL_TEMPERATURE],
        gen[VACUUM_MOLES],
    )
    p, temp, mm, cp, x, raw_total = g[0], g[1], g[2], g[3], g[4], g[5]
    flow, h_up, x_up, d_fans, e_fans = g[6], g[7], g[8], g[9], g[10]
    k = n_sp + energy
    n_modules, n_links = t0.shape[1], link_a.size
    for m in range(n_modules):
        p[m], temp[m], mm[m], cp[m], raw_total[m] = module_state(y, m, c, gen, x[m])
    # Each link's flow from side a to side b (GeneralModel.link_molar_flow).
    for kk in range(n_links):
        a, b = link_a[kk], link_b[kk]
        if b < 0:
            # A back pressure holds the module's initial gas at its initial temperature.
            p_b, t_b = boundary_p[c, kk] + 0.0 * p[a], t0[c, a] + 0.0 * temp[a]
            mm_b, cp_b = mm0[c, a] + 0.0 * mm[a], cp0[c, a] + 0.0 * cp[a]
        else:
            p_b, t_b, mm_b, cp_b = p[b], temp[b], mm[b], cp[b]
        p_a = p[a]
        dp = p_a - p_b
        forward = p_a.real >= p_b.real or vacuum[kk]
        d = delta[c, kk]
        w = (1.0 if forward else 0.0) + 0.0 * dp
        if same_t and n_sp == 1:
            t_u = temp[a]  # both sides alike: nothing to blend
        else:
            if d > 0.0:
                # The smooth upstream blend: exactly upstream for |dp| >> delta.
                w = 0.5 * (1.0 + dp / np.sqrt(dp * dp + d * d))
            t_u = w * temp[a] + (1.0 - w) * t_b
        if n_sp == 1:
            mm_u, cp_u = molar_mass[c, 0] + 0.0 * w, heat_capacity[c, 0] + 0.0 * w
            gamma = cp_u
        else:
            mm_u = w * mm[a] + (1.0 - w) * mm_b
            cp_u = w * cp[a] + (1.0 - w) * cp_b
            gamma = cp_u / (cp_u - _RU)
        p_u = p_a if forward else p_b
        p_d = p_b if forward else p_a
        flux = p_u * np.sqrt(1.0 / (mm_u * _RU * t_u))
        if vacuum[kk]:
            factor = (consts[c, 4] + 0.0 * gamma) if n_sp == 1 else choked_psi(gamma)
        elif n_sp == 1:
            factor = flow_function(
                p_u, p_d, d, consts[c, 0], consts[c, 1], consts[c, 2], consts[c, 3]
            )
        else:
            # flow_function_constants(gamma) of the blended upstream gas.
            r_star = (2.0 / (gamma + 1.0)) ** (gamma / (gamma - 1.0))
            factor = flow_function(
                p_u,
                p_d,
                d,
                r_star,
                2.0 * gamma / (gamma - 1.0),
                2.0 / gamma,
                (gamma - 1.0) / gamma,
            )
        flux = flux * factor
        conductance = cda[c, kk] * (1.0 if is_open[kk] else 0.0)
        grow = growth_of_link[kk]
        if grow >= 0:
            conductance = conductance * growth_weight(
                growth_time[c, grow], growth_area[c, grow], nominal[c, kk], t
            )
        flow[kk] = conductance * flux if forward else -conductance * flux
        # What the flow carries is the side's it leaves, exactly.
        if energy:
            cp_a_side = cp_u if n_sp == 1 else cp[a]
            cp_b_side = cp_u if n_sp == 1 else cp_b
            h_up[kk] = cp_a_side * temp[a] if forward else cp_b_side * t_b
        if n_sp > 1:
            for s in range(n_sp):
                if forward:
                    x_up[kk, s] = x[a, s]
                elif b < 0:
                    x_up[kk, s] = x0[c, a, s]
                else:
                    x_up[kk, s] = x[b, s]
    # Summed into the modules, link by link: out of a, into b.
    out[:] = 0.0
    for kk in range(n_links):
        a, b = link_a[kk], link_b[kk]
        for s in range(n_sp):
            species_flow = flow[kk] if n_sp == 1 else flow[kk] * x_up[kk, s]
            out[a * k + s] -= species_flow
            if b >= 0:
                out[b * k + s] += species_flow
    if energy:
        for kk in range(n_links):
            a, b = link_a[kk], link_b[kk]
            heat = flow[kk] * h_up[kk]
            out[a * k + n_sp] -= heat
            if b >= 0:
                out[b * k + n_sp] += heat
    # Sources: constant, regulated or fading with their module's state.
    for j in range(src_module.size):
        m = src_module[j]
        feed = src_flow[c, j] * (1.0 if is_open[n_links + j] else 0.0) + 0.0 * p[m]
        if src_watch[j] != 0:
            o2, co2 = fractions(m, c, gen, x[m])
            feed = feed * feed_factor(
                src_watch[j], p[m], o2, co2, src_setpoint[c, j], src_band[c, j]
            )
        for s in range(n_sp):
            out[m * k + s] += feed * src_x[c, j, s]
        if energy:
            out[m * k + n_sp] += feed * src_h[c, j]
    # Fans (GeneralModel._exchange): each side sends Q of its own air with its enthalpy.
    if fan_link.size:
        d_fans[:, :] = 0.0
        e_fans[:] = 0.0
        for i in range(fan_link.size):
            kk = fan_link[i]
            a, b = link_a[kk], link_b[kk]
            on = 1.0 if is_open[kk] else 0.0
            q_a, q_b = on * fan_a[c, i], on * fan_b[c, i]
            for s in range(n_sp):
                into_a = q_b * y[b * k + s] - q_a * y[a * k + s]
                d_fans[a, s] += into_a
                d_fans[b, s] -= into_a
            if energy:
                heat = q_b * (raw_total[b] * cp[b] * temp[b]) - q_a * (
                    raw_total[a] * cp[a] * temp[a]
                )
                e_fans[a] += heat
                e_fans[b] -= heat
        for m in range(n_modules):
            for s in range(n_sp):
                out[m * k + s] += d_fans[m, s]
            if energy:
                out[m * k + n_sp] += e_fans[m]
    if flags[WALL]:
        # GeneralModel._wall_heat_flow, faded by N / (N + N_vac) as a module empties.
        for m in range(n_modules):
            total = raw_total[m] if raw_total[m].real > 0.0 else 0.0 * raw_total[m]
            fade = total / (total + vacuum_moles[c])
            heat = wall_conductance[c, m] * (wall_temperature[c, m] - temp[m]) * fade
            out[m * k + n_sp] += heat


@_called
def jacobian_general(y, is_open, t, c, net, gen, gwork, jac):
    """``d rhs / d y`` of case ``c`` by complex step, a colour group of modules at a time
    (:class:`~leaksim.core.solver.jacobian.Jacobian`)."""
    flags = gen[GEN]
    k = flags[N_SPECIES] + flags[ENERGY]
    neighbours, colour, floor = gen[NEIGHBOURS], gen[COLOUR], gen[FLOOR]
    gc = gwork[1]
    steps = gwork[2]
    y_c, f_c = gc[11], gc[12]
    n_modules = colour.size
    t_c = t + 0j
    jac[:, :] = 0.0
    for group in range(flags[N_GROUPS]):
        for comp in range(k):
            for i in range(y.size):
                y_c[i] = y[i] + 0j
            for m in range(n_modules):
                if colour[m] == group:
                    col = m * k + comp
                    step = _JAC_STEP * max(abs(y[col]), floor[c, col])
                    steps[m] = step
                    y_c[col] = y[col] + 1j * step
            rhs_general(y_c, is_open, t_c, c, net, gen, gc, f_c)
            for m in range(n_modules):
                if colour[m] != group:
                    continue
                col = m * k + comp
                for row_module in range(n_modules):
                    if neighbours[m, row_module]:
                        for r in range(row_module * k, (row_module + 1) * k):
                            jac[r, col] = f_c[r].imag / steps[m]


@_called
def time_derivative_general(y, is_open, t, c, net, gen, gwork, out):
    """``d rhs / dt`` along the growing areas by complex step in ``t``."""
    gc = gwork[1]
    y_c, f_c = gc[11], gc[12]
    step = _TIME_STEP * max(t, 1.0)
    for i in range(y.size):
        y_c[i] = y[i] + 0j
    rhs_general(y_c, is_open, t + 1j * step, c, net, gen, gc, f_c)
    for i in range(y.size):
        out[i] = f_c[i].imag / step


@_called
def pressure_rate(y, f, m, c, gen, gwork):
    """``dp/dt`` of module ``m`` along the derivative ``f`` [Pa/s], by complex step
    (:meth:`~leaksim.core.solver.triggers.Triggers.pressure_rate`)."""
    gc = gwork[1]
    y_c, x_row = gc[11], gc[4][0]
    flags = gen[GEN]
    k = flags[N_SPECIES] + flags[ENERGY]
    for i in range(m * k, (m + 1) * k):
        y_c[i] = y[i] + 1j * _RATE_STEP * f[i]
    p = module_state(y_c, m, c, gen, x_row)[0]
    return p.imag / _RATE_STEP


@_called
def observed_pressure(y, m, c, gen, x_row):
    """Pressure of module ``m`` of the general model [Pa], never negative."""
    return observe(y, m, c, gen, x_row)[0]


@_called
def observed_value(y, m, c, gen, x_row, quantity):
    """Pressure, O2 or CO2 partial pressure (``quantity`` 0, 1, 2) of module ``m`` of the
    general model [Pa]."""
    p, _, o2, co2 = observe(y, m, c, gen, x_row)
    return p if quantity == 0 else (o2 if quantity == 1 else co2)


@_called
def feeds(y, is_open, c, net, gen, gwork, out):
    """Molar feed of every source of the general model [mol/s]
    (:meth:`~leaksim.core.model.GeneralModel.source_feed`)."""
    src_module, src_flow, src_watch = net[SRC_MODULE], net[SRC_FLOW], gen[SRC_WATCH]
    src_setpoint, src_band = gen[SRC_SETPOINT], gen[SRC_BAND]
    n_links = net[LINK_A].size
    x_row = gwork[3]
    for j in range(src_module.size):
        feed = src_flow[c, j] * (1.0 if is_open[n_links + j] else 0.0)
        if src_watch[j] != 0:
            m = src_module[j]
            p = module_state(y, m, c, gen, x_row)[0]
            o2, co2 = fractions(m, c, gen, x_row)
            feed = feed * feed_factor(src_watch[j], p, o2, co2, src_setpoint[c, j], src_band[c, j])
        out[j] = feed


# --------------------------------------------------------------------------------------------
# One Rosenbrock step and its control
#
# One Rosenbrock step of one case, and its control: the compiled counterparts of
# :mod:`~leaksim.core.solver.rosenbrock`, :mod:`~leaksim.core.linalg`,
# :mod:`~leaksim.core.solver.controller` and :mod:`~leaksim.core.solver.dense`.
#
# ``tab`` is ``(gamma, a, c, h1, h2, stage_time, d)`` of the tableau
# (:data:`~leaksim.core.solver.tableau.RODAS4`), ``a`` and ``c`` zero-padded to squares.
# ``work`` is a thread's scratch (:func:`leaksim.core.solver.kernel.loop.scratch`).
# --------------------------------------------------------------------------------------------

# The step controller's constants (controller.StepController; written here, not imported, as
# a compiled function caches the constants it reads: tests/test_kernel.py compares them).
_SAFETY, _MIN_FACTOR, _MAX_FACTOR, _NON_FINITE_FACTOR = 0.9, 0.2, 6.0, 0.25
_REPEAT_FACTOR = 0.1


@_called
def lu_factor(w, perm, inverse_pivot):
    """LU with partial pivoting of ``w`` in place (:func:`leaksim.core.linalg.lu_factor`), and
    the reciprocals of ``U``'s diagonal, which the solves multiply by."""
    size = w.shape[0]
    for i in range(size):
        perm[i] = i
    for k in range(size - 1):
        pivot = k
        for i in range(k + 1, size):
            if abs(w[i, k]) > abs(w[pivot, k]):
                pivot = i
        if pivot != k:
            for j in range(size):
                w[k, j], w[pivot, j] = w[pivot, j], w[k, j]
            perm[k], perm[pivot] = perm[pivot], perm[k]
        for i in range(k + 1, size):
            factor = w[i, k] / w[k, k]
            w[i, k] = factor
            for j in range(k + 1, size):
                w[i, j] -= factor * w[k, j]
    for i in range(size):
        inverse_pivot[i] = 1.0 / w[i, i]


@_inline
def lu_solve(lu, perm, inverse_pivot, b, x):
    """Solve from :func:`lu_factor`'s output, row by row with each sum in a register, its
    terms in the order of the batched solve's columns (the same bits): numba cannot tell ``x``
    from ``lu``, so a column-oriented update stores and reloads ``x`` at every term."""
    size = lu.shape[0]
    for i in range(size):
        acc = b[perm[i]]
        for j in range(i):
            acc -= lu[i, j] * x[j]
        x[i] = acc
    for i in range(size - 1, -1, -1):
        acc = x[i]
        for j in range(size - 1, i, -1):
            acc -= lu[i, j] * x[j]
        x[i] = acc * inverse_pivot[i]


# The step is written twice, once per model, the same lines but for the three calls of the
# model: its parts shared as inlined functions made the lean step twice as slow (measured,
# numba 0.68). tests/test_kernel.py holds both to the batched loop.


@_called
def rosenbrock_step(
    y0, f0, t0, h, is_open, growing, fresh, c, net, gen, tab, work, gwork, u, y1, k1, k2
):
    """One RODAS4 step of case ``c``
    (:func:`~leaksim.core.solver.rosenbrock.rosenbrock_step`): ``y1`` and the dense
    coefficients ``k1``, ``k2``; the error estimate is left in ``u[last]``. With ``growing``
    areas the stages are taken at their times and carry ``df/dt``. With ``fresh`` the
    Jacobian in ``work[8]`` is already the one at ``(t0, y0)`` and is used as it is. The lean
    model's right-hand side is inlined; the general model's (``gen`` not None) is called."""
    if gen is not None:
        _step_general(
            y0, f0, t0, h, is_open, growing, fresh, c, net, gen, tab, work, gwork, u, y1, k1, k2
        )
        return
    gamma, a, cc, h1, h2, stage_time, d = tab[0], tab[1], tab[2], tab[3], tab[4], tab[5], tab[6]
    size = y0.size
    n_stages = h1.size + 1
    last = n_stages - 1
    w, perm, y_stage, rhs_stage, f_stage = work[3], work[4], work[5], work[6], work[7]
    jac, f_t = work[8], work[11]
    if not fresh:
        jacobian(y0, is_open, t0, c, net, work, jac)
    for i in range(size):
        for j in range(size):
            w[i, j] = -jac[i, j]
        w[i, i] += 1.0 / (h * gamma)
    lu_factor(w, perm, work[15])
    _copy(f0, rhs_stage)
    if growing:
        time_derivative(y0, is_open, t0, c, net, work, f_t)
        for i in range(size):
            rhs_stage[i] = f0[i] + (h * d[0]) * f_t[i]
    _copy(y0, y_stage)
    for stage in range(n_stages):
        if stage > 0:
            if stage < last:
                for i in range(size):
                    acc = 0.0
                    for j in range(stage):
                        acc += a[stage - 1, j] * u[j, i]
                    y_stage[i] = y0[i] + acc
            else:
                # Stiff accuracy: the last stage is at Y_{s-1} + u_{s-1}.
                for i in range(size):
                    y_stage[i] += u[stage - 1, i]
            rhs(y_stage, is_open, t0 + stage_time[stage] * h, c, net, work, f_stage)
            for i in range(size):
                acc = 0.0
                for j in range(stage):
                    acc += (cc[stage - 1, j] / h) * u[j, i]
                rhs_stage[i] = f_stage[i] + acc
                if growing and d[stage] != 0.0:
                    rhs_stage[i] += (h * d[stage]) * f_t[i]
        lu_solve(w, perm, work[15], rhs_stage, u[stage])
    for i in range(size):
        y1[i] = y_stage[i] + u[last, i]
        acc1 = 0.0
        acc2 = 0.0
        for j in range(last):
            acc1 += h1[j] * u[j, i]
            acc2 += h2[j] * u[j, i]
        k1[i] = acc1
        k2[i] = acc2


@_called
def _step_general(
    y0, f0, t0, h, is_open, growing, fresh, c, net, gen, tab, work, gwork, u, y1, k1, k2
):
    """:func:`rosenbrock_step` of the general model (its Jacobian by complex step)."""
    gamma, a, cc, h1, h2, stage_time, d = tab[0], tab[1], tab[2], tab[3], tab[4], tab[5], tab[6]
    size = y0.size
    n_stages = h1.size + 1
    last = n_stages - 1
    w, perm, y_stage, rhs_stage, f_stage = work[3], work[4], work[5], work[6], work[7]
    jac, f_t = work[8], work[11]
    if not fresh:
        jacobian_general(y0, is_open, t0, c, net, gen, gwork, jac)
    for i in range(size):
        for j in range(size):
            w[i, j] = -jac[i, j]
        w[i, i] += 1.0 / (h * gamma)
    lu_factor(w, perm, work[15])
    _copy(f0, rhs_stage)
    if growing:
        time_derivative_general(y0, is_open, t0, c, net, gen, gwork, f_t)
        for i in range(size):
            rhs_stage[i] = f0[i] + (h * d[0]) * f_t[i]
    _copy(y0, y_stage)
    for stage in range(n_stages):
        if stage > 0:
            if stage < last:
                for i in range(size):
                    acc = 0.0
                    for j in range(stage):
                        acc += a[stage - 1, j] * u[j, i]
                    y_stage[i] = y0[i] + acc
            else:
                # Stiff accuracy: the last stage is at Y_{s-1} + u_{s-1}.
                for i in range(size):
                    y_stage[i] += u[stage - 1, i]
            rhs_general(
                y_stage, is_open, t0 + stage_time[stage] * h, c, net, gen, gwork[0], f_stage
            )
            for i in range(size):
                acc = 0.0
                for j in range(stage):
                    acc += (cc[stage - 1, j] / h) * u[j, i]
                rhs_stage[i] = f_stage[i] + acc
                if growing and d[stage] != 0.0:
                    rhs_stage[i] += (h * d[stage]) * f_t[i]
        lu_solve(w, perm, work[15], rhs_stage, u[stage])
    for i in range(size):
        y1[i] = y_stage[i] + u[last, i]
        acc1 = 0.0
        acc2 = 0.0
        for j in range(last):
            acc1 += h1[j] * u[j, i]
            acc2 += h2[j] * u[j, i]
        k1[i] = acc1
        k2[i] = acc2


@_inline
def error_norm(err, y0, y1, atol, rtol):
    """Scaled RMS norm of the error (:func:`~leaksim.core.solver.controller.error_norm`)."""
    total = 0.0
    for i in range(err.size):
        scale = atol[i] + rtol * max(abs(y0[i]), abs(y1[i]))
        total += (err[i] / scale) ** 2
    return math.sqrt(total / err.size)


@_inline
def step_factor(err, accept, exponent, in_row):
    """Next step over this step (:meth:`~leaksim.core.solver.controller.StepController.factor`),
    ``in_row`` the rejections in a row before this step."""
    if not math.isfinite(err):
        return _NON_FINITE_FACTOR
    if err == 0.0:
        ideal = _MAX_FACTOR
    elif exponent == -0.25:  # RODAS4's: two roots, not a power (the controller's _power)
        ideal = _SAFETY * (1.0 / math.sqrt(math.sqrt(err)))
    else:
        ideal = _SAFETY * err**exponent
    factor = min(max(ideal, _MIN_FACTOR), _MAX_FACTOR)
    if accept:
        return factor
    return min(factor, _REPEAT_FACTOR if in_row >= 1 else 1.0)


@_called
def initial_step(y, f, atol, rtol, span):
    """First step [s] (:func:`~leaksim.core.solver.controller.initial_step`)."""
    d0 = 0.0
    d1 = 0.0
    for i in range(y.size):
        scale = atol[i] + rtol * abs(y[i])
        d0 += (y[i] / scale) ** 2
        d1 += (f[i] / scale) ** 2
    d0 = math.sqrt(d0 / y.size)
    d1 = math.sqrt(d1 / y.size)
    h = 0.01 * d0 / d1 if (d0 > 1e-5 and d1 > 1e-5) else 1e-6 * span
    return min(h, span)


@_called
def dense_state(y0, y1, k1, k2, theta, out):
    """The state at the fraction ``theta`` of a step
    (:class:`~leaksim.core.solver.dense.DenseOutput`)."""
    for i in range(y0.size):
        out[i] = (1 - theta) * y0[i] + theta * (y1[i] + (1 - theta) * (k1[i] + theta * k2[i]))


@_inline
def pressure_at(y0, y1, k1, k2, rt_v, m, theta):
    """Pressure of module ``m`` at the fraction ``theta`` of a step, never negative
    (:func:`~leaksim.core.solver.dense.pressure_at`)."""
    c0 = y0[m] * rt_v
    c1 = (y1[m] - y0[m] + k1[m]) * rt_v
    c2 = (k2[m] - k1[m]) * rt_v
    c3 = -k2[m] * rt_v
    return max(((c3 * theta + c2) * theta + c1) * theta + c0, 0.0)


# --------------------------------------------------------------------------------------------
# Scheduled events and triggers
#
# Scheduled events and triggers of one case: the compiled counterparts of
# :class:`~leaksim.core.solver.events.EventSchedule` and
# :class:`~leaksim.core.solver.triggers.Triggers`.
#
# ``sched`` is ``(time (C, E), target (E,), opens (E,), done (C, E), last (C, E))`` (``last``:
# when each event last happened); ``trig`` is
# ``(module (I,), rate (I,), sign (I,), level (C, I), delay (C, I), event (I,), fired (C, I),
# fired_at (C, I), rate_now (C, M), rearms (I,))``: what each trigger watches, its signed
# level, what it schedules, its state, and the trigger it re-arms when it fires (``rate_now`` is
# each module's pressure rate at the start of the next step, kept where a trigger watches a
# rate).
# --------------------------------------------------------------------------------------------

#: Halvings of a bracket, as :data:`~leaksim.core.solver.BISECTIONS`.
BISECTIONS = 34


@_called
def apply_due(c, t, is_open, sched):
    """Switch what the events due by ``t`` switch, in event order; whether any happened."""
    ev_time, ev_target, ev_opens, done, last = sched[0], sched[1], sched[2], sched[3], sched[4]
    happened = False
    for e in range(ev_target.size):
        if not done[c, e] and ev_time[c, e] <= t:
            is_open[ev_target[e]] = ev_opens[e]
            done[c, e] = True
            last[c, e] = ev_time[c, e]
            happened = True
    return happened


@_called
def next_stop(c, t, sched, net):
    """Time of case ``c``'s next event not yet happened, or knot of a growing area after
    ``t`` [s]; inf if none."""
    ev_time, done = sched[0], sched[3]
    nxt = np.inf
    for e in range(ev_time.shape[1]):
        if not done[c, e] and ev_time[c, e] < nxt:
            nxt = ev_time[c, e]
    knots = net[BREAKPOINTS][c]
    after = t + 1e-12 * max(abs(t), 1.0)
    for i in range(knots.size):
        if knots[i] > after and knots[i] < nxt:
            nxt = knots[i]
    return nxt


@_called
def _value_general(i, y, f, c, gen, trig, gwork):
    """:func:`_value` for the general model: the rate by complex step."""
    module, watches_rate, sign = trig[0], trig[1], trig[2]
    m = module[i]
    if watches_rate[i]:
        return sign[i] * pressure_rate(y, f, m, c, gen, gwork)
    return sign[i] * observed_pressure(y, m, c, gen, gwork[3])


@_called
def _value(i, y, f, c, net, trig):
    """``sign * value`` of trigger ``i``: its module's pressure [Pa] or, for a rate trigger,
    ``dp/dt = (Ru T / V) dN/dt`` [Pa/s] from the derivative ``f``."""
    module, watches_rate, sign = trig[0], trig[1], trig[2]
    m = module[i]
    rt_v = net[RT_V]
    if watches_rate[i]:
        return sign[i] * f[m] * rt_v[c, m]
    return sign[i] * pressure(y, m, c, rt_v)


@_called
def _schedule(i, c, t_fire, sched, trig):
    """Mark trigger ``i`` fired at ``t_fire`` [s] and set its event's time, the delay later."""
    delay, event, fired, fired_at, rearms = trig[4], trig[5], trig[6], trig[7], trig[9]
    fired[c, i] = True
    fired_at[c, i] = t_fire
    sched[0][c, event[i]] = t_fire + delay[c, i]
    partner = rearms[i]
    if partner >= 0:
        # The other trigger of the pair watches again, and its event may happen again.
        fired[c, partner] = False
        sched[3][c, event[partner]] = False
        sched[0][c, event[partner]] = np.inf


@_called
def fire_satisfied(y, f, t, c, net, gen, sched, trig, gwork):
    """Keep the pressure rates of ``y`` (derivative ``f``) and fire at ``t`` the triggers whose
    condition holds (:meth:`~leaksim.core.solver.triggers.Triggers.fire_satisfied`)."""
    level, fired, rate_now = trig[3], trig[6], trig[8]
    if gen is None:
        rt_v = net[RT_V]
        for m in range(y.size):
            rate_now[c, m] = f[m] * rt_v[c, m]
    elif np.any(trig[1]):
        for m in range(rate_now.shape[1]):
            rate_now[c, m] = pressure_rate(y, f, m, c, gen, gwork)
    any_fired = False
    for i in range(trig[0].size):
        if fired[c, i]:
            continue
        if gen is None:
            value = _value(i, y, f, c, net, trig)
        else:
            value = _value_general(i, y, f, c, gen, trig, gwork)
        if value <= level[c, i]:
            _schedule(i, c, t, sched, trig)
            any_fired = True
    return any_fired


@_called
def _bisect(i, y0, y1, k1, k2, t0, h, is_open, c, net, gen, trig, work, gwork):
    """Fraction of the step at which trigger ``i`` first holds, by bisection [-]."""
    level = trig[3][c, i]
    y_mid, f_mid = work[5], work[7]
    lo, hi = 0.0, 1.0
    for _ in range(BISECTIONS):
        mid = 0.5 * (lo + hi)
        dense_state(y0, y1, k1, k2, mid, y_mid)
        if trig[1][i]:
            rhs_called(y_mid, is_open, t0 + mid * h, c, net, gen, work, gwork, f_mid)
        if gen is None:
            value = _value(i, y_mid, f_mid, c, net, trig)
        else:
            value = _value_general(i, y_mid, f_mid, c, gen, trig, gwork)
        if value <= level:
            hi = mid
        else:
            lo = mid
    return hi


@_called
def crossings(y0, y1, k1, k2, t0, h, t1, is_open, c, net, gen, trig, work, gwork, hit, theta):
    """Which triggers not fired yet were crossed in the step (``hit``), and the fraction of
    the step at which each first holds, 1 elsewhere, for a step ending at ``t1``
    (:meth:`~leaksim.core.solver.triggers.Triggers.crossings`); whether any was."""
    module, watches_rate, sign, level, fired, rate_now = (
        trig[0],
        trig[1],
        trig[2],
        trig[3],
        trig[6],
        trig[8],
    )
    f1 = work[12]
    if np.any(watches_rate):
        rhs_called(y1, is_open, t1, c, net, gen, work, gwork, f1)
    crossed = False
    for i in range(module.size):
        theta[i] = 1.0
        hit[i] = False
        if fired[c, i]:
            continue
        m = module[i]
        if gen is None:
            before = sign[i] * (
                rate_now[c, m] if watches_rate[i] else pressure(y0, m, c, net[RT_V])
            )
            after = _value(i, y1, f1, c, net, trig)
        else:
            if watches_rate[i]:
                before = sign[i] * rate_now[c, m]
            else:
                before = sign[i] * observed_pressure(y0, m, c, gen, gwork[3])
            after = _value_general(i, y1, f1, c, gen, trig, gwork)
        if before - level[c, i] > 0.0 and after - level[c, i] <= 0.0:
            theta[i] = _bisect(i, y0, y1, k1, k2, t0, h, is_open, c, net, gen, trig, work, gwork)
            hit[i] = True
            crossed = True
    return crossed


@_called
def fire_crossed(hit, theta, t0, h, t1, c, sched, trig):
    """Fire the crossed triggers that cross before the first event they make due inside the
    step; return where the step must end [s]: at that event, or at ``t1``
    (:meth:`~leaksim.core.solver.triggers.Triggers.fire_crossed`)."""
    delay = trig[4]
    cut = t1
    for i in range(theta.size):
        if hit[i]:
            cut = min(cut, t0 + theta[i] * h + delay[c, i])
    for i in range(theta.size):
        t_cross = t0 + theta[i] * h
        # A crossing after an earlier event in the same step has not happened yet.
        if hit[i] and t_cross <= cut:
            _schedule(i, c, t_cross, sched, trig)
    return cut


# --------------------------------------------------------------------------------------------
# One case's run, and the cases over threads
#
# One case's run from its start to its end, and the cases spread over threads: the compiled
# counterpart of :class:`~leaksim.core.solver.integrator.Integrator`.
#
# The tuples (:func:`integrate` lists them) are rebuilt from their arrays inside the
# compiled range loop, as views that count no references, and passed on by reference: a
# call costs a word per tuple, whatever it holds. The general model's arrays and scratch
# travel in tuples of their own (``gen``, ``gout``, ``gwork``), None for the lean model,
# which numba then compiles apart.
# --------------------------------------------------------------------------------------------

#: Most cases in a block of :func:`integrate`'s chunks (fewer where there are few cases).
BLOCK = 64

#: Failure codes of a case (``status`` stays 0 for a case that reached its end).
FAIL_STUCK = 1
FAIL_STEPS = 2

# Consecutive rejections after which a case fails, as in the batched loop.
_MAX_REJECTIONS = 60


@_called
def scratch(n_links, size, n_stages, n_triggers):
    """Scratch arrays of a thread, reused case after case: link flows and slopes (0-2), W
    (3), its pivots (4), three stage vectors (5-7), J (8), the stages (9), y0, f0, y1, k1,
    k2 and the state at a cut (10), df/dt (11), a derivative (12), the triggers crossed in
    a step and where (13, 14), and the reciprocals of W's pivots (15)."""
    return (
        np.empty(n_links),
        np.empty(n_links),
        np.empty(n_links),
        np.empty((size, size)),
        np.empty(size, dtype=np.int64),
        np.empty(size),
        np.empty(size),
        np.empty(size),
        np.empty((size, size)),
        np.empty((n_stages, size)),
        np.empty((6, size)),
        np.empty(size),
        np.empty(size),
        np.empty(n_triggers, dtype=np.bool_),
        np.empty(n_triggers),
        np.empty(size),
    )


@_called
def general_work(n_modules, n_species, n_links, size, n_sources):
    """The general model's scratch of a thread (``gwork``): its real and complex scratch
    (0, 1, :func:`general_scratch`), the modules' complex steps (2), one module's mole
    fractions (3), a state on the dense output (4) and the sources' feeds at three points of
    a step (5)."""
    return (
        general_scratch(n_modules, n_species, n_links, size, 0.0),
        general_scratch(n_modules, n_species, n_links, size, 0j),
        np.empty(n_modules),
        np.empty(n_species),
        np.empty(size),
        np.empty((3, n_sources)),
    )


@_called
def _date_start(y, c, net, gen, thr, thr_time, gwork):
    """Date at the start the thresholds the starting state has already reached."""
    sign, share, level = thr[0], thr[1], thr[2]
    rt_v = net[RT_V]
    for j in range(sign.size):
        for m in range(share.shape[2]):
            if gen is None:
                value = sign[j] * pressure(y, m, c, rt_v) * share[c, j, m]
            else:
                q = gen[QUANTITY][j]
                value = sign[j] * observed_value(y, m, c, gen, gwork[3], q)
            if value <= level[c, j]:
                thr_time[c, j, m] = 0.0


@_called
def _locate_general(y0, y1, k1, k2, y_end, t0, h, theta_end, c, gen, thr, thr_time, gwork):
    """:func:`_locate` for the general model: bisection on the observed values of the dense
    state."""
    sign, level, quantity = thr[0], thr[2], gen[QUANTITY]
    y_mid, x_row = gwork[4], gwork[3]
    for j in range(sign.size):
        q = quantity[j]
        for m in range(thr_time.shape[2]):
            if not math.isnan(thr_time[c, j, m]):
                continue
            before = sign[j] * observed_value(y0, m, c, gen, x_row, q) - level[c, j]
            after = sign[j] * observed_value(y_end, m, c, gen, x_row, q) - level[c, j]
            if not (before > 0.0 and after <= 0.0):
                continue
            lo, hi = 0.0, theta_end
            for _ in range(BISECTIONS):
                mid = 0.5 * (lo + hi)
                dense_state(y0, y1, k1, k2, mid, y_mid)
                if sign[j] * observed_value(y_mid, m, c, gen, x_row, q) <= level[c, j]:
                    hi = mid
                else:
                    lo = mid
            thr_time[c, j, m] = t0 + hi * h


@_called
def _locate(y0, y1, k1, k2, y_end, t0, h, theta_end, c, net, thr, thr_time):
    """Date the thresholds first reached in an accepted step that ends at ``y_end``, by
    bisection on its cubic (:meth:`~leaksim.core.solver.thresholds.Thresholds.locate`)."""
    rt_v = net[RT_V]
    sign, share, level = thr[0], thr[1], thr[2]
    for j in range(sign.size):
        for m in range(y0.size):
            if not math.isnan(thr_time[c, j, m]):
                continue
            s = sign[j] * share[c, j, m]
            before = s * pressure(y0, m, c, rt_v) - level[c, j]
            after = s * pressure(y_end, m, c, rt_v) - level[c, j]
            if not (before > 0.0 and after <= 0.0):
                continue
            lo, hi = 0.0, theta_end
            for _ in range(BISECTIONS):
                mid = 0.5 * (lo + hi)
                if s * pressure_at(y0, y1, k1, k2, rt_v[c, m], m, mid) <= level[c, j]:
                    hi = mid
                else:
                    lo = mid
            thr_time[c, j, m] = t0 + hi * h


@_called
def _report(y, j, c, gen, out, gout, gwork):
    """Report the observed values of the general model's state ``y`` at output ``j``: the
    pressures in ``out``, the temperatures, O2 and CO2 partial pressures in ``gout``."""
    array, rows, columns = out[1], out[2], out[3]
    temperature, o2, co2 = gout[0], gout[1], gout[2]
    row = rows[c]
    for i in range(columns.size):
        p, t_m, o2_m, co2_m = observe(y, columns[i], c, gen, gwork[3])
        array[i, row, j] = p
        temperature[i, row, j] = t_m
        o2[i, row, j] = o2_m
        co2[i, row, j] = co2_m


@_called
def _fill_general(y0, y1, k1, k2, t0, h, t_new, c, gen, out, gout, nxt, gwork):
    """:func:`_fill` for the general model: its observed values of the dense state."""
    t_out = out[0]
    y_at = gwork[4]
    j = nxt[c]
    limit = t_new * (1 + 1e-12)
    inv_h = 1.0 / h
    while j < t_out.size and t_out[j] <= limit:
        theta = min(max((t_out[j] - t0) * inv_h, 0.0), 1.0)
        dense_state(y0, y1, k1, k2, theta, y_at)
        _report(y_at, j, c, gen, out, gout, gwork)
        j += 1
    nxt[c] = j


@_called
def _fill(y0, y1, k1, k2, t0, h, t_new, c, net, out, nxt):
    """Report every output time up to ``t_new`` that the accepted step passed."""
    rt_v = net[RT_V]
    t_out, array, rows, columns = out[0], out[1], out[2], out[3]
    row = rows[c]
    j = nxt[c]
    limit = t_new * (1 + 1e-12)
    inv_h = 1.0 / h
    while j < t_out.size and t_out[j] <= limit:
        theta = min(max((t_out[j] - t0) * inv_h, 0.0), 1.0)
        for i in range(columns.size):
            m = columns[i]
            array[i, row, j] = pressure_at(y0, y1, k1, k2, rt_v[c, m], m, theta)
        j += 1
    nxt[c] = j


@_called
def _track_dp_general(y, c, net, gen, max_dp, gwork):
    """:func:`_track_dp` for the general model."""
    link_a, link_b = net[LINK_A], net[LINK_B]
    boundary_p = net[BOUNDARY_P]
    x_row, p = gwork[3], gwork[0][0]
    for m in range(p.size):
        p[m] = observe(y, m, c, gen, x_row)[0]
    for k in range(link_a.size):
        b = link_b[k]
        p_b = boundary_p[c, k] if b < 0 else p[b]
        max_dp[c, k] = max(max_dp[c, k], abs(p[link_a[k]] - p_b))


@_called
def _track_dp(y, c, net, max_dp):
    """Largest |p_a - p_b| of every link so far [Pa]."""
    link_a, link_b, rt_v = net[LINK_A], net[LINK_B], net[RT_V]
    boundary_p = net[BOUNDARY_P]
    for k in range(link_a.size):
        p_a = pressure(y, link_a[k], c, rt_v)
        b = link_b[k]
        p_b = boundary_p[c, k] if b < 0 else pressure(y, b, c, rt_v)
        max_dp[c, k] = max(max_dp[c, k], abs(p_a - p_b))


@_called
def _after_events(y, f, t, is_open, c, net, gen, sched, trig, work, gwork):
    """Switch what is due at ``t`` and take the derivative there; an event may satisfy a
    trigger at once (a rate jumps), whose own event may be due at once too. Whether the
    derivative is that of the links as they end up; for the lean model, so are the links'
    slopes it leaves in ``work`` (the general model leaves none)."""
    apply_due(c, t, is_open, sched)
    if trig is None:
        rhs_called(y, is_open, t, c, net, gen, work, gwork, f)
        return True
    for _ in range(1 + trig[0].size):
        rhs_called(y, is_open, t, c, net, gen, work, gwork, f)
        if trig[0].size == 0:
            return True
        if not fire_satisfied(y, f, t, c, net, gen, sched, trig, gwork):
            return True
        if not apply_due(c, t, is_open, sched):
            return True
    return False


@_called
def _retake_at(y0, y1, k1, k2, t0, h, is_open, c, net, gen, trig, work, gwork):
    """Fraction of an accepted step at which to retake it, shortened to its first trigger
    crossing; 1 where none asks for it (the dense output of a long stiff step cannot place a
    fast transient)."""
    hit, theta = work[13], work[14]
    if not crossings(
        y0, y1, k1, k2, t0, h, t0 + h, is_open, c, net, gen, trig, work, gwork, hit, theta
    ):
        return 1.0
    first = theta[0]
    for i in range(1, theta.size):  # np.min, as a loop (no error message to compile)
        first = min(first, theta[i])  # each theta lies in (0, 1]
    return first if (first < 0.999 and first * h > 1e-9 * max(t0, 1.0)) else 1.0


@_called
def _count_feed(y0, y1, k1, k2, y_end, t, t_new, theta_end, is_open, c, net, gen, ops, gwork):
    """Add each source's feed over an accepted step of the general model: time on, and
    amount by Simpson's rule on the dense output
    (:meth:`~leaksim.core.solver.integrator.Integrator._count_feed`)."""
    src_on, src_amount = ops[2], ops[3]
    n_links = net[LINK_A].size
    at, y_mid = gwork[5], gwork[4]
    dt = t_new - t
    dense_state(y0, y1, k1, k2, 0.5 * theta_end, y_mid)
    feeds(y0, is_open, c, net, gen, gwork, at[0])
    feeds(y_mid, is_open, c, net, gen, gwork, at[1])
    feeds(y_end, is_open, c, net, gen, gwork, at[2])
    for j in range(at.shape[1]):
        src_on[c, j] += (1.0 if is_open[n_links + j] else 0.0) * dt
        src_amount[c, j] += dt / 6.0 * (at[0, j] + 4.0 * at[1, j] + at[2, j])


@_inline
def _count_sources(c, is_open, dt, net, src_on, src_amount):
    """Add an accepted step of ``dt`` to the time on and the amount of each open constant
    source of case ``c`` (the lean model)."""
    src_flow = net[SRC_FLOW]
    n_links = net[LINK_A].size
    for j in range(src_flow.shape[1]):
        if is_open[n_links + j]:
            src_on[c, j] += dt
            src_amount[c, j] += dt * src_flow[c, j]


@_called
def _run_case(c, net, gen, sched, trig, thr, out, gout, ctl, tab, state, ops, work, gwork):
    """Integrate case ``c`` from its start to its end (the loop of
    :class:`~leaksim.core.solver.integrator.Integrator` for one case); ``gen``, ``gout`` and
    ``gwork`` are the general model's arrays, outputs and scratch, None for the lean one."""
    y_all, t_all, f_all, h_all = state[0], state[1], state[2], state[3]
    n_steps, n_rej, status = state[4], state[5], state[6]
    thr_time, max_dp, src_on, src_amount = ops[0], ops[1], ops[2], ops[3]
    nxt, is_open_all = ops[4], ops[5]
    duration, rtol_all, atol_all, max_steps, exponent = ctl[0], ctl[1], ctl[2], ctl[3], ctl[4]
    size = y_all.shape[1]
    growing = net[GROWTH_OF_LINK].size > 0 and np.any(net[GROWTH_OF_LINK] >= 0)
    is_open = is_open_all[c]
    rtol, atol = rtol_all[c], atol_all[c]
    u = work[9]
    y0, f0, y1, k1, k2, y_end = (
        work[10][0],
        work[10][1],
        work[10][2],
        work[10][3],
        work[10][4],
        work[10][5],
    )
    hit, theta = work[13], work[14]
    _copy(y_all[c], y0)
    _copy(f_all[c], f0)
    t = t_all[c]
    h = h_all[c]
    in_row = 0
    # Whether work[8] holds the Jacobian at (t, y0) with the links as they are: a rejected step
    # is retaken from the same start, and the lean model's derivative after a step leaves the
    # slopes of the next step's Jacobian (the same operations as :func:`jacobian`).
    # np.bool_: a literal False would compile rosenbrock_step a second time, for the literal.
    fresh = np.bool_(False)
    while True:
        stop = min(duration[c], next_stop(c, t, sched, net))
        dt = min(h, stop - t)
        # Land exactly on the stop when the remainder would be a sliver.
        if stop - t - dt < 1e-9 * dt:
            dt = stop - t
        rosenbrock_step(
            y0, f0, t, dt, is_open, growing, fresh, c, net, gen, tab, work, gwork, u, y1, k1, k2
        )
        fresh = True
        err = error_norm(u[u.shape[0] - 1], y0, y1, atol, rtol)
        for i in range(size):
            # Negative amounts or energies beyond the absolute tolerance are not physical.
            if y1[i] < -atol[i]:
                err = np.inf
        if not math.isfinite(err):
            err = np.inf
        accept = err <= 1.0
        h = dt * step_factor(err, accept, exponent, in_row)
        # ``trig`` is None for a station without triggers: numba compiles that run apart,
        # without the triggers' code (a cold start seconds shorter).
        if trig is not None:
            if accept and trig[0].size:
                retake = _retake_at(y0, y1, k1, k2, t, dt, is_open, c, net, gen, trig, work, gwork)
                if retake < 1.0:
                    accept = False
                    h = max(retake, 1e-3) * dt
        if accept:
            n_steps[c] += 1
            in_row = 0
            t_new = t + dt
            if abs(t_new - stop) <= 1e-12 * stop:
                t_new = stop
            _copy(y1, y_end)
            if trig is not None:
                if trig[0].size and crossings(
                    y0, y1, k1, k2, t, dt, t_new, is_open, c, net, gen, trig, work, gwork, hit,
                    theta,
                ):  # fmt: skip
                    cut = fire_crossed(hit, theta, t, dt, t_new, c, sched, trig)
                    if cut < t_new:
                        # The dense output gives the state at the event.
                        dense_state(y0, y1, k1, k2, (cut - t) / dt, y_end)
                        t_new = cut
            theta_end = min(max((t_new - t) / dt, 0.0), 1.0)
            if gen is None:
                _fill(y0, y1, k1, k2, t, dt, t_new, c, net, out, nxt)
                _locate(y0, y1, k1, k2, y_end, t, dt, theta_end, c, net, thr, thr_time)
                _count_sources(c, is_open, t_new - t, net, src_on, src_amount)
            else:
                _fill_general(y0, y1, k1, k2, t, dt, t_new, c, gen, out, gout, nxt, gwork)
                _locate_general(
                    y0, y1, k1, k2, y_end, t, dt, theta_end, c, gen, thr, thr_time, gwork
                )
                _count_feed(
                    y0, y1, k1, k2, y_end, t, t_new, theta_end, is_open, c, net, gen, ops, gwork
                )
            _copy(y_end, y0)
            t = t_new
            fresh = _after_events(y0, f0, t, is_open, c, net, gen, sched, trig, work, gwork)
            if gen is None:
                if fresh:
                    jacobian_of_slopes(is_open, c, net, work, work[8])
                _track_dp(y0, c, net, max_dp)
            else:
                fresh = False
                _track_dp_general(y0, c, net, gen, max_dp, gwork)
            if t >= duration[c]:
                break
        else:
            n_rej[c] += 1
            in_row += 1
        if t + h <= t or in_row > _MAX_REJECTIONS:
            status[c] = FAIL_STUCK
            break
        if n_steps[c] + n_rej[c] >= max_steps:
            status[c] = FAIL_STEPS
            break
    _copy(y0, y_all[c])
    _copy(f0, f_all[c])
    t_all[c] = t
    h_all[c] = h


@_called
def _start_case(c, net, gen, sched, trig, thr, out, gout, ctl, state, ops, report_start, work,
                gwork):  # fmt: skip
    """Events due at the start, the first derivative and step, and what the start reports."""
    y_all, t_all, f_all, h_all = state[0], state[1], state[2], state[3]
    thr_time, max_dp, nxt, is_open_all = ops[0], ops[1], ops[4], ops[5]
    duration, rtol_all, atol_all = ctl[0], ctl[1], ctl[2]
    is_open = is_open_all[c]
    t = t_all[c]
    y = y_all[c]
    apply_due(c, t, is_open, sched)
    rhs_called(y, is_open, t, c, net, gen, work, gwork, f_all[c])
    t_out, array, rows, columns = out[0], out[1], out[2], out[3]
    if report_start:
        j = np.int64(0)  # not a literal 0, which would compile _report once more for it
        while j < t_out.size and t_out[j] <= 0.0:
            if gen is None:
                for i in range(columns.size):
                    array[i, rows[c], j] = pressure(y, columns[i], c, net[RT_V])
            else:
                _report(y, j, c, gen, out, gout, gwork)
            j += 1
        # Output 0 is reported again by the first step (at theta = 0, the same value).
        nxt[c] = j
        _date_start(y, c, net, gen, thr, thr_time, gwork)
    else:
        j = 0
        limit = t * (1 + 1e-12)
        while j < t_out.size and t_out[j] <= limit:
            j += 1
        nxt[c] = j
    if trig is not None:
        if trig[0].size and fire_satisfied(y, f_all[c], t, c, net, gen, sched, trig, gwork):
            # A condition met at the start with no delay switches its link at once, not in a
            # first step of length zero.
            _after_events(y, f_all[c], t, is_open, c, net, gen, sched, trig, work, gwork)
    if gen is None:
        _track_dp(y, c, net, max_dp)
    else:
        _track_dp_general(y, c, net, gen, max_dp, gwork)
    h_all[c] = initial_step(y, f_all[c], atol_all[c], rtol_all[c], duration[c] - t)


# --------------------------------------------------------------------------------------------
# Cases in lanes
#
# The lean model's cases without triggers, scheduled events or growing areas, ``LANES`` at a
# time on one thread: each array of a lane set holds one column per case, and every loop of
# the step runs over the lanes innermost, so that the compiler gives each operation to every
# lane in one vector instruction: the sums, solves and LU of the step, the sums of its
# right-hand sides and its error norm. The orifice law's own loop it keeps scalar (for a
# reason its remarks do not give), where the lanes' independent laws overlap in the
# processor instead. The operations of each lane are those of
# the case's own run (:func:`_run_case`), term for term, so a case gives the same bits in any
# lane, alone or beside others; a lane whose case ends takes the next case of its thread.
# What a step decides (its acceptance, the outputs, the thresholds) stays per case, in the
# functions of the case's own run, and so do the derivative and Jacobian after an accepted
# step (once a step, where the stages' laws are five): in the lanes they were a sixth quicker
# but took 1.4 s more to compile on a first call, which has 15 s.
#
# The solves of a lane set take no pivots: for the lean model, ``W = I / (h gamma) - J`` is
# strictly diagonally dominant by columns, so partial pivoting picks the diagonal every time
# (Golub & Van Loan, Matrix Computations, 4th ed., 2013, sec. 3.4.10) and the scalar LU swaps
# no rows either. Each link adds ``d_a (Ru T / V)_a >= 0`` to row b of column a and takes it
# from the diagonal (flows rise with the upstream pressure and fall with the downstream one),
# a fan likewise; a boundary or vacuum link takes it from the diagonal alone. So each column
# of J sums to zero or less with a diagonal of its negated off-diagonal sum, and the
# ``1 / (h gamma)`` of W is its margin.
# --------------------------------------------------------------------------------------------

#: Cases a thread steps together. On one thread the 4-module chain of ``benchmarks/peers.py``
#: took 14 us per case in lanes of 8, 12 in lanes of 16, 11 in lanes of 32, 9.0 to 9.4 in lanes
#: of 64 and 9.5 to 9.9 in lanes of 128 (17.4 to 17.7 case by case): a wider set shares the
#: step's bookkeeping and the links' loops among more cases, and its loops fill the vectors.
LANES = 64

# Entries of a lane set (:func:`lane_scratch`): the lanes' vectors (_VEC), the stages (_U),
# W and J (_MAT), the links' flows and numbers (_LINK), each case's gas constants (_CONST),
# fans and sources (rates, and whether open), scalars (_ONE), counters (_INT) and the
# tableau's C / h (_CC_H); then the rows of each. Few arrays, not one per quantity: every
# member of the tuple is compiled into every function that takes it (twenty more members
# took a first call 2.1 s longer).
_VEC, _U, _MAT, _LINK, _CONST, _FAN, _FAN_ON, _SRC, _SRC_ON, _ONE, _INT, _CC_H = range(12)
_Y0, _F0, _Y1, _YS, _RS, _FS, _PIVOT, _RTV, _ATOL, _K1, _K2 = range(11)
_JAC, _W = 0, 1
_FLOW, _SCALE, _DELTA, _BOUNDARY = range(4)
_FAN_A, _FAN_B = 0, 1
_T, _H, _DT, _ERR, _RTOL = range(5)
_CASE, _IN_ROW, _FRESH = 0, 1, 2


@intrinsic
def _root(typingctx, x):
    """``math.sqrt`` of a float64 as LLVM's own square root, which its vectoriser takes: numba
    calls the C library's ``sqrt``, a call it does not. Both round correctly (IEEE 754), so
    they give the same bits."""
    sig = types.float64(types.float64)

    def codegen(context, builder, signature, args):
        double = ir.DoubleType()
        root = cgutils.get_or_insert_function(
            builder.module, ir.FunctionType(double, [double]), "llvm.sqrt.f64"
        )
        return builder.call(root, args)

    return sig, codegen


@intrinsic
def _lane_buffer(typingctx):
    """A float64 vector of ``LANES`` on the stack of the function it is inlined into. Its
    compiler knows that nothing else points into it, so a lanes' loop that writes only to it
    needs no test that its arrays overlap, tests the vectoriser gives up on when there are more
    than eight (a loop over the links' laws reads some twenty rows)."""
    array_type = types.Array(types.float64, 1, "C")

    def codegen(context, builder, signature, args):
        data = cgutils.alloca_once(builder, ir.DoubleType(), size=LANES)
        view = context.make_array(array_type)(context, builder)
        intp = context.get_value_type(types.intp)
        populate_array(
            view,
            data=data,
            shape=[ir.Constant(intp, LANES)],
            strides=[ir.Constant(intp, 8)],
            itemsize=ir.Constant(intp, 8),
            meminfo=None,
        )
        return view._getvalue()

    return array_type(), codegen


@_called
def lane_scratch(n_links, size, n_stages, n_fans, n_sources, n_consts):
    """The arrays of one thread's lane set, ``LANES`` columns each (section notes), all lanes
    idle. An idle lane computes on zeros: NaNs that nothing reads."""
    n = LANES
    counters = np.zeros((3, n), dtype=np.int64)
    counters[_CASE] = -1
    return (
        np.zeros((11, size, n)),
        np.zeros((n_stages, size, n)),
        np.zeros((2, size, size, n)),
        np.zeros((4, n_links, n)),
        np.zeros((n_consts, n)),
        np.zeros((2, n_fans, n)),
        np.zeros((n_fans, n), dtype=np.bool_),
        np.zeros((n_sources, n)),
        np.zeros((n_sources, n), dtype=np.bool_),
        np.zeros((5, n)),
        counters,
        np.zeros((n_stages - 1, n_stages - 1, n)),
    )


@_inline
def _lane_series(cst, q, ln):
    """:func:`_series` for lane ``ln``, its coefficients in rows 6 to 15 of ``cst``."""
    q2 = q * q
    q4 = q2 * q2
    low = (cst[6, ln] + cst[7, ln] * q) + (cst[8, ln] + cst[9, ln] * q) * q2
    high = (cst[10, ln] + cst[11, ln] * q) + (cst[12, ln] + cst[13, ln] * q) * q2
    return (low + high * q4) + (cst[14, ln] + cst[15, ln] * q) * (q4 * q4)


@_inline
def _lane_side_b(y, rtv, bnd, b, k, p_b):
    """Pressure of side b of link ``k`` in every lane into ``p_b``, as :func:`link_flows`
    takes it: the boundary's when ``b < 0``. Taken before the law's loop: a read chosen by a
    condition keeps a loop from vectors."""
    if b < 0:
        for ln in range(LANES):
            p_b[ln] = bnd[k, ln]
    else:
        for ln in range(LANES):
            p_b[ln] = y[b, ln] * rtv[b, ln]


@_called
def _lane_exact(side_a, side_b, k, lane, flow):
    """Link ``k`` of every lane again by the scalar :func:`flux` itself, for the rare link
    where a lane leaves the series' range; where a lane is in range it gives the same bits."""
    scale, delta, cst = lane[_LINK][_SCALE], lane[_LINK][_DELTA], lane[_CONST]
    for ln in range(LANES):
        p_a, p_b = side_a[ln], side_b[ln]
        c0, c1, c2, c3, c4, series = (
            cst[0, ln],
            cst[1, ln],
            cst[2, ln],
            cst[3, ln],
            cst[4, ln],
            cst[5:, ln],
        )
        if p_a >= p_b:
            flow[k, ln] = scale[k, ln] * flux(p_a, p_b, delta[k, ln], c0, c1, c2, c3, c4, series)
        else:
            flow[k, ln] = -scale[k, ln] * flux(p_b, p_a, delta[k, ln], c0, c1, c2, c3, c4, series)


@_inline
def _lane_laws(p_u, p_d, delta, cst, ln):
    """Both branches of :func:`flux` (choked, and subsonic by the series), each in its
    operations, and ``q`` and ``r``, for lane ``ln``: the caller keeps one."""
    dp = p_u - p_d
    q = max(dp / p_u, 0.0)
    r = 1.0 - q
    d2 = dp * dp + delta * delta
    choked = p_u * cst[4, ln] * _root(_root(dp * dp / d2))
    g = _lane_series(cst, q, ln)
    root_r = r / (1.0 - q * g)
    subsonic = dp * (root_r * _root(p_u * cst[1, ln] * g / _root(d2)))
    return choked, subsonic, q, r


@_called
def _lane_stage_flows(y, net, lane):
    """:func:`stage_flows` for every lane (no growth). Each link's law is taken for all lanes
    by both branches, into buffers on the stack, and one kept in a second loop: a loop that
    chooses its reads or its work by a condition, or that writes to arrays the compiler cannot
    tell apart from those it reads, is not given to vectors (:func:`_lane_buffer`); the law's
    own loop is not either, yet, but the loops around it are. A link
    where any lane's law leaves the series' range is taken again lane by lane by :func:`flux`
    itself (the same bits where it is in range)."""
    link_a, link_b, vacuum = net[LINK_A], net[LINK_B], net[VACUUM]
    rtv, scale, delta = lane[_VEC][_RTV], lane[_LINK][_SCALE], lane[_LINK][_DELTA]
    bnd, cst, flow = lane[_LINK][_BOUNDARY], lane[_CONST], lane[_LINK][_FLOW]
    side_a, side_b, q, r = _lane_buffer(), _lane_buffer(), _lane_buffer(), _lane_buffer()
    choked, subsonic = _lane_buffer(), _lane_buffer()
    for k in range(link_a.size):
        a, b = link_a[k], link_b[k]
        if vacuum[k]:
            for ln in range(LANES):
                flow[k, ln] = scale[k, ln] * (y[a, ln] * rtv[a, ln])
            continue
        _lane_side_b(y, rtv, bnd, b, k, side_b)
        for ln in range(LANES):
            side_a[ln] = y[a, ln] * rtv[a, ln]
        for ln in range(LANES):
            p_a, p_b = side_a[ln], side_b[ln]
            forward = p_a >= p_b
            p_u = p_a if forward else p_b
            p_d = p_b if forward else p_a
            choked[ln], subsonic[ln], q[ln], r[ln] = _lane_laws(p_u, p_d, delta[k, ln], cst, ln)
        outside = 0
        for ln in range(LANES):
            p_a, p_b = side_a[ln], side_b[ln]
            forward = p_a >= p_b
            is_choked = r[ln] <= cst[0, ln]
            live = (p_a if forward else p_b) > 0.0
            phi = (choked[ln] if is_choked else subsonic[ln]) if live else 0.0
            flow[k, ln] = scale[k, ln] * phi if forward else -scale[k, ln] * phi
            outside += live & (not is_choked) & (not q[ln] < cst[5, ln])
        if outside:
            _lane_exact(side_a, side_b, k, lane, flow)


@_called
def _lane_rhs_of_flows(y, net, lane, out):
    """:func:`_rhs_of_flows` for every lane: a closed fan or source adds nothing (selected,
    not added as zero, which would turn a -0.0 into 0.0)."""
    link_a, link_b, fan_link, src_module = net[LINK_A], net[LINK_B], net[FAN_LINK], net[SRC_MODULE]
    flow, fan_a, fan_b, fan_on = (
        lane[_LINK][_FLOW],
        lane[_FAN][_FAN_A],
        lane[_FAN][_FAN_B],
        lane[_FAN_ON],
    )
    src, src_on = lane[_SRC], lane[_SRC_ON]
    out[:, :] = 0.0
    for k in range(link_a.size):
        a, b = link_a[k], link_b[k]
        for ln in range(LANES):
            out[a, ln] -= flow[k, ln]
        if b >= 0:
            for ln in range(LANES):
                out[b, ln] += flow[k, ln]
    for i in range(fan_link.size):
        k = fan_link[i]
        a, b = link_a[k], link_b[k]
        for ln in range(LANES):
            into_a = fan_b[i, ln] * y[b, ln] - fan_a[i, ln] * y[a, ln]
            on = fan_on[i, ln]
            out[a, ln] = out[a, ln] + into_a if on else out[a, ln]
            out[b, ln] = out[b, ln] - into_a if on else out[b, ln]
    for j in range(src_module.size):
        m = src_module[j]
        for ln in range(LANES):
            out[m, ln] = out[m, ln] + src[j, ln] if src_on[j, ln] else out[m, ln]


@_called
def _lane_factor(lane, gamma):
    """``W = I / (h gamma) - J`` of every lane and its LU without pivots (section notes),
    in :func:`lu_factor`'s operations."""
    jac, w, pivot, dt = lane[_MAT][_JAC], lane[_MAT][_W], lane[_VEC][_PIVOT], lane[_ONE][_DT]
    size = jac.shape[0]
    for i in range(size):
        for j in range(size):
            for ln in range(LANES):
                w[i, j, ln] = -jac[i, j, ln]
        for ln in range(LANES):
            w[i, i, ln] += 1.0 / (dt[ln] * gamma)
    for k in range(size - 1):
        for i in range(k + 1, size):
            for ln in range(LANES):
                w[i, k, ln] = w[i, k, ln] / w[k, k, ln]
            for j in range(k + 1, size):
                for ln in range(LANES):
                    w[i, j, ln] -= w[i, k, ln] * w[k, j, ln]
    for i in range(size):
        for ln in range(LANES):
            pivot[i, ln] = 1.0 / w[i, i, ln]


@_called
def _lane_solve(w, pivot, b, x):
    """:func:`lu_solve` for every lane, each sum in its order, kept on the stack."""
    size = w.shape[0]
    acc = _lane_buffer()
    for i in range(size):
        for ln in range(LANES):
            acc[ln] = b[i, ln]
        for j in range(i):
            for ln in range(LANES):
                acc[ln] -= w[i, j, ln] * x[j, ln]
        for ln in range(LANES):
            x[i, ln] = acc[ln]
    for i in range(size - 1, -1, -1):
        for ln in range(LANES):
            acc[ln] = x[i, ln]
        for j in range(size - 1, i, -1):
            for ln in range(LANES):
                acc[ln] -= w[i, j, ln] * x[j, ln]
        for ln in range(LANES):
            x[i, ln] = acc[ln] * pivot[i, ln]


def _coefficient(coefficients, row, j, ln):
    """``coefficients[row, j]`` of a tableau's matrix, or lane ``ln``'s ``[row, j, ln]`` of a
    matrix per lane; chosen by the array's dimensions when compiling."""


@overload(_coefficient)
def _coefficient_impl(coefficients, row, j, ln):
    if coefficients.ndim == 2:
        return lambda coefficients, row, j, ln: coefficients[row, j]
    return lambda coefficients, row, j, ln: coefficients[row, j, ln]


@_called
def _lane_combination(coefficients, stage, u, base, out):
    """``base + sum_j c_j u_j`` over the stages before ``stage``, for every lane, the sum from
    zero in :func:`rosenbrock_step`'s order: ``c`` the tableau's row (``a``: the stage's
    state) or each lane's (``C / h``: the right-hand side of the stage's solve), one compiled
    copy for each."""
    size = base.shape[0]
    acc = _lane_buffer()
    for i in range(size):
        for ln in range(LANES):
            acc[ln] = 0.0
        for j in range(stage):
            for ln in range(LANES):
                acc[ln] += _coefficient(coefficients, stage - 1, j, ln) * u[j, i, ln]
        for ln in range(LANES):
            out[i, ln] = base[i, ln] + acc[ln]


@_called
def _lane_end_of_step(lane, h1, h2, last):
    """``y1``, the dense coefficients ``k1``, ``k2`` and the error norm of every lane's step
    (:func:`rosenbrock_step`, :func:`error_norm`), each sum in their order."""
    vec, u, rtol, err = lane[_VEC], lane[_U], lane[_ONE][_RTOL], lane[_ONE][_ERR]
    y0, y1, y_stage, k1, k2, atol = vec[_Y0], vec[_Y1], vec[_YS], vec[_K1], vec[_K2], vec[_ATOL]
    size = y0.shape[0]
    acc1, acc2, total = _lane_buffer(), _lane_buffer(), _lane_buffer()
    for ln in range(LANES):
        total[ln] = 0.0
    for i in range(size):
        for ln in range(LANES):
            y1[i, ln] = y_stage[i, ln] + u[last, i, ln]
            acc1[ln] = 0.0
            acc2[ln] = 0.0
        for j in range(last):
            for ln in range(LANES):
                acc1[ln] += h1[j] * u[j, i, ln]
                acc2[ln] += h2[j] * u[j, i, ln]
        for ln in range(LANES):
            k1[i, ln] = acc1[ln]
            k2[i, ln] = acc2[ln]
            scale = atol[i, ln] + rtol[ln] * max(abs(y0[i, ln]), abs(y1[i, ln]))
            total[ln] += (u[last, i, ln] / scale) ** 2
    for ln in range(LANES):
        err[ln] = math.sqrt(total[ln] / size)


@_called
def _lane_step(net, tab, lane):
    """One RODAS4 step of every lane from its state, derivative and Jacobian
    (:func:`rosenbrock_step`, lean and not growing, the Jacobian fresh); the error estimate is
    left in ``lane[_U][last]``, its norm in ``lane[_ONE][_ERR]``."""
    gamma, a, cc, h1, h2 = tab[0], tab[1], tab[2], tab[3], tab[4]
    vec, u, w, dt, cc_h = lane[_VEC], lane[_U], lane[_MAT][_W], lane[_ONE][_DT], lane[_CC_H]
    y0, f0, y_stage, rhs_stage, f_stage = vec[_Y0], vec[_F0], vec[_YS], vec[_RS], vec[_FS]
    pivot = vec[_PIVOT]
    size = y0.shape[0]
    n_stages = h1.size + 1
    last = n_stages - 1
    _lane_factor(lane, gamma)
    for i in range(cc.shape[0]):
        for j in range(i + 1):
            for ln in range(LANES):
                cc_h[i, j, ln] = cc[i, j] / dt[ln]
    for i in range(size):
        for ln in range(LANES):
            rhs_stage[i, ln] = f0[i, ln]
            y_stage[i, ln] = y0[i, ln]
    for stage in range(n_stages):
        if stage > 0:
            if stage < last:
                _lane_combination(a, stage, u, y0, y_stage)
            else:
                # Stiff accuracy: the last stage is at Y_{s-1} + u_{s-1}.
                for i in range(size):
                    for ln in range(LANES):
                        y_stage[i, ln] += u[stage - 1, i, ln]
            _lane_stage_flows(y_stage, net, lane)
            _lane_rhs_of_flows(y_stage, net, lane, f_stage)
            _lane_combination(cc_h, stage, u, f_stage, rhs_stage)
        _lane_solve(w, pivot, rhs_stage, u[stage])
    _lane_end_of_step(lane, h1, h2, last)


@_called
def _lane_load(lane, ln, c, net, ctl, state, ops):
    """Case ``c`` into lane ``ln``: its state, constants and scalars, its links' scales with
    the closed ones at zero as :func:`link_flows` has them."""
    y_all, t_all, h_all = state[0], state[1], state[3]
    rtol_all, atol_all, is_open_all = ctl[1], ctl[2], ops[5]
    rt_v, flow_scale, delta, boundary_p = net[RT_V], net[FLOW_SCALE], net[DELTA], net[BOUNDARY_P]
    consts, fan_link, fan_a, fan_b = net[CONSTS], net[FAN_LINK], net[FAN_A], net[FAN_B]
    src_flow = net[SRC_FLOW]
    is_open = is_open_all[c]
    n_links = flow_scale.shape[1]
    for i in range(y_all.shape[1]):
        lane[_VEC][_Y0][i, ln] = y_all[c, i]
        lane[_VEC][_RTV][i, ln] = rt_v[c, i]
        lane[_VEC][_ATOL][i, ln] = atol_all[c, i]
    for k in range(n_links):
        lane[_LINK][_SCALE][k, ln] = flow_scale[c, k] * (1.0 if is_open[k] else 0.0)
        lane[_LINK][_DELTA][k, ln] = delta[c, k]
        lane[_LINK][_BOUNDARY][k, ln] = boundary_p[c, k]
    for j in range(consts.shape[1]):
        lane[_CONST][j, ln] = consts[c, j]
    for i in range(fan_link.size):
        lane[_FAN][_FAN_A][i, ln] = fan_a[c, i]
        lane[_FAN][_FAN_B][i, ln] = fan_b[c, i]
        lane[_FAN_ON][i, ln] = is_open[fan_link[i]]
    for j in range(src_flow.shape[1]):
        lane[_SRC][j, ln] = src_flow[c, j]
        lane[_SRC_ON][j, ln] = is_open[n_links + j]
    lane[_ONE][_T][ln] = t_all[c]
    lane[_ONE][_H][ln] = h_all[c]
    lane[_ONE][_RTOL][ln] = rtol_all[c]
    lane[_INT][_IN_ROW][ln] = 0
    lane[_INT][_FRESH][ln] = 0
    lane[_INT][_CASE][ln] = c


@_called
def _lane_column(src, ln, dst):
    """Lane ``ln``'s column of ``src`` into the vector ``dst``."""
    for i in range(dst.size):
        dst[i] = src[i, ln]


@_called
def _lane_end(lane, ln, c, net, state, ops, work, gwork):
    """Case ``c`` of lane ``ln`` ended: its state, derivative, time and next step stored as
    :func:`_run_case` leaves them; the lane is idle."""
    y_all, t_all, f_all, h_all = state[0], state[1], state[2], state[3]
    _lane_column(lane[_VEC][_Y0], ln, y_all[c])
    rhs_called(y_all[c], ops[5][c], lane[_ONE][_T][ln], c, net, None, work, gwork, f_all[c])
    t_all[c] = lane[_ONE][_T][ln]
    h_all[c] = lane[_ONE][_H][ln]
    lane[_INT][_CASE][ln] = -1


@_called
def _lane_advance(lane, ln, net, thr, out, ctl, state, ops, work):
    """What :func:`_run_case` does after a step, for the case of lane ``ln``: accept or
    reject it by its error, report the outputs and thresholds it passed, count its sources;
    True when the case has ended (its run done, or failed)."""
    c = lane[_INT][_CASE][ln]
    n_steps, n_rej, status = state[4], state[5], state[6]
    thr_time, max_dp, src_on, src_amount = ops[0], ops[1], ops[2], ops[3]
    nxt, is_open_all = ops[4], ops[5]
    duration, max_steps, exponent = ctl[0], ctl[3], ctl[4]
    is_open = is_open_all[c]
    y0, y1, k1, k2, y_end = work[10][0], work[10][2], work[10][3], work[10][4], work[10][5]
    t, dt, in_row = lane[_ONE][_T][ln], lane[_ONE][_DT][ln], lane[_INT][_IN_ROW][ln]
    err = lane[_ONE][_ERR][ln]
    y_lane, y1_lane = lane[_VEC][_Y0], lane[_VEC][_Y1]
    atol = lane[_VEC][_ATOL]
    for i in range(y0.size):
        if y1_lane[i, ln] < -atol[i, ln]:
            err = np.inf
    if not math.isfinite(err):
        err = np.inf
    accept = err <= 1.0
    h = dt * step_factor(err, accept, exponent, in_row)
    done = False
    if accept:
        n_steps[c] += 1
        in_row = 0
        stop = duration[c]
        t_new = t + dt
        if abs(t_new - stop) <= 1e-12 * stop:
            t_new = stop
        _lane_column(y1_lane, ln, y_end)
        t_out = out[0]
        j = nxt[c]
        # The step's dense output, for the case's own functions, only where they use it.
        if thr[0].size or (j < t_out.size and t_out[j] <= t_new * (1 + 1e-12)):
            _lane_column(y_lane, ln, y0)
            _copy(y_end, y1)
            _lane_column(lane[_VEC][_K1], ln, k1)
            _lane_column(lane[_VEC][_K2], ln, k2)
            theta_end = min(max((t_new - t) / dt, 0.0), 1.0)
            _fill(y0, y1, k1, k2, t, dt, t_new, c, net, out, nxt)
            _locate(y0, y1, k1, k2, y_end, t, dt, theta_end, c, net, thr, thr_time)
        _count_sources(c, is_open, t_new - t, net, src_on, src_amount)
        for i in range(y0.size):
            y_lane[i, ln] = y_end[i]
        lane[_INT][_FRESH][ln] = 0
        t = t_new
        _track_dp(y_end, c, net, max_dp)
        done = t >= duration[c]
    else:
        n_rej[c] += 1
        in_row += 1
    if not done:
        if t + h <= t or in_row > _MAX_REJECTIONS:
            status[c] = FAIL_STUCK
            done = True
        elif n_steps[c] + n_rej[c] >= max_steps:
            status[c] = FAIL_STEPS
            done = True
    lane[_ONE][_T][ln], lane[_ONE][_H][ln], lane[_INT][_IN_ROW][ln] = t, h, in_row
    return done


@_called
def _lane_derivatives(lane, net, ops, work, gwork):
    """The derivative and Jacobian of each lane whose state is new (a case loaded, a step
    accepted), by the case's own functions (:func:`rhs_called`, :func:`jacobian_of_slopes`),
    once a step as in :func:`_run_case`; a rejected step keeps them. Left to each case, not
    to the lanes' vectors: once a step, against the stages' five, and a first call compiles
    one law with slopes, not two."""
    y0, f0, jac = lane[_VEC][_Y0], lane[_VEC][_F0], lane[_MAT][_JAC]
    case, fresh, t = lane[_INT][_CASE], lane[_INT][_FRESH], lane[_ONE][_T]
    y, f, jac_case = work[10][0], work[10][1], work[8]
    for ln in range(LANES):
        c = case[ln]
        if c < 0 or fresh[ln]:
            continue
        _lane_column(y0, ln, y)
        rhs_called(y, ops[5][c], t[ln], c, net, None, work, gwork, f)
        jacobian_of_slopes(ops[5][c], c, net, work, jac_case)
        for i in range(y.size):
            f0[i, ln] = f[i]
            for j in range(y.size):
                jac[i, j, ln] = jac_case[i, j]
        fresh[ln] = 1


@_called
def _lane_steps(lane, duration):
    """Each lane's step ``dt`` to its end, landing on it when the rest would be a sliver
    (:func:`_run_case`); an idle lane takes a unit step of its last case's numbers."""
    case, t, h, dt = lane[_INT][_CASE], lane[_ONE][_T], lane[_ONE][_H], lane[_ONE][_DT]
    for ln in range(LANES):
        if case[ln] < 0:
            dt[ln] = 1.0
            continue
        stop = duration[case[ln]]
        step = min(h[ln], stop - t[ln])
        if stop - t[ln] - step < 1e-9 * step:
            step = stop - t[ln]
        dt[ln] = step


@_called
def _run_lanes(cases, net, thr, out, ctl, tab, state, ops, work, gwork, lane):
    """Integrate ``cases`` (started by :func:`_start_case`, each before its end) in lanes,
    each lane taking the next case when its own ends."""
    following = 0
    running = 0
    for ln in range(LANES):
        if following < cases.size:
            _lane_load(lane, ln, cases[following], net, ctl, state, ops)
            following += 1
            running += 1
    while running > 0:
        _lane_derivatives(lane, net, ops, work, gwork)
        _lane_steps(lane, ctl[0])
        _lane_step(net, tab, lane)
        for ln in range(LANES):
            c = lane[_INT][_CASE][ln]
            if c < 0 or not _lane_advance(lane, ln, net, thr, out, ctl, state, ops, work):
                continue
            _lane_end(lane, ln, c, net, state, ops, work, gwork)
            running -= 1
            if following < cases.size:
                _lane_load(lane, ln, cases[following], net, ctl, state, ops)
                following += 1
                running += 1


@njit(cache=True, error_model="numpy", nogil=True)
def _integrate_range(
    alone, lanes, lo, hi, step, block, rt_v, link_a, link_b, vacuum, boundary_p, delta,
    flow_scale, consts, fan_link, fan_a, fan_b, src_module, src_flow, growth_of_link,
    growth_time, growth_area, nominal_area, breakpoints, flags, molar_mass, heat_capacity, x0,
    t0, volume, vacuum_moles, mm0, cp0, cda, src_watch, src_setpoint, src_band, src_x, src_h,
    wall_conductance, wall_temperature, share, neighbours, colour, floor, quantity, ev_time,
    ev_target, ev_opens, done, ev_last, trig_module, trig_rate, trig_sign, trig_level,
    trig_delay, trig_event, fired, fired_at, rate_now, rearms, thr_sign, thr_share, thr_level,
    t_out, array, rows, columns, out_t, out_o2, out_co2, duration, rtol, atol, max_steps,
    exponent, gamma, tab_a, tab_c, tab_h1, tab_h2, stage_time, tab_d, y, t, f, h, n_steps,
    n_rejected, status, thr_time, max_dp, src_on, src_amount, nxt, is_open, report_start,
):  # fmt: skip
    """:func:`integrate` for the blocks of ``block`` cases ``lo``, ``lo + step``, ... below
    case ``hi``, without the GIL; ``flags`` and
    the general model's other arrays are None for a lean station. The general model's tuples
    are None or not by their type (:func:`_borrowed_unless_none`,
    :func:`_general_work_unless_none`), not by an ``if`` on ``flags``: numba prunes an ``is
    None`` test on an argument only where the argument is None, so the general run compiled
    the lean one inside it too."""
    # Views that count no references (``_borrowed``), passed on by reference (``_ref``): the
    # caller holds the arguments, and the scratch is kept to the end (returned).
    if trig_module is None:
        n_triggers = 0
    else:
        n_triggers = trig_module.size
    owned = scratch(link_a.size, y.shape[1], tab_h1.size + 1, n_triggers)
    owned_general = _general_work_unless_none(flags, t0, molar_mass, link_a, y, src_module)
    work = _ref(_borrowed(owned))
    net = _ref(_borrowed((
        rt_v, link_a, link_b, vacuum, boundary_p, delta, flow_scale, consts, fan_link,
        fan_a, fan_b, src_module, src_flow, growth_of_link, growth_time, growth_area,
        nominal_area, breakpoints,
    )))  # fmt: skip
    sched = _ref(_borrowed((ev_time, ev_target, ev_opens, done, ev_last)))
    # None for a station without triggers (None from ``integrate``).
    trig = _ref(_borrowed_unless_none(trig_module, (
        trig_module, trig_rate, trig_sign, trig_level, trig_delay, trig_event, fired,
        fired_at, rate_now, rearms,
    )))  # fmt: skip
    thr = _ref(_borrowed((thr_sign, thr_share, thr_level)))
    out = _ref(_borrowed((t_out, array, rows, columns)))
    ctl = _ref(_borrowed((duration, rtol, atol, max_steps, exponent)))
    tab = _ref(_borrowed((gamma, tab_a, tab_c, tab_h1, tab_h2, stage_time, tab_d)))
    state = _ref(_borrowed((y, t, f, h, n_steps, n_rejected, status)))
    ops = _ref(_borrowed((thr_time, max_dp, src_on, src_amount, nxt, is_open)))
    # The general model's arrays, outputs and scratch; None for a lean one.
    gen = _ref(_borrowed_unless_none(flags, (
        flags, molar_mass, heat_capacity, x0, t0, volume, vacuum_moles, mm0, cp0, cda,
        src_watch, src_setpoint, src_band, src_x, src_h, wall_conductance, wall_temperature,
        share, neighbours, colour, floor, quantity,
    )))  # fmt: skip
    gout = _ref(_borrowed_unless_none(flags, (out_t, out_o2, out_co2)))
    gwork = _ref(_borrowed(owned_general))
    # One of ``alone`` and ``lanes`` is None, and numba compiles no branch on an argument that
    # is None: a run compiles only its own loop.
    if alone is not None:
        for first in range(lo * block, hi, step * block):
            for c in range(first, min(first + block, hi)):
                _start_case(c, net, gen, sched, trig, thr, out, gout, ctl, state, ops,
                            report_start, work, gwork)  # fmt: skip
                if t[c] < duration[c]:
                    _run_case(c, net, gen, sched, trig, thr, out, gout, ctl, tab, state, ops,
                              work, gwork)  # fmt: skip
    held = None
    if lanes is not None:
        cases = np.empty(max(hi - lo * block, 0), dtype=np.int64)  # at most these
        n = 0
        for first in range(lo * block, hi, step * block):
            for c in range(first, min(first + block, hi)):
                _start_case(c, net, gen, sched, trig, thr, out, gout, ctl, state, ops,
                            report_start, work, gwork)  # fmt: skip
                if t[c] < duration[c]:
                    cases[n] = c
                    n += 1
        held = lane_scratch(link_a.size, y.shape[1], tab_h1.size + 1, fan_link.size,
                            src_module.size, consts.shape[1])  # fmt: skip
        _run_lanes(cases[:n], net, thr, out, ctl, tab, state, ops, work, gwork,
                   _ref(_borrowed(held)))  # fmt: skip
    return owned, owned_general, held


def lanes_apply(net, gen, sched, trig):
    """Whether :func:`integrate` runs a station's cases in lanes (section "Cases in lanes"):
    the lean model, no triggers, no scheduled events and no growing areas; the arguments are
    those of :func:`integrate`."""
    return bool(
        gen is None
        and trig[0].size == 0
        and sched[0].shape[1] == 0
        and not np.any(net[GROWTH_OF_LINK] >= 0)
    )


def integrate(
    net, gen, sched, trig, thr, out, gout, ctl, tab, state, ops, report_start, threads=None,
    lanes=True,
):  # fmt: skip
    """Integrate every case of a station to its end, in parallel over cases.

    Parameters
    ----------
    net : tuple
        The station's arrays, in the order of the constants of this module from ``RT_V`` to
        ``BREAKPOINTS``.
    gen : tuple or None
        The general model's arrays, in the order of the constants from ``GEN`` to
        ``QUANTITY``; None runs the lean model.
    sched : tuple
        ``(time (C, E), target (E,), opens (E,), done (C, E), last (C, E))`` of the
        scheduled events; ``time``, ``done`` and ``last`` are updated in place.
    trig : tuple
        The triggers (:mod:`leaksim.core.solver.kernel.events`); their state is updated in
        place.
    thr : tuple
        ``(sign (L,), share (C, L, M), level (C, L))``: threshold ``j`` is reached when
        ``sign p share <= level`` (lean model), or when ``sign v <= level`` with ``v`` the
        observed value ``gen[QUANTITY][j]`` (general model).
    out : tuple
        ``(t_out (T,), array (M', C', T), rows (C,), columns (M',))`` as
        :class:`~leaksim.core.solver.PressureOut`: the pressures.
    gout : tuple
        The temperatures, O2 and CO2 partial pressures of the general model, ``(M, C, T)``
        each (not written for the lean one).
    ctl : tuple
        ``(duration (C,), rtol (C,), atol (C, M), max_steps, exponent)``.
    tab : tuple
        ``(gamma, a, c, h1, h2, stage_time, d)`` of the Rosenbrock tableau.
    state : tuple
        ``(y, t, f, h, n_steps, n_rejected, status)``, per case; updated in place.
    ops : tuple
        ``(threshold_time, max_dp, source_on_time, source_amount, next_output, is_open)``,
        per case; updated in place.
    report_start : bool
        Report the outputs and thresholds at t = 0 (a run from the start), or skip the output
        times up to each case's start time (a resumed run).
    threads : int, optional
        Threads to run cases on; by default one per core (``os.cpu_count()``).
    lanes : bool, optional
        Run a lean station without triggers, scheduled events or growing areas in lanes
        (section "Cases in lanes"; the same bits); False runs every case alone.
    """
    in_lanes = lanes and lanes_apply(net, gen, sched, trig)
    if gen is None:
        # None for the general model's arrays: a lean run compiles and runs without them.
        gen, gout = (None,) * (QUANTITY + 1), (None,) * len(gout)
    if trig[0].size == 0:  # likewise a station without triggers
        trig = (None,) * len(trig)
    # One of the two first arguments is None: the run in lanes, or each case alone.
    arrays = (
        None if in_lanes else np.int64(1),
        np.int64(LANES) if in_lanes else None,
        *(*net, *gen, *sched, *trig, *thr, *out, *gout, *ctl, *tab, *state, *ops, report_start),
    )
    n_cases = state[0].shape[0]
    workers = max(1, min(threads or os.cpu_count() or 1, n_cases))
    if workers == 1:
        _integrate_range(*arrays[:2], 0, n_cases, 1, BLOCK, *arrays[2:])
        return
    # Several chunks per thread, taken as threads come free, so that a thread slowed by the
    # machine's other work takes fewer; each chunk every n-th block of cases, so that all cost
    # alike where the cost runs with the case index (a sweep of the hole's size: as runs of
    # consecutive cases, the last, of the largest holes, held a third of the work), and
    # blocks, not single cases, so that two threads seldom write one cache line. Each case is
    # integrated by one thread from its own rows only, so the chunking changes no bit.
    block = max(1, min(BLOCK, n_cases // (8 * workers)))  # eight chunks per thread at least
    n_chunks = min(-(-n_cases // block), 8 * workers)
    with ThreadPoolExecutor(workers) as pool:
        runs = [
            pool.submit(_integrate_range, *arrays[:2], first, n_cases, n_chunks, block, *arrays[2:])
            for first in range(n_chunks)
        ]
        for run in runs:
            run.result()
