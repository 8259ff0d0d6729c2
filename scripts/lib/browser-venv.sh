# Sourced by scripts/test and scripts/bench/booth-js: the Python environment that drives headless
# Chromium — selenium, and axe-core 4.x (the axe-playwright-python wheel ships it; only the
# script is used, so without its dependencies). Made once in .build-browser-venv.
#   browser_venv   → .build-browser-venv/bin/python ready
browser_venv() {
  [ -f .build-browser-venv/.ready ] && return 0
  python3 -m venv .build-browser-venv
  .build-browser-venv/bin/pip install -q selenium
  .build-browser-venv/bin/pip install -q --no-deps axe-playwright-python
  touch .build-browser-venv/.ready
}
