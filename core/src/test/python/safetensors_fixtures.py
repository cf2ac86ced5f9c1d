#!/usr/bin/env python3
"""Makes and checks the safetensors fixtures of descent.io.SafeTensorsInteropTest.

Run from the repository root, after the Java tests have written target/descent_*.safetensors:

    python3 core/src/test/python/safetensors_fixtures.py

1. PyTorch -> Descent: builds a small PyTorch model (Linear, BatchNorm1d, ReLU, Linear), moves
   its batch-norm statistics with one training pass, and writes its state dict to
   torch_model.safetensors and an input batch, the model's output and one tensor of each other
   dtype to torch_io.safetensors. The Java test loads the state dict strictly into the same
   Descent architecture and must reproduce the output.
2. Descent -> PyTorch: loads descent_model.safetensors (written by the Java test) strictly into
   the PyTorch model and checks that it reproduces the output Descent stored in descent_io.safetensors.

It needs PyTorch (Debian: python3-torch; without root, run it through scripts/python-reference.sh). It uses safetensors.torch.save_file/load_file when the
`safetensors` package is installed; Debian bookworm does not package it, so otherwise the file
format is read and written here directly from its specification (8-byte little-endian header
length, JSON header, raw little-endian data).
"""
import json
import struct
import sys
from pathlib import Path

import torch

HERE = Path(__file__).resolve().parents[1] / "resources" / "descent" / "io"

DTYPES = {torch.float64: "F64", torch.float32: "F32", torch.float16: "F16", torch.bfloat16: "BF16",
          torch.int64: "I64", torch.int32: "I32", torch.int16: "I16", torch.int8: "I8",
          torch.uint8: "U8", torch.bool: "BOOL"}

try:
    from safetensors.torch import load_file, save_file
    LIBRARY = "safetensors " + __import__("safetensors").__version__
except ImportError:
    LIBRARY = None

    def save_file(tensors, path):
        header, chunks, offset = {}, [], 0
        for name in sorted(tensors):
            t = tensors[name].contiguous()
            data = t.reshape(-1).view(torch.uint8).numpy().tobytes() if t.numel() else b""
            header[name] = {"dtype": DTYPES[t.dtype], "shape": list(t.shape),
                            "data_offsets": [offset, offset + len(data)]}
            chunks.append(data)
            offset += len(data)
        text = json.dumps(header, separators=(",", ":")).encode()
        text += b" " * (-len(text) % 8)
        Path(path).write_bytes(struct.pack("<Q", len(text)) + text + b"".join(chunks))

    def load_file(path):
        raw = Path(path).read_bytes()
        (n,) = struct.unpack("<Q", raw[:8])
        header = json.loads(raw[8:8 + n])
        header.pop("__metadata__", None)
        by_name = {v: k for k, v in DTYPES.items()}
        out = {}
        for name, info in header.items():
            begin, end = info["data_offsets"]
            data = bytearray(raw[8 + n + begin:8 + n + end])
            flat = torch.frombuffer(data, dtype=by_name[info["dtype"]]) if data else torch.empty(0, dtype=by_name[info["dtype"]])
            out[name] = flat.reshape(info["shape"])
        return out


def model():
    return torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.BatchNorm1d(8), torch.nn.ReLU(), torch.nn.Linear(8, 3))


def make_torch_fixtures():
    torch.manual_seed(0)
    m = model()
    m.train()
    m(torch.randn(16, 4) * 2 + 1)
    m.eval()
    x = torch.randn(5, 4)
    with torch.no_grad():
        y = m(x)
    save_file({k: v.contiguous() for k, v in m.state_dict().items()}, HERE / "torch_model.safetensors")
    save_file({
        "input": x, "output": y,
        "dtypes.f64": torch.tensor([1 / 3, -2.5], dtype=torch.float64),
        "dtypes.f16": torch.tensor([1.5, -0.099975586, 65504], dtype=torch.float16),
        "dtypes.bf16": torch.tensor([3.140625, -1e20], dtype=torch.bfloat16),
        "dtypes.i64": torch.tensor([-(2 ** 53), 7], dtype=torch.int64),
        "dtypes.i32": torch.tensor([-2 ** 31, 2 ** 31 - 1], dtype=torch.int32),
        "dtypes.u8": torch.tensor([0, 255], dtype=torch.uint8),
        "dtypes.bool": torch.tensor([True, False]),
    }, HERE / "torch_io.safetensors")
    print("wrote", HERE / "torch_model.safetensors", "and torch_io.safetensors with", LIBRARY or "the spec writer")


def check_descent_files():
    files = Path("core/target")
    state, io = files / "descent_model.safetensors", files / "descent_io.safetensors"
    if not state.exists():
        print("no", state, "yet: run the Java tests first (mvn -pl core test)")
        return 1
    m = model()
    m.load_state_dict(load_file(state), strict=True)
    m.eval()
    tensors = load_file(io)
    with torch.no_grad():
        y = m(tensors["input"])
    err = (y - tensors["output"]).abs().max().item()
    print(f"Descent's file loads strictly into PyTorch; max |PyTorch - Descent| output difference {err:.3g}")
    return 0 if err < 1e-5 else 1


if __name__ == "__main__":
    make_torch_fixtures()
    sys.exit(check_descent_files())
