"""The ``lstm-explain`` command line.

``lstm-explain shapes --mode lstm --input-size 100 --hidden-size 20 --num-layers 4
--bidirectional --batch-first --seq-len 10 --batch 3 [--unbatched] [--lengths 10,7,3] [--json]``

``lstm-explain diagnose --mode lstm --input-size 100 --hidden-size 20 --input-shape 3,10,100
[--h0-shape 4,3,20] [--c0-shape 4,3,20] [--lengths 10,7,3] [--no-enforce-sorted]``

Every subcommand takes ``--lang zh_CN`` (or reads ``LSTM_EXPLAIN_LANG``): the language of its
help and of the text it prints. JSON keys and error messages stay English.

Each command imports what it needs when it runs, so ``lstm-explain --help`` stays fast.

A bad value exits with status 2 and one line on stderr, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence

from .i18n import N_, use_language
from .i18n import gettext as _

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


#: Knobs that a subcommand reading the input's shape itself (``--input-shape``) leaves out.
INPUT_SHAPE_KNOBS = ("seq_len", "batch")


def add_config_arguments(p: argparse.ArgumentParser, *, input_options: bool = True) -> None:
    """The RNNConfig fields as options (shared by subcommands), built from ``RNNConfig.knobs()``.

    A knob's kind picks the option: ``"bool"`` a switch (``--no-…`` when it defaults to True),
    ``"int"``/``"float"`` a typed value, ``"ints"`` comma-separated integers, ``"choice"`` a
    plain string (RNNConfig checks it, so a bad value gets RNNConfig's message).
    ``input_options=False`` leaves out ``--seq-len``, ``--batch`` and ``--unbatched``, for a
    subcommand that takes the input's shape itself.
    """
    from .config import RNNConfig

    types: dict[str, Callable[[str], object]] = {"int": int, "float": float, "ints": int_list}
    for knob in RNNConfig.knobs().values():
        if not input_options and knob.name in INPUT_SHAPE_KNOBS:
            continue
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


def _shapes_args(p: argparse.ArgumentParser) -> None:
    add_config_arguments(p)
    p.add_argument("--seed", type=int, default=0, help=_("seed of the module's weights"))
    p.add_argument("--json", action="store_true", help=_("print report.to_dict() as JSON"))


def _diagnose_args(p: argparse.ArgumentParser) -> None:
    add_config_arguments(p, input_options=False)  # the input's shape is --input-shape
    p.add_argument("--input-shape", type=int_list, required=True, help=_("e.g. 3,10,100"))
    p.add_argument("--h0-shape", type=int_list, default=None, help=_("e.g. 4,3,20"))
    p.add_argument("--c0-shape", type=int_list, default=None, help=_("LSTM only"))
    p.add_argument(
        "--no-enforce-sorted",
        dest="enforce_sorted",
        action="store_false",
        help=_("pack with enforce_sorted=False (with --lengths)"),
    )


def cmd_diagnose(args: argparse.Namespace) -> int:
    import torch

    from .diagnosis import diagnose

    cfg = config_from_args(args)  # the layer's knobs; the input's shapes come below
    shapes = {
        "--input-shape": args.input_shape,
        "--h0-shape": args.h0_shape,
        "--c0-shape": args.c0_shape,
    }
    for opt, shape in shapes.items():
        if shape is None:
            continue
        if not shape or any(s < 1 for s in shape):
            raise ValueError(f"{opt} must be positive integers such as 3,10,100 (got {shape})")
        n = 1
        for s in shape:
            n *= s
        if n > 50_000_000:
            raise ValueError(f"{opt} must have at most 50,000,000 elements (got {n:,})")
    if args.c0_shape is not None and cfg.mode != "LSTM":
        raise ValueError(f"--c0-shape is only for LSTM (got --mode {args.mode})")
    if args.c0_shape is not None and args.h0_shape is None:
        raise ValueError("--c0-shape needs --h0-shape")
    module = cfg.build()
    x = torch.zeros(args.input_shape)
    hx = None
    if args.h0_shape is not None:
        h0 = torch.zeros(args.h0_shape)
        hx = (h0, torch.zeros(args.c0_shape)) if args.c0_shape is not None else h0
    d = diagnose(module, x, hx, lengths=args.lengths, enforce_sorted=args.enforce_sorted)
    print(d)
    return 0 if d.ok else 1


#: subcommand name -> (help, add-arguments function, run function)
COMMANDS: dict[
    str, tuple[str, Callable[[argparse.ArgumentParser], None], Callable[[argparse.Namespace], int]]
] = {
    "shapes": (
        N_("predicted vs observed shapes, parameters and identity checks"),
        _shapes_args,
        cmd_shapes,
    ),
    "diagnose": (
        N_("explain what is wrong with a call's shapes, and the fix"),
        _diagnose_args,
        cmd_diagnose,
    ),
}


def _add_lang_argument(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--lang",
        default=None,
        metavar="LANG",
        help=_("language of the output: en or zh_CN (default: $LSTM_EXPLAIN_LANG, else en)"),
    )


def build_parser() -> argparse.ArgumentParser:
    """The parser, its help in the current language (``main`` selects it from ``--lang`` first)."""
    parser = _Parser(prog=PROG, description=_("Explain PyTorch's recurrent layers."))
    _add_lang_argument(parser)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name, (help_text, add_args, run) in COMMANDS.items():
        p = sub.add_parser(name, help=_(help_text), description=_(help_text))
        add_args(p)
        _add_lang_argument(p)
        p.set_defaults(func=run)
    return parser


def _lang_of(argv: Sequence[str] | None) -> str | None:
    """``--lang`` from the command line before the real parse, so ``--help`` is translated too."""
    pre = argparse.ArgumentParser(add_help=False)
    pre.add_argument("--lang", default=None)
    known, _rest = pre.parse_known_args(list(sys.argv[1:] if argv is None else argv))
    return known.lang


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status (2 for a bad value)."""
    try:
        with use_language(_lang_of(argv)):
            parser = build_parser()
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
