"""DEFRA border formats: IPAFFS CHED notifications and ALVS clearance requests/decisions."""

from adapters.defra.alvs import AlvsClearanceAdapter, AlvsDecision, ItemDecision, read_decision
from adapters.defra.ipaffs import IpaffsChedAdapter

__all__ = [
    "AlvsClearanceAdapter",
    "AlvsDecision",
    "IpaffsChedAdapter",
    "ItemDecision",
    "read_decision",
]
