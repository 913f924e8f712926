"""``cusdep eval DIR [--out REPORT_DIR]``: score the review pipeline on a simulator corpus.

Thin: the work is ``verification.evaluation``; this module draws the progress bar (stderr),
writes the report files and prints the summary.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from node.cli._common import emit_json, emit_line, output_dir
from node.errors import ConfigError, InputError
from verification import BundleSpecimenSource, Pipeline, VerificationError, load_rules
from verification import evaluation as ev


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("eval", help="run the review pipeline over a simulator corpus and score it")
    p.add_argument("corpus", metavar="DIR", help="corpus written by `cusdep simulate corpus`")
    p.add_argument("--out", help="report directory (default: DIR/eval)")
    p.add_argument("--limit", type=int, help="only the first N cases")
    p.add_argument("--pdf", action="store_true", help="review the vector PDFs instead of scans")
    p.add_argument("--rules", help="rule repository TOML (default: the packaged rules)")
    p.add_argument(
        "--electronic-copies",
        action="store_true",
        help="review each paper against its issuer's electronic copy (counterfeits have none)",
    )
    p.add_argument("--json", action="store_true", help="print the summary as JSON")
    p.set_defaults(func=_eval)


def _eval(args: argparse.Namespace) -> int:
    corpus = Path(args.corpus)
    if not (corpus / "cases").is_dir():
        raise InputError(f"{corpus}: not a simulator corpus (no cases/ directory)")
    if args.limit is not None and args.limit < 1:  # [:0] reviewed none, [:-1] all but the last
        raise InputError(f"--limit must be at least 1, got {args.limit}")
    out = output_dir("--out", args.out or corpus / "eval")
    try:
        pipeline = Pipeline(BundleSpecimenSource(corpus), rules=load_rules(args.rules))
    except VerificationError as err:
        raise ConfigError(err.message, code=err.code) from None
    outcomes = _run(corpus, pipeline, args)
    summary = ev.summarise(outcomes)
    paths = ev.write_report(outcomes, summary, out)
    if args.json:
        emit_json({"summary": summary, "report": [str(p) for p in paths]})
    else:
        emit_line(paths[1].read_text(encoding="utf-8"))
    return 0


def _run(corpus: Path, pipeline: Pipeline, args: argparse.Namespace) -> list[ev.CaseOutcome]:
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    columns = ("{task.description}", BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("reviewing", total=None)

        def step(done: int, total: int, case: str) -> None:
            bar.update(task, completed=done, total=total, description=f"reviewing {case}")

        return ev.evaluate_corpus(
            corpus,
            pipeline=pipeline,
            use_pdf=args.pdf,
            limit=args.limit,
            progress=step,
            electronic_copies=args.electronic_copies,
        )
