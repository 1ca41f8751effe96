"""The ``lstm-explain`` command line.

``lstm-explain shapes --mode lstm --input-size 100 --hidden-size 20 --num-layers 4
--bidirectional --batch-first --seq-len 10 --batch 3 [--unbatched] [--lengths 10,7,3] [--json]``

A bad value exits with status 2 and one line on stderr, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence

PROG = "lstm-explain"


class UsageError(Exception):
    """A bad command line: printed as one line, exit status 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, no usage dump
        raise UsageError(message)


def int_list(text: str) -> tuple[int, ...]:
    """``"10,7,3"`` -> ``(10, 7, 3)``."""
    try:
        return tuple(int(p) for p in text.replace(" ", "").split(",") if p != "")
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected comma-separated integers such as 10,7,3 (got {text!r})"
        ) from None


def add_config_arguments(p: argparse.ArgumentParser) -> None:
    """The RNNConfig fields as options (shared by subcommands), built from ``RNNConfig.knobs()``.

    A knob's kind picks the option: ``"bool"`` a switch (``--no-…`` when it defaults to True),
    ``"int"``/``"float"`` a typed value, ``"ints"`` comma-separated integers, ``"choice"`` a
    plain string (RNNConfig checks it, so a bad value gets RNNConfig's message).
    """
    from .config import RNNConfig

    types: dict[str, Callable[[str], object]] = {"int": int, "float": float, "ints": int_list}
    for knob in RNNConfig.knobs().values():
        for k in (knob, knob.none):
            if k is None:
                continue
            if k.kind == "bool":
                action = "store_false" if k.default is True else "store_true"
                p.add_argument(k.flag, dest=k.name, action=action, help=k.help)
            elif k.required and k.cli_default is None:
                p.add_argument(k.flag, type=types.get(k.kind), required=True, help=k.help)
            else:
                default = k.default if k.cli_default is None else k.cli_default
                p.add_argument(k.flag, type=types.get(k.kind), default=default, help=k.help)


def config_from_args(args: argparse.Namespace):  # -> RNNConfig
    """The RNNConfig of parsed options (input options default when a subcommand lacks them)."""
    from .config import RNNConfig

    unbatched = getattr(args, "unbatched", False)
    lengths = getattr(args, "lengths", None)
    if unbatched and lengths is not None:
        raise ValueError("--lengths needs a batched input (drop --unbatched)")
    has_input = hasattr(args, "seq_len")  # e.g. diagnose reads the input's shapes instead
    values = {}
    for name, knob in RNNConfig.knobs().items():
        if hasattr(args, name) and (has_input or not knob.input):
            values[name] = getattr(args, name)
        if knob.none is not None and getattr(args, knob.none.name, False):
            values[name] = None
    return RNNConfig(**values)


def cmd_shapes(args: argparse.Namespace) -> int:
    from .shapes import shape_report

    report = shape_report(config_from_args(args), seed=args.seed)
    print(json.dumps(report.to_dict(), indent=2) if args.json else str(report))
    return 0


#: subcommand name -> (help, add-arguments function, run function)
COMMANDS: dict[
    str, tuple[str, Callable[[argparse.ArgumentParser], None], Callable[[argparse.Namespace], int]]
] = {}


def register(
    name: str,
    help: str,
    add_args: Callable[[argparse.ArgumentParser], None],
    run: Callable[[argparse.Namespace], int],
) -> None:
    """Add a subcommand (used by modules that bring their own)."""
    COMMANDS[name] = (help, add_args, run)


def _shapes_args(p: argparse.ArgumentParser) -> None:
    add_config_arguments(p)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--json", action="store_true", help="print report.to_dict() as JSON")


register(
    "shapes",
    "predicted vs observed shapes, parameters and identity checks",
    _shapes_args,
    cmd_shapes,
)


def _load_plugins() -> None:
    """Subcommands defined next to the concept they belong to (e.g. diagnosis)."""
    import importlib

    for mod in ("diagnosis",):
        try:
            m = importlib.import_module(f"lstm_explain.{mod}")
        except ModuleNotFoundError as exc:
            if exc.name != f"lstm_explain.{mod}":
                raise
            continue
        hook = getattr(m, "register_cli", None)
        if hook is not None:
            hook(register)


def build_parser() -> argparse.ArgumentParser:
    _load_plugins()
    parser = _Parser(prog=PROG, description="Explain PyTorch's recurrent layers.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name, (help_text, add_args, run) in COMMANDS.items():
        p = sub.add_parser(name, help=help_text, description=help_text)
        add_args(p)
        p.set_defaults(func=run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status (2 for a bad value)."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        if not getattr(args, "command", None):
            parser.print_help()
            return 2
        return int(args.func(args) or 0)
    except (UsageError, ValueError) as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
