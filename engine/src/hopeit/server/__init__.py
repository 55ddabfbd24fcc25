"""The hopeit.engine runtime: config loading, the step engine, app engines, streams, logging."""
