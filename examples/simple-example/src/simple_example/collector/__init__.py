"""Events that run several steps concurrently over one payload (collectors)."""
