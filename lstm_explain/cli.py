"""The ``lstm-explain`` command line.

``lstm-explain shapes --mode lstm --input-size 100 --hidden-size 20 --num-layers 4
--bidirectional --batch-first --seq-len 10 --batch 3 [--unbatched] [--lengths 10,7,3] [--json]``

``lstm-explain diagnose --mode lstm --input-size 100 --hidden-size 20 --input-shape 3,10,100
[--h0-shape 4,3,20] [--c0-shape 4,3,20] [--lengths 10,7,3] [--no-enforce-sorted]``

Each command imports what it needs when it runs, so ``lstm-explain --help`` stays fast.

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


def add_config_arguments(p: argparse.ArgumentParser, *, input_options: bool = True) -> None:
    """The RNNConfig fields as options (shared by subcommands).

    ``input_options=False`` leaves out ``--seq-len``, ``--batch`` and ``--unbatched``, for a
    subcommand that takes the input's shape itself.
    """
    p.add_argument("--mode", default="lstm", help="rnn, lstm or gru (default lstm)")
    p.add_argument("--input-size", type=int, required=True, help="features per step, H_in")
    p.add_argument("--hidden-size", type=int, required=True, help="hidden units, H")
    p.add_argument("--num-layers", type=int, default=1)
    p.add_argument("--bidirectional", action="store_true")
    p.add_argument("--batch-first", action="store_true")
    p.add_argument("--proj-size", type=int, default=0, help="LSTM only; 0 = no projection")
    p.add_argument("--no-bias", dest="bias", action="store_false")
    p.add_argument("--dropout", type=float, default=0.0)
    p.add_argument("--nonlinearity", default="tanh", help="RNN only: tanh or relu")
    if input_options:
        p.add_argument("--seq-len", type=int, default=5, help="time steps, T")
        p.add_argument("--batch", type=int, default=3, help="sequences, N")
        p.add_argument("--unbatched", action="store_true", help="one 2-D sequence (T, H_in)")
    p.add_argument("--lengths", type=int_list, default=None, help="e.g. 10,7,3: pad and pack")


def config_from_args(args: argparse.Namespace):  # -> RNNConfig
    """The RNNConfig of parsed options (input options default when a subcommand lacks them)."""
    from .config import RNNConfig

    unbatched = getattr(args, "unbatched", False)
    lengths = getattr(args, "lengths", None)
    if unbatched and lengths is not None:
        raise ValueError("--lengths needs a batched input (drop --unbatched)")
    return RNNConfig(
        mode=args.mode,
        input_size=args.input_size,
        hidden_size=args.hidden_size,
        num_layers=args.num_layers,
        bidirectional=args.bidirectional,
        batch_first=args.batch_first,
        proj_size=args.proj_size,
        bias=args.bias,
        dropout=args.dropout,
        nonlinearity=args.nonlinearity,
        seq_len=getattr(args, "seq_len", 5),
        batch=None if unbatched else getattr(args, "batch", 3),
        lengths=lengths if hasattr(args, "seq_len") else None,
    )


def cmd_shapes(args: argparse.Namespace) -> int:
    from .shapes import shape_report

    report = shape_report(config_from_args(args), seed=args.seed)
    print(json.dumps(report.to_dict(), indent=2) if args.json else str(report))
    return 0


def _shapes_args(p: argparse.ArgumentParser) -> None:
    add_config_arguments(p)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--json", action="store_true", help="print report.to_dict() as JSON")


def _diagnose_args(p: argparse.ArgumentParser) -> None:
    add_config_arguments(p, input_options=False)  # the input's shape is --input-shape
    p.add_argument("--input-shape", type=int_list, required=True, help="e.g. 3,10,100")
    p.add_argument("--h0-shape", type=int_list, default=None, help="e.g. 4,3,20")
    p.add_argument("--c0-shape", type=int_list, default=None, help="LSTM only")
    p.add_argument(
        "--no-enforce-sorted",
        dest="enforce_sorted",
        action="store_false",
        help="pack with enforce_sorted=False (with --lengths)",
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
        "predicted vs observed shapes, parameters and identity checks",
        _shapes_args,
        cmd_shapes,
    ),
    "diagnose": (
        "explain what is wrong with a call's shapes, and the fix",
        _diagnose_args,
        cmd_diagnose,
    ),
}


def build_parser() -> argparse.ArgumentParser:
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
