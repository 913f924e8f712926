"""eth-account's py_ecc raises the recursion limit to 100,000, at which a deeply nested JSON
document crashes the interpreter (C stack overflow) instead of raising RecursionError."""

from __future__ import annotations

import subprocess
import sys

_PROBE = """
import json, sys, threading
import node.chain.wiring, node.chain.client  # what the node imports to reach the chain
import eth_account, py_ecc  # and again, as a test or a plugin might
assert sys.getrecursionlimit() <= 10_000, sys.getrecursionlimit()
def parse():
    try:
        json.loads("[" * 200_000)
    except RecursionError:
        print("refused")
thread = threading.Thread(target=parse)
thread.start()
thread.join()
parse()
"""


def test_a_deeply_nested_json_document_is_a_recursion_error_not_a_crash() -> None:
    done = subprocess.run([sys.executable, "-c", _PROBE], capture_output=True, text=True)
    assert (done.returncode, done.stdout.split()) == (0, ["refused", "refused"]), done.stderr
