"""CSRF tokens on a blueprint's forms: rendered forms pass, forged or replayed ones do not."""

from __future__ import annotations

import re

import pytest
from flask import Blueprint, Flask, render_template_string

from pagekit.csrf import CSRF_COOKIE, CSRF_FIELD, protect_forms

FORM = '<form method="post" action="/page/go">{{ csrf_field() }}</form>'


def make_app(secret: bytes | None = None) -> Flask:
    app = Flask(__name__)
    page = Blueprint("page", __name__)
    protect_forms(page, secret)
    page.add_url_rule("/", "show", lambda: render_template_string(FORM))
    page.add_url_rule("/go", "go", lambda: "done", methods=["POST", "DELETE"])
    app.register_blueprint(page, url_prefix="/page")
    app.add_url_rule("/other", "other", lambda: "other", methods=["POST"])
    return app


def rendered_token(client) -> str:
    html = client.get("/page/").get_data(as_text=True)
    match = re.search(rf'name="{CSRF_FIELD}" value="([0-9a-f]{{64}})"', html)
    assert match, html
    return match.group(1)


def test_a_form_the_page_rendered_is_accepted() -> None:
    client = make_app().test_client()
    token = rendered_token(client)
    cookie = client.get_cookie(CSRF_COOKIE)
    assert cookie is not None and cookie.http_only and cookie.same_site == "Strict"
    assert client.post("/page/go", data={CSRF_FIELD: token}).get_data(as_text=True) == "done"
    assert client.delete("/page/go", headers={"X-CSRF-Token": token}).status_code == 200


@pytest.mark.parametrize("sent", [None, "", "0" * 64])
def test_a_post_without_the_right_token_is_forbidden(sent: str | None) -> None:
    client = make_app().test_client()
    rendered_token(client)
    data = {} if sent is None else {CSRF_FIELD: sent}
    response = client.post("/page/go", data=data)
    assert response.status_code == 403
    assert "Reload the page" in response.get_data(as_text=True)


def test_a_planted_cookie_does_not_help_without_the_secret() -> None:
    """Another app on localhost can set our cookie; it still cannot sign a token for it."""
    attacker = make_app(b"attacker-secret").test_client()
    forged = rendered_token(attacker)
    victim = make_app().test_client()
    victim.set_cookie(CSRF_COOKIE, attacker.get_cookie(CSRF_COOKIE).value)
    assert victim.post("/page/go", data={CSRF_FIELD: forged}).status_code == 403


def test_tokens_do_not_outlive_the_process_secret() -> None:
    client = make_app().test_client()
    token = rendered_token(client)
    restarted = make_app()  # a new process draws a new secret
    restarted_client = restarted.test_client()
    restarted_client.set_cookie(CSRF_COOKIE, client.get_cookie(CSRF_COOKIE).value)
    assert restarted_client.post("/page/go", data={CSRF_FIELD: token}).status_code == 403


def test_routes_outside_the_blueprint_are_untouched() -> None:
    assert make_app().test_client().post("/other").status_code == 200
