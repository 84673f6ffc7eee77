#!/usr/bin/env python3
"""Write a llama-architecture GGUF (v3) file with random weights.

Stdlib only. The model has the shape of a decoder preset (default: TinyLlama-1.1B,
the shape of tokbench's `tinyllama-1.1b`) so that a real inference engine
(llama.cpp) can be timed on exactly the shapes/dtypes tokbench times.

Weights are random: matrices are q8_0 or q4_0 blocks with a fixed small scale and
random quants (values within about +-0.05), or f16/bf16 values of random sign and
mantissa with magnitudes in [1/32, 1/16); norm weights are 1.0 in f32.  The
values are meaningless; they only keep activations finite.  Every matrix,
token_embd.weight and output.weight included, is stored in the chosen dtype
(as tokbench does), not in the mixed recipe of llama-quantize.

usage: gguf_random.py OUT.gguf [--dtype q8_0|q4_0|f16|bf16] [--hidden 2048] ...
"""
import argparse
import os
import struct
import sys
import time

# GGUF metadata value types
T_UINT32, T_INT32, T_FLOAT32, T_BOOL, T_STRING, T_ARRAY = 4, 5, 6, 7, 8, 9
# ggml tensor types
GGML_F32, GGML_F16, GGML_Q4_0, GGML_Q8_0, GGML_BF16 = 0, 1, 2, 8, 30
GGML_TYPE = {"q8_0": GGML_Q8_0, "q4_0": GGML_Q4_0, "f16": GGML_F16, "bf16": GGML_BF16}
# llama_ftype (general.file_type)
FTYPE = {"q8_0": 7, "q4_0": 2, "f16": 1, "bf16": 32}
ALIGN = 32
QK = 32  # elements per q8_0/q4_0 block
CHUNK = 16 << 20  # bytes of random data generated per write


def gstr(s):
    b = s.encode("utf-8")
    return struct.pack("<Q", len(b)) + b


def kv(key, vtype, value):
    out = gstr(key) + struct.pack("<I", vtype)
    if vtype == T_UINT32:
        out += struct.pack("<I", value)
    elif vtype == T_INT32:
        out += struct.pack("<i", value)
    elif vtype == T_FLOAT32:
        out += struct.pack("<f", value)
    elif vtype == T_BOOL:
        out += struct.pack("<B", 1 if value else 0)
    elif vtype == T_STRING:
        out += gstr(value)
    else:
        raise ValueError(vtype)
    return out


def kv_array(key, etype, values):
    out = gstr(key) + struct.pack("<IIQ", T_ARRAY, etype, len(values))
    if etype == T_STRING:
        out += b"".join(gstr(v) for v in values)
    elif etype == T_FLOAT32:
        out += struct.pack("<%df" % len(values), *values)
    elif etype == T_INT32:
        out += struct.pack("<%di" % len(values), *values)
    else:
        raise ValueError(etype)
    return out


def vocab(n):
    """A SentencePiece-like vocab: <unk>, <s>, </s>, 256 byte tokens, then fillers."""
    toks, types = ["<unk>", "<s>", "</s>"], [2, 3, 3]  # UNKNOWN, CONTROL, CONTROL
    for b in range(256):
        toks.append("<0x%02X>" % b)
        types.append(6)  # BYTE
    i = 0
    while len(toks) < n:
        toks.append("\u2581t%d" % i)
        types.append(1)  # NORMAL
        i += 1
    toks, types = toks[:n], types[:n]
    scores = [0.0] * 3 + [0.0] * 256 + [-float(i) for i in range(n - 259)]
    return toks, scores[:n], types


def f16_bits(x):
    return struct.pack("<e", x)


def quant_bytes(dtype, nelem):
    if dtype in ("f16", "bf16"):
        return nelem * 2
    nb = nelem // QK
    return nb * (34 if dtype == "q8_0" else 18)


# The high byte of a little-endian f16 / bf16 and, for bf16, the low byte: random sign, exponent
# fixed at 2^-5, random mantissa (bytes.translate maps every byte in C, so 2 GiB take seconds).
F16_HI = bytes((b & 0x83) | (10 << 2) for b in range(256))        # s 01010 mm: 2^(10-15)
BF16_HI = bytes((b & 0x80) | 0x3D for b in range(256))            # s 0111101: exponent 122 >> 1
BF16_LO = bytes(b & 0x7F for b in range(256))                     # exponent bit 0 = 0, 7 mantissa


def write_half(f, dtype, nelem):
    """Stream nelem random f16/bf16 values with magnitudes in [1/32, 1/16)."""
    left = nelem * 2
    while left > 0:
        n = min(CHUNK, left)
        buf = bytearray(os.urandom(n))
        if dtype == "f16":
            buf[1::2] = buf[1::2].translate(F16_HI)
        else:
            buf[1::2] = buf[1::2].translate(BF16_HI)
            buf[0::2] = buf[0::2].translate(BF16_LO)
        f.write(buf)
        left -= n


def write_quant(f, dtype, nelem):
    """Stream nelem random elements as q8_0/q4_0 blocks (values within about +-0.05)."""
    bsz = 34 if dtype == "q8_0" else 18
    d = f16_bits(0.05 / 127.0 if dtype == "q8_0" else 0.05 / 8.0)
    nblocks = nelem // QK
    per_chunk = CHUNK // bsz
    while nblocks > 0:
        n = min(per_chunk, nblocks)
        buf = bytearray(os.urandom(n * bsz))
        buf[0::bsz] = d[0:1] * n  # the f16 scale of every block
        buf[1::bsz] = d[1:2] * n
        f.write(buf)
        nblocks -= n


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("out")
    ap.add_argument("--dtype", default="q8_0", choices=["q8_0", "q4_0", "f16", "bf16"])
    ap.add_argument("--hidden", type=int, default=2048)
    ap.add_argument("--intermediate", type=int, default=5632)
    ap.add_argument("--layers", type=int, default=22)
    ap.add_argument("--heads", type=int, default=32)
    ap.add_argument("--kv-heads", type=int, default=4)
    ap.add_argument("--head-dim", type=int, default=64)
    ap.add_argument("--vocab", type=int, default=32000)
    ap.add_argument("--ctx", type=int, default=2048)
    ap.add_argument("--rope-theta", type=float, default=10000.0)
    ap.add_argument("--rms-eps", type=float, default=1e-5)
    ap.add_argument("--name", default="tinyllama-1.1b-random")
    a = ap.parse_args()

    H, I, V, hd = a.hidden, a.intermediate, a.vocab, a.head_dim
    qdim, kvdim = a.heads * hd, a.kv_heads * hd
    for k in (H, I):
        if k % QK:
            sys.exit("row lengths must be multiples of 32")
    qt = GGML_TYPE[a.dtype]

    # tensors: (name, dims ne0..ne(n-1) with ne0 the row length, ggml type)
    tensors = [("token_embd.weight", (H, V), qt)]
    for l in range(a.layers):
        p = "blk.%d." % l
        tensors += [
            (p + "attn_norm.weight", (H,), GGML_F32),
            (p + "attn_q.weight", (H, qdim), qt),
            (p + "attn_k.weight", (H, kvdim), qt),
            (p + "attn_v.weight", (H, kvdim), qt),
            (p + "attn_output.weight", (qdim, H), qt),
            (p + "ffn_norm.weight", (H,), GGML_F32),
            (p + "ffn_gate.weight", (H, I), qt),
            (p + "ffn_up.weight", (H, I), qt),
            (p + "ffn_down.weight", (I, H), qt),
        ]
    tensors += [("output_norm.weight", (H,), GGML_F32), ("output.weight", (H, V), qt)]

    def nbytes(dims, t):
        n = 1
        for x in dims:
            n *= x
        return n * 4 if t == GGML_F32 else quant_bytes(a.dtype, n)

    toks, scores, types = vocab(V)
    meta = [
        kv("general.architecture", T_STRING, "llama"),
        kv("general.name", T_STRING, a.name),
        kv("general.file_type", T_UINT32, FTYPE[a.dtype]),
        kv("general.alignment", T_UINT32, ALIGN),
        kv("llama.context_length", T_UINT32, a.ctx),
        kv("llama.embedding_length", T_UINT32, H),
        kv("llama.block_count", T_UINT32, a.layers),
        kv("llama.feed_forward_length", T_UINT32, I),
        kv("llama.attention.head_count", T_UINT32, a.heads),
        kv("llama.attention.head_count_kv", T_UINT32, a.kv_heads),
        kv("llama.attention.key_length", T_UINT32, hd),
        kv("llama.attention.value_length", T_UINT32, hd),
        kv("llama.rope.dimension_count", T_UINT32, hd),
        kv("llama.rope.freq_base", T_FLOAT32, a.rope_theta),
        kv("llama.attention.layer_norm_rms_epsilon", T_FLOAT32, a.rms_eps),
        kv("llama.vocab_size", T_UINT32, V),
        kv("tokenizer.ggml.model", T_STRING, "llama"),
        kv_array("tokenizer.ggml.tokens", T_STRING, toks),
        kv_array("tokenizer.ggml.scores", T_FLOAT32, scores),
        kv_array("tokenizer.ggml.token_type", T_INT32, types),
        kv("tokenizer.ggml.bos_token_id", T_UINT32, 1),
        kv("tokenizer.ggml.eos_token_id", T_UINT32, 2),
        kv("tokenizer.ggml.unknown_token_id", T_UINT32, 0),
        kv("tokenizer.ggml.add_bos_token", T_BOOL, True),
        kv("tokenizer.ggml.add_eos_token", T_BOOL, False),
    ]

    infos, off = [], 0
    for name, dims, t in tensors:
        infos.append(gstr(name) + struct.pack("<I", len(dims)) + struct.pack("<%dQ" % len(dims), *dims)
                     + struct.pack("<IQ", t, off))
        off += nbytes(dims, t)
        off = (off + ALIGN - 1) // ALIGN * ALIGN

    t0 = time.time()
    tmp = a.out + ".part"
    with open(tmp, "wb") as f:
        f.write(b"GGUF" + struct.pack("<IQQ", 3, len(tensors), len(meta)))
        for m in meta:
            f.write(m)
        for i in infos:
            f.write(i)
        f.write(b"\0" * (-f.tell() % ALIGN))
        base = f.tell()
        ones = struct.pack("<f", 1.0) * H
        for name, dims, t in tensors:
            assert f.tell() - base == (f.tell() - base + ALIGN - 1) // ALIGN * ALIGN
            if t == GGML_F32:
                f.write(ones)
            else:
                n = 1
                for x in dims:
                    n *= x
                (write_half if a.dtype in ("f16", "bf16") else write_quant)(f, a.dtype, n)
            f.write(b"\0" * (-(f.tell() - base) % ALIGN))
        size = f.tell()
    os.replace(tmp, a.out)
    print("wrote %s: %s, %d tensors, %.1f MiB in %.1f s" % (a.out, a.dtype, len(tensors), size / 2**20,
                                                           time.time() - t0))


if __name__ == "__main__":
    main()
