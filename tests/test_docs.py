"""The documentation agrees with the code.

* ``docs/scenario-format.md`` names every key the scenario-file reader accepts, under the table
  that accepts it, and writes no key that the reader would refuse;
* every public module of leaksim has an API page;
* the code of ``docs/getting-started.md`` runs as written;
* the site, built here without executing the notebooks, loads nothing from the network (its
  MathJax is its own) and shows the getting-started page's figure;
* the notebooks are executed for the site in kernels that start and stop without a warning.

The site itself is built with warnings as errors, the notebooks executed, by CI (``.ci/run``).
"""

from __future__ import annotations

import doctest
import importlib.util
import os
import pkgutil
import re
import subprocess
import sys
import textwrap
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


def _blocks(text: str) -> list[tuple[str, str]]:
    """``(language, code)`` of every python and pycon block of a page's text, in order.

    The code of a ``.. plot::`` directive (matplotlib's, in an ``{eval-rst}`` block) counts
    as python: the site runs it to draw the figure.
    """
    found = re.findall(
        r"```(python|pycon)\n(.*?)```|```\{eval-rst\}\n\.\. plot::\n(.*?)```",
        text,
        flags=re.DOTALL,
    )
    blocks = []
    for language, code, plot in found:
        if plot:
            body = [line for line in plot.splitlines() if not line.strip().startswith(":")]
            language, code = "python", textwrap.dedent("\n".join(body)).strip() + "\n"
        blocks.append((language, code))
    return blocks


def test_blocks_of_the_check():
    page = (
        "```python\na = 1\n```\n"
        "```{eval-rst}\n.. plot::\n   :include-source: true\n\n   b = a + 1\n```\n"
        "```pycon\n>>> b\n2\n```\n"
    )
    assert _blocks(page) == [
        ("python", "a = 1\n"),
        ("python", "b = a + 1\n"),
        ("pycon", ">>> b\n2\n"),
    ]


def test_getting_started_runs():
    """The newcomer's path: every block of the page, in order, in one namespace.

    ``python`` blocks are executed; ``pycon`` blocks are doctests, their output compared.
    """
    plt = pytest.importorskip("matplotlib.pyplot")
    page = (DOCS / "getting-started.md").read_text(encoding="utf-8")
    assert "```{eval-rst}\n.. plot::" in page  # the plotted ISS leak is drawn on the site
    blocks = _blocks(page)
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


# ---------------------------------------------------------------- the built site


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    """The site built as CI builds it, less the notebooks' execution (rendered as committed)."""
    for module in ("sphinx", "myst_nb", "numpydoc", "pydata_sphinx_theme"):
        pytest.importorskip(module)
    out = tmp_path_factory.mktemp("site")
    env = {**os.environ, "LEAKSIM_DOCS_EXECUTE": "off"}
    env.pop("MPLBACKEND", None)
    build = subprocess.run(
        [sys.executable, "-m", "sphinx", "-q", "-b", "html", str(DOCS), str(out)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert build.returncode == 0, build.stderr[-3000:]
    return out


def _pages(site: Path) -> dict[str, str]:
    return {
        str(path.relative_to(site)): path.read_text(encoding="utf-8")
        for path in site.rglob("*.html")
    }


#: What a page would fetch: a script, a stylesheet, a font or an image, by its address.
_FETCHED = re.compile(r"<(?:script|link|img|iframe)\b[^>]*?\b(?:src|href)=\"([^\"]+)\"")


def test_the_site_fetches_nothing_from_the_network(site):
    remote = {
        (name, url)
        for name, html in _pages(site).items()
        for url in _FETCHED.findall(html)
        if re.match(r"(?:[a-z]+:)?//", url)
    }
    assert not remote, f"pages load these from the network: {sorted(remote)[:5]}"
    assert not any("cdn.jsdelivr" in html for html in _pages(site).values())


def test_equations_are_rendered_by_the_sites_own_mathjax(site):
    physics = (site / "physics.html").read_text(encoding="utf-8")
    assert 'class="math notranslate nohighlight"' in physics  # the page holds equations
    scripts = [url for url in _FETCHED.findall(physics) if "mathjax" in url.lower()]
    assert len(scripts) == 1 and scripts[0].startswith("_static/mathjax/tex-mml-chtml.js")
    mathjax = site / "_static" / "mathjax"
    assert (mathjax / "tex-mml-chtml.js").stat().st_size > 100_000  # the library, not a stub
    assert "MathJax" in (mathjax / "tex-mml-chtml.js").read_text(encoding="utf-8")
    fonts = list((mathjax / "output" / "chtml" / "fonts" / "woff-v2").glob("*.woff"))
    assert len(fonts) > 10  # the CommonHTML output's fonts, fetched from beside the script
    # myst's $...$ maths is handed to MathJax through the classes it processes
    assert "processHtmlClass" in physics


def test_getting_started_shows_the_plotted_iss_leak(site):
    page = (site / "getting-started.html").read_text(encoding="utf-8")
    images = re.findall(r'<img[^>]*class="plot-directive"[^>]*src="([^"]+)"', page)
    assert len(images) == 1
    assert (site / images[0]).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    text = re.sub(r"<[^>]+>", "", page)
    assert "iss.plot(" in text  # the code is shown with its figure
    assert "pandas" in text and "tqdm" in text  # the dependency list is complete


def test_validation_tables_have_seven_short_columns(site):
    page = (site / "validation" / "index.html").read_text(encoding="utf-8")
    tables = re.findall(r"<table.*?</table>", page, flags=re.DOTALL)
    assert len(tables) >= 5
    for table in tables:
        head = re.search(r"<thead>.*?</thead>", table, flags=re.DOTALL).group(0)
        assert len(re.findall(r"<th\b", head)) == 7
        assert "why this tolerance" not in table
    assert "Tolerance:" in page  # the reasons, under the tables


# ---------------------------------------------------------------- the notebooks' kernels


def _docs_module(name: str):
    spec = importlib.util.spec_from_file_location(name, DOCS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_a_notebook_runs_for_the_site_without_a_kernel_warning(tmp_path, capfd):
    nbformat = pytest.importorskip("nbformat")
    pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    notebooks = _docs_module("_notebooks")
    folder, sockets = tmp_path / "notebooks", tmp_path / "sockets"
    folder.mkdir()
    sockets.mkdir()
    source = "import os\nprint(os.path.basename(os.getcwd()))"
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source)]),
                   folder / "small.ipynb")  # fmt: skip
    notebooks.execute_notebook(folder / "small.ipynb", folder, 60, str(sockets))
    (cell,) = nbformat.read(folder / "small.ipynb", as_version=4).cells
    assert [o.get("text") for o in cell.outputs] == ["notebooks\n"]  # ran in its folder
    assert list(sockets.iterdir()) == []  # the kernel was stopped and its sockets removed
    # The kernel's log goes to this process's stderr: ipykernel 7 warns there of a kernel on
    # unencrypted TCP, as myst-nb starts them.
    captured = capfd.readouterr()
    assert "WARNING" not in captured.err and "IPKernelApp" not in captured.err
    messages: list[str] = []
    notebooks.execute_notebooks(folder, 60, messages.append)
    assert messages == ["executing small.ipynb"]
    assert "WARNING" not in capfd.readouterr().err
