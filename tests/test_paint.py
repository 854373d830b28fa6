"""Paint: gradients, colour filters, blur, blend modes, clipping and masks, each checked on
drawn pixels."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

import parareel
from parareel import (
    Circle,
    ConicGradient,
    Group,
    Image,
    LinearGradient,
    Project,
    RadialGradient,
    Rect,
    Text,
)
from tests.conftest import EXAMPLES
from tests.pixels import SIZE, at, close, still

# Gradients

def test_a_linear_gradient_runs_across_the_box_at_its_angle():
    across = still(Rect(width=200, height=100, fill=LinearGradient("#ff0000", "#0000ff",
                                                                    angle=90)))
    assert close(at(across, -99, 0), (255, 0, 0), 6) and close(at(across, 98, 0), (0, 0, 255), 6)
    assert close(at(across, -99, -40), at(across, -99, 40))  # the same down a column
    down = still(Rect(width=200, height=100, fill=LinearGradient("#ff0000", "#0000ff")))
    assert close(at(down, 0, -49), (255, 0, 0), 8) and close(at(down, 0, 48), (0, 0, 255), 8)


def test_radial_and_conic_gradients_start_where_they_say():
    radial = still(Circle(radius=80, fill=RadialGradient(("#ffffff", 0), ("#000000", 1))))
    assert close(at(radial, 0, 0), (255, 255, 255)) and at(radial, 0, -70).max() < 120
    conic = still(Rect(width=160, height=160, fill=ConicGradient("#ff0000", "#00ff00",
                                                                  "#0000ff", "#ff0000")))
    assert at(conic, 1, -70)[0] > 200  # straight up: the first colour
    assert at(conic, 70, 0)[1] > at(conic, 70, 0)[2]  # a quarter turn: towards green


def test_a_gradient_fills_text_and_strokes():
    text = still(Text("MMMM", size=80, weight="bold", fill=LinearGradient(
        "#ff0000", "#0000ff", angle=90)))
    lit = text[text.max(axis=2) > 100]
    assert lit[:, 0].max() > 200 and lit[:, 2].max() > 200  # both ends of the gradient show
    ring = still(Circle(radius=60, fill=None, stroke=LinearGradient("#ff0000", "#00ff00",
                                                                    angle=90),
                        stroke_width=10))
    assert at(ring, -60, 0)[0] > 200 and at(ring, 60, 0)[1] > 200 and at(ring, 0, 0).max() == 0


def test_a_colour_tweens_into_a_gradient_stop_by_stop():
    def scene(s):
        box = s.add(Rect(width=200, height=100, fill="#ff0000"))
        yield from box.fill.to(LinearGradient("#ff0000", "#0000ff", angle=90), 1.0, "linear")

    frames = list(parareel.frames(Project(scenes=[scene], size=SIZE)))
    middle = frames[14][..., :3].astype(int)
    right = at(middle, 95, 0)
    assert 60 < right[0] < 230 and 60 < right[2] < 230  # halfway from red to blue
    assert close(at(middle, -99, 0), (255, 0, 0), 6)  # the first stop stays red
    assert close(at(frames[-1][..., :3].astype(int), 98, 0), (0, 0, 255), 6)


def test_bad_gradients_are_one_clear_line():
    with pytest.raises(ValueError, match="at least two stops"):
        LinearGradient("#ff0000")
    with pytest.raises(ValueError, match="must not decrease"):
        LinearGradient(("red", 0.5), ("blue", 0.2))
    with pytest.raises(TypeError, match="RadialGradient has no angle; it takes its stops and "
                                        "center, radius"):
        RadialGradient("red", "blue", angle=3)


# Filters, blur, blend modes

def test_colour_filters_follow_the_specification():
    red = dict(width=100, height=100, fill="#ff0000")
    assert close(at(still(Rect(**red, grayscale=1)), 0, 0), (54, 54, 54), 2)  # 0.2126 * 255
    assert close(at(still(Rect(width=100, height=100, fill="#ffffff", invert=1)), 0, 0),
                 (0, 0, 0), 1)
    assert close(at(still(Rect(**red, brightness=0.5)), 0, 0), (128, 0, 0), 1)
    assert close(at(still(Rect(**red, saturate=0)), 0, 0), (54, 54, 54), 2)
    cyan = at(still(Rect(**red, hue_rotate=180)), 0, 0)
    assert cyan[0] < 10 and cyan[1] > 90 and cyan[2] > 90
    sepia = at(still(Rect(width=100, height=100, fill="#808080", sepia=1)), 0, 0)
    assert close(sepia, (173, 154, 120), 2)  # the rows of the sepia matrix, times 0.502


def test_filters_combine_in_the_documented_order():
    # brightness first, then invert: white -> 50% grey -> 50% grey (the other order: black)
    shown = at(still(Rect(width=100, height=100, fill="#ffffff", brightness=0.5, invert=1)),
               0, 0)
    assert close(shown, (128, 128, 128), 2)


def test_a_filter_applies_to_a_group_as_one():
    group = Group(Rect(width=80, height=80, fill="#ff0000", x=-50),
                  Rect(width=80, height=80, fill="#00ff00", x=50), grayscale=1)
    pixels = still(group)
    assert close(at(pixels, -50, 0), (54, 54, 54), 2)
    assert close(at(pixels, 50, 0), (182, 182, 182), 2)  # 0.7152 * 255


def test_blur_matches_a_full_size_gaussian():
    size = (640, 360)
    sharp = still(Rect(width=300, height=160, fill="#ffffff"), Circle(radius=40, fill="#ff0000",
                                                                       x=200), size=size)
    blurred = still(Group(Rect(width=300, height=160, fill="#ffffff"),
                          Circle(radius=40, fill="#ff0000", x=200), blur=12), size=size)
    exact = cv2.GaussianBlur(sharp.astype(np.float32), (0, 0), 12,
                             borderType=cv2.BORDER_CONSTANT)
    difference = np.abs(blurred - exact)
    assert difference.mean() < 1.0 and difference.max() <= 12, (difference.mean(),
                                                                 difference.max())
    assert close(at(blurred, -150, 0), (128, 128, 128), 12)  # an edge is half lit
    assert not np.array_equal(blurred, sharp)


def test_blend_modes_mix_with_what_is_under():
    under = Rect(width=200, height=120, fill="#808080")
    for mode, expected in (("multiply", (128, 0, 0)), ("screen", (255, 128, 128)),
                           ("difference", (127, 128, 128)), ("lighten", (255, 128, 128))):
        top = Rect(width=100, height=100, fill="#ff0000", blend=mode)
        assert close(at(still(under, top), 0, 0), expected, 2), mode
        under = Rect(width=200, height=120, fill="#808080")


def test_an_unknown_blend_mode_names_the_node_the_property_and_the_choices():
    with pytest.raises(ValueError) as caught:
        Rect(blend="burn")
    message = str(caught.value)
    assert "Rect.blend" in message and "multiply" in message and "\n" not in message


# Clipping and masks

def test_a_rounded_container_clips_its_children():
    card = Rect(width=200, height=120, radius=40, fill="#202020", clip=True)
    card.add(Rect(width=400, height=400, fill="#ffffff"))
    pixels = still(card)
    assert close(at(pixels, 0, 0), (255, 255, 255))
    assert close(at(pixels, -98, -58), (0, 0, 0))  # outside the rounded corner
    assert close(at(pixels, 0, 80), (0, 0, 0))  # below the card
    unclipped = Rect(width=200, height=120, radius=40, fill="#202020")
    unclipped.add(Rect(width=400, height=400, fill="#ffffff"))
    assert close(at(still(unclipped), 0, 80), (255, 255, 255))


def test_masks_show_through_alpha_luminance_and_inverted():
    def masked(mode, mask):
        return still(Rect(width=300, height=160, fill="#ffffff", mask=mask, mask_mode=mode))

    alpha = masked("alpha", Circle(radius=50, fill="#ff000080"))
    assert close(at(alpha, 0, 0), (128, 128, 128), 2) and close(at(alpha, 100, 0), (0, 0, 0))
    light = masked("luminance", Group(Rect(width=150, height=160, fill="#ffffff", x=-75),
                                      Rect(width=150, height=160, fill="#000000", x=75)))
    assert close(at(light, -50, 0), (255, 255, 255)) and close(at(light, 50, 0), (0, 0, 0))
    inverted = masked("inverted", Circle(radius=50))
    assert close(at(inverted, 0, 0), (0, 0, 0)) and close(at(inverted, 100, 0), (255, 255, 255))


def test_a_mask_animates():
    def scene(s):
        hole = Circle(radius=10)
        s.add(Rect(width=300, height=160, fill="#ffffff", mask=hole))
        yield from hole.radius.to(70, 0.5)

    frames = [f[..., :3].astype(int) for f in parareel.frames(Project(scenes=[scene],
                                                                        size=SIZE))]
    assert close(at(frames[0], 40, 0), (0, 0, 0)) and close(at(frames[-1], 40, 0),
                                                            (255, 255, 255))


def test_a_mask_cycle_is_one_clear_error():
    def each_other(s):
        box = s.add(Rect(width=100, height=100))
        box.mask = Circle(radius=40, mask=box)  # each masks the other
        yield

    def itself(s):
        box = s.add(Rect(width=100, height=100))
        box.mask = box
        yield

    for scene in (each_other, itself):
        with pytest.raises(parareel.SceneError, match=r"mask: a mask cycle: .* must not "
                                                      "contain its own node"):
            list(parareel.frames(Project(scenes=[scene], size=SIZE)))


def test_an_image_has_bounds_and_takes_effects():
    logo = EXAMPLES / "showcase" / "logo.png"
    image = Image(logo, height=100)
    assert image.bounds().height == 100  # its extent once failed on a renamed helper
    plain = still(Image(logo, height=100))
    grey = still(Image(logo, height=100, grayscale=1, shadow=("black", 10, 0, 4)))
    lit = plain.max(axis=2) > 60
    assert lit.any() and np.all(np.ptp(grey[lit], axis=1) <= 3)  # every lit pixel grey


@pytest.mark.parametrize("kind", ["clip", "image", "svg"])
def test_a_lone_picture_filtered_as_drawn_equals_the_filtered_layer(kind, tmp_path):
    """A clip or image with colour filters alone is filtered through its paint, not a
    layer: the pixels are the layer's (a group filtered as one is drawn through one)."""
    from parareel import Video

    filters = {"sepia": 0.6, "contrast": 1.2, "hue_rotate": 20, "invert": 0.2}
    if kind == "svg":
        svg = tmp_path / "art.svg"
        svg.write_text('<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20">'
                       '<rect width="40" height="20" fill="#3a86ff"/>'
                       '<circle cx="20" cy="10" r="8" fill="#ffbe0b"/></svg>')

    def picture(**effects):
        if kind == "clip":
            return Video(EXAMPLES / "seed" / "media" / "background.mp4", width=300,
                         height=160, radius=24, **effects)
        source = svg if kind == "svg" else EXAMPLES / "showcase" / "logo.png"
        return Image(source, height=150, **effects)

    for opacity in (1.0, 0.6):
        alone = still(picture(opacity=opacity, **filters), background="#204060")
        grouped = still(Group(picture(opacity=opacity), **filters), background="#204060")
        plain = still(picture(opacity=opacity), background="#204060")
        # the layer holds 8-bit colours before filtering them: a few levels of rounding
        assert np.abs(alone - grouped).max() <= 4, (kind, opacity)
        assert np.abs(alone - grouped).mean() < 0.5, (kind, opacity)
        assert np.abs(alone - plain).max() > 30  # the filters did something
