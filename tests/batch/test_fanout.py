"""Parallel sub-model calls: `llm.map` and the backends that answer requests together.

Logic with a scripted model (tests/fakes.py): answers in the chunks' order
whatever order the backend finishes them in, one logged call whose result
lists them by index, replayed identically, and counted as len(chunks)
sub-model calls by the verifier, the VM and the caps. Then the real model:
batched sequences in-process, and a loopback llama-server with 4 slots.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
for p in (str(HERE.parent), str(ROOT)):  # tests/ for fakes.py, the root for bench
    if p not in sys.path:
        sys.path.insert(0, p)

from fakes import FakeModel  # noqa: E402

from rlmlang.audit.core import audit_log  # noqa: E402
from rlmlang.backend.base import Generation  # noqa: E402
from rlmlang.backend.parallel import Request, generate_all  # noqa: E402
from rlmlang.controller.loop import Runtime  # noqa: E402
from rlmlang.policy import Policy  # noqa: E402
from rlmlang.runlog import read_events  # noqa: E402

SIG = "context: str, question: str -> answer: str"
MAP = 'answers = llm.map("Which word?", chunks(context, 10))\nsubmit(join(answers, "|"))'
WORDS = ["alpha one", "beta two", "gamma 3", "delta four"]
CONTEXT = "".join(w.ljust(10) for w in WORDS)  # 4 chunks of 10 characters


def _run(model, tmp_path: Path, budgets: dict | None = None, allow=("llm",)):
    rt = Runtime(model, grammar=False, log_path=tmp_path / "run.log",
                 policy=Policy.from_rules(list(allow)),
                 budgets={"candidates": 1, "iterations": 1, **(budgets or {})})
    return rt.run(SIG, "Which words?", context=CONTEXT)


def _calls(tmp_path: Path) -> list[dict]:
    return [e["data"] for e in read_events(tmp_path / "run.log") if e["kind"] == "tool_call"]


def test_llm_map_answers_in_order_logs_one_call_and_replays(tmp_path: Path) -> None:
    model = FakeModel([MAP], sub_answers=["a", "b", "c", "d"])
    out = _run(model, tmp_path)
    assert out.ok and out.answer == "a|b|c|d"
    assert len(model.sub_prompts) == 4
    for words, prompt in zip(WORDS, model.sub_prompts, strict=True):
        assert f"text: {words}" in prompt
    (call,) = _calls(tmp_path)
    assert call["tool"] == "llm.map" and call["result"] == ["a", "b", "c", "d"]
    assert out.used["llm_calls"] == 4  # the controller's budget counts every chunk
    verdict = next(e["data"] for e in read_events(tmp_path / "run.log")
                   if e["kind"] == "verdict")
    assert verdict["proof"]["bounds"]["llm_calls"] == 4  # and so does the verifier's bound
    report = audit_log(str(tmp_path / "run.log"), replay=True)
    assert report.ok and report.replay.identical


class OutOfOrder(FakeModel):
    """Answers a batch in threads that finish in reverse order; records the batches."""

    def __init__(self, scripts: list[str]) -> None:
        super().__init__(scripts)
        self.batches: list[int] = []

    def generate_batch(self, requests: list[Request], parallel: int | None = None):
        self.batches.append(len(requests))
        out: list[Generation | None] = [None] * len(requests)

        def one(i: int, r: Request) -> None:
            time.sleep(0.05 * (len(requests) - i))
            word = r.prompt.rsplit("text: ", 1)[1].split()[0]
            out[i] = Generation(word.upper(), 1, 1, 0, 0.0, 0.0, "eos")

        threads = [threading.Thread(target=one, args=(i, r)) for i, r in enumerate(requests)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        return out


def test_a_batch_finishing_out_of_order_still_answers_in_order(tmp_path: Path) -> None:
    model = OutOfOrder([MAP])
    out = _run(model, tmp_path)
    assert model.batches == [4]  # one batch: the calls were handed over together
    assert out.answer == "ALPHA|BETA|GAMMA|DELTA"
    assert audit_log(str(tmp_path / "run.log"), replay=True).replay.identical


def test_llm_map_is_bounded_like_len_chunks_predicts(tmp_path: Path) -> None:
    out = _run(FakeModel([MAP], sub_answers=["a"] * 4), tmp_path, budgets={"llm_calls": 3})
    assert not out.ok
    verdict = next(e["data"] for e in read_events(tmp_path / "run.log")
                   if e["kind"] == "verdict")
    assert not verdict["accepted"] and verdict["diagnostics"][0]["code"] == "E_COST"
    assert "4" in verdict["diagnostics"][0]["message"]


def test_llm_map_counts_against_the_calls_cap(tmp_path: Path) -> None:
    out = _run(FakeModel([MAP], sub_answers=["a"] * 4), tmp_path,
               allow=("llm", "llm:calls=3"))
    assert not out.ok
    verdict = next(e["data"] for e in read_events(tmp_path / "run.log")
                   if e["kind"] == "verdict")
    assert verdict["diagnostics"][0]["code"] == "E_PERMISSION"
    assert "llm:calls=3" in verdict["diagnostics"][0]["message"]


def test_generate_all_falls_back_to_one_at_a_time() -> None:
    model = FakeModel([], sub_answers=["x", "y"])
    reqs = [Request("Answer the question using the text. 1"),
            Request("Answer the question using the text. 2")]
    assert [g.text for g in generate_all(model, reqs)] == ["x", "y"]
    assert generate_all(model, []) == []


# ------------------------------------------------------------------- real model


@pytest.mark.model
def test_batched_sequences_in_process_hold_each_answer_to_its_grammar(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from rlmlang.backend.llama import LlamaBackend
    from rlmlang.controller.subcall import predict_many, spans

    backend = LlamaBackend(None, n_threads=1)
    lines = ["2026-03-01 badge 2851 (bo) opened lobby", "2026-03-01 badge 1680 (ana) opened lab",
             "2026-03-02 badge 3450 (gus) opened gate", "2026-03-02 badge 6202 (emil) opened dock",
             "2026-03-03 badge 7272 (jun) opened roof"]
    snippets = [{"text": t} for t in lines]
    monkeypatch.setenv("RLM_SUBCALL_PARALLEL", "3")  # 5 requests on 3 sequences: a refill
    values, gens = predict_many(backend, "Which badge opened a door?", snippets, None)
    assert len(values) == 5 and all(g.stats.get("batched") for g in gens)
    for v, line in zip(values, lines, strict=True):
        assert v in spans(line), (v, line)  # the extractive grammar held in every sequence
    monkeypatch.setenv("RLM_SUBCALL_PARALLEL", "1")
    alone, _ = predict_many(backend, "Which badge opened a door?", snippets[:1], None)
    assert alone[0] == values[0]  # the first request ran first, as it would alone


@pytest.mark.model
@pytest.mark.slow
def test_fanout_against_llama_server_with_4_slots(tmp_path: Path) -> None:
    """16 chunks (the bench does 64): llm.map is >= 1.5x the loop of llm.predict, and both
    logs replay identically."""
    from bench.scale import fanout_pair, llama_server_binary, loopback_server
    from rlmlang.backend.server import ServerBackend

    if llama_server_binary() is None:
        pytest.skip("llama-server not found ($RLM_LLAMA_SERVER or PATH): it serves the slots "
                    "llama_cpp.server lacks (docs/scale.md says how to build it)")
    with loopback_server("llama-server", slots=4) as url:
        values = fanout_pair(ServerBackend(url), 16, tmp_path, "srv")
    assert values["fanout_srv_replays_ok"] == 2
    assert values["fanout_srv_speedup"] >= 1.5, values
    assert os.path.exists(tmp_path / "srv-par.log")
