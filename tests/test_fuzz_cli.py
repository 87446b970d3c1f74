"""Fuzzing the ``graddescent`` command (issue 8): arbitrary bytes as the CSV, corrupt model files.

Whatever it is given, the command ends with status 0, or with status 2 and one line
``graddescent: error: ...``: never a traceback, never a partial output or temporary file,
within a time bound. Most cases run in-process through ``cli.main``; a few through the
installed command.
"""

import json
import subprocess
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from conftest import examples
from graddescent import cli, learn

SCRIPT = Path(sys.executable).with_name("graddescent")
GOOD = "a,b,c\n1,2,3\n2,1,5\n3,4,6\n4,3,9\n5,6,10\n6,5,13\n"
TIME_BOUND = 5.0  # seconds per in-process case
FUZZ = settings(max_examples=examples(60), deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


def _model_doc():
    frame = pd.read_csv(pd.io.common.StringIO(GOOD))
    return cli.model_to_dict(learn(frame, seed=1), seed=1)


DOC = _model_doc()


def snapshot(folder):
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def run_in_process(folder, args, monkeypatch, capsys):
    """``cli.main(args)`` in ``folder``: (status, stdout, stderr, seconds)."""
    monkeypatch.chdir(folder)
    capsys.readouterr()
    start = time.perf_counter()
    with warnings.catch_warnings(record=True) as leaked:
        warnings.simplefilter("always")
        try:
            status = cli.main([str(a) for a in args])
        except SystemExit as exc:  # argparse's usage errors
            status = exc.code
    seconds = time.perf_counter() - start
    # a warning escaping main would print as two lines of Python source location on stderr
    assert [str(w.message) for w in leaked if not issubclass(w.category, ResourceWarning)] == []
    out, err = capsys.readouterr()
    return status, out, err, seconds


def check_clean(status, err, seconds, before, folder, allowed_outputs=()):
    assert status in (0, 1, 2), (status, err)  # 1: the fit diverged
    assert "Traceback" not in err
    assert seconds < TIME_BOUND
    if status in (1, 2):
        lines = err.splitlines()
        assert len(lines) == 1 and lines[0].startswith("graddescent: error: "), err
        assert status == 2 or lines[0].startswith("graddescent: error: the fit diverged; ")
    after = snapshot(folder)
    for name, content in before.items():
        assert after.get(name) == content, f"{name} changed"  # inputs never modified
    new = set(after) - set(before)
    assert not any(".graddescent-" in name for name in new), new  # no temporary file left
    assert new <= set(allowed_outputs) if status == 0 else not new, new  # a failure writes nothing


# --------------------------------------------------------------------------- arbitrary data files

csv_like = st.one_of(
    st.binary(max_size=400),
    st.text(alphabet=st.sampled_from(list("abc,;\t\n\r\"' .-+e0123456789xnaifINF\x00\u00e9")), max_size=300)
    .map(lambda s: s.encode("utf-8")),
    st.lists(st.lists(st.one_of(st.floats(width=64), st.integers(-10**30, 10**30), st.just(""),
                                st.text(max_size=3)), min_size=1, max_size=4), min_size=0, max_size=8)
    .map(lambda rows: ("a,b,c\n" + "\n".join(",".join(map(str, r)) for r in rows)).encode("utf-8", "replace")),
)


@FUZZ
@given(content=csv_like, command=st.sampled_from(["fit", "compare", "predict"]))
@example(content=b'"\r\t', command="fit")  # a field holding a line break and a tab: the dialect check's traceback
def test_arbitrary_bytes_as_the_data_file(tmp_path_factory, monkeypatch, capsys, content, command):
    folder = tmp_path_factory.mktemp("fuzz")
    (folder / "data.csv").write_bytes(content)
    (folder / "model.json").write_text(json.dumps(DOC))
    before = snapshot(folder)
    args = {"fit": ["fit", "data.csv", "--quiet", "--max-iter", "5", "--model-out", "out.json"],
            "compare": ["compare", "data.csv", "--quiet", "--methods", "GD,SGD,SVRG", "--max-iter", "3"],
            "predict": ["predict", "model.json", "data.csv", "-o", "out.csv"]}[command]
    status, out, err, seconds = run_in_process(folder, args, monkeypatch, capsys)
    check_clean(status, err, seconds, before, folder, allowed_outputs={"out.json", "out.csv"})
    if status == 0 and command == "predict":
        written = pd.read_csv(folder / "out.csv")
        assert "prediction" in written.columns


@FUZZ
@given(values=st.lists(st.tuples(*[st.floats(allow_nan=True, allow_infinity=True, width=64)] * 3),
                       min_size=0, max_size=12),
       scaling=st.sampled_from(["variance", "minmax", "none"]), method=st.sampled_from(["GD", "ADAM", "SARAH"]))
@example(values=[(-1.0, 0.0, 0.0), (0.0, -1.0, 0.0), (0.0, 0.0, 0.0), (0.0, -1.0, 0.0),
                 (0.0, 0.0, -1.7792369036560232e308)],
         scaling="variance", method="ADAM")  # residuals beyond double's range: RMSE's "invalid value" warning
@example(values=[(0.0, 0.0, 0.0), (1.0, 1.0, 2.225073858507e-311)], scaling="variance",
         method="GD")  # a spread below 2.2e-308: fit wrote a model file that predict refused
def test_any_numbers_fit_or_are_refused(tmp_path_factory, monkeypatch, capsys, values, scaling, method):
    # huge values, infinities, NaN, constant columns: a fit, or one line, never a traceback
    folder = tmp_path_factory.mktemp("numbers")
    pd.DataFrame(values, columns=["a", "b", "c"]).to_csv(folder / "data.csv", index=False)
    before = snapshot(folder)
    status, out, err, seconds = run_in_process(
        folder, ["fit", "data.csv", "--scaling", scaling, "--method", method, "--json", "--max-iter", "20",
                 "--model-out", "m.json", "--seed", "1"], monkeypatch, capsys)
    check_clean(status, "\n".join(l for l in err.splitlines() if "warning" not in l) if status != 2 else err,
                seconds, before, folder, allowed_outputs={"m.json"})
    if status in (0, 1):
        report = json.loads(out)
        assert report["diverged"] == (status == 1) == ("diverged" in err)
        if not report["diverged"]:  # a model file was written and reads back
            model = cli.read_model(str(folder / "m.json"))
            assert np.all(np.isfinite(model.model))


# --------------------------------------------------------------------------- corrupt model files

def json_values(depth=3):
    leaves = st.one_of(st.none(), st.booleans(), st.integers(-10**20, 10**20), st.floats(width=64),
                       st.text(max_size=8))
    return st.recursive(leaves, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                         st.dictionaries(st.text(max_size=6), inner, max_size=4)),
                        max_leaves=12)


def mutated_model():
    """The good model with one field removed, replaced or retyped, or one extra field."""
    fields = list(DOC)

    def mutate(choice):
        kind, field, value = choice
        doc = json.loads(json.dumps(DOC))
        if kind == "drop":
            del doc[field]
        elif kind == "set":
            doc[field] = value
        else:
            doc[f"x_{field}"] = value
        return doc

    return st.tuples(st.sampled_from(["drop", "set", "extra"]), st.sampled_from(fields), json_values()).map(mutate)


model_files = st.one_of(
    st.binary(max_size=300),
    json_values().map(lambda v: json.dumps(v).encode()),
    mutated_model().map(lambda d: json.dumps(d).encode()),
    st.integers(1, len(json.dumps(DOC)) - 1).map(lambda k: json.dumps(DOC).encode()[:k]),  # truncated
)


@FUZZ
@given(content=model_files)
def test_corrupt_model_files(tmp_path_factory, monkeypatch, capsys, content):
    folder = tmp_path_factory.mktemp("model")
    (folder / "model.json").write_bytes(content)
    (folder / "data.csv").write_text(GOOD)
    before = snapshot(folder)
    status, out, err, seconds = run_in_process(folder, ["predict", "model.json", "data.csv", "-o", "out.csv"],
                                               monkeypatch, capsys)
    check_clean(status, err, seconds, before, folder, allowed_outputs={"out.csv"})
    if status == 0:  # only a document the schema accepts gets through
        document = json.loads(content)
        assert set(document) == set(DOC) and document["format"] == "graddescent-model"


def _doc(**changes):
    doc = json.loads(json.dumps(DOC))
    doc.update(changes)
    return json.dumps(doc)


BAD_MODELS = [
    ("json-list", "[1, 2, 3]", "expected a JSON object, found list"),
    ("json-null", "null", "found NoneType"),
    ("not-ours", json.dumps({"name": "linear", "coef": [1, 2]}), "format tag"),
    ("version-2", _doc(version=2), "written by a newer graddescent (this one reads version 1); upgrade"),
    ("version-huge", _doc(version=10**30), "written by a newer graddescent"),
    ("version-0", _doc(version=0), "version must be a whole number >= 1"),
    ("version-float", _doc(version=1.0), "version must be"),
    ("theta-wrong-length", _doc(theta=[0.1, 0.2, 0.3, 0.4]), "theta must be 3 finite numbers"),
    ("theta-strings", _doc(theta=["0.1", "0.2", "0.3"]), "theta must be 3"),
    ("theta-nested", _doc(theta=[[0.1], [0.2], [0.3]]), "theta must be 3"),
    ("theta-nan", _doc().replace('"theta": [', '"theta": [NaN, '), "NaN is not a finite number"),
    ("theta-infinity", _doc().replace('"theta": [', '"theta": [Infinity, '), "Infinity is not a finite number"),
    ("theta-1e400", _doc().replace('"theta": [', '"theta": [1e400, '), "theta must be 3 finite numbers"),
    ("huge-theta", _doc(theta=[0.5] * 10**6), "theta must be 3 finite numbers"),
    ("huge-columns", _doc(columns=[f"c{i}" for i in range(10**5)]), "not the last of columns"),
    ("different-column-count", _doc(columns=["a", "b", "x", "c"], theta=[0, 1, 2, 3]), "scaling_parameter must be 2 x 4"),
    ("columns-not-strings", _doc(columns=[1, 2, 3]), "columns must be a list"),
    ("columns-duplicated", _doc(columns=["a", "a", "c"]), "distinct"),
    ("scaling-method", _doc(scaling_method="LOG"), "scaling_method must be"),
    ("method-a-list", _doc(method=["GD"]), "unknown method ['GD']"),
    ("method-an-object", _doc(method={"GD": 1}), "unknown method"),
    ("feature-scaling-string", _doc(feature_scaling="yes"), "feature_scaling must be true or false"),
    ("control-string", _doc(control="alpha=1"), "control must be"),
    ("seed-string", _doc(seed="1"), "seed must be"),
    ("deeply-nested", "[" * 100000 + "]" * 100000, "nested too deeply"),
    ("bom-utf16", '{"format": 1}'.encode("utf-16"), "not UTF-8"),
    ("empty", "", "not valid JSON"),
    ("huge-integer", '{"format": "graddescent-model", "version": ' + "9" * 5000 + "}", "not valid JSON"),
]


@pytest.mark.parametrize("content, expected", [c[1:] for c in BAD_MODELS], ids=[c[0] for c in BAD_MODELS])
def test_bad_model_file(tmp_path, monkeypatch, capsys, content, expected):
    (tmp_path / "model.json").write_bytes(content if isinstance(content, bytes) else content.encode())
    (tmp_path / "data.csv").write_text(GOOD)
    before = snapshot(tmp_path)
    status, out, err, seconds = run_in_process(tmp_path, ["predict", "model.json", "data.csv", "-o", "out.csv"],
                                               monkeypatch, capsys)
    assert status == 2
    check_clean(status, err, seconds, before, tmp_path)
    assert expected in err
    assert out == ""


# --------------------------------------------------------------------------- named hostile data files

WIDE = ",".join(f"c{i}" for i in range(2000)) + "\n" + "\n".join(
    ",".join(str((i * 7 + j * 3) % 11 + j) for i in range(2000)) for j in range(6)) + "\n"

BAD_DATA = [
    # (id, file content, extra arguments, status, words in stderr)
    ("empty", b"", [], 2, "is empty"),
    ("header-only", b"a,b\n", [], 2, "no data rows"),
    ("binary", bytes(range(256)) * 4, [], 2, "not a CSV file"),
    ("utf16", "a,b\n1,2\n2,3\n3,5\n".encode("utf-16"), [], 2, "UTF-16"),
    ("latin1", "caf\u00e9,b\n1,2\n2,3\n".encode("latin-1"), [], 2, "not a UTF-8"),
    ("semicolons", b"a;b\n1;2\n2;3\n3;5\n", [], 2, "separated by ';'"),
    ("duplicated-header", b"a,b,a\n1,2,3\n2,3,4\n5,5,5\n", [], 2, "duplicated column names ['a']"),
    ("unknown-target", GOOD.encode(), ["--target", "z"], 2, "no column 'z'"),
    ("one-row", b"a,b\n1,2\n", [], 2, "1 row(s)"),
    ("huge-range", b"a,b\n1e308,1\n-1e308,2\n0,3\n", ["--scaling", "minmax"], 2, "'a' holds values too large to scale"),
    ("huge-sd", b"a,b\n1.7e308,1\n1.7e308,2\n-1.7e308,3\n", [], 2, "'a' holds values too large to scale"),
    ("overflowing-number", b"a,b\n1e999,1\n2,2\n3,3\n", [], 2, "infinite cell"),
    ("integers-beyond-64-bits", b"a,b\n123456789012345678901234567890,1\n2,2\n3,4\n", [], 0, ""),
    ("max-iter-0", GOOD.encode(), ["--max-iter", "0"], 2, "--max-iter: must be a whole number >= 1"),
    ("max-iter-10**12", GOOD.encode(), ["--max-iter", "1e12"], 2, "--max-iter: must be at most 100000000"),
    ("inner-iter-10**12", GOOD.encode(), ["--inner-iter", "1000000000000"], 2, "--inner-iter: must be at most"),
    ("alpha-minus-1", GOOD.encode(), ["--alpha", "-1"], 2, "--alpha: must be a finite number"),
    ("alpha-nan", GOOD.encode(), ["--alpha", "nan"], 2, "--alpha: must be a finite number"),
    ("alpha-inf", GOOD.encode(), ["--alpha", "inf"], 2, "--alpha: must be a finite number"),
    ("seed-1.5", GOOD.encode(), ["--seed", "1.5"], 2, "--seed: must be a whole number"),
    ("seed-out-of-range", GOOD.encode(), ["--seed", "99999999999"], 2,
     "--seed: must be in R's integer range -2147483647..2147483647, got '99999999999'"),
    ("n-batch-1e30", GOOD.encode(), ["--method", "MBGD", "--n-batch", "1e30"], 2, "more than the 6 training rows"),
    ("output-in-missing-folder", GOOD.encode(), ["--model-out", "nowhere/m.json"], 2, "does not exist"),
    ("output-is-a-folder", GOOD.encode(), ["--model-out", "."], 2, "is a folder"),
]


@pytest.mark.parametrize("content, extra, expected_status, words", [c[1:] for c in BAD_DATA],
                         ids=[c[0] for c in BAD_DATA])
def test_hostile_data_file(tmp_path, monkeypatch, capsys, content, extra, expected_status, words):
    (tmp_path / "data.csv").write_bytes(content)
    before = snapshot(tmp_path)
    status, out, err, seconds = run_in_process(tmp_path, ["fit", "data.csv", "--quiet", *extra], monkeypatch, capsys)
    assert status == expected_status, err
    check_clean(status, err, seconds, before, tmp_path)
    assert words in err


def test_very_wide_file_fits(tmp_path, monkeypatch, capsys):
    (tmp_path / "wide.csv").write_text(WIDE)
    before = snapshot(tmp_path)
    status, out, err, seconds = run_in_process(tmp_path, ["fit", "wide.csv", "--quiet", "--scaling", "none",
                                                          "--alpha", "1e-9", "--json", "--seed", "1"],
                                               monkeypatch, capsys)
    check_clean(status, err, seconds, before, tmp_path)
    assert status == 0
    assert len(json.loads(out)["theta"]) == 2000


# --------------------------------------------------------------------------- through the installed command

def test_fuzz_cases_through_the_installed_command(tmp_path):
    cases = [
        (["fit", "data.csv"], bytes(range(256)) * 4, "not a CSV file"),
        (["fit", "data.csv", "--max-iter", "1e12"], GOOD.encode(), "must be at most"),
        (["predict", "model.json", "data.csv", "-o", "out.csv"], GOOD.encode(), "nested too deeply"),
        (["fit", "data.csv", "--scaling", "minmax"], b"a,b\n1e308,1\n-1e308,2\n0,3\n", "too large to scale"),
        (["predict", "model.json", "data.csv"], GOOD.encode(), "nested too deeply"),
    ]
    procs = []
    for i, (args, content, _) in enumerate(cases):
        folder = tmp_path / str(i)
        folder.mkdir()
        (folder / "data.csv").write_bytes(content)
        (folder / "model.json").write_text("[" * 100000 + "]" * 100000)
        procs.append((folder, snapshot(folder), time.perf_counter(),
                      subprocess.Popen([str(SCRIPT), *args], cwd=folder, stdout=subprocess.PIPE,
                                       stderr=subprocess.PIPE, text=True)))
    for (folder, before, start, proc), (_, _, words) in zip(procs, cases):
        out, err = proc.communicate(timeout=60)
        assert proc.returncode == 2, err
        assert out == "" and words in err
        lines = err.splitlines()
        assert len(lines) == 1 and lines[0].startswith("graddescent: error: ") and "Traceback" not in err
        assert snapshot(folder) == before


def test_newer_model_version_is_refused_by_the_installed_command(tmp_path):
    (tmp_path / "model.json").write_text(_doc(version=2))
    (tmp_path / "data.csv").write_text(GOOD)
    result = subprocess.run([str(SCRIPT), "predict", "model.json", "data.csv"], cwd=tmp_path, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.strip() == ("graddescent: error: 'model.json' is not a usable graddescent model file: it is "
                                     "version 2, written by a newer graddescent (this one reads version 1); "
                                     "upgrade graddescent")
