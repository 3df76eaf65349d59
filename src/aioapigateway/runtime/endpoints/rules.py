"""An evaluator for Smithy endpoint rule sets (``endpoint-rule-set-1.json``).

AWS service models describe how to derive a request's endpoint as a rule set: declared
*parameters* (``Region``, ``UseFIPS``, ``Endpoint``, ...) and an ordered list of *rules*
of type ``endpoint``, ``error`` or ``tree``, each guarded by *conditions* (function calls
that may ``assign`` their result to a variable). :class:`EndpointResolver` evaluates any
service's rule set; nothing here is specific to API Gateway.

Supported functions: ``isSet``, ``not``, ``booleanEquals``, ``stringEquals``,
``getAttr``, ``substring``, ``uriEncode``, ``parseURL``, ``isValidHostLabel``,
``aws.partition``, ``aws.parseArn`` and ``aws.isVirtualHostableS3Bucket``. Calling any
other function is a :class:`~aioapigateway.runtime.errors.ConfigError` when (and only when) a
rule that needs it is evaluated.

Every failure, whether an ``error`` rule, no matching rule, a bad parameter or a
malformed rule set, surfaces as :class:`~aioapigateway.runtime.errors.ConfigError`.
"""

from __future__ import annotations

import re
import types
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Final, NamedTuple

from aioapigateway.runtime.errors import ConfigError

__all__ = ["Endpoint", "EndpointResolver"]


_EMPTY: Final[Mapping[str, Any]] = types.MappingProxyType({})


class Endpoint(NamedTuple):
    """A resolved endpoint.

    ``headers`` maps header names to the values to send; ``properties`` carries
    metadata such as ``authSchemes``. Both may be empty. Resolved endpoints are cached
    and shared between callers, so the resolver hands out read-only mappings (nested
    ``properties`` containers are read-only mappings and tuples). A named tuple rather
    than an attrs class: this module is imported on a client's first call, and defining
    an attrs class costs about five times as much.
    """

    url: str
    headers: Mapping[str, list[str]] = _EMPTY
    properties: Mapping[str, Any] = _EMPTY


# A compiled expression: evaluates against the current variable scope.
_Scope = dict[str, Any]
_Expr = Callable[[_Scope], Any]

# How many resolved endpoints each resolver remembers. A client resolves once, so this
# only has to absorb callers that alternate between a few parameter sets.
_CACHE_SIZE: Final = 64

_PARAM_TYPES: Final = frozenset({"string", "boolean", "stringarray"})


# --------------------------------------------------------------------------------------
# Standard library
# --------------------------------------------------------------------------------------


def _fn_is_set(value: Any) -> bool:
    return value is not None


def _fn_not(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ConfigError(f"not() expects a boolean, got {_type_name(value)}")
    return not value


def _fn_boolean_equals(left: Any, right: Any) -> bool:
    if not isinstance(left, bool) or not isinstance(right, bool):
        raise ConfigError(
            f"booleanEquals() expects two booleans, got {_type_name(left)} and {_type_name(right)}"
        )
    return left is right


def _fn_string_equals(left: Any, right: Any) -> bool:
    if not isinstance(left, str) or not isinstance(right, str):
        raise ConfigError(
            f"stringEquals() expects two strings, got {_type_name(left)} and {_type_name(right)}"
        )
    return left == right


_PathStep = str | int


def _parse_path(path: str) -> tuple[_PathStep, ...]:
    """Split a ``getAttr`` path such as ``resourceId[1]`` or ``a.b`` into keys and indexes."""
    steps: list[_PathStep] = []
    for part in path.split("."):
        bracket = part.find("[")
        if bracket < 0:
            if not part:
                raise ConfigError(f"invalid getAttr path {path!r}")
            steps.append(part)
            continue
        if not part.endswith("]"):
            raise ConfigError(f"invalid getAttr path {path!r}")
        if bracket:
            steps.append(part[:bracket])
        index = part[bracket + 1 : -1]
        if not index.isascii() or not index.isdigit():
            raise ConfigError(f"invalid getAttr path {path!r}")
        steps.append(int(index))
    return tuple(steps)


def _get_path(value: Any, steps: tuple[_PathStep, ...]) -> Any:
    # Indexes past the end yield "unset" (the spec types them as optional); so does a
    # step into a value that is itself unset.
    for step in steps:
        if value is None:
            return None
        if isinstance(step, int):
            if isinstance(value, str) or not isinstance(value, Sequence):
                raise ConfigError(f"getAttr: cannot index {_type_name(value)} with [{step}]")
            value = value[step] if step < len(value) else None
        else:
            if not isinstance(value, Mapping):
                raise ConfigError(f"getAttr: {_type_name(value)} has no attribute {step!r}")
            value = value.get(step)
    return value


def _fn_get_attr(value: Any, path: Any) -> Any:
    if not isinstance(path, str):
        raise ConfigError(f"getAttr() expects a string path, got {_type_name(path)}")
    return _get_path(value, _parse_path(path))


def _fn_substring(value: Any, start: Any, stop: Any, reverse: Any) -> str | None:
    if not isinstance(value, str):
        raise ConfigError(f"substring() expects a string, got {_type_name(value)}")
    if (
        isinstance(start, bool)
        or isinstance(stop, bool)
        or not isinstance(start, int)
        or not isinstance(stop, int)
        or not isinstance(reverse, bool)
    ):
        raise ConfigError("substring() expects (string, int, int, boolean)")
    # The spec makes every "doesn't fit" case, and non-ASCII input, an unset result
    # rather than an error: rule sets use it as a guard.
    if start < 0 or start >= stop or len(value) < stop or not value.isascii():
        return None
    if reverse:
        return value[len(value) - stop : len(value) - start]
    return value[start:stop]


def _fn_uri_encode(value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise ConfigError(f"uriEncode() expects a string, got {_type_name(value)}")
    from urllib.parse import quote

    # safe="" leaves exactly RFC 3986's unreserved set (ALPHA DIGIT - . _ ~) unescaped
    # and quote() emits upper-case hex, both as the spec requires.
    return quote(value, safe="")


def _is_ip(host: str) -> bool:
    import ipaddress

    # A zone id in a URL is written percent-encoded ("%25eth0"); ipaddress wants "%eth0".
    host = host.replace("%25", "%")
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _fn_parse_url(value: Any) -> Mapping[str, Any] | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise ConfigError(f"parseURL() expects a string, got {_type_name(value)}")
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(value)
        # .port validates the port digits and range; a bad port makes the URL unusable.
        parts.port  # noqa: B018
    except ValueError:
        return None
    # URLs with a query are rejected by the spec; only http(s) endpoints make sense.
    if parts.scheme not in ("http", "https") or parts.query or not parts.hostname:
        return None
    # The authority is host[:port] with any userinfo dropped; an explicit port is kept.
    authority = parts.netloc.rpartition("@")[2]
    path = parts.path
    normalized = path if path.startswith("/") else "/" + path
    if not normalized.endswith("/"):
        normalized += "/"
    return types.MappingProxyType(
        {
            "scheme": parts.scheme,
            "authority": authority,
            "path": path,
            "normalizedPath": normalized,
            "isIp": _is_ip(parts.hostname),
        }
    )


# RFC 1123 label: 1-63 ASCII letters, digits and hyphens, not starting or ending with a
# hyphen. fullmatch (not "$") so that a trailing newline cannot sneak through. Patterns,
# not compiled: re compiles (and caches) them when a rule set first uses them.
_HOST_LABEL: Final = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_IPV4_SHAPE: Final = r"[0-9]{1,3}(?:\.[0-9]{1,3}){3}"


def _fn_is_valid_host_label(value: Any, allow_subdomains: Any) -> bool:
    if not isinstance(allow_subdomains, bool):
        raise ConfigError("isValidHostLabel() expects (string, boolean)")
    if not isinstance(value, str):
        return False
    labels = value.split(".") if allow_subdomains else [value]
    return all(re.fullmatch(_HOST_LABEL, label) for label in labels)


def _fn_is_virtual_hostable_s3_bucket(value: Any, allow_subdomains: Any) -> bool:
    if not isinstance(allow_subdomains, bool):
        raise ConfigError("aws.isVirtualHostableS3Bucket() expects (string, boolean)")
    if not isinstance(value, str):
        return False
    # A bucket can only go in the host name if it is 3-63 characters, lower case (host
    # names are case-insensitive, bucket names are not) and not shaped like an IPv4
    # address, besides being valid host label(s).
    if not 3 <= len(value) <= 63 or value.lower() != value or re.fullmatch(_IPV4_SHAPE, value):
        return False
    return _fn_is_valid_host_label(value, allow_subdomains)


def _fn_parse_arn(value: Any) -> Mapping[str, Any] | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise ConfigError(f"aws.parseArn() expects a string, got {_type_name(value)}")
    parts = value.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn":
        return None
    _, partition, service, region, account_id, resource = parts
    if not partition or not service or not resource:
        return None
    return types.MappingProxyType(
        {
            "partition": partition,
            "service": service,
            "region": region,
            "accountId": account_id,
            "resourceId": tuple(resource.replace(":", "/").split("/")),
        }
    )


class _Partition:
    # Plain slotted classes for internals: attrs class creation costs import time.
    __slots__ = ("id", "outputs", "region_regex", "regions")

    def __init__(self, entry: Mapping[str, Any]) -> None:
        self.id: str = entry["id"]
        self.regions = frozenset(entry.get("regions", ()))
        # Matched (and so compiled) only for a region no partition lists.
        self.region_regex: str = entry["regionRegex"]
        # "name" is the partition id; set it explicitly rather than trust the outputs.
        self.outputs = types.MappingProxyType({**entry["outputs"], "name": self.id})


_partition_table: tuple[_Partition, ...] | None = None


def _partitions() -> tuple[_Partition, ...]:
    global _partition_table
    if _partition_table is None:
        # Deferred so that importing this module stays free of the data table.
        from aioapigateway.runtime.endpoints.partitions import PARTITIONS

        _partition_table = tuple(_Partition(entry) for entry in PARTITIONS["partitions"])
    return _partition_table


def _fn_partition(region: Any) -> Mapping[str, Any] | None:
    if region is not None and not isinstance(region, str):
        raise ConfigError(f"aws.partition() expects a string, got {_type_name(region)}")
    table = _partitions()
    if region is not None:
        # An explicitly listed region wins over any partition's pattern, so it is
        # checked across all partitions first.
        for partition in table:
            if region in partition.regions:
                return partition.outputs
        for partition in table:
            if re.match(partition.region_regex, region):
                return partition.outputs
    # Unknown regions are assumed to be new commercial regions. An unset region gets
    # the same answer: older published rule sets call aws.partition(Region) before
    # checking isSet(Region) and rely on this to reach their custom-endpoint rules.
    for partition in table:
        if partition.id == "aws":
            return partition.outputs
    return None


# name -> (implementation, number of arguments)
_FUNCTIONS: Final[Mapping[str, tuple[Callable[..., Any], int]]] = {
    "isSet": (_fn_is_set, 1),
    "not": (_fn_not, 1),
    "booleanEquals": (_fn_boolean_equals, 2),
    "stringEquals": (_fn_string_equals, 2),
    "getAttr": (_fn_get_attr, 2),
    "substring": (_fn_substring, 4),
    "uriEncode": (_fn_uri_encode, 1),
    "parseURL": (_fn_parse_url, 1),
    "isValidHostLabel": (_fn_is_valid_host_label, 2),
    "aws.partition": (_fn_partition, 1),
    "aws.parseArn": (_fn_parse_arn, 1),
    "aws.isVirtualHostableS3Bucket": (_fn_is_virtual_hostable_s3_bucket, 2),
}


def _type_name(value: Any) -> str:
    return "null" if value is None else type(value).__name__


# --------------------------------------------------------------------------------------
# Compilation: the JSON rule set becomes a tree of closures, built once per resolver.
# --------------------------------------------------------------------------------------

# "{{" and "}}" are escaped braces; "{name}" / "{name#path}" are placeholders. A brace
# that starts neither is kept literally, so stray braces in data never break a rule set.
_TEMPLATE_RE: Final = re.compile(r"\{\{|\}\}|\{([A-Za-z_][A-Za-z0-9_]*)(?:#([^{}]+))?\}")


def _lookup(scope: _Scope, name: str) -> Any:
    try:
        return scope[name]
    except KeyError:
        raise ConfigError(f"endpoint rule set references undefined name {name!r}") from None


def _compile_template(text: str) -> _Expr:
    pieces: list[str | tuple[str, tuple[_PathStep, ...]]] = []
    pos = 0
    for match in _TEMPLATE_RE.finditer(text):
        literal = text[pos : match.start()]
        pos = match.end()
        token = match.group(0)
        if token in ("{{", "}}"):
            literal += token[0]
        if literal:
            if pieces and isinstance(pieces[-1], str):
                pieces[-1] += literal
            else:
                pieces.append(literal)
        if match.group(1) is not None:
            path = match.group(2)
            pieces.append((match.group(1), _parse_path(path) if path else ()))
    tail = text[pos:]
    if tail:
        if pieces and isinstance(pieces[-1], str):
            pieces[-1] += tail
        else:
            pieces.append(tail)

    if not pieces:
        return lambda scope: ""
    if len(pieces) == 1 and isinstance(pieces[0], str):
        constant = pieces[0]
        return lambda scope: constant
    frozen = tuple(pieces)

    def render(scope: _Scope) -> str:
        out: list[str] = []
        for piece in frozen:
            if isinstance(piece, str):
                out.append(piece)
                continue
            name, steps = piece
            value = _get_path(_lookup(scope, name), steps)
            if not isinstance(value, str):
                raise ConfigError(
                    f"template {text!r}: {name} resolved to {_type_name(value)}, not a string"
                )
            out.append(value)
        return "".join(out)

    return render


def _compile_expr(node: Any) -> _Expr:
    if isinstance(node, str):
        return _compile_template(node)
    if isinstance(node, Mapping):
        if "fn" in node:
            return _compile_call(node)
        if "ref" in node:
            name = node["ref"]
            if not isinstance(name, str):
                raise ConfigError(f"invalid reference {node!r}")
            return lambda scope: _lookup(scope, name)
        raise ConfigError(f"expected a function call or reference, got {node!r}")
    if isinstance(node, list):
        items = [_compile_expr(item) for item in node]
        return lambda scope: tuple(item(scope) for item in items)
    if node is None or isinstance(node, bool | int | float):
        return lambda scope: node
    raise ConfigError(f"unsupported value in endpoint rule set: {node!r}")


def _compile_call(node: Mapping[str, Any]) -> _Expr:
    name = node["fn"]
    argv = node.get("argv", [])
    if not isinstance(argv, list):
        raise ConfigError(f"{name}: argv must be a list")
    args = tuple(_compile_expr(arg) for arg in argv)
    entry = _FUNCTIONS.get(name)
    if entry is None or entry[1] != len(args):
        # Deferred: a rule set may carry a function this engine lacks in a branch that
        # the caller's parameters never reach.
        message = (
            f"unknown endpoint rules function {name!r}"
            if entry is None
            else f"{name}() takes {entry[1]} argument(s), got {len(args)}"
        )

        def fail(scope: _Scope) -> Any:
            raise ConfigError(message)

        return fail
    if name == "getAttr" and isinstance(argv[1], str) and "{" not in argv[1]:
        # getAttr is the most common call and its path is always a literal in
        # practice: parse it once here instead of on every evaluation.
        try:
            steps = _parse_path(argv[1])
        except ConfigError:
            pass  # a bad path is reported if and when the call is evaluated
        else:
            target = args[0]
            return lambda scope: _get_path(target(scope), steps)
    impl = entry[0]
    if len(args) == 1:
        (only,) = args
        return lambda scope: impl(only(scope))
    if len(args) == 2:
        first, second = args
        return lambda scope: impl(first(scope), second(scope))
    return lambda scope: impl(*[arg(scope) for arg in args])


def _compile_properties(node: Any) -> _Expr:
    # Properties are plain data; only their strings are templates (the spec forbids
    # references and function calls here, so such objects are kept as data).
    if isinstance(node, str):
        return _compile_template(node)
    if isinstance(node, Mapping):
        entries = [(key, _compile_properties(value)) for key, value in node.items()]
        return lambda scope: types.MappingProxyType({key: fn(scope) for key, fn in entries})
    if isinstance(node, list):
        items = [_compile_properties(item) for item in node]
        return lambda scope: tuple(item(scope) for item in items)
    return lambda scope: node


class _Rule:
    """A compiled rule: conditions plus an endpoint, an error or sub-rules."""

    __slots__ = ("assigns", "conditions")

    def __init__(self, node: Mapping[str, Any]) -> None:
        conditions = []
        for condition in node.get("conditions", []):
            assign = condition.get("assign")
            if assign is not None and not isinstance(assign, str):
                raise ConfigError(f"invalid assign target {assign!r}")
            conditions.append((_compile_call(condition), assign))
        self.conditions: tuple[tuple[_Expr, str | None], ...] = tuple(conditions)
        self.assigns = any(assign is not None for _, assign in conditions)

    def evaluate(self, scope: _Scope) -> Endpoint | None:
        # Assignments belong to this rule (and its sub-rules) only, so a rule that
        # assigns works on its own copy of the scope.
        if self.assigns:
            scope = dict(scope)
        for condition, assign in self.conditions:
            value = condition(scope)
            if assign is not None:
                if assign in scope:
                    raise ConfigError(f"endpoint rule set reassigns {assign!r}")
                scope[assign] = value
            if value is None or value is False:
                return None
        return self.apply(scope)

    def apply(self, scope: _Scope) -> Endpoint | None:
        raise NotImplementedError


class _EndpointRule(_Rule):
    __slots__ = ("headers", "properties", "url")

    def __init__(self, node: Mapping[str, Any]) -> None:
        super().__init__(node)
        endpoint = node["endpoint"]
        self.url = _compile_expr(endpoint["url"])
        self.headers = tuple(
            (name, tuple(_compile_expr(value) for value in values))
            for name, values in (endpoint.get("headers") or {}).items()
        )
        self.properties = _compile_properties(endpoint.get("properties") or {})

    def apply(self, scope: _Scope) -> Endpoint:
        url = self.url(scope)
        if not isinstance(url, str):
            raise ConfigError(f"endpoint url resolved to {_type_name(url)}, not a string")
        headers: dict[str, list[str]] = {}
        for name, values in self.headers:
            resolved = [value(scope) for value in values]
            if not all(isinstance(value, str) for value in resolved):
                raise ConfigError(f"endpoint header {name!r} did not resolve to strings")
            headers[name] = resolved
        return Endpoint(
            url=url,
            headers=types.MappingProxyType(headers),
            properties=self.properties(scope),
        )


class _ErrorRule(_Rule):
    __slots__ = ("message",)

    def __init__(self, node: Mapping[str, Any]) -> None:
        super().__init__(node)
        self.message = _compile_expr(node["error"])

    def apply(self, scope: _Scope) -> Endpoint:
        message = self.message(scope)
        raise ConfigError(message if isinstance(message, str) else repr(message))


class _TreeRule(_Rule):
    __slots__ = ("rules",)

    def __init__(self, node: Mapping[str, Any]) -> None:
        super().__init__(node)
        self.rules = _compile_rules(node["rules"])

    def apply(self, scope: _Scope) -> Endpoint:
        for rule in self.rules:
            endpoint = rule.evaluate(scope)
            if endpoint is not None:
                return endpoint
        # The spec makes a tree whose conditions matched terminal: exhausting its
        # sub-rules is an error rather than a fall-through to the tree's siblings.
        raise _TreeExhausted


class _TreeExhausted(ConfigError):
    """Internal: a tree rule's sub-rules were exhausted; resolve() adds the parameters."""


_RULE_TYPES: Final[Mapping[str, type[_Rule]]] = {
    "endpoint": _EndpointRule,
    "error": _ErrorRule,
    "tree": _TreeRule,
}


def _compile_rules(nodes: Any) -> tuple[_Rule, ...]:
    if not isinstance(nodes, list):
        raise ConfigError("endpoint rules must be a list")
    rules = []
    for node in nodes:
        kind = _RULE_TYPES.get(node.get("type"))
        if kind is None:
            raise ConfigError(f"unknown endpoint rule type {node.get('type')!r}")
        rules.append(kind(node))
    return tuple(rules)


class _Parameter:
    __slots__ = ("default", "name", "required", "type")

    def __init__(self, name: str, type: str, required: bool, default: Any) -> None:
        self.name = name
        self.type = type  # lower-cased: rule sets spell it "string" or "String"
        self.required = required
        self.default = default

    def coerce(self, value: Any) -> Any:
        """Validate a caller's value (None = unset); return its hashable form."""
        if value is None:
            value = self.default
            if value is None:
                if self.required:
                    raise ConfigError(f"missing required endpoint parameter {self.name!r}")
                return None
        if self.type == "string":
            ok = isinstance(value, str)
        elif self.type == "boolean":
            ok = isinstance(value, bool)
        else:
            ok = isinstance(value, list | tuple) and all(isinstance(v, str) for v in value)
            if ok:
                value = tuple(value)
        if not ok:
            raise ConfigError(
                f"endpoint parameter {self.name!r} must be of type {self.type}, "
                f"got {_type_name(value)}"
            )
        return value


class _Program:
    __slots__ = ("parameters", "rules")

    def __init__(self, parameters: tuple[_Parameter, ...], rules: tuple[_Rule, ...]) -> None:
        self.parameters = parameters
        self.rules = rules


def _compile(ruleset: Mapping[str, Any]) -> _Program:
    parameters = []
    for name, spec in (ruleset.get("parameters") or {}).items():
        kind = str(spec.get("type", "")).lower()
        if kind not in _PARAM_TYPES:
            raise ConfigError(f"endpoint parameter {name!r} has unknown type {spec.get('type')!r}")
        parameter = _Parameter(
            name=name,
            type=kind,
            required=bool(spec.get("required", False)),
            default=spec.get("default"),
        )
        if parameter.default is not None:
            parameter.coerce(parameter.default)  # a default of the wrong type is a bug
        parameters.append(parameter)
    return _Program(parameters=tuple(parameters), rules=_compile_rules(ruleset["rules"]))


def _describe(program: _Program, values: tuple[Any, ...]) -> str:
    return ", ".join(
        f"{p.name}={value!r}"
        for p, value in zip(program.parameters, values, strict=True)
        if value is not None
    )


# --------------------------------------------------------------------------------------
# Public entry point
# --------------------------------------------------------------------------------------


class EndpointResolver:
    """Resolves endpoints from one service's endpoint rule set.

    ``ruleset`` is the parsed ``endpoint-rule-set-1.json``. Construction does no work;
    the rule set is compiled on the first :meth:`resolve` call.
    """

    def __init__(self, ruleset: Mapping[str, Any]) -> None:
        self._ruleset = ruleset
        self._program: _Program | None = None
        self._cache: dict[tuple[Any, ...], Endpoint] = {}

    def _compiled(self) -> _Program:
        program = self._program
        if program is None:
            try:
                program = _compile(self._ruleset)
            except ConfigError:
                raise
            except Exception as exc:
                raise ConfigError(f"invalid endpoint rule set: {exc!r}") from exc
            self._program = program
        return program

    def resolve(self, params: Mapping[str, Any]) -> Endpoint:
        """Return the endpoint the rule set selects for ``params``.

        ``params`` is keyed by the rule set's parameter names; a missing or ``None``
        value means "unset" (the parameter's default applies, if it has one). Keys the
        rule set does not declare are ignored, so callers may pass every built-in they
        know. Raises :class:`~aioapigateway.runtime.errors.ConfigError` for an ``error`` rule
        (with its message), when no rule matches, and for invalid parameters.
        """
        program = self._compiled()
        try:
            key = tuple(p.coerce(params.get(p.name)) for p in program.parameters)
        except ConfigError:
            raise
        except Exception as exc:
            raise ConfigError(f"invalid endpoint parameters: {exc!r}") from exc

        cached = self._cache.get(key)
        if cached is not None:
            return cached

        scope: _Scope = {p.name: value for p, value in zip(program.parameters, key, strict=True)}
        endpoint: Endpoint | None = None
        try:
            for rule in program.rules:
                endpoint = rule.evaluate(scope)
                if endpoint is not None:
                    break
        except _TreeExhausted:
            raise ConfigError(
                f"no endpoint rule matched the parameters ({_describe(program, key)}): "
                "the rule set's matching branch has no rule for them"
            ) from None
        except ConfigError:
            raise
        except Exception as exc:
            raise ConfigError(f"endpoint resolution failed: {exc!r}") from exc
        if endpoint is None:
            raise ConfigError(
                f"no endpoint rule matched the parameters ({_describe(program, key)})"
            )

        if len(self._cache) >= _CACHE_SIZE:
            # Oldest first (dicts keep insertion order); tolerate a concurrent eviction.
            try:
                del self._cache[next(iter(self._cache))]
            except (KeyError, StopIteration, RuntimeError):
                self._cache.clear()
        self._cache[key] = endpoint
        return endpoint
