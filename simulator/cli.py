"""``cusdep simulate ...``: synthetic corpora (and, later, multi-node traffic)."""

from __future__ import annotations

import argparse
import logging
import shutil
import sys
from pathlib import Path

from node.cli._common import within
from node.errors import InputError

logger = logging.getLogger(__name__)

# Upper bounds of the numeric options: past them a run is no experiment but a disk filled (a
# corpus case is some hundred kB) or a process that never ends.
MAX_COUNT = 10_000
MAX_WORKERS = 64
MAX_RATE = 1000.0  # messages per second
MAX_SECONDS = 86_400.0


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("simulate", help="generate synthetic certificates and traffic")
    ssub = p.add_subparsers(dest="simulate_command", metavar="WHAT")
    ssub.required = True
    c = ssub.add_parser("corpus", help="labelled paper-certificate corpus + registry bundle")
    c.add_argument("--out", required=True, help="output directory")
    c.add_argument("--count", type=int, default=50, help=f"number of certificates (1-{MAX_COUNT})")
    c.add_argument("--seed", type=int, default=1, help="random seed (same seed, same files)")
    c.add_argument("--mix", default="", help="case-kind shares, e.g. genuine=0.5,no_seal=0.5")
    c.add_argument(
        "--workers",
        type=int,
        default=2,
        help=f"worker processes (default 2, at most {MAX_WORKERS})",
    )
    c.add_argument("--scan-format", choices=["jpg", "png"], default="jpg")
    c.add_argument(
        "--capture",
        choices=["scan", "photo", "mixed"],
        default="scan",
        help="how each paper reaches the reviewer: a flatbed scan (default), a phone photograph "
        "of it on a table, or either, drawn per case",
    )
    c.add_argument(
        "--force",
        action="store_true",
        help="write into a directory that is not empty: the corpus there (manifest.json, "
        "registry/, cases/) is deleted first; other files are left alone",
    )
    c.add_argument("--json", action="store_true", help="print the summary as JSON")
    c.set_defaults(func=_corpus)
    t = ssub.add_parser("traffic", help="real nodes on loopback exchanging documents under faults")
    t.add_argument("--nodes", type=int, default=3, help="number of node processes (2-10)")
    t.add_argument("--rate", type=float, default=2.0, help="messages per second, all nodes")
    t.add_argument("--duration", type=float, default=60.0, help="seconds of sending")
    t.add_argument("--faults", default="all", help="drop,delay,kill,chain | all | none")
    t.add_argument("--seed", type=int, default=1, help="random seed (documents, faults)")
    t.add_argument("--out", help="new or empty work directory (default: a new temporary one)")
    t.add_argument("--drain-timeout", type=float, default=180.0, help="max wait for delivery")
    t.add_argument("--json", action="store_true", help="print the report as JSON")
    t.set_defaults(func=_traffic)


def _corpus(args: argparse.Namespace) -> int:
    try:
        from simulator.corpus import generate_corpus, parse_mix
    except ImportError as err:  # reportlab/matplotlib live in the 'sim' extra
        raise InputError(
            f"simulate needs the 'sim' extra (pip install cusdep-node[sim]): {err}"
        ) from err
    within("--count", args.count, 1, MAX_COUNT)
    within("--workers", args.workers, 1, MAX_WORKERS)
    try:
        mix = parse_mix(args.mix) if args.mix else None
        _clear_out(Path(args.out), force=args.force)
        summary = generate_corpus(
            Path(args.out),
            args.count,
            args.seed,
            mix=mix,
            workers=args.workers,
            scan_fmt=args.scan_format,
            capture=args.capture,
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


# what ``generate_corpus`` writes in its directory: all that ``--force`` deletes
_CORPUS_ENTRIES = ("manifest.json", "registry", "cases")


def _clear_out(out: Path, *, force: bool) -> None:
    """Refuse a directory that is not empty (the new cases would mix with the old: a manifest
    of 2 cases beside a third from an earlier run, which ``cusdep eval`` scores), unless
    ``force``: then delete the corpus in it, and only that."""
    if out.exists() and not out.is_dir():
        raise InputError(f"{out}: not a directory")
    if not out.is_dir() or not any(out.iterdir()):
        return
    if not force:
        raise InputError(
            f"{out}: not empty (the old cases would mix with the new); choose a new "
            "directory, or add --force to replace the corpus in it"
        )
    for name in _CORPUS_ENTRIES:
        path = out / name
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        elif path.exists() or path.is_symlink():
            path.unlink()


def _progress(done: int, total: int) -> None:
    width = 30
    filled = width * done // total
    sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total}")
    sys.stderr.flush()


def _traffic(args: argparse.Namespace) -> int:
    import tempfile

    from simulator.network import check_node_count
    from simulator.traffic import parse_faults, run_traffic

    for option, value, top in (
        ("--rate", args.rate, MAX_RATE),
        ("--duration", args.duration, MAX_SECONDS),
        ("--drain-timeout", args.drain_timeout, MAX_SECONDS),
    ):
        if not 0 < value <= top:  # also refuses nan
            raise InputError(f"{option} must be more than 0 and at most {top:g}, got {value:g}")
    try:
        check_node_count(args.nodes)  # before a directory is made or anything started
        faults = parse_faults(args.faults)
    except ValueError as err:
        raise InputError(str(err)) from err
    out = Path(args.out) if args.out else Path(tempfile.mkdtemp(prefix="cusdep-traffic-"))
    if out.exists() and not out.is_dir():  # iterdir() on it was a traceback
        raise InputError(f"{out}: not a directory")
    if out.exists() and any(out.iterdir()):
        raise InputError(f"{out}: must be a new or empty directory")
    try:
        report = run_traffic(
            out,
            nodes=args.nodes,
            rate=args.rate,
            duration=args.duration,
            faults=faults,
            seed=args.seed,
            drain_timeout=args.drain_timeout,
            progress=_say,
        )
    except ValueError as err:
        raise InputError(str(err)) from err
    data = report.to_json()
    if args.json:
        from node.cli._common import emit_json

        emit_json(data)
    else:
        prov = data.get("provenance", {})
        faults_txt = ", ".join(f"{f['kind']}@{f['at_s']}s({f['target']})" for f in data["faults"])
        sys.stdout.write(
            f"nodes {', '.join(data['nodes'])}; sent {data['sent']} {data['kinds']}\n"
            f"delivered exactly once {data['delivered_exactly_once']}, lost {data['lost']}, "
            f"duplicated {data['duplicated']}, corrupted {data['corrupted']}, "
            f"unexpected {data['unexpected']}\n"
            f"faults: {faults_txt or 'none'}; drained in {data['drain_seconds']} s\n"
            f"accepted by review {prov.get('accepted', 0)}, anchored {prov.get('anchored', 0)}, "
            f"verified on chain {prov.get('verified_on_chain', 0)}; verdicts "
            f"{prov.get('verdicts', {})}\n"
            f"{'OK' if report.ok else 'FAILED'}\n"
        )
    return 0 if report.ok else 1


def _say(message: str) -> None:
    sys.stderr.write(message + "\n")
