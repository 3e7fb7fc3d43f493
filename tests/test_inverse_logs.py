"""Reading CSV logs: encodings, binary files, dates, bad cells and long files read in chunks."""

import datetime as dt

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from leaksim.errors import ScenarioError
from leaksim.inverse import logs, read_pressure_log
from leaksim.inverse.logs import parse_date, parse_table, read_table

MMHG = 133.322387415


def _write(tmp_path, data: bytes, name="log.csv"):
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_a_byte_order_mark_is_read_as_spreadsheets_write_it(tmp_path):
    text = "time [h], pressure [mmHg]\n0, 760\n10, 740\n"
    plain = read_pressure_log(_write(tmp_path, text.encode(), "plain.csv"))
    bom = read_pressure_log(_write(tmp_path, b"\xef\xbb\xbf" + text.encode(), "bom.csv"))
    assert bom.time.tolist() == plain.time.tolist() == [0.0, 36000.0]
    assert bom.pressure.tolist() == plain.pressure.tolist()
    assert parse_table("\ufeff" + text).names == ["time", "pressure"]


@pytest.mark.parametrize(
    "data, words",
    [
        (bytes(range(256)) * 4, "byte 0x80"),  # a binary file
        (b"time [h]\x00, pressure [mmHg]\n0, 760\n", "NUL bytes"),  # ASCII, but binary
        (b"\x7fELF\x02\x01\x01\xd0\x91\xff\xfe", "byte 0xff"),  # 0xd0 0x91 is UTF-8 (Cyrillic)
        ("time [h], temperature [°C]\n0, 22\n".encode("latin-1"), "byte 0xb0"),  # not UTF-8
        (b"time [h], pressure [mmHg]\n0, 760\n1, \xff740\n", "byte 0xff"),  # bad byte in a row
    ],
)
def test_a_file_that_is_not_utf8_text_is_named(tmp_path, data, words):
    path = _write(tmp_path, data, "odd.bin")
    with pytest.raises(ScenarioError, match="not UTF-8 text") as err:
        read_pressure_log(path)
    assert str(err.value).startswith(f"{path}: ") and words in str(err.value)


def test_a_wrong_date_says_it_is_a_wrong_date():
    text = "date, pressure [mmHg]\n2024-02-28, 760\n2024-02-30, 740\n"
    table = parse_table(text, "log.csv")
    with pytest.raises(ScenarioError) as err:
        table.times()
    assert str(err.value) == (
        "log.csv: column 'date', data row 2: '2024-02-30' is not a valid date: day is out of "
        "range for month"
    )


@pytest.mark.parametrize(
    "text, reason",
    [
        ("2024-13-01", "month must be in 1..12"),
        ("2024-02-01T25:00", "hour must be in 0..23"),
        ("2024-4-1", "write a date as YYYY-MM-DD"),
    ],
)
def test_parse_date_gives_the_reason(text, reason):
    with pytest.raises(ValueError, match="is not a valid date") as err:
        parse_date(text)
    assert reason in str(err.value)


def test_text_that_is_no_date_is_not_a_date():
    assert parse_date("30 day") is None and parse_date("12") is None


def test_dates_from_year_1_to_9999_are_read():
    # beyond the range of pandas' nanosecond timestamps: read date by date
    table = parse_table("date, pressure [mmHg]\n0001-01-01, 760\n9999-12-31T12:00, 740\n")
    seconds, start = table.times()
    span = dt.datetime(9999, 12, 31, 12) - dt.datetime(1, 1, 1)
    assert start == dt.datetime(1, 1, 1, tzinfo=dt.UTC)
    assert seconds.tolist() == [0.0, span.total_seconds()]


@given(
    st.lists(
        st.datetimes(dt.datetime(1700, 1, 1), dt.datetime(2200, 1, 1)),
        min_size=1,
        max_size=20,
        unique=True,
    ).map(sorted)
)
def test_dates_read_in_one_pass_agree_with_pythons_reading(moments):
    cells = np.array([m.isoformat() for m in moments], dtype=object)
    seconds, start = logs._dates(cells, "date", "log")
    assert start == moments[0].replace(tzinfo=dt.UTC)
    want = [(m - moments[0]).total_seconds() for m in moments]
    # to 10 us: Python's total_seconds rounds, pandas counts nanoseconds
    assert seconds.tolist() == pytest.approx(want, abs=1e-5)


def test_offsets_and_naive_dates_are_both_utc():
    table = parse_table("date, pressure [mmHg]\n2024-04-01T02:00+02:00, 760\n2024-04-01T01:00, 7\n")
    seconds, _ = table.times()
    assert seconds.tolist() == [0.0, 3600.0]


@pytest.mark.parametrize(
    "text, words",
    [
        (
            "time [h], pressure [mmHg]\n0, 760\n1, 7x0\n",
            "column 'pressure', data row 2: cannot read '7x0'",
        ),
        ("time [h], pressure [mmHg]\n0, 760\n1, 750,2\n", "data row 2 has more than the 2 cells"),
        ("time [h], pressure [mmHg]\n# c\n0, 760\n1,5, 750,2,4\n", "line 4 has 5 cells"),
        ("time [h], pressure [mmHg]\n0, 760\n1, 1e400\n", "data row 2: inf mmHg is out of range"),
        ("time [h], pressure [mmHg]\n0, 760\n1e308, 750\n", "1e+308 h is out of range"),
        ('time [h], pressure [mmHg]\n0, 760\n1, "750\n', "cannot read the CSV"),
        ("time [h], time [s]\n0, 760\n", "names column 'time' twice"),
        ("# only a comment\n\n", "no header line"),
    ],
)
def test_bad_cells_are_named_with_their_row(tmp_path, text, words):
    path = _write(tmp_path, text.encode())
    with pytest.raises(ScenarioError, match="log.csv") as err:
        read_pressure_log(path)
    assert words in str(err.value)


def test_gaps_and_comments_and_a_trailing_comma():
    text = (
        "# header comment\ntime [h], pressure [mmHg], note\n0, 760, start\n"
        "# a comment between rows\n1, -, gauge off\n2, 740,  \n3, 730\n4, 720, # cut\n"
    )
    table = parse_table(text)
    assert table.cells["time"].tolist() == [0, 1, 2, 3, 4]
    assert np.isnan(table.cells["pressure"][1])
    assert table.cells["note"].tolist() == ["start", "gauge off", "", "", ""]


def test_only_the_columns_asked_for_are_read(tmp_path):
    path = _write(tmp_path, b"time [h], pressure [mmHg], note\n0, 760, x\n1, 750, y\n")
    table = read_table(path, ["pressure"])
    assert list(table.cells) == ["pressure"] and table.names == ["time", "pressure", "note"]
    assert read_table(path, columns=()).cells == {}
    with pytest.raises(ScenarioError, match="no column 'level'"):
        read_table(path, ["level"])


def test_a_file_read_in_small_chunks_gives_the_same_columns(tmp_path, monkeypatch):
    t = np.arange(50) * 0.5
    rows = "".join(f"{a}, {760 - a:.3f}\n" for a in t)
    path = _write(tmp_path, f"time [h], pressure [mmHg]\n{rows}".encode())
    whole = read_pressure_log(path)
    monkeypatch.setattr(logs, "_CHUNK_ROWS", 7)
    chunked = read_pressure_log(path)
    assert chunked.time.tolist() == whole.time.tolist() == (t * 3600).tolist()
    assert chunked.pressure.tolist() == whole.pressure.tolist()
    # a bad cell in a later chunk is found in its row
    path.write_text(f"time [h], pressure [mmHg]\n{rows}30, oops\n")
    with pytest.raises(ScenarioError, match="data row 51: cannot read 'oops'"):
        read_pressure_log(path)
    path.write_text(f"time [h], pressure [mmHg]\n{rows}30, 700, 1\n")
    with pytest.raises(ScenarioError, match="data row 51 has more than the 2 cells"):
        read_pressure_log(path)


def test_pressure_log_refuses_infinite_values():
    with pytest.raises(ScenarioError, match="time of row 2 is inf"):
        logs.pressure_log([0.0, np.inf], [1e5, 9e4])
