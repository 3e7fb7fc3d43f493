"""The validation report: every case passes, the report and its figures are written, and the
validation package stays at the top layer."""

from __future__ import annotations

import ast
import math
from pathlib import Path

import pytest

import leaksim
from leaksim.validation import CaseResult, write_report
from leaksim.validation.__main__ import main
from leaksim.validation._case import Group
from leaksim.validation.report import render

SOURCE = Path(leaksim.__file__).parent


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    out = tmp_path_factory.mktemp("validation")
    return out, write_report(out)


def test_every_validation_case_passes(report):
    _, groups = report
    cases = [case for group in groups for case in group.cases]
    assert len(cases) >= 25
    failed = [(c.name, c.reference, c.leaksim, c.difference) for c in cases if not c.passed]
    assert not failed


def test_every_case_cites_a_source_and_a_reason(report):
    _, groups = report
    for case in (c for g in groups for c in g.cases):
        assert case.source and case.why and case.unit
        assert case.reference[0] <= case.reference[1] and case.leaksim[0] <= case.leaksim[1]


def test_report_has_a_row_per_case_and_its_figures(report):
    out, groups = report
    text = (out / "index.md").read_text()
    for group in groups:
        assert f"## {group.title}" in text
        for case in group.cases:
            assert f"| {case.name} |" in text
        for filename, _ in group.figures:
            assert (out / filename).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
            assert f"]({filename})" in text
    assert "**NO**" not in text
    assert sorted(p.name for p in out.iterdir() if p.name.startswith(".")) == []


def test_differences_and_passing():
    point = CaseResult("x", "s", (2.0, 2.0), (2.004, 2.004), "u", "relative", 1e-3, "w")
    assert point.difference == pytest.approx(2e-3) and point.passed is False
    bands = CaseResult("x", "s", (30.0, 115.0), (120.0, 170.0), "s", "overlap", 0.0, "w")
    assert bands.difference == pytest.approx(5.0) and not bands.passed
    meet = CaseResult("x", "s", (30.0, 115.0), (60.0, 170.0), "s", "overlap", 0.0, "w")
    assert meet.difference == 0.0 and meet.passed
    nan = CaseResult("x", "s", (1.0, 1.0), (math.nan, math.nan), "u", "absolute", 1.0, "w")
    assert math.isnan(nan.difference) and not nan.passed
    with pytest.raises(ValueError, match="comparison"):
        CaseResult("x", "s", (1.0, 1.0), (1.0, 1.0), "u", "ratio", 1.0, "w")


def test_command_writes_one_group_and_exits_0(tmp_path, capsys):
    assert main(["--out", str(tmp_path), "--group", "closed_forms"]) == 0
    assert "cases pass" in capsys.readouterr().out
    assert (tmp_path / "index.md").exists() and (tmp_path / "closed_forms.png").exists()


@pytest.mark.parametrize("module", sorted(p.stem for p in SOURCE.glob("*.py")))
def test_nothing_below_imports_the_validation_package(module):
    tree = ast.parse((SOURCE / f"{module}.py").read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            assert "validation" not in (node.module or "")
        elif isinstance(node, ast.Import):
            assert not any("validation" in alias.name for alias in node.names)


def test_report_tables_hold_short_cells_and_the_prose_follows():
    """Seven short columns (an eight-column table with two of prose was squeezed to a letter
    a column), a dimensionless value without a dangling "-", each case's source and reason in
    the numbered list under its table."""
    cases = [
        CaseResult("blowdown p(2 h)", "closed form", (345.29, 345.29), (345.3, 345.3), "mmHg",
                   "relative", 1e-4, "the reference is exact."),
        CaseResult("error at rtol 1e-6", "bound", (0.0, 0.0), (6.5e-7, 6.5e-7), "-",
                   "absolute", 1e-5, "a few rtol"),
    ]  # fmt: skip
    text = render([Group("Checks", "Two cases.", cases, [])])
    rows = [line for line in text.splitlines() if line.startswith("| ")]
    assert rows[0] == "| # | case | reference | leaksim | difference | tolerance | pass |"
    assert all(row.count(" | ") == 6 for row in rows)
    assert rows[1].startswith("| 1 | blowdown p(2 h) | 345.29 mmHg | 345.3 mmHg |")
    assert rows[2] == "| 2 | error at rtol 1e-6 | 0 | 6.5000e-07 | 6.5000e-07 | 1.0000e-05 | yes |"
    assert "1. Reference: closed form. Tolerance: the reference is exact.\n" in text
    assert "2. Reference: bound. Tolerance: a few rtol.\n" in text
