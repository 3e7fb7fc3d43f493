import dataclasses

import numpy as np
import pytest
from helpers import ATM, SPECIES, T0, X_AIR, air_properties, one_module, two_modules
from hypothesis import given, settings
from hypothesis import strategies as st

from leaksim.core.flow import orifice_mass_flow
from leaksim.core.gas import MOLAR_GAS_CONSTANT, mixture_molar_mass, species_properties
from leaksim.core.model import build_model
from leaksim.core.network import Links, Modules, Network, case_rows, on_case_rows

AIR_MOLAR_MASS = float(mixture_molar_mass(X_AIR, species_properties(SPECIES)[0]))


def test_leak_rhs_equals_choked_orifice_flow():
    net = one_module(volume=10.0, area=2e-4, cd=0.7)
    model = build_model(net)
    dy = model.rhs(model.initial_state(), net.links.initially_open)
    r, gamma = air_properties()
    mdot = orifice_mass_flow(ATM, T0, 0.0, 2e-4, 0.7, r, gamma)
    assert dy[0, 0] * AIR_MOLAR_MASS == pytest.approx(-mdot, rel=1e-12)


@settings(deadline=None)
@given(
    st.floats(1e3, 2e5),
    st.floats(1e3, 2e5),
    st.floats(150, 400),
    st.floats(150, 400),
    st.sampled_from(["isothermal", "adiabatic", "wall"]),
    st.booleans(),
)
def test_closed_station_rhs_conserves_moles_and_energy(pa, pb, ta, tb, energy, reduce):
    net = two_modules(
        pressures=(pa, pb),
        temperatures=[ta, tb],
        hole_area=0.0,
        energy=energy,
        wall_area=0.0,
        wall_heat_transfer=0.0,
    )
    model = build_model(net, reduce_composition=reduce)
    dy = model.rhs(model.initial_state(), net.links.initially_open).reshape(2, -1)
    scale = np.abs(dy).max() + 1e-30
    assert abs(dy.sum(axis=0)).max() <= 1e-12 * scale
    if abs(pa - pb) > 1e-9 * max(pa, pb):
        high = 0 if pa > pb else 1
        assert dy[high, 0] < 0


def test_uniform_reduction_matches_every_species():
    net = two_modules(pressures=(ATM, 0.8 * ATM), energy="adiabatic")
    full = build_model(net, reduce_composition=False)
    reduced = build_model(net)
    assert reduced.n_state == 4 and full.n_state == 2 * (len(SPECIES) + 1)
    d_full = full.rhs(full.initial_state(), net.links.initially_open).reshape(2, -1)
    d_red = reduced.rhs(reduced.initial_state(), net.links.initially_open).reshape(2, -1)
    np.testing.assert_allclose(d_full[:, :-1].sum(axis=1), d_red[:, 0], rtol=1e-12)
    np.testing.assert_allclose(d_full[:, -1], d_red[:, -1], rtol=1e-12)


def test_back_pressure_above_module_pushes_gas_in():
    net = one_module(pressure=0.5 * ATM)
    net = net.replace(links=dataclasses.replace(net.links, boundary_pressure=ATM))
    model = build_model(net)
    assert model.rhs(model.initial_state(), net.links.initially_open)[0, 0] > 0


def test_observe_reports_ideal_gas_pressure_and_o2_share():
    net = one_module(volume=[5.0, 50.0], pressure=[ATM, 0.5 * ATM], area=[1e-4, 1e-4])
    model = build_model(net)
    p, t, o2, _ = model.observe(model.initial_state())
    np.testing.assert_allclose(p[:, 0], [ATM, 0.5 * ATM], rtol=1e-14)
    np.testing.assert_allclose(o2 / p, X_AIR[SPECIES.index("O2")], rtol=1e-14)
    n = model.initial_state()[:, 0]
    np.testing.assert_allclose(n, np.array([ATM * 5, 0.5 * ATM * 50]) / (MOLAR_GAS_CONSTANT * T0))


def test_network_broadcasts_case_axis():
    net = one_module(volume=[1.0, 2.0, 3.0], area=1e-4)
    assert net.n_cases == 3
    assert net.links.area.shape == (3, 1)
    assert net.take(np.array([2])).modules.volume[0, 0] == 3.0


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (dict(energy="cold"), "energy"),
        (dict(b=[5]), "index modules"),
        (dict(area=np.ones((2, 3))), "broadcast"),
        (dict(b=[-1, -1]), "equal lengths"),
    ],
)
def test_network_rejects_inconsistent_arrays(change, words):
    modules = Modules(
        volume=[[1.0]], initial_pressure=ATM, initial_temperature=T0, initial_mole_fraction=X_AIR
    )
    links = dict(a=[0], b=[-1], area=1e-4, discharge_coefficient=0.6, initially_open=True)
    energy = change.pop("energy", "isothermal")
    links.update(change)
    with pytest.raises(ValueError, match=words):
        Network(species=SPECIES, modules=modules, links=Links(**links), energy=energy)


def _one_gas_network(fraction, species=("N2", "O2")):
    modules = Modules(
        volume=[[1.0, 2.0]], initial_pressure=ATM, initial_temperature=T0,
        initial_mole_fraction=fraction,
    )  # fmt: skip
    links = Links(a=[0], b=[-1], area=[[1e-6]], discharge_coefficient=[[0.6]], initially_open=True)
    return Network(species=species, modules=modules, links=links)


@pytest.mark.parametrize(
    ("fraction", "expected"),
    [(0.5, [0.5, 0.5]), ([0.79, 0.21], [0.79, 0.21]), ([[[0.79, 0.21], [0.5, 0.5]]], None)],
)
def test_mole_fractions_broadcast_over_species_modules_and_cases(fraction, expected):
    x = _one_gas_network(fraction).modules.initial_mole_fraction
    assert x.shape == (1, 2, 2)
    if expected is not None:
        np.testing.assert_array_equal(x[0, 0], expected)
        np.testing.assert_array_equal(x[0, 1], expected)
    np.testing.assert_allclose(x.sum(axis=-1), 1.0, rtol=0, atol=1e-15)


@pytest.mark.parametrize("fraction", [1.0, [[1.0]], [0.6, 0.6], [-0.5, 1.5]])
def test_mole_fractions_that_do_not_sum_to_one_per_module_are_refused(fraction):
    # A scalar 1.0 is every species' fraction: 2 in all with two species.
    with pytest.raises(ValueError, match="sum to 1 in every module"):
        _one_gas_network(fraction)


def test_mole_fractions_of_the_wrong_species_count_name_the_shape():
    with pytest.raises(ValueError, match=r"initial_mole_fraction has shape \(3,\)"):
        _one_gas_network([0.5, 0.3, 0.2])


def test_values_given_once_stay_one_row_shared_by_the_cases():
    # A sweep of the hole: the volumes, pressures and composition are one row for 1,000
    # cases (no copy per case), read-only, so a write cannot change every case at once.
    net = two_modules(hole_area=np.geomspace(1e-6, 1e-4, 1000))
    for array in (net.modules.volume, net.modules.initial_mole_fraction):
        assert array.shape[0] == 1000 and array.strides[0] == 0
        with pytest.raises(ValueError, match="read-only"):
            array[0] = 1.0
    assert net.links.area.strides[0] != 0  # given per case: a copy of its own
    rows = case_rows(net.modules.volume)
    np.testing.assert_array_equal(rows, [[60.0, 40.0]])
    assert case_rows(net.links.area).shape == (1000, 2)


@settings(max_examples=30, deadline=None)
@given(
    shared=st.lists(st.booleans(), min_size=2, max_size=2),
    n=st.integers(1, 6),
    seed=st.integers(0, 2**16),
)
def test_on_case_rows_gives_the_bits_of_the_full_computation(shared, n, seed):
    rng = np.random.default_rng(seed)
    arrays = [
        np.broadcast_to(rng.uniform(1.0, 2.0, (1, 3)), (n, 3))
        if s
        else rng.uniform(1.0, 2.0, (n, 3))
        for s in shared
    ]

    def law(p, v):
        return np.sqrt(p * v) / (v + 1.0)

    got = on_case_rows(law, *arrays)
    assert got.shape == (n, 3)
    np.testing.assert_array_equal(got, law(*(np.array(a) for a in arrays)))
    if n > 1:  # one row shared only where every input is
        assert (got.strides[0] == 0) == all(shared)


@settings(max_examples=20, deadline=None)
@given(
    take=st.lists(st.integers(0, 5), min_size=1, max_size=6),
    computed_first=st.booleans(),
    energy=st.sampled_from(["isothermal", "adiabatic"]),
)
def test_lazy_model_arrays_of_taken_cases_equal_the_full_models_rows(take, computed_first, energy):
    # Six cases of different temperatures, back pressures and fans: a model's arrays computed
    # on first use are the same per case whether computed before or after take().
    net = two_modules(
        hole_area=np.linspace(1e-5, 6e-5, 6),
        temperatures=np.linspace(280.0, 300.0, 6)[:, None],
        energy=energy,
    )
    vent = np.linspace(0.0, 0.05, 6)[:, None] * [1.0, 0.0]
    back = np.linspace(0.0, 500.0, 6)[:, None] * [0.0, 1.0]
    net = net.replace(
        links=dataclasses.replace(net.links, ventilation=vent, boundary_pressure=back)
    )
    full = build_model(net, reduce_composition=False)
    cases = np.array(take)
    if computed_first:
        _ = full._mm0, full._cp0, full._src_h, full._flow_constants, full._boundary_side
        _ = full._fans
    part = full.take(cases)
    for name in ("_mm0", "_cp0", "_src_h"):
        np.testing.assert_array_equal(getattr(part, name), getattr(full, name)[cases])
    for mine, theirs in zip(part._flow_constants, full._flow_constants, strict=True):
        np.testing.assert_array_equal(mine, theirs[cases])
    for key, value in part._boundary_side.items():
        np.testing.assert_array_equal(value, full._boundary_side[key][cases], err_msg=key)
    np.testing.assert_array_equal(part._fan_a, full._fan_a[cases][:, : part._fan_a.shape[1]])
