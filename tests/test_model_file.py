"""Model files held to their own rules (issue 16).

A key given twice, control values that the library's own checks refuse, integer literals
beyond double's range, a seed outside R's integers and scales that would make every
prediction infinite are refused on load, with exit status 2 and one line naming the file;
a byte order mark is accepted, as in data files. Every model file is written by the test.
"""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from graddescent import cli, learn, modelfile, predict

SCRIPT = Path(sys.executable).with_name("graddescent")
DATA = pd.DataFrame({"a": [1.0, 2, 3, 4, 5, 6], "b": [2.0, 1, 4, 3, 6, 5], "c": [3.0, 5, 6, 9, 10, 13]})
MODEL = learn(DATA, learningMethod="SVRG", seed=1)
DOC = modelfile.model_to_dict(MODEL, seed=1)
HUGE = "9" * 401  # an integer literal beyond double's range (1e401)


def text(**changes):
    """The model file's JSON, with fields changed (a value given as a str is written as it is)."""
    doc = json.loads(json.dumps(DOC))
    raw = {}
    for key, value in changes.items():
        if "." in key:
            outer, inner = key.split(".")
            doc[outer][inner] = f"@{key}@" if isinstance(value, str) else value
        else:
            doc[key] = f"@{key}@" if isinstance(value, str) else value
        if isinstance(value, str):
            raw[f'"@{key}@"'] = value
    out = json.dumps(doc, indent=2)
    for placeholder, literal in raw.items():
        out = out.replace(placeholder, literal)
    return out


def refused(tmp_path, monkeypatch, capsys, content):
    (tmp_path / "model.json").write_bytes(content if isinstance(content, bytes) else content.encode())
    DATA.to_csv(tmp_path / "data.csv", index=False)
    before = sorted(p.name for p in tmp_path.iterdir())
    monkeypatch.chdir(tmp_path)
    status = cli.main(["predict", "model.json", "data.csv", "-o", "out.csv"])
    out, err = capsys.readouterr()
    assert status == 2 and out == ""
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("graddescent: error: 'model.json' is not"), err
    assert sorted(p.name for p in tmp_path.iterdir()) == before
    return lines[0]


# --------------------------------------------------------------------------- JSON

def test_a_key_given_twice_is_refused(tmp_path, monkeypatch, capsys):
    twice = text().replace('"theta": [', '"theta": [1, 2, 3],\n  "theta": [', 1)
    assert json.loads(twice)["theta"] != [1, 2, 3]  # (what json.loads would have used: the last one)
    line = refused(tmp_path, monkeypatch, capsys, twice)
    assert "the key 'theta' is given twice in one object" in line
    nested = text().replace('"alpha": ', '"alpha": 5, "alpha": ', 1)
    assert "the key 'alpha' is given twice" in refused(tmp_path, monkeypatch, capsys, nested)


def test_a_byte_order_mark_is_accepted(tmp_path, monkeypatch, capsys):
    (tmp_path / "plain.json").write_text(text())
    (tmp_path / "bom.json").write_bytes(b"\xef\xbb\xbf" + text().encode())
    DATA.to_csv(tmp_path / "data.csv", index=False)
    monkeypatch.chdir(tmp_path)
    outputs = []
    for name in ("plain.json", "bom.json"):
        assert cli.main(["predict", name, "data.csv"]) == 0
        outputs.append(capsys.readouterr().out)
    assert outputs[0] == outputs[1]
    loaded = modelfile.read_model(tmp_path / "bom.json")
    np.testing.assert_array_equal(loaded.model, MODEL.model)


# --------------------------------------------------------------------------- control, as the library checks it

CONTROL = [
    ("alpha", -5, "control: alpha must be a finite number > 0, got -5.0"),
    ("alpha", 0, "control: alpha must be a finite number > 0"),
    ("maxIter", 0, "control: maxIter must be a whole number >= 1, got 0"),
    ("maxIter", 2.5, "control: maxIter must be a whole number >= 1, got 2.5"),
    ("maxIter", 10**9, "control: maxIter must be at most 100000000"),
    ("momentum", 1, "control: momentum must be a finite number in [0, 1)"),
    ("nBatch", 0, "control: nBatch must be a whole number >= 1"),
    ("lamda", -1, "control: lamda must be a finite number >= 0"),
    ("innerIter", 0, "control: innerIter must be a whole number >= 1"),
    ("option", 7, "control: option must be 1 (second-to-last inner iterate) or 2 (a random one), got 7"),
    ("option", True, "control must be an object with the numbers"),
    ("gammaS", 0, "control: gammaS must be a finite number > 0"),
]


@pytest.mark.parametrize("key, value, words", CONTROL, ids=[f"{k}={v}" for k, v, _ in CONTROL])
def test_control_values_are_held_to_the_librarys_checks(tmp_path, monkeypatch, capsys, key, value, words):
    assert words in refused(tmp_path, monkeypatch, capsys, text(**{f"control.{key}": value}))
    method = {"nBatch": "MBGD", "momentum": "MGD", "lamda": "SSGD", "innerIter": "SVRG", "option": "SVRG",
              "gammaS": "SARAHPlus"}.get(key, "GD")
    with pytest.raises(ValueError, match=key if key != "option" or value is not True else "option"):
        learn(DATA, learningMethod=method, control={key: value}, seed=1)  # the same value, refused by learn


def test_every_valid_control_loads(tmp_path):
    for method in ("GD", "MBGD", "SSGD", "SARAHPlus"):
        model = learn(DATA, learningMethod=method, control={"maxIter": 3, "nBatch": 3, "lamda": 0.5}, seed=2)
        modelfile.write_model(model, tmp_path / f"{method}.json", seed=2)
        loaded = modelfile.read_model(tmp_path / f"{method}.json")
        assert loaded.control == model.control and loaded.learningMethod == method


# --------------------------------------------------------------------------- numbers beyond double

@pytest.mark.parametrize("field, words", [
    ("theta", "theta must be 3 finite numbers (one per column)"),
    ("control.alpha", "control must be an object with the numbers alpha, maxIter, momentum, nBatch, lamda, "
                      "innerIter, option, gammaS; its alpha is an integer of 401 digits"),
    ("control.maxIter", "its maxIter is an integer of 401 digits"),
    ("seed", "seed must lie in R's integer range"),
    ("scaling_parameter", "scaling_parameter must be 2 x 3 finite numbers"),
    ("version", "it is version an integer of 401 digits, written by a newer graddescent"),
], ids=["theta", "control-alpha", "control-maxIter", "seed", "scaling", "version"])
def test_integer_literals_beyond_double_are_refused_in_one_line(tmp_path, monkeypatch, capsys, field, words):
    if field == "theta":
        content = text().replace('"theta": [\n    ', f'"theta": [\n    {HUGE}, ', 1)
        content = content.replace(f"{HUGE}, {DOC['theta'][0]!r}", HUGE, 1)
    elif field == "scaling_parameter":
        content = text().replace('"scaling_parameter": [\n    [\n      ', f'"scaling_parameter": [\n    [\n      {HUGE}, ', 1)
    else:
        content = text(**{field: HUGE})
    assert HUGE in content
    assert words in refused(tmp_path, monkeypatch, capsys, content)


def test_a_huge_integer_through_the_installed_command(tmp_path):
    (tmp_path / "model.json").write_text(text(**{"control.alpha": HUGE}))
    DATA.to_csv(tmp_path / "data.csv", index=False)
    result = subprocess.run([str(SCRIPT), "predict", "model.json", "data.csv"], cwd=tmp_path, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 2 and result.stdout == ""
    assert len(result.stderr.splitlines()) == 1 and "Traceback" not in result.stderr
    assert "its alpha is an integer of 401 digits" in result.stderr


def test_a_seed_outside_rs_integers_is_refused(tmp_path, monkeypatch, capsys):
    line = refused(tmp_path, monkeypatch, capsys, text(seed=2**31))
    assert "seed must lie in R's integer range (-2147483647 .. 2147483647), got 2147483648" in line


# --------------------------------------------------------------------------- scales

def scaled(scale):
    doc = json.loads(text())
    doc["scaling_parameter"][1][0] = scale
    return json.dumps(doc)


@pytest.mark.parametrize("scale, words", [
    (1e-320, "scaling_parameter has a scale of 9.99989e-321 (column 'a'), too small to divide by (below 2.2e-308: "
             "every prediction would be infinite); refit the model"),
    (-2.0, "scaling_parameter has a negative scale, -2 (column 'a')"),
    (0.0, "scaling_parameter has a zero scale (column 'a')"),
], ids=["subnormal", "negative", "zero"])
def test_scales_that_cannot_divide_are_refused(tmp_path, monkeypatch, capsys, scale, words):
    assert words in refused(tmp_path, monkeypatch, capsys, scaled(scale))


def test_a_small_normal_scale_is_kept(tmp_path):
    (tmp_path / "m.json").write_text(scaled(1e-300))
    loaded = modelfile.read_model(tmp_path / "m.json")
    assert loaded.scalingParameter[1, 0] == 1e-300


def test_what_predict_did_with_an_underflowing_scale():
    """Why the rule: with a scale of 1e-320, every prediction is infinite (it was loaded without a word)."""
    doc = json.loads(scaled(1e-320))
    parameter = np.asarray(doc["scaling_parameter"])
    model = MODEL.__class__(True, "VARIANCE", parameter, "SVRG", MODEL.model, MODEL.control, list(DATA.columns))
    with pytest.warns(RuntimeWarning, match="overflows"):
        assert not np.isfinite(predict(model, DATA)["V1"]).any()


def test_the_cli_names_stay():
    assert cli.read_model is modelfile.read_model and cli.write_model is modelfile.write_model
    assert cli.model_to_dict is modelfile.model_to_dict and cli.model_from_dict is modelfile.model_from_dict
