"""Events split into stages by ``SHUFFLE``, joined by automatic streams."""
