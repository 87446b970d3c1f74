"""The vignettes (vignettes/*.ipynb): each notebook is its own source, stored executed, and runs alone.

Each notebook is re-executed with nbclient on the ``python3`` kernel by ``vignettes/run.py``
(``run_alone``), the way a reader's copy would run: in an empty temporary folder holding only a
copy of it, with no repository around it, and with the kernel's ``TMPDIR`` an empty folder of its
own. Any file it leaves in either fails the test: a notebook writes only to temporary folders it
makes and removes. The stored notebooks are never rewritten. The time each takes is printed
(pytest's ``-s`` or ``-rA`` shows it), not asserted. The first lesson draws with the explorer
(ipywidgets) and the notebook on large data runs a Dask cluster: where what one needs is not
installed its run is skipped, saying so.

Notebooks 01 to 03 hold exercises whose worked solutions are cells tagged ``solution``, which the
runs above execute; the same notebooks are also run without them, as a class would get them
(``python vignettes/run.py --student``), so that no later cell depends on a solution.
"""

import importlib
import importlib.util
import re
import sys
import tempfile
from pathlib import Path

import ipykernel  # noqa: F401  (the test extra installs these; a missing one fails the suite)
import matplotlib  # noqa: F401
import nbformat
import pytest
from nbclient.exceptions import CellExecutionError

from conftest import ROOT

VIGNETTES = sorted((ROOT / "vignettes").glob("*.ipynb"))
NEEDS = {"00_first_lesson.ipynb": ["ipywidgets"],  # the extra 'explore' (the test extra has it)
         "06_large_data.ipynb": ["dask.array", "dask.dataframe", "distributed"]}  # beyond the test extra
WITH_EXERCISES = ["01", "02", "03"]
SIZE_LIMIT = 2_000_000  # bytes, a stored notebook with its outputs

_spec = importlib.util.spec_from_file_location("vignettes_run", ROOT / "vignettes" / "run.py")
run = importlib.util.module_from_spec(_spec)
sys.modules["vignettes_run"] = run
_spec.loader.exec_module(run)


def _code_cells(nb):
    return [cell for cell in nb.cells if cell.cell_type == "code"]


def _draws(cell):
    return "plt.show()" in cell.source


def _has_image(cell):
    return any("image/png" in output.get("data", {}) for output in cell.outputs)


def _errors(nb):
    return [(i, output.get("ename"), output.get("evalue")) for i, cell in enumerate(nb.cells)
            if cell.cell_type == "code" for output in cell.outputs if output.output_type == "error"]


def _missing(modules):
    """The modules of ``modules`` that cannot be imported here."""
    missing = []
    for name in modules:
        try:
            importlib.import_module(name)
        except ImportError:
            missing.append(name)
    return missing


def _skip_without(path):
    missing = _missing(NEEDS.get(path.name, []))
    if missing:
        extra, what = ("explore", "draws with the explorer") if path.name.startswith("00") else ("dask", "runs a Dask cluster")
        pytest.skip(f"{path.name} {what} and needs {', '.join(missing)}: pip install '.[{extra}]'")


def _figures_missing(nb):
    return [i for i, cell in enumerate(_code_cells(nb)) if _draws(cell) and not _has_image(cell)]


def _texts(nb):
    """Every text a stored notebook shows: the outputs of its code cells."""
    for cell in _code_cells(nb):
        for output in cell.outputs:
            yield output.get("text", "") + "".join(v for k, v in output.get("data", {}).items() if k.startswith("text/"))


def test_there_are_seven_vignettes_and_no_generator():
    assert [p.name[:2] for p in VIGNETTES] == ["00", "01", "02", "03", "04", "05", "06"]
    assert run.NOTEBOOKS == VIGNETTES
    assert not (ROOT / "vignettes" / "build.py").exists(), "each notebook is its own source"


@pytest.mark.parametrize("path", VIGNETTES, ids=lambda p: p.stem)
def test_stored_notebook_is_executed(path):
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    cells = _code_cells(nb)
    assert cells, "no code cells"
    not_run = [i for i, cell in enumerate(cells) if cell.execution_count is None]
    assert not not_run, f"code cells {not_run} were not executed (python vignettes/run.py {path.name[:2]})"
    counts = [cell.execution_count for cell in cells]
    assert counts == list(range(1, len(cells) + 1)), "not executed once, top to bottom"
    assert not _errors(nb)
    assert any(cell.outputs for cell in cells)
    missing = _figures_missing(nb)
    assert not missing, f"figure cells {missing} have no stored image"
    assert path.stat().st_size < SIZE_LIMIT, "outputs too large"


@pytest.mark.parametrize("path", VIGNETTES, ids=lambda p: p.stem)
def test_stored_outputs_name_no_folder_of_the_machine_they_ran_on(path):
    """A temporary folder, a home folder or the checkout in an output is one reader's machine, not
    the lesson (the notebooks run with TMPDIR under this machine's temporary folder)."""
    nb = nbformat.read(path, as_version=4)
    pattern = re.compile("|".join(re.escape(str(folder)) for folder in (tempfile.gettempdir(), Path.home(), ROOT)))
    assert [text for text in _texts(nb) if pattern.search(text)] == []


@pytest.mark.parametrize("path", VIGNETTES, ids=lambda p: p.stem)
def test_notebook_runs_alone_and_leaves_no_files(path, tmp_path):
    _skip_without(path)
    nb, seconds, left = run.run_alone(path, tmp_path)  # raises CellExecutionError on any error
    print(f"{path.name}: executed alone in {seconds:.1f} s")
    assert not _errors(nb)
    missing = _figures_missing(nb)
    assert not missing, f"figure cells {missing} made no image"
    assert left == [], "the notebook left files behind (write to a temporary folder, and remove it)"


@pytest.mark.parametrize("prefix", WITH_EXERCISES)
def test_exercises_have_worked_solutions_that_were_run(prefix):
    (path,) = [p for p in VIGNETTES if p.name.startswith(prefix)]
    nb = nbformat.read(path, as_version=4)
    exercises = [i for i, cell in enumerate(nb.cells)
                 if cell.cell_type == "markdown" and re.search(r"\*\*Exercise \d+\.\d+|### Exercise \d+\.\d+", cell.source)]
    solutions = [i for i, cell in enumerate(nb.cells) if cell.cell_type == "code" and run.is_solution(cell)]
    assert len(exercises) >= 3 and len(solutions) == len(exercises), (exercises, solutions)
    for exercise, solution in zip(exercises, solutions):
        assert exercise < solution, "each solution follows its exercise"
        cell = nb.cells[solution]
        assert cell.source.startswith("# Solution to exercise"), "a solution cell says what it is on its first line"
        assert cell.execution_count is not None and cell.outputs, "each solution is stored executed, with its output"
    explained = [cell for cell in nb.cells if cell.cell_type == "markdown" and run.is_solution(cell)]
    assert all(cell.source.startswith("<details>") for cell in explained), "the explanations are folded away"


@pytest.mark.parametrize("prefix", WITH_EXERCISES)
def test_notebook_runs_without_its_solutions(prefix, tmp_path):
    """The copy a class gets (solution cells removed) still runs: no later cell needs a solution."""
    (path,) = [p for p in VIGNETTES if p.name.startswith(prefix)]
    student = run.without_solutions(nbformat.read(path, as_version=4))
    assert not any(run.is_solution(cell) for cell in student.cells)
    nb, seconds, left = run.run_alone(path, tmp_path, nb=student)
    print(f"{path.name} without its solutions: executed alone in {seconds:.1f} s")
    assert not _errors(nb) and left == []


def _notebook(*sources):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(source) for source in sources]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return nb


def test_a_file_left_behind_is_found(tmp_path):
    """The check above can fail: a file written beside the notebook, a folder, and a temporary
    folder not removed are all found."""
    nb = _notebook("from pathlib import Path; import tempfile",
                   "Path('co2.csv').write_text('x\\n'); Path('out').mkdir()",
                   "tempfile.mkdtemp(prefix='kept-')")
    path = tmp_path / "leaky.ipynb"
    nbformat.write(nb, path)
    _, _, left = run.run_alone(path, tmp_path / "run")
    assert [name for name in left if not name.startswith("TMPDIR/")] == ["co2.csv", "out"]
    assert len([name for name in left if name.startswith("TMPDIR/kept-")]) == 1


def test_a_notebook_that_reads_the_repository_fails_alone(tmp_path):
    """Run alone, a notebook has nothing around it: a read of ../tests/ (as two notebooks once did)
    fails."""
    path = tmp_path / "reads.ipynb"
    nbformat.write(_notebook("open('../tests/r_goldens.json').read()"), path)
    with pytest.raises(CellExecutionError, match="FileNotFoundError"):
        run.run_alone(path, tmp_path / "run")


def test_the_student_copy_leaves_out_the_solutions(tmp_path):
    """``run.py --student`` writes copies without the solution cells and without outputs."""
    assert run.main(["--student", str(tmp_path), *WITH_EXERCISES]) == 0
    for prefix in WITH_EXERCISES:
        (path,) = [p for p in VIGNETTES if p.name.startswith(prefix)]
        stored, student = nbformat.read(path, as_version=4), nbformat.read(tmp_path / path.name, as_version=4)
        kept = [cell.source for cell in stored.cells if not run.is_solution(cell)]
        assert [cell.source for cell in student.cells] == kept
        assert len(kept) < len(stored.cells)
        assert all(not cell.outputs and cell.execution_count is None for cell in _code_cells(student))


def test_a_notebook_that_needs_dask_says_what_is_missing():
    """The skip above names what is missing (and nothing when all is there)."""
    assert _missing(["json", "a_module_that_is_not_there"]) == ["a_module_that_is_not_there"]
    assert set(NEEDS) <= {p.name for p in VIGNETTES}
