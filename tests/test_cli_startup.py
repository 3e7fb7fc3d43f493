"""The command line as a process: what it imports, Ctrl-C and SIGTERM at any moment, a closed pipe.

Each test runs ``python -m leaksim`` in a subprocess, as a user or a script would. Where a test
interrupts the command, the child says when it has reached the moment to interrupt
(tests/_cli_process.py): nothing depends on how fast the machine is.
"""

from __future__ import annotations

import ast
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from _cli_process import start_leaksim, wait_for_marker

import leaksim
from leaksim import cli

#: The numerical stack: --help and --version must load none of it.
HEAVY = ("numpy", "scipy", "pint", "matplotlib", "pandas", "tqdm", "dask")

posix_only = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals and pipes")

SCENARIO = """\
[simulation]
duration = "3 day"
output_interval = "1 min"

[[module]]
name = "Lab"
volume = "10 m^3"
pressure = "760 mmHg"
temperature = "22 degC"

[[leak]]
module = "Lab"
diameter = ["1 mm", "3 mm"]
"""


@pytest.fixture
def scenario(tmp_path):
    path = tmp_path / "work" / "cabin.toml"
    path.parent.mkdir()
    path.write_text(SCENARIO)
    return path


def _leaksim(*args: str, stdout: int = subprocess.PIPE) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args], stdout=stdout, stderr=subprocess.PIPE, text=True, timeout=300
    )


# ---------------------------------------------------------------- import cost


@pytest.mark.parametrize(
    "argv",
    [
        ["--help"],
        ["--version"],
        ["-V"],
        ["run", "--help"],
        ["sweep", "--help"],
        ["budget", "--help"],
        ["rn", "x.toml"],
    ],
)
def test_help_and_version_load_no_numerical_library(argv):
    # python -m leaksim ARGV, run by runpy as -m does, with a look at sys.modules at exit
    code = (
        "import atexit, runpy, sys\n"
        "atexit.register(lambda: print(sorted(sys.modules), file=sys.stderr))\n"
        "runpy.run_module('leaksim', run_name='__main__', alter_sys=True)\n"
    )
    done = _leaksim("-c", code, *argv)
    assert done.returncode == (2 if argv[0] == "rn" else 0), done.stderr
    imported = eval(done.stderr.splitlines()[-1])  # the list printed at exit
    assert "leaksim.cli.run" in imported  # the command line was built
    loaded = sorted(name for name in imported if name.split(".")[0] in HEAVY)
    assert not loaded, f"{' '.join(argv)} imported {loaded[:5]}"


def test_import_leaksim_loads_nothing_until_a_name_is_used():
    code = (
        "import sys, leaksim\n"
        f"print(sorted(m for m in {HEAVY!r} if m in sys.modules))\n"
        "print(leaksim.Station.__module__, leaksim.units.ureg is leaksim.ureg)\n"
    )
    done = _leaksim("-c", code)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["[]", "leaksim.station True"]


def test_every_name_of_the_namespace_resolves():
    names = set(leaksim.__all__) - {"__version__"}
    assert names == {*leaksim._DEFINED_IN, "inverse", "stations"}
    tree = ast.parse(Path(leaksim.__file__).read_text())
    typing_block = next(n for n in tree.body if isinstance(n, ast.If))  # if TYPE_CHECKING:
    imported = {a.asname or a.name for i in typing_block.body for a in i.names}
    assert imported - {"Any"} == names
    assert set(leaksim.__all__) <= set(dir(leaksim))
    for name in leaksim.__all__:
        assert getattr(leaksim, name) is not None
    with pytest.raises(AttributeError, match="no attribute 'Modul'"):
        _ = leaksim.Modul


def test_the_sweep_chunk_size_written_in_the_cli_is_the_sweeps():
    from leaksim.sweep import DEFAULT_CHUNK_SIZE

    assert cli.sweep.DEFAULT_CHUNK_SIZE == DEFAULT_CHUNK_SIZE


@pytest.mark.parametrize("module", ["leaksim", "leaksim.cli"])
@pytest.mark.parametrize("option", ["--version", "-V"])
def test_python_m_leaksim_prints_the_version(module, option):
    done = _leaksim("-m", module, option)
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout == f"leaksim {leaksim.__version__}\n"


def test_a_mistyped_command_gets_a_suggestion_and_status_2():
    done = _leaksim("-m", "leaksim", "rn", "x.toml")
    assert done.returncode == 2
    assert done.stdout == ""
    (line,) = done.stderr.splitlines()
    assert line.startswith("leaksim: error: ") and "did you mean 'run'?" in line


# ---------------------------------------------------------------- Ctrl-C and SIGTERM


@posix_only
@pytest.mark.parametrize(
    ("pause_at", "sent", "status", "word"),
    [
        # the parser being built, the scenario reader, the numerical stack as it loads
        ("argparse", signal.SIGINT, 130, "interrupted"),
        ("leaksim.cli.run", signal.SIGINT, 130, "interrupted"),
        ("leaksim.scenario_file", signal.SIGINT, 130, "interrupted"),
        ("numpy", signal.SIGINT, 130, "interrupted"),
        ("pint", signal.SIGINT, 130, "interrupted"),
        ("scipy", signal.SIGINT, 130, "interrupted"),
        ("argparse", signal.SIGTERM, 143, "terminated"),
        ("numpy", signal.SIGTERM, 143, "terminated"),
    ],
)
def test_a_signal_during_the_imports_ends_in_one_line(
    tmp_path, scenario, pause_at, sent, status, word
):
    outputs = [scenario.parent / "summary.json", scenario.parent / "series.csv"]
    args = ["run", str(scenario), "--json", str(outputs[0]), "--csv", str(outputs[1])]
    process, marker = start_leaksim(args, tmp_path, pause_at)
    wait_for_marker(process, marker)
    process.send_signal(sent)
    out, err = process.communicate(timeout=120)
    assert process.returncode == status, err
    assert (out, err) == ("", f"leaksim: error: {word}\n")
    assert sorted(os.listdir(scenario.parent)) == ["cabin.toml"]


@posix_only
def test_python_m_leaksim_catches_ctrl_c_while_it_imports_the_command_line(tmp_path):
    process, marker = start_leaksim(["--version"], tmp_path, "leaksim.cli")
    wait_for_marker(process, marker)
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=120)
    assert (process.returncode, out, err) == (130, "", "leaksim: error: interrupted\n")


# ---------------------------------------------------------------- a closed pipe


@posix_only
def test_a_reader_that_stops_early_ends_the_run_quietly(scenario):
    # `leaksim run cabin.toml --csv - | head -3`: 8,642 rows, far more than a pipe holds
    process = subprocess.Popen(
        [sys.executable, "-m", "leaksim", "run", str(scenario), "--csv", "-"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdout is not None and process.stderr is not None
    head = [process.stdout.readline() for _ in range(3)]
    process.stdout.close()
    err = process.stderr.read().decode()
    process.wait(timeout=300)
    assert head[0].startswith(b"case,module,time_s,")
    assert (process.returncode, err) == (141, "")


@posix_only
@pytest.mark.parametrize("argv", [["--help"], ["--version"], ["stations"], ["run", "{scenario}"]])
def test_a_standard_output_closed_from_the_start_ends_with_141(scenario, argv):
    read, write = os.pipe()
    os.close(read)  # no reader: the first write fails
    try:
        done = _leaksim("-m", "leaksim", *[a.format(scenario=scenario) for a in argv], stdout=write)
    finally:
        os.close(write)
    assert (done.returncode, done.stderr) == (141, "")


@posix_only
def test_stdout_closed_tells_a_pipe_without_reader(monkeypatch):
    read, write = os.pipe()
    with os.fdopen(write, "w") as stdout:
        monkeypatch.setattr(sys, "stdout", stdout)
        assert not cli._exit.stdout_closed()  # the reader is still there
        os.close(read)
        assert cli._exit.stdout_closed()
        monkeypatch.undo()


def test_the_cache_says_whether_the_kernel_is_compiled_on_this_machine(tmp_path):
    # The tests compiled it before they started (conftest); a fresh cache holds nothing.
    from leaksim.core.solver.compiled import kernel_cached

    assert kernel_cached()
    code = "from leaksim.core.solver.compiled import kernel_cached; print(kernel_cached())"
    env = {**os.environ, "NUMBA_CACHE_DIR": str(tmp_path)}
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert done.stdout.strip() == "False", done.stderr


class _Terminal:
    """A stderr that says it is a terminal and keeps what is written to it."""

    def __init__(self, tty: bool) -> None:
        self.tty, self.text = tty, ""

    def isatty(self) -> bool:
        return self.tty

    def write(self, text: str) -> int:
        self.text += text
        return len(text)

    def flush(self) -> None:
        pass


@pytest.mark.parametrize("tty", [True, False])
def test_a_cold_start_is_noted_on_a_terminal_only(monkeypatch, tty):
    from leaksim.cli import _exit
    from leaksim.core.solver import compiled

    monkeypatch.setattr(compiled, "on_compile", None)
    terminal = _Terminal(tty)
    monkeypatch.setattr(sys, "stderr", terminal)
    _exit._note_a_cold_start()
    if not tty:
        assert compiled.on_compile is None
        return
    assert compiled.on_compile is not None
    compiled.on_compile()
    assert terminal.text.startswith("leaksim: note: compiling the solver")
    assert terminal.text.count("\n") == 1


def test_the_note_comes_once_before_the_first_kernel_run_and_only_when_cold(monkeypatch):
    from leaksim import stations
    from leaksim.core.solver import compiled

    calls = []
    monkeypatch.setattr(compiled, "on_compile", lambda: calls.append(1))
    monkeypatch.setattr(compiled, "_compile_checked", False)
    monkeypatch.setattr(compiled, "kernel_cached", lambda: False)
    stations.teaching_two_modules().run()  # merged in closed form: no kernel, no note
    assert calls == []
    stations.teaching_two_modules().run(zones=False)
    stations.teaching_two_modules().run(zones=False)
    assert calls == [1]
    monkeypatch.setattr(compiled, "_compile_checked", False)
    monkeypatch.setattr(compiled, "kernel_cached", lambda: True)
    stations.teaching_two_modules().run(zones=False)
    assert calls == [1]  # compiled already: nothing to say
