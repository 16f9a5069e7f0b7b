"""``/oai``: the OAI-PMH 2.0 data provider (GET and POST)."""

from __future__ import annotations

from flask import Blueprint, Response, request

from endpoint.oai.verbs import handle

bp = Blueprint("oai", __name__)


@bp.route("/oai", methods=["GET", "POST"])
def oai() -> Response:
    if request.method == "POST":
        form_encoded = (request.mimetype or "") == "application/x-www-form-urlencoded"
        if not form_encoded and request.content_length:
            pairs: list[tuple[str, str]] = []
            bad_post = True
        else:
            pairs = list(request.form.items(multi=True))
            bad_post = False
    else:
        pairs = list(request.args.items(multi=True))
        bad_post = False
    body = handle(pairs, bad_post=bad_post)
    response = Response(body, content_type="text/xml; charset=utf-8")
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response
