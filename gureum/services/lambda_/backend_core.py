"""The core of Lambda's backend object: its state on this node (the environment pool, activations under way,
failed asynchronous attempts, provisioned configurations following their alias) and what every part of it uses:
finding a function version, activating new code, running one invocation. backend.py assembles the parts.
"""

from __future__ import annotations

import asyncio

from ...delivery import Delivery
from ...policy import Principal
from ...runtime import Runtime
from . import access, aliases, policy, provisioned, versions
from .access import own_account
from .environment import Outcome
from .errors import conflict, function_not_found
from .functions import Function, FunctionRef, function_arn, parse_function_name
from .image import ImagePool
from .pool import Invocation


def activation_key(fn: Function) -> str:
    """What an activation is waited for by: the version and its generation (a state or policy change keeps it)."""
    return f"{fn.qualified_arn}#{fn.generation}"


class LambdaCore:
    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.store = runtime.store
        self.clock = runtime.clock
        self.pool = ImagePool(runtime)  # EnvironmentPool's zip environments, and Image functions' containers
        # a create's or update's activation key (activation_key) → set once its code is unpacked on this node
        self.activated: dict[str, asyncio.Event] = {}
        # request id → failed attempts of an Event invocation on this node (a success's approximateInvokeCount)
        self.failed_attempts: dict[str, int] = {}
        # provisioned configurations (alias ARNs) whose environments are being moved to the alias's new version
        self.following: set[str] = set()

    @property
    def delivery(self) -> Delivery:
        return self.runtime.delivery

    async def load_function(
        self, account: str, region: str, name: str, qualifier: str | None, route: bool = False
    ) -> Function:
        """The function version a (name, qualifier) names; ResourceNotFoundException when there is none. With
        ``route`` (an invocation) an alias's RoutingConfig weights apply, and its own event invoke config."""
        fn = await self.store.read(
            lambda tx: aliases.resolve(tx, account, region, name, qualifier, weighted=route, own=route)
        )
        if fn is None:
            raise function_not_found(function_arn(region, account, name, qualifier))
        return fn

    async def _function(self, account: str, region: str, function_name: str, qualifier: str | None = None) -> Function:
        ref = parse_function_name(function_name, qualifier)
        return await self.load_function(own_account(account, ref), ref.region or region, ref.name, ref.qualifier)

    async def reach(self, account: str, access_key: str, region: str, ref: FunctionRef, action: str) -> str:
        """The account owning the function ``ref`` names: the caller's own, or another account's whose function (or
        alias) policy grants the caller ``action`` (else AccessDeniedException, the function's existence untold)."""
        if not ref.account or ref.account == account:
            return account
        owner, where = ref.account, ref.region or region
        found = await self.store.read(lambda tx: policy.statements(tx, owner, where, ref.name, ref.qualifier))
        principal = Principal(account, await self.runtime.principal_arn(account, access_key))
        resource = function_arn(where, owner, ref.name, ref.qualifier)
        access.check(principal, action, resource, None if found is None else found[1])
        return owner

    @staticmethod
    def _named(account: str, region: str, function_name: str) -> tuple[str, str, str]:
        """(account, region, name) of a FunctionName (a qualifier in it is ignored)."""
        ref = parse_function_name(function_name)
        return own_account(account, ref), ref.region or region, ref.name

    # --- activation -------------------------------------------------------------------------------

    def _activate_later(self, fn: Function) -> None:
        """Unpack the code in the background, then mark the function Active / Successful (if nothing changed since)."""
        event = self.activated.setdefault(activation_key(fn), asyncio.Event())

        async def activate() -> None:
            reason: str | None = None
            try:
                await self.pool.ensure_runtime(fn.runtime)  # a Node.js major fetched on first use: Pending till then
            except Exception as exc:
                reason = f"gureum could not install the runtime {fn.runtime}: {exc}"
            try:
                await self.pool.ensure_code(fn)
            except Exception as exc:
                reason = reason or f"gureum could not unpack the code: {exc}"
            await self.store.write(lambda tx: versions.finish_activation(tx, fn, reason))
            event.set()
            self.activated.pop(activation_key(fn), None)

        self.runtime.spawn(activate(), f"lambda-activate-{fn.name}")

    async def wait_active(self, fn: Function, seconds: float = 10.0) -> Function:
        """A Pending function is invoked once its code is ready (AWS refuses; gureum's Pending lasts milliseconds)."""
        if fn.state != "Pending":
            return fn
        event = self.activated.get(activation_key(fn))
        if event is not None:
            try:
                await asyncio.wait_for(event.wait(), seconds)
            except TimeoutError:
                pass
        fn = await self.load_function(fn.account, fn.region, fn.name, fn.version)
        if fn.state != "Active":
            raise conflict(
                "The operation cannot be performed at this time. The function is currently in the following state: "
                f"{fn.state}"
            )
        return fn

    # --- running ----------------------------------------------------------------------------------

    async def run(self, fn: Function, inv: Invocation) -> Outcome:
        """One invocation of a resolved version, whoever asks (Invoke, the port, asynchronous deliveries): once it is
        Active, in a provisioned, warm or new environment of this node. An invocation through an alias whose
        provisioned environments serve another version (the alias moved) moves them along."""
        fn = await self.wait_active(fn)
        wanted = self.pool.provisioned_version(inv.invoked_arn)
        if wanted is not None and wanted != fn.qualified_arn:
            self._follow_alias(inv.invoked_arn)
        return await self.pool.invoke(fn, inv)

    def _warm_later(self, fn: Function, qualifier: str, requested: int, stamp: str) -> None:
        """Start the configuration's environments in the background, then record READY (or FAILED) unless the
        configuration changed meanwhile."""
        key = function_arn(fn.region, fn.account, fn.name, qualifier)

        async def warm() -> None:
            ready, reason = await self.pool.provision(key, fn, requested)
            await self.store.write(
                lambda tx: provisioned.record_ready(tx, fn, qualifier, stamp, requested, ready, reason)
            )

        self.runtime.spawn(warm(), f"lambda-provision-{fn.name}")

    def _follow_alias(self, key: str) -> None:
        """An alias with provisioned concurrency now points at another version: warm that version's environments
        (the next invocations through the alias use them; the old version's are stopped)."""
        if key in self.following:
            return
        self.following.add(key)
        ref = parse_function_name(key)
        account, region, name, qualifier = str(ref.account), str(ref.region), ref.name, str(ref.qualifier)

        async def follow() -> None:
            try:
                found = await self.store.read(
                    lambda tx: provisioned.current_target(tx, account, region, name, qualifier)
                )
                wanted = self.pool.provisioned_version(key)
                if found is not None and wanted is not None and found[0].qualified_arn != wanted:
                    self._warm_later(found[0], qualifier, found[1], found[2])
            finally:
                self.following.discard(key)

        self.runtime.spawn(follow(), f"lambda-provision-follow-{name}")
