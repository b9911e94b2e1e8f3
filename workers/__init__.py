"""Job functions the RQ worker runs: each takes ids or plain values, opens its own app context."""
