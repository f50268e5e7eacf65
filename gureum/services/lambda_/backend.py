"""Lambda's backend: one object per server (kept with ``runtime.keep`` at start) whose methods, taking plain
arguments, serve every operation, the LambdaInvoker port, the delivery targets, the function URL front and the
event source mappings. Its methods are written by resource in backend_core.py (state, activation, running),
backend_functions.py, backend_invoke.py and backend_configs.py; behaviour lives in the domain modules they call and
SQL in store*.py. The lifespan hooks start and stop it.
"""

from __future__ import annotations

from ...ports import LambdaInvoker
from ...runtime import Runtime
from . import SERVICE, iam, provisioned, store
from .backend_configs import ConfigsApi
from .backend_image import ImageApi
from .backend_invoke import InvokeApi
from .esm import Pollers


class LambdaBackend(ImageApi, InvokeApi, ConfigsApi):  # ImageApi: container images, then FunctionsApi's zips
    def __init__(self, runtime: Runtime) -> None:
        super().__init__(runtime)
        self.pollers = Pollers(runtime, self)  # the event source mappings' pollers, invoking through this object

    async def start(self) -> None:
        self.runtime.spawn(self.pool.sweep(), "lambda-idle-sweep")
        # functions a previous run left half-created or half-updated finish now
        for fn in await self.store.read(store.unfinished_functions):
            self._activate_later(fn)
        self.runtime.spawn(self.pollers.run(), "lambda-esm-pollers")
        # provisioned environments are processes: none survived, every configuration is warmed again
        for fn, qualifier, requested, stamp in await self.store.write(provisioned.restart_all):
            self._warm_later(fn, qualifier, requested, stamp)


def backend(runtime: Runtime) -> LambdaBackend:
    return runtime.state(LambdaBackend)


@SERVICE.on_start
async def _start(runtime: Runtime) -> None:
    be = runtime.keep(LambdaBackend(runtime))
    runtime.provide(LambdaInvoker, be)  # LambdaBackend.invoke is the port
    iam.register(runtime)  # IAM enforcement reads function policies
    await be.start()


@SERVICE.on_stop
async def _stop(runtime: Runtime) -> None:
    await backend(runtime).pool.stop_all()


@SERVICE.on_reset
async def _reset(runtime: Runtime) -> None:
    await backend(runtime).pool.reset()
