"""Per-case SI arrays handed to station objects (as sweeps do): checked like lists, no units."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from leaksim._params import SIValues
from leaksim.errors import ScenarioError
from leaksim.station import Hatch, Leak, Module
from leaksim.units import ureg

positive = arrays(
    float, st.integers(1, 20), elements=st.floats(1e-6, 1e3, allow_nan=False, allow_infinity=False)
)


@given(positive)
def test_si_values_give_what_a_quantity_list_gives(values):
    by_si = Leak(
        "Lab", diameter=SIValues(values, "m"), discharge_coefficient=SIValues(0.5 + 0 * values)
    )
    by_quantity = Leak("Lab", diameter=ureg.Quantity(values, "m"), discharge_coefficient=0.5)
    np.testing.assert_array_equal(by_si.si["diameter"], by_quantity.si["diameter"])
    np.testing.assert_array_equal(by_si.flow_area, by_quantity.flow_area)
    assert by_si.si["discharge_coefficient"].shape == values.shape


def test_si_values_in_another_spelling_of_the_unit_are_converted_once():
    module = Module("Lab", volume="10 m^3", pressure=SIValues([101325.0, 50000.0], "kg/m/s**2"))
    np.testing.assert_array_equal(module.si["pressure"], [101325.0, 50000.0])


def test_a_bad_entry_is_named_with_its_position():
    with pytest.raises(
        ScenarioError, match=r"diameter must be > 0 m, got -0.002 m \(entry 2 of 3\)"
    ):
        Leak("Lab", diameter=SIValues([0.001, -0.002, 0.003], "m"), name="hole")


def test_a_number_out_of_its_interval_is_named():
    with pytest.raises(ScenarioError, match=r"discharge_coefficient must be in \(0, 1\], got 1.5"):
        Leak("Lab", diameter="1 mm", discharge_coefficient=SIValues([0.6, 1.5]))


def test_values_of_the_wrong_dimension_are_refused_with_their_place():
    with pytest.raises(ScenarioError, match="leak 'hole'.*diameter must be in m, got values in s"):
        Leak("Lab", diameter=SIValues([1.0, 2.0], "s"), name="hole")


def test_never_is_inf_for_event_times_only():
    hatch = Hatch(["A", "B"], area="1 m^2", close_at=SIValues([60.0, np.inf], "s"))
    np.testing.assert_array_equal(hatch.si["close_at"], [60.0, np.inf])
    with pytest.raises(ScenarioError, match="finite"):
        Module("Lab", volume=SIValues([1.0, np.inf], "m**3"))


# --- sizes beyond any station --------------------------------------------------------------


@pytest.mark.parametrize(
    ("build", "fragment"),
    [
        (lambda: Module("Lab", volume="1e-300 m^3"), "volume must be between 1e-20 and 1e+20 m^3"),
        (lambda: Module("Lab", volume="1e300 m^3"), "got '1e300 m^3'"),
        (lambda: Leak("Lab", diameter="1e100 m"), "diameter must be between 1e-20 and 1e+20 m"),
        (
            lambda: Leak("Lab", diameter=["1 mm", "1e-25 mm"]),
            "got '1e-25 mm' (entry 2 of 2)",
        ),
        (
            lambda: Module("Lab", volume=SIValues([1.0, 1e-300], "m**3")),
            "(entry 2 of 2)",
        ),
        (
            lambda: Leak("Lab", area="1 mm^2", growth={"rate": "-1e-30 m^2/s"}),
            "growth.rate must be 0 or of a size between 1e-20 and 1e+20 m^2/s",
        ),
    ],
)
def test_values_of_no_plausible_size_are_refused(build, fragment):
    with pytest.raises(ScenarioError) as info:
        build()
    assert fragment in str(info.value)
    assert "float64" in str(info.value)


def test_zero_and_the_ends_of_the_plausible_range_are_accepted():
    module = Module("Lab", volume="1e-20 m^3", pressure="0 Pa", wall_area="1e20 m^2")
    assert float(module.si["pressure"]) == 0.0
    np.testing.assert_array_equal(module.si["volume"], 1e-20)
    grown = Leak("Lab", area="1 mm^2", growth={"rate": "0 m^2/s"})
    assert float(grown.si["growth.rate"]) == 0.0


# --- lists of strings -----------------------------------------------------------------------


def test_event_lists_mix_times_and_never():
    hatch = Hatch(["A", "B"], area="1 m^2", close_at=["1 min", "never", None, "2 h"])
    np.testing.assert_array_equal(hatch.si["close_at"], [60.0, np.inf, np.inf, 7200.0])


def test_a_bad_entry_of_a_long_string_list_is_named():
    values = [f"{i + 1} mm" for i in range(10_000)]
    values[7_000] = "-3 mm"
    with pytest.raises(ScenarioError, match=r"got '-3 mm' \(entry 7001 of 10000\)"):
        Leak("Lab", diameter=values)


def test_did_you_mean_finds_a_name_that_differs_in_case():
    from leaksim._params import did_you_mean

    assert did_you_mean("a", ["A", "B"]) == " (did you mean 'A'?)"
    assert did_you_mean("node1", ["Lab", "Node1"]) == " (did you mean 'Node1'?)"
    assert did_you_mean("zzz", ["Lab", "Node1"]) == ""
