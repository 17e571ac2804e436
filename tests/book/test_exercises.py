"""bookkit.exercises: the checker of the readers' coding exercises, and the rule that
every chapter has one whose reference solution the tests run through it."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from bookkit.exercises import check

import brainnet as bn

CHAPTERS = sorted((Path(__file__).resolve().parents[2] / "chapters").glob("*.ipynb"))


def square(x):
    return x ** 2


def test_a_correct_function_passes(capsys):
    result = check(lambda x: x * x, square, [(np.arange(3.0),), (2.5,)])
    assert result.passed and "correct on all 2 cases" in capsys.readouterr().out


def test_a_placeholder_is_not_yet_and_does_not_raise(capsys):
    for placeholder in (lambda x: NotImplemented, lambda x: None):
        result = check(placeholder, square, [(1.0,)])
        assert result.status == "not yet" and not result.passed
    def unfinished(x):
        raise NotImplementedError
    assert check(unfinished, square, [(1.0,)]).status == "not yet"
    assert "not yet written" in capsys.readouterr().out


def test_a_wrong_answer_names_the_case_expected_and_got(capsys):
    result = check(lambda x: x * 2, square, [(np.array([0.0, 2.0]),), (np.array([3.0]),)],
                   hint="square, do not double.")
    out = capsys.readouterr().out
    assert result.status == "wrong"
    assert "case 2" in out and "expected [9.]" in out and "got [6.]" in out
    assert "Hint: square, do not double." in out


def test_wrong_shapes_errors_and_counts_are_reported(capsys):
    assert "shape" in check(lambda x: x[:1] ** 2, square, [(np.ones(3),)]).message
    raised = check(lambda x: 1 / 0, square, [(1.0,)])
    assert raised.status == "wrong" and "ZeroDivisionError" in raised.message
    assert "2 result(s), got 1" in check(lambda x: x, lambda x: (x, x), [(1.0,)]).message


def test_inputs_are_copied_and_tensors_compared_by_value():
    def in_place(x):
        x += 1
        return x
    assert check(in_place, lambda x: x + 1, [(np.zeros(2),)]).passed
    assert check(lambda x: bn.tensor(x * 2), lambda x: x * 2, [(np.ones(2),)]).passed


def test_every_chapter_has_a_checked_exercise_whose_solution_is_asserted():
    for path in CHAPTERS:
        cells = json.loads(path.read_text())["cells"]
        code = ["".join(c["source"]) for c in cells if c["cell_type"] == "code"]
        assert any("check(" in c and "NotImplemented" in c for c in code), \
            f"{path.name}: no exercise with a placeholder checked by bookkit.exercises.check"
        assert any(".passed" in c and "assert" in c for c in code), \
            f"{path.name}: no hidden cell asserts that the reference solution passes"
