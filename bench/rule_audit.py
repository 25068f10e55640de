"""Which submitted answers of kept dev run logs the vote's rules set aside, and were right.

    python -m bench.rule_audit LOGS [LOGS ...] [--data DIR] [--show]

A rule that turns answers into "no vote" (`task/answers.no_value`,
`task/searches.nothing_found`, `controller/difference.left_over`,
`task/answers.has_empty_item`, `task/percent.fraction_for_percent`,
`task/find_miss.find_missed`) or sends them back (`task/answers.cut_token`) is
only as good as the right answers it never catches: where it catches one, the
wrong answers left are unopposed and may be taken with confidence, and no dev run
shows it unless someone looks. This
replays each rule over every submitted answer of the logs a bench run kept
(`python -m bench tasks --logs DIR`; the task is named in the log's file
name) and counts, per rule and kind, the answers it set aside that the task's
scorer calls right (a false alarm) and wrong. Dev logs only: a test split's
logs are not kept.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from bench.scoring import judge
from bench.tasks.manifest import DEFAULT_OUT, load_tasks, read_inputs


def audit(logs: list[Path], data: Path) -> tuple[Counter[tuple[str, bool]], list[str]]:
    """(rule kind, right) -> count over the logs' submitted answers, and a line for each."""
    from rlmlang.controller.difference import left_over, read_keyless
    from rlmlang.logschema import clean_script
    from rlmlang.pipeline import ScriptSetup
    from rlmlang.task.answers import cut_token, has_empty_item, no_value
    from rlmlang.task.find_miss import find_missed
    from rlmlang.task.guess import data_texts
    from rlmlang.task.percent import fraction_for_percent
    from rlmlang.task.searches import nothing_found
    from rlmlang.task.signature import type_of_value
    from rlmlang.task.unasked import copied_filter
    from rlmlang.tools import default_registry
    from rlmlang.tools.reader import task_question

    registry = default_registry(include_plugins=False)
    tasks = {t["id"]: t for t in load_tasks(data)}
    counts: Counter[tuple[str, bool]] = Counter()
    lines: list[str] = []
    for folder in logs:
        for path in sorted(folder.glob("*.log")):
            task = tasks.get(path.stem.rsplit("-grammar-", 1)[-1])
            if task is None or task["split"] != "dev":
                continue
            inputs: dict[str, Any] = read_inputs(task)
            question = task["question"]
            setup = ScriptSetup(registry=registry, inputs=inputs, output=None, state=None,
                                input_types={n: t for n, v in inputs.items()
                                             if (t := type_of_value(v)) is not None})
            scripts: dict[tuple[int, int], str] = {}
            for raw in path.read_text(encoding="utf-8").splitlines():
                event = json.loads(raw)
                d = event["data"]
                key = (d.get("iteration", 0), d.get("candidate", 0))
                if event["kind"] == "generation":
                    scripts[key] = clean_script(d["text"])
                if event["kind"] != "output" or d.get("status") != "submitted":
                    continue
                answer, script = d.get("answer"), scripts.get(key, "")
                with task_question(question):
                    kinds = [no_value(answer, question, data_texts(inputs), echo=True,
                                      bulk=True),
                             "nothing" if nothing_found(script, answer, inputs, registry,
                                                        question) else None,
                             "copied" if copied_filter(script, answer, inputs, registry,
                                                       question) else None,
                             "cut" if cut_token(answer, data_texts(inputs)) else None,
                             "keyless" if read_keyless(script, answer, setup, question) else None,
                             "leftover" if left_over(script, setup) else None,
                             "percent" if fraction_for_percent(script, answer, question)
                             else None,
                             "findmiss" if find_missed(script, answer, data_texts(inputs))
                             else None,
                             "empty" if has_empty_item(answer) else None]
                right = bool(judge(task, {"answer": answer})["correct"])
                for kind in filter(None, kinds):
                    counts[(kind, right)] += 1
                    lines.append(f"{kind:8} {'RIGHT' if right else 'wrong'} {task['id']}: "
                                 f"{json.dumps(answer)[:80]}")
    return counts, lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.rule_audit",
                                     description=__doc__.split("\n")[0])
    parser.add_argument("logs", nargs="+", type=Path, help="folders of kept run logs")
    parser.add_argument("--data", type=Path, default=DEFAULT_OUT, help="task data folder")
    parser.add_argument("--show", action="store_true", help="a line per answer set aside")
    args = parser.parse_args(argv)
    counts, lines = audit(args.logs, args.data)
    if args.show:
        print("\n".join(lines))
    kinds = sorted({k for k, _ in counts})
    for kind in kinds:
        print(f"{kind}: {counts[(kind, False)]} wrong, {counts[(kind, True)]} right "
              "(a right answer set aside is a false alarm)")
    if not kinds:
        print("no submitted answer was set aside")
    return 1 if any(right for _, right in counts) else 0


if __name__ == "__main__":
    sys.exit(main())
