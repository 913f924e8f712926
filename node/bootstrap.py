"""The composition root: the only place that chooses implementations.

``build_node(settings, **overrides)`` wires storage, chain, registry, anchoring, exchange and
verification. The CLI, the API lifespan, the gRPC server, the simulator and tests all call it;
tests pass fakes through ``overrides`` (``db=``, ``chain_anchor=``, ``registry_chain=``).
"""

from __future__ import annotations

import logging
from typing import Any

from node.config import Settings
from node.runtime import Node
from node.storage.blobs import BlobStore
from node.storage.db import Database

logger = logging.getLogger(__name__)


def build_node(settings: Settings, **overrides: Any) -> Node:
    node = _bare_node(settings, overrides.pop("db", None))
    _wire_chain(node, overrides)
    _wire_exchange(node, overrides)
    _wire_review_and_api(node, overrides)
    for name, value in overrides.items():
        setattr(node, name, value)
    return node


def build_exchange(settings: Settings) -> Node:
    """The node's exchange alone (database, documents, identity), for one-shot commands that
    queue or list messages (``cusdep send``, ``cusdep messages``): they need neither the chain
    nor the API, whose modules took most of their start-up (2.5 s, now under 1 s); what they
    queue the running node delivers."""
    node = _bare_node(settings, None)
    node.exchange = _exchange_service(node)
    return node


def _bare_node(settings: Settings, db: Database | None) -> Node:
    import functools

    from node.retention.service import disposed_error

    db = db or Database(settings.database_url)
    db.migrate()
    blobs = BlobStore(settings.home / "blobs", gone=functools.partial(disposed_error, db))
    return Node(settings=settings, db=db, blobs=blobs)


def _exchange_service(node: Node) -> Any:
    from node.exchange.service import ExchangeService
    from node.identity import load_identity

    identity = load_identity(node.settings.home, node.settings.node.id)
    return ExchangeService(node.settings, node.db, node.blobs, identity)


def _wire_chain(node: Node, overrides: dict[str, Any]) -> None:
    from node.anchoring.service import AnchorService
    from node.anchoring.worker import AnchorWorker
    from node.registry.service import RegistryService
    from node.registry.worker import RegistryWorker

    settings = node.settings
    anchor_port = overrides.pop("chain_anchor", None)
    registry_port = overrides.pop("registry_chain", None)
    if anchor_port is None or registry_port is None:
        from node.chain.wiring import Chain

        node.chain = Chain(settings)
        node.resources.append(node.chain)
        anchor_port = anchor_port or node.chain.anchor
        registry_port = registry_port or node.chain.registry
    node.anchoring = AnchorService(
        node.db, anchor_port, actor=settings.node.id, settings=settings.anchoring
    )
    node.registry = RegistryService(
        node.db, node.blobs, registry_port, country=settings.node.country, actor=settings.node.id
    )
    node.workers.append(AnchorWorker(node.anchoring))
    node.workers.append(RegistryWorker(node.registry))


def _wire_exchange(node: Node, overrides: dict[str, Any]) -> None:
    """Exchange service (send/receive/messages) and its workers: the gRPC server, the outbox
    and the blob materializer. ``grpc_port=0`` in overrides binds an ephemeral port (tests)."""
    from node.exchange.blobs import BlobMaterializer
    from node.exchange.grpc_server import GrpcExchangeServer
    from node.exchange.outbox import OutboxWorker
    from node.inbound import claim_delivery

    node.exchange = _exchange_service(node)
    node.workers.append(GrpcExchangeServer(node.exchange, port=overrides.pop("grpc_port", None)))
    node.workers.append(OutboxWorker(node.exchange))
    node.workers.append(
        BlobMaterializer(node.db, node.blobs, busy=node.exchange.inbox.busy, claim=claim_delivery)
    )
    _wire_sync(node)


def _wire_sync(node: Node) -> None:
    """Registry records shared with partners, what partners send applied, and review outcomes
    reported back to the partner that sent the document."""
    from node.applier import MessageApplier
    from node.exchange.outcomes import OutcomeNotifier
    from node.registry.sync import RegistryPublisher

    assert node.exchange is not None
    if node.registry is not None:
        node.registry.publisher = RegistryPublisher(
            node.exchange, node.blobs, node.settings.node.country
        )
    node.workers.append(
        MessageApplier(
            node.db,
            node.blobs,
            node.registry.chain if node.registry else None,
            node.anchoring.chain if node.anchoring else None,
        )
    )
    node.workers.append(OutcomeNotifier(node.db, node.exchange, node.anchoring))


def _wire_review_and_api(node: Node, overrides: dict[str, Any]) -> None:
    """Review service + worker (``verifier=`` overrides the pipeline) and the REST/UI server
    (``api_port=0`` binds an ephemeral port)."""
    from node.api.server import ApiServer
    from node.inbound import InboundRouter
    from node.review.service import ReviewService
    from node.review.verifier import node_rules
    from node.review.worker import ReviewWorker

    verifier = overrides.pop("verifier", None)
    if verifier is None and node.registry is not None:
        from node.review.verifier import PipelineVerifier

        verifier = PipelineVerifier(node.settings, node.db, node.blobs, node.registry.chain)
    review = ReviewService(
        node.db,
        node.blobs,
        node.anchoring,
        verifier,
        evidence_root=node.settings.home / "evidence",
        actor=node.settings.node.id,
        limits=node.settings.verification.intake_limits(),
        rules=node_rules(node.settings),
    )
    node.extras["review"] = review
    if node.exchange is not None:
        from node.exchange.withdrawals import Withdrawals

        review.withdrawals = Withdrawals(node.exchange)
    node.workers.append(ReviewWorker(review))
    node.workers.append(
        InboundRouter(
            node.db,
            node.blobs,
            node.anchoring,
            actor=node.settings.node.id,
            review_wakeup=review.wakeup,
        )
    )
    node.workers.append(ApiServer(node, port=overrides.pop("api_port", None)))
    _wire_retention(node)


def _wire_retention(node: Node) -> None:
    """The retention policy (off unless ``[retention] documents_days`` is set) and its worker."""
    from node.retention.service import RetentionService
    from node.retention.worker import RetentionWorker

    service = RetentionService(
        node.db,
        node.blobs,
        home=node.settings.home,
        settings=node.settings.retention,
        actor=node.settings.node.id,
    )
    node.extras["retention"] = service
    node.workers.append(RetentionWorker(service))
