#!/usr/bin/env bash
# Builds the launcher (Maven, solr-test-framework 9.10.1 from Maven Central) if needed and starts a
# real Solr node on 127.0.0.1 with the core "carrefour" made from solr_config/configset.
#
#   solr_config/start-solr.sh [--port 8983] [--home build/solr-home] [--cloud] [--build-only]
#
# Prints "CARREFOUR-SOLR READY http://127.0.0.1:PORT/solr/carrefour" when the core answers; then
# set CARREFOUR_INDEX_BACKEND=solr and CARREFOUR_SOLR_URL to that address. Ctrl-C stops it.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
target="$root/build/solr"
port=8983
home="$root/build/solr-home"
extra=()
build_only=0
while [ $# -gt 0 ]; do
  case "$1" in
    --port) port="$2"; shift 2 ;;
    --home) home="$2"; shift 2 ;;
    --cloud) extra+=(--cloud); shift ;;
    --exit-on-stdin-eof) extra+=(--exit-on-stdin-eof); shift ;;
    --build-only) build_only=1; shift ;;
    *) echo "start-solr.sh : argument inconnu « $1 »" >&2; exit 2 ;;
  esac
done

command -v java >/dev/null || { echo "start-solr.sh : java (17 ou plus) est introuvable" >&2; exit 3; }
stamp="$target/classes/org/carrefour/solr/Launcher.class"
if [ ! -f "$target/classpath.txt" ] || [ ! -f "$stamp" ] \
   || [ "$here/pom.xml" -nt "$stamp" ] || [ "$here/src/main/java/org/carrefour/solr/Launcher.java" -nt "$stamp" ]; then
  command -v mvn >/dev/null || { echo "start-solr.sh : mvn (Maven) est introuvable" >&2; exit 3; }
  echo "start-solr.sh : construction du lanceur Solr (Maven)…" >&2
  mvn -B -q -f "$here/pom.xml" compile >&2
fi
[ "$build_only" = 1 ] && exit 0

exec java -Xmx${SOLR_HEAP:-512m} -Dlog4j2.configurationFile="$here/log4j2.xml" -Dsolr.log.dir="$target/logs" \
  -cp "$target/classes:$(cat "$target/classpath.txt")" org.carrefour.solr.Launcher \
  --port "$port" --home "$home" --configset "$here/configset" "${extra[@]}"
