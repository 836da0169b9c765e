"""Command line: ``python -m sparsereg demo`` (also the ``sparsereg`` console script)."""

import argparse
import sys


def main(argv=None):
    """Entry point of the ``sparsereg`` command."""
    parser = argparse.ArgumentParser(prog="sparsereg",
                                     description="L1, L2 and elastic-net regression.")
    sub = parser.add_subparsers(dest="command", required=True)
    demo = sub.add_parser("demo", help="L1 vs L2 on the built-in diabetes data")
    demo.add_argument("--alpha-l1", type=float, default=1.0)
    demo.add_argument("--alpha-l2", type=float, default=0.01)
    args = parser.parse_args(argv)
    if args.command == "demo":
        from ._demo import run_demo

        run_demo(args.alpha_l1, args.alpha_l2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
