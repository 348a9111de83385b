#!/usr/bin/env bash
# The README's test command: installs what the tests need on a fresh machine, then runs every test.
#   - Jupyter (nbconvert + the classic notebook) from Debian's packages when missing, to execute the notebooks;
#   - Chromium and the Liberation fonts (metric-compatible with Helvetica/Arial, the figures' font) from Debian's
#     packages when missing, for the static export of figures (SVG, PDF, PNG);
#   - the npm packages (npm ci, which also builds dist/ through `prepare`);
#   - the tslab TypeScript kernel, registered with Jupyter;
#   - then the vitest suite.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
command -v jupyter >/dev/null 2>&1 && jupyter nbconvert --version >/dev/null 2>&1 || missing+=(jupyter-notebook jupyter-nbconvert python3-ipykernel)
command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ] || missing+=(chromium)
{ command -v fc-list >/dev/null 2>&1 && fc-list : family | grep -i "Liberation Sans" >/dev/null; } || missing+=(fonts-liberation)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing from Debian: ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "warning: ${missing[*]} missing and cannot be installed here (needs root and apt-get); notebook and figure-export tests will fail" >&2
  fi
fi

npm ci --no-audit --no-fund
if command -v jupyter >/dev/null 2>&1; then
  # Debian's Jupyter runs on /usr/bin/python3, which may not be the python3 first on PATH.
  py=/usr/bin/python3
  { [ -x "$py" ] && "$py" -c "import jupyter_client" 2>/dev/null; } || py="$(command -v python3)"
  npx tslab install --python="$py" --binary="$PWD/node_modules/.bin/tslab" >/dev/null
fi
npx vitest run
