"""Sequential training forgets the first task; replaying a few stored examples prevents it."""

import pytest

from brainnet import data
from brainnet.brain import replay


@pytest.fixture(scope="module")
def tasks():
    return replay.split_by_class(data.load_digits(), [range(5), range(5, 10)])


def test_split_by_class(tasks):
    assert [t.name for t in tasks] == ["0-4", "5-9"]
    assert set(tasks[0].y_train) == {0, 1, 2, 3, 4} and set(tasks[1].y_test) == {5, 6, 7, 8, 9}


def test_naive_training_forgets_and_replay_remembers(tasks):
    naive = replay.train_tasks(tasks, replay=0, epochs=5)
    kept = replay.train_tasks(tasks, replay=200, epochs=5)
    assert naive.accuracy[0, 0] > 0.95 and naive.accuracy[1, 0] < 0.05
    assert kept.accuracy[1, 0] > 0.9 and kept.accuracy[1, 1] > 0.9
    assert naive.curve.shape == (2, 10)


def test_bad_arguments_are_named(tasks):
    with pytest.raises(ValueError, match="replay >= 0"):
        replay.train_tasks(tasks, replay=-1)
    with pytest.raises(ValueError, match=r"no examples of classes \(42,\)"):
        replay.split_by_class(data.load_digits(), [(42,)])
