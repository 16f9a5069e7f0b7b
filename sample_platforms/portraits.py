"""`portraits`: an Avise-like HTML site, a paginated listing of cards and one page per portrait.

About a third of the pages also embed schema.org JSON-LD, as many real sites do, so that the
scraper can prefer structured data when present and fall back to the HTML otherwise.
"""

from __future__ import annotations

import json

from flask import Blueprint, Response, abort, render_template_string, request
from markupsafe import Markup

from .catalogue import Innovation, platform_records
from .referentiel import ACTOR_TYPES

PAGE_SIZE = 12
MONTHS = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)

blueprint = Blueprint("portraits", __name__, url_prefix="/portraits")

_LAYOUT = """<!DOCTYPE html>
<html lang="fr">
<head>
<meta charset="utf-8">
<title>{{ title }} – Portraits d'innovations sociales</title>
{{ head_extra }}
</head>
<body>
<header><p><a href="/portraits/">Portraits d'innovations sociales</a></p></header>
<main>
{{ main }}
</main>
<footer><p>Site de démonstration du Carrefour des innovations sociales.</p></footer>
</body>
</html>
"""

_LISTING = """<h1>Portraits d'innovations sociales – page {{ page }} sur {{ pages }}</h1>
{% for r in records %}<article class="portrait-card">
<h2><a href="/portraits/{{ r.key }}/">{{ r.title }}</a></h2>
<p class="chapo">{{ r.summary }}</p>
</article>
{% endfor %}<nav class="pagination">
{% if page > 1 %}<a rel="prev" href="?page={{ page - 1 }}">Précédente</a>{% endif %}
<span>Page {{ page }} sur {{ pages }}</span>
{% if page < pages %}<a rel="next" href="?page={{ page + 1 }}">Suivante</a>{% endif %}
</nav>"""

_DETAIL = """<article class="portrait">
<h1 class="portrait-title">{{ r.title }}</h1>
<div class="portrait-summary"><p>{{ r.summary }}</p></div>
<div class="portrait-body">
{% for p in paragraphs %}<p>{{ p }}</p>
{% endfor %}</div>
<ul class="domaines">
{% for tag in r.tags %}<li>{{ tag }}</li>
{% endfor %}</ul>
<dl class="fiche">
<dt>Structure</dt><dd class="structure">{{ r.organisation }}</dd>
<dt>Statut</dt><dd class="statut">{{ statut }}</dd>
<dt>Commune</dt><dd class="commune">{{ r.commune }}</dd>
<dt>Code postal</dt><dd class="code-postal">{{ r.postal_code }}</dd>
<dt>Région</dt><dd class="region">{{ r.region }}</dd>
<dt>Date de lancement</dt><dd class="date-lancement">{{ launched }}</dd>
<dt>Site web</dt><dd><a class="site-web" href="{{ r.website }}">{{ r.website }}</a></dd>
</dl>
</article>"""


def french_month(record: Innovation) -> str:
    return f"{MONTHS[record.started.month - 1]} {record.started.year}"


def has_json_ld(position: int) -> bool:
    return position % 3 == 0


def json_ld(record: Innovation) -> dict[str, object]:
    return {
        "@context": "https://schema.org",
        "@type": "Project",
        "name": record.title,
        "description": record.summary,
        "url": f"{request.host_url.rstrip('/')}/portraits/{record.key}/",
        "location": {
            "@type": "Place",
            "name": record.commune,
            "address": {
                "@type": "PostalAddress",
                "addressLocality": record.commune,
                "postalCode": record.postal_code,
                "addressRegion": record.region,
                "addressCountry": "FR",
            },
            "geo": {"@type": "GeoCoordinates", "latitude": record.lat, "longitude": record.lon},
        },
        "founder": {"@type": "Organization", "name": record.organisation, "url": record.website},
        "sponsor": [{"@type": "Organization", "name": partner} for partner in record.partners],
    }


def _page(title: str, main: str, head_extra: str = "") -> Response:
    html = render_template_string(_LAYOUT, title=title, main=Markup(main), head_extra=Markup(head_extra))
    return Response(html, mimetype="text/html")


@blueprint.route("/")
def listing() -> Response:
    records = platform_records("portraits")
    pages = (len(records) + PAGE_SIZE - 1) // PAGE_SIZE
    page = request.args.get("page", "1")
    if not page.isdigit() or not 1 <= int(page) <= pages:
        abort(404)
    number = int(page)
    chunk = records[(number - 1) * PAGE_SIZE : number * PAGE_SIZE]
    main = render_template_string(_LISTING, records=chunk, page=number, pages=pages)
    return _page(f"Page {number}", main)


@blueprint.route("/<key>/")
def detail(key: str) -> Response:
    records = platform_records("portraits")
    position = next((n for n, r in enumerate(records) if r.key == key), None)
    if position is None:
        abort(404)
    record = records[position]
    paragraphs = [s.strip() + ("" if s.strip().endswith(".") else ".") for s in record.description.split(". ")]
    if record.contact:
        paragraphs.append(record.contact)
    main = render_template_string(
        _DETAIL,
        r=record,
        paragraphs=paragraphs,
        statut=ACTOR_TYPES[record.actor_type],
        launched=french_month(record),
    )
    head = ""
    if has_json_ld(position):
        # "</" cannot appear inside a script element; JSON allows escaping the slash.
        payload = json.dumps(json_ld(record), ensure_ascii=False, indent=1).replace("</", "<\\/")
        head = f'<script type="application/ld+json">\n{payload}\n</script>'
    return _page(record.title, main, head)


@blueprint.route("/recherche")
def search() -> Response:
    """Exists for humans but is disallowed to robots (robots.txt): a polite crawler skips it."""
    query = request.args.get("q", "").lower()
    hits = [r for r in platform_records("portraits") if query and query in r.title.lower()]
    main = render_template_string(
        '<h1>Recherche</h1><ul>{% for r in hits %}<li><a href="/portraits/{{ r.key }}/">{{ r.title }}'
        "</a></li>{% endfor %}</ul>",
        hits=hits,
    )
    return _page("Recherche", main)
