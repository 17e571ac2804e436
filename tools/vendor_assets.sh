#!/usr/bin/env bash
# Re-create book_assets/: the JavaScript and fonts the built book needs, so that it
# works offline and never asks a CDN for anything.
#
# Everything comes from the npm registry through `npm pack`, at pinned versions, and
# only the files the book loads are kept (plus each package's licence). Run it from
# the repository root after changing a version below; commit the result.
#
#   bash tools/vendor_assets.sh
#
# What is kept and why:
#   mathjax/       MathJax 3, the es5 tex-chtml bundle, its woff-v2 fonts and the TeX
#                  extensions that `autoload` fetches on demand (\boldsymbol, \cancel...)
#   requirejs/     require.js, the AMD loader the ipywidgets embed manager needs
#   widgets/       @jupyter-widgets/html-manager's embed-amd.js (renders saved widget
#                  state without a kernel) and the Font Awesome fonts its CSS points at
#   widgets/setup.js and mathjax/ipywidgets-shim are ours, not vendored: see README.md
set -euo pipefail

MATHJAX_VERSION=3.2.2
REQUIREJS_VERSION=2.3.7
HTML_MANAGER_VERSION=1.0.6

root="$(cd "$(dirname "$0")/.." && pwd)"
dest="$root/book_assets"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

echo "npm pack: mathjax@$MATHJAX_VERSION requirejs@$REQUIREJS_VERSION" \
     "@jupyter-widgets/html-manager@$HTML_MANAGER_VERSION"
(
  cd "$work"
  npm pack --silent "mathjax@$MATHJAX_VERSION" "requirejs@$REQUIREJS_VERSION" \
    "@jupyter-widgets/html-manager@$HTML_MANAGER_VERSION" > packed.txt
  for tgz in *.tgz; do
    mkdir "${tgz%.tgz}"
    tar -xzf "$tgz" -C "${tgz%.tgz}"
  done
)
mathjax="$work/mathjax-$MATHJAX_VERSION/package"
requirejs="$work/requirejs-$REQUIREJS_VERSION/package"
manager="$work/jupyter-widgets-html-manager-$HTML_MANAGER_VERSION/package"

# Start from a clean copy of the vendored folders; our own files stay.
rm -rf "$dest/mathjax" "$dest/requirejs" "$dest/widgets/vendor"
mkdir -p "$dest/mathjax/output/chtml/fonts" "$dest/mathjax/input/tex" \
         "$dest/requirejs" "$dest/widgets/vendor"

# MathJax: one combined bundle, the fonts it loads, the extensions autoload may load.
cp "$mathjax/es5/tex-chtml.js" "$dest/mathjax/"
cp -r "$mathjax/es5/output/chtml/fonts/woff-v2" "$dest/mathjax/output/chtml/fonts/"
cp -r "$mathjax/es5/input/tex/extensions" "$dest/mathjax/input/tex/"
rm "$dest/mathjax/input/tex/extensions/all-packages.js"   # 215 kB; autoload never asks
cp "$mathjax/LICENSE" "$dest/mathjax/LICENSE"

# require.js: its MIT licence is the header of the file itself.
cp "$requirejs/require.js" "$dest/requirejs/"
cp "$requirejs/package.json" "$dest/requirejs/package.json"

# html-manager: the AMD bundle and the fonts (woff2 for current browsers, woff as a
# fallback; the eot/ttf/svg copies serve only browsers the book does not support).
cp "$manager/dist/embed-amd.js" "$dest/widgets/vendor/"
cp "$manager/dist/"*.woff2 "$manager/dist/"*.woff "$dest/widgets/vendor/"
cp "$manager/LICENSE" "$dest/widgets/vendor/LICENSE"
cp "$manager/dist/embed.js.LICENSE.txt" "$dest/widgets/vendor/THIRD-PARTY-LICENSES.txt"

{
  echo "# Written by tools/vendor_assets.sh; do not edit by hand."
  echo "mathjax $MATHJAX_VERSION"
  echo "requirejs $REQUIREJS_VERSION"
  echo "@jupyter-widgets/html-manager $HTML_MANAGER_VERSION"
  echo
  echo "# sha256 of every vendored file"
  (cd "$dest" && find mathjax requirejs widgets/vendor -type f | LC_ALL=C sort | xargs sha256sum)
} > "$dest/VERSIONS"

du -sh "$dest"
