"""`@rlmlang.tool`: a Python tool from an annotated function.

A plugin author writes a function with type annotations and a docstring;
the decorator reads everything a ToolSpec needs from it:

- the parameter and result types, from the annotations (`str`, `int`,
  `float`, `bool`, `None`, `list[T]`, `dict[str, T]`, `Any`);
- defaults, from the parameters' defaults;
- the doc, from the docstring's first paragraph;
- the cost, by default one fuel unit per 64 characters or items of the
  arguments, plus one (`declare.fuel`: what walking them once costs, as for
  the builtins), and the
  result's size bound, by default the arguments' size plus 1,000 (or
  `max_result`). The wrapper checks the bound on every call and refuses a
  larger result, so the verifier's proof about sizes holds; `result_bound`
  (a `registry.ResultBound`, e.g. `Pieces(count="separator", by=1)`) says
  more, as the builtins do, and is checked on every call the same way;
- the permission: `permission="weather.read"` (with `resource="city"`, the
  parameter that names what is touched; or `"weather.read:<city>"`, as
  `rlm tools` prints it) makes the tool effectful: it is recorded in the log,
  replayed, and checked against the policy before and during the run. A new
  dotted kind is registered with the policy (scope style "name"). An
  effectful function may take the run's ToolContext as a first parameter
  named `ctx`.

The decorated function stays an ordinary function (its `.rlm_tool` is the
ToolSpec), so it can be tested directly; a plugin's entry point may name the
module, and every decorated function in it is a tool.
"""

from __future__ import annotations

import inspect
import re
import typing
from collections.abc import Callable
from typing import Any

from rlmlang.tools.declare import fuel
from rlmlang.tools.errors import ToolError
from rlmlang.tools.registry import (
    CostFn,
    Param,
    Permission,
    ResultBound,
    Size,
    SizeFn,
    ToolSpec,
    size_of,
)
from rlmlang.types import (
    BOOL,
    FLOAT,
    INT,
    NONE,
    STR,
    UNKNOWN,
    DictT,
    ListT,
    Type,
    conforms,
    format_type,
)

ATTRIBUTE = "rlm_tool"
RESULT_SLACK = 1_000  # the default result bound: the arguments' size plus this
_PRIMS: dict[Any, Type] = {str: STR, int: INT, float: FLOAT, bool: BOOL, type(None): NONE,
                           None: NONE, Any: UNKNOWN, object: UNKNOWN}
_PERMISSION = re.compile(r"([a-z][a-z0-9_.]*)(?::<([A-Za-z_][A-Za-z0-9_]*)>)?")


def _type(annotation: Any, where: str) -> Type:
    """The language's type for a Python annotation; TypeError for one it has no form of."""
    if annotation in _PRIMS:
        return _PRIMS[annotation]
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin is list and len(args) == 1:
        return ListT(_type(args[0], where))
    if origin is dict and len(args) == 2 and args[0] is str:
        return DictT(_type(args[1], where))
    shown = getattr(annotation, "__name__", None) or repr(annotation)
    raise TypeError(f"{where}: {shown} has no type in the language; use str, int, float, "
                    "bool, None, list[T], dict[str, T] or Any")


def _default_size(result: Type, max_result: int | None) -> SizeFn:
    if result in (INT, FLOAT, BOOL, NONE):
        return lambda sizes: Size(1, 1)

    def size(sizes: list[Size]) -> Size:
        n = max_result if max_result is not None else \
            sum(s.total for s in sizes) + RESULT_SLACK
        return Size(n, n, n)

    return size


def _check_result(name: str, result_type: Type, size_fn: SizeFn, value: Any,
                  args: tuple[Any, ...], declared: ResultBound | None = None,
                  ordered: list[Any] | None = None) -> Any:
    if not conforms(value, result_type):
        raise ToolError(f"{name} returned {type(value).__name__}, not the "
                        f"{format_type(result_type)} it declares")
    if result_type not in (INT, FLOAT, BOOL, NONE):
        bound = size_fn([size_of(a) for a in args]).total
        got = size_of(value).total
        if got > bound:
            raise ToolError(f"{name} returned {got:,} characters and items, more than the "
                            f"{bound:,} it declares", fix="pass less to it")
    why = declared.admits(ordered or list(args), value) if declared is not None else None
    if why is not None:
        raise ToolError(f"{name} returned a result its declared bound does not admit: {why}")
    return value


def _permission(permission: str | None, resource: str | None,
                params: list[str]) -> Permission | None:
    if permission is None:
        return None
    m = _PERMISSION.fullmatch(permission)
    if m is None:
        raise TypeError(f"permission {permission!r}: write KIND or KIND:<param>, e.g. "
                        "'weather.read' or 'net:<host>'")
    kind, named = m.group(1), m.group(2)
    if named and resource and named != resource:
        raise TypeError(f"permission {permission!r} names <{named}> but resource={resource!r}")
    resource = resource or named
    if resource is not None and resource not in params:
        raise TypeError(f"resource={resource!r} is not a parameter (they are: "
                        f"{', '.join(params) or 'none'})")
    from rlmlang.policy import STYLES, register_kind  # lazy: keeps Z3 out of start-up

    if kind not in STYLES:
        register_kind(kind, "name")  # ValueError for a reserved or malformed kind
    return Permission(kind, resource)


def tool(fn: Callable[..., Any] | None = None, *, name: str | None = None,
         permission: str | None = None, resource: str | None = None,
         cost: CostFn | int | None = None, max_result: int | None = None,
         result_size: SizeFn | None = None, result_bound: ResultBound | None = None,
         example: str = "", doc: str | None = None) -> Any:
    """Make `fn` a tool (`@tool` or `@tool(name="hello.greet", permission=...)`).

    `cost` is fuel: an int (the same for every call) or a function of the
    arguments' Sizes (it must be monotone: bigger arguments never cost
    less). `max_result` bounds a str, list or dict result (characters and
    items in all); `result_size` replaces the bound with a function;
    `result_bound` tells the verifier more (registry.ResultBound).
    """

    def make(f: Callable[..., Any]) -> Callable[..., Any]:
        spec = _spec(f, name=name, permission=permission, resource=resource, cost=cost,
                     max_result=max_result, result_size=result_size,
                     result_bound=result_bound, example=example, doc=doc)
        setattr(f, ATTRIBUTE, spec)
        return f

    return make(fn) if fn is not None else make


def _spec(f: Callable[..., Any], *, name: str | None, permission: str | None,
          resource: str | None, cost: CostFn | int | None, max_result: int | None,
          result_size: SizeFn | None, result_bound: ResultBound | None, example: str,
          doc: str | None) -> ToolSpec:
    tool_name = name or f.__name__
    where = f"tool {tool_name!r} ({f.__module__}.{f.__qualname__})"
    try:
        hints = typing.get_type_hints(f)
    except Exception as e:  # noqa: BLE001 - an annotation that does not resolve
        raise TypeError(f"{where}: its annotations do not resolve: {e}") from None
    sig = inspect.signature(f)
    ps = list(sig.parameters.values())
    takes_ctx = bool(ps) and ps[0].name == "ctx"
    if takes_ctx:
        ps = ps[1:]
    params: list[Param] = []
    for p in ps:
        if p.kind not in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD):
            raise TypeError(f"{where}: parameter {p.name!r} must be a plain one (no *args, "
                            "**kwargs or keyword-only)")
        if p.name not in hints:
            raise TypeError(f"{where}: parameter {p.name!r} has no type annotation")
        t = _type(hints[p.name], f"{where}, parameter {p.name!r}")
        if p.default is p.empty:
            params.append(Param(p.name, t))
        elif conforms(p.default, t):
            params.append(Param(p.name, t, p.default, True))
        else:
            raise TypeError(f"{where}: the default of {p.name!r} is not a {format_type(t)}")
    if "return" not in hints:
        raise TypeError(f"{where}: annotate the result type (-> str, -> int, ...)")
    result = _type(hints["return"], f"{where}, result")
    perm = _permission(permission, resource, [p.name for p in params])
    if takes_ctx and perm is None:
        raise TypeError(f"{where}: only a tool with a permission takes ctx (its effects go "
                        "through the run's context)")
    text = doc if doc is not None else inspect.getdoc(f) or ""
    size_fn = result_size or _default_size(result, max_result)
    cost_fn = cost if callable(cost) else (
        (lambda sizes, n=cost: n) if isinstance(cost, int) else fuel(*range(len(params)), base=1))

    def impl(*args: Any, **kwargs: Any) -> Any:
        if perm is not None:  # invoke passes the run's context first
            ctx, args = args[0], args[1:]
            kwargs.pop("as", None)
            value = f(ctx, *args, **kwargs) if takes_ctx else f(*args, **kwargs)
        else:
            value = f(*args, **kwargs)
        ordered = None
        if result_bound is not None:  # the arguments by position, defaults filled in
            given = dict(zip((p.name for p in params), args, strict=False)) | kwargs
            ordered = [given.get(p.name, p.default) for p in params]
        return _check_result(tool_name, result, size_fn, value, args, result_bound, ordered)

    return ToolSpec(name=tool_name, params=tuple(params), result=result, cost=cost_fn,
                    result_size=size_fn, doc=text.split("\n\n", 1)[0].replace("\n", " "),
                    permission=perm, impl=impl, effect=perm is not None,
                    example=example.strip(), extra={"python": f"{f.__module__}.{f.__qualname__}"},
                    result_bound=result_bound)


def tools_of(obj: Any) -> list[ToolSpec] | None:
    """The specs a decorated function, or a module of them, provides (None if neither)."""
    spec = getattr(obj, ATTRIBUTE, None)
    if isinstance(spec, ToolSpec):
        return [spec]
    if inspect.ismodule(obj):
        return [s for s in (getattr(v, ATTRIBUTE, None) for v in vars(obj).values())
                if isinstance(s, ToolSpec)]
    return None
