"""An app whose events cannot run as written: the server must refuse to start it."""
