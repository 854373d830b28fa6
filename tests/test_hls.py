"""HLS output: fMP4 segments from the blocks, one playlist with the sound, published while
the video renders; a render that fails takes its stream back."""

from __future__ import annotations

import threading
import time
from fractions import Fraction

import av
import numpy as np
import pytest

import parareel
from parareel import Audio, Project, Rect, wait
from tests.conftest import EXAMPLES, decode

SOUND = EXAMPLES / "sounds" / "beat.wav"


def moving(scene):
    """6 s at 10 fps (3 blocks), a sound, and (with `slow`) 40 ms to draw each frame."""
    slow = scene.variables.get("slow", False)
    scene.play(Audio(SOUND, loop=True, volume=0.5))
    box = scene.add(Rect(width=20, height=20, fill="#e94f37", x=-60))
    box.rotation(lambda: time.sleep(0.04) or 0.0 if slow else 0.0)
    yield from box.x.to(60, 6.0)


PROJECT = Project(scenes=[moving], size=(160, 90), fps=10, variables={"slow": False})


def samples(path) -> np.ndarray:
    with av.open(str(path)) as container:
        return np.concatenate([f.to_ndarray() for f in container.decode(audio=0)], axis=1)


def test_a_stream_has_the_frames_and_sound_of_the_video_file(tmp_path):
    parareel.render(PROJECT, tmp_path / "hls" / "out.m3u8", workers=2, cache=tmp_path / "c")
    parareel.render(PROJECT, tmp_path / "out.mp4", workers=2, cache=tmp_path / "c")
    text = (tmp_path / "hls" / "out.m3u8").read_text()
    assert "#EXT-X-MAP:URI=\"out-init.mp4\"" in text and text.count("#EXTINF:2.0") == 3
    assert text.rstrip().endswith("#EXT-X-ENDLIST")
    streamed, filed = decode(tmp_path / "hls" / "out.m3u8"), decode(tmp_path / "out.mp4")
    # every frame once, in order: the stream's clock starts later by the frames B-frames
    # reorder (its decode times cannot start below 0, as an MP4's edit list lets them)
    assert [t - streamed[0][0] for t in streamed[0]] == filed[0] and len(streamed[1]) == 60
    assert all((a == b).all() for a, b in zip(streamed[1], filed[1], strict=True))
    sound, filed_sound = samples(tmp_path / "hls" / "out.m3u8"), samples(tmp_path / "out.mp4")
    # the same samples after the encoder's priming (1024 samples, which the MP4 edits out)
    assert np.array_equal(sound[:, 1024:], filed_sound) and np.abs(sound).max() > 0.05
    with av.open(str(tmp_path / "hls" / "out.m3u8")) as stream:  # and in step: the first
        video = next(stream.decode(video=0))                     # picture and the first
    with av.open(str(tmp_path / "hls" / "out.m3u8")) as stream:  # sample after priming
        audio = next(stream.decode(audio=0))                     # start together
    assert abs(float(video.pts * video.time_base)
               - float(audio.pts * audio.time_base + Fraction(1024, 48000))) < 1e-3


def test_segments_are_listed_while_the_rest_still_renders(tmp_path):
    playlist = tmp_path / "live.m3u8"
    seen: list[str] = []
    done = threading.Event()

    def watch() -> None:
        while not done.is_set():
            if playlist.exists():
                seen.append(playlist.read_text())
            time.sleep(0.05)

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        parareel.render(PROJECT, playlist, workers=1, variables={"slow": True})
    finally:
        done.set()
        watcher.join()
    live = [t for t in seen if "#EXT-X-PLAYLIST-TYPE:EVENT" in t and "#EXT-X-ENDLIST" not in t
            and "live-00000.m4s" in t]
    assert live, "no playlist was seen with a segment before the render ended"
    assert playlist.read_text().rstrip().endswith("#EXT-X-ENDLIST")
    listed = [line for line in playlist.read_text().splitlines() if line.endswith(".m4s")]
    assert listed == [f"live-{i:05d}.m4s" for i in range(3)]


def broken(scene):
    box = scene.add(Rect(width=20, height=20))
    box.x = lambda: 1 / 0 if scene.frame >= 45 else 0.0  # the third block fails
    yield from wait(6.0)


def test_a_failed_render_takes_its_stream_back(tmp_path):
    project = Project(scenes=[broken], size=(160, 90), fps=10)
    with pytest.raises(parareel.SceneError, match="failed at frame 45"):
        parareel.render(project, tmp_path / "out.m3u8", workers=1)
    assert list(tmp_path.iterdir()) == []


def test_a_stream_is_never_written_through_a_link_beside_its_playlist(tmp_path):
    keep = tmp_path / "keep.txt"
    keep.write_text("precious")
    for name in ("out-init.mp4", "out-00001.m4s"):
        link = tmp_path / name
        link.symlink_to(keep)
        with pytest.raises(parareel.ParareelError, match=rf"cannot write '{link}': it is a "
                           "symbolic link; remove it or name another file"):
            parareel.render(PROJECT, tmp_path / "out.m3u8", workers=1)
        link.unlink()
    assert keep.read_text() == "precious"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keep.txt"]


def test_a_stream_is_made_of_blocks_so_chunk_frames_is_refused(tmp_path):
    with pytest.raises(parareel.ParareelError, match="HLS, are made of blocks"):
        parareel.render(PROJECT, tmp_path / "out.m3u8", chunk_frames=10)


def test_a_stream_to_s3_is_copied_there_as_it_grows(stack, s3, tmp_path):
    prefix = "streams/live"
    seen: list[bool] = []
    done = threading.Event()

    def listed() -> bytes | None:
        try:
            return s3.get_object(Bucket=stack.bucket, Key=f"{prefix}/s.m3u8")["Body"].read()
        except s3.exceptions.NoSuchKey:
            return None

    def watch() -> None:
        while not done.is_set():
            text = listed()
            if text is not None and b"s-00000.m4s" in text and b"#EXT-X-ENDLIST" not in text:
                there = {o["Key"].split("/")[-1] for o in s3.list_objects_v2(
                    Bucket=stack.bucket, Prefix=prefix).get("Contents", [])}
                wanted = {n for n in text.decode().splitlines() if n.endswith(".m4s")}
                seen.append(wanted | {"s-init.mp4"} <= there)  # every file it lists is there
            time.sleep(0.1)

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        parareel.render(PROJECT, f"s3://{stack.bucket}/{prefix}/s.m3u8", workers=1,
                        variables={"slow": True})
    finally:
        done.set()
        watcher.join()
    assert seen and all(seen), seen  # seen while it grew, each file listed only once there
    assert listed().rstrip().endswith(b"#EXT-X-ENDLIST")
    folder = tmp_path / "copy"
    folder.mkdir()
    for item in s3.list_objects_v2(Bucket=stack.bucket, Prefix=prefix)["Contents"]:
        s3.download_file(stack.bucket, item["Key"], str(folder / item["Key"].split("/")[-1]))
    assert len(decode(folder / "s.m3u8")[1]) == 60
