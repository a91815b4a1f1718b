"""Questions of a fixed shape, compiled to SQL once per process and asked again with new values.

Django builds and compiles a queryset afresh on every request: for the signed-in person's
membership, asked on every project page, that is a millisecond of Python around a quarter of a
millisecond in the database. A `PreparedQuery` wraps a function that builds the queryset from
named values; the first time it is asked with values of given types on a database, it compiles
the queryset twice, once with stand-in values and once with the real ones, finds where each
stand-in lands among the SQL's parameters, and keeps the SQL only if putting the real values
there gives exactly the second compilation. Later questions of the same types bind the values
into the kept SQL and let Django's own iterable turn the rows into objects.

What makes a build function preparable: its SQL depends on the types of its values, never on
the values themselves (no `if value:`; no None, which Django turns into IS NULL). A list of ids
is bound one placeholder per id, so its length is part of the shape. A
value of another type, a None, or a build whose SQL moves with its values is asked unprepared,
the ordinary way. With `settings.PREPARED_QUERIES_VERIFY` on (the tests), every question is
also compiled the ordinary way and the two compared, so a build that breaks the rule fails a
test instead of answering wrongly.
"""

import copy
import datetime
import threading
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import QuerySet

_BOUND = (int, str, datetime.date)  # datetime.datetime is a date


EVERY_QUERY: list["PreparedQuery"] = []  # each one made (they are module-level): for the tests


class NotPreparable(Exception):
    """The build's SQL depends on more than the types of its values."""


MOST_IDS = 2000  # a longer list of ids is asked the ordinary way


def _ids(value) -> bool:
    return isinstance(value, list | tuple) and 0 < len(value) <= MOST_IDS and all(type(v) is int for v in value)


def _stand_in(value, k: int):
    """A value of the same type that nothing real will equal (a list of ids: as many distinct
    ones, numbered from k on)."""
    if isinstance(value, bool):
        return None  # two values only: compiled in, part of the shape
    if _ids(value):
        return [30_011 + k + i for i in range(len(value))]
    if isinstance(value, int):
        # Positive and inside a small integer column's range: Django answers a lookup it can
        # prove empty or full (a negative start on a positive field, a number past the column's
        # range) without comparing in SQL, and such a shape would never be kept.
        return 30_011 + k
    if isinstance(value, str):
        return f"\u2063stand-in {k}\u2063"
    if isinstance(value, datetime.datetime):
        return value.replace(year=1001 + k, month=1, day=1)
    if isinstance(value, datetime.date):
        return datetime.date(1001 + k, 1, 1)
    raise NotPreparable(type(value).__name__)


class _Compiled:
    """The kept SQL of one shape on one database, and where each value goes."""

    def __init__(self, queryset: QuerySet, compiler, sql: str, slots: list):
        self.queryset = queryset  # built from stand-ins: its iterable class, model and query
        self.compiler = compiler  # compiled: its select, klass_info and annotation_col_map
        self.sql = sql
        # Per SQL parameter: ("value", name, index in a list of ids or None, wrapper or None), or
        # ("constant", the value, None, None).
        self.slots = slots

    def params(self, values: dict) -> tuple:
        return tuple(self._param(slot, values) for slot in self.slots)

    @staticmethod
    def _param(slot: tuple, values: dict):
        kind, x, index, wrap = slot
        if kind == "constant":
            return x
        value = values[x] if index is None else values[x][index]
        return value if wrap is None else wrap(value)

    def run(self, values: dict, window: tuple[int, int] | None = None) -> list:
        compiler = copy.copy(self.compiler)
        compiler.connection = connections[self.queryset.db]  # this thread's connection
        sql, params = self.sql, self.params(values)
        if window is not None:
            start, stop = window
            sql, params = f"{sql} LIMIT %s OFFSET %s", (*params, max(0, stop - start), start)
        compiler.as_sql = lambda *args, **kwargs: (sql, params)
        query = _shallow_copy(self.queryset.query)
        query.get_compiler = lambda *args, **kwargs: compiler
        queryset = _shallow_copy(self.queryset)
        queryset._query = query  # not .query: its setter would make values_list() rows dicts
        return list(queryset)

    def count(self, values: dict) -> int:
        # As Django counts a sliced or distinct queryset: around the query itself.
        with connections[self.queryset.db].cursor() as cursor:
            counting = f"SELECT COUNT(*) FROM ({self.sql}) AS counted"  # noqa: S608 — SQL that Django compiled
            cursor.execute(counting, self.params(values))  # noqa: S608 — SQL Django compiled
            return cursor.fetchone()[0]


def _shallow_copy(thing):
    """A copy sharing everything but its own attributes (copy.copy of a queryset would run it)."""
    twin = thing.__class__.__new__(thing.__class__)
    twin.__dict__ = thing.__dict__.copy()
    return twin


class PreparedQuery:
    """`PreparedQuery(build)(**values)` returns `list(build(**values))`, compiled once per shape;
    `.count(**values)` its number of rows."""

    def __init__(self, build: Callable[..., QuerySet]):
        self.build = build
        self._compiled: dict[tuple, _Compiled | None] = {}
        self._empty: set[tuple] = set()  # shapes Django answers without SQL (none(), an empty list)
        self._lock = threading.Lock()
        EVERY_QUERY.append(self)

    def refused_shapes(self) -> list[tuple]:
        """The shapes asked so far that could not be kept, and are asked the ordinary way."""
        return [key for key, compiled in self._compiled.items() if compiled is None and key not in self._empty]

    def __call__(self, *shape, **values) -> list:
        """The rows, as `list(build(*shape, **values))` would give them. `shape` (plain values that
        the build may branch on, such as a role) is part of the key; `values` are bound."""
        compiled = self._prepared("rows", shape, values)
        if compiled is None:
            return list(self.build(*shape, **values))
        return compiled.run(values)

    def count(self, *shape, **values) -> int:
        """How many rows, as `build(*shape, **values).count()` would say."""
        compiled = self._prepared("count", shape, values)
        if compiled is None:
            return self.build(*shape, **values).count()
        return compiled.count(values)

    def slice(self, start: int, stop: int | None, *shape, **values) -> list:
        """Rows start to stop (a page), as `list(build(*shape, **values)[start:stop])` would give
        them: the kept SQL with a LIMIT and OFFSET of its own."""
        compiled = self._prepared("rows", shape, values)
        if compiled is None or compiled.queryset.query.is_sliced or stop is None:
            return list(self.build(*shape, **values)[start:stop])
        return compiled.run(values, window=(start, stop))

    def rows(self, *shape, **values) -> "PreparedRows":
        """The rows for a Paginator: counted and sliced with the kept SQL."""
        return PreparedRows(self, shape, values)

    def _built(self, mode: str, shape: tuple, values: dict) -> QuerySet:
        queryset = self.build(*shape, **values)
        if mode == "count" and not queryset.query.is_sliced:
            # As Django counts: neither the order nor the rows' related objects change how many.
            queryset = queryset.order_by()
            query = queryset.query
            if not (query.distinct or query.group_by or query.annotations or query.values_select):
                queryset = queryset.values("pk")
        return queryset

    def _prepared(self, mode: str, shape: tuple, values: dict) -> "_Compiled | None":
        try:
            key = (mode, shape, self._shape(values))
        except NotPreparable:
            return None
        compiled = self._compiled.get(key, False)
        if compiled is False:
            with self._lock:
                compiled = self._compiled.get(key, False)
                if compiled is False:
                    try:
                        compiled = self._compile(mode, shape, values)
                    except EmptyResultSet:  # asked the ordinary way, which asks nothing
                        compiled = None
                        self._empty.add(key)
                    self._compiled[key] = compiled
        if compiled is not None and getattr(settings, "PREPARED_QUERIES_VERIFY", False):
            queryset = self._built(mode, shape, values)
            sql, params = queryset.query.get_compiler(using=queryset.db).as_sql()
            if (sql, tuple(params)) != (compiled.sql, compiled.params(values)):
                raise NotPreparable(f"{self.build.__qualname__}: the SQL moves with the values {values!r}")
        return compiled

    def _shape(self, values: dict) -> tuple:
        shape = []
        for name, value in sorted(values.items()):
            if isinstance(value, bool):
                shape.append((name, value))
            elif isinstance(value, _BOUND):
                shape.append((name, type(value)))
            elif _ids(value):  # one placeholder per id: as many ids, the same SQL
                shape.append((name, "ids", len(value)))
            else:
                raise NotPreparable(type(value).__name__)
        return tuple(shape)

    def _compile(self, mode: str, shape: tuple, values: dict) -> _Compiled | None:
        stand_ins, k = {}, 0
        for name, value in sorted(values.items()):
            stand_in = _stand_in(value, k)
            stand_ins[name] = value if stand_in is None else stand_in
            k += len(stand_in) if isinstance(stand_in, list) else 1
        queryset = self._built(mode, shape, stand_ins)
        compiler = queryset.query.get_compiler(using=queryset.db)
        sql, params = compiler.as_sql()
        by_stand_in = {}  # (type, stand-in) -> (name, index in its list or None)
        for name, v in stand_ins.items():
            if isinstance(v, list):
                by_stand_in.update({(int, item): (name, i) for i, item in enumerate(v)})
            elif not isinstance(v, bool):
                by_stand_in[(type(v), v)] = (name, None)
        slots = []
        for param in params:
            # The PostgreSQL backend passes some integers as psycopg's Int4 (an int): bound the same way.
            plain = int if isinstance(param, int) and not isinstance(param, bool) else type(param)
            found = by_stand_in.get((plain, param))
            if found is not None:
                slots.append(("value", *found, None if plain is type(param) else type(param)))
            elif isinstance(param, str) and any(str(v) in param for _, v in by_stand_in):
                return None  # a value transformed on its way in (a LIKE pattern, a date as text)
            else:
                slots.append(("constant", param, None, None))
        compiled = _Compiled(queryset, compiler, sql, slots)
        real = self._built(mode, shape, values)
        real_sql, real_params = real.query.get_compiler(using=real.db).as_sql()
        if (real_sql, tuple(real_params)) != (sql, compiled.params(values)):
            return None
        return compiled


class PreparedRows:
    """A prepared question's rows as a Paginator reads them: `count()` and a slice, each one
    query with the kept SQL."""

    def __init__(self, query: PreparedQuery, shape: tuple, values: dict):
        self.query, self.shape, self.values = query, shape, values

    def count(self) -> int:
        return self.query.count(*self.shape, **self.values)

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index: slice) -> list:
        if not isinstance(index, slice) or index.step is not None:
            raise TypeError("PreparedRows are read a page (a slice) at a time")
        return self.query.slice(index.start or 0, index.stop, *self.shape, **self.values)
