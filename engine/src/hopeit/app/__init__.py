"""What apps import: config, context, events, api, logger, errors and client."""
