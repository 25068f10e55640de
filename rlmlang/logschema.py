"""What a run log's records hold: their kinds, their payloads, and the digests in them.

The writer (the controller, through `runlog.LogWriter`) and every reader
(the audit, replay, `rlm logs`, resume) import this one module, so a field,
a digest or the way a generation becomes the script the pipeline saw is
defined once: a reader recomputes exactly what the writer recorded.
docs/log-format.md describes the same records in words.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

FORMAT_VERSION = 1

# Each kind, and the fields of its `data` that the controller always writes (some
# kinds carry more: a repeat verdict's `repeat_of`, a fix-it's `fixit_of`, ...).
PAYLOADS: dict[str, tuple[str, ...]] = {
    "run_start": ("rlmlang", "task", "signature", "model", "depth", "inputs", "policy",
                  "budgets", "grammar", "seed", "profile", "run_id", "state_schema", "tools",
                  "state_version"),
    "prompt": ("iteration", "sha256", "extends_previous", "state_version", "text"),
    "generation": ("iteration", "candidate", "temperature", "seed", "text", "script_sha256",
                   "tokens", "prompt_tokens", "cached_tokens", "seconds", "stop_reason"),
    "verdict": ("iteration", "candidate", "script_sha256", "stage", "accepted",
                "bytecode_hash", "diagnostics", "proof"),
    "bytecode": ("iteration", "candidate", "hash", "code"),
    "tool_call": ("iteration", "candidate", "tool", "args", "kwargs"),
    "output": ("iteration", "candidate", "status", "value", "answer", "printed", "fuel",
               "writes"),
    "state_commit": ("iteration", "version", "state_hash", "diff"),
    "observation": ("iteration", "text", "script"),
    "submit": ("iteration", "value", "script_sha256", "votes", "candidates"),
    "budget": ("iteration", "name", "limit", "used"),
    "error": ("code", "message", "diagnostics"),
    "run_end": ("status", "answer", "reason"),  # and, unless it ended on an error, the totals
    "resume": ("from_iteration", "state_version", "last_meta", "repairs"),
}

EVENT_KINDS: frozenset[str] = frozenset(PAYLOADS)


def input_digest(value: Any) -> str:
    """SHA-256 of an input as the log records it (text as UTF-8, others as JSON).

    Text is hashed a megabyte at a time: a 100 MB context must not be copied whole.
    """
    h = hashlib.sha256()
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    step = 1 << 20
    for i in range(0, len(text), step):
        h.update(text[i:i + step].encode())
    return h.hexdigest()


def registry_digest(registry: Any) -> dict[str, str]:
    """Each tool's name → a short hash of what the verifier relies on (types, permission).

    The audit compares it with today's registry, so a changed tool is named as
    such rather than surfacing as a replay divergence.
    """
    out = {}
    for spec in registry.specs():
        perm = f"{spec.permission.kind}:{spec.permission.resource_param}" if spec.permission \
            else ""
        text = f"{spec.signature()}|{perm}|{spec.effect}|{spec.origin}"
        out[spec.name] = hashlib.sha256(text.encode()).hexdigest()[:16]
    return out


def clean_script(text: str) -> str:
    """The script a generation holds: free-generation output may carry Markdown fences
    or chatter around the code. `script_sha256` is the digest of this text."""
    t = text.strip()
    if "```" in t:
        parts = t.split("```")
        if len(parts) >= 2:
            body = parts[1]
            first, _, rest = body.partition("\n")
            t = rest if first.strip().isalpha() or not first.strip() else body
    return t.strip() + "\n"


def script_digest(script: str) -> str:
    """`script_sha256`: the digest of the cleaned script."""
    return hashlib.sha256(script.encode()).hexdigest()
