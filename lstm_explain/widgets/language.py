"""The 中文 / English switch the explorers share, and the ``lang`` property behind it.

An explorer mixes in :class:`Bilingual`, builds ``self.language = language_toggle(lang, width)``,
observes it with ``self._on_language`` and defines ``_relabel()`` (labels only: new options on a
Dropdown or ToggleButtons would reset its value) and ``refresh()``.
"""

from __future__ import annotations

from typing import Any

import ipywidgets as widgets

from ..i18n import LANGUAGES, get_language, normalize_language

#: The language switch's buttons: (label, language), each label in its own language.
LANGUAGE_OPTIONS = (("English", "en"), ("中文", "zh_CN"))


def language_toggle(lang: str, width: int) -> widgets.ToggleButtons:
    """The 中文 / English switch of an explorer (its labels never change, so its value stays)."""
    return widgets.ToggleButtons(
        options=list(LANGUAGE_OPTIONS),
        value=lang,
        tooltips=[LANGUAGES["en"], LANGUAGES["zh_CN"]],
        style={"button_width": f"{(width - 24) // 2}px"},
        layout=widgets.Layout(width=f"{width}px", margin="10px 0 0 0", display="flex"),
    )


class Bilingual:
    """``lang``: the explorer's language; setting it relabels in place and keeps every value."""

    language: widgets.ToggleButtons
    _lang: str

    def _relabel(self) -> None:  # pragma: no cover - each explorer defines its own
        raise NotImplementedError

    def refresh(self) -> None:  # pragma: no cover - each explorer defines its own
        raise NotImplementedError

    @property
    def lang(self) -> str:
        """The language of the labels, results and figures (``"en"`` or ``"zh_CN"``)."""
        return self._lang

    @lang.setter
    def lang(self, value: str | None) -> None:
        lang = get_language() if value is None else normalize_language(value)
        if self.language.value != lang:
            self.language.value = lang  # its observer relabels and refreshes
            return
        self._lang = lang
        self._relabel()
        self.refresh()

    def _on_language(self, change: dict[str, Any]) -> None:
        self.lang = change["new"]
