"""Sphinx configuration of the leaksim documentation.

Build with ``python -m sphinx -W --keep-going -b html docs docs/_build/html``. The example
notebooks live in ``examples/``; they are copied into ``docs/notebooks/``, with the scenario
files and data they read, at each build and executed there (the test suite executes them too,
``tests/test_notebooks.py``). The site needs no network: MathJax is served from its own
``_static/`` folder.
"""

from __future__ import annotations

import os
import shutil
import sys
from importlib.metadata import PackageNotFoundError, distribution
from pathlib import Path

import leaksim

DOCS = Path(__file__).resolve().parent
sys.path.insert(0, str(DOCS))  # for the helper module beside this file
from _notebooks import execute_notebooks  # noqa: E402
EXAMPLES = DOCS.parent / "examples"
NOTEBOOKS = DOCS / "notebooks"

project = "leaksim"
author = "the leaksim developers"
copyright = "the leaksim developers, BSD 3-clause licence"
release = leaksim.__version__
version = release

extensions = [
    "matplotlib.sphinxext.plot_directive",
    "myst_nb",
    "numpydoc",
    "sphinx.ext.autodoc",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
]

source_suffix = {".md": "myst-nb", ".ipynb": "myst-nb"}
exclude_patterns = ["_build", "Thumbs.db", ".DS_Store", "**.ipynb_checkpoints"]
root_doc = "index"

# Markdown: $...$ and $$...$$ maths, and headings anchored so pages can link to sections.
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence", "deflist"]
myst_heading_anchors = 3

# Notebooks are committed without outputs and executed at each build, so the site shows their
# figures (they take seconds each; the test suite also runs them). LEAKSIM_DOCS_EXECUTE=off
# renders them as committed, for a quick build. They are executed by docs/_notebooks.py, not by
# myst-nb, which then renders the outputs they hold.
EXECUTE_NOTEBOOKS = os.environ.get("LEAKSIM_DOCS_EXECUTE") != "off"
nb_execution_mode = "off"
#: Longest a notebook cell may run [s]: far above the seconds each takes, so only a hang fails.
CELL_TIMEOUT = 300

# Figures drawn from the code of a page (the getting-started page's ISS leak) by matplotlib's
# plot directive, in this process: PNG only, with the code shown above the figure.
plot_formats = [("png", 100)]
plot_html_show_formats = False
plot_html_show_source_link = False


# Equations: MathJax served by the site itself from _static/mathjax/, not from the CDN that
# Sphinx loads by default, so they render offline (a site opened from disk, a machine without
# a network). The files come from the sphinx-mathjax-offline package (the docs extra), MathJax
# 3; the component is the one Sphinx would load from the CDN: TeX and MathML in, CommonHTML out.
MATHJAX_SCRIPT = "mathjax/tex-mml-chtml.js"


def _mathjax_folder() -> Path:
    """The folder of the installed sphinx-mathjax-offline package that holds ``mathjax/``."""
    try:
        package = distribution("sphinx-mathjax-offline")
    except PackageNotFoundError:
        raise RuntimeError(
            "the documentation renders its equations with a local MathJax from the "
            "'sphinx-mathjax-offline' package: pip install -e '.[docs]'"
        ) from None
    folder = Path(str(package.locate_file("sphinx-mathjax-offline/static")))
    if not (folder / MATHJAX_SCRIPT).is_file():
        raise RuntimeError(f"{folder / MATHJAX_SCRIPT}: MathJax not found in its package")
    return folder


html_static_path = [str(_mathjax_folder())]
mathjax_path = MATHJAX_SCRIPT

# Module docstrings cite their sources as plain "[1]" in the text, not as "[1]_" links, so
# docutils reports their citations as unreferenced; the citations are still rendered.
suppress_warnings = ["ref.citation"]

autodoc_default_options = {"members": True, "member-order": "bysource"}
autodoc_typehints = "none"
numpydoc_show_class_members = False
numpydoc_xref_param_type = False

html_theme = "pydata_sphinx_theme"
html_title = f"leaksim {release}"
html_theme_options = {
    "navigation_with_keys": False,
    "show_toc_level": 2,
}


def _module_sections_as_rubrics(app, what, name, obj, options, lines):  # noqa: ARG001
    """Turn the section headings of a module docstring into rubrics.

    numpydoc leaves module docstrings alone, so their ``Examples`` and ``References`` headings
    would become document sections whose labels clash between the API pages.
    """
    if what != "module":
        return
    out: list[str] = []
    for line in lines:
        underline = line.strip()
        if out and len(underline) >= 3 and set(underline) == {"-"} and out[-1].strip():
            out[-1] = f".. rubric:: {out[-1].strip()}"
            out.append("")
            continue
        out.append(line)
    lines[:] = out


def _execute_notebooks(app) -> None:  # noqa: ANN001, ARG001 - Sphinx's event signature
    """Run the notebooks copied into ``docs/notebooks/`` (``docs/_notebooks.py`` says how)."""
    from sphinx.util import logging

    execute_notebooks(NOTEBOOKS, CELL_TIMEOUT, logging.getLogger(__name__).info)


def setup(app):  # noqa: ANN001, ANN201 - Sphinx's extension hook
    app.connect("autodoc-process-docstring", _module_sections_as_rubrics, priority=400)
    if EXECUTE_NOTEBOOKS:
        # after the builder is set up and before any source is read
        app.connect("builder-inited", _execute_notebooks)


def _copy_notebooks() -> None:
    """Copy ``examples/`` (notebooks, scenario files, data) into ``docs/notebooks/``.

    Sphinx reads sources only below ``docs/``, and the notebooks open files beside them.
    """
    if NOTEBOOKS.exists():
        shutil.rmtree(NOTEBOOKS)
    shutil.copytree(EXAMPLES, NOTEBOOKS, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))


# At import, before Sphinx looks for source files.
_copy_notebooks()
