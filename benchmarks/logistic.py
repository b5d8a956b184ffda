"""Plain logistic regression, standard library only (``benchmarks.calibrate`` fits its models with it).

``fit`` takes each distinct row once with its count (rows repeat: most features are 0 or 1) and runs
Newton's method with an L2 penalty on every weight but the first (the bias); the order of the rows
is fixed (sorted), so the same rows give the same weights to the last bit.
"""

from __future__ import annotations

import math

__all__ = ["Samples", "fit", "solve"]

#: (feature vector, label) -> how many training rows have it
Samples = dict[tuple[tuple[float, ...], bool], int]


def solve(a: list[list[float]], b: list[float]) -> list[float]:
    """``a x = b`` by Gaussian elimination with partial pivoting (``a`` is small and symmetric)."""
    n = len(b)
    m = [[*row, b[i]] for i, row in enumerate(a)]
    for col in range(n):
        piv = max(range(col, n), key=lambda r: abs(m[r][col]))
        m[col], m[piv] = m[piv], m[col]
        for r in range(col + 1, n):
            f = m[r][col] / m[col][col]
            if f:
                m[r] = [x - f * y for x, y in zip(m[r], m[col], strict=True)]
    x = [0.0] * n
    for r in range(n - 1, -1, -1):
        x[r] = (m[r][n] - sum(m[r][j] * x[j] for j in range(r + 1, n))) / m[r][r]
    return x


def fit(samples: Samples, ridge: float, iterations: int = 25) -> list[float]:
    """Weighted logistic regression by Newton's method (each distinct row once, with its count)."""
    keys = sorted(samples)
    d = len(keys[0][0])
    w = [0.0] * d
    for _ in range(iterations):
        grad = [0.0] * d
        hess = [[0.0] * d for _ in range(d)]
        for x, y in keys:
            n = samples[(x, y)]
            z = sum(wi * xi for wi, xi in zip(w, x, strict=True))
            p = 1.0 / (1.0 + math.exp(-max(-35.0, min(35.0, z))))
            g, h = n * (p - float(y)), n * p * (1.0 - p)
            for i in range(d):
                if x[i]:
                    grad[i] += g * x[i]
                    hx = h * x[i]
                    row = hess[i]
                    for j in range(i + 1):
                        if x[j]:
                            row[j] += hx * x[j]
        for i in range(1, d):
            grad[i] += ridge * w[i]
            hess[i][i] += ridge
        for i in range(d):
            for j in range(i + 1, d):
                hess[i][j] = hess[j][i]
        step = solve(hess, grad)
        w = [wi - si for wi, si in zip(w, step, strict=True)]
        if max(abs(s) for s in step) < 1e-9:
            break
    return w
