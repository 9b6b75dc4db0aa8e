"""A typed JSON encoding of answers: exact types survive, nothing executable does.

Answers leave the student's kernel as JSON and are rebuilt as genuine Python, NumPy and pandas
objects in the checker, so the hidden tests see real values whatever the student's objects did:

- only *exact* types are encoded (``type(x) is float``, never a subclass): an object that
  overrides ``__eq__``, ``__abs__`` or ``__float__`` is recorded as *unrecordable*, and the checker
  sees an :class:`Unrecorded` stand-in that fails every test;
- JSON numbers, strings, booleans and null carry themselves; everything else is a tagged object
  (``{"$t": "list", ...}``), so decoding is never ambiguous and never runs code;
- functions are recorded as their source text and the names they use; the checker never runs them
  (the sandboxed runner does, see ``_runner.py``).

This module imports only the standard library at import time: it runs in student kernels, where
NumPy and pandas are used only if the notebook already imported them.

Examples
--------
>>> decode(encode({"a": [1, 2.5, None], "b": (True, "x")}))
{'a': [1, 2.5, None], 'b': (True, 'x')}
>>> class Sneaky(float):
...     def __eq__(self, other):
...         return True
>>> decode(encode(Sneaky(1.0))) == 1.0
False
"""

from __future__ import annotations

import sys

TAG = "$t"
# Modules a recorded global may name (``np``, ``pd``, ``measures``...): the checker imports them
# itself, so a submission can point a name at a real library but never at its own code.
ALLOWED_MODULES = frozenset({
    "numpy", "pandas", "math", "cmath", "statistics", "collections", "itertools", "functools",
    "operator", "re", "json", "datetime", "decimal", "fractions", "random", "string", "textwrap",
    "typing", "dataclasses", "ast", "inspect", "course", "csv",
})
_SCALARS = (bool, int, float, str, type(None))
MAX_DEPTH = 40
# What one decoder may build, in bytes (arrays, columns, index ranges): a 100-byte record must
# never become gigabytes. Honest answers in this course are a few megabytes at most.
MAX_DECODED_BYTES = 256 * 1024 * 1024
_NUMPY_KINDS = set("biufcmMSU")
_PANDAS_DTYPES = {"category", "object", "str", "string", "boolean", "Int8", "Int16", "Int32", "Int64",
                  "UInt8", "UInt16", "UInt32", "UInt64", "Float32", "Float64"}


class TooLarge(Exception):
    """The encoded answer would exceed its size budget."""


class Unrecorded:
    """Stands in for a value the grader could not record; it equals nothing and is not a number."""

    __slots__ = ("type_name", "why")

    def __init__(self, type_name: str, why: str) -> None:
        self.type_name = type_name
        self.why = why

    def __repr__(self) -> str:
        return f"<not gradable: {self.why}>"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return False

    def __ne__(self, other: object) -> bool:
        return True

    __hash__ = object.__hash__

    def __bool__(self) -> bool:
        return False


class _Budget:
    def __init__(self, limit: int) -> None:
        self.left = limit

    def spend(self, n: int) -> None:
        self.left -= n
        if self.left < 0:
            raise TooLarge


def _type_name(value: object) -> str:
    kind = type(value)
    module = getattr(kind, "__module__", "") or ""
    name = getattr(kind, "__qualname__", kind.__name__)
    return name if module in {"builtins", "__main__"} else f"{module}.{name}"


def _unsupported(value: object, why: str) -> dict:
    return {TAG: "unsupported", "type": _type_name(value), "why": why}


def _subclass_note(value: object) -> str | None:
    for base in (bool, int, float, str, list, tuple, dict, set, frozenset):
        if isinstance(value, base) and type(value) is not base:
            return f"{_type_name(value)} is a subclass of {base.__name__}; use a plain {base.__name__}"
    return None


def encode(value: object, *, limit: int = 64 * 1024 * 1024, functions: dict | None = None,
           globals_needed: set | None = None) -> object:
    """Encode ``value`` as JSON-ready data (see the module docstring).

    ``functions`` collects the source of functions met on the way (name -> record) and
    ``globals_needed`` the global names they use; :mod:`course.grading.kernel._extract` fills both.
    Raises :class:`TooLarge` when the encoding would pass ``limit`` characters (roughly).
    """
    return _encode(value, _Budget(limit), 0, functions, globals_needed)


def _encode(value, budget: _Budget, depth: int, functions, globals_needed):
    if depth > MAX_DEPTH:
        return _unsupported(value, "nested too deeply to record")
    kind = type(value)
    if kind in _SCALARS:
        budget.spend(len(value) + 2 if kind is str else 8)
        return value
    nxt = depth + 1
    module = getattr(kind, "__module__", "") or ""
    ref = _library_function(value)
    if ref is not None:
        return ref
    if module.startswith("numpy"):
        return _encode_numpy(value, budget, nxt, functions, globals_needed)
    if module.startswith("pandas"):
        return _encode_pandas(value, budget, nxt, functions, globals_needed)
    note = _subclass_note(value)
    if note:
        return _unsupported(value, note)
    if kind in (list, tuple, set, frozenset):
        items = list(value)
        if kind in (set, frozenset):
            try:
                items = sorted(items, key=repr)
            except Exception:  # noqa: BLE001 - order is only cosmetic
                pass
        budget.spend(4 * len(items) + 16)
        return {TAG: kind.__name__, "v": [_encode(v, budget, nxt, functions, globals_needed) for v in items]}
    if kind is dict:
        budget.spend(8 * len(value) + 16)
        return {
            TAG: "dict",
            "v": [
                [_encode(k, budget, nxt, functions, globals_needed),
                 _encode(v, budget, nxt, functions, globals_needed)]
                for k, v in value.items()
            ],
        }
    if kind.__name__ == "module" and module == "builtins":
        return {TAG: "module", "name": str(getattr(value, "__name__", ""))}
    if kind.__name__ == "function" and module == "builtins":
        return _encode_function(value, budget, functions, globals_needed)
    return _unsupported(value, f"a {_type_name(value)} cannot be recorded for grading")


# --------------------------------------------------------------------------------------------
# Functions
# --------------------------------------------------------------------------------------------


def _library_function(value) -> dict | None:
    """A function or class importable from a library module (not the notebook): a reference."""
    if not callable(value):
        return None
    owner = getattr(value, "__module__", None)
    name = getattr(value, "__name__", None)
    if not isinstance(owner, str) or not isinstance(name, str) or owner == "__main__":
        return None
    module = sys.modules.get(owner)
    try:
        if module is None or getattr(module, name, None) is not value:
            return None
    except Exception:  # noqa: BLE001 - a module with odd attribute access
        return None
    return {TAG: "builtin", "module": owner, "name": name}


def one_def(source: str, name: str) -> bool:
    """Whether ``source`` is exactly one (possibly decorated) ``def name(...)`` and nothing else.

    A recorded function is rebuilt from its source; anything else in that text (a second
    definition, a statement) would run without being the function a test inspects.
    """
    import ast

    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    return (len(tree.body) == 1 and isinstance(tree.body[0], (ast.FunctionDef, ast.AsyncFunctionDef))
            and tree.body[0].name == name)


def _code_names(code) -> set[str]:
    names = set(code.co_names)
    for const in code.co_consts:
        if hasattr(const, "co_names"):
            names |= _code_names(const)
    return names


def _encode_function(fn, budget: _Budget, functions, globals_needed) -> dict:
    name = getattr(fn, "__name__", "")
    ref = {TAG: "function", "name": name}
    if functions is None:
        return _unsupported(fn, "a function cannot be recorded here")
    if name in functions:
        return ref
    record: dict = {"name": name}
    functions[name] = record
    try:
        import inspect
        import textwrap

        if getattr(fn, "__module__", None) != "__main__":
            raise ValueError(f"{name} was not defined in the notebook (it comes from "
                             f"{getattr(fn, '__module__', None) or 'another module'})")
        if fn.__code__.co_freevars:
            raise ValueError(f"{name} uses variables of an enclosing function (a closure)")
        if name == "<lambda>":
            raise ValueError("a lambda cannot be recorded; define the function with def")
        source = textwrap.dedent(inspect.getsource(fn))
        budget.spend(len(source))
        if not one_def(source, name):
            raise ValueError(f"the source of {name} is not one function definition")
        record["source"] = source
        user_globals = getattr(fn, "__globals__", {})
        used = sorted(n for n in _code_names(fn.__code__) if n in user_globals)
        record["globals"] = used
        if globals_needed is not None:
            globals_needed.update(used)
        record["qualname"] = getattr(fn, "__qualname__", name)
    except TooLarge:
        raise
    except Exception as exc:  # noqa: BLE001 - record why, the test then fails with it
        record["error"] = f"the source of {name} could not be read ({exc})"
    return ref


# --------------------------------------------------------------------------------------------
# NumPy and pandas (only when the student's kernel already imported them)
# --------------------------------------------------------------------------------------------


def _py(value):
    """A NumPy scalar as the plain Python value JSON can carry."""
    item = getattr(value, "item", None)
    return item() if callable(item) else value


def _encode_numpy(value, budget: _Budget, depth: int, functions, globals_needed):
    np = sys.modules.get("numpy")
    if np is None:
        return _unsupported(value, "NumPy is not loaded")
    kind = type(value)
    if kind is np.ndarray:
        if value.dtype.kind in "biufcSUb?" and value.dtype.kind != "c":
            budget.spend(value.size * 12 + 32)
            flat = value.reshape(-1).tolist()
            return {TAG: "np.ndarray", "dtype": value.dtype.str, "shape": list(value.shape), "v": flat}
        if value.dtype.kind == "O":
            budget.spend(value.size * 4 + 32)
            flat = [_encode(v, budget, depth, functions, globals_needed) for v in value.reshape(-1).tolist()]
            return {TAG: "np.ndarray", "dtype": "O", "shape": list(value.shape), "v": flat}
        if value.dtype.kind in "mM":
            budget.spend(value.size * 24 + 32)
            return {TAG: "np.ndarray", "dtype": value.dtype.str, "shape": list(value.shape),
                    "v": value.astype("int64").reshape(-1).tolist()}
        return _unsupported(value, f"a NumPy array of dtype {value.dtype} cannot be recorded")
    if isinstance(value, np.generic) and kind.__module__ == "numpy":
        if value.dtype.kind in "biuf?":
            budget.spend(24)
            return {TAG: "np.scalar", "dtype": value.dtype.str, "v": _py(value)}
        if value.dtype.kind in "mM":
            return {TAG: "np.scalar", "dtype": value.dtype.str, "v": int(value.astype("int64"))}
        if value.dtype.kind in "SU":
            return {TAG: "np.scalar", "dtype": value.dtype.str, "v": _py(value)}
    return _unsupported(value, f"a {_type_name(value)} cannot be recorded for grading")


def _encode_values(values, budget: _Budget, depth: int, functions, globals_needed) -> dict:
    """A pandas column (Series values or Index) with its dtype."""
    pd = sys.modules["pandas"]
    dtype = values.dtype
    if type(dtype).__name__ == "NumpyEADtype":
        dtype = dtype.numpy_dtype
    n = len(values)
    name = str(dtype)
    if isinstance(dtype, pd.CategoricalDtype):
        cats = _encode_values(pd.Index(dtype.categories), budget, depth, functions, globals_needed)
        codes = values.codes if hasattr(values, "codes") else pd.Categorical(values).codes
        budget.spend(n * 4)
        return {"dtype": "category", "categories": cats, "ordered": bool(dtype.ordered),
                "codes": [int(c) for c in codes]}
    kind = getattr(dtype, "kind", "O")
    if kind in "mM":
        budget.spend(n * 24)
        i8 = getattr(values, "asi8", None)
        if i8 is None:
            import numpy as np

            i8 = np.asarray(values).view("i8")
        return {"dtype": name, "i8": [int(v) for v in i8]}
    if kind in "biuf" or name in {"bool", "boolean", "Int64", "Int32", "Int16", "Int8", "UInt64",
                                  "UInt32", "UInt16", "UInt8", "Float64", "Float32"}:
        budget.spend(n * 12)
        if kind in "biuf" and not name[:1].isupper():
            import numpy as np

            return {"dtype": name, "v": np.asarray(values).tolist()}
        out = [None if v is pd.NA else _py(v) for v in values.tolist()]
        return {"dtype": name, "v": out}
    if name in {"str", "string"} or isinstance(dtype, pd.StringDtype):
        budget.spend(n * 8)
        out = []
        for v in values.tolist():
            if isinstance(v, str):
                budget.spend(len(v))
                out.append(v)
            else:
                out.append(None)
        return {"dtype": name, "storage": getattr(dtype, "storage", None),
                "na": "nan" if getattr(dtype, "na_value", None) is not pd.NA else "NA", "v": out}
    if name == "object":
        budget.spend(n * 4)
        return {"dtype": "object", "v": [_encode(v, budget, depth, functions, globals_needed)
                                         for v in list(values)]}
    raise ValueError(f"a pandas column of dtype {name} cannot be recorded")


def _encode_index(index, budget, depth, functions, globals_needed) -> dict:
    pd = sys.modules["pandas"]
    kind = type(index)
    name = _encode(index.name, budget, depth, functions, globals_needed) if kind is not pd.MultiIndex else None
    if kind is pd.RangeIndex:
        return {TAG: "pd.RangeIndex", "start": index.start, "stop": index.stop, "step": index.step,
                "name": name}
    if kind is pd.MultiIndex:
        levels = [_encode_values(index.get_level_values(i), budget, depth, functions, globals_needed)
                  for i in range(index.nlevels)]
        names = [_encode(n, budget, depth, functions, globals_needed) for n in index.names]
        return {TAG: "pd.MultiIndex", "levels": levels, "names": names}
    if kind is pd.Index or kind in {getattr(pd, "DatetimeIndex", None), getattr(pd, "CategoricalIndex", None)}:
        return {TAG: "pd.Index", "kind": kind.__name__, "name": name,
                "values": _encode_values(index, budget, depth, functions, globals_needed)}
    raise ValueError(f"a {kind.__name__} cannot be recorded")


def _encode_pandas(value, budget: _Budget, depth: int, functions, globals_needed):
    pd = sys.modules.get("pandas")
    if pd is None:
        return _unsupported(value, "pandas is not loaded")
    kind = type(value)
    try:
        if kind is pd.Series:
            return {
                TAG: "pd.Series",
                "name": _encode(value.name, budget, depth, functions, globals_needed),
                "index": _encode_index(value.index, budget, depth, functions, globals_needed),
                "values": _encode_values(value.array, budget, depth, functions, globals_needed),
            }
        if kind is pd.DataFrame:
            return {
                TAG: "pd.DataFrame",
                "index": _encode_index(value.index, budget, depth, functions, globals_needed),
                "columns": _encode_index(value.columns, budget, depth, functions, globals_needed),
                "data": [_encode_values(value.iloc[:, i].array, budget, depth, functions, globals_needed)
                         for i in range(value.shape[1])],
            }
        if issubclass(kind, pd.Index):
            return _encode_index(value, budget, depth, functions, globals_needed)
        if kind is type(pd.NA):
            return {TAG: "pd.NA"}
        if kind is pd.Timestamp:
            return {TAG: "pd.Timestamp", "v": value.isoformat()}
    except TooLarge:
        raise
    except Exception as exc:  # noqa: BLE001 - an odd dtype: unrecordable, with the reason
        return _unsupported(value, str(exc))
    return _unsupported(value, f"a {_type_name(value)} cannot be recorded for grading")


# --------------------------------------------------------------------------------------------
# Decoding (checker and runner): builds genuine objects, never runs code
# --------------------------------------------------------------------------------------------


class Decoder:
    """Turns encoded data back into objects.

    ``modules`` decides which module names may be imported (a module recorded under a global
    name, such as ``np``); ``function_factory(name)`` returns what a recorded function becomes
    (a proxy in the checker, the student's real function in the runner).
    """

    def __init__(self, modules=None, function_factory=None, limit: int = MAX_DECODED_BYTES) -> None:
        self.modules = modules
        self.function_factory = function_factory
        self.left = limit

    def _spend(self, n: int, what: str) -> None:
        self.left -= max(int(n), 0)
        if self.left < 0:
            raise TooLarge(f"{what} would be larger than the grader rebuilds "
                           f"({MAX_DECODED_BYTES // (1024 * 1024)} MB)")

    def _dtype(self, text, count: int):
        """A plain NumPy dtype for ``count`` values, charged to the budget (never a structure)."""
        import numpy as np

        dtype = np.dtype(str(text))
        if dtype.kind not in _NUMPY_KINDS or dtype.fields is not None or dtype.shape != ():
            raise ValueError(f"the dtype {text!r} is not one the grader rebuilds")
        self._spend(dtype.itemsize * max(int(count), 1), "an array")
        return dtype

    def __call__(self, data):
        return self.decode(data, 0)

    def decode(self, data, depth: int):
        if depth > MAX_DEPTH + 5:
            return Unrecorded("?", "nested too deeply")
        if data is None or type(data) in (bool, int, float, str):
            return data
        if type(data) is list:  # never produced by encode; treat defensively
            return [self.decode(v, depth + 1) for v in data]
        if type(data) is not dict:
            return Unrecorded(type(data).__name__, "not a recorded value")
        tag = data.get(TAG)
        nxt = depth + 1
        if tag in ("list", "tuple", "set", "frozenset"):
            items = [self.decode(v, nxt) for v in data.get("v", [])]
            if tag == "list":
                return items
            if tag == "tuple":
                return tuple(items)
            try:
                return set(items) if tag == "set" else frozenset(items)
            except TypeError:
                return Unrecorded(tag, "a set of unhashable values")
        if tag == "dict":
            out = {}
            for pair in data.get("v", []):
                key = self.decode(pair[0], nxt)
                try:
                    out[key] = self.decode(pair[1], nxt)
                except TypeError:
                    return Unrecorded("dict", "a dictionary with unhashable keys")
            return out
        if tag == "unsupported":
            return Unrecorded(str(data.get("type")), str(data.get("why")))
        if tag == "module":
            return self._module(str(data.get("name", "")))
        if tag == "builtin":
            return self._builtin(str(data.get("module", "")), str(data.get("name", "")))
        if tag == "function":
            if self.function_factory is None:
                return Unrecorded("function", "functions cannot be rebuilt here")
            return self.function_factory(str(data.get("name", "")))
        if tag == "np.ndarray":
            try:
                return self._ndarray(data, nxt)
            except TooLarge as exc:
                return Unrecorded("np.ndarray", str(exc))
            except Exception as exc:  # noqa: BLE001
                return Unrecorded("np.ndarray", f"could not be rebuilt ({exc})")
        if tag == "np.scalar":
            try:
                return self._dtype(data.get("dtype"), 1).type(data["v"])
            except TooLarge as exc:
                return Unrecorded("np.scalar", str(exc))
            except Exception as exc:  # noqa: BLE001 - a malformed record fails its tests, no more
                return Unrecorded("np.scalar", f"could not be rebuilt ({exc})")
        if tag in ("pd.Series", "pd.DataFrame", "pd.Index", "pd.RangeIndex", "pd.MultiIndex",
                   "pd.NA", "pd.Timestamp"):
            return self._pandas(tag, data, nxt)
        return Unrecorded(str(tag), "an unknown kind of recorded value")

    def _module(self, name: str):
        import importlib

        top = name.split(".")[0]
        if self.modules is not None and top not in self.modules:
            return Unrecorded("module", f"the module {name!r} is not available to the grader")
        try:
            return importlib.import_module(name)
        except Exception:  # noqa: BLE001
            return Unrecorded("module", f"the module {name!r} could not be imported by the grader")

    def _builtin(self, module: str, name: str):
        import builtins

        if module == "builtins" and hasattr(builtins, name):
            return getattr(builtins, name)
        owner = self._module(module)
        return getattr(owner, name, Unrecorded("function", f"{module}.{name} is not available"))

    def _ndarray(self, data, depth):
        import numpy as np

        values = data.get("v", [])
        if type(values) is not list:
            raise ValueError("not a list of values")
        if data.get("dtype") == "O":
            self._spend(8 * len(values), "an array")
            flat = [self.decode(v, depth) for v in values]
            arr = np.empty(len(flat), dtype=object)
            arr[:] = flat
            return arr.reshape(data.get("shape", [len(flat)]))
        dtype = self._dtype(data["dtype"], len(values))
        if dtype.kind in "mM":
            return np.array(data["v"], dtype="int64").view(dtype).reshape(data["shape"])
        return np.array(data["v"], dtype=dtype).reshape(data["shape"])

    def _values(self, col: dict, depth: int):
        import numpy as np
        import pandas as pd

        dtype = col.get("dtype")
        count = len(col.get("v") or col.get("i8") or col.get("codes") or [])
        self._spend(16 * count, "a column")
        if not isinstance(dtype, str):
            raise ValueError("a column without a dtype")
        if dtype not in _PANDAS_DTYPES and "i8" not in col:
            self._dtype(dtype, count)  # a NumPy dtype: checked and charged before it is built
        if dtype == "category":
            cats = pd.Index(self._values(col["categories"], depth))
            return pd.Categorical.from_codes(col["codes"], categories=cats, ordered=col["ordered"])
        if "i8" in col:
            arr = np.array(col["i8"], dtype="int64")
            kind = pd.api.types.pandas_dtype(dtype)
            if isinstance(kind, pd.DatetimeTZDtype):
                naive = pd.array(arr.view(f"M8[{kind.unit}]"))
                return naive.tz_localize("UTC").tz_convert(kind.tz)
            return pd.array(arr.view(kind))
        if dtype == "object":
            flat = [self.decode(v, depth) for v in col.get("v", [])]
            arr = np.empty(len(flat), dtype=object)
            arr[:] = flat
            return arr
        values = col.get("v", [])
        if dtype in ("str", "string"):
            if col.get("na") == "NA":
                return pd.array(values, dtype=pd.StringDtype(storage=col.get("storage") or "python"))
            values = [np.nan if v is None else v for v in values]
            return pd.array(values, dtype=pd.StringDtype(storage=col.get("storage") or "python",
                                                         na_value=np.nan))
        if dtype in ("float64", "float32", "float16"):
            values = [np.nan if v is None else v for v in values]
        return pd.array(values, dtype=dtype) if dtype[:1].isupper() or dtype == "boolean" \
            else np.array(values, dtype=dtype)

    def _index(self, data, depth):
        import pandas as pd

        tag = data.get(TAG)
        if tag == "pd.RangeIndex":
            self._spend(8 * len(range(int(data["start"]), int(data["stop"]), int(data["step"]))),
                        "an index")
            return pd.RangeIndex(data["start"], data["stop"], data["step"],
                                 name=self.decode(data.get("name"), depth))
        if tag == "pd.MultiIndex":
            arrays = [self._values(level, depth) for level in data["levels"]]
            names = [self.decode(n, depth) for n in data.get("names", [])]
            return pd.MultiIndex.from_arrays(arrays, names=names)
        if tag == "pd.Index":
            return pd.Index(self._values(data["values"], depth), name=self.decode(data.get("name"), depth))
        raise ValueError("not an index")

    def _pandas(self, tag, data, depth):
        import pandas as pd

        try:
            if tag == "pd.NA":
                return pd.NA
            if tag == "pd.Timestamp":
                return pd.Timestamp(data["v"])
            if tag == "pd.Series":
                return pd.Series(self._values(data["values"], depth), index=self._index(data["index"], depth),
                                 name=self.decode(data.get("name"), depth), copy=False)
            if tag == "pd.DataFrame":
                index = self._index(data["index"], depth)
                columns = self._index(data["columns"], depth)
                frame = pd.DataFrame(
                    {i: pd.Series(self._values(col, depth), index=index, copy=False)
                     for i, col in enumerate(data["data"])},
                    index=index,
                )
                frame.columns = columns
                return frame
            return self._index(data, depth)
        except TooLarge as exc:
            return Unrecorded(tag, str(exc))
        except Exception as exc:  # noqa: BLE001 - a malformed record fails its tests, no more
            return Unrecorded(tag, f"could not be rebuilt ({exc})")


def decode(data, *, modules=None, function_factory=None):
    """Rebuild a value from :func:`encode`'s output (see :class:`Decoder`)."""
    return Decoder(modules, function_factory)(data)
