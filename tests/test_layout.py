"""Layout: flexbox and grid through Taffy, measured boxes, anchors, and exactness in chunks."""

from __future__ import annotations

import numpy as np
import pytest

import parareel
from parareel import Circle, Group, Layout, Project, Rect, SceneError, Text, wait


def first_frame_logic(build):
    """Run `build(scene)` inside a one-frame scene and return what it returns."""
    found = {}

    def scene(s):
        found["value"] = build(s)
        yield

    Project(scenes=[scene], size=(1280, 720)).survey()
    return found["value"]


def test_a_row_places_children_side_by_side_with_its_gap_centred_on_its_position():
    def build(s):
        row = s.add(Layout(gap=20, x=100, y=50))
        boxes = [row.add(Rect(width=100, height=60)) for _ in range(3)]
        return row.bounds(), [b.bounds() for b in boxes]

    row, boxes = first_frame_logic(build)
    assert row == (100 - 170, 50 - 30, 340, 60)
    assert [b.x for b in boxes] == [-70, 50, 170]
    assert all(b.y == 20 and b.width == 100 for b in boxes)


def test_column_padding_align_and_justify():
    def build(s):
        col = s.add(Layout(direction="column", width=400, height=300, padding=(10, 20),
                           align="end", justify="space-between"))
        a, b = col.add(Rect(width=50, height=40), Rect(width=80, height=40))
        return a.bounds(), b.bounds()

    a, b = first_frame_logic(build)
    assert (a.right, a.top) == (200 - 20, -150 + 10)  # right-aligned, at the top padding
    assert (b.right, b.bottom) == (200 - 20, 150 - 10)  # pushed to the bottom


def test_grow_takes_the_free_room_and_the_drawn_rect_is_the_box():
    def build(s):
        row = s.add(Layout(width=600, gap=0))
        fixed = row.add(Rect(width=100, height=50, fill="red"))
        wide = row.add(Rect(width=100, height=50, fill="#00ff00", grow=1))
        return fixed.dimensions(), wide.dimensions(), wide.bounds()

    fixed, wide, bounds = first_frame_logic(build)
    assert fixed == (100, 50) and wide == (500, 50)
    assert bounds.x == -200

    def scene(s):
        row = s.add(Layout(width=600))
        row.add(Rect(width=100, height=50, fill="red"),
                Rect(width=100, height=50, fill="#00ff00", grow=1))
        yield

    pixels = next(parareel.frames(Project(scenes=[scene], size=(640, 100))))
    green = np.argwhere((pixels[..., 1] > 200) & (pixels[..., 0] < 50))
    assert green[:, 1].min() == 120 and green[:, 1].max() == 619  # drawn 500 px wide


def test_percent_sizes_and_a_grid():
    def build(s):
        half = s.add(Layout(width="50%", height=100))
        grid = s.add(Layout(columns=3, gap=10, width=320))
        cells = [grid.add(Rect(width=10, height=20)) for _ in range(5)]
        return half.dimensions(), grid.dimensions(), [c.bounds() for c in cells]

    half, grid, cells = first_frame_logic(build)
    assert half == (640, 100)  # half of the 1280-wide frame
    assert grid == (320, 50)  # two rows of 20 and a gap
    assert cells[3].y > cells[0].y and cells[3].x == cells[0].x  # the fourth starts row 2


def test_nested_layouts_and_offsets_of_children():
    def build(s):
        outer = s.add(Layout(direction="column", gap=10))
        inner = outer.add(Layout(gap=5))
        a = inner.add(Rect(width=20, height=20))
        b = inner.add(Rect(width=20, height=20, x=7, y=-3))  # offset from its slot
        c = outer.add(Rect(width=45, height=30))
        return a.bounds(), b.bounds(), c.bounds(), outer.dimensions()

    a, b, c, outer = first_frame_logic(build)
    assert outer == (45, 60)
    assert b.x - a.x == 25 + 7 and b.y - a.y == -3
    assert c.y == a.y + 30


def test_layout_properties_tween_and_siblings_follow_a_growing_child():
    seen = []

    def scene(s):
        row = s.add(Layout(gap=0))
        grower = row.add(Rect(width=10, height=10))
        last = row.add(Rect(width=10, height=10))
        seen.append(last.bounds().x)
        yield from row.gap.to(30, 1.0)
        seen.append(last.bounds().x)
        yield from grower.width.to(50, 1.0)
        seen.append(last.bounds().x)
        last.presence = 0  # takes no room: the row is the grower alone
        seen.append(row.dimensions())

    Project(scenes=[scene], size=(320, 180)).survey()
    assert seen == [0.0, 15.0, 35.0, (50, 10)]


def test_a_text_in_a_layout_wraps_at_the_room_it_is_given():
    def build(s):
        col = s.add(Layout(width=300, direction="column"))
        text = col.add(Text("the quick brown fox jumps over the lazy dog", size=30))
        alone = s.add(Text("the quick brown fox jumps over the lazy dog", size=30))
        return text.dimensions(), alone.dimensions()

    wrapped, alone = first_frame_logic(build)
    assert wrapped[0] == 300 and alone[0] > 300
    assert wrapped[1] >= 3 * alone[1]  # several lines


def test_a_box_sized_from_its_label_bounds_in_a_computed_property():
    def scene(s):
        label = s.add(Text("Lower third", size=40, z=1))
        box = s.add(Rect(height=70, fill="#e94f37"))
        box.width(lambda: label.bounds().width + 48)
        yield
        label.text = "A much longer lower third"
        yield

    project = Project(scenes=[scene], size=(640, 120), background="black")
    first, second = (np.argwhere(f[..., 0] > 200)[:, 1] for f in parareel.frames(project))
    assert second.max() - second.min() > first.max() - first.min() + 150


def test_next_to_follows_the_other_node():
    def scene(s):
        anchor = s.add(Rect(width=100, height=50))
        note = s.add(Circle(radius=10)).next_to(anchor, "right", gap=12)
        below = s.add(Rect(width=20, height=20)).next_to(anchor, "below", 5, align="start")
        assert note.bounds() == (62, -10, 20, 20)
        assert below.bounds() == (-50, 30, 20, 20)
        assert anchor.bounds().anchor("bottom_right") == (50, 25)
        with pytest.raises(ValueError, match="'corner' is not one of center, top"):
            anchor.bounds().anchor("corner")
        yield from anchor.x.to(200, 0.1)
        assert note.bounds().x == 262

    Project(scenes=[scene], size=(640, 360)).survey()


def test_a_layout_property_outside_a_layout_is_refused_where_it_is_set():
    def adds(s):
        s.add(Group(Rect(grow=1)))
        yield

    with pytest.raises(SceneError, match="sets grow but its parent Group is not a Layout"):
        Project(scenes=[adds], size=(64, 64)).survey()

    def sets(s):
        r = s.add(Rect())
        r.margin = 10
        yield

    with pytest.raises(SceneError, match="sets margin"):
        Project(scenes=[sets], size=(64, 64)).survey()


def test_a_misspelt_property_assignment_is_refused():
    def scene(s):
        r = s.add(Rect())
        r.opactiy = 0.5
        yield

    with pytest.raises(SceneError, match="Rect has no property 'opactiy'; did you mean "
                                         "'opacity'"):
        Project(scenes=[scene], size=(64, 64)).survey()


def test_a_layout_that_depends_on_itself_says_so():
    def scene(s):
        row = s.add(Layout())
        a = row.add(Rect(height=10))
        b = row.add(Rect(width=10, height=10))
        a.width(lambda: b.bounds().width)
        row.bounds()
        yield

    with pytest.raises(SceneError, match="depends on itself"):
        Project(scenes=[scene], size=(64, 64)).survey()


def animated_layout(s):
    """Gap, padding, a growing child, a child added and one removed mid-way, text wrap."""
    card = s.add(Layout(direction="column", gap=8, padding=12, fill="#334455", radius=10,
                        align="center"))
    title = card.add(Text("Layouts in chunks", size=22, fill="#ffd166"))
    row = card.add(Layout(gap=6))
    bars = [row.add(Rect(width=20, height=30, fill=c)) for c in ("#e94f37", "#33a1a0")]
    yield from wait(0.2)
    yield from parallel(card.gap.to(20, 0.5), card.padding.to(24, 0.5),
                        bars[0].width.to(60, 0.5))
    extra = row.add(Circle(radius=15, fill="white", presence=0))
    yield from extra.presence.to(1, 0.3)  # makes room
    title.text = "Layouts in chunks, wrapped at a width"
    title.width = 180
    yield from bars[1].presence.to(0, 0.3)  # closes its gap
    bars[1].remove()
    yield from wait(0.2)


from parareel import parallel  # noqa: E402 - used by the scene above


def test_animated_layouts_are_the_same_in_every_chunking(tmp_path):
    project = Project(scenes=[animated_layout], size=(320, 180), fps=30, background="#111111")
    full = [f.copy() for f in parareel.frames(project)]
    assert len(full) == 45
    assert not np.array_equal(full[10], full[30])  # it does move
    for chunk_frames in (24, 16, 7, 5):  # 2, 3 and 7 chunks, and a remainder
        folder = tmp_path / f"c{chunk_frames}"
        parareel.render(project, f"{folder}/", workers=2, chunk_frames=chunk_frames)
        for i, reference in enumerate(full):
            drawn = decode_png(folder / f"{i:05d}.png")
            assert np.array_equal(drawn, reference[..., :3]), (chunk_frames, i)


def decode_png(path) -> np.ndarray:
    import av

    with av.open(str(path)) as container:
        return next(container.decode(video=0)).to_ndarray(format="rgb24")
