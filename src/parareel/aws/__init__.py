"""AWS Lambda: the handler, settings, the client, cost estimates, deploy and the local dev stack."""

from __future__ import annotations


def render_on_lambda(*args, **kwargs):
    """See `parareel.aws.client.render_on_lambda`."""
    from parareel.aws.client import render_on_lambda as render

    return render(*args, **kwargs)
