"""Files a user hands the CLI, and files the CLI writes for them.

Reading (``read_document``): JSON or YAML, refused with one line that names the file, the line
and the column when it is empty, truncated, holds NaN/Infinity, or has the wrong top-level type.

Writing (``write_text``): a regular file is replaced atomically (temp file in the same folder,
fsync, rename, the old file's mode kept); a symlink is followed and never replaced; a FIFO or
character device (``/dev/null``, ``/dev/stdout``, a named pipe) is written through, as a shell's
``>`` would; anything else (a block device, a socket, a folder) is refused. ``plain_name``
checks a name that came from elsewhere (a backend's job id) before it becomes part of a path.
"""

from __future__ import annotations

import contextlib
import errno
import json
import math
import os
import re
import stat
import tempfile
from pathlib import Path
from typing import Any

from synth_ai.domain.errors import InvalidInput

# A JSON string (skipped) or a bare NaN / Infinity / -Infinity constant (captured).
_JSON_CONSTANT = re.compile(r'"(?:\\.|[^"\\])*"|(-?Infinity|NaN)')
_PLAIN_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.\-]*$")


def _position(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def _looks_like_json(path: str, text: str) -> bool:
    suffix = Path(path).suffix.lower()
    if suffix == ".json":
        return True
    if suffix in (".yaml", ".yml"):
        return False
    return text.lstrip()[:1] in ("{", "[")


def parse_document(text: str, name: str, *, expect: type = dict, example: str = "{...}") -> Any:
    """``text`` (JSON, or YAML when it is not JSON) as a value of type ``expect``.

    ``name`` is what the messages call the source (a path, ``<stdin>`` or ``--metadata``)."""
    if not text.strip():
        raise InvalidInput(f"{name} is empty — give a {_kind(expect)} like {example}")
    if _looks_like_json(name, text):
        try:
            value = json.loads(text, parse_constant=_refuse_constant)
        except json.JSONDecodeError as exc:
            raise InvalidInput(
                f"{name}:{exc.lineno}:{exc.colno}: not valid JSON: {exc.msg}"
                + (" (it ends too early)" if exc.pos >= len(text.rstrip()) else "")
            ) from None
        except _NonFinite:
            match = next(m for m in _JSON_CONSTANT.finditer(text) if m.group(1))
            line, col = _position(text, match.start(1))
            raise InvalidInput(
                f"{name}:{line}:{col}: {match.group(1)} is not a number JSON allows — "
                "give a finite number or null"
            ) from None
    else:
        value = _parse_yaml(text, name)
    if not isinstance(value, expect):
        raise InvalidInput(
            f"{name}:1:1: expected a {_kind(expect)} at the top level, got {_kind(type(value))}"
            f" — give a {_kind(expect)} like {example}"
        )
    return value


def read_document(path: str, *, expect: type = dict, example: str = "{...}") -> Any:
    """Read ``path`` (``-`` for stdin) and parse it with ``parse_document``."""
    import click

    name = "<stdin>" if path == "-" else path
    try:
        with click.open_file(path, encoding="utf-8") as handle:
            text = handle.read()
    except UnicodeDecodeError:
        raise InvalidInput(f"{name} is not UTF-8 text — give a JSON or YAML file") from None
    except OSError as exc:
        raise InvalidInput(f"cannot read {name}: {exc.strerror or exc}") from None
    return parse_document(text, name, expect=expect, example=example)


class _NonFinite(ValueError):
    pass


def _refuse_constant(token: str):
    raise _NonFinite(token)


def _parse_yaml(text: str, name: str) -> Any:
    import yaml

    try:
        value = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{name}:{mark.line + 1}:{mark.column + 1}" if mark else name
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise InvalidInput(f"{where}: neither JSON nor YAML: {problem}") from None
    bad = non_finite_path(value)
    if bad:
        mark = _non_finite_mark(yaml.compose(text))
        where = f"{name}:{mark.line + 1}:{mark.column + 1}" if mark else name
        raise InvalidInput(
            f"{where}: {bad} is NaN or infinite (.nan/.inf) — give a finite number or null"
        )
    return value


def _non_finite_mark(node):
    """Where the first ``.nan`` / ``.inf`` scalar of a composed YAML node tree starts."""
    if node is None:
        return None
    if isinstance(node.value, str):
        is_float = node.tag == "tag:yaml.org,2002:float"
        return node.start_mark if is_float and "n" in node.value.lower() else None
    children = node.value if isinstance(node.value, list) else []
    for child in children:
        for part in child if isinstance(child, tuple) else (child,):
            found = _non_finite_mark(part)
            if found:
                return found
    return None


def non_finite_path(value: Any, path: str = "$") -> str | None:
    """The JSON path of the first NaN or infinity in ``value``, or ``None``."""
    if isinstance(value, float) and not math.isfinite(value):
        return path
    if isinstance(value, dict):
        items = ((f"{path}.{k}", v) for k, v in value.items())
    elif isinstance(value, list):
        items = ((f"{path}[{i}]", v) for i, v in enumerate(value))
    else:
        return None
    return next((found for p, v in items if (found := non_finite_path(v, p))), None)


def _kind(cls: type) -> str:
    return {
        dict: "JSON object (mapping)",
        list: "list",
        str: "string",
        int: "number",
        float: "number",
        bool: "boolean",
        type(None): "nothing (null)",
    }.get(cls, cls.__name__)


# --- writing -------------------------------------------------------------------------------


def plain_name(value: str, what: str, folder: Path) -> str:
    """``value`` when it is safe as one file or folder name inside ``folder``; else refused.

    A name that came from a backend (a job id) is not a path: ``../x`` or ``/etc`` must never
    send a write outside the folder the user chose."""
    if not isinstance(value, str) or not _PLAIN_NAME.match(value) or value in (".", ".."):
        raise InvalidInput(
            f"{what} {value!r} is not a plain file name — refusing to write outside {folder}; "
            "pass -o PATH to choose the file"
        )
    return value


def write_text(target: Path, text: str, *, option: str = "-o") -> None:
    """Write ``text`` to ``target`` without ever replacing a symlink or a special file."""
    try:
        _write(Path(os.path.realpath(target)), text)
    except OSError as exc:
        raise InvalidInput(
            f"cannot write {target}: {exc.strerror or exc} — choose another path with {option} "
            f"(or '{option} -' for stdout)",
            code="unwritable_output",
        ) from None


def _write(real: Path, text: str) -> None:
    try:
        mode = os.stat(real).st_mode
    except FileNotFoundError:
        mode = None
    if mode is not None and (stat.S_ISCHR(mode) or stat.S_ISFIFO(mode)):
        with open(real, "w", encoding="utf-8") as handle:  # write through, as '>' would
            handle.write(text)
        return
    if mode is not None and not stat.S_ISREG(mode):
        kind = "a folder" if stat.S_ISDIR(mode) else "not a regular file"
        raise OSError(0, f"{kind}; refusing to replace it")
    if mode is not None and not os.access(real, os.W_OK):  # as '>' would: a read-only file stays
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES))
    real.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=real.parent, prefix=f".{real.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, stat.S_IMODE(mode) if mode is not None else 0o666 & ~_umask())
        os.replace(tmp, real)
    except BaseException:  # Ctrl-C included: never leave a partial temp file behind
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current
