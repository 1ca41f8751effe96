"""What a learner reads, rendered: diagnoses of the corpus' wrong calls, exercise feedback, the
cheat sheet, the unrolled diagram and figures' labels (for tests/test_i18n_package.py).

Each sample is ``(name, render)``: ``render()`` returns ``{"text": [...], "code": [...]}``, the
prose a learner reads (to be translated) and the rest as rendered (code, torch's own message,
whole renderings), both strings. Only the public API is used, so the same module computes the
English digests from another checkout of the package (see ``english_digests``).
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import re
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import torch
from torch import nn

sys.path.insert(0, str(Path(__file__).parent))

from corpus.errors import CASES, CTOR_CASES, SUMMARY_CASES, namespace, split_call

from lstm_explain import check_summary, diagnose, explain_errors
from lstm_explain.i18n import tr

Rendered = dict[str, list[str]]
Sample = tuple[str, Callable[[], Rendered]]


# --- diagnoses -------------------------------------------------------------------------------


def _headline(p: Any) -> str:
    from lstm_explain.diagnosis.results import _headline

    return _headline(p)


def _diagnosis(d: Any) -> Rendered:
    text = []
    for a in d.arguments:
        text += [tr(a.why), tr(a.actual), tr(a.expected)]
    for p in d.problems:
        text += [tr(p.cause), _headline(p)]
    text += [tr(n) for n in d.notes]
    d = dataclasses.replace(d, torch_error=None)  # torch's own words vary with its version
    return {"text": text, "code": [str(d), d._repr_html_()]}


def _error_case(case: Any) -> Callable[[], Rendered]:
    def render() -> Rendered:
        torch.manual_seed(0)
        ns = namespace(case.setup)
        module, args = split_call(case.call, ns)
        return _diagnosis(diagnose(module, *args))

    return render


def _ctor_case(case: Any) -> Callable[[], Rendered]:
    def render() -> Rendered:
        try:
            with explain_errors():
                eval(case.ctor, {"nn": nn})
        except Exception as exc:
            return _diagnosis(exc.diagnosis)
        raise AssertionError(f"{case.ctor} did not raise")

    return render


def _summary_case(case: Any) -> Callable[[], Rendered]:
    def render() -> Rendered:
        torch.manual_seed(0)
        ns = namespace(case.setup)
        module = next(ns[k] for k in ("lstm", "gru", "rnn") if k in ns)
        return _diagnosis(check_summary(module, ns["x"], eval(case.summary, ns)))

    return render


def diagnosis_samples() -> list[Sample]:
    out: list[Sample] = []
    out += [(f"diagnose/{c.id}", _error_case(c)) for c in CASES]
    out += [(f"constructor/{c.id}", _ctor_case(c)) for c in CTOR_CASES]
    out += [(f"summary/{c.id}", _summary_case(c)) for c in SUMMARY_CASES]
    return out


# --- exercises -------------------------------------------------------------------------------


def _answers(ex: Any) -> Iterator[tuple[str, Any]]:
    """Blank, wrong-form, every listed mistake, generic wrong answers and the right answer."""
    truth = ex.truth()
    parts = ex.parts
    yield "blank", ...
    yield "wrong form", "?"
    for i, part in enumerate(parts):
        mistakes = list(part.mistakes())
        generic = []
        if part.kind == "shape":
            generic = [(*part.value(), 1), tuple(reversed(part.value())), (0,) * len(part.value())]
        elif part.kind in ("int", "index"):
            generic = [part.value() + 1]
        elif part.kind == "bool":
            generic = [not part.value()]
        elif part.kind == "slice":
            start, stop = part.value()
            generic = [slice(start, stop + 1)]
        for k, answer in enumerate([m for m, _ in mistakes] + generic):
            if len(parts) == 1:
                yield f"part {i} answer {k}", answer
            else:
                values = list(truth)
                values[i] = answer
                yield f"part {i} answer {k}", tuple(values)
    if len(parts) > 1:
        yield "too few", truth[:-1]
        yield "one blank", (..., *truth[1:])
    yield "right", truth if parts[0].kind != "function" else _solution_function(ex)


def _solution_function(ex: Any) -> Any:
    ns: dict[str, Any] = {"torch": torch, "nn": nn}
    exec("from lstm_explain.recurrence import *\n" + ex.solution_code, ns)
    return ns[ex.name]


def _exercise(notebook: str, number: int) -> Callable[[], Rendered]:
    def render() -> Rendered:
        from lstm_explain.exercises import notebook_exercises

        q = notebook_exercises(notebook)
        ex = q[number]
        text, code = [], [repr(q), repr(ex)]
        hint, solution = ex.hint(), ex.solution()
        text += [tr(hint.title), tr(hint.text), tr(solution.title), tr(solution.text)]
        code += [str(hint), hint._repr_html_(), str(solution), solution._repr_html_()]
        for _label, answer in _answers(ex):
            fb = ex.check(answer)
            text += [tr(fb.message), *(tr(t) for _, _, t in fb.parts if t)]
            code += [str(fb), fb._repr_html_()]
        return {"text": text, "code": code}

    return render


def exercise_samples() -> list[Sample]:
    from lstm_explain.exercises import notebook_exercises, notebooks_with_exercises

    return [
        (f"exercise/{nb}.{ex.number}", _exercise(nb, ex.number))
        for nb in notebooks_with_exercises()
        for ex in notebook_exercises(nb)
    ]


# --- the cheat sheet, the unrolled diagram, figures -------------------------------------------


def _figure_texts(fig: Any) -> list[str]:
    from matplotlib.text import Text

    texts = [t.get_text() for t in fig.findobj(Text)]
    return [
        t for t in texts if t and not t.startswith("torch ")
    ]  # the footer names torch's version


def _cheatsheet() -> Rendered:
    from lstm_explain.cheatsheet import IDENTITIES, Verified, build_cheatsheet

    verified = Verified(40, 1200, {i.time_first: 10 for i in IDENTITIES}, 40, 24)
    texts = _figure_texts(build_cheatsheet("a4", verified))
    return {"text": texts, "code": texts}


_SVG_TEXT = re.compile(r"<text [^>]*>(.*?)</text>", re.S)


def _unrolled(config: Any) -> Callable[[], Rendered]:
    def render() -> Rendered:
        import html

        from lstm_explain.plotting import unrolled_svg

        svg = unrolled_svg(config, min_font=9)
        labels = [html.unescape(s) for s in _SVG_TEXT.findall(svg)]
        return {"text": labels, "code": [svg]}

    return render


def _figure(make: Callable[[], Any]) -> Callable[[], Rendered]:
    def render() -> Rendered:
        texts = _figure_texts(make())
        return {"text": texts, "code": texts}

    return render


def _figures() -> list[Sample]:
    from lstm_explain import plotting as P
    from lstm_explain.bptt import RecallRun
    from lstm_explain.plotting import bptt as B
    from lstm_explain.plotting import generation as G
    from lstm_explain.training import History

    run = RecallRun(
        loss=[1.0, 0.5, float("nan")], norm_before=[2.0, 1.0, 3.0], norm_after=[1.0, 1.0, 1.0]
    )
    run.max_norm = 1.0
    history = History(
        loss=[1.0, 0.5], metric=[0.5, 0.8], metric_name="accuracy", eval_loss=[1.1, 0.6],
        eval_name="validation",
    )  # fmt: skip
    return [
        ("figure/data_cube", _figure(lambda: P.plot_data_cube(3, 4, 2, sample=1, step=0, feature=1))),
        ("figure/layouts", _figure(lambda: P.plot_layouts(2, 3, 2))),
        ("figure/packing", _figure(lambda: P.plot_packing([4, 1, 3]))),
        ("figure/last_valid", _figure(lambda: P.plot_last_valid([4, 1, 3]))),
        ("figure/lstm_cell", _figure(lambda: P.plot_lstm_cell())),
        ("figure/state_gradients", _figure(lambda: B.plot_state_gradients({"LSTM": torch.rand(5) + 0.1}))),
        ("figure/clipping", _figure(lambda: B.plot_clipping({"clipped": run}))),
        ("figure/accuracy", _figure(lambda: B.plot_accuracy_by_distance({"LSTM": {5: 0.9, 10: 0.8}}))),
        ("figure/history", _figure(lambda: P.plot_history(history))),
        ("figure/confusion", _figure(lambda: P.plot_confusion_matrix(torch.eye(3, dtype=torch.long)))),
        ("figure/loss_curves", _figure(lambda: G.plot_loss_curves({"LSTM": [2.0, 1.5]}))),
        ("figure/temperatures", _figure(lambda: G.plot_temperatures({0.5: torch.tensor([0.7, 0.3]), 1.0: torch.tensor([0.6, 0.4])}, ["a", " "]))),
    ]  # fmt: skip


def picture_samples() -> list[Sample]:
    from lstm_explain import RNNConfig

    configs = {
        "lstm_bidirectional_stacked": RNNConfig("LSTM", 10, 20, num_layers=5, bidirectional=True, seq_len=12),
        "gru_packed_batch_first": RNNConfig("GRU", 4, 6, batch_first=True, seq_len=5, batch=3, lengths=(5, 2, 4)),
        "rnn_unbatched": RNNConfig("RNN", 3, 5, num_layers=2, batch=None, seq_len=4),
    }  # fmt: skip
    out: list[Sample] = [("cheatsheet", _cheatsheet)]
    out += [(f"unrolled/{k}", _unrolled(c)) for k, c in configs.items()]
    return out + _figures()


def all_samples() -> list[Sample]:
    return diagnosis_samples() + exercise_samples() + picture_samples()


# --- checks ----------------------------------------------------------------------------------

#: Names that stay English in any language: modules, libraries, options, units.
KEEP = {
    "LSTM", "GRU", "RNN", "PyTorch", "torch", "nn", "dropout", "epoch", "logits", "None",
    "True", "False", "tanh", "relu", "sigmoid", "Conv1d", "DataLoader", "PackedSequence",
    "Fraction", "Scaler", "nat", "int", "bool", "float", "list", "tuple", "dtype", "eval",
}  # fmt: skip

#: A run of three or more English words (letters only, not part of an identifier or a call).
_RUN = re.compile(r"(?<![\w.\[`'\"])[A-Za-z]{2,}(?:[ ,]+[A-Za-z]{2,}){2,}(?![\w(\[`'\"])")
_CODE = re.compile(r"`[^`]*`|\"[^\"]*\"|'[^']*'|\w+\([^()]*\)|\[[^\[\]]*\]")


def english_runs(text: str) -> list[str]:
    """Runs of three or more English words left in ``text`` (outside code spans and quotes, and
    not counting the names in :data:`KEEP`)."""
    found = []
    for run in _RUN.findall(_CODE.sub(" ", text)):
        words = [w for w in re.findall(r"[A-Za-z]+", run) if w not in KEEP]
        if len(words) >= 3:
            found.append(run)
    return found


def digest(rendered: Rendered) -> str:
    return hashlib.sha256("\x00".join(rendered["text"] + rendered["code"]).encode()).hexdigest()


def english_digests() -> dict[str, str]:
    """``{sample: sha256 of its English rendering}``; run from another checkout to compare:
    ``python -c "import tests._i18n_samples as s, json; print(json.dumps(s.english_digests()))"``."""
    with contextlib.suppress(Exception):
        from lstm_explain.i18n import set_language

        set_language("en")
    return {name: digest(render()) for name, render in all_samples()}
