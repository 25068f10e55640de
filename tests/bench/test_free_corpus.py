"""bench.free_corpus: the first script a run writes, taken from the run's real log.

The model is a scripted stand-in (what it writes is not under test); the
controller, its log and the task files are the real ones.
"""

from __future__ import annotations

import pytest
from fakes import FakeModel

import rlmlang.bench_hooks as hooks
from bench import free_corpus
from bench.tasks.generate import generate
from bench.tasks.manifest import load_tasks


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    out = tmp_path_factory.mktemp("quick")
    generate(out, seed=7, quick=True)
    return out


def test_each_task_gets_its_first_free_script_and_a_rerun_skips_it(tmp_path, data, monkeypatch):
    tasks = [t for t in load_tasks(data, quick=True)][:2]
    first = 'xs = lines(context)\nprint(len(xs))\nsubmit("x")'
    model = FakeModel(["Here is the script:\n```python\n" + first + "\n```", first,
                       "never drawn: one round of one draw a task"])
    monkeypatch.setitem(hooks._BACKENDS, "smollm2-135m", model)  # no model loaded
    out = tmp_path / "corpus"
    assert free_corpus.write_corpus(out, "smollm2-135m", tasks, profile="coder") == 2
    files = sorted(out.iterdir())
    assert [f.name for f in files] == sorted(f"smollm2-135m-{t['id']}-0.py" for t in tasks)
    assert all(f.read_text() == first + "\n" for f in files)  # the script, not the prose
    assert model.scripts == ["never drawn: one round of one draw a task"]
    monkeypatch.setitem(hooks._BACKENDS, "smollm2-135m", model)  # no model loaded
    assert free_corpus.write_corpus(out, "smollm2-135m", tasks, profile="coder") == 0
