"""One build at a time: the CLI refuses a second one (exit 2), the bot's engine waits for it.

The lock is held here with the build's own ``build_lock``, exactly as a
running ``build_index.py`` or bot holds it. That the engine is *waiting* (and
not merely slow) is read from the kernel: ``/proc/locks`` lists a blocked
``flock`` request on the lock file, so no test depends on the clock.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from dataclasses import replace
from pathlib import Path

import pytest

from index.build import LOCK_NAME, build_lock
from index.engine import Engine
from index.errors import BuildInProgress
from index.settings import Settings
from index.store.database import current_version
from tests.conftest import CORPUS, ROOT

HANG_GUARD_S = 120.0  # only against a hang; no assertion depends on it


def _tiny_corpus(root: Path) -> Settings:
    (root / "corpus").mkdir()
    (root / "corpus" / "sa-pa.md").write_bytes((CORPUS / "sa-pa-2021-2025-kh-tang-cuong-dan-van.md").read_bytes())
    return replace(Settings.from_env(), corpus_dir=root / "corpus", index_dir=root / "index")


def _blocked_flock_waiters(path: Path) -> int:
    """How many flock requests on ``path`` the kernel has queued (``->`` lines of /proc/locks)."""
    inode = f":{path.stat().st_ino} "
    with open("/proc/locks", encoding="ascii") as fh:
        return sum(1 for line in fh if "->" in line and "FLOCK" in line and inode in line)


def test_cli_refuses_a_second_build_with_exit_2(tmp_path: Path) -> None:
    settings = _tiny_corpus(tmp_path)
    env = {**os.environ, "CORPUS_DIR": str(settings.corpus_dir), "INDEX_DIR": str(settings.index_dir)}
    with build_lock(settings.index_dir):
        done = subprocess.run([sys.executable, "build_index.py", "--json"], cwd=ROOT, env=env,
                              capture_output=True, text=True, timeout=HANG_GUARD_S, check=False)
    assert done.returncode == 2, done.stderr[-2000:]
    assert done.stdout == ""  # contract 1: nothing built, no report
    assert BuildInProgress.user_message in done.stderr  # "Chỉ mục đang được cập nhật; vui lòng thử lại …"
    assert current_version(settings.index_dir) is None

    again = subprocess.run([sys.executable, "build_index.py", "--json"], cwd=ROOT, env=env,
                           capture_output=True, text=True, timeout=300, check=False)
    assert again.returncode == 0, again.stderr[-2000:]  # the lock is released with its holder


@pytest.mark.skipif(not Path("/proc/locks").exists(), reason="needs Linux /proc/locks to see a waiting build")
@pytest.mark.slow
def test_engine_build_waits_for_the_running_build(tmp_path: Path, embedder) -> None:
    settings = _tiny_corpus(tmp_path)
    engine = Engine(settings, embedder=embedder)
    outcome: dict[str, object] = {}

    def bot_build() -> None:
        try:
            outcome["report"] = engine.build()  # what the bot does for /reindex and uploads
        except Exception as exc:  # noqa: BLE001 - the test reports whatever went wrong
            outcome["error"] = exc

    with build_lock(settings.index_dir):
        lock_file = settings.index_dir / LOCK_NAME
        worker = threading.Thread(target=bot_build, daemon=True)
        worker.start()
        waited = False
        for _ in range(int(HANG_GUARD_S / 0.05)):
            waited = _blocked_flock_waiters(lock_file) > 0
            if waited or not worker.is_alive():
                break
            time.sleep(0.05)
        assert waited, f"the engine did not wait for the lock: {outcome}"
        assert worker.is_alive()
        assert current_version(settings.index_dir) is None  # nothing built while the other build runs
    worker.join(HANG_GUARD_S)
    assert not worker.is_alive() and "error" not in outcome, outcome
    report = outcome["report"]
    assert report.documents == 1 and not report.failed
    answer = engine.ask("Ai chủ trì khảo sát sự hài lòng của người dân ở Sa Pa?")
    assert "Cơ quan chủ trì thực hiện: Phòng Nội vụ" in answer.hits[0].chunk.text
