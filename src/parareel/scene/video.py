"""Video clips: a node that shows a clip, and the clip's timeline as scene logic.

    clip = scene.add(Video("clips/background.mp4", width=scene.width, height=scene.height))
    clip.play()                   # from here the clip's time advances with the video
    yield from wait(2.0)
    clip.pause(); clip.seek(10.0); clip.play(rate=0.5)

The timeline (play, pause, seek, rate) is logic: it is replayed like any other, so
every chunk knows which source time each of its frames shows without decoding the
frames before it. Output frame n shows the source frame on screen at the clip's
time for n: the last frame whose presentation time is not after it.
"""

from __future__ import annotations

import bisect
import os
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache
from typing import Any

from parareel.assets import resolve
from parareel.errors import AssetError, ffmpeg_reason
from parareel.scene.audio import Audio, Cue
from parareel.scene.clock import Clock, current_clock
from parareel.scene.nodes import Node
from parareel.scene.signal import prop
from parareel.scene.values import choice


@dataclass(frozen=True)
class _Event:
    frame: int  # of the whole video
    time: Fraction  # the clip's time at that frame, in seconds
    rate: Fraction
    playing: bool


@dataclass(frozen=True)
class ClipInfo:
    duration: Fraction  # seconds
    has_audio: bool
    size: tuple[int, int]  # as shown: turned as its file says


def probe(path: str, src: Any) -> ClipInfo:
    """Check that FFmpeg can decode the clip; its duration and whether it has sound."""
    return _probe(path, src, os.stat(path).st_mtime_ns)  # a refetched asset is probed again


@lru_cache(maxsize=64)  # every replay of the logic makes its clips again
def _probe(path: str, src: Any, modified: int) -> ClipInfo:
    import av

    try:
        with av.open(path) as container:
            if not container.streams.video:
                raise AssetError(f"clip {str(src)!r} has no video stream")
            stream = container.streams.video[0]
            if stream.codec_context is None or not stream.codec_context.name:
                raise AssetError(f"clip {str(src)!r}: FFmpeg has no decoder for its video")
            if stream.duration is not None:
                duration = Fraction(stream.duration) * stream.time_base
            else:
                duration = Fraction(container.duration or 0, 1_000_000)
            first = next(container.decode(stream), None)
            if first is None:
                raise AssetError(f"clip {str(src)!r} has no frame FFmpeg can decode")
            size, has_audio = display_size(first, stream), bool(container.streams.audio)
    except av.FFmpegError as exc:
        raise AssetError(f"clip {str(src)!r} is not a video FFmpeg can read: "
                         f"{ffmpeg_reason(exc)}") from None
    end = _read_through(path, src)  # damage is found now, before any chunk starts
    if duration <= 0:  # written live (a browser's recording): no duration stored
        duration = end
    elif end < duration - Fraction(1, 2):
        raise AssetError(f"clip {str(src)!r} is cut short: its frames end at {float(end):.2f} s "
                         f"but it says it lasts {float(duration):.2f} s (a truncated file?)")
    return ClipInfo(duration, has_audio, size)


FULL_CHECK_PIXELS = 2_000_000_000  # about 30 s of 1080p: decoded whole in the survey


def _read_through(path: str, src: Any) -> Fraction:
    """Read every packet of the clip (its sound too) and decode its frames: all of them
    when the clip is short, its keyframes when longer. Returns where its frames end (s,
    from the clip's start); a damaged file is an AssetError saying where."""
    import av

    at = Fraction(0)
    try:
        with av.open(path) as container:
            video = container.streams.video[0]
            start = origin(container, video)
            pixels = (video.frames or 0) * video.codec_context.width * video.codec_context.height
            if not video.frames or pixels > FULL_CHECK_PIXELS:
                video.codec_context.skip_frame = "NONKEY"
            for packet in container.demux(video, *container.streams.audio[:1]):
                if packet.pts is None:
                    continue
                if packet.stream is video:
                    at = max(at, Fraction(packet.pts + (packet.duration or 0))
                             * video.time_base - start)
                packet.decode()
    except av.FFmpegError as exc:
        raise AssetError(f"clip {str(src)!r} is damaged at {float(at):.2f} s: "
                         f"{ffmpeg_reason(exc)}") from None
    return at


def origin(container, stream) -> Fraction:
    """Where the clip's time 0 is in its stream's timestamps: the file's start, as players
    show it (an MPEG-TS cut from a broadcast, or an MP4 whose video starts late, does not
    start at 0)."""
    if container.start_time is not None:
        return Fraction(container.start_time, 1_000_000)
    return Fraction(stream.start_time or 0) * stream.time_base


def display_size(frame, stream) -> tuple[int, int]:
    """The size a decoded frame is shown at: its pixels' aspect ratio applied (DV and DVD
    store 720x480 for a 4:3 or 16:9 picture), then turned as its file says."""
    width, height = frame.width, frame.height
    aspect = stream.sample_aspect_ratio or stream.codec_context.sample_aspect_ratio
    if aspect and aspect > 0 and aspect != 1:
        width = max(1, round(width * aspect))
    turned = round(frame.rotation / 90) % 2  # a quarter turn swaps the sides
    return (height, width) if turned else (width, height)


class Video(Node):
    """A video clip centred on (x, y): a path relative to the project file, an http(s)://
    or s3:// URL (anything FFmpeg decodes: MP4, MOV, WebM, ...).

    Size: `width` and `height` make the box the clip fills (with one, the aspect ratio
    is kept; with none, the clip's own size); `fit` says how: "cover" (fill the box,
    cropping), "contain" (all of it, letterboxed) or "fill" (stretched). `radius`
    rounds the corners. Timeline, from the constructor: `start` and `end` trim the
    source (seconds), `loop` repeats the trimmed part, `rate` is the playback speed.
    The clip's sound joins the video's mix while it plays, at `volume` (tweenable:
    `clip.volume.to(0, 2)` fades it out) unless `muted`; `rate` changes its pitch like
    a tape. A clip whose file says to turn it (phone video) is shown turned.
    """

    src = prop(None, str, "the clip's file, found when the node is made")
    width = prop(None, doc="pixels of the box; None: from height and the aspect, or the "
                 "clip's own")
    height = prop(None, doc="pixels of the box; None: from width and the aspect, or the "
                  "clip's own")
    fit = prop("cover", choice("cover", "contain", "fill"),
               "cover (fill the box, cropping), contain (letterboxed) or fill (stretched)")
    radius = prop(0.0, float, "the corners' radius in pixels")
    volume = prop(1.0, float, "the clip's sound level, 1 as recorded; tween it to fade")
    muted = prop(False, bool, "leave its sound out of the mix")
    _sized_by_layout = True

    def extent(self) -> tuple[float, float, float, float]:
        from parareel.scene.picture import fitted

        w, h = fitted(self.width(), self.height(), *self.info.size)
        return (-w / 2, -h / 2, w / 2, h / 2)

    def __init__(self, src: str | os.PathLike, *, rate: float = 1.0, loop: bool = False,
                 start: float = 0.0, end: float | None = None, **props: Any) -> None:
        path = resolve(src, "clip")
        super().__init__(src=path, **props)
        self.info = probe(path, src)
        self.rate, self.loop = _exact(rate, "rate"), bool(loop)
        self.start = _exact(start, "start", allow_zero=True)
        self.end = self.info.duration if end is None else min(_exact(end, "end"),
                                                               self.info.duration)
        if self.end <= self.start:
            raise AssetError(f"clip {str(src)!r}: start {float(self.start)} s is not before its "
                             f"end {float(self.end)} s")
        self._events: list[_Event] = []
        self._clock: Clock | None = None
        self._volumes: list[tuple[int, float]] = []  # (frame, volume) where it changed
        self._heard_until = 0  # the frame after the last one it was heard at
        self._shown = 0  # frames it was on the stage (in the survey)

    # -- control, from the scene logic ----------------------------------------------------

    def play(self, rate: float | None = None) -> None:
        """Play from the current clip time (optionally at a new speed)."""
        self._event(playing=True, rate=None if rate is None else _exact(rate, "rate"))

    def pause(self) -> None:
        self._event(playing=False)

    def seek(self, seconds: float) -> None:
        """Jump to `seconds` of clip time (counted from `start`); playing or paused as before."""
        self._event(time=_exact(seconds, "seek", allow_zero=True))

    def _event(self, playing: bool | None = None, time: Fraction | None = None,
               rate: Fraction | None = None) -> None:
        clock = current_clock()
        if self._clock is None:
            self._clock = clock
            clock.clips.append(self)
        frame = clock.start + clock.frame
        last = self._events[-1] if self._events else None
        self._events.append(_Event(
            frame, self.time_at(frame) if time is None else time,
            rate or (last.rate if last else self.rate),
            (last.playing if last else False) if playing is None else playing))

    def _note_volume(self, frame: int, on_stage: bool) -> None:
        """Called by the player after each frame's logic: a tweened volume is heard, and a
        clip off the stage (removed, or its scene over) is not."""
        self._shown += on_stage
        volume = self.volume() if on_stage else 0.0
        if volume > 0:
            self._heard_until = frame + 1
        if not self._volumes or self._volumes[-1][1] != volume:
            if self._volumes and self._volumes[-1][0] < frame - 1:
                self._volumes.append((frame - 1, self._volumes[-1][1]))  # held until now
            self._volumes.append((frame, volume))

    # -- where the timeline is at a frame -----------------------------------------------------

    @property
    def length(self) -> Fraction:
        return self.end - self.start

    def time_at(self, frame: int) -> Fraction:
        """The clip's time at `frame` of the video (seconds from `start`, before looping)."""
        i = bisect.bisect_right([e.frame for e in self._events], frame) - 1
        if i < 0:
            return Fraction(0)
        event = self._events[i]
        if not event.playing:
            return event.time
        return event.time + (frame - event.frame) * event.rate / self._clock.fps

    def source_time(self, frame: int) -> Fraction:
        """The time in the source file that `frame` shows (trimmed, looped, held at the end)."""
        t = self.time_at(frame)
        t = t % self.length if self.loop else min(max(t, Fraction(0)), self.length)
        return self.start + t

    def current_frame(self) -> int:
        return 0 if self._clock is None else self._clock.start + self._clock.frame

    def _sound_cues(self, frames: int) -> list[Cue]:
        """The clip's sound as pieces while it plays, for the mix, at its volume over time."""
        if self.muted() or not self.info.has_audio or self._clock is None:
            return []
        frames = min(frames, self._heard_until)  # silent from there on: nothing to mix
        fps, pieces, volume = self._clock.fps, [], tuple(self._volumes)
        bounds = [e.frame for e in self._events[1:]] + [frames]
        for event, until in zip(self._events, bounds, strict=True):
            if not event.playing or until <= event.frame:
                continue
            at, t = Fraction(event.frame), event.time
            left = (until - event.frame) * event.rate / fps  # clip seconds this stretch plays
            while left > 0 and (self.loop or t < self.length):
                position = t % self.length if self.loop else t
                span = min(left, self.length - position)
                sound = Audio.of_file(self.src(), start=float(self.start + position),
                                      duration=float(span), rate=float(event.rate))
                pieces.append(Cue(at, sound, volume))
                at += span / event.rate * fps
                t, left = t + span, left - span
        return pieces


def _exact(value: float, name: str, allow_zero: bool = False) -> Fraction:
    exact = Fraction(str(value))
    if exact < 0 or (exact == 0 and not allow_zero):
        raise ValueError(f"{name} must be {'at least 0' if allow_zero else 'positive'}, "
                         f"got {value!r}")
    return exact
