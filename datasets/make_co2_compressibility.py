"""Generate ``src/graddescent/data/co2_compressibility.csv``.

The compressibility factor Z = P / (rho R T) of carbon dioxide on the
temperature/pressure grid of Kennedy (1954), computed from the Span--Wagner
reference equation of state for CO2 as implemented by CoolProp
(``HEOS::CO2``).  CoolProp is needed only to run this script, not by the
graddescent package.

Grid: temperatures 273.1 K to 1273.1 K in steps of 10 K (101 values) times
21 pressures in atm (1 atm = 101325 Pa).  The Span--Wagner equation is
valid from the triple point to 1100 K at pressures up to 800 MPa (the
grid's highest pressure, 1381.8 atm, is 140 MPa).  The 18 grid temperatures
above 1100 K (1103.1 K to 1273.1 K) are outside that range: CoolProp would
still answer there (it extrapolates up to 2000 K), but those points are left
out, so the file has 83 x 21 = 1743 rows, ordered like the R package's table
(pressure outer, temperature inner).

Usage::

    python datasets/make_co2_compressibility.py          # (re)write the CSV
    python datasets/make_co2_compressibility.py --check  # compare, write nothing
"""
import pathlib
import sys

import _write  # beside this script

#: The pressures of Kennedy's grid, in atm, written exactly as in the CSV.
PRESSURES_ATM = [
    "24.675", "49.35", "74.025", "98.7", "148.05", "197.4", "246.75",
    "296.1", "345.45", "394.8", "444.15", "493.5", "592.2", "690.9",
    "789.6", "888.3", "987", "1085.7", "1184.4", "1283.1", "1381.8",
]
#: The temperatures of Kennedy's grid, in K, written exactly as in the CSV.
TEMPERATURES_K = [f"{273.1 + 10 * i:.1f}" for i in range(101)]
#: Upper temperature limit (K) of the Span--Wagner equation's range of validity.
T_MAX_VALID = 1100.0
ATM = 101325.0  # Pa
COLUMNS = ["Temperature(K)", "Pressure(ATM)", "Compressibility Factor(Z)"]
#: CoolProp version the committed CSV was made with.
COOLPROP_VERSION = "8.0.0"

OUT = pathlib.Path(__file__).resolve().parent.parent / "src" / "graddescent" / "data" / "co2_compressibility.csv"


def compressibility(t_kelvin, p_atm, state=None):
    """Z = P / (rho_molar R T) of CO2 at ``t_kelvin`` K and ``p_atm`` atm (Span--Wagner, CoolProp)."""
    import CoolProp.CoolProp as CP

    if state is None:
        state = CP.AbstractState("HEOS", "CO2")
    state.update(CP.PT_INPUTS, p_atm * ATM, t_kelvin)
    return state.p() / (state.rhomolar() * state.gas_constant() * state.T())


def make_csv():
    """Return the CSV text (``\\n`` line endings)."""
    import CoolProp
    import CoolProp.CoolProp as CP

    if CoolProp.__version__ != COOLPROP_VERSION:
        print(f"warning: CoolProp {CoolProp.__version__}, the committed CSV was made "
              f"with {COOLPROP_VERSION}; the last digit may differ", file=sys.stderr)
    state = CP.AbstractState("HEOS", "CO2")
    lines = [",".join(f'"{c}"' for c in COLUMNS)]
    for p in PRESSURES_ATM:
        for t in TEMPERATURES_K:
            if float(t) > T_MAX_VALID:
                continue  # outside the equation's range of validity: left out
            z = compressibility(float(t), float(p), state)
            lines.append(f"{t},{p},{z:.6g}")
    return "\n".join(lines) + "\n"


def main(argv=None):
    return _write.main(__doc__.splitlines()[0], make_csv, OUT, argv)


if __name__ == "__main__":
    sys.exit(main())
