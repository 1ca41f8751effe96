"""The learner's language: ``set_language``, ``use_language`` and ``_()`` over gettext catalogs.

Choosing the language, in order of precedence:

1. ``with use_language("zh_CN"): ...`` (a context variable: per thread and per asyncio task);
2. ``set_language("zh_CN")`` (the process default; ``set_language(None)`` forgets it);
3. the ``LSTM_EXPLAIN_LANG`` environment variable, read at each lookup;
4. English.

``LANG`` and ``LC_*`` are never read, so output (and every test) is the same on any machine.

Marking strings (what a later pass does in widgets, diagnosis, tracing, shapes)::

    from .i18n import _, N_, ngettext

    title = _("Shapes at a glance")                    # translated now
    HELP = {"mode": N_("recurrent layer type")}        # marked, translated later with _(HELP[k])
    ngettext("{n} check failed", "{n} checks failed", n).format(n=n)

Without a catalog for the language, or for a string, ``_()`` returns the English text unchanged.
What stays English whatever the language: JSON keys and ``to_dict()`` fields, the text of
exceptions raised to code, and option values such as ``"LSTM"``; do not pass those through ``_()``.

Catalogs are the ``.po`` files in ``lstm_explain/locale/<lang>/LC_MESSAGES/lstm_explain.po``,
read directly (with polib, one pure-Python module) and compiled in memory the first time a language
is used: nothing binary is committed or generated, an edit to a ``.po`` shows on the next run with no
build step (an editable install and a wheel behave alike; the wheel carries the ``.po`` files as
package data), and the lookup itself is the standard library's ``gettext.GNUTranslations``, plural
forms included. Fuzzy and untranslated entries fall back to English (gettext's rule).
"""

from __future__ import annotations

import contextlib
import gettext as _gettext
import io
import os
import threading
from collections.abc import Iterator
from contextvars import ContextVar
from functools import cache
from pathlib import Path

__all__ = [
    "DEFAULT_LANGUAGE",
    "DOMAIN",
    "ENV_VAR",
    "LANGUAGES",
    "M_",
    "N_",
    "Message",
    "_",
    "configure_fonts",
    "get_language",
    "gettext",
    "ngettext",
    "normalize_language",
    "pgettext",
    "set_language",
    "tr",
    "use_language",
]

#: The environment variable of our own that picks the language (never ``LANG``/``LC_*``).
ENV_VAR = "LSTM_EXPLAIN_LANG"
DEFAULT_LANGUAGE = "en"
#: The package's gettext domain (``lstm_explain.po``).
DOMAIN = "lstm_explain"
#: Languages the course speaks, by canonical name.
LANGUAGES = {"en": "English", "zh_CN": "简体中文"}
LOCALE_DIR = Path(__file__).resolve().parent / "locale"

# Spellings a learner may type for each language (compared case-insensitively, "-" as "_").
_ALIASES = {
    "en": "en",
    "en_us": "en",
    "en_gb": "en",
    "english": "en",
    "c": "en",
    "posix": "en",
    "zh": "zh_CN",
    "zh_cn": "zh_CN",
    "zh_hans": "zh_CN",
    "zh_hans_cn": "zh_CN",
    "zh_sg": "zh_CN",
    "chinese": "zh_CN",
    "中文": "zh_CN",
    "简体中文": "zh_CN",
}

_process_language: str | None = None
_context_language: ContextVar[str | None] = ContextVar("lstm_explain_language", default=None)
_lock = threading.Lock()


def normalize_language(lang: str | None) -> str:
    """The canonical name of ``lang`` (``"zh-CN"``, ``"zh"``, ``"zh_Hans"`` -> ``"zh_CN"``).

    ``None`` or ``""`` means English. Raises ``ValueError`` for a language the course lacks.
    """
    if lang is None or str(lang).strip() == "":
        return DEFAULT_LANGUAGE
    key = str(lang).strip().split(".")[0].split("@")[0].replace("-", "_").lower()
    if key in _ALIASES:
        return _ALIASES[key]
    known = ", ".join(repr(k) for k in LANGUAGES)
    raise ValueError(f"language must be one of {known} (got {lang!r})")


def get_language() -> str:
    """The language in effect here: ``use_language`` > ``set_language`` > ``LSTM_EXPLAIN_LANG``."""
    lang = _context_language.get()
    if lang is not None:
        return lang
    if _process_language is not None:
        return _process_language
    return normalize_language(os.environ.get(ENV_VAR))


def set_language(lang: str | None) -> str:
    """Make ``lang`` the language of everything the package prints from now on; returns it.

    ``set_language(None)`` forgets the choice (back to ``LSTM_EXPLAIN_LANG``, else English).
    Choosing Chinese also puts a CJK font in matplotlib's fallback list, if one is installed.
    """
    global _process_language
    canonical = None if lang is None else normalize_language(lang)
    with _lock:
        _process_language = canonical
    if canonical is not None and canonical != DEFAULT_LANGUAGE:
        configure_fonts(canonical)
    return get_language()


@contextlib.contextmanager
def use_language(lang: str | None) -> Iterator[str]:
    """``with use_language("zh_CN"):`` speak ``lang`` inside the block only (thread/task-local).

    ``use_language(None)`` changes nothing, so a ``lang=None`` argument can be passed straight
    through (``def view(..., lang=None): with use_language(lang): ...``). Yields the language.
    """
    if lang is None:
        yield get_language()
        return
    canonical = normalize_language(lang)
    if canonical != DEFAULT_LANGUAGE:
        configure_fonts(canonical)
    token = _context_language.set(canonical)
    try:
        yield canonical
    finally:
        _context_language.reset(token)


@cache
def _translations(lang: str, domain: str = DOMAIN) -> _gettext.NullTranslations:
    """The catalog of ``lang``: its ``.po`` read with polib and compiled in memory (cached)."""
    path = LOCALE_DIR / lang / "LC_MESSAGES" / f"{domain}.po"
    if lang == DEFAULT_LANGUAGE or not path.is_file():
        return _gettext.NullTranslations()
    try:
        import polib
    except ImportError:  # pragma: no cover - polib is a dependency; degrade to English
        return _gettext.NullTranslations()
    mo = polib.pofile(str(path), encoding="utf-8").to_binary()  # translated, non-fuzzy entries
    return _gettext.GNUTranslations(io.BytesIO(mo))


def reload_catalogs() -> None:
    """Forget the compiled catalogs (after editing a ``.po`` in a running kernel)."""
    _translations.cache_clear()


def gettext(message: str) -> str:
    """``message`` in the current language (English when untranslated)."""
    return _translations(get_language()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The singular or plural form for ``n``, in the current language."""
    return _translations(get_language()).ngettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    """``message`` in the current language, told apart by ``context`` (e.g. a button vs a title)."""
    return _translations(get_language()).pgettext(context, message)


#: The usual short name: ``_("text")``.
_ = gettext


def N_(message: str) -> str:  # gettext's conventional name
    """Mark ``message`` for extraction without translating it now (module-level constants)."""
    return message


class Message(str):
    """English text that remembers how it was made, so it can be shown in another language later.

    A result (a report's notes, a check's name) is built once but rendered in whatever language is
    in effect when it is shown. ``M_("{n} steps", n=3)`` is the string ``"3 steps"`` (so
    ``to_dict()``, ``==``, ``in`` and JSON see plain English), and :func:`tr` renders it again,
    translated, at display time. Formatting placeholders that are themselves messages are
    translated too.
    """

    template: str
    kwargs: dict

    def __add__(self, other: object) -> str:
        if not isinstance(other, str):
            return NotImplemented
        return _joined(self, other)

    def __radd__(self, other: object) -> str:
        if not isinstance(other, str):
            return NotImplemented
        return _joined(other, self)

    def translated(self) -> str:
        """The text in the current language."""
        kwargs = {k: tr(v) if isinstance(v, Message) else v for k, v in self.kwargs.items()}
        text = gettext(self.template)
        return text.format(**kwargs) if kwargs else text


def M_(template: str, /, **kwargs: object) -> Message:
    """``template.format(**kwargs)`` in English, translatable later by :func:`tr` (extracted)."""
    msg = Message(template.format(**kwargs) if kwargs else template)
    msg.template = template
    msg.kwargs = kwargs
    return msg


def _joined(first: str, second: str) -> Message:
    """``first + second`` that still translates its parts (``cause += M_("; ...")``)."""
    msg = Message(str.__add__(str(first), str(second)))
    msg.template = "{first}{second}"
    msg.kwargs = {"first": first, "second": second}
    return msg


def tr(text: object) -> object:
    """``text`` in the current language: a :class:`Message` re-rendered, a plain string looked up
    as a msgid (English when the catalog lacks it), anything else unchanged."""
    if isinstance(text, Message):
        return text.translated()
    if isinstance(text, str) and text:
        return gettext(text)
    return text


#: Fonts with Simplified Chinese glyphs, best first: Debian/Ubuntu (fonts-noto-cjk, the
#: WenQuanYi fonts), macOS, Windows.
CJK_FONTS = (
    "Noto Sans CJK SC",
    "Noto Sans CJK JP",
    "Source Han Sans SC",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "PingFang SC",
    "Hiragino Sans GB",
    "Heiti SC",
    "STHeiti",
    "Microsoft YaHei",
    "SimHei",
    "Arial Unicode MS",
)


def configure_fonts(lang: str = "zh_CN") -> str | None:
    """Append an installed CJK font to matplotlib's font fallback list; returns its name.

    Matplotlib (>= 3.6) falls back glyph by glyph along ``font.family``, so Latin text keeps its
    font and Chinese gets the CJK one, with no missing-glyph warning. Returns None when matplotlib
    or a CJK font is missing (Debian: ``apt-get install fonts-noto-cjk``, ``make fonts-deps``).
    """
    if normalize_language(lang) == DEFAULT_LANGUAGE:
        return None
    try:
        import matplotlib
        from matplotlib import font_manager
    except ImportError:  # pragma: no cover
        return None
    installed = {f.name for f in font_manager.fontManager.ttflist}
    found = next((name for name in CJK_FONTS if name in installed), None)
    if found is None:
        found = _add_system_cjk_font(font_manager)
    if found is None:
        return None
    # Fallback runs along font.family, each generic name ("sans-serif") standing for its first
    # installed font: append the CJK font there, after the Latin one.
    families = list(matplotlib.rcParams["font.family"])
    if found not in families:
        matplotlib.rcParams["font.family"] = [*families, found]
    return found


def _add_system_cjk_font(font_manager) -> str | None:
    """A CJK font installed after matplotlib cached its font list: register its files by path.

    Every weight of the family is registered (regular first), so matplotlib finds a normal weight
    and logs no ``findfont`` fallback message. ``make fonts-deps`` also clears the stale cache.
    """
    roots = [Path(d) for d in ("/usr/share/fonts", "/usr/local/share/fonts", "/Library/Fonts",
                               "/System/Library/Fonts", "C:/Windows/Fonts")]  # fmt: skip
    for pattern in ("*CJK*", "wqy*", "*SourceHanSans*", "*PingFang*", "msyh*", "simhei*"):
        paths = sorted(
            (p for r in roots if r.is_dir() for p in r.rglob(pattern)
             if p.suffix.lower() in {".ttf", ".otf", ".ttc"} and "Mono" not in p.name),
            key=lambda p: ("Regular" not in p.name, p.name),
        )  # fmt: skip
        name = None
        for path in paths:
            try:
                font_manager.fontManager.addfont(str(path))
                name = name or font_manager.FontProperties(fname=str(path)).get_name()
            except Exception:  # an unreadable font file: try the next
                continue
        if name:
            return name
    return None
