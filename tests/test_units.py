"""Tests of leaksim.units: parsing quantities and converting them to SI at the public edge."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from leaksim.errors import LeaksimError, ScenarioError
from leaksim.units import SI_UNITS, parse_quantity, strings_to_si, to_si, ureg

# Exact conversion factors, NIST SP 811 (2008), Appendix B.
MMHG = 133.322387415  # conventional millimetre of mercury [Pa]
TORR = 101325.0 / 760.0  # [Pa]
PSI = 0.45359237 * 9.80665 / 0.0254**2  # lbf/in^2 [Pa]
POUND = 0.45359237  # [kg]


@pytest.mark.parametrize(
    ("text", "kind", "expected"),
    [
        ("760 mmHg", "pressure", 760 * MMHG),
        ("760 torr", "pressure", 101325.0),
        ("1 atm", "pressure", 101325.0),
        ("14.7 psi", "pressure", 14.7 * PSI),
        ("1.01325 bar", "pressure", 101325.0),
        ("101.325 kPa", "pressure", 101325.0),
        ("22 degC", "temperature", 295.15),
        ("71.6 degF", "temperature", 295.15),
        ("295.15 K", "temperature", 295.15),
        ("5 mm", "length", 0.005),
        ("106 m^3", "volume", 106.0),
        ("1000 L", "volume", 1.0),
        ("0.5 m^2", "area", 0.5),
        ("0.05 mm^2", "area", 0.05e-6),
        ("6 h", "time", 21600.0),
        ("5 min", "time", 300.0),
        ("3.7 lb/day", "mass_flow", 3.7 * POUND / 86400.0),
        ("2 W/(m^2*K)", "heat_transfer_coefficient", 2.0),
        ("-1 mmHg/min", "pressure_rate", -MMHG / 60.0),
    ],
)
def test_to_si_converts_strings_to_si(text, kind, expected):
    value = to_si(text, kind)
    assert value.shape == ()
    assert float(value) == pytest.approx(expected, rel=1e-12)


def test_760_mmHg_is_not_exactly_one_atmosphere():
    # The conventional mmHg (13.5951 g/cm^3 mercury, standard gravity) makes 760 mmHg
    # 0.0144 Pa more than 1 atm; torr is the unit defined as 1/760 atm.
    assert float(to_si("760 mmHg", "pressure")) - 101325.0 == pytest.approx(0.01443541, rel=1e-6)
    assert float(to_si("760 torr", "pressure")) == pytest.approx(101325.0, rel=1e-15)


def test_to_si_accepts_quantities():
    assert float(to_si(ureg.Quantity(5, "mm"), "length")) == pytest.approx(0.005, rel=1e-15)
    assert float(to_si(ureg.Quantity(22, "degC"), "temperature")) == pytest.approx(295.15)


def test_to_si_of_a_list_gives_one_value_per_entry():
    values = to_si(["2 mm", ureg.Quantity(5, "mm"), "1.2 cm"], "length")
    assert values.shape == (3,)
    np.testing.assert_allclose(values, [0.002, 0.005, 0.012], rtol=1e-12)


def test_to_si_of_an_array_quantity_converts_offset_units_elementwise():
    values = to_si(ureg.Quantity(np.array([20.0, 30.0]), "degC"), "temperature")
    np.testing.assert_allclose(values, [293.15, 303.15], rtol=1e-12)


@pytest.mark.parametrize("kind", sorted(SI_UNITS))
def test_every_kind_accepts_its_si_unit(kind):
    assert float(to_si(f"1 {SI_UNITS[kind]}", kind)) == pytest.approx(1.0, rel=1e-15)


@pytest.mark.parametrize("bare", [60, 60.0, np.float64(60.0), True])
def test_bare_numbers_are_refused(bare):
    with pytest.raises(ScenarioError, match="volume needs a unit") as info:
        to_si(bare, "volume")
    assert "bare number" in str(info.value)


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("5 kg", "must have the dimension of m^3, got '5 kg'"),
        ("60", "needs a unit"),
        ("", "empty string"),
        ("60 blargs^3", "cannot read '60 blargs^3' as a volume"),
        ("nan m^3", "must be finite, got 'nan m^3'"),
        ("inf m^3", "must be finite, got 'inf m^3'"),
        (ureg.Quantity(math.nan, "m^3"), "must be finite"),
        (["1 m^3", "-inf m^3"], "must be finite"),
        ([], "at least one value, got []"),
        (None, "must be a quantity string"),
        ({"value": 1}, "must be a quantity string"),
    ],
)
def test_bad_values_are_refused_with_the_rule_and_value(value, fragment):
    with pytest.raises(ScenarioError) as info:
        to_si(value, "volume")
    assert fragment in str(info.value)


def test_scenario_error_is_a_value_error_and_a_leaksim_error():
    with pytest.raises(ValueError):
        to_si("5 kg", "volume")
    with pytest.raises(LeaksimError):
        to_si("5 kg", "volume")


def test_parse_quantity_keeps_the_unit_given():
    q = parse_quantity("760 mmHg", "pressure")
    assert q.units == ureg.mmHg
    assert q.magnitude == 760


@settings(max_examples=100, deadline=None)
@given(st.floats(min_value=1e-3, max_value=1e7, allow_nan=False, allow_infinity=False))
def test_pressure_units_agree(pressure):
    """kPa, psi, mmHg and bar strings of one pressure give the same Pa value."""
    texts = {
        f"{pressure / 1e3!r} kPa": 1e-12,
        f"{pressure / PSI!r} psi": 1e-12,
        f"{pressure / MMHG!r} mmHg": 1e-12,
        f"{pressure / 1e5!r} bar": 1e-12,
    }
    for text, rel in texts.items():
        assert float(to_si(text, "pressure")) == pytest.approx(pressure, rel=rel)


# --- temperatures that are not temperatures -----------------------------------------------


@pytest.mark.parametrize(
    ("text", "hint"),
    [
        ("22 C", "pint reads 'C' as the coulomb: write 'degC'"),
        ("72 F", "pint reads 'F' as the farad: write 'degF'"),
    ],
)
def test_a_temperature_in_coulombs_or_farads_gets_a_hint(text, hint):
    with pytest.raises(ScenarioError, match="must have the dimension of K") as info:
        to_si(text, "temperature")
    assert hint in str(info.value)


def test_the_hint_is_only_for_temperatures():
    with pytest.raises(ScenarioError) as info:
        to_si("22 C", "pressure")
    assert "degC" not in str(info.value)


@pytest.mark.parametrize(
    "value",
    ["10 delta_degC", "18 delta_degF", ureg.Quantity(10, "delta_degC"), ["300 K", "10 delta_degC"]],
)
def test_a_temperature_difference_is_not_a_temperature(value):
    # pint gives "10 delta_degC" the dimension of a temperature; as a gas temperature it
    # would be 10 K, which nobody meant.
    with pytest.raises(ScenarioError, match="not a temperature difference"):
        to_si(value, "temperature")


# --- the reading without pint's parser gives pint's floats -----------------------------------

UNITS = [
    ("mm", "length"),
    ("in", "length"),
    ("mm^2", "area"),
    ("ft**2", "area"),
    ("m^3", "volume"),
    ("L", "volume"),
    ("mmHg", "pressure"),
    ("psi", "pressure"),
    ("kPa", "pressure"),
    ("degC", "temperature"),
    ("degF", "temperature"),
    ("K", "temperature"),
    ("min", "time"),
    ("day", "time"),
    ("lb/day", "mass_flow"),
    ("kg / s", "mass_flow"),
    ("mm^2/day", "area_rate"),
    ("mmHg/min", "pressure_rate"),
    ("ft^3/min", "volume_flow"),
]
magnitudes = st.floats(min_value=-1e12, max_value=1e12, allow_nan=False, allow_infinity=False)


def by_pint(text, kind):
    return float(parse_quantity(text, kind).m_as(SI_UNITS[kind]))


@given(
    magnitudes, st.sampled_from(UNITS), st.sampled_from(["{x!r} {u}", "{x!r}{u}", " {x:e}  {u} "])
)
def test_a_number_and_a_unit_read_as_pint_reads_them(x, unit, form):
    u, kind = unit
    text = form.format(x=x, u=u)
    assert float(to_si(text, kind)) == by_pint(text, kind)


@given(st.lists(magnitudes, min_size=1, max_size=30), st.sampled_from(UNITS))
def test_a_list_reads_as_its_entries_one_by_one(xs, unit):
    u, kind = unit
    texts = [f"{x!r} {u}" for x in xs]
    np.testing.assert_array_equal(to_si(texts, kind), [by_pint(t, kind) for t in texts])


def test_a_list_may_mix_units_and_forms():
    texts = ["2 mm", "0.5 cm", "1e-3 m", "3mm", "(1 + 1) * 1 mm"]
    np.testing.assert_array_equal(to_si(texts, "length"), [by_pint(t, "length") for t in texts])


@pytest.mark.parametrize(
    "texts",
    [
        ["1 mm", ureg.Quantity(1, "mm")],  # not only strings
        ["1 mm", "2 * 3 mm"],  # an expression
        ["1 mm", "2 blargs"],  # an unknown unit
        ["1 mm", "2 kg"],  # another dimension
        ["1 mm", "0005 mm"],  # a leading zero, which pint reads as 0
        ["1 mm", "1_0 mm"],
        ["1 mm", "\u0661\u0662 mm"],  # digits of another script, which float() reads
        [],
    ],
)
def test_strings_to_si_leaves_what_pint_must_read_to_pint(texts):
    assert strings_to_si(texts, "length") is None


def test_pint_keeps_its_own_reading_of_a_leading_zero():
    # pint's tokenizer splits "0005" into 0 and 005; the quick reading leaves it to pint
    assert float(to_si("0005 mm", "length")) == by_pint("0005 mm", "length")


def test_a_long_list_costs_one_pint_parse_per_unit(monkeypatch):
    import leaksim.units

    calls = []
    parse = ureg.parse_expression
    monkeypatch.setattr(ureg, "parse_expression", lambda text: calls.append(text) or parse(text))
    leaksim.units._short_unit.cache_clear()
    texts = [f"{i + 1} mm" for i in range(5000)] + ["7 cm"]
    values = to_si(texts, "length")
    assert sorted(calls) == ["cm", "mm"]
    assert values[0] == 0.001 and values[-1] == pytest.approx(0.07, rel=1e-15)


def test_one_long_string_does_not_widen_the_whole_list():
    # a numpy string array gives every entry the room of the longest; 100,000 entries and
    # one of a megabyte would ask for 400 GB
    texts = ["1 mm"] * 100_000 + ["2" * 1_000_000 + " mm"]
    assert strings_to_si(texts, "length") is None
    with pytest.raises(ScenarioError, match="length must be finite"):
        to_si(texts, "length")


def test_a_comma_inside_a_quantity_is_refused():
    # pint reads "2 m^3, 3" as the product 6 m^3; a comma is never part of one value.
    with pytest.raises(ScenarioError, match="a comma separates values"):
        to_si("2 m^3, 3", "volume")


def test_a_long_list_in_a_message_is_shown_by_its_ends():
    from leaksim.units import _show

    text = _show([f"{i} mm" for i in range(1000)])
    assert text.startswith("['0 mm', '1 mm'") and "..." in text and "'999 mm'" in text
    assert "(1000 values)" in text and len(text) < 120
