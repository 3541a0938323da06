"""``synth-ai ui``: sign in to the dashboard — mint a short-lived token and print the page's URL.

The token (``POST /api/v1/ui/tokens`` on the configured backend) rides in the URL's fragment,
which the browser never sends to the server; the page reads it and sends it as a bearer token.
"""

from __future__ import annotations

import click
from synth_ai.cli.options import PositiveFloat
from synth_ai.cli.output import echo_json


@click.command("ui")
@click.option(
    "--open/--no-open",
    "open_browser",
    default=False,
    show_default=True,
    help="Open the URL in your web browser.",
)
@click.option(
    "--ttl",
    type=PositiveFloat(example="300"),
    default=None,
    help="Seconds the token stays valid (default and maximum: the server's [ui] token_ttl_s).",
)
@click.option(
    "--json", "as_json", is_flag=True, help="Print the token, its expiry and the URL as JSON."
)
@click.pass_obj
def ui(obj, open_browser, ttl, as_json):
    """Print the dashboard's URL with a short-lived sign-in token (the backend of 'serve')."""
    backend = obj.backend()
    minted = backend.request("POST", "/api/v1/ui/tokens", json={"ttl_s": ttl} if ttl else None)
    url = f"{backend.base_url}{minted['url_path']}"
    if as_json:
        echo_json({**minted, "url": url})
    else:
        click.echo(url)
        click.echo(
            f"Valid until {minted['expires_at']} for org {minted['org_id']} — anyone with this "
            "URL acts as your API key until then; run 'synth-ai ui' again for a new one.",
            err=True,
        )
    if open_browser:
        import webbrowser

        if not webbrowser.open(url):
            click.echo("No web browser found here — open the URL above yourself.", err=True)
