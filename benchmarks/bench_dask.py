"""Data larger than memory: L1 on a lazily generated dask array, against an in-memory subset.

    python -m benchmarks.bench_dask [--rows 5000000] [--features 200] [--chunk 50000]
                                    [--subset 500000] [--quick]      (from the repository root)
    python -m benchmarks.bench_dask --poisson-only [--poisson-rows 200000] [--features 200]

Each measurement runs in a fresh subprocess so that its peak resident memory (``ru_maxrss``)
belongs to that fit alone. X is generated chunk by chunk inside the dask graph (Gaussian,
Toeplitz-free) and never exists as a whole: its full size is printed next to the peak memory.
y = X w + noise is computed lazily from the same chunks. Writes
``benchmarks/results/dask[_quick].json`` and prints a markdown table.

The Poisson row (issue 15 item 7) fits ``L1Regressor(loss="poisson")`` (alpha = alpha_max /
20, tol 1e-6) to the same rows twice, as a dask array (one pass over its chunks per Newton
step) and in memory, and reports the time ratio and the largest coefficient difference.
"""

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

if not __package__:
    sys.exit("run it from the repository root as: python -m benchmarks.bench_dask")

RESULTS = Path(__file__).resolve().parent / "results"
ALPHA_RATIO = 0.05  # alpha = alpha_max / 20


def _rss_mib():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def _true_coef(p):
    import numpy as np

    w = np.zeros(p)
    w[: p // 10] = np.linspace(2.0, 0.2, p // 10)
    return w


def lazy_problem(n, p, chunk, seed=0):
    """Lazily generated ``(X, y)``: every chunk of rows comes from its own random stream."""
    import dask.array as da
    import numpy as np

    w = _true_coef(p)

    def block(rows, block_info=None):
        start = block_info[None]["array-location"][0][0]
        rng = np.random.default_rng([seed, start])
        X = rng.standard_normal((rows.shape[0], p))
        y = X @ w + rng.standard_normal(rows.shape[0])
        return np.column_stack([X, y])

    rows = da.zeros((n, 1), chunks=(chunk, 1))
    Xy = rows.map_blocks(block, chunks=(rows.chunks[0], (p + 1,)), dtype=np.float64)
    return Xy[:, :p], Xy[:, p]


def _warm_up():
    """Load the compiled kernels (numba cache) and start dask, outside the timings."""
    import numpy as np

    from sparsereg import L1Regressor

    X, y = lazy_problem(2000, 5, 1000)
    L1Regressor(0.01).fit(X, y)
    L1Regressor(0.01).fit(np.asarray(X), np.asarray(y))


def run_dask(n, p, chunk, scheduler):
    import dask

    from sparsereg import L1Regressor, alpha_max

    _warm_up()
    X, y = lazy_problem(n, p, chunk)
    before = _rss_mib()
    with dask.config.set(scheduler=scheduler):
        start = time.perf_counter()
        alpha = ALPHA_RATIO * alpha_max(X, y)  # one pass of its own
        stats_seconds = time.perf_counter() - start
        start = time.perf_counter()
        model = L1Regressor(alpha, tol=1e-6).fit(X, y)
        fit_seconds = time.perf_counter() - start
    return {"kind": "dask", "rows": n, "features": p, "chunk_rows": chunk, "scheduler": scheduler,
                "alpha": alpha, "stats_seconds": stats_seconds, "fit_seconds": fit_seconds,
                "rows_per_second": n / fit_seconds, "peak_rss_mib": _rss_mib(),
                "rss_before_fit_mib": before, "x_size_mib": n * p * 8 / 2**20,
                "chunk_size_mib": chunk * p * 8 / 2**20, "n_nonzero": int(model.n_nonzero_),
                "dual_gap": model.dual_gap_, "coef": model.coef_.tolist(),
                "intercept": float(model.intercept_)}


def run_memory(n, p, chunk, alpha):
    import numpy as np

    from sparsereg import L1Regressor

    _warm_up()
    X, y = lazy_problem(n, p, chunk)
    Xm, ym = np.asarray(X.compute()), np.asarray(y.compute())  # the subset, materialised
    before = _rss_mib()
    start = time.perf_counter()
    model = L1Regressor(alpha, tol=1e-6).fit(Xm, ym)
    seconds = time.perf_counter() - start
    start = time.perf_counter()
    lazy = L1Regressor(alpha, tol=1e-6).fit(X, y)  # the same rows through dask
    dask_seconds = time.perf_counter() - start
    return {"kind": "memory", "rows": n, "features": p, "alpha": alpha, "fit_seconds": seconds,
                "rows_per_second": n / seconds, "peak_rss_mib": _rss_mib(), "rss_before_fit_mib": before,
                "x_size_mib": n * p * 8 / 2**20, "n_nonzero": int(model.n_nonzero_),
                "dual_gap": model.dual_gap_, "dask_same_rows_seconds": dask_seconds,
                "max_coef_difference_vs_dask": float(np.abs(model.coef_ - lazy.coef_).max())}


def poisson_problem(n, p, chunk, seed=1):
    """Lazily generated counts: ``y ~ Poisson(exp(X w / 4))`` with X as in
    :func:`lazy_problem`."""
    import dask.array as da
    import numpy as np

    w = _true_coef(p) / 4.0

    def block(rows, block_info=None):
        start = block_info[None]["array-location"][0][0]
        rng = np.random.default_rng([seed, start])
        X = rng.standard_normal((rows.shape[0], p))
        return np.column_stack([X, rng.poisson(np.exp(X @ w))])

    rows = da.zeros((n, 1), chunks=(chunk, 1))
    Xy = rows.map_blocks(block, chunks=(rows.chunks[0], (p + 1,)), dtype=np.float64)
    return Xy[:, :p], Xy[:, p]


def run_poisson(n, p, chunk):
    """The Poisson lasso on the same rows as a dask array and in memory."""
    import numpy as np

    from sparsereg import L1Regressor

    X, y = poisson_problem(2000, 5, 1000)
    L1Regressor(0.01, loss="poisson").fit(X, y)  # compile and start dask outside the timings
    L1Regressor(0.01, loss="poisson").fit(np.asarray(X), np.asarray(y))
    X, y = poisson_problem(n, p, chunk)
    Xm, ym = np.asarray(X.compute()), np.asarray(y.compute())
    alpha = ALPHA_RATIO * float(np.abs(Xm.T @ (ym - ym.mean())).max()) / n  # its alpha_max
    start = time.perf_counter()
    mem = L1Regressor(alpha, loss="poisson", tol=1e-6).fit(Xm, ym)
    memory_seconds = time.perf_counter() - start
    import dask.array as da

    start = time.perf_counter()  # the in-memory rows as dask chunks: the passes' own cost
    held = L1Regressor(alpha, loss="poisson", tol=1e-6).fit(da.from_array(Xm, chunks=chunk),
                                                           ym)
    held_seconds = time.perf_counter() - start
    X, y = poisson_problem(n, p, chunk)  # the rows generated again, chunk by chunk
    start = time.perf_counter()
    lazy = L1Regressor(alpha, loss="poisson", tol=1e-6).fit(X, y)
    dask_seconds = time.perf_counter() - start
    return {"kind": "poisson", "rows": n, "features": p, "chunk_rows": chunk, "alpha": alpha,
            "memory_seconds": memory_seconds, "dask_seconds": dask_seconds,
            "dask_in_memory_chunks_seconds": held_seconds,
            "ratio_in_memory_chunks": held_seconds / memory_seconds,
            "max_coef_difference_in_memory_chunks": float(np.abs(held.coef_ - mem.coef_).max()),
            "ratio": dask_seconds / memory_seconds, "n_iter": lazy.n_iter_,
            "n_iter_memory": mem.n_iter_, "n_nonzero": int(lazy.n_nonzero_),
            "dual_gap": lazy.dual_gap_, "dual_gap_memory": mem.dual_gap_,
            "max_coef_difference": float(np.abs(lazy.coef_ - mem.coef_).max())}


def _poisson_only(args):
    out = _spawn("--child", "poisson", "--poisson-rows", str(args.poisson_rows),
                 "--features", str(args.features), "--chunk", str(args.chunk))
    print(f"Poisson L1, {out['rows']:,} x {out['features']}, chunks of {out['chunk_rows']:,} "
          f"rows: in memory {out['memory_seconds']:.2f} s ({out['n_iter_memory']} Newton "
          f"steps); dask on those rows {out['dask_in_memory_chunks_seconds']:.2f} s (ratio "
          f"{out['ratio_in_memory_chunks']:.2f}); dask, rows generated per pass "
          f"{out['dask_seconds']:.2f} s (ratio {out['ratio']:.2f}, {out['n_iter']} steps); "
          f"max |coef difference| {out['max_coef_difference']:.1e}, gaps "
          f"{out['dual_gap']:.1e} (dask) {out['dual_gap_memory']:.1e} (memory).")
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / "dask_poisson.json"
    path.write_text(json.dumps(out, indent=1))
    print(f"wrote {path}")


def _child(args):
    if args.child == "poisson":
        out = run_poisson(args.poisson_rows, args.features, args.chunk)
    elif args.child == "dask":
        out = run_dask(args.rows, args.features, args.chunk, args.scheduler)
    else:
        out = run_memory(args.subset, args.features, args.chunk, args.alpha)
    print(json.dumps(out))


def _spawn(*extra):
    cmd = [sys.executable, "-m", "benchmarks.bench_dask", *extra]
    done = subprocess.run(cmd, cwd=RESULTS.parents[1], capture_output=True, text=True,
                          check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=5_000_000)
    parser.add_argument("--features", type=int, default=200)
    parser.add_argument("--chunk", type=int, default=50_000)
    parser.add_argument("--subset", type=int, default=500_000)
    parser.add_argument("--scheduler", default="threads")
    parser.add_argument("--quick", action="store_true", help="500k rows, 100k subset")
    parser.add_argument("--poisson-rows", type=int, default=200_000)
    parser.add_argument("--poisson-only", action="store_true",
                        help="only the Poisson row: dask against in memory, same rows")
    parser.add_argument("--child", choices=("dask", "memory", "poisson"),
                        help=argparse.SUPPRESS)
    parser.add_argument("--alpha", type=float, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.quick:
        args.rows, args.subset = 500_000, 100_000
    if args.child:
        return _child(args)
    if args.poisson_only:
        return _poisson_only(args)

    common = ["--features", str(args.features), "--chunk", str(args.chunk)]
    big = _spawn("--child", "dask", "--rows", str(args.rows), "--scheduler", args.scheduler,
                 *common)
    small = _spawn("--child", "memory", "--subset", str(args.subset), "--alpha",
                   str(big["alpha"]), *common)
    print(f"| fit | rows x features | X size | time | rows/s | peak RSS | RSS before fit |\n"
          f"|---|---|---|---|---|---|---|\n"
          f"| dask ({big['scheduler']}, chunks of {args.chunk} rows = "
          f"{big['chunk_size_mib']:.0f} MiB) | {big['rows']:,} x {big['features']} | "
          f"{big['x_size_mib'] / 1024:.2f} GiB | {big['fit_seconds']:.1f} s | "
          f"{big['rows_per_second']:,.0f} | {big['peak_rss_mib']:.0f} MiB | "
          f"{big['rss_before_fit_mib']:.0f} MiB |\n"
          f"| in memory (numpy) | {small['rows']:,} x {small['features']} | "
          f"{small['x_size_mib'] / 1024:.2f} GiB | {small['fit_seconds']:.2f} s | "
          f"{small['rows_per_second']:,.0f} | {small['peak_rss_mib']:.0f} MiB | "
          f"{small['rss_before_fit_mib']:.0f} MiB |")
    print(f"\ndask: alpha_max (one pass) {big['stats_seconds']:.1f} s; the fit (one "
          f"pass) {big['fit_seconds']:.1f} s; {big['n_nonzero']} nonzero of {big['features']}, "
          f"duality gap {big['dual_gap']:.2e}.")
    print(f"subset through dask: {small['dask_same_rows_seconds']:.2f} s; max |coef difference| "
          f"vs the in-memory fit {small['max_coef_difference_vs_dask']:.1e}.")
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / ("dask_quick.json" if args.quick else "dask.json")
    big.pop("coef")
    out.write_text(json.dumps({"dask": big, "memory": small}, indent=1))
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
