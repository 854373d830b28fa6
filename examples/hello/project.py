"""The hello example: three cards deal in to a beat, the message rises between them, a
dot bounces across with a blip on every landing, and everything bows out (10 s at
1080p30).

    parareel render examples/hello/project.py -o hello.mp4 --var message="Hi there"
"""

from pathlib import Path

from parareel import (
    Audio,
    Circle,
    Group,
    Project,
    Rect,
    Text,
    chain,
    easing,
    parallel,
    sequence,
    wait,
)

SOUNDS = Path(__file__).parent.parent / "sounds"
CORAL, AMBER, TEAL, PAPER = "#e94f37", "#f6ae2d", "#33a1a0", "#f6f7eb"


def hello(scene):
    message = scene.variables.get("message", "Hello from parareel!")
    scene.play(Audio(SOUNDS / "beat.wav", volume=0.6, loop=True))

    # three cards, dealt in from the left one after another, landing with a slight tilt
    deck = scene.add(Group(y=-40))
    cards = [deck.add(Rect(width=360, height=220, radius=36, fill=colour, x=-1400,
                           rotation=-8)) for colour in (CORAL, AMBER, TEAL)]
    title = scene.add(Text(message, size=104, weight="bold", fill=PAPER, y=330, opacity=0))
    subtitle = scene.add(Text("scenes in Python, rendered in parallel", size=40,
                              fill="#9aa5b1", y=420, opacity=0))
    dot = scene.add(Circle(radius=26, fill=PAPER, x=-700, y=-420, scale=0))

    yield from sequence(0.25, *(parallel(card.x.to(x, 1.1, easing.out_cubic),
                                         card.rotation.to(tilt, 1.1, easing.out_back))
                                for card, x, tilt in zip(cards, (-420, 0, 420), (-4, 0, 4),
                                                         strict=True)))
    yield from parallel(title.opacity.to(1, 0.8), title.y.to(300, 0.8, easing.out_cubic),
                        chain(wait(0.3), subtitle.opacity.to(1, 0.8)))

    # the dot hops from card to card, a blip at every landing
    yield from dot.scale.to(1, 0.4, easing.out_back)
    for x in (-420, 0, 420):
        yield from parallel(dot.x.to(x, 0.6, easing.in_out_sine),
                            chain(dot.y.to(-300, 0.3, easing.out_quad),
                                  dot.y.to(-178, 0.3, easing.in_quad)))
        scene.play(Audio(SOUNDS / "blip.wav", volume=0.8))
        yield from dot.scale.to((1.3, 0.7), 0.08)  # squash on landing
        yield from dot.scale.to(1, 0.25, easing.out_back)

    # the cards turn over to one colour, in OKLab (no muddy midpoint)
    yield from parallel(*(card.fill.to(CORAL, 0.8) for card in cards[1:]),
                        *(card.rotation.to(0, 0.8, easing.in_out_cubic) for card in cards))
    yield from wait(1.0)
    yield from parallel(deck.scale.to(0.0, 0.9, easing.in_back),
                        dot.scale.to(0.0, 0.6, easing.in_back),
                        title.opacity.to(0, 0.9), subtitle.opacity.to(0, 0.6))
    yield from wait((300 - scene.frame) / 30)  # 10 s exactly


project = Project(scenes=[hello], size=(1920, 1080), fps=30, background="#1b1b2f")
