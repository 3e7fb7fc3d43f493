"""The documentation agrees with the code.

* ``docs/scenario-format.md`` names every key the scenario-file reader accepts, under the table
  that accepts it, and writes no key that the reader would refuse;
* every public module of leaksim has an API page;
* the code of ``docs/getting-started.md`` runs as written.

The site itself is built with warnings as errors by CI (``.ci/run``).
"""

from __future__ import annotations

import doctest
import pkgutil
import re
from pathlib import Path

import pytest

import leaksim
from leaksim.scenario_file import TABLE_KEYS

DOCS = Path(__file__).resolve().parents[1] / "docs"
SCENARIO_FORMAT = DOCS / "scenario-format.md"
# Tables of the format that the reader does not take yet (the sweep work); their keys are
# parameter paths and distributions, not arguments of one object.
LATER_TABLES = ("sweep",)


def _toml_blocks(text: str) -> list[str]:
    return re.findall(r"```toml\n(.*?)```", text, flags=re.DOTALL)


def _keys_by_table(text: str) -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """Keys in the TOML examples of a page, by the table heading above them.

    Returns ``(written, mentioned)``: ``written`` the keys that start an uncommented line, the
    ones a user would copy; ``mentioned`` every word followed by ``=`` or named in a comment,
    on any line under the heading.
    """
    written: dict[str, set[str]] = {}
    mentioned: dict[str, set[str]] = {}
    for block in _toml_blocks(text):
        table = None
        for line in block.splitlines():
            stripped = line.strip()
            heading = re.match(r"^\[\[?\s*([\w.]+)\s*\]\]?", stripped)
            if heading:
                table = heading.group(1)
                continue
            if table is None or not stripped:
                continue
            code = stripped.split("#", 1)[0]
            first = re.match(r"^(\w+)\s*=", code)
            if first:
                written.setdefault(table, set()).add(first.group(1))
            mentioned.setdefault(table, set()).update(re.findall(r"\w+", stripped))
    return written, mentioned


def test_toml_parser_of_the_check():
    written, mentioned = _keys_by_table(
        '```toml\n[[leak]]\nmodule = "A"   # or to = "B"\n# growth likewise\n```\n'
        '```toml\n[simulation]\nduration = "1 h"\n```\n'
    )
    assert written == {"leak": {"module"}, "simulation": {"duration"}}
    assert {"module", "to", "growth"} <= mentioned["leak"]


@pytest.fixture(scope="module")
def format_keys():
    return _keys_by_table(SCENARIO_FORMAT.read_text(encoding="utf-8"))


@pytest.mark.parametrize("table", sorted(TABLE_KEYS))
def test_scenario_format_names_every_key(table, format_keys):
    _, mentioned = format_keys
    missing = sorted(set(TABLE_KEYS[table]) - mentioned.get(table, set()))
    assert not missing, (
        f"docs/scenario-format.md does not name {missing} under a [{table}] or [[{table}]] "
        "table of its TOML examples, though the reader accepts them"
    )


@pytest.mark.parametrize("table", sorted(TABLE_KEYS))
def test_scenario_format_writes_only_accepted_keys(table, format_keys):
    written, _ = format_keys
    unknown = sorted(written.get(table, set()) - set(TABLE_KEYS[table]))
    assert not unknown, f"docs/scenario-format.md writes keys {unknown} the reader refuses"


def test_scenario_format_tables_are_known(format_keys):
    written, mentioned = format_keys
    tables = set(written) | set(mentioned)
    unknown = {t for t in tables if t not in TABLE_KEYS and t.split(".")[0] not in LATER_TABLES}
    assert not unknown
    assert set(TABLE_KEYS) <= tables


def _public_modules() -> list[str]:
    """``leaksim.<name>`` for every module and subpackage whose name does not start with _."""
    return sorted(
        f"leaksim.{info.name}"
        for info in pkgutil.iter_modules(leaksim.__path__)
        if not info.name.startswith("_")
    )


def test_every_public_module_has_an_api_page():
    documented = set()
    for page in (DOCS / "api").glob("*.md"):
        documented.update(re.findall(r"automodule::\s+([\w.]+)", page.read_text(encoding="utf-8")))
    missing = [name for name in _public_modules() if name not in documented]
    assert not missing, f"add an automodule page to docs/api/ for {missing}"


def test_every_api_page_is_in_the_api_toctree():
    index = (DOCS / "api" / "index.md").read_text(encoding="utf-8")
    listed = set(re.findall(r"^(\w+)$", index, flags=re.MULTILINE))
    pages = {page.stem for page in (DOCS / "api").glob("*.md")} - {"index"}
    assert pages <= listed


def test_every_notebook_is_in_the_examples_page():
    page = (DOCS / "examples.md").read_text(encoding="utf-8")
    listed = set(re.findall(r"^notebooks/(\w+)$", page, flags=re.MULTILINE))
    notebooks = {path.stem for path in (DOCS.parent / "examples").glob("*.ipynb")}
    assert notebooks and listed == notebooks


def _blocks(path: Path) -> list[tuple[str, str]]:
    """``(language, code)`` of every python and pycon block of a page, in order."""
    text = path.read_text(encoding="utf-8")
    return re.findall(r"```(python|pycon)\n(.*?)```", text, flags=re.DOTALL)


def test_getting_started_runs():
    """The newcomer's path: every block of the page, in order, in one namespace.

    ``python`` blocks are executed; ``pycon`` blocks are doctests, their output compared.
    """
    plt = pytest.importorskip("matplotlib.pyplot")
    blocks = _blocks(DOCS / "getting-started.md")
    assert sum(language == "python" for language, _ in blocks) >= 3
    assert any(language == "pycon" for language, _ in blocks)
    namespace: dict = {}
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    try:
        for language, code in blocks:
            if language == "python":
                exec(compile(code, "getting-started.md", "exec"), namespace)
                continue
            test = doctest.DocTestParser().get_doctest(code, namespace, "getting-started", None, 0)
            outcome = runner.run(test, clear_globs=False)
            assert outcome.failed == 0, code
    finally:
        plt.close("all")
    # The page's claims about the ISS run: the PrK reaches 490 mmHg after about 37.5 h, and a
    # larger hole gives a shorter reserve.
    hours = namespace["iss"].threshold_times["evacuate"]["Zvezda-PrK"].m_as("h")
    assert hours.shape == (1,) and abs(hours[0] - 37.5) < 0.5
    reserve = namespace["cases"].reserve_times["evacuate"]["Zvezda-PrK"].m_as("day")
    assert list(reserve) == sorted(reserve, reverse=True)
