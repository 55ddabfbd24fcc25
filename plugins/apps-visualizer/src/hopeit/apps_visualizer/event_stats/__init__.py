"""Live activity of events and streams, from the lifecycle log entries published by log-streamer.

``collect`` (a STREAM event) keeps the latest entries read from ``hopeit.log-streamer.logs``;
``stats`` counts them per event and stream; ``live`` (a GET event) colours the graph with them.
"""
