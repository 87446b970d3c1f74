"""Compare the generated data sets with the R package's ``gradDescentRData``.

Reads the R tables (as CSV) from ``../shared/reference/gradDescentRData/``
relative to the repository root, or from the folder given as the first
argument; does nothing if that folder does not exist.  Prints the figures
quoted in ``datasets/README.md``.  Needs pandas and numpy; CoolProp too for
the (optional) comparison above 1100 K, where the CSV has no points.
"""
import pathlib
import sys

import numpy as np
import pandas as pd

HERE = pathlib.Path(__file__).resolve().parent
DATA = HERE.parent / "src" / "graddescent" / "data"
DEFAULT_REF = HERE.parent.parent / "shared" / "reference" / "gradDescentRData"
#: A Z below this is impossible for CO2 on Kennedy's grid (the smallest
#: value there is about 0.1): such rows of the R table are misprints.
MISPRINT_Z = 0.01


def _stats(rel):
    a = np.abs(rel)
    return (f"n = {len(a)}, |rel. diff.| median {np.median(a):.2%}, "
            f"95th pct {np.quantile(a, 0.95):.2%}, max {a.max():.2%}; "
            f"signed median {np.median(rel):+.2%}")


def compare_co2(ref):
    ours = pd.read_csv(DATA / "co2_compressibility.csv")
    r = pd.read_csv(ref / "CompressilbilityFactor.csv")
    ours.columns = r.columns = ["T", "P", "Z"]
    for d in (ours, r):  # exact keys for the merge
        d["T"], d["P"] = d["T"].round(1), d["P"].round(3)
    print("== CO2 compressibility factor ==")
    print(f"R table: {len(r)} rows; ours: {len(ours)} rows (T <= 1100 K)")
    grid = pd.MultiIndex.from_product([sorted(r["P"].unique()), np.round(273.1 + 10 * np.arange(101), 1)])
    missing = grid.difference(pd.MultiIndex.from_frame(r[["P", "T"]]))
    print(f"grid points missing from the R table: {len(missing)}: "
          + ", ".join(f"{t} K/{p} atm" for p, t in missing))
    bad = r[r["Z"] < MISPRINT_Z]
    m = ours.merge(r, on=["T", "P"], suffixes=("", "_r"))
    m["rel"] = (m["Z"] - m["Z_r"]) / m["Z_r"]
    bad_m = m[m["Z_r"] < MISPRINT_Z]
    print(f"misprinted R rows (Z < {MISPRINT_Z}): {len(bad)}")
    for _, row in bad.iterrows():
        ratio = m.loc[(m["T"] == row["T"]) & (m["P"] == row["P"]), "Z"]
        ratio = f", ours/R = {ratio.iloc[0] / row['Z']:.0f}" if len(ratio) else ", above 1100 K"
        print(f"  {row['T']} K, {row['P']} atm: Z = {row['Z']:.6g}{ratio}")
    good = m[m["Z_r"] >= MISPRINT_Z]
    print(f"common points, misprints excluded: {_stats(good['rel'].to_numpy())}")
    worst = good.loc[good["rel"].abs().idxmax()]
    print(f"largest: {worst['T']} K, {worst['P']} atm: ours {worst['Z']:.6g}, R {worst['Z_r']:.6g}")
    print(f"(with the {len(bad_m)} misprinted rows in: "
          f"median {np.median(np.abs(m['rel'])):.2%}, 95th pct {np.quantile(np.abs(m['rel']), 0.95):.2%})")
    for lo, hi in [(0, 500), (500, 800), (800, 1100)]:
        g = good[(good["T"] > lo) & (good["T"] <= hi)]
        print(f"  {lo} < T <= {hi} K: {_stats(g['rel'].to_numpy())}")
    try:
        sys.path.insert(0, str(HERE))
        from make_co2_compressibility import compressibility
    except ImportError:
        return
    try:
        hot = r[(r["T"] > 1100) & (r["Z"] >= MISPRINT_Z)].copy()
        hot["Zc"] = [compressibility(t, p) for t, p in zip(hot["T"], hot["P"])]
    except ImportError:
        print("(CoolProp not installed: no comparison above 1100 K)")
        return
    rel = ((hot["Zc"] - hot["Z"]) / hot["Z"]).to_numpy()
    print(f"above 1100 K (extrapolated, not in the CSV): {_stats(rel)}")


def compare_mackey_glass(ref):
    ours = pd.read_csv(DATA / "mackey_glass.csv")
    r = pd.read_csv(ref / "MackeyGlass1000.csv")
    print("== Mackey-Glass ==")
    print(f"rows: ours {len(ours)}, R {len(r)}")
    x, xr = ours["x(t)"].to_numpy(), r.iloc[:, 3].to_numpy()
    q = [0, 0.05, 0.25, 0.5, 0.75, 0.95, 1]
    print("quantiles  " + " ".join(f"{v:>7}" for v in q))
    print("ours x(t)  " + " ".join(f"{v:7.4f}" for v in np.quantile(x, q)))
    print("R    V4    " + " ".join(f"{v:7.4f}" for v in np.quantile(xr, q)))
    print(f"mean/sd: ours {x.mean():.4f}/{x.std(ddof=1):.4f}, R {xr.mean():.4f}/{xr.std(ddof=1):.4f}")
    # two-sample Kolmogorov-Smirnov distance between the two marginal distributions
    grid = np.sort(np.concatenate([x, xr]))
    ks = np.max(np.abs(np.searchsorted(np.sort(x), grid, "right") / len(x)
                       - np.searchsorted(np.sort(xr), grid, "right") / len(xr)))
    print(f"KS distance of the x(t) distributions: {ks:.3f}")
    print(f"max |ours - R| row by row, x(t): {np.max(np.abs(x - xr)):.3f} (the series are not aligned)")
    # are the R columns x(t-18), ..., x(t+6) of one series sampled at unit step,
    # i.e. is column j+1 column j moved up by 6 rows?  Where does that fail?
    v = r.to_numpy()
    fails = sorted({int(i) + 6 for j in range(4)
                    for i in np.flatnonzero(~np.isclose(v[6:, j], v[:-6, j + 1], atol=1e-4))})
    print("R columns = one series lagged by 6 rows, except around rows "
          f"(0-based): {fails[0]}..{fails[-1]}" if fails else "R columns = one series lagged by 6 rows")


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    ref = pathlib.Path(argv[0]) if argv else DEFAULT_REF
    if not ref.is_dir():
        print(f"{ref}: not found, nothing to compare")
        return 0
    compare_co2(ref)
    compare_mackey_glass(ref)
    return 0


if __name__ == "__main__":
    sys.exit(main())
