"""Central's JSON parsing (``sync/parse.py``): orjson where it can, and exactly what
``json.loads`` gives — values and errors — for every text."""

from __future__ import annotations

import json

import pytest

from cashier_desk.sync import parse

SAME = [
    '{"batch": "W1-20261123-001", "detail": {"receipts": [{"id": 1, "total_cents": 53218}]}}',
    '{"a": 1, "a": 2}',  # the last of a repeated key, as json
    "[1.5e308, 0.1, -0.0, 1e400, 12345678901234567890123456789]",  # beyond orjson: json
    '{"x": NaN, "y": Infinity}',  # json reads them; orjson refuses
    '"\\ud800"',  # a lone surrogate escape: json reads it
    '  {"padded": "\\u00e9t\\u00e9 caf\u00e9"}  ',
    "[" * 900 + "]" * 900,
]


@pytest.mark.parametrize("text", SAME)
def test_the_same_values_as_json(text: str) -> None:
    got, want = parse.loads(text), json.loads(text)
    assert repr(got) == repr(want)


@pytest.mark.parametrize("text", ['{"a": 1} x', "", "{'a': 1}", '{"a": 1,}', "[1, 2"])
def test_what_json_refuses_raises_as_json_does(text: str) -> None:
    with pytest.raises(json.JSONDecodeError) as ours:
        parse.loads(text)
    with pytest.raises(json.JSONDecodeError) as theirs:
        json.loads(text)
    assert str(ours.value) == str(theirs.value)


def test_deeper_than_orjson_goes_is_json_s_to_judge() -> None:
    text = "[" * 1100 + "]" * 1100
    try:
        want: object = json.loads(text)
    except RecursionError:
        with pytest.raises(RecursionError):
            parse.loads(text)
    else:
        assert parse.loads(text) == want
