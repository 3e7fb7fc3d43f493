"""Sphinx configuration of the leaksim documentation.

Build with ``python -m sphinx -W --keep-going -b html docs docs/_build/html``. The example
notebooks live in ``examples/``; they are copied into ``docs/notebooks/``, with the scenario
files and data they read, at each build and executed there (the test suite executes them too,
``tests/test_notebooks.py``).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import leaksim

DOCS = Path(__file__).resolve().parent
EXAMPLES = DOCS.parent / "examples"
NOTEBOOKS = DOCS / "notebooks"

project = "leaksim"
author = "the leaksim developers"
copyright = "the leaksim developers, BSD 3-clause licence"
release = leaksim.__version__
version = release

extensions = [
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
# renders them as committed, for a quick build.
nb_execution_mode = "off" if os.environ.get("LEAKSIM_DOCS_EXECUTE") == "off" else "force"
nb_execution_timeout = 300
nb_execution_raise_on_error = True

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


def setup(app):  # noqa: ANN001, ANN201 - Sphinx's extension hook
    app.connect("autodoc-process-docstring", _module_sections_as_rubrics, priority=400)


def _copy_notebooks() -> None:
    """Copy ``examples/`` (notebooks, scenario files, data) into ``docs/notebooks/``.

    Sphinx reads sources only below ``docs/``, and the notebooks open files beside them.
    """
    if NOTEBOOKS.exists():
        shutil.rmtree(NOTEBOOKS)
    shutil.copytree(EXAMPLES, NOTEBOOKS, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))


# At import, before Sphinx looks for source files.
_copy_notebooks()
