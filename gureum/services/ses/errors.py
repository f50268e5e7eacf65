"""SES (v1) error codes as clients see them (query protocol codes; the model's shape names where they differ).
SES v2 maps these onto its own codes (gureum.services.sesv2.errors)."""

from __future__ import annotations

from ...aws.errors import ServiceError, error_class

MessageRejected = error_class("MessageRejected")
Throttling = error_class("Throttling")
AccountSendingPaused = error_class("AccountSendingPausedException")
ConfigurationSetSendingPaused = error_class("ConfigurationSetSendingPausedException")
AlreadyExists = error_class("AlreadyExists", type_name="AlreadyExistsException")
TemplateDoesNotExist = error_class("TemplateDoesNotExist", type_name="TemplateDoesNotExistException")
ConfigurationSetDoesNotExist = error_class(
    "ConfigurationSetDoesNotExist", type_name="ConfigurationSetDoesNotExistException"
)
ConfigurationSetAlreadyExists = error_class(
    "ConfigurationSetAlreadyExists", type_name="ConfigurationSetAlreadyExistsException"
)
EventDestinationDoesNotExist = error_class(
    "EventDestinationDoesNotExist", type_name="EventDestinationDoesNotExistException"
)
EventDestinationAlreadyExists = error_class(
    "EventDestinationAlreadyExists", type_name="EventDestinationAlreadyExistsException"
)
InvalidTemplate = error_class("InvalidTemplate", type_name="InvalidTemplateException")
MissingRenderingAttribute = error_class("MissingRenderingAttribute", type_name="MissingRenderingAttributeException")
InvalidRenderingParameter = error_class("InvalidRenderingParameter", type_name="InvalidRenderingParameterException")
InvalidParameterValue = error_class("InvalidParameterValue")
LimitExceeded = error_class("LimitExceeded", type_name="LimitExceededException")
# SES v2 only: an identity the caller names that does not exist (SES v1 answers those calls without an error)
NotFound = error_class("NotFoundException", 404, type_name="NotFoundException")

__all__ = [
    "ServiceError",
    "MessageRejected",
    "Throttling",
    "AccountSendingPaused",
    "ConfigurationSetSendingPaused",
    "AlreadyExists",
    "TemplateDoesNotExist",
    "ConfigurationSetDoesNotExist",
    "ConfigurationSetAlreadyExists",
    "EventDestinationDoesNotExist",
    "EventDestinationAlreadyExists",
    "InvalidTemplate",
    "MissingRenderingAttribute",
    "InvalidRenderingParameter",
    "InvalidParameterValue",
    "LimitExceeded",
    "NotFound",
]

# receiving
RuleSetDoesNotExist = error_class("RuleSetDoesNotExist", type_name="RuleSetDoesNotExistException")
RuleDoesNotExist = error_class("RuleDoesNotExist", type_name="RuleDoesNotExistException")
CannotDelete = error_class("CannotDelete", type_name="CannotDeleteException")
__all__ += ["RuleSetDoesNotExist", "RuleDoesNotExist", "CannotDelete"]

# sending authorization, MAIL FROM
AccessDenied = error_class("AccessDenied", 403)
InvalidPolicy = error_class("InvalidPolicy", type_name="InvalidPolicyException")
MailFromDomainNotVerified = error_class(
    "MailFromDomainNotVerifiedException", type_name="MailFromDomainNotVerifiedException"
)
__all__ += ["AccessDenied", "InvalidPolicy", "MailFromDomainNotVerified"]
TrackingOptionsAlreadyExists = error_class("TrackingOptionsAlreadyExistsException")
TrackingOptionsDoesNotExist = error_class("TrackingOptionsDoesNotExistException")
__all__ += ["TrackingOptionsAlreadyExists", "TrackingOptionsDoesNotExist"]
InvalidS3Configuration = error_class("InvalidS3Configuration", type_name="InvalidS3ConfigurationException")
__all__ += ["InvalidS3Configuration"]
InvalidSnsTopic = error_class("InvalidSnsTopic", type_name="InvalidSnsTopicException")
InvalidLambdaFunction = error_class("InvalidLambdaFunction", type_name="InvalidLambdaFunctionException")
__all__ += ["InvalidSnsTopic", "InvalidLambdaFunction"]
