"""A build killed at any phase leaves an index that answers, and the next build finishes the job.

Each case runs the real ``build_index.py`` in a subprocess with
``BUILD_KILL_AT=<phase>``: the build SIGKILLs itself on reaching that phase
(``index.build.kill_at``), so every phase is hit deterministically, including
the moment every row of the new generation is written but not yet committed. The
corpus is two plans (a third is added to give the build work), indexed once per
module; every case works on its own copy, embeddings cache included.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from index.build import EMBED_BATCH, PHASES, build_index
from index.engine import Engine
from index.settings import Settings
from index.store import segments
from index.store.database import Database, current_version, db_path
from tests.conftest import CORPUS, ROOT

pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]

SA_PA = "sa-pa-2021-2025-kh-tang-cuong-dan-van.md"
QUANG_NGAI = "quang-ngai-2021-kh40-phoi-hop-dan-van.md"
HOA_BINH = "hoa-binh-2021-kh-dan-van-chinh-quyen.md"  # the file each killed build was adding

OLD_QUESTION = ("Ai chủ trì khảo sát sự hài lòng của người dân ở Sa Pa?", SA_PA,
                "Cơ quan chủ trì thực hiện: Phòng Nội vụ")
NEW_QUESTION = ("Hòa Bình triển khai phong trào thi đua Dân vận khéo thế nào?", HOA_BINH, "Dân vận khéo")


@pytest.fixture(scope="module")
def base(tmp_path_factory, embedder) -> Settings:
    """Two plans, indexed in two builds (two generations, two segments, so that a build has files to keep)."""
    root = tmp_path_factory.mktemp("crash-base")
    (root / "corpus").mkdir()
    for name in (SA_PA, QUANG_NGAI):
        shutil.copy(CORPUS / name, root / "corpus" / name)
    settings = replace(Settings.from_env(), corpus_dir=root / "corpus", index_dir=root / "index")
    build_index(settings, embedder=embedder)
    path = settings.corpus_dir / QUANG_NGAI
    path.write_text(path.read_text(encoding="utf-8").replace("nói không với rác thải nhựa",
                                                             "nói không với rác thải nhựa dùng một lần"),
                    encoding="utf-8")
    build_index(settings, embedder=embedder)
    return settings


@pytest.fixture
def case(base: Settings, tmp_path: Path) -> Iterator[Settings]:
    shutil.copytree(base.corpus_dir, tmp_path / "corpus")
    shutil.copytree(base.index_dir, tmp_path / "index", ignore=shutil.ignore_patterns("build.lock"))
    settings = replace(base, corpus_dir=tmp_path / "corpus", index_dir=tmp_path / "index")
    shutil.copy(CORPUS / HOA_BINH, settings.corpus_dir / HOA_BINH)
    yield settings


def _killed_build(settings: Settings, phase: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "CORPUS_DIR": str(settings.corpus_dir), "INDEX_DIR": str(settings.index_dir),
           "BUILD_KILL_AT": phase, "LOG_LEVEL": "INFO"}
    return subprocess.run([sys.executable, "build_index.py", "--json"], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=300, check=False)


def _answers(settings: Settings, embedder, question: tuple[str, str, str]) -> None:
    text, file, words = question
    top = Engine(settings, embedder=embedder).ask(text).hits[0]
    assert top.document.file == file and words in top.chunk.text, (top.document.file, top.chunk.text[:200])


def _files(settings: Settings, embedder) -> set[str]:
    return {d.file for d in Engine(settings, embedder=embedder).documents()}


def _published_is_complete(settings: Settings) -> int:
    """The published generation, whose every segment file is on disk and matches its checksum."""
    generation = current_version(settings.index_dir)
    assert generation is not None
    db = Database(db_path(settings.index_dir), snapshot=True)
    try:
        live = db.segments()
        assert live and not segments.damaged(settings.index_dir, live)
    finally:
        db.close()
    return generation


def _named_files(settings: Settings) -> set[str]:
    db = Database(db_path(settings.index_dir), snapshot=True)
    try:
        return {name for seg in db.segments(live=False) for name in seg.files}
    finally:
        db.close()


@pytest.mark.parametrize("phase", PHASES)
def test_build_killed_at_each_phase(case: Settings, embedder, phase: str) -> None:
    before = current_version(case.index_dir)
    killed = _killed_build(case, phase)
    assert killed.returncode == -signal.SIGKILL, (killed.returncode, killed.stderr[-2000:])
    assert f"killing the build at phase {phase}" in killed.stderr and killed.stdout == ""

    # Whatever the phase, the published index is whole and answers with the right passage.
    published = _published_is_complete(case)
    _answers(case, embedder, OLD_QUESTION)
    if phase == "collect":  # the new generation was committed: the new plan is in
        assert published != before and HOA_BINH in _files(case, embedder)
        _answers(case, embedder, NEW_QUESTION)
    else:  # the old version still serves, without the plan being added
        assert published == before and HOA_BINH not in _files(case, embedder)

    # The next build completes, embedding only what the killed one had not saved in the cache.
    new_passages = len(_hoa_binh_chunks(case))
    report = build_index(case, embedder=embedder)
    expected = {"read": new_passages, "embed": new_passages - EMBED_BATCH}.get(phase, 0)
    assert new_passages > EMBED_BATCH and report.embedded == expected, (phase, report.embedded, new_passages)
    assert not report.failed and HOA_BINH in _files(case, embedder)
    _answers(case, embedder, NEW_QUESTION)
    _answers(case, embedder, OLD_QUESTION)
    # No leftovers of the killed build: every segment file on disk is named by the database.
    assert {p.name for p in segments.folder(case.index_dir).iterdir()} == _named_files(case)


def test_unknown_kill_phase_is_a_clear_error(case: Settings) -> None:
    killed = _killed_build(case, "swap")
    assert killed.returncode == 2 and "BUILD_KILL_AT" in killed.stderr and "Traceback" not in killed.stderr
    assert "commit" in killed.stderr  # the phases it accepts are listed


def _hoa_binh_chunks(settings: Settings) -> list:
    """The passages the plan being added gives (what a from-scratch build of it would embed)."""
    from index.parse import parse_file

    return [c for d in parse_file(settings.corpus_dir / HOA_BINH, HOA_BINH) for c in d.chunks]
