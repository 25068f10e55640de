"""Chat prompts: the GGUF's own chat template, or a named fallback format.

Instruction-tuned GGUFs carry their chat template (Jinja2, as in Hugging Face
tokenizers) in `tokenizer.chat_template`; rendering it in a sandbox gives the
exact prompt format the model was trained on. Base models (Gemma 3 270M here)
carry none, so the registry names a fallback: `chatml`, `gemma` or `plain`.
Message contents are defused: any text equal to one of the model's control
tokens (say `<|im_end|>` inside an input) is broken with a zero-width space,
so data cannot close a turn and speak as the system.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

import jinja2
from jinja2.sandbox import ImmutableSandboxedEnvironment

ZWSP = "\u200b"


def _raise(msg: str) -> None:
    raise jinja2.TemplateError(msg)


def defuse(text: str, control_texts: Iterable[str]) -> str:
    for ct in control_texts:
        if ct and ct in text:
            text = text.replace(ct, ct[0] + ZWSP + ct[1:])
    return text


def render_template(template: str, messages: list[dict[str, str]], *, add_generation_prompt: bool,
                    bos_token: str, eos_token: str) -> str:
    env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True,
                                        undefined=jinja2.Undefined)
    env.globals["raise_exception"] = _raise
    env.filters["tojson"] = lambda x, **kw: json.dumps(x, ensure_ascii=False)
    return env.from_string(template).render(
        messages=messages, add_generation_prompt=add_generation_prompt,
        bos_token=bos_token, eos_token=eos_token,
    )


def render_fallback(fmt: str, messages: list[dict[str, str]], add_generation_prompt: bool) -> str:
    """Formats for GGUFs without a template; the BOS token is added at tokenization."""
    if fmt == "gemma":
        out, system = [], ""
        for m in messages:
            if m["role"] == "system":
                system += m["content"] + "\n\n"
                continue
            role = "model" if m["role"] == "assistant" else "user"
            content = (system + m["content"]) if role == "user" and system else m["content"]
            if role == "user":
                system = ""
            out.append(f"<start_of_turn>{role}\n{content}<end_of_turn>\n")
        if add_generation_prompt:
            out.append("<start_of_turn>model\n")
        return "".join(out)
    if fmt == "plain":
        names = {"system": "System", "user": "User", "assistant": "Assistant"}
        out = [f"{names.get(m['role'], m['role'].title())}: {m['content']}\n" for m in messages]
        if add_generation_prompt:
            out.append("Assistant:")
        return "".join(out)
    out = [f"<|im_start|>{m['role']}\n{m['content']}<|im_end|>\n" for m in messages]
    if add_generation_prompt:
        out.append("<|im_start|>assistant\n")
    return "".join(out)
