"""Shared fixtures: the real model, a real index of the corpus, isolated index folders.

The corpus index is built once per session (real underthesea, real e5 model,
real FAISS) and copied for tests that change it, so no test can damage
another's index or the developer's own ``index/data``.
"""

from __future__ import annotations

import os

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

import shutil  # noqa: E402
from dataclasses import replace  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402

from index.settings import ROOT, Settings  # noqa: E402

CORPUS = ROOT / "corpus"
DATA = Path(__file__).parent / "data"


@pytest.fixture(autouse=True)
def _isolated_index_dir(tmp_path, monkeypatch):
    """No test reads or writes the developer's index/data by accident."""
    monkeypatch.setenv("INDEX_DIR", str(tmp_path / "index-data"))


@pytest.fixture(scope="session")
def embedder():
    from index.store.embed import load_embedder

    return load_embedder(Settings.from_env({k: v for k, v in os.environ.items() if k != "INDEX_DIR"}))


@pytest.fixture(scope="session")
def corpus_settings(tmp_path_factory, embedder) -> Settings:
    """A real index of a copy of ``corpus/``, built once for the session."""
    from index.build import build_index

    root = tmp_path_factory.mktemp("corpus-index")
    shutil.copytree(CORPUS, root / "corpus")
    settings = replace(Settings.from_env(), corpus_dir=root / "corpus", index_dir=root / "index")
    report = build_index(settings, embedder=embedder)
    assert not report.failed, report.failed
    return settings


@pytest.fixture(scope="session")
def engine(corpus_settings, embedder):
    from index.engine import Engine

    return Engine(corpus_settings, embedder=embedder)


@pytest.fixture
def fresh_settings(corpus_settings, tmp_path) -> Settings:
    """A private copy of the corpus and its built index, for tests that change them."""
    shutil.copytree(corpus_settings.corpus_dir, tmp_path / "corpus")
    shutil.copytree(corpus_settings.index_dir, tmp_path / "index", ignore=shutil.ignore_patterns("build.lock"))
    return replace(corpus_settings, corpus_dir=tmp_path / "corpus", index_dir=tmp_path / "index")
