"""Hostile inputs: random valid scenario files and random corruptions of them.

Every outcome must be either a correct result (pressures finite and never negative, no failed
case for these well-posed scenarios, the amount of gas never rising and conserved to 1e-9
relative when the station has no hole: ``_checks.check_result``) or the documented clear error:
a ScenarioError, which is a ValueError, whose message is one line. Never another exception, a
hang or a NaN. ``HYPOTHESIS_PROFILE=long``, ``LEAKSIM_FUZZ=long`` or ``pytest --long-fuzz``
runs many more examples.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from leaksim import loads_scenario
from leaksim.errors import ScenarioError

from ._checks import check_result

volumes = st.sampled_from(["0.5 m^3", "5 m^3", "60 m^3", "916 m^3", "2000 L"])
pressures = st.sampled_from(["760 mmHg", "101.3 kPa", "14.7 psi", "0.1 bar", "5 Pa"])
temperatures = st.sampled_from(["22 degC", "300 K", "-40 degC", "80 degF"])
sizes = st.sampled_from(
    [
        'diameter = "1 um"',
        'diameter = "5 mm"',
        'diameter = "1 m"',
        'area = "2 cm^2"',
        'area = "0.5 m^2"',
    ]
)
durations = st.sampled_from(["1 s", "10 min", "6 h", "30 day", "1 year"])
energies = st.sampled_from(["isothermal", "adiabatic"])


@st.composite
def scenario_text(draw):
    n = draw(st.integers(1, 4))
    lines = ["[simulation]", f'duration = "{draw(durations)}"', f'energy = "{draw(energies)}"']
    for i in range(n):
        lines += [
            "[[module]]",
            f'name = "M{i}"',
            f'volume = "{draw(volumes)}"',
            f'pressure = "{draw(pressures)}"',
            f'temperature = "{draw(temperatures)}"',
        ]
    for i in range(n - 1):
        lines += [
            "[[hatch]]",
            f'between = ["M{i}", "M{i + 1}"]',
            draw(sizes),
            f"open = {draw(st.sampled_from(['true', 'false']))}",
        ]
    for _ in range(draw(st.integers(0, 2))):
        lines += ["[[leak]]", f'module = "M{draw(st.integers(0, n - 1))}"', draw(sizes)]
    if draw(st.booleans()):
        lines += ["[[threshold]]", 'name = "evac"', 'pressure = "490 mmHg"']
    return lines


CORRUPTIONS = [
    lambda ls, i: ls[:i] + ls[i + 1 :],  # drop a line
    lambda ls, i: ls[:i] + [ls[i].replace("m^3", "kg")] + ls[i + 1 :],  # wrong dimension
    lambda ls, i: ls[:i] + [ls[i].replace('"', "", 2)] + ls[i + 1 :],  # bare value
    lambda ls, i: ls[:i] + [ls[i].replace(" = ", "x = ", 1)] + ls[i + 1 :],  # unknown key
    lambda ls, i: ls[:i] + [ls[i].replace('"', '"-', 1)] + ls[i + 1 :],  # negative
    lambda ls, i: ls[:i] + [ls[i].replace('"', '"nan ', 1)] + ls[i + 1 :],  # NaN
    lambda ls, i: ls[:i] + [ls[i] + " ]["] + ls[i + 1 :],  # broken TOML
    lambda ls, i: ls[:i] + [ls[i].replace("M", "N", 1)] + ls[i + 1 :],  # unknown module
]


def _check(text: str) -> None:
    try:
        scenario = loads_scenario(text, source="fuzz.toml")
        compiled = scenario.compile()
        result = scenario.run()
    except ScenarioError as err:
        assert isinstance(err, ValueError)
        assert "\n" not in str(err) and str(err).startswith("fuzz.toml")
        return
    check_result(result, compiled.network.modules.volume, closed=not scenario.station.leaks)


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenario_text())
def test_valid_random_scenarios_run(lines):
    _check("\n".join(lines))


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenario_text(), st.data())
def test_corrupted_scenarios_give_a_clear_error_or_a_result(lines, data):
    i = data.draw(st.integers(0, len(lines) - 1))
    corrupt = data.draw(st.sampled_from(CORRUPTIONS))
    _check("\n".join(corrupt(lines, i)))
