"""The core's answers as HTML (adapters/dashboard/message_html.py): every text escaped, the chat's layout kept."""

from __future__ import annotations

from adapters.dashboard.message_html import message_html, response_html, responses_html
from bot.kernel.i18n import Translator
from bot.kernel.messages import (
    Button,
    Buttons,
    Choice,
    Context,
    Divider,
    Fields,
    Form,
    Header,
    Image,
    Message,
    Option,
    Text,
    TextInput,
)
from bot.kernel.replies import FormErrors, OpenForm, Reply

EN = Translator("en")
EVIL = '<script>alert(1)</script> "quoted" & <img src=x onerror=alert(2)>'


def test_member_text_is_escaped_in_every_block() -> None:
    message = Message(text=EVIL, blocks=(
        Header(EVIL), Text(EVIL), Fields(((EVIL, EVIL),)), Buttons((Button(EVIL, "x:1"),)),
        Choice("vote:1", (Option(EVIL, "1"),), label=EVIL), Image("javascript:alert(3)", EVIL), Context(EVIL)))
    html = str(message_html(message, EN))
    assert "<script>" not in html and "<img src=x" not in html and "javascript:" not in html
    assert html.count("&lt;script&gt;") == 9  # header, text, field name, value, button, choice, option, alt, context
    assert "&#34;quoted&#34; &amp;" in html


def test_layout_of_the_chat_is_kept() -> None:
    message = Message(text="fallback", blocks=(
        Header("Leadership"), Text("*Bold* line one\nline two"), Fields((("State", "Running"),)), Divider(),
        Image("https://files.example/chart.png", "Chart")))
    html = str(message_html(message, EN))
    assert "<h3>Leadership</h3>" in html
    assert "<p><strong>Bold</strong> line one<br>\nline two</p>" in html
    assert "<dt>State</dt><dd>Running</dd>" in html and "<hr>" in html
    assert '<img src="https://files.example/chart.png" alt="Chart">' in html
    assert "fallback" not in html  # blocks carry the message; the plain fallback is for clients without them


def test_a_message_without_blocks_shows_its_text() -> None:
    assert str(message_html(Message(text="a < b\nc"), EN)) == '<div class="message"><p>a &lt; b<br>\nc</p></div>'


def test_forms_and_errors_and_buttons_say_what_happens_in_chat() -> None:
    form = Form(form_id="f", title="Leave <circle>", inputs=(TextInput("why", "Why"),), submit="Send")
    assert "This continues in a form in chat: Leave &lt;circle&gt;." in str(response_html(OpenForm(form), EN))
    errors = str(response_html(FormErrors({"name": "Name <b>needed</b>"}), EN))
    assert 'role="alert"' in errors and "Name &lt;b&gt;needed&lt;/b&gt;" in errors
    buttons = str(message_html(Message(text="t", blocks=(Buttons((Button("Confirm", "circle.merge:1.2"),)),)), EN))
    assert "In chat, this message has buttons: Confirm." in buttons and "circle.merge" not in buttons
    indonesian = str(message_html(Message(text="t", blocks=(Buttons((Button("Ya", "x:1"),)),)), Translator("id")))
    assert "Di obrolan, pesan ini memiliki tombol: Ya." in indonesian


def test_several_answers_in_order() -> None:
    html = str(responses_html([Reply(Message(text="first")), Reply(Message(text="second"))], EN))
    assert html.index("first") < html.index("second")
