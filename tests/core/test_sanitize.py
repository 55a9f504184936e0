"""The sanitizer: what a hostile server string looks like after `clean`."""

import pytest

from nemochat.core.sanitize import clean, clean_line, safe_filename

ESC = "\x1b"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        # colours and cursor movement (CSI)
        (f"{ESC}[31mred{ESC}[0m text", "red text"),
        (f"{ESC}[2J{ESC}[Hcleared", "cleared"),
        (f"{ESC}[?25lhidden cursor{ESC}[?25h", "hidden cursor"),
        (f"{ESC}[38;2;255;0;0mtruecolor", "truecolor"),
        # OSC 8 hyperlink: the visible text stays, the hidden target goes
        (f"{ESC}]8;;https://evil.example{ESC}\\click me{ESC}]8;;{ESC}\\", "click me"),
        (f"{ESC}]8;;https://evil.example\x07click me{ESC}]8;;\x07", "click me"),
        # OSC 52 clipboard write, OSC 0 window title
        (f"before{ESC}]52;c;cm0gLXJmIH4=\x07after", "beforeafter"),
        (f"{ESC}]0;pwned title\x07hello", "hello"),
        # an unterminated OSC swallows the rest, as a terminal would
        (f"ok{ESC}]0;no terminator", "ok"),
        # DCS, APC, PM, SOS strings
        (f"a{ESC}P1$qm{ESC}\\b", "ab"),
        (f"a{ESC}_payload{ESC}\\b", "ab"),
        (f"a{ESC}^privacy{ESC}\\b", "ab"),
        (f"a{ESC}Xstring{ESC}\\b", "ab"),
        # two-character and charset escapes
        (f"a{ESC}cb", "ab"),  # RIS: full terminal reset
        (f"a{ESC}7b{ESC}8c", "abc"),  # save/restore cursor
        (f"a{ESC}(0b", "ab"),  # line-drawing charset
        (f"trailing{ESC}", "trailing"),
        # 8-bit C1: CSI U+009B and OSC U+009D with their parameters
        ("\x9b31mred", "red"),
        ("\x9d0;title\x07text", "text"),
        ("\x9d8;;https://evil.example\x9clink", "link"),
        ("a\x85b\x90c", "ab"),  # a DCS with no terminator runs to the end
        ("a\x80b\x9fc", "ab"),
        # other C0 controls and DEL
        ("bell\x07 back\x08space\x00nul\x7fdel", "bell backspacenuldel"),
        ("keep\ttab\nand newline", "keep\ttab\nand newline"),
        # line endings
        ("one\r\ntwo\rthree", "one\ntwo\nthree"),
        ("para\u2028line\u2029end", "para\nline\nend"),
        # bidi spoofing: "RLO" makes "exe.mp4" look like "4pm.exe"
        ("invoice\u202efdp.exe", "invoicefdp.exe"),
        ("\u2066isolate\u2069 \u200emark\u200f \u061carabic", "isolate mark arabic"),
        # other invisible format characters
        ("zero\u200bwidth\ufeffbom\u2060joiner\u00adsoft", "zerowidthbomjoinersoft"),
        ("smuggled\U000e0041\U000e0042", "smuggled"),
        # lone surrogates (from bad JSON escapes) would crash print()
        ("bad\ud800surrogate", "badsurrogate"),
    ],
)
def test_clean_removes_control_and_spoofing(raw, expected):
    assert clean(raw) == expected


@pytest.mark.parametrize(
    "text",
    [
        "[bold red]markup[/]",  # Rich markup is literal here; the view prints Text objects
        "城市延时摄影 🎬 都市梦想",
        "family 👨\u200d👩\u200d👧 and rainbow 🏳\ufe0f\u200d🌈",
        "England \U0001f3f4\U000e0067\U000e0062\U000e0065\U000e006e\U000e0067\U000e007f flag",
        "Persian ZWNJ: می\u200cخواهم",
        "**Markdown** _stays_ `as is`\n- list item\n\ttabbed",
        "café naïve résumé ü",
    ],
)
def test_clean_keeps_normal_text(text):
    assert clean(text) == text


def test_clean_is_idempotent():
    hostile = f"{ESC}[31mred\x9b1m\u202e{ESC}]0;t\x07ok\r\n"
    assert clean(clean(hostile)) == clean(hostile) == "redok\n"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("  A title\nwith lines\tand tabs  ", "A title with lines and tabs"),
        ("one\r\n\r\ntwo", "one two"),
        (f"{ESC}]0;x\x07 Urban Dreams {ESC}[1m", "Urban Dreams"),
        ("\n\t\n", ""),
        ("都市\u3000梦想", "都市 梦想"),
    ],
)
def test_clean_line_gives_one_line(raw, expected):
    assert clean_line(raw) == expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Urban Dreams", "Urban-Dreams"),
        ("Urban Dreams.mp4", "Urban-Dreams.mp4"),
        ("都市梦想 第一集.mp4", "都市梦想-第一集.mp4"),
        ("猫 🐱 video", "猫-🐱-video"),
        ("../../evil.mp4", "evil.mp4"),
        ("..\\..\\windows\\system32", "windows-system32"),
        ("/etc/passwd", "etc-passwd"),
        (".bashrc", "bashrc"),
        ("-rf", "rf"),
        ("a..b", "a.b"),
        ('what: "a" <b> |c?* d', "what-a-b-c-d"),
        ("trailing dots... ", "trailing-dots"),
        ("nul\x00byte", "nulbyte"),
        (f"{ESC}[31mred{ESC}[0m", "red"),
        ("CON", "_CON"),
        ("con.mp4", "_con.mp4"),
        ("com1", "_com1"),
        ("Console", "Console"),  # only the exact device names are reserved
        ("", "video"),
        ("../..", "video"),
        ("   ", "video"),
        ("\u202e\u200b", "video"),
    ],
)
def test_safe_filename(name, expected):
    assert safe_filename(name) == expected


def test_safe_filename_never_escapes_its_folder():
    for hostile in ["../../evil.mp4", "..", ".", "./.././x", "a/../../b", "....//....//x", "\\\\server\\share"]:
        result = safe_filename(hostile)
        assert "/" not in result and "\\" not in result
        assert ".." not in result
        assert not result.startswith(".")
        assert result


def test_safe_filename_fallback_is_configurable():
    assert safe_filename("///", fallback="render_42") == "render_42"


def test_safe_filename_truncates_but_keeps_the_suffix():
    result = safe_filename("x" * 200 + ".mp4", max_length=20)
    assert result == "x" * 16 + ".mp4"


def test_safe_filename_truncates_chinese_on_character_boundary():
    result = safe_filename("都市梦想" * 30, max_length=10)
    assert result == "都市梦想都市梦想都市"
    assert len(result) == 10


def test_safe_filename_does_not_end_with_a_cut_separator():
    assert safe_filename("abcd efgh", max_length=5) == "abcd"
