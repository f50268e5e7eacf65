"""Amazon SES v2 (rest-json): the same identities, account, templates, configuration sets and sending as SES v1,
over the SesMail port the ses package provides (services never import each other). This package keeps no state
of its own: its operations translate SES v2's shapes and error codes (errors.py)."""

from __future__ import annotations

from .. import Service

SERVICE: Service = Service("sesv2")

from . import ops_account, ops_configuration_sets, ops_identities, ops_sending, ops_templates  # noqa: E402,F401
