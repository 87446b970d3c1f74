"""R's numbers quoted in the vignettes are R's: each checked against tests/r_goldens.json.

A notebook that quotes R writes R's results into a dict ``R_RESULTS`` in one of its code cells,
keyed by the R expression that gave them, so that it runs alone (without this repository). Here
every key of every such dict is mapped to the golden case R computed it in, and every number
quoted must be that case's number to the digits quoted (a quote may be shorter than R's 17
digits, never different). The tables R ran on are written into the notebook: the text of each
(tests/data/NAME.csv) must be there as it is.
"""

import ast
import math

import nbformat
import pytest

from conftest import GOLDENS, HERE, ROOT

PLANT = {"data": "plant", "scaling": "variance", "seed": 1, "params": {}}
METHODS = ["GD", "MBGD", "SGD", "SAGD", "MGD", "AGD", "ADAGRAD", "ADADELTA", "RMSPROP", "ADAM",
           "SVRG", "SSGD", "SARAH", "SARAHPlus"]
LEARN_GD_PLANT = {"method": "GD", "data": "plant", "seed": 1, "featureScaling": True, "scalingMethod": "VARIANCE",
                  "control": {"maxIter": 30}}
LEARN_GD_TINY = {**LEARN_GD_PLANT, "data": "tiny"}

# notebook -> {the key it quotes R under: (the golden case's kind, its fields, the field quoted)}
QUOTED = {
    "02_feature_scaling.ipynb": {
        "GD(tiny, seed = 1)": ("method", {"method": "GD", "data": "tiny", "scaling": "none", "seed": 1, "params": {}},
                               "theta"),
    },
    "05_coming_from_r.ipynb": {
        **{f"{method}(dataSet, seed = 1)": ("method", {"method": method, **PLANT}, "theta") for method in METHODS},
        "modelObject$model": ("learn", LEARN_GD_PLANT, "model"),
        "predict(modelObject, plant[1:5, ])$V1": ("learn", LEARN_GD_PLANT, "prediction"),
        "rownames(splitData(plant, dataTrainRate = 0.8, seed = 1)$dataTest)":
            ("splitData", {"data": "plant", "seed": 1, "dataTrainRate": 0.8}, "test_rows"),
        "RMSE(c(1, 2, 3, 4.5), c(1.5, 1.5, 2, 5))":
            ("RMSE", {"outputData": [1, 2, 3, 4.5], "prediction": [1.5, 1.5, 2, 5]}, "value"),
        "tinyModel$model": ("learn", LEARN_GD_TINY, "model"),
        "predict(tinyModel, tiny)$V1": ("learn", LEARN_GD_TINY, "prediction"),
    },
}


def golden(kind, fields, quoted):
    """The golden value of the one case of this kind whose fields are these."""
    found = [c for c in GOLDENS if c["kind"] == kind and all(c.get(k) == v for k, v in fields.items())]
    assert len(found) == 1, (kind, fields, len(found))
    return found[0][quoted]


def quoted_results(nb):
    """{key: (the quoted numbers as written, or None)} from the notebook's ``R_RESULTS = {...}``."""
    found = {}
    for cell in nb.cells:
        if cell.cell_type != "code" or "R_RESULTS = {" not in cell.source:
            continue
        for node in ast.walk(ast.parse(cell.source)):
            if isinstance(node, ast.Assign) and [getattr(t, "id", None) for t in node.targets] == ["R_RESULTS"]:
                for key, value in zip(node.value.keys, node.value.values):
                    found[ast.literal_eval(key)] = (None if isinstance(value, ast.Constant) and value.value is None
                                                    else [ast.get_source_segment(cell.source, v) for v in value.elts])
    return found


def disagreements(quotes, values):
    """The quoted numbers that are not R's value to the digits quoted (or R's failure, None)."""
    if quotes is None or values is None:
        return [] if quotes is None and values is None else [(quotes, values)]
    if len(quotes) != len(values):
        return [(quotes, values)]
    wrong = []
    for text, value in zip(quotes, values):
        number = ast.literal_eval(text)
        if isinstance(number, int) and isinstance(value, int):
            ok = number == value
        else:  # half a unit in the last digit quoted
            mantissa = text.lstrip("+-").lower().split("e")[0].replace(".", "").lstrip("0") or "0"
            exponent = math.floor(math.log10(abs(number))) if number else 0
            ok = abs(number - value) <= 0.5 * 10.0 ** (exponent - len(mantissa) + 1) * (1 + 1e-12)
        if not ok:
            wrong.append((text, value))
    return wrong


def test_the_notebooks_that_quote_r_are_those_listed():
    quoting = sorted(p.name for p in (ROOT / "vignettes").glob("*.ipynb") if "R_RESULTS" in p.read_text())
    assert quoting == sorted(QUOTED)


@pytest.mark.parametrize("name", sorted(QUOTED))
def test_every_number_quoted_from_r_is_rs(name):
    quoted = quoted_results(nbformat.read(ROOT / "vignettes" / name, as_version=4))
    assert sorted(quoted) == sorted(QUOTED[name]), "each quote mapped to its golden case, and each mapping used"
    wrong = {key: disagreements(quoted[key], golden(*QUOTED[name][key])) for key in quoted}
    assert {key: found for key, found in wrong.items() if found} == {}


@pytest.mark.parametrize("name", sorted(QUOTED))
def test_the_tables_r_ran_on_are_written_out_as_they_are(name):
    sources = "\n".join(cell.source for cell in nbformat.read(ROOT / "vignettes" / name, as_version=4).cells
                        if cell.cell_type == "code")
    tables = {fields["data"] for _, fields, _ in QUOTED[name].values() if "data" in fields}
    assert tables
    for table in tables:
        assert (HERE / "data" / f"{table}.csv").read_text().strip() in sources, f"{table}.csv"


def test_a_wrong_or_missing_quote_is_found():
    """The checks above can fail: a changed digit, a number rounded the wrong way, a missing
    number, a quote where R failed, and an unmapped key."""
    r = [0.0925771464974237, 0.6047254375850919]
    assert disagreements(["0.0925771464974237", "0.6047254375850919"], r) == []
    assert disagreements(["0.09257715", "0.6047254"], r) == []              # shorter, rounded right
    assert disagreements(["0.09257714", "0.6047254"], r) == [("0.09257714", r[0])]
    assert disagreements(["0.0925771464974238", "0.6047254375850919"], r) == [("0.0925771464974238", r[0])]
    assert disagreements(["0.09257715"], r) != []
    assert disagreements(["1", "2"], [1, 3]) == [("2", 3)]
    assert disagreements(["1.5"], None) != [] and disagreements(None, None) == []
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell('R_RESULTS = {\n    "GD(x)": [1.5, -2e-3],\n    "f(y)": None,\n}')]
    assert quoted_results(nb) == {"GD(x)": ["1.5", "-2e-3"], "f(y)": None}
