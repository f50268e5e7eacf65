"""S3Backend: every S3 behaviour over the store and the body files, one method per operation with plain arguments
(buckets: backend_buckets.py; objects and listings: backend_objects.py; multipart uploads: backend_multipart.py;
the lifecycle sweep: backend_lifecycle.py; the website endpoint's reads: backend_website.py; S3 Select:
backend_select.py; configurations kept but not acted on, replication and Object Lock: backend_configs.py); kept
by the start hook, reached with backend(ctx)."""

from __future__ import annotations

from ...aws.context import RequestContext
from .backend_configs import ConfigsMixin
from .backend_lifecycle import LifecycleMixin
from .backend_select import SelectMixin
from .backend_website import WebsiteMixin


class S3Backend(WebsiteMixin, LifecycleMixin, SelectMixin, ConfigsMixin):
    """S3 over one store, clock and BlobStore."""


def backend(ctx: RequestContext) -> S3Backend:
    return ctx.runtime.state(S3Backend)
