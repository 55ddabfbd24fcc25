"""An app written as for hopeit.engine 0.24, to compare OpenAPI specs with the ones 0.24 made."""
