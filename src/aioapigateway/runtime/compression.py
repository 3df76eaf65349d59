"""Request compression for operations with the ``requestcompression`` trait.

As botocore: a body of at least ``min_size`` bytes (default 10240) is gzip-compressed when
the operation lists ``gzip`` among its encodings, and ``Content-Encoding`` gets ``gzip``
appended; ``disable_request_compression`` turns it off.
"""

from __future__ import annotations

import gzip

from aioapigateway.runtime.serialize import PreparedRequest

__all__ = ["compress_request"]


def compress_request(request: PreparedRequest, encodings: tuple[str, ...], min_size: int) -> bool:
    """Compress ``request`` in place when its operation allows it; returns whether it did."""
    if "gzip" not in encodings or len(request.body) < min_size or not request.body:
        return False
    # mtime=0: the same body always compresses to the same bytes (and the same signature).
    request.body = gzip.compress(request.body, mtime=0)
    for name, value in request.headers.items():
        if name.lower() == "content-encoding":
            request.headers[name] = f"{value},gzip"
            break
    else:
        request.headers["Content-Encoding"] = "gzip"
    return True
