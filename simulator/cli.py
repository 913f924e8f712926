"""``cusdep simulate ...``: synthetic corpora (and, later, multi-node traffic)."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from node.errors import InputError

logger = logging.getLogger(__name__)


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("simulate", help="generate synthetic certificates and traffic")
    ssub = p.add_subparsers(dest="simulate_command", metavar="WHAT")
    ssub.required = True
    c = ssub.add_parser("corpus", help="labelled paper-certificate corpus + registry bundle")
    c.add_argument("--out", required=True, help="output directory")
    c.add_argument("--count", type=int, default=50, help="number of certificates")
    c.add_argument("--seed", type=int, default=1, help="random seed (same seed, same files)")
    c.add_argument("--mix", default="", help="case-kind shares, e.g. genuine=0.5,no_seal=0.5")
    c.add_argument("--workers", type=int, default=2, help="worker processes (default 2)")
    c.add_argument("--scan-format", choices=["jpg", "png"], default="jpg")
    c.add_argument("--json", action="store_true", help="print the summary as JSON")
    c.set_defaults(func=_corpus)


def _corpus(args: argparse.Namespace) -> int:
    try:
        from simulator.corpus import generate_corpus, parse_mix
    except ImportError as err:  # reportlab/matplotlib live in the 'sim' extra
        raise InputError(
            f"simulate needs the 'sim' extra (pip install cusdep-node[sim]): {err}"
        ) from err
    if args.count < 1:
        raise InputError("--count must be at least 1")
    if args.workers < 1:
        raise InputError("--workers must be at least 1")
    try:
        mix = parse_mix(args.mix) if args.mix else None
        summary = generate_corpus(
            Path(args.out),
            args.count,
            args.seed,
            mix=mix,
            workers=args.workers,
            scan_fmt=args.scan_format,
            progress=None if args.json else _progress,
        )
    except ValueError as err:
        raise InputError(str(err)) from err
    except OSError as err:
        raise InputError(f"{args.out}: cannot write ({err.strerror})") from err
    rate = summary.count / summary.seconds if summary.seconds else 0.0
    result = {
        "out": str(summary.out),
        "count": summary.count,
        "kinds": summary.kinds,
        "seconds": round(summary.seconds, 2),
        "certificates_per_second": round(rate, 2),
    }
    if args.json:
        from node.cli._common import emit_json

        emit_json(result)
    else:
        sys.stderr.write("\n")
        kinds = ", ".join(f"{k}={v}" for k, v in summary.kinds.items())
        sys.stdout.write(
            f"wrote {summary.count} cases to {summary.out} in "
            f"{summary.seconds:.1f} s ({rate:.1f}/s): {kinds}\n"
        )
    return 0


def _progress(done: int, total: int) -> None:
    width = 30
    filled = width * done // total
    sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total}")
    sys.stderr.flush()
