"""Rendering without Matrix: notices, relations, escaping and splitting long answers."""

from __future__ import annotations

import json

from bot.render import MAX_PART_BYTES, Target, notice_contents
from commands.framework.reply import Reply, code, fmt, strong

MATRIX_EVENT_LIMIT = 65_536


def test_every_answer_is_a_notice_with_plain_and_html_body() -> None:
    """A reply renders as m.notice with body, org.matrix.custom.html and the reply relation."""
    reply = Reply.of(fmt("Sitzung {name}", name=strong("Bildungsbeirat"))).bullets(["a", "b"])
    [content] = notice_contents(reply, Target("!r:hs", reply_to="$cmd", mention_user="@anna:hs"))
    assert content["msgtype"] == "m.notice"
    assert content["body"] == "Sitzung Bildungsbeirat\n• a\n• b"
    assert content["formatted_body"] == (
        "<p>Sitzung <strong>Bildungsbeirat</strong></p><ul><li>a</li><li>b</li></ul>"
    )
    assert content["m.relates_to"] == {"m.in_reply_to": {"event_id": "$cmd"}}
    assert content["m.mentions"] == {"user_ids": ["@anna:hs"]}


def test_user_text_is_escaped_in_every_helper() -> None:
    """fmt, strong and code escape what they are given; the template's own text too."""
    hostile = '<script>alert("x")</script>'
    reply = Reply.of(fmt("{a} & {b}", a=strong(hostile), b=code(hostile))).bullets([hostile])
    [content] = notice_contents(reply, Target("!r:hs"))
    assert "<script>" not in content["formatted_body"]
    assert "&lt;script&gt;" in content["formatted_body"] and " &amp; " in content["formatted_body"]
    assert hostile in content["body"]


def test_room_mention_is_declared_in_m_mentions() -> None:
    """A reply that should reach the whole room says so in m.mentions, not only in text."""
    reply = Reply.of("Erinnerung")
    reply.mention_room = True
    [content] = notice_contents(reply, Target("!r:hs"))
    assert content["m.mentions"] == {"room": True}


def test_long_lists_are_split_into_events_below_the_size_limit() -> None:
    """3000 list entries become several events, each under 64 KiB, with nothing lost."""
    entries = [
        f"Angebot {index:04d}: " + "Sprachförderung für Neuzugewanderte " * 3
        for index in range(3000)
    ]
    contents = notice_contents(Reply.of("Alle Angebote:").bullets(entries), Target("!r:hs"))
    assert len(contents) > 1
    for content in contents:
        assert len(json.dumps(content).encode()) < MATRIX_EVENT_LIMIT
        assert content["formatted_body"].count("<ul>") == content["formatted_body"].count("</ul>")
    lines = [line for content in contents for line in content["body"].split("\n")]
    assert [line for line in lines if line.startswith("• ")] == [f"• {entry}" for entry in entries]


def test_a_single_giant_paragraph_is_cut_not_dropped() -> None:
    """One paragraph larger than an event is shortened with a visible ellipsis."""
    [content] = notice_contents(Reply.of("x" * (MAX_PART_BYTES * 3)), Target("!r:hs"))
    assert content["body"].endswith(" …")
    assert len(json.dumps(content).encode()) < MATRIX_EVENT_LIMIT
