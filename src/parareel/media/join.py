"""Join segments into one file by stream copy: no re-encode, timestamps rebased in frames."""

from __future__ import annotations

import contextlib
import heapq
import itertools
import math
import os
from collections.abc import Iterable, Iterator
from contextlib import ExitStack
from fractions import Fraction
from pathlib import Path

import av

from parareel.errors import RenderError
from parareel.media import hls
from parareel.media.audio import RATE
from parareel.media.gif import join_gifs
from parareel.storage.files import written_whole


def join_segments(segments: Iterable[str | os.PathLike], output: str | os.PathLike,
                  fps: int | Fraction, audio: str | os.PathLike | None = None,
                  delay: int | None = None, container: str = "mp4") -> Path:
    """Concatenate video segments (and mux an audio file) into `output`, a file of
    FFmpeg's format `container` (mp4, mov, webm, gif), its index at the front; or an
    HLS playlist (hls), written in place as the segments come.

    Each segment's timestamps are converted to frames and shifted by the frames
    before it, so the result has exactly the frames of its segments, evenly spaced.
    Audio and video packets are interleaved by time. The output appears only once
    complete.

    With `delay` (the largest `reorder_delay` of the segments, known beforehand)
    each segment is read once, in order, when its turn comes: `segments` may be a
    generator that fetches them one by one.
    """
    if container == "gif":  # no sound; FFmpeg would repeat every segment's header
        return join_gifs(segments, output)
    frame = 1 / Fraction(fps)
    if delay is None:
        segments = list(segments)
        delay = max((reorder_delay(path, fps) for path in segments), default=0)
    segments = iter(segments)
    first = next(segments, None)
    if first is None:
        raise RenderError("nothing to join: no segments")
    segments = itertools.chain([first], segments)
    # an HLS playlist and its segments are written in place, as they come (hls.py)
    whole = contextlib.nullcontext(output) if container == "hls" else written_whole(output)
    with whole as partial, ExitStack() as stack:
        out = stack.enter_context(av.open(str(partial), "w", format=container,
                                          options=_options(container, frame, Path(output))))
        with av.open(str(first)) as opened:
            template = opened.streams.video[0]
            video = out.add_stream_from_template(template, opaque=True)
            if container in ("mp4", "mov"):
                video.codec_tag = template.codec_tag  # FFmpeg would say hev1, not hvc1
            if "alpha_mode" in template.metadata:  # VP9 with alpha
                video.metadata["alpha_mode"] = "1"
        video.time_base = frame
        packets = [_video_packets(segments, video, frame, delay)]
        if audio is not None:
            sound = stack.enter_context(av.open(str(audio))).streams.audio[0]
            packets.append(_audio_packets(sound, out.add_stream_from_template(sound)))
        for _, packet in heapq.merge(*packets, key=lambda item: item[0]):
            out.mux(packet)
    return Path(output)


def _options(container: str, frame: Fraction, output: Path) -> dict[str, str]:
    if container == "hls":
        return hls.options(output)
    if container in ("mp4", "mov"):
        # a time scale counting both frames and audio samples exactly (FFmpeg's default
        # counts milliseconds, which cuts durations short at 29 or 30000/1001 fps)
        return {"movflags": "+faststart",
                "movie_timescale": str(math.lcm(frame.denominator, RATE))}
    if container == "webm":
        return {"cues_to_front": "1"}  # a browser seeks without reading to the end first
    if container == "gif":
        return {"loop": "0"}  # for ever
    return {}


def reorder_delay(path: str | os.PathLike, fps: int | Fraction) -> int:
    """How many frames the segment's decode timestamps run ahead (B-frames reorder)."""
    frame = 1 / Fraction(fps)
    with av.open(str(path)) as segment:
        stream = segment.streams.video[0]
        for packet in segment.demux(stream):
            return max(0, -round(packet.dts * stream.time_base / frame))
    raise RenderError(f"segment {str(path)!r} has no video frames")


def _video_packets(segments: Iterable, video, frame: Fraction,
                   delay: int) -> Iterator[tuple[Fraction, av.Packet]]:
    """Every segment's packets, shifted by the frames before it, keyed by decode time.

    Segments can differ in reorder delay (a 1-frame segment has no B-frames), so
    decode times are rewritten as one even sequence lagging by the largest delay:
    still in decode order, never after a frame's presentation time, and
    increasing across segment boundaries.
    """
    offset = 0
    for path in segments:
        count = 0
        with av.open(str(path)) as segment:
            stream = segment.streams.video[0]
            scale = stream.time_base / frame  # segment ticks to frames
            for packet in segment.demux(stream):
                if packet.size == 0:  # the demuxer's end-of-stream marker
                    continue
                packet.pts = offset + round(packet.pts * scale)
                packet.dts = offset + count - delay
                packet.duration = 1
                packet.time_base = frame
                packet.stream = video
                yield packet.dts * frame, packet
                count += 1
        if count == 0:
            raise RenderError(f"segment {str(path)!r} has no video frames")
        offset += count


def _audio_packets(stream, target) -> Iterator[tuple[Fraction, av.Packet]]:
    for packet in stream.container.demux(stream):
        if packet.size == 0:
            continue
        key = packet.dts * stream.time_base
        packet.stream = target
        yield key, packet
