#!/usr/bin/env bash
# Applies the Dask Kubernetes Operator CRDs (DaskJob, DaskCluster, DaskWorkerGroup, DaskAutoscaler)
# to the test bed in STATE_DIR and waits until each one is Established.
#
#   apply-crds.sh [STATE_DIR]     CRD_DIR overrides the directory holding the CRD yaml files
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
STATE="${1:-$HERE/state}"
# The operator release's CRDs as vendored in the repository (third_party/README: where they come from)
CRD_DIR="${CRD_DIR:-$(cd "$HERE/../.." && pwd)/third_party/dask-kubernetes-operator-2025.4.3/crds}"
# shellcheck disable=SC1091
source "$STATE/env"
TIMEOUT="${READY_TIMEOUT:-120}"

api() { curl -s --cacert "$KUBE_TESTBED_CA" -H "Authorization: Bearer $KUBE_TESTBED_TOKEN" "$@"; }
CRDS=/apis/apiextensions.k8s.io/v1/customresourcedefinitions

names=(); lists=()
for f in "$CRD_DIR"/daskjob.yaml "$CRD_DIR"/daskcluster.yaml "$CRD_DIR"/daskworkergroup.yaml "$CRD_DIR"/daskautoscaler.yaml; do
  [[ -f "$f" ]] || { echo "apply-crds.sh: $f not found" >&2; exit 1; }
  json="$(python3 -c 'import json,sys,yaml; print(json.dumps(yaml.safe_load(open(sys.argv[1]))))' "$f")"
  name="$(jq -r .metadata.name <<<"$json")"
  code="$(api -o /tmp/apply-crd.$$ -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
           --data-binary @- "$KUBE_TESTBED_API_URL$CRDS" <<<"$json")"
  case "$code" in
    201) echo "apply-crds.sh: created $name" ;;
    409) echo "apply-crds.sh: $name already exists" ;;
    *) echo "apply-crds.sh: POST $name -> HTTP $code" >&2; cat /tmp/apply-crd.$$ >&2; rm -f /tmp/apply-crd.$$; exit 1 ;;
  esac
  rm -f /tmp/apply-crd.$$
  names+=("$name")
  # list path of the storage version, e.g. /apis/kubernetes.dask.org/v1/daskjobs
  lists+=("$(jq -r '"/apis/" + .spec.group + "/" + (.spec.versions[] | select(.storage) | .name) + "/" + .spec.names.plural' <<<"$json")")
done

deadline=$(( $(date +%s) + TIMEOUT ))
for name in "${names[@]}"; do
  until [[ "$(api "$KUBE_TESTBED_API_URL$CRDS/$name" | jq -r '.status.conditions[]? | select(.type=="Established") | .status')" == True ]]; do
    (( $(date +%s) < deadline )) || { echo "apply-crds.sh: $name not Established after ${TIMEOUT}s" >&2; exit 1; }
    sleep 0.2
  done
  echo "apply-crds.sh: $name Established"
done
# Established is stored in etcd, so after a restart it is true before the apiserver serves the resource;
# the resource's watch cache also answers 429 "storage is (re)initializing" for a moment. Wait for a 200.
for path in "${lists[@]}"; do
  until [[ "$(api -o /dev/null -w '%{http_code}' "$KUBE_TESTBED_API_URL$path?limit=1")" == 200 ]]; do
    (( $(date +%s) < deadline )) || { echo "apply-crds.sh: $path not served after ${TIMEOUT}s" >&2; exit 1; }
    sleep 0.2
  done
  echo "apply-crds.sh: $path served"
done
