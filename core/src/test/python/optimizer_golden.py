#!/usr/bin/env python3
"""Golden trajectories of PyTorch's optimizers for descent.optim.GoldenTrajectoryTest.

Run from the repository root (needs PyTorch; Debian: python3-torch, or without root
scripts/python-reference.sh in place of python3):

    python3 core/src/test/python/optimizer_golden.py

For every configuration below and each 2-D function it runs torch.optim in float64 for 100
steps from the given start and writes core/src/test/resources/descent/optim/golden/ID.csv
(step,x,y,f; step 0 is the start) plus index.csv, which names the optimizer and hyper-parameters
in Descent's names (PyTorch's, with betas split into beta1 and beta2).
"""
import csv
from pathlib import Path

import torch

OUT = Path(__file__).resolve().parents[1] / "resources" / "descent" / "optim" / "golden"
STEPS = 100

FUNCTIONS = {
    "rosenbrock": ((-1.2, 1.0), lambda x, y: (1 - x) ** 2 + 100 * (y - x ** 2) ** 2),
    "ellipse": ((2.0, 1.0), lambda x, y: 0.5 * (x ** 2 + 10 * y ** 2)),
    "beale": ((1.0, 1.5), lambda x, y: (1.5 - x + x * y) ** 2 + (2.25 - x + x * y ** 2) ** 2
              + (2.625 - x + x * y ** 3) ** 2),
}

# (optimizer, hyper-parameters in Descent's names, functions)
CONFIGS = [
    ("sgd", {"lr": 1e-3}, ["rosenbrock", "ellipse"]),
    ("sgd", {"lr": 5e-4, "momentum": 0.9}, ["rosenbrock", "ellipse"]),
    ("sgd", {"lr": 5e-4, "momentum": 0.9, "dampening": 0.3, "weight_decay": 0.1}, ["rosenbrock", "ellipse"]),
    ("sgd", {"lr": 5e-4, "momentum": 0.9, "nesterov": True}, ["rosenbrock", "ellipse"]),
    ("adam", {"lr": 0.05}, ["rosenbrock", "ellipse", "beale"]),
    ("adam", {"lr": 0.05, "beta1": 0.8, "beta2": 0.99, "eps": 1e-6, "weight_decay": 0.05}, ["rosenbrock", "ellipse"]),
    ("adam", {"lr": 0.05, "amsgrad": True}, ["rosenbrock", "ellipse"]),
    ("adamw", {"lr": 0.05, "weight_decay": 0.1}, ["rosenbrock", "ellipse"]),
    ("adagrad", {"lr": 0.3}, ["rosenbrock", "ellipse", "beale"]),
    ("adagrad", {"lr": 0.3, "lr_decay": 0.01, "weight_decay": 0.01, "initial_accumulator_value": 0.1},
     ["rosenbrock", "ellipse"]),
    ("rmsprop", {"lr": 0.01}, ["rosenbrock", "ellipse", "beale"]),
    ("rmsprop", {"lr": 0.005, "alpha": 0.9, "centered": True, "momentum": 0.5, "weight_decay": 0.01},
     ["rosenbrock", "ellipse"]),
    ("adadelta", {"lr": 1.0}, ["rosenbrock", "ellipse"]),
    ("adadelta", {"lr": 5.0, "rho": 0.95, "eps": 1e-4, "weight_decay": 0.01}, ["rosenbrock", "ellipse"]),
]


def torch_optimizer(name, hyper, params):
    kw = dict(hyper)
    if "beta1" in kw or "beta2" in kw:
        kw["betas"] = (kw.pop("beta1", 0.9), kw.pop("beta2", 0.999))
    cls = {"sgd": torch.optim.SGD, "adam": torch.optim.Adam, "adamw": torch.optim.AdamW,
           "adagrad": torch.optim.Adagrad, "rmsprop": torch.optim.RMSprop, "adadelta": torch.optim.Adadelta}[name]
    return cls(params, **kw)


def trajectory(name, hyper, function):
    start, f = FUNCTIONS[function]
    theta = torch.tensor(start, dtype=torch.float64, requires_grad=True)
    opt = torch_optimizer(name, hyper, [theta])
    rows = []
    for step in range(STEPS + 1):
        with torch.no_grad():
            rows.append((step, theta[0].item(), theta[1].item(), f(theta[0], theta[1]).item()))
        if step == STEPS:
            break
        opt.zero_grad()
        f(theta[0], theta[1]).backward()
        opt.step()
    return rows


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    with open(OUT / "index.csv", "w", newline="") as index:
        w = csv.writer(index, lineterminator="\n")
        w.writerow(["id", "optimizer", "function", "start_x", "start_y", "hyperparameters"])
        for k, (name, hyper, functions) in enumerate(CONFIGS):
            for function in functions:
                ident = f"{k:02d}-{name}-{function}"
                with open(OUT / f"{ident}.csv", "w", newline="") as out:
                    cw = csv.writer(out, lineterminator="\n")
                    cw.writerow(["step", "x", "y", "f"])
                    for row in trajectory(name, hyper, function):
                        cw.writerow([row[0]] + [repr(v) for v in row[1:]])
                text = ";".join(f"{key}={str(v).lower() if isinstance(v, bool) else v}" for key, v in hyper.items())
                start = FUNCTIONS[function][0]
                w.writerow([ident, name, function, start[0], start[1], text])
    print("wrote", OUT, "with torch", torch.__version__)


if __name__ == "__main__":
    main()
