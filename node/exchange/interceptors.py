"""The one error translator of the gRPC edge: ``CusdepError`` → status + the stable code in
trailing metadata (``cusdep-error-code``); the database unreachable → UNAVAILABLE; anything else
unexpected → INTERNAL, logged, never a crash."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import grpc

from node.errors import CusdepError, DatabaseUnavailable, database_unavailable
from node.exchange.client import ERROR_CODE_KEY

logger = logging.getLogger(__name__)


async def _abort(context: grpc.aio.ServicerContext, err: CusdepError) -> None:
    await context.abort(
        err.grpc_status, err.message, trailing_metadata=((ERROR_CODE_KEY, err.code),)
    )


def _internal(method: str, err: Exception) -> CusdepError:
    """An unexpected error as the partner is told it: the database unreachable is UNAVAILABLE
    (the sender tries again later) and names no host; anything else INTERNAL, logged."""
    unavailable = database_unavailable(err)
    if unavailable is not None:
        logger.error("%s failed: %s", method, unavailable.message)
        return DatabaseUnavailable("database unavailable: try again later")
    logger.exception("unexpected error in %s", method)
    return CusdepError("internal error")


def _wrap_unary(behaviour: Callable[..., Awaitable[Any]], method: str) -> Callable[..., Any]:
    async def wrapper(request: Any, context: grpc.aio.ServicerContext) -> Any:
        try:
            return await behaviour(request, context)
        except CusdepError as err:
            await _abort(context, err)
        except grpc.aio.AbortError:
            raise
        except Exception as err:
            await _abort(context, _internal(method, err))

    return wrapper


def _wrap_stream(behaviour: Callable[..., AsyncIterator[Any]], method: str) -> Callable[..., Any]:
    async def wrapper(requests: Any, context: grpc.aio.ServicerContext) -> AsyncIterator[Any]:
        try:
            async for item in behaviour(requests, context):
                yield item
        except CusdepError as err:
            await _abort(context, err)
        except grpc.aio.AbortError:
            raise
        except Exception as err:
            await _abort(context, _internal(method, err))

    return wrapper


class ErrorMappingInterceptor(grpc.aio.ServerInterceptor):
    async def intercept_service(
        self,
        continuation: Callable[[grpc.HandlerCallDetails], Awaitable[grpc.RpcMethodHandler]],
        handler_call_details: grpc.HandlerCallDetails,
    ) -> grpc.RpcMethodHandler:
        handler = await continuation(handler_call_details)
        method = handler_call_details.method
        if handler is None or not method.startswith("/cusdep."):
            return handler
        if handler.unary_unary is not None:
            return handler._replace(unary_unary=_wrap_unary(handler.unary_unary, method))  # type: ignore[attr-defined, no-any-return]
        if handler.stream_stream is not None:
            return handler._replace(stream_stream=_wrap_stream(handler.stream_stream, method))  # type: ignore[attr-defined, no-any-return]
        return handler
