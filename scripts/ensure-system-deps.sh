#!/usr/bin/env bash
# Install the system packages grader needs, when missing and when we may (root + apt-get).
# Otherwise say exactly what to install and fail, so `make run` / `make test` never half-work.
set -euo pipefail

need=()
python3 -c 'import venv, ensurepip' 2>/dev/null || need+=(python3-venv)
if ! command -v tesseract >/dev/null 2>&1; then
  need+=(tesseract-ocr tesseract-ocr-ind)
elif ! tesseract --list-langs 2>/dev/null | grep -qx ind; then
  need+=(tesseract-ocr-ind)
fi
if [ "${GRADER_BROWSER_TESTS:-auto}" != "0" ] && ! command -v chromium >/dev/null 2>&1; then
  need+=(chromium)   # only for the real-browser test; optional outside CI
fi
[ ${#need[@]} -eq 0 ] && exit 0

if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing system packages: ${need[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  exit 0
fi

required=()
for p in "${need[@]}"; do [ "$p" = chromium ] || required+=("$p"); done
if [ ${#required[@]} -eq 0 ]; then
  echo "Note: chromium is not installed; the real-browser test will be skipped. Install with: sudo apt-get install chromium" >&2
  exit 0
fi
echo "Missing system packages: ${required[*]}" >&2
echo "Install them with:  sudo apt-get install ${required[*]}" >&2
exit 1
