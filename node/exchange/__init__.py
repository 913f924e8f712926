"""Node-to-node exchange: signed envelopes over gRPC with mutual TLS, delivered exactly once.

Public surface (what the rest of the node and the REST layer use):
  ExchangeService      service.py: send / send_many / send_message / queue / send_now, messages,
                       rejections, receipt, document; receive (for the gRPC edge)
  PartnerCard          partners.py: what ``partner export`` prints; parse_card, add_partner
  GrpcExchangeServer   grpc_server.py: lifecycle component serving Exchange, health, reflection
  OutboxWorker         outbox.py: lifecycle component streaming the durable outbox per partner
  BlobMaterializer     blobs.py: lifecycle component copying exchanged documents into BlobStore
  OutcomeNotifier      outcomes.py: lifecycle component reporting review outcomes to the partner
                       that sent the document; check_outcome for outcomes received
Wire format: protos/cusdep/exchange/v1/*.proto (stubs in _pb/, `make proto`).
"""
