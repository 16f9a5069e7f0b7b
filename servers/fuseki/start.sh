#!/bin/sh
# Start Apache Jena Fuseki for Carrefour on loopback, with a TDB2 dataset at /carrefour.
#
#   servers/fuseki/start.sh [--port 3030] [--loc data/fuseki] [--timeout 60000] [extra fuseki options]
#
# Fetches the jar with Maven into build/fuseki/ if missing (servers/fuseki/pom.xml), writes the
# configuration (servers/fuseki/carrefour.ttl with the TDB2 directory filled in) next to the
# dataset, and runs the server in the foreground (Ctrl-C stops it). Then set
#   CARREFOUR_STORE_BACKEND=sparql CARREFOUR_SPARQL_ENDPOINT=http://127.0.0.1:3030/carrefour
set -eu

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
VERSION=${FUSEKI_VERSION:-5.6.0}
JAR=${FUSEKI_JAR:-$ROOT/build/fuseki/jena-fuseki-server-$VERSION.jar}
PORT=3030
LOC=$ROOT/data/fuseki
TIMEOUT=60000

while [ $# -gt 0 ]; do
  case "$1" in
    --port) PORT=$2; shift 2 ;;
    --port=*) PORT=${1#--port=}; shift ;;
    --loc) LOC=$2; shift 2 ;;
    --loc=*) LOC=${1#--loc=}; shift ;;
    --timeout) TIMEOUT=$2; shift 2 ;;
    --timeout=*) TIMEOUT=${1#--timeout=}; shift ;;
    *) break ;;
  esac
done

if [ ! -f "$JAR" ]; then
  echo "Téléchargement de Fuseki $VERSION (Maven Central)…" >&2
  mvn -q -B -f "$HERE/pom.xml" dependency:copy -Dfuseki.version="$VERSION"
fi

mkdir -p "$LOC"
LOC=$(cd "$LOC" && pwd)
CONFIG="$LOC.carrefour.ttl"
sed "s#@LOCATION@#$LOC#" "$HERE/carrefour.ttl" > "$CONFIG"

cd "$(dirname "$LOC")"
echo "Fuseki : http://127.0.0.1:$PORT/carrefour (données $LOC)" >&2
exec java ${FUSEKI_JAVA_OPTS:-} -jar "$JAR" --localhost --port "$PORT" --ping --timeout="$TIMEOUT" \
  --config "$CONFIG" "$@"
