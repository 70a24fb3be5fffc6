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

# Outside CI a missing system tool skips the tests that need it (with the reason); under CI=true it
# fails the run, so a machine without them cannot go green. LibreOffice is deliberately not here:
# it is an optional fallback for .doc and its test may keep skipping.
REQUIRED_TOOLS_HINT = "make system-packages (tesseract-ocr, tesseract-ocr-vie, antiword)"
_TOOL_WORDS = ("tesseract", "antiword", "vie")


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("1", "true", "yes")


def missing_system_tools() -> list[str]:
    """What the readers need and this machine lacks: tesseract, its ``vie`` data, antiword."""
    from index.read import ocr

    missing = []
    if not ocr.available():
        missing.append(ocr._problem() or "tesseract with Vietnamese data (vie)")
    if shutil.which("antiword") is None:
        missing.append("antiword not found on PATH")
    return missing


def pytest_sessionstart(session: pytest.Session) -> None:
    if _in_ci() and (missing := missing_system_tools()):
        raise pytest.UsageError(
            "CI=true but required system tools are missing: " + "; ".join(missing)
            + f". Install them ({REQUIRED_TOOLS_HINT}); under CI their tests fail instead of skipping."
        )


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    """Under CI, a test skipped for want of tesseract, ``vie`` or antiword is a failure."""
    outcome = yield
    report = outcome.get_result()
    if not (_in_ci() and report.skipped and isinstance(report.longrepr, tuple)):
        return
    reason = str(report.longrepr[2]).lower()
    if any(word in reason for word in _TOOL_WORDS) and "libreoffice" not in reason:
        report.outcome = "failed"
        report.longrepr = f"CI=true: required system tool missing, not skipped: {report.longrepr[2]}"


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
