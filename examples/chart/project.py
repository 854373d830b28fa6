"""A leaderboard animated from data: bars grow in, then the year changes and they race to
their new values and places (about 9 s at 1080p30).

    parareel render examples/chart/project.py -o chart.mp4 --workers auto
    parareel render examples/chart/project.py -o chart.mp4 --vars my_data.json

`data` maps each name to its values, one per period in `periods`; colours are optional:

    {"title": "...", "subtitle": "...", "periods": ["2025", "2026"],
     "data": {"Python": {"values": [23.1, 26.4], "color": "#3776ab"}, ...}}
"""

from parareel import Group, Layout, Project, Rect, Text, easing, parallel, sequence, wait

PERIODS = ["2025", "2026"]
DATA = {
    "Python": {"values": [23.1, 26.4], "color": "#3776ab"},
    "JavaScript": {"values": [21.5, 20.2], "color": "#f0db4f"},
    "TypeScript": {"values": [12.4, 16.8], "color": "#3178c6"},
    "Java": {"values": [14.9, 12.1], "color": "#e76f00"},
    "Go": {"values": [6.2, 8.9], "color": "#00add8"},
    "Rust": {"values": [4.1, 7.7], "color": "#dea584"},
}
PALETTE = ["#ef476f", "#ffd166", "#06d6a0", "#118ab2", "#8338ec", "#ff7f50"]
LEFT, ROW, BAR, LONGEST = -520, 120, 84, 1100  # where bars start, row pitch, bar, px


def leaderboard(scene):
    title = scene.variables.get("title", "Share of new projects, %")
    subtitle = scene.variables.get("subtitle", "by language, one bar a language")
    periods = scene.variables.get("periods", PERIODS)
    data = scene.variables.get("data", DATA)
    top = max(v for entry in data.values() for v in entry["values"])

    def place(period: int) -> dict[str, int]:
        ranked = sorted(data, key=lambda name: -data[name]["values"][period])
        return {name: rank for rank, name in enumerate(ranked)}

    def row_y(rank: int) -> float:
        return (rank - (len(data) - 1) / 2) * ROW + 60

    header = scene.add(Layout(direction="column", gap=6, align="center", y=-430))
    header.add(Text(title, size=56, weight="bold", fill="#f6f7eb"))
    header.add(Text(subtitle, size=30, fill="#9aa5c4"))  # below the title, however tall
    year = scene.add(Text(periods[0], size=180, weight="bold", fill="#ffffff", opacity=0.12,
                          x=760, y=380, align="right"))
    rows, bars = {}, {}
    ranks = place(0)
    for i, (name, entry) in enumerate(data.items()):
        row = scene.add(Group(y=row_y(ranks[name]), opacity=0))
        bar = row.add(Rect(width=0, height=BAR, radius=12,
                           fill=entry.get("color", PALETTE[i % len(PALETTE)])))
        bar.x(lambda bar=bar: LEFT + bar.width() / 2)  # grows from its left end
        row.add(Text(name, size=40, weight=600, fill="#f6f7eb")).next_to(bar, "left", 30)
        row.add(Text(lambda bar=bar: f"{bar.width() / LONGEST * top:.1f}", size=38,
                     fill="#f6f7eb")).next_to(bar, "right", 24)  # follows the bar's end
        rows[name], bars[name] = row, bar

    def width(name: str, period: int) -> float:
        return data[name]["values"][period] / top * LONGEST

    yield from sequence(0.12, *(parallel(rows[name].opacity.to(1, 0.4),
                                         bars[name].width.to(width(name, 0), 1.2,
                                                             easing.out_cubic))
                                for name in data))
    yield from wait(1.0)
    for period in range(1, len(periods)):
        year.text(periods[period])
        ranks = place(period)
        yield from parallel(*(bars[name].width.to(width(name, period), 1.6, easing.in_out_cubic)
                              for name in data),
                            *(rows[name].y.to(row_y(ranks[name]), 1.6, easing.in_out_back)
                              for name in data))
        yield from wait(1.5)
    yield from wait(1.5)


project = Project(scenes=[leaderboard], size=(1920, 1080), fps=30, background="#14213d")
