"""What the helpline keeps about families: opt-outs and callback requests (personal data)."""
