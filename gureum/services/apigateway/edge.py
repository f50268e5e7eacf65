from typing import Any
def claims(request: Any) -> bool:
    return False
async def handle(runtime: Any, request: Any) -> Any:
    raise NotImplementedError
