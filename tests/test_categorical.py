"""Tables as they come to the command line (issue 25, part 2): columns of text fitted as R's
``lm`` fits a factor (treatment coding, the first level in R's order the reference, the
indicator columns named as R names them), ``--categorical`` for numeric codes, the levels in
the model file and ``predict`` coding them (a level it does not know is one line, nothing
written), identifiers and one-level columns refused with ``--drop``, many levels held as a
sparse design (the dense design's coefficients and predictions, up to rounding) and a bound on
the dense indicator columns where they must be dense (``explore``, ``--dask``), a warning for an
input that only numbers the rows, and ``predict --na``.

Every fit of a file with text is compared, equal and not close, with the fit of the same
file with its indicator columns written out as numbers; on Dask, bit for bit with the fit
in memory.
"""

import json
import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from graddescent import cli, coding, modelfile, reading, sparse
from graddescent.cli import inputs

FIRMS = ["General Motors", "US Steel", "General Electric", "Chrysler", "Atlantic Refining", "IBM", "Union Oil",
         "Westinghouse", "Goodyear", "Diamond Match", "American Steel"]


def grunfeld(years=20, seed=25):
    """A table shaped as statsmodels' Grunfeld investment data: firm (text), year, value, capital, invest."""
    rng = np.random.default_rng(seed)
    rows = []
    for k, firm in enumerate(FIRMS):
        for year in range(1935, 1935 + years):
            value, capital = rng.uniform(50, 5000), rng.uniform(5, 2000)
            rows.append((firm, year, value, capital, 0.1 * value + 0.3 * capital + 20 * k + rng.normal(0, 10)))
    return pd.DataFrame(rows, columns=["firm", "year", "value", "capital", "invest"])


def with_indicators(frame, column, levels):
    """R's model.matrix by hand: the column replaced, where it stands, by one 0/1 column per level
    after the first, named the column's name then the level."""
    at = list(frame.columns).index(column)
    dummies = pd.DataFrame({f"{column}{coding.level_label(level)}": (frame[column] == level).astype(float)
                            for level in levels[1:]})
    return pd.concat([frame.iloc[:, :at], dummies, frame.iloc[:, at + 1:]], axis=1)


def run(folder, monkeypatch, capsys, *args):
    """``cli.main`` in ``folder``: (status, stdout, stderr lines)."""
    monkeypatch.chdir(folder)
    capsys.readouterr()
    status = cli.main([str(a) for a in args])
    out, err = capsys.readouterr()
    return status, out, err.splitlines()


def refused(folder, monkeypatch, capsys, *args):
    """The one error line of a refusal, after checking that nothing was written."""
    before = sorted(p.name for p in Path(folder).iterdir())
    status, out, err = run(folder, monkeypatch, capsys, *args)
    assert status == 2 and out == "", (out, err)
    assert len(err) == 1 and err[0].startswith("graddescent: error: "), err
    assert sorted(p.name for p in Path(folder).iterdir()) == before
    return err[0][len("graddescent: error: "):]


def fitted(folder, monkeypatch, capsys, *args):
    status, out, err = run(folder, monkeypatch, capsys, "fit", *args, "--seed", "1", "--json")
    assert status == 0, err
    return json.loads(out), err


LEVELS = sorted(FIRMS)  # (R's order: "American Steel" first, the reference)


# --------------------------------------------------------------------------- the coding

def test_a_text_column_is_fitted_as_rs_treatment_coding(tmp_path, monkeypatch, capsys):
    frame = grunfeld()
    frame.to_csv(tmp_path / "grunfeld.csv", index=False)
    coded = with_indicators(frame, "firm", LEVELS)
    coded.to_csv(tmp_path / "coded.csv", index=False)
    for options in ([], ["--tol", "none"], ["--method", "SVRG"]):
        out, err = fitted(tmp_path, monkeypatch, capsys, "grunfeld.csv", *options)
        reference, _ = fitted(tmp_path, monkeypatch, capsys, "coded.csv", *options)
        assert out["columns"] == list(coded.columns) and out["columns"][:2] == ["firmAtlantic Refining", "firmChrysler"]
        assert out["theta"] == reference["theta"] and out["n_iter"] == reference["n_iter"]
        assert out["levels"] == {"firm": LEVELS} and reference["levels"] == {}
        assert err[0] == ("graddescent: note: column 'firm' of 'grunfeld.csv' holds text: 11 levels, fitted as 10 "
                          "indicator column(s) beside the reference level 'American Steel' (R's treatment coding)")
    # the least-squares coefficients by name, as lm(invest ~ firm + year + value + capital) gives them
    design = np.column_stack([np.ones(len(coded)), coded.iloc[:, :-1].to_numpy()])
    expected = np.linalg.lstsq(design, coded["invest"].to_numpy(), rcond=None)[0]
    np.testing.assert_allclose(out["least_squares"]["coefficients"], expected, rtol=1e-9, atol=1e-9)


def test_levels_are_sorted_as_r_sorts_them_and_missing_markers_are_missing(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("a,b,y\nbanana,1,1\nApple,2,2\nNA,3,3\ncherry,4,4\n,5,5\nApple,6,6\n\u00c5re,7,7\n")
    layout = reading.inspect_csv(path)
    assert reading.text_columns(layout, ["a", "b", "y"]) == ["a"]
    frame, _, facts = reading.read_numbers(layout, ["a", "b", "y"], text=["a"], dropna=True)
    assert facts["levels"] == {"a": ["Apple", "banana", "cherry", "\u00c5re"]}  # (code points: R's C locale)
    assert frame["a"].tolist() == [1, 0, 2, 0, 3]


def test_pieces_and_a_wide_file_give_the_same_levels(tmp_path, monkeypatch):
    frame = grunfeld()
    frame.to_csv(tmp_path / "g.csv", index=False)
    layout = reading.inspect_csv(tmp_path / "g.csv")
    whole = reading.read_numbers(layout, layout.columns, text=["firm"])
    monkeypatch.setattr(reading, "_PIECE_BYTES", 300)  # (about 50 pieces, each with a few of the firms)
    pieces = reading.read_numbers(layout, layout.columns, text=["firm"])
    monkeypatch.setattr(reading, "_ROWWISE_RATIO", 0)  # (row by row, as a wide file is read)
    by_row = reading.read_numbers(layout, layout.columns, text=["firm"])
    for other in (pieces, by_row):
        np.testing.assert_array_equal(other[0].to_numpy(), whole[0].to_numpy())
        assert other[2]["levels"] == whole[2]["levels"] == {"firm": LEVELS}
    assert whole[0]["firm"].tolist() == [LEVELS.index(f) for f in frame["firm"]]


def test_indicators_dense_and_sparse_are_the_same_block():
    codes = np.array([0, 2, 1, 2, 0, 3])
    dense = coding.indicators(codes, 4)
    np.testing.assert_array_equal(dense, [[0, 0, 0], [0, 1, 0], [1, 0, 0], [0, 1, 0], [0, 0, 0], [0, 0, 1]])
    sparse = coding.indicators(codes, 4, sparse=True)
    assert sparse.format == "csr" and sparse.nnz == 4
    np.testing.assert_array_equal(sparse.toarray(), dense)
    values = np.column_stack([np.arange(6.0), codes])
    np.testing.assert_array_equal(coding.design(values, {1: (4, None)}), np.column_stack([np.arange(6.0), dense]))
    mapping = np.array([3, 0, 1, 2])  # (a piece's own level numbers among the whole's)
    np.testing.assert_array_equal(coding.design(values, {1: (4, mapping)})[:, 1:], coding.indicators(mapping[codes], 4))
    values[[1, 4], 0] = 0.0  # (a numeric column's zeros: left out of the sparse design, as the reference's indicators)
    for plan in ({1: (4, None)}, {1: (4, mapping)}):
        held = coding.sparse_design(values, plan)
        assert held.format == "csr" and held.has_canonical_format and held.indices.dtype == np.int64
        assert held.nnz == np.count_nonzero(coding.design(values, plan))
        np.testing.assert_array_equal(held.toarray(), coding.design(values, plan))


def test_level_labels_are_rs():
    assert [coding.level_label(v) for v in (2.0, -3.0, 0.5, 1e-20, 2.0**40, "x y")] == [
        "2", "-3", "0.5", "1e-20", "1099511627776", "x y"]
    factor = coding.Factor("grade", [1.0, 2.0, 10.0])
    assert factor.names == ["grade2", "grade10"] and factor.reference == 1.0 and factor.numeric
    codes, unseen = factor.codes([10.0, np.nan, 1.0, 3.0])
    assert codes.tolist() == [2, -1, 0, -1] and unseen == 3


# --------------------------------------------------------------------------- --categorical

def test_categorical_makes_numeric_codes_levels(tmp_path, monkeypatch, capsys):
    rng = np.random.default_rng(4)
    grade = rng.choice([1, 2, 10], 80)
    frame = pd.DataFrame({"grade": grade, "x": rng.normal(size=80)})
    frame["y"] = 2 * frame["x"] + (grade == 10) * 3 + rng.normal(size=80)
    frame.to_csv(tmp_path / "g.csv", index=False)
    out, err = fitted(tmp_path, monkeypatch, capsys, "g.csv", "--categorical", "grade", "--model-out", "m.json")
    with_indicators(frame, "grade", [1, 2, 10]).to_csv(tmp_path / "coded.csv", index=False)
    reference, _ = fitted(tmp_path, monkeypatch, capsys, "coded.csv")
    assert out["columns"] == ["grade2", "grade10", "x", "y"] and out["theta"] == reference["theta"]
    assert "column 'grade' of 'g.csv' is categorical (--categorical): 3 levels" in err[0]
    document = json.loads((tmp_path / "m.json").read_text())
    assert document["levels"] == {"grade": [1.0, 2.0, 10.0]}  # (numbers: matched by value)
    # predict matches by value: 10 and 10.0 are one level; 7 is a level the model does not know
    (tmp_path / "new.csv").write_text("grade,x\n10.0,1\n2,0.5\n1,0\n")
    status, written, _ = run(tmp_path, monkeypatch, capsys, "predict", "m.json", "new.csv")
    theta = dict(zip(["(intercept)", *out["columns"][:-1]], out["coefficients"]))
    expected = [theta["(intercept)"] + theta["grade10"] + theta["x"], theta["(intercept)"] + theta["grade2"] +
                0.5 * theta["x"], theta["(intercept)"]]
    np.testing.assert_allclose(pd.read_csv(pd.io.common.StringIO(written))["prediction"], expected, rtol=1e-12)
    (tmp_path / "bad.csv").write_text("grade,x\n10,1\n7,2\n")
    assert refused(tmp_path, monkeypatch, capsys, "predict", "m.json", "bad.csv", "-o", "out.csv") == (
        "column 'grade' of 'bad.csv' holds '7' at data row 2, a level the model was not fitted with (it knows 3: '1', "
        "'2', '10'); predict rows of the levels it knows, or fit it on data that has this one")


@pytest.mark.parametrize("options, words", [
    (["--categorical", "nope"], "--categorical: no column 'nope' in 'g.csv'; the columns are: firm, year, value, "
     "capital, invest"),
    (["--categorical", "year", "--drop", "year"], "--categorical: the column 'year' of 'g.csv' is left out"),
    (["--categorical", "invest"], "the target column 'invest' of 'g.csv' is made categorical by --categorical; the "
     "target must hold numbers: choose another with --target"),
    (["--target", "firm"], "the target column 'firm' of 'g.csv' holds text; the target must hold numbers: choose "
     "another with --target"),
], ids=["unknown", "dropped", "target-categorical", "target-text"])
def test_categorical_options_refused(tmp_path, monkeypatch, capsys, options, words):
    grunfeld(3).to_csv(tmp_path / "g.csv", index=False)
    assert refused(tmp_path, monkeypatch, capsys, "fit", "g.csv", *options).startswith(words)


# --------------------------------------------------------------------------- refusals

def test_an_identifier_and_a_single_level_are_refused_with_drop(tmp_path, monkeypatch, capsys):
    frame = grunfeld(2)
    frame.insert(0, "name", [f"row {i}" for i in range(len(frame))])
    frame.to_csv(tmp_path / "ids.csv", index=False)
    assert refused(tmp_path, monkeypatch, capsys, "fit", "ids.csv") == (
        "column 'name' of 'ids.csv' has a different value in almost every row (22 in 22 rows): an identifier, not a "
        "category; leave it out with --drop 'name' (or --index-col 'name')")
    assert fitted(tmp_path, monkeypatch, capsys, "ids.csv", "--drop", "name")[0]["levels"] == {"firm": LEVELS}
    frame.assign(name="same").to_csv(tmp_path / "one.csv", index=False)
    assert refused(tmp_path, monkeypatch, capsys, "compare", "one.csv") == (
        "column 'name' of 'one.csv' holds the same value, 'same', in every row: as a category it has one level, which "
        "tells the fit nothing; leave it out with --drop 'name'")


def test_a_column_of_numbers_with_a_stray_word_keeps_its_error(tmp_path, monkeypatch, capsys):
    """Text in a few cells of a column of numbers is a mistake to fix, not a category."""
    frame = grunfeld(3).drop(columns="firm").astype({"year": str})
    frame.loc[5, "year"] = "n/a?"
    frame.to_csv(tmp_path / "typo.csv", index=False)
    assert refused(tmp_path, monkeypatch, capsys, "fit", "typo.csv").startswith(
        "column 'year' of 'typo.csv' is not numeric (data row 6 holds 'n/a?')")


def test_dense_indicator_columns_beyond_the_bound_are_refused_where_they_must_be_dense(tmp_path, monkeypatch, capsys):
    frame = grunfeld()
    frame.to_csv(tmp_path / "g.csv", index=False)
    monkeypatch.setattr(inputs, "DENSE_LIMIT", 8 * 220 * 5)  # (half of firm's 10 columns of 220 rows)
    assert refused(tmp_path, monkeypatch, capsys, "explore", "g.csv", "-o", "page.html") == (
        "column 'firm' of 'g.csv' has 11 levels: its 10 indicator columns over 220 rows would take 17.2 KiB as dense "
        "numbers, more than the 8.59 KiB bound on them; leave it out with --drop 'firm', or merge its levels into "
        "fewer; explore fits the dense design")
    assert fitted(tmp_path, monkeypatch, capsys, "g.csv")[0]["levels"] == {"firm": LEVELS}  # (sparse, in memory)


# --------------------------------------------------------------------------- a column that numbers the rows

@pytest.mark.parametrize("ids, warned", [
    (np.arange(1, 221), "goes from 1 to 220 by 1"), (np.arange(2200, 0, -10), "goes from 2200 to 10 by -10"),
    (np.r_[1:100, 101:222], None),  # (a gap: no longer a count of the rows)
], ids=["1..n", "down-by-10", "with-a-gap"])
def test_an_input_that_numbers_the_rows_is_warned_of(tmp_path, monkeypatch, capsys, ids, warned):
    frame = grunfeld()
    frame.insert(0, "id", ids)
    frame.to_csv(tmp_path / "g.csv", index=False)
    out, err = fitted(tmp_path, monkeypatch, capsys, "g.csv", "--tol", "none")  # (R's 10 iterations: id and firm
    warnings = [line for line in err if "warning: input column" in line]       # with year are nearly collinear)
    if warned is None:
        assert warnings == []
        return
    assert warnings == [f"graddescent: warning: input column 'id' of 'g.csv' {warned} from each row to the next: it "
                        "numbers the rows, and the fit takes their order for data; if it is an identifier, leave it "
                        "out with --drop 'id'"]
    status, _, err = run(tmp_path, monkeypatch, capsys, "compare", "g.csv", "--methods", "GD", "--tol", "none",
                         "--quiet")
    assert status == 0 and err == []
    status, _, err = run(tmp_path, monkeypatch, capsys, "compare", "g.csv", "--methods", "GD", "--tol", "none")
    assert sum("warning: input column 'id'" in line for line in err) == 1
    frame.loc[7, "value"] = np.nan  # (a row that --dropna leaves out: the file's rows are still numbered)
    frame.to_csv(tmp_path / "g.csv", index=False)
    assert sum("warning: input column 'id'" in line for line in fitted(tmp_path, monkeypatch, capsys, "g.csv",
                                                                        "--dropna", "--tol", "none")[1]) == 1
    status, _, err = run(tmp_path, monkeypatch, capsys, "fit", "g.csv", "--target", "id", "--dropna", "--tol", "none")
    assert not any("warning: input column" in line for line in err)  # (the target is not an input)


def test_a_few_rows_on_a_grid_are_not_warned_of(tmp_path, monkeypatch, capsys):
    (tmp_path / "dose.csv").write_text("dose,y\n" + "".join(f"{i},{2 * i + (-1) ** i}\n" for i in range(1, 7)))
    assert not any("warning" in line for line in fitted(tmp_path, monkeypatch, capsys, "dose.csv")[1])


# --------------------------------------------------------------------------- predict

@pytest.fixture
def model(tmp_path, monkeypatch, capsys):
    grunfeld().to_csv(tmp_path / "g.csv", index=False)
    status, _, _ = run(tmp_path, monkeypatch, capsys, "fit", "g.csv", "--seed", "1", "--model-out", "m.json",
                       "--quiet")
    assert status == 0
    return modelfile.read_model_factors(tmp_path / "m.json")


NEW = ("firm,year,value,capital\nIBM,1950,100,200\nChrysler,1950,,200\nUS Steel,1951,300,400\n"
       "NA,1951,300,400\nGoodyear,1952,500,600\n")


def expected_predictions(fitted_model, text):
    from graddescent import predict

    model, factors = fitted_model
    frame = pd.read_csv(pd.io.common.StringIO(text))
    complete = frame.notna().all(axis=1)
    design = with_indicators(frame[complete], "firm", factors[0].levels)
    return complete.to_numpy(), predict(model, design)["V1"].to_numpy()


def test_predict_codes_text_columns_with_the_models_levels(tmp_path, monkeypatch, capsys, model):
    document = json.loads((tmp_path / "m.json").read_text())
    assert document["levels"] == {"firm": LEVELS} and document["columns"][0] == "firmAtlantic Refining"
    assert model[1][0].levels == LEVELS
    status, out, err = run(tmp_path, monkeypatch, capsys, "predict", "m.json", "g.csv")
    assert status == 0 and err == []
    written = pd.read_csv(pd.io.common.StringIO(out))
    assert list(written.columns) == ["firm", "year", "value", "capital", "invest", "prediction"]
    assert written["firm"].tolist() == grunfeld()["firm"].tolist()  # (passed through as written)
    complete, expected = expected_predictions(model, (tmp_path / "g.csv").read_text())
    assert complete.all() and written["prediction"].tolist() == expected.tolist()


def test_predict_refuses_a_level_it_does_not_know(tmp_path, monkeypatch, capsys, model):
    (tmp_path / "new.csv").write_text("firm,year,value,capital\nIBM,1950,1,2\nFord,1950,1,2\n")
    assert refused(tmp_path, monkeypatch, capsys, "predict", "m.json", "new.csv", "-o", "out.csv") == (
        "column 'firm' of 'new.csv' holds 'Ford' at data row 2, a level the model was not fitted with (it knows 11: "
        "'American Steel', 'Atlantic Refining', 'Chrysler', 'Diamond Match', 'General Electric', ...); predict rows of "
        "the levels it knows, or fit it on data that has this one")
    assert refused(tmp_path, monkeypatch, capsys, "predict", "m.json", "new.csv", "--na", "exclude").startswith(
        "column 'firm' of 'new.csv' holds 'Ford' at data row 2")  # (a level, not a missing value)
    (tmp_path / "lacks.csv").write_text("year,value,capital\n1950,1,2\n")
    assert refused(tmp_path, monkeypatch, capsys, "predict", "m.json", "lacks.csv") == (
        "'lacks.csv' lacks the input column(s) ['firm'] that the model needs (the model's inputs: firm, year, value, "
        "capital)")


def test_predict_na_fail_exclude_drop(tmp_path, monkeypatch, capsys, model):
    (tmp_path / "new.csv").write_text(NEW)
    assert refused(tmp_path, monkeypatch, capsys, "predict", "m.json", "new.csv", "-o", "out.csv") == (
        "column 'value' of 'new.csv', an input of the model, is empty (or NA) at data row 2; fill the empty input "
        "cells, or give --na exclude (those rows get an empty prediction) or --na drop (those rows are left out)")
    complete, expected = expected_predictions(model, NEW)
    status, out, err = run(tmp_path, monkeypatch, capsys, "predict", "m.json", "new.csv", "--na", "exclude")
    assert status == 0 and err == ["graddescent: note: 2 of 5 rows of 'new.csv' have an empty cell in an input "
                                   "column: an empty prediction (--na exclude)"]
    lines = out.splitlines()
    assert lines[0] == "firm,year,value,capital,prediction" and len(lines) == 6
    assert lines[2].startswith("Chrysler,1950.0,,200.0,") and lines[2].endswith(",") and lines[4].endswith(",")
    written = pd.read_csv(pd.io.common.StringIO(out), keep_default_na=False)
    assert [float(v) for v in written["prediction"] if v != ""] == expected.tolist()
    assert (written["prediction"] == "").tolist() == (~complete).tolist()
    status, out, err = run(tmp_path, monkeypatch, capsys, "predict", "m.json", "new.csv", "--na", "drop", "--quiet")
    written = pd.read_csv(pd.io.common.StringIO(out))
    assert status == 0 and err == [] and written["firm"].tolist() == ["IBM", "US Steel", "Goodyear"]
    assert written["prediction"].tolist() == expected.tolist()


def test_predict_na_with_numbers_only(tmp_path, monkeypatch, capsys):
    """A model of numbers alone: --na works the same, and a file of numbers only is still read fast."""
    frame = grunfeld().drop(columns="firm")
    frame.to_csv(tmp_path / "g.csv", index=False)
    assert run(tmp_path, monkeypatch, capsys, "fit", "g.csv", "--model-out", "m.json", "--quiet")[0] == 0
    (tmp_path / "new.csv").write_text("year,value,capital\n1950,1,2\n1950,,2\n1951,3,NA\n1952,5,6\n")
    assert refused(tmp_path, monkeypatch, capsys, "predict", "m.json", "new.csv").startswith(
        "column 'value' of 'new.csv', an input of the model, is empty (or NA) at data row 2")
    status, out, _ = run(tmp_path, monkeypatch, capsys, "predict", "m.json", "new.csv", "--na", "exclude")
    assert status == 0 and [line.endswith(",") for line in out.splitlines()[1:]] == [False, True, True, False]
    (tmp_path / "inf.csv").write_text("year,value,capital\n1950,inf,2\n1950,,2\n")
    assert "infinite" in refused(tmp_path, monkeypatch, capsys, "predict", "m.json", "inf.csv", "--na", "exclude")


# --------------------------------------------------------------------------- the model file

def test_model_files_without_levels_read_as_before_and_bad_levels_are_refused(tmp_path, model):
    document = json.loads((tmp_path / "m.json").read_text())
    assert list(document)[-1] == "levels"
    bad = {
        "not-sorted": dict(levels={"firm": LEVELS[::-1]}),
        "one-level": dict(levels={"firm": LEVELS[:1]}),
        "mixed": dict(levels={"firm": ["a", 1]}),
        "columns-missing": dict(levels={"firm": LEVELS, "region": ["a", "b"]}),
        "empty": dict(levels={}),
        "also-a-column": dict(levels={"year": [1935.0, 1936.0]}),
    }
    words = {"not-sorted": "must be sorted", "one-level": "at least 2 distinct levels",
             "mixed": "all strings or all finite numbers", "columns-missing": "the indicator columns of 'region'",
             "empty": "levels must be an object", "also-a-column": "'year' is also one of columns"}
    for name, change in bad.items():
        with pytest.raises(ValueError, match=words[name]):
            modelfile.model_from_dict({**document, **change})
    plain = {k: v for k, v in document.items() if k != "levels"}
    assert modelfile.read_model_factors(tmp_path / "m.json")[1][0].names == document["columns"][:10]
    assert modelfile.model_from_dict(plain).columns == document["columns"]  # (read as a model of numbers)


# --------------------------------------------------------------------------- many levels: a sparse design

def test_many_levels_are_held_sparse_and_fitted_to_the_dense_designs_coefficients(tmp_path, monkeypatch, capsys):
    frame = grunfeld()
    frame.to_csv(tmp_path / "g.csv", index=False)
    args = cli.build_parser().parse_args(["fit", "g.csv", "--seed", "1"])
    args.label = "g.csv"
    monkeypatch.chdir(tmp_path)
    dense = inputs._load_training_data(args)[0]
    assert isinstance(dense, pd.DataFrame)
    monkeypatch.setattr(inputs, "SPARSE_COLUMNS", 9)  # (one below firm's 10 indicator columns)
    held = inputs._load_training_data(args)[0]
    assert isinstance(held, inputs.SparseTable) and held.X.format == "csr" and held.X.nnz < dense.shape[0] * 4
    np.testing.assert_array_equal(held.X.toarray(), dense.to_numpy()[:, :-1])
    assert list(held.columns) == list(dense.columns) and held.y.tolist() == dense["invest"].tolist()
    for options in ([], ["--tol", "none"], ["--method", "SVRG"], ["--method", "SGD"], ["--method", "ADAM"],
                    ["--test-rate", "0.3"], ["--scaling", "minmax"]):
        monkeypatch.setattr(inputs, "SPARSE_COLUMNS", 10)
        reference, reference_err = fitted(tmp_path, monkeypatch, capsys, "g.csv", *options)
        monkeypatch.setattr(inputs, "SPARSE_COLUMNS", 9)
        out, err = fitted(tmp_path, monkeypatch, capsys, "g.csv", *options)
        assert err == reference_err[:1] + ["graddescent: note: 10 indicator columns (more than 9): the design is held "
                                           "sparse (its non-zeros only) and fitted without densifying it"
                                           ] + reference_err[1:]
        np.testing.assert_allclose(out["coefficients"], reference["coefficients"], rtol=1e-7, atol=0)
        np.testing.assert_allclose(out["least_squares"]["coefficients"], reference["least_squares"]["coefficients"],
                                   rtol=1e-9, atol=0)
        for key in ("train_rmse", "test_rmse", "r2", "certified_error"):
            if reference[key] is not None:
                assert out[key] == pytest.approx(reference[key], rel=1e-7, abs=1e-12), key
        assert (out["n_iter"], out["converged"], out["columns"], out["levels"], out["train_rows"]) == (
            reference["n_iter"], reference["converged"], reference["columns"], reference["levels"],
            reference["train_rows"])


def test_compare_fits_a_sparse_design_as_the_dense_one(tmp_path, monkeypatch, capsys):
    grunfeld().to_csv(tmp_path / "g.csv", index=False)
    options = ["compare", "g.csv", "--methods", "GD,SGD,SVRG", "--json", "--test-rate", "0.3"]
    status, out, err = run(tmp_path, monkeypatch, capsys, *options)
    assert status == 0, err
    reference = json.loads(out)
    monkeypatch.setattr(inputs, "SPARSE_COLUMNS", 0)
    status, out, err = run(tmp_path, monkeypatch, capsys, *options, "--plot", "curves.png")
    assert status == 0 and (tmp_path / "curves.png").is_file(), err
    held = json.loads(out)
    assert [r["name"] for r in held["results"]] == [r["name"] for r in reference["results"]]
    for ours, theirs in zip(held["results"], reference["results"]):
        for key in ("train_rmse", "test_rmse", "certified_error"):
            assert ours[key] == pytest.approx(theirs[key], rel=1e-7), key
    # a method that would read more rows densified than its bound: left out with a warning, the others fitted
    monkeypatch.setattr(sparse, "MAX_DENSE", 10)
    status, out, err = run(tmp_path, monkeypatch, capsys, *options[:-2])
    assert status == 0 and [r["name"] for r in json.loads(out)["results"]] == ["GD", "SGD"]
    warned = [line for line in err if "warning" in line]
    assert len(warned) == 1 and warned[0].startswith("graddescent: warning: SVRG was not fitted: the inner loops read ")
    assert warned[0].endswith(" rows of 13 sparse inputs densified, more than 10 numbers; use a smaller --inner-iter, "
                              "or a method of full gradients (GD, AGD) or of single rows (SGD, SAGD)")
    assert refused(tmp_path, monkeypatch, capsys, "fit", "g.csv", "--method", "SVRG", "--quiet").startswith(
        "the inner loops read")


def test_a_wide_sparse_design_without_a_certificate_says_so(tmp_path, monkeypatch, capsys):
    """Beyond the inputs whose exact Gram matrix is built, the report says that the coefficients
    are not certified, and why (the table of fit, and compare's)."""
    from graddescent.cli import report

    grunfeld().to_csv(tmp_path / "g.csv", index=False)
    monkeypatch.setattr(inputs, "SPARSE_COLUMNS", 0)
    monkeypatch.setattr(sparse, "GRAM_SIZE", 8)  # (a design of 13 inputs: wide)
    monkeypatch.setattr(report, "GRAM_SIZE", 8)
    status, out, err = run(tmp_path, monkeypatch, capsys, "fit", "g.csv", "--seed", "1", "--quiet")
    assert status == 0, err
    why = ("no certificate: the exact Gram matrix it needs is built for at most 7 inputs, and this design has 13; "
           "the fit stops where its loss stops improving by tol")
    facts = {line.split("  ")[0]: " ".join(line.split()) for line in out.splitlines()}
    assert facts["certified error"] == f"certified error none ({why})"
    assert facts["converged"] in ("converged yes (its loss stopped improving by tol = 0.0001; the coefficients are "
                                  "not certified)", "converged no (stopped at --max-iter)")
    status, out, err = run(tmp_path, monkeypatch, capsys, "compare", "g.csv", "--methods", "GD,SGD", "--quiet")
    assert status == 0 and out.splitlines()[-1] == f"certified error -: {why}", err


@pytest.mark.parametrize("weighted", [False, True], ids=["plain", "weighted"])
@pytest.mark.parametrize("gram_columns", [2000, 0], ids=["normal-equations", "lsqr"])
def test_the_least_squares_reference_of_a_sparse_design(monkeypatch, weighted, gram_columns):
    """The report's least-squares fit of a sparse design, by its normal equations or (wide) by
    LSQR, against numpy's of the dense design (a column of large mean: cancellation if centred
    carelessly)."""
    import scipy.sparse

    from graddescent.cli import quality

    monkeypatch.setattr(quality, "_GRAM_COLUMNS", gram_columns)
    rng = np.random.default_rng(11)
    m = 600
    codes = rng.integers(0, 40, m)
    X = np.column_stack([np.eye(40)[codes][:, 1:], rng.normal(size=m) + 1000.0])
    y = X @ rng.normal(size=40) + rng.normal(size=m)
    w = rng.integers(1, 4, m).astype(float) if weighted else np.ones(m)
    root = np.sqrt(w)
    design = np.column_stack([np.ones(m), X])
    expected = np.linalg.lstsq(design * root[:, None], y * root, rcond=None)[0]
    mse = float(w @ (design @ expected - y) ** 2 / w.sum())
    found = quality._least_squares_sparse(scipy.sparse.csr_array(X), y, w if weighted else None)
    np.testing.assert_allclose(found["slopes"], expected[1:], rtol=1e-9, atol=1e-9)
    assert found["intercept"] == pytest.approx(expected[0], rel=1e-9)
    assert found["mse"] == pytest.approx(mse, rel=1e-9)


def test_predict_with_a_sparse_design_predicts_what_the_dense_one_does(tmp_path, monkeypatch, capsys):
    from graddescent.cli import commands

    grunfeld().to_csv(tmp_path / "g.csv", index=False)
    monkeypatch.setattr(inputs, "SPARSE_COLUMNS", 0)
    assert run(tmp_path, monkeypatch, capsys, "fit", "g.csv", "--seed", "1", "--model-out", "m.json",
               "--quiet")[0] == 0
    (tmp_path / "new.csv").write_text(NEW)
    written = {}
    for rule in (10**6, 0):  # (the model's 10 indicator columns: dense, then sparse)
        monkeypatch.setattr(commands, "SPARSE_COLUMNS", rule)
        status, out, err = run(tmp_path, monkeypatch, capsys, "predict", "m.json", "new.csv", "--na", "exclude",
                               "--quiet")
        assert status == 0 and err == []
        written[rule] = pd.read_csv(pd.io.common.StringIO(out))
    assert written[0].drop(columns="prediction").equals(written[10**6].drop(columns="prediction"))
    np.testing.assert_allclose(written[0]["prediction"], written[10**6]["prediction"], rtol=1e-12)
    assert written[0]["prediction"].isna().tolist() == [False, True, False, True, False]
    (tmp_path / "unseen.csv").write_text("firm,year,value,capital\nIBM,1950,1,2\nFord,1950,1,2\n")
    assert refused(tmp_path, monkeypatch, capsys, "predict", "m.json", "unseen.csv", "-o", "out.csv").startswith(
        "column 'firm' of 'unseen.csv' holds 'Ford' at data row 2, a level the model was not fitted with (it knows 11")


def test_weights_with_a_sparse_design(tmp_path, monkeypatch, capsys):
    """A weighted fit of a sparse design: the weighted fit of the dense design's coefficients."""
    frame = grunfeld()
    frame["count"] = np.random.default_rng(3).integers(1, 4, len(frame))
    frame.to_csv(tmp_path / "w.csv", index=False)
    options = ["w.csv", "--weights", "count", "--target", "invest"]
    reference, _ = fitted(tmp_path, monkeypatch, capsys, *options)
    monkeypatch.setattr(inputs, "SPARSE_COLUMNS", 0)
    out, _ = fitted(tmp_path, monkeypatch, capsys, *options)
    np.testing.assert_allclose(out["coefficients"], reference["coefficients"], rtol=1e-7, atol=0)
    assert out["train_rmse"] == pytest.approx(reference["train_rmse"], rel=1e-7)


def test_many_levels_in_a_real_size_fit_and_predict_without_a_traceback(tmp_path):
    """The rules as they are, in processes of their own: a column of 302 levels (301 indicator
    columns) goes sparse; the model predicts from a sparse design; an unseen level is one line."""
    import subprocess
    import sys

    rng = np.random.default_rng(7)
    m, levels = 5_000, 302
    codes = rng.integers(0, levels, m)
    x = rng.normal(size=m)
    names = np.array([f"s{j:04d}" for j in range(levels)])
    frame = pd.DataFrame({"shop": names[codes], "x": x, "y": rng.normal(size=levels)[codes] + 2 * x})
    frame.to_csv(tmp_path / "shops.csv", index=False)
    frame.iloc[:5, :2].to_csv(tmp_path / "new.csv", index=False)
    env = {**os.environ, "PYTHONPATH": str(Path(inputs.__file__).parents[2])}

    def command(*args):
        done = subprocess.run([sys.executable, "-m", "graddescent", *map(str, args)], cwd=tmp_path, env=env,
                              capture_output=True, text=True, timeout=600)
        assert "Traceback" not in done.stderr, done.stderr
        return done

    done = command("fit", "shops.csv", "--tol", "none", "--max-iter", "20", "--seed", "1", "--model-out", "m.json")
    assert done.returncode == 0, done.stderr
    assert "graddescent: note: 301 indicator columns (more than 256): the design is held sparse" in done.stderr
    done = command("predict", "m.json", "new.csv", "-o", "out.csv")
    assert done.returncode == 0 and done.stderr == ""
    assert len(pd.read_csv(tmp_path / "out.csv")) == 5
    (tmp_path / "unseen.csv").write_text("shop,x\ns0001,1\nnowhere,2\n")
    done = command("predict", "m.json", "unseen.csv", "-o", "bad.csv")
    assert done.returncode == 2 and len(done.stderr.splitlines()) == 1 and not (tmp_path / "bad.csv").exists()
    assert done.stderr.startswith("graddescent: error: column 'shop' of 'unseen.csv' holds 'nowhere' at data row 2")


# --------------------------------------------------------------------------- help

def test_help_says_how_text_columns_are_fitted(capsys):
    for command in ("fit", "compare", "predict"):
        with pytest.raises(SystemExit):
            cli.main([command, "--help"])
        text = " ".join(capsys.readouterr().out.split())
        if command == "predict":
            assert "--na {fail,exclude,drop}" in text and "R's na.exclude" in text
            assert "a level it was not fitted with is an error" in text
        else:
            assert "--categorical COLS" in text and "treatment coding" in text
    with pytest.raises(SystemExit):
        cli.main(["fit", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "A column of text is fitted as R's lm fits a factor" in text
    assert "beyond 256 indicator columns (or 1 GiB of them as dense numbers), they are held as a sparse design" in text


# --------------------------------------------------------------------------- on a Dask cluster

distributed = pytest.importorskip("distributed", reason="the cluster tests need the optional extra 'dask'")


@pytest.fixture
def mixed(tmp_path, monkeypatch):
    """A table of 3000 rows with a text column (a level only in a row that --dropna drops, and
    missing cells), a numeric code and an ID, read by --dask in blocks of about 20 kB."""
    monkeypatch.setattr(reading, "HELD_BLOCK_BYTES", 20_000)
    rng = np.random.default_rng(25)
    m = 3000
    frame = pd.DataFrame({"id": np.arange(1, m + 1), "grade": rng.integers(1, 5, m),
                          "city": rng.choice(["Oslo", "bergen", "\u00c5re", "Z\u00fcrich", "Bergen"], m),
                          "x": rng.normal(size=m)})
    frame["y"] = 2 * frame["x"] + frame["grade"] * 0.5 + (frame["city"] == "Oslo") + rng.normal(size=m)
    frame.loc[[5, 77, 2000], "city"] = np.nan
    frame.loc[1500, ["city", "x"]] = ["Troms\u00f8", np.nan]
    path = tmp_path / "mixed.csv"
    frame.to_csv(path, index=False)
    return path


def cli_run(argv, capsys):
    status = cli.main([str(a) for a in argv])
    out = capsys.readouterr()
    return status, out.out, out.err


@pytest.mark.parametrize("persist", [[], ["--persist"]], ids=["read-every-pass", "persist"])
def test_dask_fit_with_text_columns_is_the_in_memory_fit(mixed, capsys, persist):
    options = ["--dropna", "--categorical", "grade", "--seed", "1", "--json"]
    status, out, memory_err = cli_run(["fit", mixed, *options], capsys)
    assert status == 0, memory_err
    memory = json.loads(out)
    assert memory["levels"] == {"grade": [1.0, 2.0, 3.0, 4.0], "city": ["Bergen", "Oslo", "Z\u00fcrich", "bergen",
                                                                         "\u00c5re"]}  # (not Troms\u00f8: dropped)
    status, out, err = cli_run(["fit", mixed, *options, "--dask", "--workers", "2", *persist], capsys)
    assert status == 0, err
    held = json.loads(out)
    assert held["theta"] == memory["theta"] and held["columns"] == memory["columns"]
    assert held["levels"] == memory["levels"] and held["n_iter"] == memory["n_iter"]
    memory_err = [line for line in memory_err.splitlines() if "dropped 4 of 3000 rows" not in line]
    assert err.splitlines() == memory_err and any("input column 'id'" in line for line in memory_err)


def test_dask_predict_with_text_columns_writes_what_predict_writes(mixed, tmp_path, capsys):
    model = tmp_path / "m.json"
    assert cli_run(["fit", mixed, "--dropna", "--drop", "id", "--seed", "1", "--model-out", model, "--quiet"],
                   capsys)[0] == 0
    status, _, memory_err = cli_run(["predict", model, mixed, "-o", tmp_path / "memory.csv"], capsys)
    status, _, held_err = cli_run(["predict", model, mixed, "-o", tmp_path / "held.csv", "--dask", "--workers", "2"],
                                  capsys)
    assert status == 2 and held_err == memory_err.replace("data row 6", "line 7")
    assert held_err.startswith("graddescent: error: column 'city' of") and not (tmp_path / "held.csv").exists()
    for na in ("exclude", "drop"):
        lines = mixed.read_text().splitlines()
        mixed.write_text("\n".join(line for line in lines if "Troms" not in line) + "\n")
        status, _, memory_err = cli_run(["predict", model, mixed, "-o", tmp_path / "memory.csv", "--na", na], capsys)
        assert status == 0, memory_err
        status, _, held_err = cli_run(["predict", model, mixed, "-o", tmp_path / "held.csv", "--na", na, "--dask",
                                       "--workers", "2"], capsys)
        assert status == 0 and held_err == memory_err
        assert (tmp_path / "held.csv").read_bytes() == (tmp_path / "memory.csv").read_bytes()
    lines = mixed.read_text().splitlines()
    fields = lines[2900].split(",")
    lines[2900] = ",".join(fields[:2] + ["Ford"] + fields[3:])
    mixed.write_text("\n".join(lines) + "\n")
    status, out, err = cli_run(["predict", model, mixed, "--na", "exclude", "--dask", "--workers", "2"], capsys)
    assert status == 2 and out == "" and err.startswith("graddescent: error: column 'city' of") and (
        "holds 'Ford' at line 2901, a level the model was not fitted with" in err) and len(err.splitlines()) == 1


def test_dask_predict_of_a_sparse_designs_model_writes_what_predict_writes(tmp_path, monkeypatch, capsys):
    """A model of more indicator columns than are held dense (fitted from a sparse design)
    predicts a file on Dask, block by block, to the bytes of its prediction in memory."""
    monkeypatch.setattr(reading, "HELD_BLOCK_BYTES", 20_000)
    rng = np.random.default_rng(9)
    m, levels = 3000, inputs.SPARSE_COLUMNS + 2
    codes = rng.integers(0, levels, m)
    x = rng.normal(size=m)
    frame = pd.DataFrame({"shop": [f"s{c:03d}" for c in codes], "x": x,
                          "y": rng.normal(size=levels)[codes] + 2 * x + rng.normal(size=m)})
    frame.to_csv(tmp_path / "shops.csv", index=False)
    model = tmp_path / "m.json"
    status, _, err = cli_run(["fit", tmp_path / "shops.csv", "--seed", "1", "--tol", "none", "--max-iter", "30",
                              "--model-out", model], capsys)
    assert status == 0 and "the design is held sparse" in err, err
    status, _, memory_err = cli_run(["predict", model, tmp_path / "shops.csv", "-o", tmp_path / "memory.csv"], capsys)
    assert status == 0, memory_err
    status, _, held_err = cli_run(["predict", model, tmp_path / "shops.csv", "-o", tmp_path / "held.csv", "--dask",
                                   "--workers", "2"], capsys)
    assert status == 0 and held_err == memory_err
    assert (tmp_path / "held.csv").read_bytes() == (tmp_path / "memory.csv").read_bytes()
    assert len(pd.read_csv(tmp_path / "held.csv")) == m


def test_dask_keeps_the_design_dense_and_refuses_it_beyond_the_bounds(mixed, monkeypatch, capsys):
    """On Dask the design is dense pieces: more indicator columns than are held dense in memory
    are refused (the sparse design's sums are not the dense pieces'), and so are pieces beyond
    the bytes bound."""
    monkeypatch.setattr(inputs, "SPARSE_COLUMNS", 3)  # (city's 4 indicator columns: sparse in memory)
    status, out, err = cli_run(["fit", mixed, "--dropna", "--dask", "--workers", "1"], capsys)
    assert status == 2 and out == "" and err.splitlines() == [
        "graddescent: error: column 'city' of '" + str(mixed) + "' has 5 levels: 4 indicator columns, more than the 3 "
        "that --dask holds in its dense pieces; fit without --dask and --scheduler (in memory, many levels are held as "
        "a sparse design), or merge its levels into fewer"]
    monkeypatch.setattr(inputs, "SPARSE_COLUMNS", 4)
    monkeypatch.setattr(inputs, "DENSE_LIMIT", 8 * 4)
    status, out, err = cli_run(["fit", mixed, "--dropna", "--dask", "--workers", "1"], capsys)
    assert status == 2 and out == "" and err.splitlines() == [
        "graddescent: error: column 'city' of '" + str(mixed) + "' has 5 levels: its 4 indicator columns over 2996 "
        "rows would take 93.6 KiB as dense numbers, more than the 32 bytes bound on them; leave it out with --drop "
        "'city', or merge its levels into fewer; or fit without --dask and --scheduler: in memory, such a design is "
        "held sparse"]
