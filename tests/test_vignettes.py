"""The vignettes (vignettes/*.ipynb): stored executed, and they still run top to bottom.

Each notebook is re-executed with nbclient on the ``python3`` kernel, from an in-memory
copy, with its working folder a scratch copy of the repository layout (``vignettes/``
beside a link to ``tests/``): the stored notebooks are never rewritten. A notebook must
write only to temporary folders of its own: any file it leaves in its working folder fails
the test. The time each takes is measured and reported (pytest's ``-rA`` or ``-s`` shows
it), not asserted: the budget is a minute each on two shared cores. The notebook on large
data runs a Dask cluster: where Dask or ``distributed`` is not installed its run is skipped,
saying so (the other checks still read it).
"""

import importlib
import importlib.util
import time
from pathlib import Path

import ipykernel  # noqa: F401  (the test extra installs these; a missing one fails the suite)
import matplotlib  # noqa: F401
import nbclient
import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
VIGNETTES = sorted((ROOT / "vignettes").glob("*.ipynb"))
CELL_TIMEOUT = 120  # seconds
NEEDS = {"06_large_data.ipynb": ["dask.array", "dask.dataframe", "distributed"]}  # beyond the test extra


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


def test_there_are_six_vignettes():
    assert [p.name[:2] for p in VIGNETTES] == ["01", "02", "03", "04", "05", "06"]


@pytest.mark.parametrize("path", VIGNETTES, ids=lambda p: p.stem)
def test_stored_notebook_is_executed(path):
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    cells = _code_cells(nb)
    assert cells, "no code cells"
    not_run = [i for i, cell in enumerate(cells) if cell.execution_count is None]
    assert not not_run, f"code cells {not_run} were not executed"
    counts = [cell.execution_count for cell in cells]
    assert counts == list(range(1, len(cells) + 1)), "not executed once, top to bottom"
    assert not _errors(nb)
    assert any(cell.outputs for cell in cells)
    missing = [i for i, cell in enumerate(cells) if _draws(cell) and not _has_image(cell)]
    assert not missing, f"figure cells {missing} have no stored image"
    assert path.stat().st_size < 2_000_000, "outputs too large"


@pytest.mark.parametrize("path", VIGNETTES, ids=lambda p: p.stem)
def test_notebook_runs_and_leaves_no_files(path, tmp_path):
    missing = _missing(NEEDS.get(path.name, []))
    if missing:
        pytest.skip(f"{path.name} runs a Dask cluster and needs {', '.join(missing)}: "
                    "pip install '.[dask]'")
    nb = nbformat.read(path, as_version=4)
    for cell in _code_cells(nb):
        cell.outputs, cell.execution_count = [], None
    (tmp_path / "vignettes").mkdir()
    (tmp_path / "tests").symlink_to(ROOT / "tests", target_is_directory=True)
    client = nbclient.NotebookClient(nb, timeout=CELL_TIMEOUT, kernel_name="python3",
                                     resources={"metadata": {"path": str(tmp_path / "vignettes")}})
    start = time.perf_counter()
    client.execute()  # raises CellExecutionError on any error
    seconds = time.perf_counter() - start
    print(f"{path.name}: executed in {seconds:.1f} s")
    assert not _errors(nb)
    missing = [i for i, cell in enumerate(_code_cells(nb)) if _draws(cell) and not _has_image(cell)]
    assert not missing, f"figure cells {missing} made no image"
    assert _left_behind(tmp_path) == [], "the notebook left files behind (write to a temporary folder)"


def _left_behind(workdir):
    """Files in a notebook's working folder, or beside it, after it ran."""
    return sorted([p.name for p in workdir.iterdir() if p.name not in ("tests", "vignettes")]
                  + [str(p.relative_to(workdir)) for p in (workdir / "vignettes").rglob("*")])


def test_a_file_left_behind_is_found(tmp_path):
    """The check above can fail: a file written beside the notebook, or a folder, is found."""
    (tmp_path / "vignettes").mkdir()
    (tmp_path / "tests").symlink_to(ROOT / "tests", target_is_directory=True)
    assert _left_behind(tmp_path) == []
    (tmp_path / "vignettes" / "co2.csv").write_text("x\n")
    (tmp_path / "vignettes" / "out").mkdir()
    (tmp_path / "stray.json").write_text("{}")
    assert _left_behind(tmp_path) == ["stray.json", "vignettes/co2.csv", "vignettes/out"]


def test_the_stored_notebooks_are_those_build_writes():
    """vignettes/build.py makes the same cells (source) as the stored notebooks: no stored
    notebook edited by hand, or left behind by a change to build.py."""
    spec = importlib.util.spec_from_file_location("vignette_build", ROOT / "vignettes" / "build.py")
    build = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build)
    assert sorted(build.NOTEBOOKS) == [p.name for p in VIGNETTES]
    for name, sections in build.NOTEBOOKS.items():
        stored = nbformat.read(ROOT / "vignettes" / name, as_version=4)
        built = build.notebook(sections)
        assert [(c.cell_type, c.source) for c in built.cells] == [(c.cell_type, c.source) for c in stored.cells], name


def test_a_notebook_that_needs_dask_says_what_is_missing():
    """The skip above names what is missing (and nothing when all is there)."""
    assert _missing(["json", "a_module_that_is_not_there"]) == ["a_module_that_is_not_there"]
    assert set(NEEDS) <= {p.name for p in VIGNETTES}
