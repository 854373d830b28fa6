"""The block cache: a render assembled from kept blocks is the render made afresh, bit
for bit; an edit draws only the blocks it touches; damaged or half-written blocks are
never used."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import threading
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import parareel
from parareel import Audio, Encoding, Image, Project, Rect, Text, wait
from parareel.storage.blocks import FolderCache
from tests.conftest import EXAMPLES, decode

LOGO = EXAMPLES / "showcase" / "logo.png"
SOUND = EXAMPLES / "sounds" / "blip.wav"


@dataclass(frozen=True)
class Edit:
    """What the test project draws: each field is something an edit changes."""

    title: str = "Hello"
    tween: float = 1.0  # seconds the box takes to cross (in block 1)
    spare: int = 0  # a value the scene computes and never shows
    colour: str = "#e94f37"
    crf: int | None = None
    scale: float = 1.0
    image_bytes: int = 0  # which version of the image file (a byte flipped)
    font: int = 0  # which font file (the same path, other bytes)
    size: tuple[int, int] = (160, 90)
    background: str = "#203040"
    fps: str = "10"


def build(edit: Edit, folder: Path) -> tuple[Project, Encoding]:
    """A 6 s project at 10 fps (3 blocks of 2 s): a title in the first 1.5 s, a box that
    crosses after, an image in the last 2 s, text in a font file."""
    image, font = folder / "art.png", folder / "face.ttf"
    data = bytearray(LOGO.read_bytes())
    data[-20] ^= edit.image_bytes  # the same size, the same path
    if not image.exists() or image.read_bytes() != bytes(data):
        image.write_bytes(bytes(data))
    wanted = FONTS[edit.font].read_bytes()
    if not font.exists() or font.read_bytes() != wanted:
        font.write_bytes(wanted)

    def scene(s):
        title = s.add(Text(edit.title, size=20, fill="white", font=str(font)))
        yield from wait(1.5)
        title.opacity = 0
        _unused = sum(range(edit.spare))  # a line of code that changes nothing drawn
        box = s.add(Rect(width=20, height=20, fill=edit.colour, x=-60))
        yield from wait(0.5)
        yield from box.x.to(60, edit.tween)
        yield from wait(3.0 - edit.tween)
        s.add(Image(str(image), width=40))
        yield from wait(1.0)

    project = Project(scenes=[scene], size=edit.size, fps=edit.fps,
                      background=edit.background)
    return project, Encoding(crf=edit.crf, scale=edit.scale)


def font_files() -> list[Path]:
    listed = subprocess.run(["fc-list", "--format", "%{file}\n"], capture_output=True,
                            text=True, check=True).stdout.split()
    files = sorted({Path(p) for p in listed if p.endswith(".ttf")})
    assert len(files) >= 2, "two font files are needed"
    return files[:2]


FONTS = font_files()


def render(project: Project, encoding: Encoding, out: Path,
           cache: Path) -> parareel.RenderResult:
    return parareel.render(project, out, workers=1, encoding=encoding, cache=cache)


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def afresh(edit: Edit, folder: Path, out: Path) -> str:
    """The render with an empty cache: what a cached render must equal, byte for byte."""
    empty = folder / "empty-cache"
    shutil.rmtree(empty, ignore_errors=True)
    render(*build(edit, folder), out, empty)
    return digest(out)


EDITS = {
    "title": lambda e: replace(e, title=e.title + "!"),
    "tween": lambda e: replace(e, tween=1.5 if e.tween == 1.0 else 1.0),
    "spare": lambda e: replace(e, spare=e.spare + 7),  # draws nothing new
    "colour": lambda e: replace(e, colour="#e94f38" if e.colour == "#e94f37" else "#e94f37"),
    "crf": lambda e: replace(e, crf=30 if e.crf is None else None),
    "scale": lambda e: replace(e, scale=0.5 if e.scale == 1.0 else 1.0),
    "image": lambda e: replace(e, image_bytes=e.image_bytes ^ 1),
    "font": lambda e: replace(e, font=1 - e.font),
    "size": lambda e: replace(e, size=(176, 90) if e.size == (160, 90) else (160, 90)),
    "fps": lambda e: replace(e, fps="10000/1001" if e.fps == "10" else "10"),  # as many
    "background": lambda e: replace(e, background="#203041" if e.background == "#203040"
                                    else "#203040"),
}
TOUCHES = {  # the blocks each edit changes (block 0: the title; 1: the box; 2: the image)
    "title": {0}, "tween": {1}, "spare": set(), "colour": {0, 1, 2}, "crf": {0, 1, 2},
    "scale": {0, 1, 2}, "image": {2}, "font": {0}, "size": {0, 1, 2},
    "background": {0, 1, 2}, "fps": {0, 1, 2},
}


@pytest.mark.parametrize("name", sorted(EDITS))
def test_each_kind_of_edit_draws_what_it_touches_and_reuses_the_rest(tmp_path, name):
    cache = tmp_path / "cache"
    render(*build(Edit(), tmp_path), tmp_path / "first.mp4", cache)
    edit = EDITS[name](Edit())
    result = render(*build(edit, tmp_path), tmp_path / "cached.mp4", cache)
    assert digest(tmp_path / "cached.mp4") == afresh(edit, tmp_path, tmp_path / "fresh.mp4")
    assert result.reused == 3 - len(TOUCHES[name])


@settings(max_examples=6, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(sorted(EDITS)), min_size=2, max_size=4))
def test_random_edits_never_reuse_a_block_they_should_not(tmp_path_factory, edits):
    folder = tmp_path_factory.mktemp("edits")
    cache = folder / "cache"
    edit = Edit()
    render(*build(edit, folder), folder / "first.mp4", cache)
    for name in edits:
        edit = EDITS[name](edit)
        result = render(*build(edit, folder), folder / "cached.mp4", cache)
        assert digest(folder / "cached.mp4") == afresh(edit, folder, folder / "fresh.mp4"), name
        untouched = 3 - len(TOUCHES[name])
        assert result.reused >= untouched, (name, result.reused)  # earlier ones may match too
        if name == "spare":
            assert result.reused == 3  # nothing drawn changed: everything is reused


def test_a_warm_render_draws_nothing_and_equals_the_first(tmp_path):
    project, encoding = build(Edit(), tmp_path)
    cache = tmp_path / "cache"
    first = render(project, encoding, tmp_path / "a.mp4", cache)
    assert first.reused == 0 and len(first.chunks) == 3
    again = render(project, encoding, tmp_path / "b.mp4", cache)
    assert again.reused == 3 and again.timings["render"] < first.timings["render"]
    assert digest(tmp_path / "a.mp4") == digest(tmp_path / "b.mp4")


def test_blocks_drawn_by_other_code_are_not_reused(tmp_path, monkeypatch):
    """A checkout's code changes without its version number: its blocks are drawn anew."""
    from parareel import blocks

    project, encoding = build(Edit(), tmp_path)
    cache = tmp_path / "cache"
    assert render(project, encoding, tmp_path / "a.mp4", cache).reused == 0
    code = blocks._code()
    monkeypatch.setattr(blocks, "_code", lambda: code[::-1])  # as if a file had changed
    blocks.environment.cache_clear()
    try:
        assert render(project, encoding, tmp_path / "b.mp4", cache).reused == 0
    finally:
        monkeypatch.undo()
        blocks.environment.cache_clear()
    assert render(project, encoding, tmp_path / "c.mp4", cache).reused == 3


def test_lossless_blocks_decode_to_the_frames_of_a_render_without_the_cache(tmp_path):
    project, _ = build(Edit(), tmp_path)
    exact = Encoding(lossless=True, pix_fmt="yuv444p")
    cache = tmp_path / "cache"
    render(project, exact, tmp_path / "cold.mp4", cache)
    render(project, exact, tmp_path / "warm.mp4", cache)
    parareel.render(project, tmp_path / "none.mp4", workers=2, encoding=exact)
    none, warm = decode(tmp_path / "none.mp4"), decode(tmp_path / "warm.mp4")
    assert none[0] == warm[0] and len(warm[1]) == 60
    assert all((a == b).all() for a, b in zip(none[1], warm[1], strict=True))


def test_the_same_block_twice_in_a_render_is_drawn_once(tmp_path):
    def scene(s):
        box = s.add(Rect(width=20, height=20, fill="white"))
        for _ in range(3):  # the same 2 s three times over
            box.x = -40
            yield from box.x.to(40, 2.0)

    project = Project(scenes=[scene], size=(160, 90), fps=10)
    result = render(project, Encoding(), tmp_path / "out.mp4", tmp_path / "c")
    assert result.reused == 2 and FolderCache(tmp_path / "c").info()[:2] == (1, 0)
    frames = decode(tmp_path / "out.mp4")[1]
    assert len(frames) == 60 and all((frames[i] == frames[i + 20]).all() for i in range(40))


def test_sound_is_the_same_sample_for_sample_and_kept_too(tmp_path):
    def scene(s):
        s.add(Rect(width=20, height=20, fill="white"))
        s.play(Audio(SOUND, volume=s.variables.get("volume", 1.0)))
        yield from wait(3.0)

    project = Project(scenes=[scene], size=(160, 90), fps=10, variables={"volume": 1.0})
    cache = tmp_path / "cache"
    parareel.render(project, tmp_path / "cold.mp4", cache=cache)
    warm = parareel.render(project, tmp_path / "warm.mp4", cache=cache)
    assert warm.reused == 2 and len(list(cache.glob("*.track"))) == 1  # mixed once
    assert audio_samples(tmp_path / "cold.mp4") == audio_samples(tmp_path / "warm.mp4")
    quieter = parareel.render(project, tmp_path / "quiet.mp4", cache=cache,
                              variables={"volume": 0.5})
    assert quieter.reused == 2 and len(list(cache.glob("*.track"))) == 2  # mixed again
    parareel.render(project, tmp_path / "none.mp4", variables={"volume": 0.5})
    assert audio_samples(tmp_path / "quiet.mp4") == audio_samples(tmp_path / "none.mp4")
    assert audio_samples(tmp_path / "quiet.mp4") != audio_samples(tmp_path / "warm.mp4")


def audio_samples(path: Path) -> bytes:
    import av

    with av.open(str(path)) as container:
        return b"".join(bytes(f.to_ndarray().tobytes()) for f in container.decode(audio=0))


def test_a_damaged_block_is_found_out_and_drawn_again(tmp_path):
    project, encoding = build(Edit(), tmp_path)
    cache = tmp_path / "cache"
    render(project, encoding, tmp_path / "a.mp4", cache)
    segment = sorted(cache.glob("*.mp4"))[1]
    data = bytearray(segment.read_bytes())
    data[len(data) // 2] ^= 0x40  # a flipped bit, the size unchanged
    segment.write_bytes(bytes(data))
    again = render(project, encoding, tmp_path / "b.mp4", cache)
    assert again.reused == 2
    assert digest(tmp_path / "a.mp4") == digest(tmp_path / "b.mp4")
    assert render(project, encoding, tmp_path / "c.mp4", cache).reused == 3  # kept again


def test_a_half_written_block_is_never_used(tmp_path):
    project, encoding = build(Edit(), tmp_path)
    cache = tmp_path / "cache"
    render(project, encoding, tmp_path / "a.mp4", cache)
    metas = sorted(cache.glob("*.json"))
    metas[0].unlink()  # a worker killed between the segment and its record
    cut = sorted(cache.glob("*.mp4"))[-1]
    cut.write_bytes(cut.read_bytes()[:100])  # one cut short under its own record
    (cache / ".stray-1234.partial").write_bytes(b"half")  # a rename never made
    again = render(project, encoding, tmp_path / "b.mp4", cache)
    assert again.reused <= 1
    assert digest(tmp_path / "a.mp4") == digest(tmp_path / "b.mp4")


def test_two_renders_at_once_share_the_cache(tmp_path):
    cache = tmp_path / "cache"
    for name in ("one", "two"):
        (tmp_path / name).mkdir()
    one, encoding = build(Edit(), tmp_path / "one")
    two, _ = build(Edit(title="Other"), tmp_path / "two")  # blocks 1 and 2 the same
    results = {}

    def run(name, project):
        results[name] = render(project, encoding, tmp_path / f"{name}.mp4", cache)

    threads = [threading.Thread(target=run, args=(n, p)) for n, p in (("a", one), ("b", two))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert digest(tmp_path / "a.mp4") == afresh(Edit(), tmp_path / "one", tmp_path / "x.mp4")
    assert digest(tmp_path / "b.mp4") == afresh(Edit(title="Other"), tmp_path / "two",
                                                tmp_path / "y.mp4")
    assert FolderCache(cache).info()[:2] == (4, 0)  # two title blocks, two shared


def test_the_folder_keeps_under_its_limit_dropping_the_least_recently_used(tmp_path):
    folder = tmp_path / "cache"
    kept = FolderCache(folder, limit_mb=1)
    from parareel.storage.blocks import CachedBlock

    keys = [hashlib.blake2b(bytes([i]), digest_size=16).hexdigest() for i in range(5)]
    for i, key in enumerate(keys):
        segment = tmp_path / f"s{i}.mp4"
        segment.write_bytes(bytes([i]) * 300_000)
        kept.put(key, "mp4", segment, CachedBlock(1, 300_000, digest(segment), 0))
        if i == 2:  # block 0 used again: block 1 is now the least recently used
            assert kept.take(keys[0], "mp4", tmp_path / "t.mp4") is not None
    names = sorted(p.stem for p in folder.glob("*.mp4"))
    assert kept.info()[2] <= 1_000_000 and keys[0] in names and keys[1] not in names


def test_the_cache_command_tells_and_clears(tmp_path):
    env = {**os.environ, "PARAREEL_CACHE": str(tmp_path / "cache")}
    project = EXAMPLES / "hello" / "project.py"

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-c", "from parareel.cli import run; run()",
                               *args], capture_output=True, text=True, env=env, timeout=300)

    first = run("render", str(project), "-o", str(tmp_path / "a.mp4"), "--range", "0:90",
                "--quality", "draft")
    assert first.returncode == 0, first.stderr
    assert "2 blocks, 0 reused" in first.stdout
    second = run("render", str(project), "-o", str(tmp_path / "b.mp4"), "--range", "0:90",
                 "--quality", "draft")
    assert "2 blocks, 2 reused" in second.stdout
    info = run("cache", "info")
    assert f"folder  {tmp_path / 'cache' / 'blocks'}" in info.stdout
    assert "blocks  2 (and 1 sound track)" in info.stdout
    cleared = run("cache", "clear")
    assert "deleted 2 blocks and 1 sound tracks" in cleared.stdout
    assert not (tmp_path / "cache" / "blocks").exists()
    fresh = run("render", str(project), "-o", str(tmp_path / "c.mp4"), "--range", "0:90",
                "--quality", "draft", "--no-cache")
    assert " chunk" in fresh.stdout and "reused" not in fresh.stdout, fresh.stdout
    assert not (tmp_path / "cache" / "blocks").exists()


def test_blocks_and_downloaded_assets_keep_to_folders_of_their_own(tmp_path, monkeypatch):
    """PARAREEL_CACHE holds both caches: trimming or clearing blocks never touches an
    asset's copy, nor anything else in a folder given as the block cache."""
    from parareel import assets
    from tests.media_server import Files

    monkeypatch.setenv("PARAREEL_CACHE", str(tmp_path / "cache"))
    server = Files()
    try:
        assets.forget()
        copy = Path(assets.resolve(f"{server.url}/logo.png", "image"))
    finally:
        server.close()
        assets.forget()
    project, encoding = build(Edit(), tmp_path)
    parareel.render(project, tmp_path / "out.mp4", encoding=encoding, cache=True)
    blocks = FolderCache()
    assert blocks.info()[0] == 3  # the asset's copy is not counted as a block
    blocks.limit = 0
    blocks.trim()
    blocks.clear()
    assert copy.is_file() and copy.parent != blocks.folder
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("mine")
    parareel.render(project, tmp_path / "out.mp4", encoding=encoding, cache=mine)
    FolderCache(mine).clear()
    assert sorted(p.name for p in mine.iterdir()) == ["notes.txt"]


@pytest.mark.parametrize("output", ["frames/", "out.wav"])
def test_outputs_with_no_blocks_render_as_before(tmp_path, output):
    def scene(s):
        s.add(Rect(width=20, height=20, fill="white"))
        s.play(Audio(SOUND))
        yield from wait(1.0)

    project = Project(scenes=[scene], size=(160, 90), fps=10)
    result = parareel.render(project, f"{tmp_path}/{output}", cache=tmp_path / "cache")
    assert result.reused is None and not (tmp_path / "cache").exists()
