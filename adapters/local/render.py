"""Plain-text rendering of the core's messages and forms, for the local platform and the demo."""

from __future__ import annotations

from bot.kernel.messages import (
    Buttons,
    Choice,
    Context,
    DateInput,
    Divider,
    Fields,
    Form,
    Header,
    Image,
    Message,
    MultiSelect,
    Number,
    Select,
    Text,
    TextInput,
)


def render_message(message: Message) -> str:
    if not message.blocks:
        return message.text
    lines: list[str] = []
    for block in message.blocks:
        match block:
            case Header(text=text):
                lines.append(f"== {text} ==")
            case Text(text=text) | Context(text=text):
                lines.append(text)
            case Fields(pairs=pairs):
                lines.extend(f"{label}: {value}" for label, value in pairs)
            case Buttons(buttons=buttons):
                lines.append("  ".join(f"[{b.label}]" for b in buttons))
            case Choice(label=label, options=options, selected=selected):
                marks = "  ".join(f"({'x' if o.value in selected else ' '}) {o.label}" for o in options)
                lines.append(f"{label} {marks}".strip())
            case Image(alt=alt, url=url):
                lines.append(f"[image: {alt}] {url}")
            case Divider():
                lines.append("-" * 24)
    return "\n".join(lines)


def render_form(form: Form) -> str:
    lines = [f"## {form.title}"]
    if form.intro:
        lines.append(form.intro)
    for field in form.inputs:
        optional = "" if not getattr(field, "optional", False) else " (optional)"
        match field:
            case TextInput(initial=initial):
                lines.append(f"- {field.label}{optional}: {initial or '...'}")
            case Select(options=options, initial=initial):
                chosen = next((o.label for o in options if o.value == initial), "...")
                lines.append(f"- {field.label}{optional}: {chosen} (of {len(options)})")
            case MultiSelect(options=options):
                lines.append(f"- {field.label}{optional}: pick from {', '.join(o.label for o in options[:6])}")
            case Number(initial=initial):
                lines.append(f"- {field.label}{optional}: {'' if initial is None else initial}")
            case DateInput(initial=initial):
                lines.append(f"- {field.label}{optional}: {initial or 'YYYY-MM-DD'}")
    lines.append(f"[{form.submit}]")
    return "\n".join(lines)
