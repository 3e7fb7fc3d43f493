import numpy as np
import pytest

from leaksim.core.gas import (
    AIR,
    MOLAR_GAS_CONSTANT,
    SPECIES,
    heat_capacity_ratio,
    mixture_molar_heat_capacity,
    mixture_molar_mass,
    mole_fractions,
    species_properties,
    specific_gas_constant,
)


def test_air_molar_mass_matches_standard_atmosphere():
    # U.S. Standard Atmosphere 1976: sea-level mean molar mass 28.9644 g/mol (with traces).
    names = tuple(AIR)
    molar_mass, _ = species_properties(names)
    x = np.array([mole_fractions("air")[n] for n in names])
    assert mixture_molar_mass(x, molar_mass) == pytest.approx(28.9644e-3, rel=1e-4)


def test_air_is_diatomic_gamma_and_gas_constant():
    names = tuple(AIR)
    molar_mass, cp = species_properties(names)
    x = np.array([mole_fractions("air")[n] for n in names])
    # Textbook air: gamma = 1.40, R = 287.05 J/(kg K).
    assert heat_capacity_ratio(mixture_molar_heat_capacity(x, cp)) == pytest.approx(1.40, abs=2e-3)
    assert specific_gas_constant(mixture_molar_mass(x, molar_mass)) == pytest.approx(
        287.05, rel=2e-4
    )


def test_monatomic_argon_has_gamma_five_thirds():
    _, cp = species_properties(("Ar",))
    assert heat_capacity_ratio(cp[0]) == pytest.approx(5 / 3, rel=1e-3)


def test_required_species_are_present():
    assert {"N2", "O2", "Ar", "CO2", "H2O"} <= set(SPECIES)
    assert MOLAR_GAS_CONSTANT == 8.314462618


def test_mole_fractions_forms():
    assert mole_fractions("O2") == {"O2": 1.0}
    assert sum(mole_fractions("air").values()) == pytest.approx(1.0, abs=1e-15)
    mix = mole_fractions({"N2": 0.79, "O2": 0.21})
    assert mix["O2"] == pytest.approx(0.21)


@pytest.mark.parametrize(
    ("gas", "words"),
    [
        ("Xe", "'Xe'"),
        ({"N2": 0.5, "O2": 0.2}, "sum to 1"),
        ({"N2": 1.2, "O2": -0.2}, ">= 0"),
        ({"N3": 1.0}, "'N3'"),
        ({"N2": float("nan")}, "finite"),
    ],
)
def test_mole_fractions_reject_bad_gas(gas, words):
    with pytest.raises(ValueError, match=words):
        mole_fractions(gas)


def test_mixture_functions_broadcast_over_leading_axes():
    names = ("N2", "O2")
    molar_mass, cp = species_properties(names)
    x = np.array([[[1.0, 0.0], [0.0, 1.0], [0.5, 0.5]]] * 4)  # (4, 3, 2)
    m = mixture_molar_mass(x, molar_mass)
    assert m.shape == (4, 3)
    np.testing.assert_allclose(m[0], [molar_mass[0], molar_mass[1], molar_mass.mean()])
    assert mixture_molar_heat_capacity(x, cp).shape == (4, 3)
