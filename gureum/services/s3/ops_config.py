"""S3 bucket configuration subresources kept as stored documents (tagging, policy, CORS, lifecycle, encryption,
ownership controls, website, public access block, accelerate, request payment, logging, notifications): each
operation calls one S3Backend method with the subresource's name."""

from __future__ import annotations

from typing import Any

from ...aws.context import RequestContext
from . import SERVICE
from .access import caller
from .backend import backend
from .transfer import requester


@SERVICE.op("GetBucketTagging")
async def get_bucket_tagging(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = await backend(ctx).get_config(await caller(ctx, req), req["Bucket"], "tagging")
    return result


@SERVICE.op("PutBucketTagging")
async def put_bucket_tagging(ctx: RequestContext, req: dict[str, Any]) -> None:
    await backend(ctx).put_config(await caller(ctx, req), req["Bucket"], "tagging", req.get("Tagging") or {})


@SERVICE.op("DeleteBucketTagging")
async def delete_bucket_tagging(ctx: RequestContext, req: dict[str, Any]) -> None:
    await backend(ctx).delete_config(await caller(ctx, req), req["Bucket"], "tagging")


@SERVICE.op("GetBucketPolicy")
async def get_bucket_policy(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return {"Policy": await backend(ctx).get_config(await caller(ctx, req), req["Bucket"], "policy")}


@SERVICE.op("PutBucketPolicy")
async def put_bucket_policy(ctx: RequestContext, req: dict[str, Any]) -> None:
    await backend(ctx).put_config(await caller(ctx, req), req["Bucket"], "policy", req.get("Policy") or "")


@SERVICE.op("DeleteBucketPolicy")
async def delete_bucket_policy(ctx: RequestContext, req: dict[str, Any]) -> None:
    await backend(ctx).delete_config(await caller(ctx, req), req["Bucket"], "policy")


@SERVICE.op("GetBucketCors")
async def get_bucket_cors(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = await backend(ctx).get_config(await caller(ctx, req), req["Bucket"], "cors")
    return result


@SERVICE.op("PutBucketCors")
async def put_bucket_cors(ctx: RequestContext, req: dict[str, Any]) -> None:
    await backend(ctx).put_config(await caller(ctx, req), req["Bucket"], "cors", req.get("CORSConfiguration") or {})


@SERVICE.op("DeleteBucketCors")
async def delete_bucket_cors(ctx: RequestContext, req: dict[str, Any]) -> None:
    await backend(ctx).delete_config(await caller(ctx, req), req["Bucket"], "cors")


@SERVICE.op("GetBucketLifecycleConfiguration")
async def get_bucket_lifecycle_configuration(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = await backend(ctx).get_config(await caller(ctx, req), req["Bucket"], "lifecycle")
    return result


@SERVICE.op("PutBucketLifecycleConfiguration")
async def put_bucket_lifecycle_configuration(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).put_lifecycle(
        await caller(ctx, req), req["Bucket"], req.get("LifecycleConfiguration") or {},
        req.get("TransitionDefaultMinimumObjectSize"),
    )  # fmt: skip


@SERVICE.op("DeleteBucketLifecycle")
async def delete_bucket_lifecycle(ctx: RequestContext, req: dict[str, Any]) -> None:
    await backend(ctx).delete_config(await caller(ctx, req), req["Bucket"], "lifecycle")


@SERVICE.op("GetBucketEncryption")
async def get_bucket_encryption(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    config = await backend(ctx).get_config(await caller(ctx, req), req["Bucket"], "encryption")
    return {"ServerSideEncryptionConfiguration": config}


@SERVICE.op("PutBucketEncryption")
async def put_bucket_encryption(ctx: RequestContext, req: dict[str, Any]) -> None:
    await backend(ctx).put_config(
        await caller(ctx, req), req["Bucket"], "encryption", req.get("ServerSideEncryptionConfiguration") or {}
    )


@SERVICE.op("DeleteBucketEncryption")
async def delete_bucket_encryption(ctx: RequestContext, req: dict[str, Any]) -> None:
    await backend(ctx).delete_config(await caller(ctx, req), req["Bucket"], "encryption")


@SERVICE.op("GetBucketOwnershipControls")
async def get_bucket_ownership_controls(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return {
        "OwnershipControls": await backend(ctx).get_config(await caller(ctx, req), req["Bucket"], "ownershipControls")
    }


@SERVICE.op("PutBucketOwnershipControls")
async def put_bucket_ownership_controls(ctx: RequestContext, req: dict[str, Any]) -> None:
    await backend(ctx).put_config(
        await caller(ctx, req), req["Bucket"], "ownershipControls", req.get("OwnershipControls") or {}
    )


@SERVICE.op("DeleteBucketOwnershipControls")
async def delete_bucket_ownership_controls(ctx: RequestContext, req: dict[str, Any]) -> None:
    await backend(ctx).delete_config(await caller(ctx, req), req["Bucket"], "ownershipControls")


@SERVICE.op("GetBucketWebsite")
async def get_bucket_website(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = await backend(ctx).get_config(await caller(ctx, req), req["Bucket"], "website")
    return result


@SERVICE.op("PutBucketWebsite")
async def put_bucket_website(ctx: RequestContext, req: dict[str, Any]) -> None:
    await backend(ctx).put_config(
        await caller(ctx, req), req["Bucket"], "website", req.get("WebsiteConfiguration") or {}
    )


@SERVICE.op("DeleteBucketWebsite")
async def delete_bucket_website(ctx: RequestContext, req: dict[str, Any]) -> None:
    await backend(ctx).delete_config(await caller(ctx, req), req["Bucket"], "website")


@SERVICE.op("GetPublicAccessBlock")
async def get_public_access_block(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    config = await backend(ctx).get_config(await caller(ctx, req), req["Bucket"], "publicAccessBlock")
    return {"PublicAccessBlockConfiguration": config}


@SERVICE.op("PutPublicAccessBlock")
async def put_public_access_block(ctx: RequestContext, req: dict[str, Any]) -> None:
    await backend(ctx).put_config(
        await caller(ctx, req), req["Bucket"], "publicAccessBlock", req.get("PublicAccessBlockConfiguration") or {}
    )


@SERVICE.op("DeletePublicAccessBlock")
async def delete_public_access_block(ctx: RequestContext, req: dict[str, Any]) -> None:
    await backend(ctx).delete_config(await caller(ctx, req), req["Bucket"], "publicAccessBlock")


@SERVICE.op("GetBucketAccelerateConfiguration")
async def get_bucket_accelerate_configuration(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = await backend(ctx).get_config(await caller(ctx, req), req["Bucket"], "accelerate")
    return result


@SERVICE.op("PutBucketAccelerateConfiguration")
async def put_bucket_accelerate_configuration(ctx: RequestContext, req: dict[str, Any]) -> None:
    await backend(ctx).put_config(
        await caller(ctx, req), req["Bucket"], "accelerate", req.get("AccelerateConfiguration") or {}
    )


@SERVICE.op("GetBucketRequestPayment")
async def get_bucket_request_payment(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = await backend(ctx).get_config(await caller(ctx, req), req["Bucket"], "requestPayment")
    return result or {"Payer": "BucketOwner"}


@SERVICE.op("PutBucketRequestPayment")
async def put_bucket_request_payment(ctx: RequestContext, req: dict[str, Any]) -> None:
    await backend(ctx).put_config(
        await caller(ctx, req), req["Bucket"], "requestPayment", req.get("RequestPaymentConfiguration") or {}
    )


@SERVICE.op("GetBucketLogging")
async def get_bucket_logging(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = await backend(ctx).get_config(await caller(ctx, req), req["Bucket"], "logging")
    return result


@SERVICE.op("PutBucketLogging")
async def put_bucket_logging(ctx: RequestContext, req: dict[str, Any]) -> None:
    await backend(ctx).put_config(
        await caller(ctx, req), req["Bucket"], "logging", req.get("BucketLoggingStatus") or {}
    )


@SERVICE.op("GetBucketNotificationConfiguration")
async def get_bucket_notification_configuration(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = await backend(ctx).get_config(await caller(ctx, req), req["Bucket"], "notification")
    return result


@SERVICE.op("PutBucketNotificationConfiguration")
async def put_bucket_notification_configuration(ctx: RequestContext, req: dict[str, Any]) -> None:
    await backend(ctx).put_notification(
        await caller(ctx, req), req["Bucket"], req.get("NotificationConfiguration") or {}, requester(ctx)
    )


@SERVICE.op("GetObjectLockConfiguration")
async def get_object_lock_configuration(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return {
        "ObjectLockConfiguration": await backend(ctx).get_config(await caller(ctx, req), req["Bucket"], "objectLock")
    }
