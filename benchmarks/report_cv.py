"""Markdown report of a ``bench_cv`` result: ``docs/benchmarks_cv.md``.

    python -m benchmarks.report_cv [results/cv.json] [docs/benchmarks_cv.md] [--before JSON]
                                   [--accuracy JSON]

(from the repository root; the defaults are ``benchmarks/results/cv.json`` and
``docs/benchmarks_cv.md``). ``--before`` adds the sparsereg times of an earlier run (e.g.
``benchmarks/results/cv_before.json``) to the summary; ``--accuracy`` a section comparing
every curve with the tight-tolerance ones of a ``bench_cv --ways reference`` run.
"""

import argparse
import json
import sys
from pathlib import Path

import numpy as np

if not __package__:
    sys.exit("run it from the repository root as: python -m benchmarks.report_cv")

from benchmarks.harness import fmt_time
from benchmarks.problems_cv import SHAPES

ROOT = Path(__file__).resolve().parents[1]
TARGET_SPEEDUP = 3.0  # issue 11 item 2: >= 3x faster and no more peak memory
RTOL = 1e-3  # matched accuracy: largest relative difference of the mean CV MSE curves
NAMES = {"l1": "lasso", "enet": "elastic net 0.5", "l2": "ridge"}


def _time(row):
    if row["status"] == "capped" and "slower_than" in row:
        return f"> {row['cap']:.1f} s (stopped: slower than a matching way)"
    if row["status"] == "capped":
        return f"> {row['cap']:.0f} s (killed)"
    if row["status"] != "ok":
        return "failed"
    return fmt_time(row["time"])


def _mb(value):
    return "–" if value is None else f"{value:.0f} MB" if abs(value) >= 10 else \
        f"{value:.1f} MB"


def _match(m):
    if m is None:
        return "–"
    text = f"{m['max_rel_diff']:.1e}"
    if not m["same_index"]:
        text += ", **other alpha**"
    return text if m["ok"] else f"**no** ({text})"


def match(row, reference):
    """Whether ``row`` selects the alpha ``reference`` (sparsereg's row) selects, with mean
    CV MSE curves within ``RTOL``; None when either did not finish."""
    if reference is None or row.get("status") != "ok" or reference.get("status") != "ok":
        return None
    a, b = np.asarray(row["curve"]), np.asarray(reference["curve"])
    rel = float(np.max(np.abs(a - b) / np.abs(b)))
    same = row["index"] == reference["index"] and int(np.argmin(a)) == int(np.argmin(b))
    return dict(same_index=bool(same), max_rel_diff=rel, ok=bool(same and rel <= RTOL))


def row_line(row):
    """One log line per measurement."""
    text = f"{row['shape']:6} {row['estimator']:4} {row['label']}: {_time(row)}"
    if row["status"] == "ok":
        runs = ", ".join(f"{t:.2f}" for t in row["times"])
        text += (f" (runs {runs} s), peak +{row['peak_mb']:.0f} MB, warm-up "
                 f"{row['warm_up']:.1f} s, alpha {row['alpha']:.4g} (index {row['index']}"
                 f"/{len(row['alphas'])})")
        if "match" in row:
            text += f", curves {_match(row['match'])}"
    elif row["status"] == "failed":
        text += f": {row['error'][-300:]}"
    return text


def best(rows):
    """The fastest row that matches and True; when none matches, a ladder step killed at
    its cap (matching would take longer than that: the figure is a lower bound) and True,
    else the fastest that finished (else the last tried) and False."""
    done = [r for r in rows if r["status"] == "ok"]
    matching = [r for r in done if r.get("match") and r["match"]["ok"]]
    if matching:
        return min(matching, key=lambda r: r["time"]), True
    killed = [r for r in rows if r["status"] == "capped" and "slower_than" not in r]
    if killed:
        return min(killed, key=lambda r: r["cap"]), True
    if done:
        return min(done, key=lambda r: r["time"]), False
    return rows[-1], False


def groups(result):
    """``{(shape, estimator): (sparsereg rows, scikit-learn rows)}`` in run order (the
    reference row left out)."""
    out = {}
    for row in result["rows"]:
        entry = out.setdefault((row["shape"], row["estimator"]), ([], []))
        if row["way"] != "reference":
            entry[0 if row["way"].startswith("sparsereg") else 1].append(row)
    return out


def _speedup(ours, sk):
    """``(speedup, memory ratio)`` of two rows, None where not measured."""
    speed = mem = None
    if ours["status"] == "ok" and sk["status"] in ("ok", "capped"):
        speed = (sk["time"] if sk["status"] == "ok" else sk["cap"]) / ours["time"]
    if ours["status"] == "ok" and sk["status"] == "ok" and sk["peak_mb"] > 1.0:
        mem = ours["peak_mb"] / sk["peak_mb"]
    return speed, mem


def summary(result, before=None):
    old = groups(before) if before else {}
    referenced = result.get("reference_tol") is not None
    what = "matching the reference" if referenced else "matching sparsereg's curve"
    titles = ["data", "estimator", f"sparsereg ({what if referenced else 'default'})", "time",
              "compile", f"scikit-learn (fastest {what})", "time", "speedup",
              "peak extra: sparsereg", "scikit-learn", "memory ratio", "alpha index",
              "curves: sparsereg / scikit-learn" + (" vs reference" if referenced else ""),
              "targets met"]
    if before:
        titles[4:4] = ["sparsereg default before", "before / now"]
    lines = ["| " + " | ".join(titles) + " |", "|" + "---|" * len(titles)]
    for (shape, estimator), (mine, theirs) in groups(result).items():
        if not mine or not theirs:
            continue
        ours, ours_ok = best(mine) if referenced else (mine[0], True)
        sk, sk_ok = best(theirs)
        speed, mem = _speedup(ours, sk)
        # killed before matching: the same algorithm's memory, measured at a looser tol or
        # up to the kill (lower bounds of what the matching run would take)
        peaks = [r["peak_mb"] for r in theirs if r["status"] == "ok"] + \
            [r["peak_mb_at_kill"] for r in theirs if r.get("peak_mb_at_kill") is not None]
        if mem is None and sk["status"] == "capped" and peaks and max(peaks) > 1.0 \
                and ours["status"] == "ok":
            mem = ours["peak_mb"] / max(peaks)
            sk = dict(sk, peak_mb=max(peaks), peak_bound=True)
        ok = ours["status"] == "ok"
        speed_text = "–" if speed is None else (">" if sk["status"] == "capped" else "") + \
            f"{speed:.2f}x"
        met = speed is not None and mem is not None and speed >= TARGET_SPEEDUP and mem <= 1.0 \
            and ours_ok and sk_ok
        flag = lambda row, good: row["label"] + ("" if good or row["status"] != "ok"  # noqa
                                                  else " (**no match**)")
        cells = [shape, NAMES[estimator], flag(ours, ours_ok), _time(ours),
                 fmt_time(ours["warm_up"]) if ok else "–", flag(sk, sk_ok), _time(sk),
                 speed_text, _mb(ours.get("peak_mb")),
                 (">= " if sk.get("peak_bound") else "") + _mb(sk.get("peak_mb")),
                 "–" if mem is None else ("<= " if sk.get("peak_bound") else "") + f"{mem:.2f}",
                 f"{ours['index']}/{len(ours['alphas'])}" if ok else "–",
                 (_match(ours.get("match")) + " / " if referenced else "")
                 + _match(sk.get("match")), "yes" if met else "**no**"]
        if before:
            prev = next((r for r in old.get((shape, estimator), ([], []))[0]
                         if r["way"] == "sparsereg"), None)
            cells[4:4] = [_time(prev) if prev else "–",
                          f"{prev['time'] / mine[0]['time']:.2f}x"
                          if prev and mine[0]["status"] == "ok" and prev["status"] == "ok"
                          else "–"]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def details(result):
    reference = result.get("reference_tol") is not None
    titles = ["data", "estimator", "way", "time (best)", "runs (s)", "peak extra",
              "RSS before fit", "warm-up", "alpha index",
              "curves vs reference" if reference else "curves vs sparsereg", "load"]
    lines = ["| " + " | ".join(titles) + " |", "|" + "---|" * len(titles)]
    notes = []
    for row in result["rows"]:
        ok = row["status"] == "ok"
        if ok and row["warnings"]:
            notes.append(f"- {row['shape']}, {row['label']}: " + "; ".join(row["warnings"]))
        cells = [row["shape"], NAMES[row["estimator"]], row["label"], _time(row),
                 ", ".join(f"{t:.2f}" for t in row["times"]) if ok else "–",
                 _mb(row.get("peak_mb")), _mb(row.get("baseline_rss_mb")),
                 fmt_time(row["warm_up"]) if ok else "–",
                 f"{row['index']}/{len(row['alphas'])}" if ok else "–",
                 _match(row.get("match")) if row.get("match") else
                 "(itself)" if row["way"] in ("sparsereg", "reference") else "–",
                 f"{row['load_start']:.2f} / {row['load_end']:.2f}"]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines), notes


def accuracy(result, reference):
    """Every curve of ``result`` against the tight-tolerance reference curve of the same
    data and estimator in ``reference`` (a ``--ways reference`` run)."""
    refs = {(r["shape"], r["estimator"]): r for r in reference["rows"]
            if r["way"] == "reference" and r["status"] == "ok"}
    lines = ["| data | estimator | way | alpha index (reference's) | max rel. diff to the "
             f"reference | within {RTOL:g}, same alpha |", "|---|---|---|---|---|---|"]
    for row in result["rows"]:
        ref = refs.get((row["shape"], row["estimator"]))
        if ref is None or row["status"] != "ok" or row["way"] == "reference":
            continue
        m = match(row, ref)
        lines.append(f"| {row['shape']} | {NAMES[row['estimator']]} | {row['label']} | "
                     f"{row['index']} ({ref['index']}) | {m['max_rel_diff']:.1e} | "
                     f"{_yes(m['ok'])} |")
    return "\n".join(lines)


def _yes(flag):
    return "yes" if flag else "**no**"


def render(result, json_name="cv.json", before=None, reference=None, reference_name=None):
    """The Markdown page of ``result`` (``before``: an earlier result, for the summary;
    ``reference``: a ``--ways reference`` run, for a section on accuracy)."""
    env = result["environment"]
    load = env["loadavg_start"]
    table, notes = details(result)
    commit = env.get("git_commit") or "unknown"
    where = (" (a frozen copy of the commit, `--snapshot`)" if env.get("snapshot") else
             f" (dirty: `{env['git_dirty']}`)" if env.get("git_dirty") else "")
    lines = [
        "# Cross-validation benchmarks", "",
        "Generated by `python -m benchmarks.bench_cv` (protocol in its docstring and in "
        "`benchmarks/README.md`): each sparsereg CV estimator against the fastest "
        "scikit-learn way to the same selection, with the same 5 folds (`KFold(5, "
        "shuffle=True, random_state=0)`) and the same grid (lasso and elastic net: 100 "
        "alphas from alpha_max to alpha_max / 1000; ridge: 20 alphas around the optimum). "
        "Every measurement runs in a fresh process: the data is built, the estimator is "
        "fitted once on small data of the same format, then the fit is timed (best of up to "
        "3 runs when under 30 s). For sparsereg that first fit (\"compile\") compiles the "
        "Numba kernels its input format needs, or loads them from the on-disk cache that "
        "the processes share: starting from an empty cache (as `--snapshot` does), the first "
        "row of each format (dense tall, dense wide, CSC) pays for the compilation, later "
        "rows take about 2 s (imports, cache loading, the small fit). \"peak extra\" is the "
        "peak resident memory during the fit minus the resident memory before it (VmHWM "
        "reset through /proc/self/clear_refs; \"RSS before fit\" includes the data and, "
        "for sparsereg, the compiled kernels). "
        "\"speedup\" = scikit-learn's time / sparsereg's; \"memory ratio\" = sparsereg's "
        "peak extra / scikit-learn's. Targets (issue 11): speedup >= 3x and memory ratio "
        "<= 1, at matched accuracy. \"curves\" = the largest relative difference between a "
        "mean CV MSE curve and the reference's, sparsereg's fit at tol "
        f"{result.get('reference_tol') or 0:g} (matched when <= {result['rtol']:g} with the same "
        "selected alpha); each library runs at its default tol, then at tighter ones until "
        "its curve matches, and the row's figure is its fastest matching run (when a step "
        "of the ladder was killed at the cap before any matched, that lower bound, with the "
        "peak memory of the same algorithm at a looser tol or up to the kill: \">=\", a "
        "lower bound).", "",
        "## What was measured where", "",
        f"- **Date**: {env['date']}; total run time {result.get('total_seconds', 0):.0f} s"
        f"{' (quick run)' if result['quick'] else ''}; fits killed after "
        f"{result['cap']:.0f} s.",
        f"- **Machine**: {env.get('cpu', env['machine'])}, {env['cpus']} CPUs (shared), one "
        "BLAS thread; load average (1, 5, 15 min) at the start "
        f"{load[0]:.2f}, {load[1]:.2f}, {load[2]:.2f}, at the end "
        f"{result.get('loadavg_end', [float('nan')])[0]:.2f} (per row below).",
        f"- **Code**: sparsereg {env['sparsereg']}, commit `{commit[:10]}`{where}, sources "
        f"SHA-1 `{env['sparsereg_source_sha1']}`; results in `benchmarks/results/{json_name}`.",
        f"- **Versions**: Python {env['python']}, numpy {env['numpy']}, scipy {env['scipy']}, "
        f"scikit-learn {env['sklearn']}, numba {env['numba']}.", "",
        "| data | what (`benchmarks/problems_cv.py`) |", "|---|---|",
        *(f"| {k} | {SHAPES[k][2] if k in SHAPES else v} |"
          for k, v in result["shapes"].items()), "",
        "## Summary", "", summary(result, before), "",
        "## Every measurement", "", table, "",
    ]
    if notes:
        lines += ["Warnings during the timed fits:", "", *notes, ""]
    if reference:
        lines += ["## Accuracy against a tight reference", "",
                  "Which default is off when the curves disagree: every curve above against "
                  f"sparsereg's at tol {reference['reference_tol']:g} (relative duality gap; "
                  f"`benchmarks/results/{reference_name}`, run on "
                  f"{reference['environment']['date']}, sources SHA-1 "
                  f"`{reference['environment']['sparsereg_source_sha1']}`).", "",
                  accuracy(result, reference), ""]
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("json", nargs="?", default=ROOT / "benchmarks/results/cv.json")
    parser.add_argument("md", nargs="?", default=ROOT / "docs/benchmarks_cv.md")
    parser.add_argument("--before", help="an earlier result, for the summary")
    parser.add_argument("--accuracy", metavar="JSON", help="a --ways reference run")
    args = parser.parse_args(argv)
    read = lambda path: json.loads(Path(path).read_text()) if path else None  # noqa: E731
    Path(args.md).write_text(render(read(args.json), Path(args.json).name, read(args.before),
                                    read(args.accuracy),
                                    args.accuracy and Path(args.accuracy).name))
    print(f"wrote {args.md}")


if __name__ == "__main__":
    sys.exit(main())
