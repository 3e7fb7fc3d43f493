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


def test_a_century_is_forecast_in_closed_form():
    # 1 kg/day for 100 years: the gas used is the rate times the days, exactly
    h = leak_history([0.0, 10 * DAY], [1.0 / DAY] * 2)
    f = fit_budget(h, trend="constant", horizon="100 year", reserve="1000 kg")
    days = math.floor(100 * 365.25)
    assert f.time.size == days + 1 and f.gas_used[-1] == pytest.approx(days, rel=1e-12)
    assert (f.runout - 10 * DAY) / DAY == pytest.approx(1000.0, rel=1e-12)


def test_a_horizon_too_long_to_evaluate_is_refused_with_its_size():
    h = leak_history([0.0, 10 * DAY], [1.0 / DAY] * 2)
    with pytest.raises(ScenarioError) as err:
        fit_budget(h, horizon="1000 year")
    assert str(err.value) == (
        "horizon: '1000 year' asks for 365,251 daily values for each of 2,001 forecasts, "
        "7.31e+08 values in all, more than the 1e+08 a forecast may evaluate: shorten the horizon"
    )
    with pytest.raises(ScenarioError, match="samples"):
        fit_budget(h, samples=10**9)


def test_a_falling_linear_rate_stops_at_zero():
    # r = 2 - 0.1 t kg/day from the start: it reaches zero after 20 days, having lost the
    # triangle 2 x 20 / 2 = 20 kg; the reserve of 15 kg runs out where 2 s - 0.05 s^2 = 15
    days = np.array([0.0, 5.0, 10.0])
    h = leak_history(days * DAY, (2.0 - 0.1 * days) / DAY)
    f = fit_budget(h, trend="linear", forecast_from="0 day", horizon="60 day", reserve="15 kg")
    assert f.gas_used[-1] == pytest.approx(20.0, rel=1e-9)
    assert f.rate[25] == 0.0 and f.gas_used[30] == pytest.approx(20.0, rel=1e-9)
    s = (2 - math.sqrt(4 - 4 * 0.05 * 15)) / (2 * 0.05)
    assert f.runout / DAY == pytest.approx(s, rel=1e-9)
    never = fit_budget(h, trend="linear", forecast_from="0 day", horizon="60 day", reserve="25 kg")
    assert math.isinf(never.runout)


def test_a_forecast_past_year_9999_is_labelled_in_days():
    start = dt.datetime(9999, 1, 1, tzinfo=dt.UTC)
    h = leak_history([0.0, 364 * DAY], [1 / DAY] * 2, start=start)
    f = fit_budget(h, trend="constant", horizon="2 year")
    assert f.date(f.time[0]) == "9999-12-31"
    assert f.date(f.time[-1]) == "day 1094 from 9999-01-01"
    assert any(line.startswith("day 1094 from 9999-01-01:") for line in f.lines())


def test_dates_that_are_wrong_or_need_a_dated_history_are_named():
    with pytest.raises(ScenarioError, match="since: '2024-02-30' is not a valid date: day is"):
        fit_budget(DATA / "prk_leak_rates.csv", since="2024-02-30")
    h = leak_history([0.0, 10 * DAY], [1.0 / DAY] * 2)
    with pytest.raises(ScenarioError, match="needs a history with dates"):
        fit_budget(h, since="2024-01-01")
    # date-times count too, not only dates
    f = fit_budget(DATA / "prk_leak_rates.csv", since="2024-09-01T12:00")
    assert f.date(f.fit_from) == "2024-09-15"


def test_a_history_spanning_ages_still_costs_gas_by_the_day():
    span = 1e300 * 3600.0
    h = leak_history([0.0, span / 2, span], [2.0 / DAY, 2.0 / DAY, 2.0 / DAY])
    f = fit_budget(h, trend="linear", horizon="30 day")
    # the slope over ages is nothing over a month: 2 kg/day for 30 days
    assert f.gas_used[-1] == pytest.approx(60.0, rel=1e-9)


def test_an_exponential_that_overflows_within_the_horizon_is_refused():
    days = np.array([0.0, 10.0, 20.0])
    h = leak_history(days * DAY, np.exp(days) / DAY)  # e-fold every day
    with pytest.raises(ScenarioError, match="exponential trend overflows within '100 year'"):
        fit_budget(h, trend="exponential", horizon="100 year")
