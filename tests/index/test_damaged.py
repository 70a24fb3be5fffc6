"""A damaged index file is detected by its checksum, reported in Vietnamese and rebuilt from what is intact."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from index.build import build_index
from index.engine import Engine
from index.settings import Settings
from index.store import segments
from index.store.database import Database, db_path
from tests.conftest import ROOT

pytestmark = pytest.mark.slow

SA_PA = "sa-pa-2021-2025-kh-tang-cuong-dan-van.md"
QUESTION = "Ai chủ trì khảo sát sự hài lòng của người dân ở Sa Pa?"


def _segment_file(settings: Settings, kind: str) -> Path:
    db = Database(db_path(settings.index_dir), snapshot=True)
    try:
        live = db.segments()
    finally:
        db.close()
    return segments.folder(settings.index_dir) / segments.file_names(live[0].segment)[kind]


def _corrupt(path: Path) -> None:
    """Overwrite bytes in the middle of the file, as a bad sector or a stray write would (size unchanged)."""
    data = bytearray(path.read_bytes())
    mid = len(data) // 2
    data[mid:mid + 64] = bytes(64)
    path.write_bytes(bytes(data))


def _intact(settings: Settings) -> bool:
    db = Database(db_path(settings.index_dir), snapshot=True)
    try:
        return not segments.damaged(settings.index_dir, db.segments())
    finally:
        db.close()


def test_search_cli_reports_a_damaged_vectors_file_in_vietnamese_and_answers_after_repair(fresh_settings):
    _corrupt(_segment_file(fresh_settings, "vectors"))
    assert not _intact(fresh_settings)
    env = {**os.environ, "INDEX_DIR": str(fresh_settings.index_dir), "CORPUS_DIR": str(fresh_settings.corpus_dir)}
    out = subprocess.run([sys.executable, "-m", "index.search", "--json", QUESTION], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=600, check=False)
    assert out.returncode == 0, out.stderr[-2000:]
    assert "Chỉ mục bị hỏng" in out.stderr and "Traceback" not in out.stderr
    top = json.loads(out.stdout)["hits"][0]
    assert top["file"] == SA_PA and "Cơ quan chủ trì thực hiện: Phòng Nội vụ" in top["text"]
    assert _intact(fresh_settings)


def test_a_damaged_keyword_file_is_rebuilt_without_embedding_again(fresh_settings, embedder):
    _corrupt(_segment_file(fresh_settings, "terms"))
    report = build_index(fresh_settings, embedder=embedder)
    assert report.embedded == 0  # the vectors come from the embeddings cache
    assert _intact(fresh_settings) and not report.failed
    top = Engine(fresh_settings, embedder=embedder).ask(QUESTION).hits[0]
    assert top.document.file == SA_PA and "Cơ quan chủ trì thực hiện: Phòng Nội vụ" in top.chunk.text
