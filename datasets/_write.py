"""The command line shared by the generating scripts: write the CSV, or check it is unchanged."""

import argparse


def main(description, make_csv, out, argv=None):
    """Write ``make_csv()`` to ``out`` (``--check``: compare with it instead); return the exit status."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--check", action="store_true",
                        help="compare with the committed CSV instead of writing it")
    args = parser.parse_args(argv)
    text = make_csv()
    if args.check:
        same = out.read_text(encoding="utf-8") == text
        print(f"{out}: {'identical' if same else 'DIFFERS'}")
        return 0 if same else 1
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(text.encode("utf-8"))
    print(f"wrote {out}")
    return 0
