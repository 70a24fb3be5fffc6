"""Load the model and the index before the first question, whatever the state of the index."""

from __future__ import annotations

import logging

from index import Engine, EngineError, IndexMissing

logger = logging.getLogger(__name__)


def warm_up(engine: Engine) -> str | None:
    """Warm the engine; return the Vietnamese problem to show users, or None when ready.

    A missing index is not fatal: questions get the engine's IndexMissing
    message, and an admin's upload or /reindex builds the index.
    """
    try:
        engine.warm_up()
        # The first search also loads the keyword fields and the segmenter's lazy parts.
        engine.ask("kế hoạch công tác dân vận")
        logger.info("engine ready: %d documents", len(engine.documents()))
        return None
    except IndexMissing as exc:
        logger.error("no index in %s: questions will be answered with %r until an admin runs /reindex "
                     "or uploads a file (make run builds it first)", engine.settings.index_dir, exc.user_message)
        problem = exc.user_message
    except EngineError as exc:
        logger.error("engine not ready: %s", exc)
        return exc.user_message
    try:
        # The model is still worth loading: the first upload or /reindex needs it.
        engine.embedder.embed_query("khởi động")
    except EngineError as exc:
        logger.error("embedding model not loaded: %s", exc)
    return problem
