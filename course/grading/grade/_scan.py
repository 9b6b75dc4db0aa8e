"""A static scan of a submission for attempts to interfere with grading.

The grader does not depend on this scan to be safe (the answers are checked in a fresh process, and
the kernel runs in a sandbox when there is one); the scan is there so that an instructor *sees*
an attempt instead of it passing silently. A submission with findings is graded as usual and its
status becomes ``review``: its score is held back from exports until an instructor accepts or
rejects it (``course review``), with each reason shown.

Only code the student controls is scanned, and all of it: every cell that will run as code (a code
cell, or any cell carrying the id of a code cell of the lesson, which nbgrader turns back into
code) except the last copy of each locked cell (which nbgrader restores from the source before
anything runs), and any ``.py`` file in the submission folder (as plain Python). IPython syntax
(``%magic``, ``!shell``) is translated the way the kernel reads it, line by line (IPython's own
translator takes minutes on a large file of magics), and the code inside ``%time``, ``%timeit``,
``%prun``, ``%%capture`` and the like is scanned as code too.

The scan runs in the grading worker, under the submission's CPU-time and memory limits.
"""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

from course.grading.grade._lesson import grade_id_of

# Attribute names that reach into the interpreter, IPython or the test machinery.
_ATTRS = {
    "input_transformers_cleanup": "changes how IPython reads later cells (input transformers)",
    "input_transformers_post": "changes how IPython reads later cells (input transformers)",
    "input_transformer_manager": "changes how IPython reads later cells (input transformers)",
    "ast_transformers": "rewrites later cells before they run (AST transformers)",
    "set_custom_exc": "installs a custom exception handler (can hide failing tests)",
    "showtraceback": "replaces how errors are shown (can hide failing tests)",
    "showsyntaxerror": "replaces how errors are shown (can hide failing tests)",
    "excepthook": "replaces the exception hook (can hide failing tests)",
    "displayhook": "replaces the display hook",
    "events": "registers IPython event callbacks (can act before or after every cell)",
    "run_cell": "runs code through IPython directly",
    "settrace": "traces every line that runs (sys.settrace)",
    "setprofile": "profiles every call (sys.setprofile)",
    "_getframe": "inspects the call stack",
    "f_back": "inspects the call stack",
    "f_globals": "reads another frame's variables",
    "f_locals": "reads another frame's variables",
    "f_builtins": "reads another frame's builtins",
    "tb_frame": "inspects the call stack",
    "__globals__": "reaches into a function's globals",
    "__code__": "rewrites or reads a function's code object",
    "__closure__": "reaches into a function's closure",
    "__builtins__": "changes Python's builtins",
    "__subclasses__": "walks the class hierarchy (a sandbox escape technique)",
    "__bases__": "changes a class's bases",
    "__mro__": "walks the class hierarchy",
    "__class__": "changes an object's class",
    "__import__": "imports modules dynamically",
    "meta_path": "changes how modules are imported",
    "path_hooks": "changes how modules are imported",
    "modules": "changes loaded modules (sys.modules)",
    "get_objects": "searches every object in memory (gc)",
    "get_referrers": "searches memory for references (gc)",
    "_exit": "ends the kernel process",
    "kill": "sends signals to processes",
    "killpg": "sends signals to processes",
    "abort": "ends the kernel process",
    "fork": "starts a copy of the kernel process",
    "system": "runs a shell command",
    "popen": "runs a shell command",
    "execv": "replaces the kernel with another program",
    "execve": "replaces the kernel with another program",
    "execvp": "replaces the kernel with another program",
    "spawnv": "starts another program",
    "environ": "reads or changes environment variables",
}
# Modules whose import alone deserves a look in this course.
_MODULES = {
    "ctypes": "loads native code (ctypes): can crash the kernel or patch the interpreter",
    "cffi": "loads native code (cffi)",
    "gc": "searches memory through the garbage collector",
    "inspect": "inspects the running program (frames, sources)",
    "importlib": "imports or reloads modules dynamically",
    "builtins": "changes Python's builtins",
    "__builtin__": "changes Python's builtins",
    "IPython": "reaches into IPython itself",
    "ipykernel": "reaches into the kernel itself",
    "traitlets": "reaches into the kernel's configuration",
    "jupyter_client": "talks to kernels directly",
    "zmq": "talks to kernels directly",
    "nbgrader": "reaches into the grading software",
    "nbformat": "reads or writes notebooks",
    "nbclient": "runs notebooks",
    "subprocess": "runs other programs",
    "multiprocessing": "starts other processes",
    "threading": "starts background threads that keep running during later cells",
    "_thread": "starts background threads",
    "signal": "handles or sends signals",
    "resource": "changes resource limits",
    "socket": "opens network connections",
    "urllib": "uses the network",
    "http": "uses the network",
    "requests": "uses the network",
    "pty": "opens a terminal",
    "marshal": "loads code objects",
    "pickle": "loads arbitrary objects (pickle)",
    "sqlite3": "opens databases (such as a gradebook)",
    "shutil": "copies or deletes files and folders",
    "glob": "searches the file system",
    "atexit": "runs code when the kernel exits",
    "sys": None,  # fine on its own; the attributes above catch misuse
    "os": None,
}
_CALLS = {
    "exec": "runs code built from text (exec)",
    "eval": "runs code built from text (eval)",
    "compile": "compiles code built from text",
    "__import__": "imports modules dynamically",
    "globals": "reads or changes the notebook's variables wholesale (globals())",
    "locals": "reads or changes variables wholesale (locals())",
    "vars": "reads or changes an object's variables wholesale (vars())",
    "setattr": "changes attributes by name (setattr)",
    "delattr": "deletes attributes by name (delattr)",
    "breakpoint": "starts a debugger",
    "get_ipython": "reaches into IPython (get_ipython)",
}
# Dunder methods that change how an object compares, converts or identifies itself.
_DUNDERS = {
    "__eq__", "__ne__", "__lt__", "__le__", "__gt__", "__ge__", "__abs__", "__sub__", "__rsub__",
    "__float__", "__int__", "__index__", "__bool__", "__hash__", "__round__", "__len__",
    "__instancecheck__", "__subclasscheck__", "__getattr__", "__getattribute__", "__class__",
    "__array__", "__array_ufunc__", "__array_function__", "__contains__", "__iter__", "__repr__",
    "__str__", "__format__", "__neg__", "__pos__", "__add__", "__radd__", "__truediv__",
    "__rtruediv__", "__mul__", "__rmul__",
}
_BUILTIN_TYPES = {"int", "float", "str", "bool", "list", "dict", "tuple", "set", "frozenset",
                  "Series", "DataFrame", "ndarray", "type"}
_HARMLESS_MAGICS = {"matplotlib", "precision", "pprint", "who", "whos", "pinfo", "pinfo2", "psearch",
                    "pdoc", "pdef", "config", "load_ext", "autoreload"}
# Magics whose argument (or cell body) is Python code that runs: the code is scanned as well.
_CODE_MAGICS = {"time", "timeit", "prun", "capture"}
# Options of those magics that take a value (the code starts after the options).
_VALUED_OPTIONS = {"-n", "-r", "-p", "-s", "-l", "-D", "-T"}
_MAX_NESTING = 8
_PATH_WORDS = re.compile(
    r"(gradebook|nbgrader|\.course-answers|COURSE_ANSWERS|course\.grading|_extract|"
    r"instructor|autograded|submitted/|lessons/|\.ipynb_checkpoints)",
    re.IGNORECASE,
)
_MAX_CELL = 200_000
_HARMLESS_IMPORTS = {"IPython.display", "IPython.core.display"}


def _looks_like_outside_path(text: str) -> bool:
    if not text or len(text) > 400:
        return False
    stripped = text.strip()
    if re.match(r"^(/|~|[A-Za-z]:\\|\\\\)", stripped) and not stripped.startswith("//"):
        return bool(re.match(r"^(/[\w.-]|~|[A-Za-z]:\\)", stripped))
    return bool(re.search(r"(^|[/\\])\.\.([/\\]|$)", stripped))


def _magic_code(text: str) -> str:
    """The Python code in a magic's argument, after its options (``-n 10 -r 3 x = f()`` -> ``x = f()``)."""
    words = text.strip().split(" ")
    while words and words[0].startswith("-"):
        option = words.pop(0)
        if option in _VALUED_OPTIONS and words:
            words.pop(0)
    return " ".join(words)


class _Visitor(ast.NodeVisitor):
    def __init__(self, modules: set[str]) -> None:
        self.found: list[tuple[int, str]] = []
        self.modules = modules  # names bound to imported modules anywhere in the submission
        self.allowed_calls: set[int] = set()
        self.nested: list[tuple[int, str]] = []  # (line, code) inside magics, scanned next

    def add(self, node: ast.AST, reason: str) -> None:
        self.found.append((getattr(node, "lineno", 0), reason))

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        # get_ipython().run_line_magic('timeit', ...) from %timeit: allowed.
        if (isinstance(func, ast.Attribute) and func.attr in {"run_line_magic", "run_cell_magic"}
                and isinstance(func.value, ast.Call) and isinstance(func.value.func, ast.Name)
                and func.value.func.id == "get_ipython" and node.args
                and isinstance(node.args[0], ast.Constant)):
            magic = str(node.args[0].value)
            if magic in _CODE_MAGICS:
                self.allowed_calls.add(id(func.value))
                texts = [a.value for a in node.args[1:] if isinstance(a, ast.Constant)
                         and isinstance(a.value, str)]
                if texts and magic != "capture" or len(texts) > 1:
                    first = _magic_code(texts[0]) if magic != "capture" else ""
                    for code in [first, *texts[1:]]:
                        if code.strip():
                            self.nested.append((node.lineno, code))
                if magic == "prun" and any(o in " ".join(texts[:1]).split() for o in ("-D", "-T")):
                    self.add(node, "writes files from the %prun magic")
                for arg in node.args[1:]:
                    if not isinstance(arg, ast.Constant):
                        self.visit(arg)
                return
            if magic in _HARMLESS_MAGICS:
                self.allowed_calls.add(id(func.value))
                for arg in node.args[1:]:
                    self.visit(arg)
                return
            self.allowed_calls.add(id(func.value))
            self.add(node, f"uses the %{magic} magic")
        elif (isinstance(func, ast.Attribute) and func.attr in {"system", "getoutput"}
              and isinstance(func.value, ast.Call) and isinstance(func.value.func, ast.Name)
              and func.value.func.id == "get_ipython"):
            self.allowed_calls.add(id(func.value))
            self.add(node, "runs a shell command (!command)")
        if isinstance(func, ast.Name) and func.id in _CALLS and id(node) not in self.allowed_calls:
            self.add(node, _CALLS[func.id])
        if isinstance(func, ast.Name) and func.id == "getattr" and len(node.args) >= 2 \
                and not isinstance(node.args[1], ast.Constant):
            self.add(node, "reads attributes by a computed name (getattr)")
        if isinstance(func, ast.Name) and func.id == "open" and node.args:
            target = node.args[0]
            if isinstance(target, ast.Constant) and isinstance(target.value, str):
                if _looks_like_outside_path(target.value):
                    self.add(node, f"opens a file outside the submission: {target.value!r}")
        self.generic_visit(node)

    def visit_Name(self, node: ast.Name) -> None:
        if node.id in {"__builtins__", "__builtin__"}:
            self.add(node, "changes Python's builtins")
        self.generic_visit(node)

    def visit_Attribute(self, node: ast.Attribute) -> None:
        reason = _ATTRS.get(node.attr)
        if reason:
            root = node.value
            # os.environ.get("HOME") style reads of environ and os.system are flagged; a pandas
            # method that happens to be called `kill` is not on a module.
            if node.attr in {"kill", "system", "popen", "environ", "fork", "abort", "_exit",
                             "modules", "events"}:
                if isinstance(root, ast.Name) and (root.id in self.modules or root.id in {
                        "os", "sys", "signal"}) or node.attr == "events":
                    self.add(node, reason)
            else:
                self.add(node, reason)
        self.generic_visit(node)

    def _assign_target(self, target: ast.AST) -> None:
        if isinstance(target, ast.Attribute):
            root = target
            while isinstance(root, ast.Attribute):
                root = root.value
            if isinstance(root, ast.Name) and root.id in self.modules:
                dotted = ast.unparse(target)
                self.add(target, f"replaces {dotted} (a name in another module)")
            elif isinstance(root, ast.Name) and root.id in {"builtins", "__builtins__"}:
                self.add(target, "changes Python's builtins")
        elif isinstance(target, ast.Subscript):
            if isinstance(target.value, ast.Name) and target.value.id in {"__builtins__"}:
                self.add(target, "changes Python's builtins")
            if isinstance(target.value, ast.Attribute) and target.value.attr in {"modules", "__dict__"}:
                self.add(target, "replaces a module or an object's attributes wholesale")
        elif isinstance(target, (ast.Tuple, ast.List)):
            for item in target.elts:
                self._assign_target(item)

    def visit_Assign(self, node: ast.Assign) -> None:
        for target in node.targets:
            self._assign_target(target)
        self.generic_visit(node)

    def visit_AugAssign(self, node: ast.AugAssign) -> None:
        self._assign_target(node.target)
        self.generic_visit(node)

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            top = alias.name.split(".")[0]
            if _MODULES.get(top) and alias.name not in _HARMLESS_IMPORTS:
                self.add(node, _MODULES[top])
            if alias.name.startswith("course.grading"):
                self.add(node, "imports the grading machinery (course.grading)")
        self.generic_visit(node)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        top = (node.module or "").split(".")[0]
        if node.level:
            self.add(node, "imports from a relative package")
        elif _MODULES.get(top) and node.module not in _HARMLESS_IMPORTS:
            self.add(node, _MODULES[top])
        elif (node.module or "").startswith("course.grading"):
            self.add(node, "imports the grading machinery (course.grading)")
        for alias in node.names:
            if alias.name in {"_getframe", "settrace", "setprofile", "modules", "excepthook",
                              "_exit", "system", "environ"}:
                self.add(node, _ATTRS.get(alias.name, f"imports {alias.name}"))
        self.generic_visit(node)

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        for base in node.bases:
            name = base.attr if isinstance(base, ast.Attribute) else getattr(base, "id", "")
            if name in _BUILTIN_TYPES:
                self.add(node, f"defines a subclass of {name} ({node.name})")
        for item in node.body:
            if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)) and item.name in _DUNDERS:
                self.add(item, f"defines {node.name}.{item.name} (changes how its objects compare "
                               "or convert)")
        if node.keywords:
            self.add(node, f"defines a class with a metaclass or class keywords ({node.name})")
        self.generic_visit(node)

    def visit_Constant(self, node: ast.Constant) -> None:
        if isinstance(node.value, str):
            if _PATH_WORDS.search(node.value):
                self.add(node, f"refers to grading or instructor files: {node.value[:60]!r}")
            elif _looks_like_outside_path(node.value):
                self.add(node, f"refers to a path outside the submission: {node.value[:60]!r}")
        self.generic_visit(node)


_MAGIC_LINE = re.compile(r"^(\s*)(?:([\w.\[\]'\"]+)\s*=\s*)?(%{1,2}|!{1,2})([^\n]*)$")
_HELP_LINE = re.compile(r"^\s*[\w.\[\]()'\"]*\?{1,2}\s*$|^\s*\?{1,2}[\w.\[\]()'\"]*\s*$")


def _translate(source: str) -> str:
    """IPython syntax (%magics, !shell, ?help) as plain Python, the way the kernel reads it.

    One pass over the lines (IPython's own translator re-reads the whole cell after each magic,
    which takes minutes on a cell of thousands of them): ``%%name line`` on the first line makes
    the cell a cell magic; ``%name args`` and ``x = %name args`` become ``run_line_magic`` calls;
    ``!cmd`` a ``system`` call; ``name?`` a ``pass``.
    """
    lines = source.split("\n")
    first = lines[0].lstrip() if lines else ""
    if first.startswith("%%"):
        name, _, line = first[2:].partition(" ")
        body = "\n".join(lines[1:])
        return f"get_ipython().run_cell_magic({name.strip()!r}, {line!r}, {body!r})\n"
    out = []
    for line in lines:
        match = _MAGIC_LINE.match(line)
        if match and not line.lstrip().startswith("%%"):
            indent, target, sigil, rest = match.groups()
            if sigil.startswith("%"):
                name, _, args = rest.partition(" ")
                call = f"get_ipython().run_line_magic({name.strip()!r}, {args!r})"
            else:
                call = f"get_ipython().system({rest!r})"
            line = indent + (f"{target} = " if target else "") + call
        elif _HELP_LINE.match(line) and "?" in line:
            line = line[: len(line) - len(line.lstrip())] + "pass"
        out.append(line)
    return "\n".join(out)


def _module_aliases(trees: list[ast.AST]) -> set[str]:
    names = {"np", "pd", "math", "os", "sys", "course", "measures", "checks", "builtins", "json"}
    for tree in trees:
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names |= {(a.asname or a.name).split(".")[0] for a in node.names}
            elif isinstance(node, ast.ImportFrom):
                for alias in node.names:
                    if alias.name[:1].islower() and (node.module or "").split(".")[0] in {
                            "course", "numpy", "pandas", "os", "sys"}:
                        if alias.name in {"checks", "measures", "data", "charts", "path"}:
                            names.add(alias.asname or alias.name)
    return names


def _parse(code: str, ipython: bool) -> ast.AST | None:
    try:
        return ast.parse(_translate(code) if ipython else code)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None


def scan_sources(sources: list[tuple[str, str]], plain: set[str] = frozenset()) -> list[str]:
    """Scan (label, code) pairs; return the reasons, each once, with where they were found.

    Labels in ``plain`` are Python files (no IPython syntax); the others are notebook cells.
    """
    import bisect
    from collections import deque

    # (label, tree, nesting depth, line map): the line map turns a line of joined magic code back
    # into the line of the magic it came from.
    parsed: deque = deque()
    reasons: list[str] = []
    for label, code in sources:
        if len(code) > _MAX_CELL:
            reasons.append(f"{label}: a very large code cell ({len(code):,} characters)")
            continue
        parsed.append((label, _parse(code, label not in plain), 0, None))
    modules = _module_aliases([t for _, t, _, _ in parsed if t is not None])
    while parsed:
        label, tree, depth, lines = parsed.popleft()
        if tree is None:
            continue
        visitor = _Visitor(modules)
        try:
            visitor.visit(tree)
        except RecursionError:
            reasons.append(f"{label}: code nested too deeply to read")
            continue
        for line, reason in visitor.found:
            if lines is not None:  # joined code of several magics: name the magic's own line
                starts, origins = lines
                where = origins[max(bisect.bisect_right(starts, line) - 1, 0)]
                entry = f"{label}, inside a magic on line {where}: {reason}"
            else:
                entry = f"{label}, line {line}: {reason}"
            if entry not in reasons:
                reasons.append(entry)
        if not visitor.nested:
            continue
        if depth >= _MAX_NESTING:
            reasons.append(f"{label}: magics nested too deeply to read")
            continue
        # All the magics of one piece of code are read together (one parse, not thousands);
        # when they do not parse together, each is read alone.
        starts, origins, texts, at = [], [], [], 1
        for line, code in visitor.nested:
            starts.append(at)
            origins.append(line)
            texts.append(code)
            at += code.count("\n") + 1
        joined = _parse("\n".join(texts), True)
        if joined is not None:
            parsed.append((label, joined, depth + 1, (starts, origins)))
        else:
            for line, code in visitor.nested:
                parsed.append((label, _parse(code, True), depth + 1, ([1], [line])))
    return reasons


def _cell_label(notebook: str, index: int, cell: dict) -> str:
    grade_id = grade_id_of(cell)
    return f"{notebook} cell {index + 1}" + (f" ({grade_id})" if grade_id else "")


def scan_submission(folder: Path, notebooks: list[str], locked_ids: set[str],
                    code_ids: set[str] = frozenset()) -> list[str]:
    """Scan the student-controlled code of one submission folder (see the module docstring).

    ``code_ids`` are the grade ids of the lesson's code cells: a cell carrying one of them runs as
    code whatever type the submission gives it.
    """
    sources: list[tuple[str, str]] = []
    plain: set[str] = set()
    for name in notebooks:
        path = folder / name
        try:
            nb = json.loads(path.read_text(encoding="utf-8"))
            cells = nb.get("cells", [])
        except (OSError, ValueError, AttributeError):
            continue
        last_locked: dict[str, int] = {}
        for index, cell in enumerate(cells if isinstance(cells, list) else []):
            if grade_id_of(cell) in locked_ids:
                last_locked[grade_id_of(cell)] = index
        skip = set(last_locked.values())
        for index, cell in enumerate(cells if isinstance(cells, list) else []):
            if not isinstance(cell, dict) or index in skip:
                continue
            if cell.get("cell_type") != "code" and grade_id_of(cell) not in code_ids:
                continue
            source = cell.get("source", "")
            text = "".join(str(p) for p in source) if isinstance(source, list) else str(source)
            sources.append((_cell_label(name, index, cell), text))
    for path in sorted(folder.rglob("*.py")):
        if path.is_file() and not path.is_symlink():
            try:
                label = str(path.relative_to(folder))
                sources.append((label, path.read_text(encoding="utf-8", errors="replace")))
                plain.add(label)
            except OSError:
                continue
    return scan_sources(sources, plain)
