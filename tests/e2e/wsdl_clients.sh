#!/usr/bin/env bash
# Loads every generated WSDL in a directory with three real SOAP client stacks and fails when
# any of them cannot load any flavour:
#   - zeep   (Debian python3-zeep)   zeep.Client(path)
#   - suds   (Debian python3-suds)   suds.client.Client("file://path")
#   - PHP    (php-soap)              new SoapClient(path)
# Beyond loading, each client must see the expected operations (14, or 15 with
# IntegrationCodeCheck), be able to build a Ticket entity, and see the namespace's SOAPAction.
#
# Usage: tests/e2e/wsdl_clients.sh DIR      (DIR holds *.wsdl, e.g. from atws-mock --dump-wsdl)
# Environment: PYTHON (default /usr/bin/python3), PHP (default php), CLIENT_TIMEOUT (seconds, 60).
set -euo pipefail

dir=${1:-}
if [[ -z "$dir" || ! -d "$dir" ]]; then
  echo "usage: $0 DIR-WITH-WSDL-FILES" >&2
  exit 2
fi
PYTHON=${PYTHON:-/usr/bin/python3}
PHP=${PHP:-php}
timeout_s=${CLIENT_TIMEOUT:-60}

# Absolute paths: the clients run from a scratch directory.
dir=$(cd "$dir" && pwd)
shopt -s nullglob
files=("$dir"/*.wsdl)
if ((${#files[@]} == 0)); then
  echo "FAIL: no *.wsdl files in $dir" >&2
  exit 1
fi

for tool in "$PYTHON" "$PHP" timeout; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "FAIL: $tool not found (install python3-zeep python3-suds php-soap)" >&2
    exit 1
  fi
done

# Isolate the clients' caches so one run cannot feed another.
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

read -r -d '' zeep_check <<'PY' || true
import sys
import zeep
path, ops_expected, ns = sys.argv[1], int(sys.argv[2]), sys.argv[3]
client = zeep.Client(path)
binding = client.wsdl.services["ATWS"].ports["ATWSSoap"].binding
ops = sorted(binding._operations)
if len(ops) != ops_expected:
    sys.exit("zeep sees %d operations, expected %d: %s" % (len(ops), ops_expected, ops))
if binding._operations["query"].soapaction != ns + "query":
    sys.exit("zeep: query SOAPAction is %r" % binding._operations["query"].soapaction)
ticket = client.get_type("{%s}Ticket" % ns)(id=1, Title="x")
print("zeep: %d operations, Ticket type ok (%s)" % (len(ops), type(ticket).__name__))
PY

read -r -d '' suds_check <<'PY' || true
import os
import sys
from suds.client import Client
path, ops_expected, ns = sys.argv[1], int(sys.argv[2]), sys.argv[3]
client = Client("file://" + os.path.abspath(path), cache=None)
port = client.wsdl.services[0].ports[0]
ops = sorted(port.methods)
if len(ops) != ops_expected:
    sys.exit("suds sees %d operations, expected %d: %s" % (len(ops), ops_expected, ops))
action = port.methods["query"].soap.action.strip('"')
if action != ns + "query":
    sys.exit("suds: query SOAPAction is %r" % action)
ticket = client.factory.create("Ticket")
ticket.Title = "x"
print("suds: %d operations, Ticket type ok" % len(ops))
PY

read -r -d '' php_check <<'PHP' || true
$path = $argv[1]; $expected = (int)$argv[2]; $ns = $argv[3];
try {
  $c = new SoapClient($path, ['cache_wsdl' => WSDL_CACHE_NONE, 'exceptions' => true,
                              'trace' => false]);
} catch (Throwable $e) {
  fwrite(STDERR, "php: " . $e->getMessage() . "\n"); exit(1);
}
$ops = [];
foreach ($c->__getFunctions() as $f) {
  if (preg_match('/^\S+\s+(\w+)\(/', $f, $m)) $ops[$m[1]] = true;
}
if (count($ops) != $expected) {
  fwrite(STDERR, "php sees " . count($ops) . " operations, expected $expected: "
                 . implode(", ", array_keys($ops)) . "\n");
  exit(1);
}
$ticket = false;
foreach ($c->__getTypes() as $t) {
  if (preg_match('/^struct Ticket \{/', $t)) $ticket = true;
}
if (!$ticket) { fwrite(STDERR, "php: no Ticket type\n"); exit(1); }
echo "php: " . count($ops) . " operations, " . count($c->__getTypes()) . " types\n";
PHP

failures=()
for f in "${files[@]}"; do
  name=$(basename "$f")
  if grep -q 'wsdl:operation name="IntegrationCodeCheck"' "$f"; then ops=15; else ops=14; fi
  ns=$(grep -o 'targetNamespace="[^"]*"' "$f" | head -n 1 | sed 's/^targetNamespace="//; s/"$//')
  if [[ -z "$ns" ]]; then
    failures+=("$name: no targetNamespace")
    continue
  fi
  echo "== $name ($ns, $ops operations)"
  for client in zeep suds php; do
    out="$work/$client.out"
    case $client in
      zeep) cmd=(timeout "$timeout_s" env HOME="$work" "$PYTHON" -c "$zeep_check" "$f" "$ops" "$ns") ;;
      suds) cmd=(timeout "$timeout_s" env HOME="$work" "$PYTHON" -c "$suds_check" "$f" "$ops" "$ns") ;;
      php) cmd=(timeout "$timeout_s" "$PHP" -d soap.wsdl_cache_enabled=0 -r "$php_check" "$f" "$ops" "$ns") ;;
    esac
    if (cd "$work" && "${cmd[@]}") >"$out" 2>&1; then
      echo "   ok   $(tail -n 1 "$out")"
    else
      echo "   FAIL $client could not load $name:"
      sed 's/^/        /' "$out" | tail -n 15
      failures+=("$client cannot load $name")
    fi
  done
done

if ((${#failures[@]} > 0)); then
  echo
  echo "FAIL: ${#failures[@]} client/WSDL combination(s) failed:" >&2
  printf '  - %s\n' "${failures[@]}" >&2
  exit 1
fi
echo "all ${#files[@]} WSDL file(s) load in zeep, suds and PHP SoapClient"
