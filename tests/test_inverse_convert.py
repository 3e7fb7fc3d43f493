"""Conversions between the ways a leak is stated: published figures and round trips."""

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from leaksim.errors import ScenarioError
from leaksim.inverse import convert_leak
from leaksim.stations import PRK_LEAK_AREA
from leaksim.units import to_si

LB = 0.45359237


def test_prk_rate_gives_the_canned_station_area():
    # NASA OIG IG-24-020: 3.7 lb/day (April 2024); leaksim.stations.iss() derives Cd A
    # 8.149e-8 m^2 from it at 760 mmHg, 22 degC, rounded to 0.0815 mm^2 (0.1 %).
    forms = convert_leak("3.7 lb/day")
    assert forms.effective_area == pytest.approx(8.149e-8, rel=2e-4)
    assert forms.effective_area == pytest.approx(float(to_si(PRK_LEAK_AREA, "area")), rel=2e-3)


def test_soyuz_ms09_pressure_rate_gives_about_1_1_mm():
    # REFERENCE-DATA: station pressure fell about 0.8 mbar/h over 916 m^3; "the measured rate
    # implies an effective diameter near 1.1 mm" (Cd = 1); a clean 2 mm hole would give about
    # 2.5 mbar/h. Tolerance 5 %: the published figures have two digits.
    forms = convert_leak("0.8 mbar/h", volume="916 m^3", discharge_coefficient=1.0)
    assert forms.equivalent_diameter == pytest.approx(1.1e-3, rel=0.05)
    hole = convert_leak("2 mm", volume="916 m^3", discharge_coefficient=1.0)
    assert hole.pressure_rate * 3600 / 100 == pytest.approx(2.5, rel=0.1)


def test_one_mmhg_in_8_hours_is_about_three_times_1_4_kg_per_day():
    # REFERENCE-DATA: Roscosmos's "1 mmHg in 8 hours" station-wide (Oct 2020) is about 3x the
    # 1.4 kg/day figure over 916 m^3.
    forms = convert_leak("1 mmHg / (8 h)", volume="916 m^3")
    assert forms.mass_rate * 86400 / 1.4 == pytest.approx(3.0, rel=0.1)


def test_pressure_rate_is_rt_over_v_times_mass_rate():
    forms = convert_leak("1 kg/day", volume="10 m^3", temperature="300 K")
    r = 8.314462618 / 28.9645e-3  # dry air, US Standard Atmosphere 1976
    assert forms.pressure_rate == pytest.approx(r * 300 / 10 / 86400, rel=1e-3)
    assert forms.time_constant == pytest.approx(forms.pressure / forms.pressure_rate, rel=1e-12)


FORMS = ["mass_rate", "pressure_rate", "effective_area", "equivalent_diameter", "time_constant"]
UNITS = {
    "mass_rate": "kg/s",
    "pressure_rate": "Pa/s",
    "effective_area": "m^2",
    "equivalent_diameter": "m",
    "time_constant": "s",
}


@given(
    area=st.floats(1e-10, 1e-3),
    volume=st.floats(1.0, 2000.0),
    pressure=st.floats(1e3, 2e5),
    cd=st.floats(0.1, 1.0),
)
def test_every_form_round_trips(area, volume, pressure, cd):
    kw = dict(volume=f"{volume!r} m^3", pressure=f"{pressure!r} Pa", discharge_coefficient=cd)
    base = convert_leak(f"{area!r} m^2", **kw)
    for form in FORMS:
        again = convert_leak(f"{getattr(base, form)!r} {UNITS[form]}", **kw)
        for other in FORMS:
            assert getattr(again, other) == pytest.approx(getattr(base, other), rel=1e-9)


def test_lb_and_kg_give_the_same_area():
    a = convert_leak("1 lb/day").effective_area
    b = convert_leak(f"{LB!r} kg/day").effective_area
    assert a == pytest.approx(b, rel=1e-12)


def test_to_dict_states_every_unit():
    d = convert_leak("3.7 lb/day", volume="5 m^3").to_dict()
    assert d["mass_rate_lb_per_day"] == pytest.approx(3.7)
    assert d["mass_rate_kg_per_day"] == pytest.approx(3.7 * LB)
    assert d["pressure_rate_mbar_per_h"] == pytest.approx(
        d["pressure_rate_mmHg_per_day"] * 133.322387415 / 100 / 24
    )
    assert not math.isnan(d["pressure_rate_psi_per_day"])


@pytest.mark.parametrize(
    "value, kw, words",
    [
        ("3 kg", {}, "mass rate"),
        ("1 mmHg/day", {}, "volume"),
        ("-2 lb/day", {}, "> 0"),
        ("0 mm^2", {}, "> 0"),
        (3.7, {}, "quantity"),
        ("3.7 lb/day", {"volume": "-5 m^3"}, "volume"),
        ("3.7 lb/day", {"discharge_coefficient": 1.5}, "discharge_coefficient"),
        ("3.7 lb/day", {"gas": "Xe"}, "gas"),
    ],
)
def test_bad_input_names_the_parameter(value, kw, words):
    with pytest.raises(ScenarioError, match=words):
        convert_leak(value, **kw)


def test_a_falling_pressure_rate_of_either_sign_is_a_leak():
    up = convert_leak("2 mmHg/day", volume="5 m^3").mass_rate
    down = convert_leak("-2 mmHg/day", volume="5 m^3").mass_rate
    assert up == down > 0


def test_only_the_top_layers_import_the_inverse_package():
    # inverse sits above the scenario layer: no core or scenario module may import it
    import ast
    from pathlib import Path

    import leaksim

    root = Path(leaksim.__file__).parent
    allowed = {"__init__.py", "cli.py"}
    for path in root.glob("*.py"):
        if path.name in allowed:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.level:
                assert not (node.module or "").startswith("inverse"), path.name
                assert "inverse" not in [a.name for a in node.names], path.name


@pytest.mark.parametrize("value", ["1e308 lb/day", "1e-320 lb/day", "1e306 mm^2", "1e-310 day"])
def test_a_leak_out_of_floating_range_is_refused(value):
    with pytest.raises(ScenarioError, match="out of range"):
        convert_leak(value, volume="5 m^3")


@given(
    mantissa=st.floats(1.0, 9.99),
    exponent=st.integers(-330, 330),
    unit=st.sampled_from(["lb/day", "mmHg/day", "mm^2", "mm", "day"]),
)
def test_every_leak_accepted_is_valid_json(mantissa, exponent, unit):
    # a leak is either refused or stated with every number finite: JSON has no inf or NaN
    import json

    try:
        forms = convert_leak(f"{mantissa:.3f}e{exponent} {unit}", volume="5 m^3")
    except ScenarioError:
        return
    json.dumps(forms.to_dict(), allow_nan=False)
    assert "effective_area = " in forms.lines()[-1]


def test_what_to_paste_in_a_scenario_file_gives_the_leak_converted():
    # NASA OIG IG-24-020: 3.7 lb/day at 760 mmHg, 22 degC. Pasted as area with the [[leak]]
    # default Cd, the simulator must lose 3.7 lb/day at the start, not 0.6 x 3.7; tolerance
    # 0.1 %: the pasted value has four figures and the simulator's decay is exact to 1e-6.
    from leaksim import Leak, Module, Scenario, Station
    from leaksim.station import LEAK_DISCHARGE_COEFFICIENT

    forms = convert_leak("3.7 lb/day")
    paste = forms.scenario_leak()
    assert paste["default_discharge_coefficient"] == LEAK_DISCHARGE_COEFFICIENT
    volume, hour = 5.0, 3600.0
    for leak in (
        Leak("M", area=paste["area_at_default_cd"]),
        Leak("M", effective_area=paste["effective_area"]),
    ):
        station = Station([Module("M", f"{volume} m^3")], leaks=[leak])
        p = Scenario(station, duration="1 h", output_interval="1 h").run().pressure.m_as("Pa")
        p0, p1 = p[0, 0, 0], p[0, 0, -1]
        r = 8.314462618 / 28.9645e-3  # dry air, US Standard Atmosphere 1976
        rate = p0 * volume / (r * 295.15) * math.log(p0 / p1) / hour  # m0 / tau [kg/s]
        assert rate * 86400 / LB == pytest.approx(3.7, rel=1e-3)
    line = forms.lines()[-1]
    assert line == (
        'in a scenario file, paste as effective_area = "0.08149 mm^2" in [[leak]] '
        '(or area = "0.1358 mm^2" with the default Cd 0.6)'
    )
    assert forms.to_dict()["scenario_leak"]["effective_area"] == "0.08149 mm^2"
