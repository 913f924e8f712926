from __future__ import annotations

from node.exchange._pb import envelope_pb2 as pb
from node.exchange.outbox import _frames, encode_frame
from node.exchange.tables import OutboxRow


def test_pre_encoded_frame_is_a_valid_deliver_request() -> None:
    envs = [
        pb.SignedEnvelope(payload=b"x" * n, signature=b"s" * 64) for n in (0, 1, 127, 128, 70000)
    ]
    frame = pb.DeliverRequest.FromString(encode_frame([e.SerializeToString() for e in envs]))
    assert list(frame.envelopes) == envs


def test_frames_respect_count_and_keep_order() -> None:
    rows = [
        OutboxRow(seq=i, message_id=str(i), peer="P", kind="c", digest="", envelope=b"e")
        for i in range(10)
    ]
    frames = _frames(rows, 4)
    assert [len(f) for f in frames] == [4, 4, 2]
    assert [r.seq for f in frames for r in f] == list(range(10))


def test_pre_encoded_acks_are_a_valid_deliver_response() -> None:
    from node.exchange.errors import BadSignature
    from node.exchange.grpc_server import _acks
    from node.exchange.inbox import Ack

    receipt = pb.Receipt(message_id="m1", signature=b"s" * 64, receiver_node="CN-SHA")
    acks = [Ack("m1", receipt.SerializeToString()), Ack("m2", error=BadSignature("no"))]
    response = pb.DeliverResponse.FromString(_acks(acks))
    assert response.acks[0].message_id == "m1" and response.acks[0].receipt == receipt
    assert response.acks[1].rejection.error_code == "cusdep.exchange.bad_signature"
    assert response.acks[1].rejection.status_code == 9  # FAILED_PRECONDITION


def test_a_refused_tls_handshake_is_named_in_the_rows_error() -> None:
    import grpc

    from node.exchange.outbox import _why

    def failed(details: str) -> grpc.aio.AioRpcError:
        empty = grpc.aio.Metadata()
        return grpc.aio.AioRpcError(grpc.StatusCode.UNAVAILABLE, empty, empty, details=details)

    pinned = failed("failed to connect: Ssl handshake failed: CERTIFICATE_VERIFY_FAILED")
    assert _why(pinned).startswith("TLS handshake refused: the partner's certificate")
    assert _why(failed("Socket closed")) == "Socket closed"  # an outage stays one
    # refused by a partner that has not pinned this node (what a real one answers: see
    # tests/integration/exchange/test_core_log.py); one that is down refuses the connection
    unpinned = "failed to connect to all addresses; last error: UNAVAILABLE: ipv4:127.0.0.1:1: "
    assert _why(failed(unpinned + "Socket closed")).startswith(
        "connection closed by the partner during TLS set-up: most likely it has not pinned"
    )
    down = failed(unpinned + "Connection refused")
    assert _why(down) == unpinned + "Connection refused"
