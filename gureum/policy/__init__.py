"""Resource policies (SQS queue policies, SNS topic policies, Lambda function policies, ...) evaluated as AWS
evaluates them, for the cross-account checks services make:

    evaluate(policy_text_or_Policy, Request(Principal, "sns:Publish", topic_arn, context)) -> Decision
    not_authorized(principal_arn, "SNS:Publish", topic_arn, decision) -> AWS's message for a refusal

Allow/Deny with explicit deny winning; Principal/NotPrincipal ("*", accounts, root/user/role ARNs, services);
Action/NotAction and Resource/NotResource with wildcards; the Condition operators. Pure: no I/O, no regex built
from policy text, imports nothing from the rest of gureum.

    decide(Ask(Identity, action, resource, context, resource_policy, resource_account)) -> Verdict

is AWS's whole evaluation (engine.py): identity policies, permissions boundaries, session policies and resource
policies, explicit deny first, same-account union and cross-account intersection.
"""

from .caller import Caller, call_context
from .conditions import OPERATORS, ContextValue
from .document import EMPTY, VERSION_2008, VERSION_2012, Condition, Policy, PolicyError, Statement, load, parse
from .engine import Ask, Decisions, Identity, Verdict, decide
from .evaluate import Decision, Principal, Request, evaluate, not_authorized, principal_matches
from .wildcard import Glob, compile_glob, like

__all__ = [
    "EMPTY",
    "Ask",
    "Caller",
    "Decisions",
    "Identity",
    "Verdict",
    "decide",
    "OPERATORS",
    "VERSION_2008",
    "VERSION_2012",
    "Condition",
    "ContextValue",
    "Decision",
    "Glob",
    "Policy",
    "PolicyError",
    "Principal",
    "Request",
    "Statement",
    "call_context",
    "compile_glob",
    "evaluate",
    "like",
    "load",
    "not_authorized",
    "parse",
    "principal_matches",
]
