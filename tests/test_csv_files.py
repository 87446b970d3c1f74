"""The command line on CSV files as people have them (issue 16).

Files as R's ``write.csv``/``write.table`` and pandas' ``to_csv`` write them, files without a
header, with semicolons and decimal commas, with trailing separators, with ID or text columns
and missing values; ``predict`` passing unused columns through; big files read in pieces and
wide files read row by row. Every file is written by the test; every result is compared with
``learn``/``predict`` run in-process on the numbers the file holds (equal, not close), and
every refusal with its one line.
"""

import json
import os
import subprocess
import sys
import tracemalloc
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from graddescent import cli, learn, predict, reading

SCRIPT = Path(sys.executable).with_name("graddescent")
RNG = np.random.default_rng(16)
X = RNG.standard_normal((60, 2)) * [3.0, 0.5] + [1.0, -2.0]
Y = X @ [1.5, -2.0] + 0.25 * RNG.standard_normal(60)
FRAME = pd.DataFrame({"x1": X[:, 0], "x2": X[:, 1], "y": Y})
NAMES = [f"r{i}" for i in range(60)]


def run(folder, monkeypatch, capsys, *args):
    """``cli.main`` in ``folder``: (status, stdout, stderr lines)."""
    monkeypatch.chdir(folder)
    capsys.readouterr()
    try:
        status = cli.main([str(a) for a in args])
    except SystemExit as exc:
        status = exc.code
    out, err = capsys.readouterr()
    return status, out, err.splitlines()


NOT_CONVERGED = "the fit has not converged"  # R's 10 iterations of GD: beside the point here


def fitted(folder, monkeypatch, capsys, name, *options):
    """``fit --json --tol none``, R's fixed iterations at R's defaults: the result, and stderr without the warning that R's
    fixed iterations have not converged (checked to be there, then left out)."""
    status, out, err = run(folder, monkeypatch, capsys, "fit", name, "--seed", "1", "--json", "--tol", "none", *options)
    assert status == 0, err
    assert sum(NOT_CONVERGED in line for line in err) == 1, err
    return json.loads(out), [line for line in err if NOT_CONVERGED not in line]


def expected(frame, **control):
    return learn(frame, seed=1, control=control or None)


def refused(folder, monkeypatch, capsys, *args):
    """The one error line of a refusal, after checking that nothing was written."""
    before = sorted(p.name for p in Path(folder).iterdir())
    status, out, err = run(folder, monkeypatch, capsys, *args)
    assert status == 2, (out, err)
    assert len(err) == 1 and err[0].startswith("graddescent: error: "), err
    assert sorted(p.name for p in Path(folder).iterdir()) == before
    return err[0]


def write(folder, name, text):
    path = Path(folder) / name
    path.write_bytes(text.encode() if isinstance(text, str) else text)
    return path


def rows(frame, fmt="{!r}", sep=","):
    return "".join(sep.join(fmt.format(float(v)) for v in r) + "\n" for r in frame.to_numpy())


# --------------------------------------------------------------------------- row names

def r_write_csv(frame):
    """R's write.csv: a quoted header starting "", quoted row names, numbers as R prints them (15 digits)."""
    lines = ['"",' + ",".join(f'"{c}"' for c in frame.columns)]
    lines += [f'"{n}",' + ",".join(f"{v:.15g}" for v in r) for n, r in zip(NAMES, frame.to_numpy())]
    return "\n".join(lines) + "\n"


def r_write_table(frame):
    """R's write.table(sep=","): the header has no name above the row names."""
    return r_write_csv(frame).split("\n", 1)[0][3:] + "\n" + r_write_csv(frame).split("\n", 1)[1]


@pytest.mark.parametrize("writer, words", [
    (r_write_csv, "has no name: read as row names (as R's write.csv and pandas' to_csv write them)"),
    (r_write_table, "start with a row name that the header does not name (R's write.table layout)"),
    (lambda f: f.set_axis(range(60)).to_csv(), "has no name: read as row names"),
], ids=["R-write.csv", "R-write.table", "pandas-to_csv"])
def test_row_names_are_left_out_with_a_note(tmp_path, monkeypatch, capsys, writer, words):
    text = writer(FRAME)
    write(tmp_path, "data.csv", text)
    out, err = fitted(tmp_path, monkeypatch, capsys, "data.csv")
    assert len(err) == 1 and err[0].startswith("graddescent: note: ") and words in err[0], err
    numbers = pd.read_csv(pd.io.common.StringIO(text), index_col=0)  # (R's 15 digits where R wrote them)
    assert list(numbers.index) == (NAMES if text.startswith('"') else list(range(60)))
    assert out["columns"] == ["x1", "x2", "y"] and len(out["theta"]) == 3
    assert out["theta"] == expected(numbers.reset_index(drop=True)).model.ravel().tolist()


def test_index_col_names_a_row_label_column(tmp_path, monkeypatch, capsys):
    frame = FRAME.assign(id=np.arange(100, 160)).iloc[:, [3, 0, 1, 2]]
    frame.to_csv(tmp_path / "data.csv", index=False)
    out, err = fitted(tmp_path, monkeypatch, capsys, "data.csv", "--index-col", "id")
    assert err == [] and out["columns"] == ["x1", "x2", "y"]
    assert out["theta"] == expected(FRAME).model.ravel().tolist()
    line = refused(tmp_path, monkeypatch, capsys, "fit", "data.csv", "--index-col", "ID")
    assert "--index-col: no column 'ID' in 'data.csv'; did you mean 'id'?" in line
    line = refused(tmp_path, monkeypatch, capsys, "fit", "data.csv", "--index-col", "id", "--target", "id")
    assert "--target: 'id' holds the row names of 'data.csv', not data" in line


# --------------------------------------------------------------------------- header

def test_a_first_line_of_numbers_is_refused_with_the_fix(tmp_path, monkeypatch, capsys):
    write(tmp_path, "data.csv", rows(FRAME))
    line = refused(tmp_path, monkeypatch, capsys, "fit", "data.csv")
    assert "the first line of 'data.csv' holds numbers (" in line and "add --no-header" in line
    assert "V1, V2" in line and "add --header" in line
    out, err = fitted(tmp_path, monkeypatch, capsys, "data.csv", "--no-header")
    assert out["columns"] == ["V1", "V2", "V3"] and out["target"] == "V3" and out["rows"] == 60
    assert out["theta"] == expected(FRAME.set_axis(["V1", "V2", "V3"], axis=1)).model.ravel().tolist()
    out, _ = fitted(tmp_path, monkeypatch, capsys, "data.csv", "--no-header", "--target", "V1")
    assert out["columns"] == ["V2", "V3", "V1"]


def test_numbers_as_names_are_read_with_header(tmp_path, monkeypatch, capsys):
    write(tmp_path, "years.csv", "2019,2020,2021\n" + rows(FRAME))
    assert "holds numbers (2019, 2020, 2021)" in refused(tmp_path, monkeypatch, capsys, "fit", "years.csv")
    out, _ = fitted(tmp_path, monkeypatch, capsys, "years.csv", "--header")
    assert out["columns"] == ["2019", "2020", "2021"] and out["rows"] == 60
    write(tmp_path, "quoted.csv", '"1","2","3"\n' + rows(FRAME))  # quoted: names
    assert fitted(tmp_path, monkeypatch, capsys, "quoted.csv")[0]["columns"] == ["1", "2", "3"]


# --------------------------------------------------------------------------- dialects

def test_semicolons_and_decimal_commas(tmp_path, monkeypatch, capsys):
    FRAME.to_csv(tmp_path / "euro.csv", sep=";", decimal=",", index=False)
    line = refused(tmp_path, monkeypatch, capsys, "fit", "euro.csv")
    assert line.endswith("'euro.csv' has only one column (it looks separated by ';' with decimal commas, not by "
                         "commas: read it with --sep ';' --decimal ',')")
    line = refused(tmp_path, monkeypatch, capsys, "fit", "euro.csv", "--sep", ";")
    assert "column 'x1' of 'euro.csv' is not numeric (data row 1 holds" in line
    assert "it looks like a decimal comma: add --decimal ','" in line
    out, err = fitted(tmp_path, monkeypatch, capsys, "euro.csv", "--sep", ";", "--decimal", ",")
    assert err == [] and out["theta"] == expected(FRAME).model.ravel().tolist()
    line = refused(tmp_path, monkeypatch, capsys, "fit", "euro.csv", "--sep", ",", "--decimal", ",")
    assert "--sep and --decimal are both ','" in line


def test_tabs(tmp_path, monkeypatch, capsys):
    FRAME.to_csv(tmp_path / "data.tsv", sep="\t", index=False)
    line = refused(tmp_path, monkeypatch, capsys, "fit", "data.tsv")
    assert "it looks separated by '\\t', not by commas: read it with --sep tab" in line
    for sep in ("tab", "\t", "\\t"):
        out, _ = fitted(tmp_path, monkeypatch, capsys, "data.tsv", "--sep", sep)
        assert out["theta"] == expected(FRAME).model.ravel().tolist()
    assert "--sep: must be one character" in refused(tmp_path, monkeypatch, capsys, "fit", "data.tsv", "--sep", ";;")


# --------------------------------------------------------------------------- spreadsheet exports

@pytest.mark.parametrize("tail, header_tail", [(",,", ",,"), ("", ",,"), (",", ",,")],
                         ids=["every-row", "header-only", "fewer-on-rows"])
def test_empty_unnamed_trailing_columns_are_dropped(tmp_path, monkeypatch, capsys, tail, header_tail):
    text = "x1,x2,y" + header_tail + "\n" + "".join(line + tail + "\n" for line in rows(FRAME).splitlines())
    write(tmp_path, "sheet.csv", text)
    out, err = fitted(tmp_path, monkeypatch, capsys, "sheet.csv")
    assert err == [] and out["columns"] == ["x1", "x2", "y"]
    assert out["theta"] == expected(pd.read_csv(tmp_path / "sheet.csv").iloc[:, :3]).model.ravel().tolist()


def test_an_unnamed_column_with_values_stays(tmp_path, monkeypatch, capsys):
    write(tmp_path, "gap.csv", "x1,,y\n" + rows(FRAME))
    out, _ = fitted(tmp_path, monkeypatch, capsys, "gap.csv")
    assert out["columns"] == ["x1", "Unnamed: 1", "y"]
    out, _ = fitted(tmp_path, monkeypatch, capsys, "gap.csv", "--drop", "Unnamed: 1")
    assert out["columns"] == ["x1", "y"]


# --------------------------------------------------------------------------- choosing columns and rows

MIXED = FRAME.assign(id=[f"{i:03d}" for i in range(60)], note="kept as is").iloc[:, [3, 0, 4, 1, 2]]


def test_a_text_column_is_refused_with_the_option_that_leaves_it_out(tmp_path, monkeypatch, capsys):
    MIXED.to_csv(tmp_path / "mixed.csv", index=False)
    line = refused(tmp_path, monkeypatch, capsys, "fit", "mixed.csv", "--index-col", "id")
    assert ("column 'note' of 'mixed.csv' holds the same value, 'kept as is', in every row: as a category it has "
            "one level, which tells the fit nothing; leave it out with --drop 'note'") in line
    out, err = fitted(tmp_path, monkeypatch, capsys, "mixed.csv", "--drop", "id,note")
    assert err == [] and out["columns"] == ["x1", "x2", "y"]
    assert out["theta"] == expected(FRAME).model.ravel().tolist()
    out, _ = fitted(tmp_path, monkeypatch, capsys, "mixed.csv", "--drop", "id", "--drop", "note")
    assert out["columns"] == ["x1", "x2", "y"]


def test_columns_choose_and_order_the_columns(tmp_path, monkeypatch, capsys):
    MIXED.to_csv(tmp_path / "mixed.csv", index=False)
    out, _ = fitted(tmp_path, monkeypatch, capsys, "mixed.csv", "--columns", "x2,y,x1")
    assert out["columns"] == ["x2", "y", "x1"] and out["target"] == "x1"
    assert out["theta"] == expected(FRAME[["x2", "y", "x1"]]).model.ravel().tolist()
    out, _ = fitted(tmp_path, monkeypatch, capsys, "mixed.csv", "--columns", "x1", "--target", "y")
    assert out["columns"] == ["x1", "y"]
    assert out["theta"] == expected(FRAME[["x1", "y"]]).model.ravel().tolist()
    assert "--columns: no column 'X2' in 'mixed.csv'; did you mean 'x2'?" in refused(
        tmp_path, monkeypatch, capsys, "fit", "mixed.csv", "--columns", "X2,y")
    assert "only the column 'y' of 'mixed.csv' is left" in refused(
        tmp_path, monkeypatch, capsys, "fit", "mixed.csv", "--columns", "y")
    assert "not allowed with argument" in refused(
        tmp_path, monkeypatch, capsys, "fit", "mixed.csv", "--columns", "y", "--drop", "id")
    assert "--target 'y' is also given to --drop" in refused(
        tmp_path, monkeypatch, capsys, "fit", "mixed.csv", "--drop", "id,note,y", "--target", "y")


def test_a_column_name_with_a_comma(tmp_path, monkeypatch, capsys):
    FRAME.rename(columns={"x1": "size, m"}).to_csv(tmp_path / "data.csv", index=False)
    out, _ = fitted(tmp_path, monkeypatch, capsys, "data.csv", "--columns", "size, m", "--columns", "y")
    assert out["columns"] == ["size, m", "y"]


def test_dropna_drops_rows_with_missing_values_and_says_how_many(tmp_path, monkeypatch, capsys):
    frame = MIXED.copy()
    frame.loc[[3, 17], "x2"] = np.nan
    frame.loc[40, "y"] = np.nan
    frame.loc[5, "note"] = np.nan  # in a column left out: no reason to drop the row
    frame.to_csv(tmp_path / "gaps.csv", index=False)
    line = refused(tmp_path, monkeypatch, capsys, "fit", "gaps.csv", "--drop", "id,note")
    assert ("'gaps.csv' has 3 empty, NaN or missing cell(s); the first is in column 'x2' at data row 4; fill them, "
            "or drop those rows with --dropna") in line
    out, err = fitted(tmp_path, monkeypatch, capsys, "gaps.csv", "--drop", "id,note", "--dropna")
    assert err == ["graddescent: note: dropped 3 of 60 rows of 'gaps.csv' with missing values (--dropna)"]
    kept = FRAME.drop(index=[3, 17, 40]).reset_index(drop=True)
    assert out["rows"] == 57 and out["theta"] == expected(kept).model.ravel().tolist()
    _, _, err = run(tmp_path, monkeypatch, capsys, "fit", "gaps.csv", "--drop", "id,note", "--dropna", "--quiet")
    assert err == []
    write(tmp_path, "holes.csv", "a,b\n1,\n,2\n")
    assert "every row of 'holes.csv' has a missing value" in refused(
        tmp_path, monkeypatch, capsys, "fit", "holes.csv", "--dropna")


def test_compare_takes_the_same_options(tmp_path, monkeypatch, capsys):
    MIXED.to_csv(tmp_path / "mixed.csv", sep=";", decimal=",", index=False)
    status, out, err = run(tmp_path, monkeypatch, capsys, "compare", "mixed.csv", "--sep", ";", "--decimal", ",",
                           "--drop", "id,note", "--methods", "GD,SGD", "--tol", "none", "--json")
    assert status == 0, err
    results = {r["method"]: r["train_rmse"] for r in json.loads(out)["results"]}
    for method in ("GD", "SGD"):
        model = learn(FRAME, learningMethod=method, seed=1)
        assert results[method] == float(np.sqrt(np.mean((predict(model, FRAME)["V1"] - FRAME["y"]) ** 2)))
    line = refused(tmp_path, monkeypatch, capsys, "compare", "--sep", ";")
    assert "--sep read DATA.csv; give the file" in line
    status, out, err = run(tmp_path, monkeypatch, capsys, "compare", "--columns", "Temperature(K),Pressure(ATM)",
                           "--methods", "GD", "--json")
    assert status == 0 and json.loads(out)["target"] == "Pressure(ATM)"


# --------------------------------------------------------------------------- predict

def test_predict_passes_unused_columns_through_unchanged(tmp_path, monkeypatch, capsys):
    model = expected(FRAME)
    cli.write_model(model, tmp_path / "model.json", seed=1)
    new = pd.DataFrame({"id": ["007", "NA", "", "x,y"], "x2": FRAME.x2[:4], "when": ["2024-01-01"] * 4,
                        "x1": FRAME.x1[:4]})
    new.to_csv(tmp_path / "new.csv", index=False, na_rep="")
    status, out, err = run(tmp_path, monkeypatch, capsys, "predict", "model.json", "new.csv", "-o", "out.csv")
    assert status == 0 and out == ""
    assert err == ["graddescent: note: the model does not use 2 column(s) of 'new.csv': 'id', 'when'; passed "
                   "through to the output unchanged"]
    text = (tmp_path / "out.csv").read_text().splitlines()
    assert text[0] == "id,x2,when,x1,prediction"
    assert [line.split(",")[0] for line in text[1:4]] == ["007", "NA", ""] and text[4].startswith('"x,y",')
    written = pd.read_csv(tmp_path / "out.csv", keep_default_na=False, dtype={"id": str})
    assert written["prediction"].tolist() == predict(model, FRAME[:4])["V1"].tolist()
    status, _, err = run(tmp_path, monkeypatch, capsys, "predict", "model.json", "new.csv", "--quiet")
    assert status == 0 and err == []
    new.drop(columns="x1").to_csv(tmp_path / "lacking.csv", index=False)
    assert "'lacking.csv' lacks the input column(s) ['x1'] that the model needs" in refused(
        tmp_path, monkeypatch, capsys, "predict", "model.json", "lacking.csv")


def test_predict_keeps_row_names_and_the_files_dialect(tmp_path, monkeypatch, capsys):
    cli.write_model(expected(FRAME), tmp_path / "model.json", seed=1)
    write(tmp_path, "r.csv", r_write_csv(FRAME))
    status, out, err = run(tmp_path, monkeypatch, capsys, "predict", "model.json", "r.csv")
    assert status == 0 and err == ["graddescent: note: the model does not use 1 column(s) of 'r.csv': the row "
                                   "names; passed through to the output unchanged"]
    lines = out.splitlines()
    assert lines[0] == ",x1,x2,y,prediction" and [line.split(",")[0] for line in lines[1:]] == NAMES
    FRAME.to_csv(tmp_path / "euro.csv", sep=";", decimal=",", index=False)
    status, out, err = run(tmp_path, monkeypatch, capsys, "predict", "model.json", "euro.csv", "--sep", ";",
                           "--decimal", ",")
    assert status == 0 and err == []
    written = pd.read_csv(pd.io.common.StringIO(out), sep=";", decimal=",")
    assert list(written.columns) == ["x1", "x2", "y", "prediction"]
    assert written["prediction"].tolist() == predict(expected(FRAME), FRAME)["V1"].tolist()


# --------------------------------------------------------------------------- values

@pytest.mark.parametrize("cell, status, words", [
    ("True", 2, "column 'b' of 'v.csv' holds true/false values, not numbers; code them as 0/1"),
    ("inf", 2, "'v.csv' has 1 infinite cell(s)"),
    ("1e999", 2, "infinite cell(s) (or numbers beyond 1.8e308); the first is in column 'b' at data row 3"),
    ("12345678901234567890123456789", 0, ""),
    ("NA", 2, "'v.csv' has 1 empty, NaN or missing cell(s); the first is in column 'b' at data row 3"),
    ("0x10", 2, "column 'b' of 'v.csv' is not numeric (data row 3 holds '0x10')"),
], ids=["boolean", "inf", "beyond-double", "beyond-64-bits", "NA", "hexadecimal"])
def test_values(tmp_path, monkeypatch, capsys, cell, status, words):
    column = ["False", "True"] if cell == "True" else ["2", "5"]
    write(tmp_path, "v.csv", f"a,b\n1,{column[0]}\n2,{column[1]}\n3,{cell}\n4,{column[0]}\n")
    if status == 2:
        assert words in refused(tmp_path, monkeypatch, capsys, "fit", "v.csv")
    else:
        out, _ = fitted(tmp_path, monkeypatch, capsys, "v.csv", "--scaling", "none", "--alpha", "1e-60")
        assert out["rows"] == 4 and out["theta"] == learn(pd.read_csv(tmp_path / "v.csv").astype(float),
                                                          featureScaling=False, control={"alpha": 1e-60},
                                                          seed=1).model.ravel().tolist()


# --------------------------------------------------------------------------- big files, in pieces

def big_frame(m=3000):
    rng = np.random.default_rng(5)
    frame = pd.DataFrame(rng.standard_normal((m, 4)) * 1e3, columns=["a", "b", "c", "y"])
    frame["n"] = rng.integers(-10**6, 10**6, m)  # an integer column: parsed as pandas parses it
    return frame


@pytest.fixture
def small_pieces(monkeypatch):
    """Pieces of 2 kB, so that a file of 150 kB is read in about 75 pieces (on every core)."""
    monkeypatch.setattr(reading, "_PIECE_BYTES", 2048)


def read_all(path, **fmt):
    layout = reading.inspect_csv(path, reading.CSVFormat(**fmt))
    return reading.read_numbers(layout, layout.columns, label=os.path.basename(path))[0]


@pytest.mark.parametrize("newline", ["\n", "\r\n"], ids=["LF", "CRLF"])
def test_pieces_give_pandas_numbers(tmp_path, small_pieces, newline):
    frame = big_frame()
    frame.to_csv(tmp_path / "big.csv", index=False, lineterminator=newline)
    read = read_all(tmp_path / "big.csv")
    reference = pd.read_csv(tmp_path / "big.csv")
    assert list(read.columns) == list(reference.columns)
    np.testing.assert_array_equal(read.to_numpy(), reference.to_numpy(dtype=np.float64))
    assert read.to_numpy().base is not None  # a view of the one array read into, no copy
    assert read._mgr.blocks[0].values.flags.c_contiguous  # each column contiguous, as pandas lays a frame out


def test_pieces_with_blank_lines_a_bom_and_lines_ended_by_cr(tmp_path, small_pieces):
    frame = big_frame(800)
    text = frame.to_csv(index=False)
    body = text.split("\n")
    spaced = "\n".join(body[:100] + [""] * 3 + body[100:]) + "\n\n\n"
    write(tmp_path, "blank.csv", b"\xef\xbb\xbf" + spaced.encode())
    np.testing.assert_array_equal(read_all(tmp_path / "blank.csv").to_numpy(), frame.to_numpy(dtype=float))
    write(tmp_path, "cr.csv", text.replace("\n", "\r"))
    np.testing.assert_array_equal(read_all(tmp_path / "cr.csv").to_numpy(), frame.to_numpy(dtype=float))


def test_pieces_with_quoted_line_breaks(tmp_path, small_pieces, monkeypatch, capsys):
    frame = big_frame(800)
    frame.insert(0, "comment", ["line one\nline two" if i % 7 == 0 else "plain" for i in range(800)])
    frame.to_csv(tmp_path / "quoted.csv", index=False)
    out, _ = fitted(tmp_path, monkeypatch, capsys, "quoted.csv", "--drop", "comment", "--target", "y")
    reference = pd.read_csv(tmp_path / "quoted.csv").drop(columns="comment")
    assert out["rows"] == 800
    assert out["theta"] == expected(reference[["a", "b", "c", "n", "y"]]).model.ravel().tolist()


@pytest.mark.parametrize("damage, words", [
    (lambda lines: lines.__setitem__(2500, lines[2500] + ",7"), "'big.csv' line 2501 has 6 field(s) but the header "
     "has 5; every row needs one value per column, separated by commas"),
    (lambda lines: lines.__setitem__(2500, lines[2500].rsplit(",", 2)[0]), "'big.csv' line 2501 has 3 field(s) but "
     "the header has 5"),
    (lambda lines: lines.__setitem__(2500, lines[2500].replace(",", ",oops,", 1).rsplit(",", 1)[0]),
     "column 'b' of 'big.csv' is not numeric (data row 2500 holds 'oops')"),
    (lambda lines: lines.__setitem__(2999, lines[2999].replace(",", ",,", 1).rsplit(",", 1)[0]),
     "the first is in column 'b' at data row 2999"),
], ids=["too-many-fields", "too-few-fields", "text", "empty-cell"])
def test_problems_deep_in_a_big_file_are_located(tmp_path, small_pieces, monkeypatch, capsys, damage, words):
    lines = big_frame().to_csv(index=False).splitlines()
    damage(lines)
    write(tmp_path, "big.csv", "\n".join(lines) + "\n")
    assert words in refused(tmp_path, monkeypatch, capsys, "fit", "big.csv")


def test_reading_takes_little_more_memory_than_the_numbers(tmp_path, monkeypatch):
    """The numbers, plus the few pieces being parsed (of 1 MB here, so that a small file has many)."""
    monkeypatch.setattr(reading, "_PIECE_BYTES", 1 << 20)
    frame = big_frame(200_000)  # 8 MB of float64
    frame.to_csv(tmp_path / "big.csv", index=False)
    layout = reading.inspect_csv(tmp_path / "big.csv")
    tracemalloc.start()
    try:
        read = reading.read_numbers(layout, layout.columns)[0]
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    data = read.shape[0] * read.shape[1] * 8
    assert peak < 1.5 * data, (peak, data)  # (pandas.read_csv alone: about 3 times)


def test_a_wide_file_is_read_row_by_row(tmp_path, monkeypatch, capsys):
    n = 200_000
    rng = np.random.default_rng(3)
    values = rng.integers(0, 1000, (3, n)).astype(float)
    header = ",".join(f"c{j}" for j in range(n))
    write(tmp_path, "wide.csv", header + "\n" + "\n".join(",".join(f"{v:g}" for v in r) for r in values) + "\n")
    read = read_all(tmp_path / "wide.csv")
    assert read.shape == (3, n) and read.columns[-1] == f"c{n - 1}"
    np.testing.assert_array_equal(read.to_numpy(), values)
    out, _ = fitted(tmp_path, monkeypatch, capsys, "wide.csv", "--scaling", "none", "--alpha", "1e-12")
    assert len(out["theta"]) == n and out["rows"] == 3
    write(tmp_path, "dup.csv", header + ",c17\n" + ",".join(["1"] * (n + 1)) + "\n")
    assert "has duplicated column names ['c17']" in refused(tmp_path, monkeypatch, capsys, "fit", "dup.csv")
    write(tmp_path, "short.csv", header + "\n" + ",".join(["1"] * n) + "\n" + ",".join(["1"] * (n - 1)) + "\n")
    assert f"'short.csv' line 3 has {n - 1} field(s) but the header has {n}" in refused(
        tmp_path, monkeypatch, capsys, "fit", "short.csv")
    cells = ["1"] * n
    cells[123456] = "n/a?"
    write(tmp_path, "text.csv", header + "\n" + ",".join(["2"] * n) + "\n" + ",".join(cells) + "\n")
    assert "column 'c123456' of 'text.csv' is not numeric (data row 2 holds 'n/a?')" in refused(
        tmp_path, monkeypatch, capsys, "fit", "text.csv")
    write(tmp_path, "flags.csv", header + "\n" + ",".join(["True", "False"] * (n // 2)) + "\n")
    assert "column 'c0' of 'flags.csv' holds true/false values" in refused(
        tmp_path, monkeypatch, capsys, "fit", "flags.csv")


def test_through_the_installed_command(tmp_path):
    """A few of the cases above as a user runs them (the notes and errors on stderr, one line each)."""
    write(tmp_path, "r.csv", r_write_csv(FRAME))
    FRAME.to_csv(tmp_path / "euro.csv", sep=";", decimal=",", index=False)
    runs = {
        "r": [str(SCRIPT), "fit", "r.csv", "--seed", "1", "--json", "--tol", "none"],
        "euro": [str(SCRIPT), "fit", "euro.csv"],
        "seed": [str(SCRIPT), "fit", "r.csv", "--seed", "99999999999999999999999999"],
    }
    results = {k: subprocess.run(v, cwd=tmp_path, capture_output=True, text=True, timeout=120)
               for k, v in runs.items()}
    notes = results["r"].stderr.splitlines()
    assert results["r"].returncode == 0 and len(notes) == 2 and NOT_CONVERGED in notes[1], notes
    assert notes[0].startswith("graddescent: note: the first column of 'r.csv' has no name")
    assert json.loads(results["r"].stdout)["columns"] == ["x1", "x2", "y"]
    assert results["euro"].returncode == 2
    assert results["euro"].stderr.strip().endswith("read it with --sep ';' --decimal ',')")
    assert results["seed"].returncode == 2
    assert results["seed"].stderr == ("graddescent: error: argument --seed: must be in R's integer range "
                                      "-2147483647..2147483647, got '99999999999999999999999999' (see "
                                      "'graddescent fit --help')\n")
