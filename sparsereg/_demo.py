"""``python -m sparsereg demo``: L1 versus L2 on scikit-learn's diabetes data (no download)."""

import time


def run_demo(alpha_l1=1.0, alpha_l2=0.01, out=print):
    """Fit L1 and L2 on the diabetes data and print the coefficients side by side.

    Parameters
    ----------
    alpha_l1, alpha_l2 : float
        Penalty strengths (sparsereg's scale: alpha does not grow with n).
    out : callable
        Receives each printed line.

    Returns
    -------
    l1, l2 : fitted L1Regressor and L2Regressor
    """
    from sklearn.datasets import load_diabetes

    from . import L1Regressor, L2Regressor

    data = load_diabetes()
    X, y = data.data, data.target
    start = time.perf_counter()
    l1 = L1Regressor(alpha=alpha_l1).fit(X, y)
    l2 = L2Regressor(alpha=alpha_l2).fit(X, y)
    elapsed = time.perf_counter() - start
    out(f"Diabetes data: {X.shape[0]} samples, {X.shape[1]} features")
    out(f"L1 (lasso) alpha={alpha_l1:g}   vs   L2 (ridge) alpha={alpha_l2:g}\n")
    out(f"{'feature':>8} {'L1 coef':>12} {'L2 coef':>12}")
    for name, c1, c2 in zip(data.feature_names, l1.coef_, l2.coef_):
        mark = "   <- exactly 0" if c1 == 0 else ""
        out(f"{name:>8} {c1:12.3f} {c2:12.3f}{mark}")
    out(f"\n{'n_nonzero':>8} {l1.n_nonzero_:12d} {l2.n_nonzero_:12d}")
    out(f"{'gap':>8} {l1.dual_gap_:12.1e} {l2.dual_gap_:12.1e}   (duality gap: the certificate)")
    out(f"\nL1 sets {X.shape[1] - l1.n_nonzero_} coefficients exactly to zero (soft-thresholding);"
        f" L2 shrinks all of them and zeroes {X.shape[1] - l2.n_nonzero_}.")
    out(f"Both fits took {elapsed * 1e3:.1f} ms.")
    return l1, l2


if __name__ == "__main__":  # pragma: no cover
    run_demo()
