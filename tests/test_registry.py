"""Model registry and GGUF checks: names, paths, and clear E_MODEL errors."""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

import pytest

from rlmlang.backend.base import ModelError
from rlmlang.backend.gguf import read_gguf
from rlmlang.backend.registry import (
    add_arguments,
    cmd_models,
    default_name,
    file_sha256,
    list_models,
    load_registry,
    resolve_entry,
    resolve_model,
)


@pytest.fixture(autouse=True)
def _cache(tmp_path, monkeypatch):
    monkeypatch.setenv("RLM_CACHE_DIR", str(tmp_path / "cache"))


def _smollm2() -> Path:
    return resolve_model("smollm2-135m")


def test_registry_lists_both_models_with_default():
    rows = {r["name"]: r for r in list_models()}
    assert {"smollm2-135m", "gemma3-270m"} <= set(rows)
    assert sum(r["default"] for r in rows.values()) == 1
    assert rows["smollm2-135m"]["present"] is True
    assert rows["gemma3-270m"]["vocab_size"] == 262144
    assert load_registry().default in rows


def test_default_resolves_to_a_gguf():
    p = resolve_model(None)
    assert p.is_file()
    assert p.read_bytes()[:4] == b"GGUF"


def test_rlm_model_chooses_the_default_for_every_command(monkeypatch):
    monkeypatch.setenv("RLM_MODEL", "gemma3-270m")
    assert default_name() == "gemma3-270m"
    marked = [r["name"] for r in list_models() if r["default"]]
    assert marked == ["gemma3-270m"]
    monkeypatch.setenv("RLM_MODEL", "smollm2-135m")
    assert resolve_model(None) == _smollm2()


def test_rlm_model_naming_no_model_is_e_model(monkeypatch):
    monkeypatch.setenv("RLM_MODEL", "gpt-17")
    with pytest.raises(ModelError) as e:
        resolve_model(None)
    d = e.value.diagnostics[0]
    assert d.code == "E_MODEL" and "RLM_MODEL" in d.message and "'gpt-17'" in d.message
    assert "smollm2-135m" in (d.fix or "")


def test_without_rlm_model_the_registry_file_decides(monkeypatch, tmp_path):
    monkeypatch.delenv("RLM_MODEL")
    reg = tmp_path / "registry.toml"
    reg.write_text('default = "b"\n[models.a]\nsource = "file"\npath = "/x/a.gguf"\n'
                   '[models.b]\nsource = "file"\npath = "/x/b.gguf"\n', encoding="utf-8")
    assert default_name(load_registry(reg)) == "b"


def test_gguf_header_metadata():
    info = read_gguf(_smollm2())
    assert info.architecture == "llama"
    assert info.vocab_size == 49152
    assert info.context_length == 8192
    assert info.chat_template and "im_start" in info.chat_template


def test_unknown_name_is_e_model():
    with pytest.raises(ModelError) as e:
        resolve_model("no-such-model")
    d = e.value.diagnostics[0]
    assert d.code == "E_MODEL"
    assert "smollm2-135m" in (d.fix or "")


def test_missing_file_names_the_path(tmp_path):
    p = tmp_path / "absent.gguf"
    with pytest.raises(ModelError) as e:
        resolve_model(str(p))
    assert e.value.diagnostics[0].code == "E_MODEL"
    assert str(p) in e.value.message


def test_not_a_gguf(tmp_path):
    p = tmp_path / "model.gguf"
    p.write_text("this is not a model\n")
    with pytest.raises(ModelError) as e:
        resolve_model(str(p))
    assert "not a GGUF" in e.value.message
    assert e.value.diagnostics[0].code == "E_MODEL"


@pytest.mark.parametrize("keep", [64, 1 << 20, 0.6])
def test_truncated_gguf(tmp_path, keep):
    src = _smollm2()
    n = int(src.stat().st_size * keep) if isinstance(keep, float) else keep
    p = tmp_path / "cut.gguf"
    with src.open("rb") as f:
        p.write_bytes(f.read(n))
    with pytest.raises(ModelError) as e:
        resolve_model(str(p))
    assert "truncated" in e.value.message
    assert e.value.diagnostics[0].code == "E_MODEL"


def _registry(tmp_path, body: str) -> Path:
    p = tmp_path / "registry.toml"
    p.write_text(body)
    return p


def test_missing_package_says_what_to_install(tmp_path, monkeypatch):
    monkeypatch.delenv("RLM_MODEL")
    reg = load_registry(_registry(tmp_path, """
default = "ghost"
[models.ghost]
source = "package"
package = "no_such_package_rlm_xyz"
resource = "ghost.gguf"
install = "pip install ghost-model"
"""))
    assert list_models(reg)[0]["present"] is False
    with pytest.raises(ModelError) as e:
        resolve_entry(None, reg)
    assert "pip install ghost-model" in (e.value.fix or "")
    assert "--model PATH" in (e.value.fix or "")


def test_file_entry_and_digest_mismatch(tmp_path):
    copy = tmp_path / "m.gguf"
    shutil.copyfile(_smollm2(), copy)
    reg = load_registry(_registry(tmp_path, f"""
default = "local"
[models.local]
source = "file"
path = "{copy}"
sha256 = "{'0' * 64}"
"""))
    with pytest.raises(ModelError) as e:
        resolve_entry("local", reg)
    assert "sha256" in e.value.message


def test_sha256_is_cached(tmp_path):
    p = tmp_path / "f.bin"
    p.write_bytes(b"abc")
    d1 = file_sha256(p)
    assert d1 == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    assert file_sha256(p) == d1


def test_cmd_models(capsys):
    ap = argparse.ArgumentParser()
    add_arguments(ap)
    assert cmd_models(ap.parse_args([])) == 0
    out = capsys.readouterr().out
    assert "smollm2-135m" in out and "present" in out
    assert cmd_models(ap.parse_args(["--check", "no-such-model"])) == 1
    assert "E_MODEL" in capsys.readouterr().out
