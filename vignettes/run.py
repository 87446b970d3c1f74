"""Execute the notebooks in place, each alone in an empty temporary folder, and store the outputs.

    python vignettes/run.py                     # all of them
    python vignettes/run.py 02 03               # those whose names start so
    python vignettes/run.py --student DIR 02    # copies without the solution cells, to DIR

Each notebook is its own source: edit it in Jupyter (or any editor), then run this to store it
executed from top to bottom (or use Jupyter's "Restart kernel and run all cells", then save).
A notebook runs in a folder that holds only a copy of it, as a reader's copy would, with the
temporary folder of its kernel (``TMPDIR``) empty too; a file it leaves in either is reported
and the notebook is not rewritten. The time each took is printed.

``--student`` writes copies without the cells tagged ``solution`` (the worked solutions of the
exercises) and without outputs, for a class to work through.

Needs ``nbformat``, ``nbclient`` and ``ipykernel`` (the test extra has them); the first notebook
also ipywidgets (the extra ``explore``), the last Dask and ``distributed`` (the extra ``dask``).
"""

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

HERE = Path(__file__).resolve().parent
NOTEBOOKS = sorted(HERE.glob("[0-9][0-9]_*.ipynb"))
TIMEOUT = 120  # seconds per cell
SOLUTION = "solution"  # the tag of a cell that holds a worked solution


def is_solution(cell):
    return SOLUTION in cell.metadata.get("tags", [])


def cleared(nb):
    """A copy of nb with no outputs, execution counts or run metadata."""
    nb = nbformat.from_dict(nb)
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    return nb


def without_solutions(nb):
    """A copy of nb without its solution cells and without outputs."""
    nb = cleared(nb)
    nb.cells = [cell for cell in nb.cells if not is_solution(cell)]
    return nb


def _contents(folder):
    return sorted(str(p.relative_to(folder)) for p in Path(folder).rglob("*"))


def run_alone(path, folder, nb=None, timeout=TIMEOUT):
    """Execute the notebook at ``path`` (or ``nb``, read from it) in the empty ``folder``.

    The folder gets a copy of the notebook file and nothing else; the kernel's working folder is
    it, and its ``TMPDIR`` an empty folder beside it. Raises nbclient's CellExecutionError on the
    first cell that fails. Returns the executed notebook, the seconds it took, and what it left
    behind: files in the folder other than the copy, and anything in ``TMPDIR``.
    """
    folder = Path(folder)
    work, tmp = folder / "alone", folder / "tmp"
    work.mkdir(parents=True)
    tmp.mkdir()
    shutil.copy(path, work / Path(path).name)
    nb = cleared(nbformat.read(path, as_version=4) if nb is None else nb)
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3")
    env = {**os.environ, "TMPDIR": str(tmp)}
    start = time.perf_counter()
    client.execute(cwd=str(work), env=env)
    seconds = time.perf_counter() - start
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
    left = [name for name in _contents(work) if name != Path(path).name] + [f"TMPDIR/{name}" for name in _contents(tmp)]
    return nb, seconds, left


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("prefixes", nargs="*", help="run only the notebooks whose names start so (01, 02, ...)")
    parser.add_argument("--student", metavar="DIR", type=Path,
                        help="write copies without the solution cells and outputs to DIR (nothing is run)")
    args = parser.parse_args(argv)
    chosen = [p for p in NOTEBOOKS if not args.prefixes or any(p.name.startswith(x) for x in args.prefixes)]
    if not chosen:
        parser.error(f"no notebook starts with {' or '.join(args.prefixes)}")
    if args.student:
        args.student.mkdir(parents=True, exist_ok=True)
        for path in chosen:
            nb = nbformat.read(path, as_version=4)
            nbformat.write(without_solutions(nb), args.student / path.name)
            print(f"{args.student / path.name}: {sum(map(is_solution, nb.cells))} solution cells left out")
        return 0
    failed = 0
    for path in chosen:
        with tempfile.TemporaryDirectory() as folder:
            try:
                nb, seconds, left = run_alone(path, folder)
            except CellExecutionError as error:  # its message shows the cell and the traceback
                failed += 1
                print(f"{path.name}: a cell failed, not rewritten:\n{error}")
                continue
        if left:
            failed += 1
            print(f"{path.name}: executed in {seconds:.1f} s but left files behind, not rewritten: {left}")
            continue
        nbformat.write(nb, path)
        print(f"{path.name}: executed in {seconds:.1f} s")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
