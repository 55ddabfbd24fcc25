"""Events that publish to and consume from streams."""
