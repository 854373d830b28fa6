"""Authoring: signals, tweens and easings, flow, nodes, scenes and projects (no drawing)."""
