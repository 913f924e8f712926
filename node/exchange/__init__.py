"""Node-to-node exchange: signed envelopes over gRPC with mutual TLS, delivered exactly once.

Public surface (what the rest of the node and the REST layer use):
  ExchangeService          node/exchange/service.py: send, messages, document, partners, receive
  PartnerCard              node/exchange/partners.py: what ``partner export`` prints
  GrpcExchangeServer       node/exchange/grpc_server.py: the lifecycle component serving gRPC
  OutboxWorker             node/exchange/outbox.py: the lifecycle component delivering the outbox
"""
