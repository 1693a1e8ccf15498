"""The two log grammars: logfmt (quoting, escapes, bare keys, faults named with their column) and
the Combined Log Format (`-` fields, escaped quotes, level from the status, Common Log Format)."""
from __future__ import annotations

import pytest

from filegate.datasets.events.logs import clf, clf_time, is_clf, is_logfmt, logfmt


def test_logfmt_pairs_in_order_quoted_and_bare():
    line = 'ts=2024-03-01T12:00:03.120Z level=info event=page_view user_id=42 session=ab12 path="/home page" ms=123'
    assert logfmt(line) == [("ts", "2024-03-01T12:00:03.120Z"), ("level", "info"), ("event", "page_view"),
                            ("user_id", "42"), ("session", "ab12"), ("path", "/home page"), ("ms", "123")]


@pytest.mark.parametrize("line, pairs", [
    (r'msg="say \"hi\""', [("msg", 'say "hi"')]),
    (r'path="C:\\temp\\x"', [("path", "C:\\temp\\x")]),
    (r'msg="two\nlines\ttab" x=\d', [("msg", "two\nlines\ttab"), ("x", "\\d")]),
    (r'msg="unknown \q escape"', [("msg", "unknown \\q escape")]),
    ('empty= quoted="" debug', [("empty", ""), ("quoted", ""), ("debug", None)]),
    ('url=/search?q=a=b  spaced=1\t', [("url", "/search?q=a=b"), ("spaced", "1")]),
    ('  unicode="naïve → café" k=ü', [("unicode", "naïve → café"), ("k", "ü")]),
])
def test_logfmt_quoting_and_escapes(line, pairs):
    assert logfmt(line) == pairs


@pytest.mark.parametrize("line, fault", [
    ('a=1 note="never closed', "the quoted value of 'note' is not closed (column 10)"),
    ('a=1 b=x"y"', "a quote inside the value 'x' (column 8)"),
    ('a="x"y', "'y' right after the value of 'a' (column 6)"),
    ('"q"=1', "a quote where a key should start (column 1)"),
    ('=1', "'=' where a key should start (column 1)"),
])
def test_a_malformed_logfmt_line_says_where(line, fault):
    with pytest.raises(ValueError) as e:
        logfmt(line)
    assert str(e.value) == f"not logfmt: {fault}"


def test_logfmt_is_told_from_other_text():
    assert is_logfmt("a=1 b=2") and is_logfmt('msg="x y"') and is_logfmt("ERROR something=")
    assert not is_logfmt("just words here") and not is_logfmt('a="open') and not is_logfmt("a=1 =2")


CLF = ('203.0.113.7 - alice [01/Mar/2024:12:00:03 +0000] "GET /home HTTP/1.1" 200 5120 "https://ex.com/" '
       '"Mozilla/5.0 (X11; Linux x86_64)"')


def test_a_combined_log_line_is_an_http_request():
    assert is_clf(CLF) and not is_logfmt(CLF)
    assert clf(CLF) == {
        "ts": "2024-03-01T12:00:03+00:00", "level": "info", "event": "http_request", "user_id": "alice",
        "session_id": None, "message": None,
        "attributes": {"remote_addr": "203.0.113.7", "method": "GET", "path": "/home", "protocol": "HTTP/1.1",
                       "status": "200", "bytes": "5120", "referer": "https://ex.com/",
                       "user_agent": "Mozilla/5.0 (X11; Linux x86_64)"}}


@pytest.mark.parametrize("status, level", [("200", "info"), ("304", "info"), ("399", "info"), ("400", "warn"),
                                           ("404", "warn"), ("499", "warn"), ("500", "error"), ("503", "error")])
def test_the_level_follows_the_status(status, level):
    assert clf(CLF.replace(" 200 ", f" {status} "))["level"] == level


def test_dashes_are_absent_fields_and_escaped_quotes_are_read():
    line = r'::1 - - [01/Mar/2024:14:00:03 +0200] "GET /q?x=\"1\" HTTP/1.0" 304 - "-" "agent \"x\" \\ y"'
    event = clf(line)
    assert event["user_id"] is None and event["ts"] == "2024-03-01T12:00:03+00:00"
    assert event["attributes"] == {"remote_addr": "::1", "method": "GET", "path": '/q?x="1"', "protocol": "HTTP/1.0",
                                   "status": "304", "user_agent": 'agent "x" \\ y'}


def test_the_common_log_format_and_odd_requests():
    common = '10.0.0.1 ident bob [01/Mar/2024:12:00:03 -0500] "-" 400 0'
    event = clf(common)
    assert event["ts"] == "2024-03-01T17:00:03+00:00" and event["level"] == "warn"
    assert event["attributes"] == {"remote_addr": "10.0.0.1", "ident": "ident", "status": "400", "bytes": "0"}
    garbage = clf('10.0.0.1 - - [01/Mar/2024:12:00:03 +0000] "\\x16\\x03\\x01" 400 157 "-" "-"')
    assert garbage["attributes"]["request"] == "\\x16\\x03\\x01" and "path" not in garbage["attributes"]


@pytest.mark.parametrize("line", [
    '203.0.113.7 - alice [01/Mar/2024:12:00:03 +0000] "GET /home HTTP/1.1" 2000 5120',
    '203.0.113.7 - alice 01/Mar/2024:12:00:03 +0000 "GET /home HTTP/1.1" 200 5120',
    '203.0.113.7 - alice [01/Mar/2024:12:00:03 +0000] "GET /home HTTP/1.1 200 5120',
    'ts=2024-03-01T12:00:03Z event=x',
])
def test_a_line_that_is_not_clf_is_refused(line):
    with pytest.raises(ValueError, match="not a Combined Log Format line"):
        clf(line)


@pytest.mark.parametrize("text", ["01/Foo/2024:12:00:03 +0000", "31/Feb/2024:12:00:03 +0000",
                                  "01/Mar/2024:12:00:03", "01/Mar/2024:25:00:03 +0000", "01/Mar/2024:12:00:03 0000"])
def test_a_bad_access_log_time_is_named(text):
    with pytest.raises(ValueError, match=r"is not dd/Mon/yyyy:HH:MM:SS \+hhmm"):
        clf_time(text)


# Properties: whatever keys and values, a line rendered as logfmt reads back as its pairs, and any
# text either reads or is refused with ValueError (never another error).

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

KEYS = st.text(st.characters(blacklist_characters='="\\', blacklist_categories=("Z", "Cc", "Cs")), min_size=1,
               max_size=8)
VALUES = st.one_of(st.none(), st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\r\n"),
                                      max_size=12))


def render(pairs) -> str:
    out = []
    for key, value in pairs:
        if value is None:
            out.append(key)
        elif value and not any(c.isspace() or c in '"=\\' for c in value):
            out.append(f"{key}={value}")
        else:
            out.append(f'{key}="' + value.replace("\\", "\\\\").replace('"', '\\"') + '"')
    return " ".join(out)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(KEYS, VALUES), max_size=6))
def test_a_rendered_line_reads_back_as_its_pairs(pairs):
    assert logfmt(render(pairs)) == pairs


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=40))
def test_any_text_reads_or_is_refused_with_a_reason(text):
    try:
        logfmt(text)
    except ValueError as e:
        assert str(e).startswith("not logfmt: ") and "no fault found" not in str(e)
