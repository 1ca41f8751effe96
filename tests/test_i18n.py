"""The learner's language: set_language, use_language, LSTM_EXPLAIN_LANG, catalogs, CLI --lang."""

from __future__ import annotations

import json
import threading
import warnings

import pytest

import lstm_explain
from lstm_explain import i18n
from lstm_explain.cli import main
from lstm_explain.i18n import _, get_language, ngettext, set_language, use_language

HELP_EN = "Explain PyTorch's recurrent layers."
HELP_ZH = "讲解 PyTorch 的循环层。"


@pytest.fixture(autouse=True)
def _english(monkeypatch):
    """Each test starts in English, whatever the machine's locale or an earlier test chose."""
    import matplotlib

    family = matplotlib.rcParams["font.family"]  # choosing Chinese adds a CJK fallback font
    monkeypatch.delenv(i18n.ENV_VAR, raising=False)
    set_language(None)
    yield
    set_language(None)
    matplotlib.rcParams["font.family"] = family


def test_english_by_default_and_untranslated_text_passes_through() -> None:
    assert get_language() == "en"
    assert _(HELP_EN) == HELP_EN
    with use_language("zh_CN"):
        assert _("a string no catalog has") == "a string no catalog has"


def test_set_language_translates_and_none_resets() -> None:
    assert set_language("zh_CN") == "zh_CN"
    assert _(HELP_EN) == HELP_ZH
    set_language(None)
    assert _(HELP_EN) == HELP_EN


@pytest.mark.parametrize("spelling", ["zh_CN", "zh-CN", "zh", "zh_Hans", "ZH_cn", "zh_CN.UTF-8"])
def test_spellings(spelling: str) -> None:
    assert i18n.normalize_language(spelling) == "zh_CN"


def test_unknown_language_raises_in_english() -> None:
    with pytest.raises(ValueError, match=r"language must be one of 'en', 'zh_CN' \(got 'fr'\)"):
        set_language("fr")
    with use_language("zh_CN"), pytest.raises(ValueError, match="language must be one of"):
        set_language("klingon")  # exception text stays English whatever the language


def test_use_language_is_scoped_and_nests() -> None:
    set_language("zh_CN")
    with use_language("en"):
        assert _(HELP_EN) == HELP_EN
        with use_language("zh_CN"):
            assert _(HELP_EN) == HELP_ZH
        assert get_language() == "en"
    assert get_language() == "zh_CN"
    with use_language(None):  # None: no change, so a lang=None argument can pass straight through
        assert get_language() == "zh_CN"


def test_use_language_is_per_thread() -> None:
    seen = {}

    def other() -> None:
        seen["other"] = get_language()

    with use_language("zh_CN"):
        t = threading.Thread(target=other)
        t.start()
        t.join()
        assert get_language() == "zh_CN"
    assert seen["other"] == "en"


def test_env_var_and_never_lang_or_lc_all(monkeypatch) -> None:
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    monkeypatch.setenv("LC_ALL", "zh_CN.UTF-8")
    monkeypatch.setenv("LC_MESSAGES", "zh_CN.UTF-8")
    monkeypatch.setenv("LANGUAGE", "zh_CN")
    assert get_language() == "en" and _(HELP_EN) == HELP_EN
    monkeypatch.setenv(i18n.ENV_VAR, "zh_CN")
    assert get_language() == "zh_CN" and _(HELP_EN) == HELP_ZH
    set_language("en")  # an explicit choice wins over the variable
    assert _(HELP_EN) == HELP_EN


def test_ngettext_and_n_marker() -> None:
    assert ngettext("{n} check", "{n} checks", 1) == "{n} check"
    assert ngettext("{n} check", "{n} checks", 2) == "{n} checks"
    assert i18n.N_("marked only") == "marked only"
    with use_language("zh_CN"):  # untranslated: the English plural rule still applies
        assert ngettext("{n} check", "{n} checks", 2) == "{n} checks"


def test_fuzzy_entries_are_not_used(tmp_path, monkeypatch) -> None:
    po = tmp_path / "zh_CN" / "LC_MESSAGES" / f"{i18n.DOMAIN}.po"
    po.parent.mkdir(parents=True)
    po.write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n'
        '"Plural-Forms: nplurals=1; plural=0;\\n"\n\n'
        'msgid "done"\nmsgstr "完成"\n\n'
        '#, fuzzy\nmsgid "stale"\nmsgstr "过时"\n\n'
        'msgid "{n} step"\nmsgid_plural "{n} steps"\nmsgstr[0] "{n} 步"\n',
        encoding="utf-8",
    )
    monkeypatch.setattr(i18n, "LOCALE_DIR", tmp_path)
    i18n.reload_catalogs()
    try:
        with use_language("zh_CN"):
            assert _("done") == "完成"
            assert _("stale") == "stale"
            assert ngettext("{n} step", "{n} steps", 5) == "{n} 步"
    finally:
        monkeypatch.undo()
        i18n.reload_catalogs()


def test_public_api_exports() -> None:
    assert lstm_explain.set_language is set_language
    assert lstm_explain.use_language is use_language
    assert {"set_language", "use_language"} <= set(lstm_explain.__all__)


def test_package_catalog_is_complete_and_keeps_placeholders() -> None:
    import polib

    po = polib.pofile(str(i18n.LOCALE_DIR / "zh_CN" / "LC_MESSAGES" / f"{i18n.DOMAIN}.po"))
    live = [e for e in po if not e.obsolete]
    assert live and all(e.translated() for e in live)
    for e in live:
        # a plural entry's translation is in msgstr[0] (zh_CN has one form), its msgstr is empty
        msgstr = e.msgstr_plural[0] if e.msgid_plural else e.msgstr
        for token in ("{", "$LSTM_EXPLAIN_LANG", "--lengths", "enforce_sorted=False"):
            assert e.msgid.count(token) == msgstr.count(token), (e.msgid, msgstr)


# --------------------------------------------------------------------------- CLI


def test_cli_lang_translates_help(capsys) -> None:
    with pytest.raises(SystemExit):
        main(["--lang", "zh_CN", "--help"])
    assert HELP_ZH in capsys.readouterr().out
    with pytest.raises(SystemExit):
        main(["shapes", "--help", "--lang", "zh_CN"])
    out = capsys.readouterr().out
    assert "输出语言" in out and "--lang" in out
    assert get_language() == "en"  # the CLI's choice ends with the run


def test_cli_env_var_and_english_default(capsys, monkeypatch) -> None:
    with pytest.raises(SystemExit):
        main(["--help"])
    assert HELP_EN in capsys.readouterr().out
    monkeypatch.setenv(i18n.ENV_VAR, "zh_CN")
    with pytest.raises(SystemExit):
        main(["--help"])
    assert HELP_ZH in capsys.readouterr().out


@pytest.mark.parametrize("command", ["shapes", "diagnose"])
def test_every_subcommand_takes_lang(command: str, capsys) -> None:
    args = {
        "shapes": ["shapes", "--mode", "gru", "--input-size", "3", "--hidden-size", "2"],
        "diagnose": ["diagnose", "--mode", "gru", "--input-size", "3", "--hidden-size", "2",
                     "--input-shape", "4,2,3"],
    }[command]  # fmt: skip
    assert main([*args, "--lang", "zh_CN"]) == 0
    assert capsys.readouterr().out


def test_cli_json_keys_and_errors_stay_english(capsys) -> None:
    args = ["shapes", "--mode", "lstm", "--input-size", "4", "--hidden-size", "3", "--json"]
    assert main([*args, "--lang", "zh_CN"]) == 0
    zh = json.loads(capsys.readouterr().out)
    assert main(args) == 0
    en = json.loads(capsys.readouterr().out)
    assert zh == en
    assert main([*args, "--lang", "zh_CN", "--proj-size", "3"]) == 2
    err = capsys.readouterr().err
    assert "proj_size must be smaller than hidden_size" in err
    assert main(["shapes", "--lang", "fr"]) == 2
    assert "language must be one of" in capsys.readouterr().err


# --------------------------------------------------------------------------- fonts


def test_chinese_figure_renders_without_missing_glyph_warnings() -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    saved = matplotlib.rcParams["font.family"]
    try:
        font = i18n.configure_fonts("zh_CN")
        if font is None:
            pytest.skip("no CJK font installed (Debian: make fonts-deps)")
        assert font in matplotlib.rcParams["font.family"]
        fig, ax = plt.subplots()
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            ax.set_title("隐状态 h_n 与细胞状态 c_n")
            ax.set_xlabel("时间步 t")
            fig.canvas.draw()
        plt.close(fig)
    finally:
        matplotlib.rcParams["font.family"] = saved
