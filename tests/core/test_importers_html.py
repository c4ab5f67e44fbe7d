"""Importing web pages: the article, not the page furniture; metadata; charsets."""

from __future__ import annotations

from pathlib import Path

import pytest

from desktop.core.importers import ImportFailure, extract

P1 = (
    "Heavy rain over the weekend caused the river levels across the northern valleys "
    "to rise faster than at any point in the last decade, officials said on Monday."
)
P2 = (
    "Residents of three villages were asked to move to higher ground while engineers "
    "inspected the old stone bridges, some of which date from the eighteenth century."
)
P3 = (
    "“We have never seen water like this,” said one farmer, who asked not to be named. "
    "The local council said it would publish a full report next month."
)

ARTICLE = f"""<!doctype html>
<html lang="en"><head>{{charset}}
<title>Rivers rise in the north | The Daily Example</title>
<meta name="author" content="Jane Doe">
<meta property="og:site_name" content="The Daily Example">
<meta property="og:title" content="Rivers rise in the north">
<meta property="og:url" content="https://example.org/news/rivers">
<link rel="canonical" href="https://example.org/news/rivers">
<meta property="article:published_time" content="2024-03-05T10:00:00Z">
<style>body {{{{ color: red }}}} .MENUSTYLE {{{{ display: none }}}}</style>
<script>var tracking = "SCRIPTTEXT";</script>
</head><body>
<nav><ul><li><a href="/">Home</a></li><li><a href="/world">World news menu</a></li></ul></nav>
<div class="cookie-banner" id="cookie-consent">We use cookies to improve your experience. Accept all cookies.</div>
<article><h1>Rivers rise in the north</h1>
<p>{P1}</p>
<p>{P2}</p>
<p>{P3}</p>
</article>
<footer><p>Copyright 2024 The Daily Example. All rights reserved. Privacy policy.</p></footer>
<script>document.write("MORESCRIPT")</script>
</body></html>"""


def page(charset: str = '<meta charset="utf-8">') -> str:
    return ARTICLE.format(charset=charset)


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_article_text_without_menus_scripts_styles_banners_or_footer(tmp_path):
    doc = extract(write(tmp_path, "rivers.html", page().encode()))
    assert doc.kind == "html"
    assert doc.pages is None
    for paragraph in (P1, P2, P3):
        assert paragraph in doc.text
    for furniture in (
        "World news menu",
        "cookies",
        "SCRIPTTEXT",
        "MORESCRIPT",
        "color: red",
        "MENUSTYLE",
        "All rights reserved",
    ):
        assert furniture not in doc.text


def test_paragraphs_are_separated_by_blank_lines(tmp_path):
    doc = extract(write(tmp_path, "rivers.htm", page().encode()))
    assert f"{P1}\n\n{P2}\n\n{P3}" in doc.text


def test_metadata_from_meta_tags(tmp_path):
    doc = extract(write(tmp_path, "rivers.html", page().encode()))
    assert doc.metadata == {
        "title": "Rivers rise in the north",
        "author": "Jane Doe",
        "date": "2024-03-05",
        "source": "The Daily Example",
        "url": "https://example.org/news/rivers",
    }


def test_declared_windows_1252_charset_is_used(tmp_path):
    data = page('<meta http-equiv="Content-Type" content="text/html; charset=windows-1252">')
    doc = extract(write(tmp_path, "old.html", data.encode("cp1252")))
    assert P3 in doc.text  # curly quotes intact


def test_page_declared_latin1_but_written_by_word_is_read_as_windows_1252(tmp_path):
    data = page('<meta charset="iso-8859-1">')
    doc = extract(write(tmp_path, "old.html", data.encode("cp1252")))
    assert "“We have never seen water like this,”" in doc.text


@pytest.mark.parametrize(
    ("declared", "codec", "text"),
    [
        ("gb2312", "gb18030", "朱镕基与陶喆谈停火。双方代表团同意交换囚犯，并撤出重型武器。"),
        ("shift_jis", "cp932", "①髙橋さんが停戦協議に参加した。国連の監視団が立ち会う。"),
        ("euc-kr", "cp949", "똠방각하가 휴전 협상에 참여했다. 양측 대표단은 포로 교환에 합의했다."),
    ],
)
def test_a_page_declared_in_an_east_asian_standard_is_read_as_browsers_read_it(
    tmp_path, declared, codec, text
):
    """Browsers read gb2312 as GBK, shift_jis as Windows-932 and euc-kr as Windows-949
    (WHATWG encoding spec): pages use the extra characters and still declare the standard."""
    html = (f'<html><head><meta charset="{declared}"><title>t</title></head><body><article>'
            f"<p>{text}</p><p>{text}</p></article></body></html>")  # fmt: skip
    doc = extract(write(tmp_path, "page.html", html.encode(codec)))
    assert text in doc.text
    assert any("as the page declares" in w for w in doc.warnings), doc.warnings


def test_undeclared_legacy_charset_is_detected(tmp_path):
    doc = extract(write(tmp_path, "old.html", page("").encode("cp1252")))
    assert P3 in doc.text


def test_utf16_page_with_bom(tmp_path):
    doc = extract(
        write(tmp_path, "u16.html", "\ufeff".encode("utf-16-le") + page("").encode("utf-16-le"))
    )
    assert P1 in doc.text


def test_short_page_without_an_article_still_imports_its_text(tmp_path):
    html = "<html><head><title>Note</title></head><body><p>Meet at noon.</p></body></html>"
    doc = extract(write(tmp_path, "note.html", html.encode()))
    assert doc.text == "Meet at noon."


def test_page_with_no_text_is_refused(tmp_path):
    html = "<html><head><title>x</title><script>var a = 1;</script></head><body><img src=a.png></body></html>"
    with pytest.raises(ImportFailure, match="no readable text"):
        extract(write(tmp_path, "empty.html", html.encode()))


def test_empty_html_file_is_refused(tmp_path):
    with pytest.raises(ImportFailure, match="empty"):
        extract(write(tmp_path, "empty.html", b"  \n"))


def test_binary_named_html_is_refused(tmp_path):
    with pytest.raises(ImportFailure, match="not text"):
        extract(write(tmp_path, "x.html", b"\x89PNG\r\n\x1a\n\x00\x00\x00"))


def test_lists_and_tables_keep_their_items_apart(tmp_path):
    body = (
        f"<article><h1>Survey results</h1><p>{P1}</p>"
        "<ul><li>First finding about water</li><li>Second finding about bridges</li></ul>"
        f"<p>{P2}</p>"
        "<table><tr><th>Village</th><th>Households</th></tr>"
        "<tr><td>Northby</td><td>120</td></tr></table>"
        f"<p>{P3}</p></article>"
    )
    html = (
        f"<html><head><meta charset='utf-8'><title>Survey</title></head><body>{body}</body></html>"
    )
    doc = extract(write(tmp_path, "survey.html", html.encode()))
    assert "First finding about water\n" in doc.text
    assert "Second finding about bridges" in doc.text
    assert "Northby\t120" in doc.text


def test_wrong_declared_charset_falls_back_to_detection(tmp_path):
    # Declares UTF-8 but was saved by an old editor in Windows-1252.
    doc = extract(write(tmp_path, "liar.html", page('<meta charset="utf-8">').encode("cp1252")))
    assert P3 in doc.text


def test_control_characters_in_a_page_are_dropped(tmp_path, monkeypatch):
    html = page().replace("officials said", "officials\x01 said\x08").encode()
    doc = extract(write(tmp_path, "ctl.html", html))
    assert P1 in doc.text
    # When trafilatura finds no article, the fallback's cleaner (lxml) would refuse them.
    import trafilatura

    monkeypatch.setattr(trafilatura, "bare_extraction", lambda *a, **k: None)
    short = b"<html><body><p>Meet <blink>at\x13 noon</blink> today.</p></body></html>"
    assert extract(write(tmp_path, "short.html", short)).text == "Meet at noon today."


NAV_PAGE = """<html><head><meta charset="utf-8"><title>وقف إطلاق النار</title></head>
<body class="has-navbar">
<div class="top-links"><a href="/">Home</a> | <a href="/world">World</a></div>
<ul class="site-menu"><li><a href="/">Home</a></li><li><a href="/news">News</a></li></ul>
<div role="navigation"><a href="/a">Archive</a></div>
<p><a href="/">Home</a></p>
<h1>وقف إطلاق النار في غزة</h1>
<p>أعلنت الحكومة وقف إطلاق النار في المدينة بعد أسبوع من القتال، كما قال <a href="/p">المتحدث الرسمي</a>.</p>
<p><a href="/r">The full report of the monitoring mission on the ceasefire</a></p>
</body></html>"""


def test_navigation_lines_are_not_kept_as_text(tmp_path):
    doc = extract(write(tmp_path, "short.html", NAV_PAGE.encode()))
    lines = doc.text.split("\n")
    for menu_word in ("Home", "World", "News", "Archive", "|"):
        assert not any(line.strip() == menu_word or menu_word + " |" in line for line in lines)
    assert "Home" not in doc.text
    # the article, its inline link and a linked headline-length line are kept
    assert doc.metadata["title"].startswith("وقف إطلاق النار")
    assert "كما قال المتحدث الرسمي." in doc.text
    assert "The full report of the monitoring mission on the ceasefire" in doc.text


def test_a_page_in_a_declared_legacy_charset_says_how_it_was_read(tmp_path):
    body = "<p>أعلنت الحكومة وقف إطلاق النار في المدينة بعد أسبوع من القتال.</p>"
    html = f'<html><head><meta charset="windows-1256"></head><body>{body}</body></html>'
    doc = extract(write(tmp_path, "ar.html", html.encode("cp1256")))
    assert "أعلنت الحكومة وقف إطلاق النار" in doc.text
    assert doc.warnings == [
        "not UTF-8; read as Windows-1256 (Arabic, Persian, Urdu), as the page declares"
    ]


def test_an_undeclared_legacy_page_names_its_guessed_encoding(tmp_path):
    body = "<p>Стороны договорились о прекращении огня на всей линии фронта.</p>"
    doc = extract(write(tmp_path, "ru.html", f"<html><body>{body}</body></html>".encode("koi8_r")))
    assert "Стороны договорились" in doc.text
    assert any("read as KOI8-R" in w for w in doc.warnings)
