"""SERVICE events: long-running generators started with the server."""
