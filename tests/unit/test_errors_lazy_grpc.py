"""Error classes name their gRPC status; grpc itself is imported only when a status is read."""

from __future__ import annotations

import json
import subprocess
import sys

import grpc

from node.errors import ChainReverted, CusdepError, InputError, LimitExceeded, NotFound
from node.exchange.client import RemoteRejected
from node.exchange.errors import ClockSkew, PayloadHashMismatch


def test_statuses_are_grpc_status_codes_on_classes_and_instances() -> None:
    assert CusdepError.grpc_status is grpc.StatusCode.INTERNAL
    assert InputError("x").grpc_status is grpc.StatusCode.INVALID_ARGUMENT
    assert LimitExceeded("x").grpc_status is grpc.StatusCode.RESOURCE_EXHAUSTED
    assert NotFound("x").grpc_status is grpc.StatusCode.NOT_FOUND
    assert ChainReverted("x").grpc_status is grpc.StatusCode.FAILED_PRECONDITION
    assert ClockSkew("x").grpc_status is grpc.StatusCode.OUT_OF_RANGE
    assert PayloadHashMismatch("x").grpc_status is grpc.StatusCode.DATA_LOSS
    remote = RemoteRejected("no", status=grpc.StatusCode.ABORTED, remote_code="")
    assert remote.grpc_status is grpc.StatusCode.ABORTED  # an instance's own status wins


def test_the_verify_command_does_not_import_grpc() -> None:
    code = (
        "import sys, node.cli.verify, node.errors\n"
        "print('grpc' in sys.modules, node.errors.InputError('x').grpc_status.name)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "INVALID_ARGUMENT"]


def test_a_cause_already_in_the_message_is_not_said_twice() -> None:
    from node.errors import InputError

    try:
        try:
            json.loads("{bad")
        except json.JSONDecodeError as err:
            raise InputError(f"template is not valid JSON: {err}") from err
    except InputError as wrapped:
        assert wrapped.roll_up().count("Expecting property name") == 1
    try:
        try:
            raise OSError("disk full")
        except OSError as err:
            raise InputError("cannot store the specimen") from err
    except InputError as wrapped:
        assert wrapped.roll_up() == "cannot store the specimen: disk full"
