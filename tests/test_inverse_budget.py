"""Gas budget: trends recovered from closed forms, runout dates, and the PrK story end to end
from the published figures."""

import datetime as dt
import math
from pathlib import Path

import numpy as np
import pytest

from leaksim.errors import ScenarioError
from leaksim.inverse import fit_budget, fit_leak, leak_history, read_leak_history

DATA = Path(__file__).parents[1] / "examples" / "data"
DAY = 86400.0
LB = 0.45359237


def test_constant_rate_runs_out_at_reserve_over_rate():
    h = leak_history([0.0, 10 * DAY, 20 * DAY], [1.0 / DAY] * 3)  # 1 kg/day
    f = fit_budget(h, trend="constant", reserve="50 kg")
    assert (f.runout - 20 * DAY) / DAY == pytest.approx(50.0, rel=1e-6)
    assert f.runout_low < f.runout < f.runout_high  # band from the stated 20 % uncertainty
    assert f.gas_used[10] == pytest.approx(10.0, rel=1e-9)


def test_exponential_trend_is_recovered_and_chosen():
    days = np.arange(0, 200, 20.0)
    rate = 0.5 * np.exp(0.01 * days)  # kg/day
    f = fit_budget(leak_history(days * DAY, rate / DAY), reserve="100 kg", horizon="200 day")
    assert f.trend == "exponential"
    assert f.parameters["g"] == pytest.approx(0.01, rel=1e-6)
    # closed form: integral of a exp(g t) from t1 reaches R at t = ln(1 + R g / r1) / g
    r1 = 0.5 * math.exp(0.01 * days[-1])
    t_out = math.log(1 + 100 * 0.01 / r1) / 0.01
    assert (f.runout / DAY - days[-1]) == pytest.approx(t_out, rel=1e-3)


def test_linear_trend_is_recovered():
    days = np.arange(0, 100, 10.0)
    rate = 1.0 + 0.01 * days
    f = fit_budget(leak_history(days * DAY, rate / DAY), trend="linear")
    assert f.parameters["b"] * DAY == pytest.approx(0.01, rel=1e-6)
    assert f.rate[0] * DAY == pytest.approx(1.0 + 0.01 * 90, rel=1e-9)


def test_band_narrows_with_smaller_uncertainty():
    h = leak_history([0.0, 30 * DAY], [1 / DAY, 1 / DAY])
    wide = fit_budget(h, trend="constant", relative_uncertainty=0.3)
    narrow = fit_budget(h, trend="constant", relative_uncertainty=0.05)
    assert (narrow.rate_high - narrow.rate_low)[0] < (wide.rate_high - wide.rate_low)[0]


def test_published_history_reads_in_kg_per_second():
    h = read_leak_history(DATA / "prk_leak_rates.csv")
    assert h.start == dt.datetime(2020, 9, 15, tzinfo=dt.UTC)
    # NASA OIG IG-24-020: 3.7 lb/day in April 2024
    assert h.rate[2] * DAY / LB == pytest.approx(3.7)


def test_prk_story_end_to_end():
    """Decays -> leak rates -> trend -> forecast, from the published figures only.

    The PrK volume is assumed to be 5 m^3 (REFERENCE-DATA, confidence L)."""
    # 1. the Oct 2020 decay (RIA) gives a rate near the published 1.4 kg/day
    oct_2020 = fit_leak(DATA / "prk_2020-10.csv", "5 m^3")
    assert oct_2020.leak_rate * DAY == pytest.approx(1.4, rel=0.1)
    # 2. Feb to Apr 2024 (NASA OIG): 2.4 -> 3.7 lb/day, an exponential growth of
    #    ln(3.7 / 2.4) / 60 days; forecast from April without the repair, the rate doubles
    #    in about 96 days
    growth = fit_budget(
        DATA / "prk_leak_rates.csv", since="2024-02-01", until="2024-05-01", trend="exponential"
    )
    g = math.log(3.7 / 2.4) / 60.0
    assert growth.parameters["g"] == pytest.approx(g, rel=1e-6)
    assert growth.rate[0] * DAY / LB == pytest.approx(3.7, rel=1e-6)
    # 3. after the Sep 2024 repair (NASA: cut by a third) to Jun 2026 (about 2 lb/day): a
    #    constant of about 2.2 lb/day; a 100 kg reserve from Jun 2026 lasts about 100 days
    after = fit_budget(DATA / "prk_leak_rates.csv", since="2024-09-01", reserve="100 kg")
    assert after.trend == "constant"
    assert after.rate[0] * DAY / LB == pytest.approx(2.2, rel=0.05)
    days_left = (after.runout - after.time[0]) / DAY
    assert days_left == pytest.approx(100 / (after.rate[0] * DAY), rel=1e-3)
    assert after.date(after.runout) > "2026-09-01"
    assert after.runout_low < after.runout < after.runout_high


@pytest.mark.parametrize(
    "kw, words",
    [
        ({"trend": "cubic"}, "trend"),
        ({"relative_uncertainty": 0}, "relative_uncertainty"),
        ({"confidence": 0}, "confidence"),
        ({"since": "2030-01-01"}, "no observation"),
        ({"reserve": "5 m^3"}, "reserve"),
        ({"samples": 5}, "samples"),
    ],
)
def test_bad_parameters_are_named(kw, words):
    with pytest.raises(ScenarioError, match=words):
        fit_budget(DATA / "prk_leak_rates.csv", **kw)


def test_bad_history_is_named(tmp_path):
    path = tmp_path / "h.csv"
    path.write_text("date, leak rate [mmHg]\n2024-01-01, 2\n")
    with pytest.raises(ScenarioError, match="mass flow"):
        read_leak_history(path)
    path.write_text("date, leak rate [lb/day]\n2024-01-01, -2\n")
    with pytest.raises(ScenarioError, match="> 0"):
        read_leak_history(path)
