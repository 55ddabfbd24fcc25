"""mypy plugin: the methods ``@dataobject`` adds at run time, made visible to type checking.

``@dataobject`` gives each class ``to_json``, ``to_dict``, ``from_json``, ``from_dict``,
``json_schema``, ``event_id`` and ``event_ts`` (the methods 0.24 apps call). They are set on the class
when the decorator runs, so mypy does not see them, and a typed app calling
``Something.from_json(text)`` fails its own type check. With this plugin mypy knows them::

    # pyproject.toml of the app
    [tool.mypy]
    plugins = ["hopeit.dataobjects.mypy_plugin"]

``from_json`` and ``from_dict`` return the class they are called on. Methods a class defines itself
are left as they are. For other type checkers (pyright), ``hopeit.dataobjects.payload.Payload``
offers the same operations typed (``Payload.to_json(obj)``, ``Payload.from_json(text, Something)``).
"""

from typing import Callable, List, Optional, Tuple, Type

from mypy.nodes import ARG_OPT, ARG_POS, ARG_STAR, ARG_STAR2, Argument, Var
from mypy.plugin import ClassDefContext, Plugin
from mypy.plugins.common import add_method_to_class
from mypy.types import AnyType, NoneType, TypeOfAny, UnionType
from mypy.types import Type as MypyType
from mypy.typevars import fill_typevars

__all__ = ["DATAOBJECT", "DataObjectPlugin", "plugin"]

#: The decorator the plugin looks for (also when called with arguments)
DATAOBJECT = "hopeit.dataobjects.dataobject"


def _argument(name: str, typ: MypyType, kind: object = ARG_OPT) -> Argument:
    return Argument(Var(name, typ), typ, None, kind)  # type: ignore[arg-type]


def _add_methods(ctx: ClassDefContext) -> None:
    """Declare the run-time methods of a ``@dataobject`` class on its type."""
    api, info = ctx.api, ctx.cls.info
    any_type = AnyType(TypeOfAny.explicit)
    str_type, bool_type = api.named_type("builtins.str"), api.named_type("builtins.bool")
    dict_type = api.named_type("builtins.dict", [str_type, any_type])
    instance = fill_typevars(info)
    datetime_type = api.named_type_or_none("datetime.datetime") or any_type
    flags = [_argument("omit_none", bool_type), _argument("validate", bool_type)]
    methods: List[Tuple[str, List[Argument], MypyType, bool]] = [
        ("to_json", flags, str_type, False),
        ("to_dict", flags, dict_type, False),
        ("from_json", [_argument("data", UnionType([str_type, api.named_type("builtins.bytes")]), ARG_POS),
                       _argument("validate", bool_type)], instance, True),
        ("from_dict", [_argument("data", dict_type, ARG_POS), _argument("validate", bool_type)], instance, True),
        ("json_schema", [_argument("args", any_type, ARG_STAR), _argument("kwargs", any_type, ARG_STAR2)],
         dict_type, True),
        ("event_id", [], str_type, False),
        ("event_ts", [], UnionType([datetime_type, NoneType()]), False),
    ]
    for name, args, return_type, is_classmethod in methods:
        if name not in info.names:
            add_method_to_class(api, ctx.cls, name, args, return_type, is_classmethod=is_classmethod)


class DataObjectPlugin(Plugin):
    """Adds ``@dataobject``'s run-time methods to the classes it decorates."""

    def get_class_decorator_hook(self, fullname: str) -> Optional[Callable[[ClassDefContext], None]]:
        """The hook for ``@dataobject`` and ``@dataobject(...)``."""
        return _add_methods if fullname == DATAOBJECT else None


def plugin(version: str) -> Type[Plugin]:
    """Entry point mypy calls with its version."""
    return DataObjectPlugin
