"""Options shared by several commands, declared once."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from parareel.errors import ParareelError, VariableError
from parareel.media.formats import FORMATS, QUALITIES, Encoding
from parareel.scene.variables import parse_assignment


def variables(assignments: tuple[str, ...], vars_json: str | None) -> dict[str, Any]:
    values: dict[str, Any] = {}
    if vars_json:
        inline = vars_json.lstrip().startswith(("{", "["))
        text = vars_json if inline else _json_file(vars_json)
        try:
            values = json.loads(text)
        except ValueError as exc:
            raise VariableError(f"--vars must be a JSON object or a JSON file: {exc}") from None
        if not isinstance(values, dict):
            raise VariableError("--vars must be a JSON object, like '{\"message\": \"Hi\"}'")
    for text in assignments:
        name, value = parse_assignment(text)
        values[name] = value
    return values


def _json_file(name: str) -> str:
    path = Path(name)
    if path.is_dir():
        raise VariableError(f"--vars: {name!r} is a folder, not a JSON file")
    if not path.is_file():
        raise VariableError(f"--vars: no such file: {name!r} (give a JSON file, or an "
                            "object like '{\"message\": \"Hi\"}')")
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise VariableError(f"--vars: {path.name!r} is not a JSON file (it is not text)") \
            from None


def frame_range(text: str | None) -> tuple[int, int] | None:
    if text is None:
        return None
    start, sep, end = text.partition(":")
    try:
        first, last = int(start or 0), int(end)
    except ValueError:
        raise ParareelError(f"bad --range {text!r}: write START:END in frames, e.g. 0:90") from None
    if last <= first:
        raise ParareelError(f"bad --range {text!r}: it is reversed or empty (END must be after "
                            "START)")
    return first, last


def parse_rate(text: str | None) -> int | None:
    """A bitrate like 800k, 4M or 2500000, in bits per second."""
    if text is None:
        return None
    number, unit = text[:-1], text[-1].lower()
    scale = {"k": 1_000, "m": 1_000_000}.get(unit)
    try:
        return round(float(number) * scale) if scale else int(text)
    except ValueError:
        raise ParareelError(f"bad --bitrate {text!r}: write bits per second, like 800k or "
                            "4M") from None


var_options = [
    click.option("--var", "assignments", multiple=True, metavar="NAME=VALUE",
                 help="Set a variable (repeatable). VALUE is JSON if it parses, else text."),
    click.option("--vars", "vars_json", metavar="JSON|FILE",
                 help="Variables as a JSON object, or a file holding one."),
]


def with_variables(command):
    for option in reversed(var_options):
        command = option(command)
    return command


codec_option = click.option("--codec", help="mp4: h264 (default), h265, av1; mov: prores "
                                             "(default), h264, h265; webm: vp9.")
mp4_codec_option = click.option("--codec", type=click.Choice(FORMATS["mp4"].codecs),
                                help="h264 (default), h265 or av1 (the function writes MP4).")
encoding_options = [
    click.option("--quality", type=click.Choice(QUALITIES), default="standard",
                 show_default=True,
                 help="The codec's speed/size/quality profile (see the README's encoder table)."),
    click.option("--crf", type=int, help="Constant quality, lower is better (h264/h265 0-51, "
                                         "av1 1-63, vp9 0-63); overrides --quality."),
    click.option("--preset", help="Encoder speed (x264/x265: ultrafast ... veryslow; av1: "
                                  "13-0; vp9: 8-0; prores: proxy, lt, standard, hq)."),
    click.option("--lossless", is_flag=True,
                 help="Encode exactly (h264, h265, vp9; large files): in 4:4:4, so the frames "
                      "decode to the drawn colours within rounding. With --pixel-format "
                      "yuv420p the brightness stays exact but the colour of edges blurs."),
    click.option("--bitrate", metavar="RATE",
                 help="Aim at a bitrate instead of a quality: 800k, 4M."),
    click.option("--gop", type=int, metavar="FRAMES", help="Frames between keyframes."),
    click.option("--pixel-format", help="yuv420p (default), yuv444p, or 10-bit: yuv420p10le."),
    click.option("--scale", type=float, default=1.0, show_default=True,
                 help="Multiply the size: 0.5 for a fast draft, 2 for a sharper one."),
]


def with_encoding(command):
    for option in reversed([codec_option, *encoding_options]):
        command = option(command)
    return command


def with_mp4_encoding(command):
    """The encoding options, with only the codecs an MP4 carries."""
    for option in reversed([mp4_codec_option, *encoding_options]):
        command = option(command)
    return command


def encoding_of(format: str, settings: dict[str, Any]) -> Encoding:
    """The Encoding the encoding options ask for (checked: a bad value is refused here)."""
    return Encoding(format=format, codec=settings["codec"], quality=settings["quality"],
                    crf=settings["crf"], preset=settings["preset"],
                    lossless=settings["lossless"], bitrate=parse_rate(settings["bitrate"]),
                    gop=settings["gop"], pix_fmt=settings["pixel_format"],
                    scale=settings["scale"])


class Workers(click.ParamType):
    """A number of workers, or "auto" for one per core."""

    name = "N|auto"

    def convert(self, value, param, ctx):
        if isinstance(value, int) or value == "auto":
            return value
        try:
            number = int(value)
        except ValueError:
            number = 0
        if number < 1:
            self.fail(f"{value!r} is not a number of workers (1, 2, ...) or 'auto'", param, ctx)
        return number


WORKERS = Workers()
