#!/usr/bin/env bash
# Renders the Helm chart with the defaults and each ci-values file, validates every rendered
# manifest, and checks that SQLite with replicas refuses to render (see .ci/helm_check.py).
#
# Needs python3 (3.10 or newer) and PyPI; nothing else (no helm binary, no cluster). The
# virtual environment is built once under ${XDG_CACHE_HOME:-$HOME/.cache}/ticketlens and
# reused while it holds exactly the pinned versions below.
set -euo pipefail
cd "$(dirname "$0")/.."

# The three tools, then everything they pull in, so two runs use the same code.
PINS=(
  helm-python-sdk==0.2.2
  kubernetes-validate==1.37.0
  PyYAML==6.0.3
  # kubernetes-validate's dependencies
  attrs==26.1.0
  importlib-resources==7.1.0
  jsonschema==4.26.0
  jsonschema-specifications==2025.9.1
  packaging==26.3
  referencing==0.37.0
  rpds-py==2026.9.1
  typing-extensions==4.16.0
)

PYTHON="${PYTHON:-python3}"
VENV="${TICKETLENS_HELM_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/ticketlens/helm-check-venv}"

# Exit 0 when the venv's python has every pinned distribution at its pinned version.
venv_matches() {
  [[ -x "$VENV/bin/python" ]] || return 1
  "$VENV/bin/python" - "${PINS[@]}" <<'EOF'
import sys
from importlib import metadata
for pin in sys.argv[1:]:
    name, _, want = pin.partition("==")
    try:
        have = metadata.version(name)
    except metadata.PackageNotFoundError:
        sys.exit(1)
    if have != want:
        sys.exit(1)
EOF
}

if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 10))'; then
  echo "helm_check: $("$PYTHON" --version 2>&1) is too old; helm-python-sdk needs Python 3.10+" >&2
  exit 1
fi

if venv_matches; then
  echo "helm_check: reusing $VENV"
else
  echo "helm_check: creating $VENV"
  mkdir -p "$(dirname "$VENV")"
  "$PYTHON" -m venv --clear "$VENV"
  # Wheels only: helm-python-sdk's sdist would try to compile Helm with Go.
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --no-input \
    --only-binary=:all: "${PINS[@]}"
  venv_matches || { echo "helm_check: $VENV does not hold the pinned versions after install" >&2; exit 1; }
fi

exec "$VENV/bin/python" .ci/helm_check.py helm/ticketlens "$@"
