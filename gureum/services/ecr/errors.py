"""ECR's error codes and the messages AWS words them with."""

from __future__ import annotations

from ...aws.errors import ServiceError, error_class

RepositoryNotFoundException = error_class("RepositoryNotFoundException")
RepositoryAlreadyExistsException = error_class("RepositoryAlreadyExistsException")
RepositoryNotEmptyException = error_class("RepositoryNotEmptyException")
RepositoryPolicyNotFoundException = error_class("RepositoryPolicyNotFoundException")
RegistryPolicyNotFoundException = error_class("RegistryPolicyNotFoundException")
LifecyclePolicyNotFoundException = error_class("LifecyclePolicyNotFoundException")
LifecyclePolicyPreviewNotFoundException = error_class("LifecyclePolicyPreviewNotFoundException")
ImageNotFoundException = error_class("ImageNotFoundException")
ImageAlreadyExistsException = error_class("ImageAlreadyExistsException")
ImageTagAlreadyExistsException = error_class("ImageTagAlreadyExistsException")
ImageDigestDoesNotMatchException = error_class("ImageDigestDoesNotMatchException")
LayersNotFoundException = error_class("LayersNotFoundException")
LayerAlreadyExistsException = error_class("LayerAlreadyExistsException")
LayerInaccessibleException = error_class("LayerInaccessibleException")
InvalidLayerException = error_class("InvalidLayerException")
InvalidLayerPartException = error_class("InvalidLayerPartException")
EmptyUploadException = error_class("EmptyUploadException")
UploadNotFoundException = error_class("UploadNotFoundException")
ReferencedImagesNotFoundException = error_class("ReferencedImagesNotFoundException")
InvalidParameterException = error_class("InvalidParameterException")
InvalidTagParameterException = error_class("InvalidTagParameterException")
TooManyTagsException = error_class("TooManyTagsException")
LimitExceededException = error_class("LimitExceededException")
ValidationException = error_class("ValidationException")
AccessDeniedException = error_class("AccessDeniedException")
ServerException = error_class("ServerException", 500, sender_fault=False)

__all__ = [name for name in dir() if name.endswith("Exception")] + [
    "ServiceError",
    "repository_not_found",
    "repository_exists",
    "image_not_found",
    "layers_not_found",
    "upload_not_found",
    "invalid_parameter",
]


def repository_not_found(name: str, account: str) -> ServiceError:
    return RepositoryNotFoundException(
        f"The repository with name '{name}' does not exist in the registry with id '{account}'"
    )


def repository_exists(name: str, account: str) -> ServiceError:
    return RepositoryAlreadyExistsException(
        f"The repository with name '{name}' already exists in the registry with id '{account}'"
    )


def image_not_found(digest: str | None, tag: str | None, name: str, account: str) -> ServiceError:
    return ImageNotFoundException(
        f"The image with imageId {{imageDigest:'{digest or 'null'}', imageTag:'{tag or 'null'}'}} does not exist "
        f"within the repository with name '{name}' in the registry with id '{account}'"
    )


def layers_not_found(digests: list[str], name: str, account: str) -> ServiceError:
    return LayersNotFoundException(
        f"Layers with digests '[{', '.join(digests)}]' required for pushing image into repository with name "
        f"'{name}' in registry with id '{account}' do not exist"
    )


def upload_not_found(upload_id: str, name: str, account: str) -> ServiceError:
    return UploadNotFoundException(
        f"Upload with id '{upload_id}' does not exist in the repository with name '{name}' in the registry with id "
        f"'{account}'"
    )


def invalid_parameter(member: str, constraint: str) -> ServiceError:
    return InvalidParameterException(f"Invalid parameter at '{member}' failed to satisfy constraint: '{constraint}'")
