"""The AWS protocol engine: models, routing, parsing, validation, serialising, dispatch.

Nothing in this package imports a service.
"""
