#!/usr/bin/env python3
"""Checks, in PyTorch, the safetensors file descent.io.SafeTensorsInteropTest writes.

Run from the repository root, after the Java tests have written core/target/descent_*.safetensors:

    python3 core/src/test/python/safetensors_fixtures.py

It loads descent_model.safetensors strictly into PyTorch's Sequential(Linear(4, 8),
BatchNorm1d(8), ReLU(), Linear(8, 3)), checks that the model reproduces the output Descent stored
in descent_io.safetensors, and prints the file's SHA-256, which the Java test pins.
(The Java test makes its own files in PyTorch's layout for the other direction: no data files
are committed.)

It needs PyTorch (Debian: python3-torch; without root, run it through scripts/python-reference.sh).
It uses safetensors.torch.load_file when the `safetensors` package is installed; Debian bookworm
does not package it, so otherwise the file is read here directly from the format's specification
(8-byte little-endian header length, JSON header, raw little-endian data).
"""
import hashlib
import json
import struct
import sys
from pathlib import Path

import torch

DTYPES = {torch.float64: "F64", torch.float32: "F32", torch.float16: "F16", torch.bfloat16: "BF16",
          torch.int64: "I64", torch.int32: "I32", torch.int16: "I16", torch.int8: "I8",
          torch.uint8: "U8", torch.bool: "BOOL"}

try:
    from safetensors.torch import load_file
    LIBRARY = "safetensors " + __import__("safetensors").__version__
except ImportError:
    LIBRARY = None

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
    print("sha256", hashlib.sha256(state.read_bytes()).hexdigest(), "(read with", (LIBRARY or "the spec reader") + ")")
    return 0 if err < 1e-5 else 1


if __name__ == "__main__":
    sys.exit(check_descent_files())
