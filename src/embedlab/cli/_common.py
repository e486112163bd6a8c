"""Share what every command group needs.

Error handling, option aliases, the options-from-signature builder, input resolution and score
printing.

Nothing here imports a family at module level, so a command group that imports this stays cheap
to load; families are imported inside the commands.
"""

from __future__ import annotations

import functools
import importlib
import inspect
import json
import os
import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import typer

from embedlab.exceptions import EmbedlabError, InvalidInputError

__all__ = [
    "CLI_NAMES",
    "ConstructorOption",
    "cli_message",
    "constructor_options",
    "fail",
    "group",
    "guard",
    "parse_floats",
    "parse_method_options",
    "print_scores",
    "resolve_edges",
    "split_names",
    "usage_errors",
]

#: click's UsageError as Typer ships it (Typer may vendor its own click)
UsageError: type[Exception] = type(typer.BadParameter("")).__mro__[1]

#: constructor parameters whose CLI name differs (one name per concept across the CLI)
CLI_NAMES = {"random_state": "seed", "n_jobs": "threads"}


def group(help_text: str) -> typer.Typer:
    """Make a command group: help when called bare, never collapsing to its only command."""
    app = typer.Typer(
        help=help_text, no_args_is_help=True, add_completion=False, rich_markup_mode=None
    )

    @app.callback()
    def _callback() -> None:
        pass

    _callback.__doc__ = help_text
    return app


def fail(message: str, code: int = 1) -> None:
    """Print ``error: message`` on stderr and exit with ``code``."""
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


def cli_message(message: str, ctx: Any = None) -> str:
    """Put a library message in the command line's words: parameter names become option flags.

    ``'n_components'`` -> ``--n-components``, ``'random_state'`` -> ``--seed``, and
    "pass overwrite=True (CLI: --overwrite)" -> "pass --overwrite", for the options of the
    running command (``ctx``: its click context, found automatically when omitted).
    """
    message = re.sub(r"pass overwrite=True \(CLI: --overwrite\)", "pass --overwrite", message)
    message = message.replace("overwrite=True", "--overwrite")
    if ctx is None:
        ctx = _current_context()
    flags: dict[str, str] = {}
    while ctx is not None:
        for param in getattr(ctx.command, "params", []):
            longs = [o for o in getattr(param, "opts", []) if o.startswith("--")]
            if longs and param.name:
                flags.setdefault(param.name, longs[0])
        ctx = ctx.parent
    for name, cli in CLI_NAMES.items():
        flags.setdefault(name, "--" + cli)
    for name, flag in flags.items():
        message = message.replace(f"'{name}'", flag)
    return message


def _current_context() -> Any:
    """Return the running click context, or None.

    Typer ships click as ``typer._click`` since 0.20, or uses the ``click`` package.
    """
    for module in ("typer._click.globals", "click"):
        try:
            mod = importlib.import_module(module)
        except ImportError:
            continue
        getter = getattr(mod, "get_current_context", None)
        if getter is not None:
            return getter(silent=True)
    return None  # pragma: no cover


_QUIET = inspect.Parameter(
    "quiet",
    inspect.Parameter.KEYWORD_ONLY,
    default=False,
    annotation=Annotated[
        bool, typer.Option("--quiet", "-q", help="No progress bars or progress lines.")
    ],
)


def guard(func: Callable[..., Any]) -> Callable[..., Any]:
    """Turn every error into one line on stderr: exit 1 for data/runtime errors, 2 for usage.

    Every guarded command also takes ``-q/--quiet`` (one name for the concept on every
    command), unless it declares its own ``quiet`` parameter.
    """
    sig = inspect.signature(func, eval_str=True)
    inject = "quiet" not in sig.parameters and not any(
        p.kind is p.VAR_KEYWORD for p in sig.parameters.values()
    )

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if inject and kwargs.pop("quiet", False):
            from embedlab.utils.progress import set_quiet

            set_quiet(True)
        try:
            return func(*args, **kwargs)
        except (typer.Exit, typer.Abort, SystemExit, UsageError):
            raise
        except EmbedlabError as exc:
            fail(cli_message(str(exc)))
        except MemoryError:
            fail("out of memory; try a smaller --n-components or a smaller graph.")
        except KeyboardInterrupt:
            fail("interrupted.", 130)
        except BrokenPipeError:
            raise
        except Exception as exc:
            if os.environ.get("EMBEDLAB_DEBUG"):
                raise
            fail(f"{type(exc).__name__}: {exc} (set EMBEDLAB_DEBUG=1 for a traceback)")

    if inject:
        wrapper.__signature__ = sig.replace(  # type: ignore[attr-defined]
            parameters=[*sig.parameters.values(), _QUIET]
        )
    return wrapper


@contextmanager
def usage_errors() -> Iterator[None]:
    """Report an :class:`InvalidInputError` raised inside as a usage error (exit code 2).

    For checks of option values (a constructor's ``_validate_params``), so that every bad
    option is exit 2, whether Typer or the library finds it.
    """
    try:
        yield
    except InvalidInputError as exc:
        raise typer.BadParameter(cli_message(str(exc))) from None


# --------------------------------------------------------------------------------- inputs
def resolve_edges(edges: str) -> tuple[Path, str]:
    """Resolve an edge-list path, or a dataset name, to ``(path, description)``."""
    p = Path(edges)
    if p.is_file():
        return p, str(p)
    from embedlab.datasets import graph_dataset

    if p.suffix in {".txt", ".gz", ".tsv", ".csv", ".parquet", ".edges"} or os.sep in edges:
        raise InvalidInputError(f"The edge list {edges!r} does not exist.")
    ds = graph_dataset(edges)
    return ds.edges, f"dataset:{ds.name}"


def parse_floats(text: str, name: str) -> list[float]:
    """Comma-separated numbers (``"0,0,1,6.67"``) or a usage error naming the option."""
    try:
        values = [float(t) for t in text.replace(" ", "").split(",") if t != ""]
    except ValueError:
        raise typer.BadParameter(
            f"expected comma-separated numbers such as 0,0,1,6.67; got {text!r}.", param_hint=name
        ) from None
    if not values:
        raise typer.BadParameter("expected at least one number.", param_hint=name)
    return values


def split_names(text: str) -> list[str]:
    """Split comma-separated names: ``"a, b,,c"`` -> ``["a", "b", "c"]``."""
    return [t.strip() for t in text.split(",") if t.strip()]


# --------------------------------------------------------------------------------- options
def _auto(value: str) -> Any:
    """``auto`` -> None; an integer string -> int; a number -> float; else the string."""
    if value == "auto":
        return None
    for kind in (int, float):
        try:
            return kind(value)
        except ValueError:
            pass
    return value


def _number_or_text(value: str) -> Any:
    try:
        return float(value)
    except ValueError:
        return value


@dataclass(frozen=True)
class ConstructorOption:
    """One CLI option generated from one constructor parameter.

    ``annotation`` and ``default`` are what Typer sees; ``convert`` turns the parsed CLI value
    into the constructor's value; :meth:`parse` does both for a raw string (extra arguments).
    """

    param: str
    flag: str
    kind: type
    default: Any
    help: str
    convert: Callable[[Any], Any]

    @property
    def is_flag(self) -> bool:
        """Whether this is a ``--x/--no-x`` switch."""
        return self.kind is bool

    @property
    def annotation(self) -> Any:
        """The ``Annotated[...]`` type Typer builds the option from."""
        if self.is_flag:
            decl = f"{self.flag}/--no-{self.flag[2:]}"
            return Annotated[bool, typer.Option(decl, help=self.help)]
        if self.param == "random_state":
            return Annotated[int, typer.Option(self.flag, help=self.help, min=0)]
        if self.param == "n_jobs":
            return Annotated[int | None, typer.Option(self.flag, help=self.help, min=1)]
        return Annotated[self.kind, typer.Option(self.flag, help=self.help)]

    def parse(self, text: str) -> Any:
        """Return the constructor value of a raw command-line string (as Typer would parse it)."""
        if self.kind in (int, float):
            try:
                raw: Any = self.kind(text)
            except ValueError:
                what = "a number"
                if self.kind is int and _is_number(text):
                    what = "an integer"
                raise typer.BadParameter(
                    f"{self.flag} got {text!r}, not {what}.", param_hint="method options"
                ) from None
        else:
            raw = text
        return self.convert(raw)


def param_docs(cls: type) -> dict[str, str]:
    """First sentence of each parameter's numpydoc description, as plain text."""
    doc = inspect.getdoc(cls) or ""
    out: dict[str, str] = {}
    lines = doc.splitlines()
    for i, line in enumerate(lines):
        head = line.split(" : ")[0].strip()
        if " : " not in line or not head.isidentifier() or line.startswith(" "):
            continue
        body = []
        for nxt in lines[i + 1 :]:
            if not nxt.startswith("    "):
                break
            body.append(nxt.strip())
        text = " ".join(body)
        text = re.sub(r":[a-z]+:`~?([^`]*)`", r"\1", text).replace("``", "").replace("\\", "")
        out[head] = first_sentence(text)
    return out


def first_sentence(text: str) -> str:
    """Text up to the first ``.`` or ``;`` followed by a space outside parentheses.

    >>> first_sentence("Threshold (gensim's default is 1e-3; 0: off). More here.")
    "Threshold (gensim's default is 1e-3; 0: off)"
    """
    depth = 0
    for i, ch in enumerate(text):
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth = max(depth - 1, 0)
        elif ch in ".;" and depth == 0 and text[i + 1 : i + 2] in (" ", ""):
            if text[max(i - 3, 0) : i + 1] in ("e.g.", "i.e.") or text[i - 2 : i + 1] == "vs.":
                continue
            return text[:i]
    return text.rstrip(".;")


def constructor_options(cls: type, *, skip: Sequence[str] = ()) -> list[ConstructorOption]:
    """One :class:`ConstructorOption` per keyword parameter of ``cls``'s constructor.

    The single source of CLI options generated from a signature: ``embed <method>`` builds its
    options from it and ``eval link-prediction --method <method> ...`` parses its extra
    arguments with the same converters, so an option means the same in both.
    """
    docs = param_docs(cls)
    out = []
    for p in inspect.signature(cls).parameters.values():
        if p.name in skip:
            continue
        name, default = p.name, p.default
        flag = "--" + CLI_NAMES.get(name, name).replace("_", "-")
        help_text = docs.get(name, "")
        if name == "random_state":
            out.append(ConstructorOption(name, flag, int, 0, "Random seed.", lambda v: v))
        elif name == "n_jobs":
            out.append(
                ConstructorOption(name, flag, int, None, "Threads (default: all cores).", _same)
            )
        elif isinstance(default, bool):
            out.append(ConstructorOption(name, flag, bool, default, help_text, _same))
        elif isinstance(default, int):
            out.append(ConstructorOption(name, flag, int, default, help_text, _same))
        elif isinstance(default, float):
            out.append(ConstructorOption(name, flag, float, default, help_text, _same))
        elif isinstance(default, tuple | list):
            shown = ",".join(f"{v:g}" for v in default)
            out.append(
                ConstructorOption(
                    name,
                    flag,
                    str,
                    shown,
                    help_text + " (comma-separated)",
                    functools.partial(parse_floats, name=flag),
                )
            )
        elif default is None:  # "auto" on the command line; integers stay integers
            out.append(ConstructorOption(name, flag, str, "auto", help_text, _auto))
        elif isinstance(default, str):
            out.append(ConstructorOption(name, flag, str, default, help_text, _number_or_text))
        else:  # pragma: no cover - a new parameter type needs a mapping here
            raise TypeError(f"no CLI mapping for parameter {name!r} of {cls.__name__}")
    return out


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _same(value: Any) -> Any:
    return value


def parse_method_options(
    options: Sequence[ConstructorOption], args: Sequence[str]
) -> dict[str, Any]:
    """Parse constructor values from extra ``--name value`` / ``--flag`` / ``--no-flag`` args."""
    by_flag = {o.flag: o for o in options if o.param not in ("random_state", "n_jobs")}
    out: dict[str, Any] = {}
    i = 0
    while i < len(args):
        arg = args[i]
        flag, has_inline, inline = arg.partition("=")
        negated = flag.startswith("--no-") and "--" + flag[5:] in by_flag
        opt = by_flag.get("--" + flag[5:] if negated else flag)
        if opt is None:
            raise typer.BadParameter(
                f"unknown option {arg!r} for this method; valid: {', '.join(sorted(by_flag))}.",
                param_hint="method options",
            )
        if opt.is_flag:
            out[opt.param] = not negated
            i += 1
            continue
        if has_inline:
            value = inline
        elif i + 1 < len(args):
            i += 1
            value = args[i]
        else:
            raise typer.BadParameter(f"{flag} needs a value.", param_hint="method options")
        out[opt.param] = opt.parse(value)
        i += 1
    return out


# --------------------------------------------------------------------------------- output
def print_scores(
    res: dict[str, float], as_json: bool, title: str, *, primary: str | None = None
) -> None:
    """Scores as one JSON object, or a table (the evaluator's primary metric marked ``*``)."""
    if as_json:
        typer.echo(json.dumps(res))
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title=title, title_justify="left")
    table.add_column("metric")
    table.add_column("value", justify="right")
    for k, v in res.items():
        table.add_row(f"{k} *" if k == primary else k, f"{v:.4f}")
    Console().print(table)
