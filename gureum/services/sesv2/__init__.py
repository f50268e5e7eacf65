"""Amazon SES v2 (rest-json): the same identities, account, templates, configuration sets and sending as SES v1
(plus the suppression list and contact lists, kept by the ses package too),
over the SesMail port the ses package provides (services never import each other). This package keeps no state
of its own: its operations translate SES v2's shapes and error codes (errors.py)."""

from __future__ import annotations

from ...aws.validate import Rules
from .. import Service

# SES v2 has no ValidationException: input that breaks the model's constraints is a BadRequestException
SERVICE: Service = Service("sesv2", validation=Rules(code="BadRequestException"))

from . import (  # noqa: E402,F401
    ops_account,
    ops_configuration_sets,
    ops_contacts,
    ops_identities,
    ops_pools,
    ops_sending,
    ops_suppression,
    ops_tags,
    ops_templates,
)
