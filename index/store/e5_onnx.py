"""The converted e5-small exported to ONNX and quantised to int8, for ONNX Runtime.

Exported once beside the converted sentence-transformers folder (``MODEL_CACHE_DIR``):
``torch.onnx.export`` (TorchScript exporter, opset 17) of the BertModel, then
onnxruntime's dynamic int8 quantisation of the weight matrices (``MatMul``) and the
word embeddings (``Gather``), per output channel, with 7-bit weights
(``reduce_range``). The 7 bits matter on CPUs without VNNI (this one: AVX2 only):
ORT multiplies u8·s8 pairs with ``vpmaddubsw``, whose 16-bit sums saturate on
full-range weights. Measured on 296 plan and law passages (README, "The default
embedding model"): least cosine to torch 0.9923 with 7 bits, 0.9901 with 8;
keeping the embeddings fp32 changed nothing but the size (407 MB, against 118 MB).

This module knows how to write and read the file; ``index.store.embed`` decides
when (cache checks, digests, the cosine gate against the torch model).
"""

from __future__ import annotations

import contextlib
import logging
import os
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from tokenizers import Tokenizer

FP32_NAME = "model.onnx"
INT8_NAME = "model_int8.onnx"
OPSET = 17
MAX_SEQ_LENGTH = 512
# What quantize_dynamic is asked for; part of the cache's identity (a change rebuilds the file).
QUANTISATION: dict[str, object] = {
    "per_channel": True,
    "reduce_range": True,
    "weight_type": "QInt8",
    "op_types_to_quantize": ["MatMul", "Gather"],
    "nodes_to_exclude": [],
}


def export_fp32(model_folder: Path, dest: Path) -> None:
    """The BertModel of a sentence-transformers folder as ONNX: (input_ids, attention_mask) -> hidden states."""
    import torch
    from transformers import AutoModel

    bert = AutoModel.from_pretrained(str(model_folder), local_files_only=True)
    bert.eval()

    class _Hidden(torch.nn.Module):
        """Only the last hidden state: pooling happens outside, over the attention mask."""

        def __init__(self, inner: torch.nn.Module) -> None:
            super().__init__()
            self.inner = inner

        def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
            return self.inner(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state

    ids = torch.tensor([[0, 1313, 12, 6, 2]], dtype=torch.int64)
    mask = torch.ones_like(ids)
    # The tracer warns about shape-dependent branches the exported graph keeps fixed; the
    # export is checked against torch afterwards, which is what matters.
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            _Hidden(bert), (ids, mask), str(dest),
            input_names=["input_ids", "attention_mask"], output_names=["last_hidden_state"],
            dynamic_axes={"input_ids": {0: "batch", 1: "tokens"}, "attention_mask": {0: "batch", 1: "tokens"},
                          "last_hidden_state": {0: "batch", 1: "tokens"}},
            opset_version=OPSET, dynamo=False,
        )


@contextlib.contextmanager
def _quiet_root_logger() -> Iterator[None]:
    """The quantiser logs a line per tensor on the root logger at INFO; keep the operator's log readable."""
    logging.disable(logging.INFO)
    try:
        yield
    finally:
        logging.disable(logging.NOTSET)


def quantise(fp32: Path, dest: Path, settings: dict[str, object] | None = None) -> None:
    """onnxruntime's dynamic int8 quantisation of ``fp32`` into ``dest``."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    q = dict(QUANTISATION if settings is None else settings)
    with _quiet_root_logger():
        quantize_dynamic(
            str(fp32), str(dest),
            per_channel=bool(q["per_channel"]), reduce_range=bool(q["reduce_range"]),
            weight_type=getattr(QuantType, str(q["weight_type"])),
            op_types_to_quantize=list(q["op_types_to_quantize"]),  # type: ignore[call-overload]
            nodes_to_exclude=list(q["nodes_to_exclude"]),  # type: ignore[call-overload]
        )


def _threads() -> int:
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return max(1, min(cores, 4))


class OnnxEncoder:
    """Tokenizer + ONNX Runtime session + mean pooling + L2 normalisation: what sentence-transformers does.

    Mirrors the folder's modules (Transformer with max_seq_length 512, mean pooling
    over the attention mask, prompt tokens included, then Normalize), so vectors are
    comparable with the torch model's text for text. Needs neither torch nor
    transformers: the bot's process stays smaller and starts faster.
    """

    def __init__(self, onnx_path: Path, tokenizer_path: Path) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        options = ort.SessionOptions()
        options.intra_op_num_threads = _threads()
        options.inter_op_num_threads = 1
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        # Idle worker threads sleep instead of spinning: on a small shared machine a spinning pool
        # burns the core the bot's other threads need (query encoding under load: 38 ms, against
        # 59 ms spinning, 2 threads, load 11 on 2 cores).
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self.session = ort.InferenceSession(str(onnx_path), options, providers=["CPUExecutionProvider"])
        self.tokenizer: Tokenizer = Tokenizer.from_file(str(tokenizer_path))
        self.tokenizer.enable_truncation(MAX_SEQ_LENGTH)
        pad_id = self.tokenizer.token_to_id("<pad>")
        self.tokenizer.enable_padding(pad_id=1 if pad_id is None else pad_id, pad_token="<pad>")
        self.dim = int(self.encode(["x"])[0].shape[0])

    def token_count(self, text: str) -> int:
        return len(self.tokenizer.encode(text).ids)

    def encode(self, texts: list[str]) -> np.ndarray:
        """(n, dim) float32, L2-normalised; ``texts`` already carry their prompt."""
        if not texts:
            return np.empty((0, getattr(self, "dim", 0)), dtype=np.float32)
        batch = self.tokenizer.encode_batch(texts)
        ids = np.asarray([e.ids for e in batch], dtype=np.int64)
        mask = np.asarray([e.attention_mask for e in batch], dtype=np.int64)
        hidden = self.session.run(None, {"input_ids": ids, "attention_mask": mask})[0]
        weights = mask[..., None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return (pooled / np.clip(norms, 1e-12, None)).astype(np.float32)
