"""Phone menus as data (ivr_flows/) and the pure engine that steps a call through them."""

from __future__ import annotations

from helpline.flows.engine import CallState, Heard, Line, Menu, Turn, begin, offer_message, step
from helpline.flows.model import Flow, FlowError, load_flow

__all__ = [
    "CallState",
    "Flow",
    "FlowError",
    "Heard",
    "Line",
    "Menu",
    "Turn",
    "begin",
    "load_flow",
    "offer_message",
    "step",
]
