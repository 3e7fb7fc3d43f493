"""The summary of ``leaksim run``: each time in a readable unit, the modules that matter first."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from leaksim import cli, ureg
from leaksim.cli._summary import MODULES_LISTED, readable_time

# the switch to each unit: from two of it up (90 s stays seconds, 25 h stays hours)
_NEXT_UNIT = {"s": 120.0, "min": 7200.0, "h": 172800.0, "d": 2.0 * 365.25 * 86400.0}


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (0.25, "0.25 s"),
        (45.0, "45 s"),
        (90.0, "90 s"),
        (119.4, "119 s"),
        (120.0, "2 min"),
        (1800.0, "30 min"),  # not "1.8 ks"
        (1884.0, "31.4 min"),
        (7199.0, "120 min"),
        (9000.0, "2.5 h"),
        (25 * 3600.0, "25 h"),
        (4.2 * 86400.0, "4.2 d"),
        (400 * 86400.0, "400 d"),
        (3 * 365.25 * 86400.0, "3 year"),
        (2000 * 365.25 * 86400.0, "2000 year"),
        (math.nan, "-"),
    ],
)
def test_readable_time(seconds, text):
    assert readable_time(seconds) == text


@given(st.floats(min_value=1e-3, max_value=1e12))
def test_readable_time_reads_back_within_half_a_percent(seconds):
    text = readable_time(seconds)
    number, unit = text.split(" ")
    # three significant digits, or a whole number: at most half a unit of the last digit off
    assert ureg.Quantity(text).m_as("s") == pytest.approx(seconds, rel=5e-3)
    if unit != "s":
        assert float(number) >= 2.0 - 5e-3  # a unit is used from two of it up
    if unit in _NEXT_UNIT:
        assert seconds < _NEXT_UNIT[unit]


def _chain(n_modules: int, leaking: int) -> str:
    """A chain of equal modules and hatches, one module leaking to vacuum."""
    modules = "\n".join(
        f'[[module]]\nname = "M{i}"\nvolume = "10 m^3"\npressure = "760 mmHg"\n'
        f'temperature = "22 degC"'
        for i in range(n_modules)
    )
    hatches = "\n".join(
        f'[[hatch]]\nbetween = ["M{i}", "M{i + 1}"]\narea = "1 cm^2"' for i in range(n_modules - 1)
    )
    return f"""\
[simulation]
duration = "40 min"
output_interval = "5 min"
{modules}
{hatches}
[[leak]]
module = "M{leaking}"
diameter = "10 mm"
[[threshold]]
name = "evacuate"
pressure = "700 mmHg"
"""


def test_many_modules_list_the_ones_that_matter_first(tmp_path, capsys):
    # The leak is in the last module of a chain of twelve: air reaches it through every hatch
    # in turn, so the nearer a module is to the leak, the sooner it falls and the lower it ends.
    n = 12
    path = tmp_path / "chain.toml"
    path.write_text(_chain(n, leaking=n - 1))
    assert cli.main(["run", str(path)]) == 0
    out = capsys.readouterr().out.splitlines()
    nearest_first = [f"M{i}" for i in range(n - 1, n - 1 - MODULES_LISTED, -1)]
    rest = n - MODULES_LISTED

    assert out[2] == f"modules: {', '.join(f'M{i}' for i in range(MODULES_LISTED))}" + (
        f" ... and {rest} more ({n} in all)"
    )
    start = out.index("final pressure [mmHg]:")
    listed = out[start + 1 : start + 1 + MODULES_LISTED]
    assert [row.split()[0] for row in listed] == nearest_first
    more = out[start + 1 + MODULES_LISTED]
    assert more.startswith(f"  ... and {rest} more, none below ")
    assert float(more.split()[-1]) >= float(listed[-1].split()[-1])

    start = out.index("  evacuate")
    listed = out[start + 1 : start + 1 + MODULES_LISTED]
    assert [row.split()[0] for row in listed] == nearest_first
    times = [ureg.Quantity(" ".join(row.split()[1:])).m_as("s") for row in listed]
    assert times == sorted(times)
    assert all(row.split()[-1] in ("s", "min", "h", "d") for row in listed)
    assert out[start + 1 + MODULES_LISTED].startswith(f"    ... and {rest} more, ")


def test_few_modules_are_all_listed(tmp_path, capsys):
    path = tmp_path / "chain.toml"
    path.write_text(_chain(3, leaking=0))
    assert cli.main(["run", str(path)]) == 0
    out = capsys.readouterr().out
    assert "modules: M0, M1, M2\n" in out
    assert "more" not in out
