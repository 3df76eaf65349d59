"""The error codes and statuses that mean "try again", and the server's clock.

Shared by the API client's retries (:mod:`.retry`) and the credential providers' STS calls,
which must not import the retry machinery: botocore's throttling and transient codes, its
legacy handler's codes and statuses, the clock-skew error codes the AWS SDKs share, and
:func:`clock_offset_from` (server time minus local time, from a response's ``Date``).
"""

from __future__ import annotations

import datetime
import time
from email.utils import parsedate_to_datetime
from typing import Final

__all__ = ["CLOCK_SKEW_CODES", "THROTTLING_CODES", "TRANSIENT_CODES", "clock_offset_from"]


#: botocore's ThrottledRetryableChecker codes.
THROTTLING_CODES: Final = frozenset(
    {
        "Throttling",
        "ThrottlingException",
        "ThrottledException",
        "RequestThrottledException",
        "TooManyRequestsException",
        "ProvisionedThroughputExceededException",
        "TransactionInProgressException",
        "RequestLimitExceeded",
        "BandwidthLimitExceeded",
        "LimitExceededException",
        "RequestThrottled",
        "SlowDown",
        "PriorRequestNotComplete",
        "EC2ThrottledException",
    }
)
#: botocore's TransientRetryableChecker codes and statuses.
TRANSIENT_CODES: Final = frozenset(
    {"RequestTimeout", "RequestTimeoutException", "PriorRequestNotComplete"}
)
TRANSIENT_STATUS: Final = frozenset({500, 502, 503, 504})
THROTTLING_STATUS: Final = 429
#: botocore's legacy handler (``_retry.json``): these codes count only with HTTP 400.
LEGACY_THROTTLING_CODES: Final = frozenset(
    {
        "Throttling",
        "ThrottlingException",
        "ThrottledException",
        "RequestThrottledException",
        "ProvisionedThroughputExceededException",
    }
)
LEGACY_STATUS: Final = frozenset({429, 500, 502, 503, 504, 509})
#: Errors meaning the request's signing time and the server's clock disagree (the list the
#: AWS SDKs share; botocore itself does not correct clock skew).
CLOCK_SKEW_CODES: Final = frozenset(
    {
        "AuthFailure",
        "InvalidSignatureException",
        "RequestExpired",
        "RequestInTheFuture",
        "RequestTimeTooSkewed",
        "SignatureDoesNotMatch",
    }
)
#: A skew smaller than this is clock noise, not the reason a request was refused.
CLOCK_SKEW_THRESHOLD: Final = 60.0


def clock_offset_from(date: str | None, *, now: float | None = None) -> float | None:
    """Server time minus local time, in seconds, from a response's ``Date`` header."""
    if not date:
        return None
    server = _http_date(date)
    if server is None:
        return None
    return server - (time.time() if now is None else now)


def _http_date(text: str) -> float | None:
    try:
        parsed = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if parsed.tzinfo is None:  # "-0000": UTC by RFC 5322
        parsed = parsed.replace(tzinfo=datetime.UTC)
    try:
        return parsed.timestamp()
    except (OverflowError, OSError, ValueError):
        return None
