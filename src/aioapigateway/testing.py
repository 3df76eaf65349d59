"""Helpers for testing code that uses the client, with no network: :class:`Stubber`.

A ``Stubber`` queues the responses (and errors) that a client's next calls return, checks
each call's parameters against what the test expects, and fails clearly on an unexpected
call. It works like botocore's ``Stubber`` but with this library's types: a response is an
instance of the operation's output model class (or a boto3-style dict of it), an error is
the modeled ``errors`` class.

Example (pytest with pytest-asyncio)::

    from aioapigateway import ApiGatewayClient, errors, models
    from aioapigateway.testing import Stubber


    async def api_name(client: ApiGatewayClient, api_id: str) -> str | None:
        try:
            return (await client.get_rest_api(rest_api_id=api_id)).name
        except errors.NotFoundException:
            return None


    async def test_api_name() -> None:
        client = ApiGatewayClient(region="us-east-1")  # no I/O: stubbed calls never send
        async with Stubber(client) as stubber:
            stubber.add_response(
                "get_rest_api",
                models.RestApi(id="abc", name="pets"),
                expected_params={"rest_api_id": "abc"},
            )
            stubber.add_client_error(
                "get_rest_api",
                "NotFoundException",
                "Invalid API identifier specified",
                expected_params={"rest_api_id": "nope"},
            )
            assert await api_name(client, "abc") == "pets"
            assert await api_name(client, "nope") is None
        # Leaving the block checked that every queued response was used.

Behaviour:

- Responses are used in the order they were added, whatever the operation; a call to
  another operation than the next queued one, or a call with nothing queued, raises
  :class:`StubAssertionError` (an ``AssertionError``).
- ``method`` is the client's method name (``"get_rest_api"``) or the model's operation name
  (``"GetRestApi"``). Paginators (``client.paginate_get_rest_apis()``) call the operation
  once per page, so queue one response per page.
- ``expected_params`` (keyword arguments by their Python names; arguments left out or
  ``None`` are "not sent") must be valid for the operation: they are validated by the real
  serializer when added. A call must pass exactly those arguments. The actual arguments are
  validated too, so invalid input raises ``errors.ParamValidationError`` as it would for real.
- ``async with Stubber(client) as stubber:`` (or ``with``) activates the stubber and, on a
  clean exit, checks that no queued response is left; ``activate()`` / ``deactivate()`` and
  :meth:`Stubber.assert_no_pending_responses` do the same by hand. While inactive, the client
  makes real calls; an active stubber adds nothing to the cost of an unstubbed client.
- A stubbed call stops where the real one would start sending: nothing is resolved
  (region, credentials), no session is opened, and retries and hooks do not run.
"""

from aioapigateway.runtime.testing import StubAssertionError, Stubber

__all__ = ["StubAssertionError", "Stubber"]
