"""Tools as data and as text: what `rlm tools`, `rlm doc` and the stdlib docs print.

One function turns a ToolSpec into a JSON-able dict (`describe`), and the
text forms are built from it, so the listing, the doc page, the generated
docs/stdlib.md and the JSON output cannot disagree. A cost is shown by
evaluating the spec's cost function on sample sizes: its formula is code,
but its growth is what a reader needs.
"""

from __future__ import annotations

from typing import Any

from rlmlang.tools.registry import Size, ToolSpec

SAMPLE_SIZES = (1, 1_000, 1_000_000)


def permission_text(spec: ToolSpec) -> str:
    p = spec.permission
    if p is None:
        return "-"
    return p.kind if p.resource_param is None else f"{p.kind}:<{p.resource_param}>"


def kind_of(spec: ToolSpec) -> str:
    if spec.origin.startswith("stdlib:"):
        return "stdlib"
    if spec.origin.startswith("plugin:"):
        return "plugin"
    if spec.effect:
        return "host"
    module = getattr(spec.impl, "__module__", "") or ""
    return "skill" if module.endswith(".skills") else "builtin"


def cost_samples(spec: ToolSpec) -> dict[str, int] | None:
    """Fuel for a call whose every argument has size n, for a few n (None if not declared)."""
    out: dict[str, int] = {}
    for n in SAMPLE_SIZES:
        try:
            out[str(n)] = int(spec.cost([Size(n, 1) for _ in spec.params]))
        except NotImplementedError:
            return None
    return out


def describe(spec: ToolSpec) -> dict[str, Any]:
    """A ToolSpec as plain data (for --json and for the docs)."""
    return {
        "name": spec.name,
        "signature": spec.signature(),
        "doc": spec.doc,
        "example": spec.example,
        "kind": kind_of(spec),
        "origin": spec.origin,
        "permission": permission_text(spec),
        "effect": spec.effect,
        "in_prompt": bool(spec.extra.get("prompt")),
        "castable": bool(spec.extra.get("castable")),
        "cost": cost_samples(spec),
        "cost_note": ("derived by the verifier from the def's body"
                      if spec.origin.startswith("stdlib:") else
                      "fuel for arguments of size n (characters or items)"),
    }


def doc_text(spec: ToolSpec) -> str:
    """The doc page of one tool, as plain text."""
    d = describe(spec)
    lines = [d["signature"], "", d["doc"] or "(no documentation)", ""]
    lines.append(f"kind:        {d['kind']} ({d['origin']})")
    lines.append(f"permission:  {d['permission']}")
    if d["cost"] is None:
        lines.append(f"cost:        {d['cost_note']}")
    else:
        shown = ", ".join(f"n={k}: {v}" for k, v in d["cost"].items())
        lines.append(f"cost (fuel): {shown}")
    if d["castable"]:
        lines.append("cast:        add `as T` after the call for an answer of type T")
    if spec.origin.startswith("stdlib:") and "def" in spec.extra:
        lines.append(f"source:      {spec.extra.get('file', '?')}")
    if d["example"]:
        lines += ["", "example:"] + ["    " + ln for ln in d["example"].splitlines()]
    return "\n".join(lines)
