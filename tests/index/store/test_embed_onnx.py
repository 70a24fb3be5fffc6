"""The int8 ONNX export of e5-small (``EMBEDDING_BACKEND=onnx``): checked against torch, rebuilt when damaged.

Model tests reuse the export in the user's model cache (``make model`` prepares it,
exporting here if absent); the rebuild tests export again into a temporary cache
beside a link to the converted folder.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
from pathlib import Path

import numpy as np
import pytest

from index.errors import ModelMismatch, ModelUnavailable
from index.settings import Settings
from index.store import e5_onnx, embed
from index.store.embed import (
    ONNX_MARKER_NAME,
    check_onnx_export,
    check_texts,
    default_model_id,
    load_embedder,
    onnx_cache_problem,
    onnx_folder,
    onnx_model_id,
    prepare_default_model,
    prepare_onnx_model,
)

SURVEY_QUERY = "Ai chủ trì khảo sát sự hài lòng của người dân?"


@pytest.fixture(scope="module")
def settings() -> Settings:
    return dataclasses.replace(Settings.from_env(), embedding_model=None, embedding_backend="onnx")


@pytest.fixture(scope="module")
def converted(settings: Settings) -> Path:
    return prepare_default_model(settings)


@pytest.fixture(scope="module")
def onnx_path(settings: Settings, converted: Path) -> Path:
    path = prepare_onnx_model(settings, converted)
    assert path is not None, "the int8 export of the real model must pass its check"
    return path


@pytest.fixture(scope="module")
def onnx_embedder(settings: Settings, onnx_path: Path):
    return load_embedder(settings)


@pytest.fixture(scope="module")
def torch_embedder(settings: Settings):
    return load_embedder(dataclasses.replace(settings, embedding_backend="torch"))


def _private_cache(tmp_path: Path, converted: Path) -> tuple[Settings, Path]:
    """A cache of its own whose converted folder is a link to the real one (nothing writes into it)."""
    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / converted.name).symlink_to(converted, target_is_directory=True)
    settings = Settings(corpus_dir=tmp_path / "corpus", index_dir=tmp_path / "index", embedding_model=None,
                        model_cache_dir=cache, embedding_backend="onnx")
    return settings, cache / converted.name


def test_the_backend_is_read_from_the_environment() -> None:
    assert Settings.from_env({}).embedding_backend == "torch"
    assert Settings.from_env({"EMBEDDING_BACKEND": " ONNX "}).embedding_backend == "onnx"


@pytest.mark.slow
def test_onnx_is_selected_by_the_environment_and_torch_is_the_default(onnx_embedder, torch_embedder) -> None:
    assert onnx_embedder.backend == "onnx" and torch_embedder.backend == "torch"
    # The index and the embeddings cache record which backend made a vector.
    assert onnx_embedder.model_id == onnx_model_id() != torch_embedder.model_id == default_model_id()
    environ = {k: v for k, v in os.environ.items() if k != "EMBEDDING_BACKEND"}
    assert load_embedder(Settings.from_env({**environ, "EMBEDDING_BACKEND": "onnx"})).backend == "onnx"
    assert load_embedder(Settings.from_env(environ)).backend == "torch"
    # Same interface, same prompts, comparable vectors.
    texts = [t for t, is_query in check_texts() if not is_query]
    a, b = onnx_embedder.embed_passages(texts), torch_embedder.embed_passages(texts)
    assert a.shape == b.shape == (len(texts), 384) and a.dtype == np.float32
    assert np.allclose(np.linalg.norm(a, axis=1), 1.0, atol=1e-4)
    assert np.sum(a * b, axis=1).min() >= 0.99
    assert float(onnx_embedder.embed_query(SURVEY_QUERY) @ torch_embedder.embed_query(SURVEY_QUERY)) >= 0.99
    assert onnx_embedder.embed_passages([]).shape == (0, 384)


@pytest.mark.slow
def test_an_index_built_by_one_backend_is_not_read_with_the_other(onnx_embedder, torch_embedder,
                                                                  tmp_path: Path) -> None:
    from index.build import build_index
    from index.engine import Engine

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "kh.md").write_text(
        "# KẾ HOẠCH Khảo sát sự hài lòng\n\n1. Phòng Nội vụ chủ trì khảo sát sự hài lòng của người dân.\n\n"
        "2. Ban Dân vận phối hợp tổ chức hội nghị đánh giá kết quả.\n", encoding="utf-8")
    settings = dataclasses.replace(Settings.from_env(), corpus_dir=corpus, index_dir=tmp_path / "index")
    first = build_index(settings, embedder=onnx_embedder)
    assert first.model == onnx_model_id() and first.embedded == first.chunks > 0
    with pytest.raises(ModelMismatch):
        Engine(settings, embedder=torch_embedder).ask(SURVEY_QUERY)
    # Switching backend re-embeds every passage: torch and int8 vectors are never mixed in one index.
    second = build_index(settings, embedder=torch_embedder)
    assert second.model == default_model_id() and second.embedded == second.chunks == first.chunks
    assert Engine(settings, embedder=torch_embedder).ask(SURVEY_QUERY).hits


def _perturb(source: Path, dest: Path) -> None:
    """A loadable model that computes something else: noise on one layer's fp32 biases."""
    import onnx
    from onnx import numpy_helper

    model = onnx.load(str(source))
    changed = 0
    for init in model.graph.initializer:
        values = numpy_helper.to_array(init)
        if values.dtype == np.float32 and values.shape == (384,) and "layer.0." in init.name and "bias" in init.name:
            noisy = values + np.random.default_rng(3).normal(0, 2.0, values.shape).astype(np.float32)
            init.CopyFrom(numpy_helper.from_array(noisy, init.name))
            changed += 1
    assert changed >= 4, "the exported graph names its biases differently"
    onnx.save(model, str(dest))


@pytest.mark.slow
def test_the_check_rejects_a_poor_export(onnx_path: Path, converted: Path, tmp_path: Path) -> None:
    stats = check_onnx_export(onnx_path, converted)  # the real export passes
    assert stats["min_cosine"] >= 0.99 and stats["texts"] == len(check_texts()) >= 30
    poor = tmp_path / "poor.onnx"
    _perturb(onnx_path, poor)
    with pytest.raises(ModelUnavailable, match="disagrees with the torch model"):
        check_onnx_export(poor, converted)
    garbage = tmp_path / "garbage.onnx"
    garbage.write_bytes(b"\0" * 4096)
    with pytest.raises(ModelUnavailable, match="does not load"):
        check_onnx_export(garbage, converted)


@pytest.mark.slow
def test_a_damaged_export_is_rebuilt_and_a_rejected_one_falls_back_to_torch(
        onnx_path: Path, converted: Path, tmp_path: Path, monkeypatch, caplog) -> None:
    settings, link = _private_cache(tmp_path, converted)
    folder = onnx_folder(link)
    folder.mkdir()
    for name in (e5_onnx.INT8_NAME, ONNX_MARKER_NAME):
        (folder / name).write_bytes((onnx_path.parent / name).read_bytes())
    assert onnx_cache_problem(folder, link) is None
    assert prepare_onnx_model(settings, link) == folder / e5_onnx.INT8_NAME  # a sound copy is used as is

    # Damaged in place, same size: only the digest recorded at export tells.
    model = folder / e5_onnx.INT8_NAME
    size = model.stat().st_size
    with open(model, "r+b") as f:
        f.seek(size // 2)
        f.write(np.random.default_rng(5).integers(0, 255, 4096, dtype=np.uint8).tobytes())
    assert "damaged" in (onnx_cache_problem(folder, link) or "")
    assert prepare_onnx_model(settings, link) == model  # exported, quantised and checked again
    assert onnx_cache_problem(folder, link) is None
    assert not [p for p in folder.parent.iterdir() if p.name.startswith(".") and p.is_dir()]  # no temp folders
    rebuilt = load_embedder(settings)
    assert rebuilt.backend == "onnx"

    # An export that fails its check is recorded as rejected and the torch model answers instead.
    monkeypatch.setattr(embed, "ONNX_MIN_COSINE", 1.01)
    assert prepare_onnx_model(settings, link, force=True) is None
    marker = json.loads((folder / ONNX_MARKER_NAME).read_text(encoding="utf-8"))
    assert "disagrees" in marker["rejected"] and not model.exists()
    with caplog.at_level(logging.WARNING, logger="index.store.embed"):
        fallback = load_embedder(settings)
    assert fallback.backend == "torch" and fallback.model_id == default_model_id()
    assert "torch" in caplog.text and "rejected" in caplog.text
    stamp = (folder / ONNX_MARKER_NAME).stat().st_mtime_ns
    assert load_embedder(settings).backend == "torch"
    assert (folder / ONNX_MARKER_NAME).stat().st_mtime_ns == stamp  # not exported again at every start
