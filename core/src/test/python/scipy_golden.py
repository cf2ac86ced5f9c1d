#!/usr/bin/env python3
"""Iteration counts of SciPy's quasi-Newton and CG methods on Rosenbrock, for
descent.optim.QuasiNewtonTest: from (-1.2, 1) until the gradient norm is below 1e-8.

Run from the repository root (needs SciPy; Debian: python3-scipy, or without root run it
through scripts/python-reference.sh in place of python3):

    python3 core/src/test/python/scipy_golden.py

Writes core/src/test/resources/descent/optim/fullbatch/scipy_rosenbrock.csv (method,iterations,grad_norm).
"""
from pathlib import Path

import numpy as np
import scipy
from scipy.optimize import minimize, rosen, rosen_der

OUT = Path(__file__).resolve().parents[1] / "resources" / "descent" / "optim" / "fullbatch" / "scipy_rosenbrock.csv"
x0 = np.array([-1.2, 1.0])
runs = {
    "bfgs": minimize(rosen, x0, jac=rosen_der, method="BFGS", options={"gtol": 1e-8, "norm": 2}),
    "lbfgs": minimize(rosen, x0, jac=rosen_der, method="L-BFGS-B",
                      options={"gtol": 1e-8, "ftol": 0.0, "maxcor": 10, "maxiter": 1000}),
    "cg": minimize(rosen, x0, jac=rosen_der, method="CG", options={"gtol": 1e-8, "norm": 2}),
}
with open(OUT, "w") as f:
    f.write("method,iterations,grad_norm\n")
    for name, r in runs.items():
        f.write(f"{name},{r.nit},{np.linalg.norm(rosen_der(r.x)):.3e}\n")
print(OUT.read_text(), "scipy", scipy.__version__)
