#!/usr/bin/env bash
# Renders the lecture's computation graphs in a real browser: headless Chromium (Debian's
# `chromium` package, `apt-get install chromium`; not needed by `cargo test`).
#
#     scripts/render-graphs.sh [OUT_DIR]
#
# Runs `cargo run --example lecture` (which writes lecture-graphs/*.svg), then for every SVG:
# opens it as a document (an XML error would show as a <parsererror>), and loads it as an
# image in one page, which must decode every one to a non-empty size. Last, screenshots the
# neuron's graph and the 2-2-2 network's into OUT_DIR (default lecture-graphs/) for a look
# by eye. Exits non-zero, naming the file, if any SVG fails.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-lecture-graphs}
browser=$(command -v chromium || command -v chromium-browser || true)
if [[ -z "$browser" ]]; then
    echo "needs Chromium: apt-get install chromium" >&2
    exit 2
fi
run() { "$browser" --headless --no-sandbox --disable-gpu --hide-scrollbars "$@" 2>/dev/null; }

cargo run -q --example lecture >/dev/null
mkdir -p "$out"
svgs=(lecture-graphs/*.svg)
failed=0
for svg in "${svgs[@]}"; do
    dom=$(run --dump-dom "file://$PWD/$svg")
    if grep -q parsererror <<<"$dom" || ! grep -q '<svg' <<<"$dom"; then
        echo "FAIL $svg: does not parse as SVG" >&2
        failed=1
    fi
done

# One page loading each SVG as an image: onload records its size, onerror the failure.
page=$(mktemp --suffix=.html)
trap 'rm -f "$page"' EXIT
{
    echo '<!doctype html><html><body><pre id="r"></pre><script>'
    echo 'const files = ['
    for svg in "${svgs[@]}"; do echo "\"file://$PWD/$svg\","; done
    echo '];'
    echo 'const r = document.getElementById("r");'
    echo 'for (const f of files) { const i = new Image();'
    echo '  i.onload = () => { r.textContent += (i.naturalWidth > 0 && i.naturalHeight > 0 ? "OK " : "EMPTY ") + f + "\n"; };'
    echo '  i.onerror = () => { r.textContent += "ERROR " + f + "\n"; };'
    echo '  i.src = f; }'
    echo '</script></body></html>'
} >"$page"
report=$(run --allow-file-access-from-files --virtual-time-budget=10000 --dump-dom "file://$page")
for svg in "${svgs[@]}"; do
    if ! grep -q "OK file://$PWD/$svg" <<<"$report"; then
        echo "FAIL $svg: does not load as an image" >&2
        failed=1
    else
        echo "ok   $svg"
    fi
done

for name in neuron-gates network-backward; do
    size=$(grep -o 'width="[0-9.]*" height="[0-9.]*"' "lecture-graphs/$name.svg" | head -1 | tr -dc '0-9. ' | awk '{printf "%d,%d", $1 + 1, $2 + 1}')
    run --screenshot="$PWD/$out/$name.png" --window-size="$size" "file://$PWD/lecture-graphs/$name.svg"
    echo "screenshot $out/$name.png"
done
exit $failed
