#!/usr/bin/env bash
# Renders the first page of a workbook (the monthly report's rapport_ca.xlsx)
# to PNG through LibreOffice, to look at what Excel users will see: the
# revenue sheet and its chart. Not part of tools/test.sh.
#
#   tools/render_report.sh REPORT.xlsx [OUT.png]    (default docs/images/rapport_ca.png)
#
# Installs libreoffice-calc-nogui and poppler-utils (pdftoppm) with apt-get
# when they are missing (as root). The workbook is printed landscape, one
# page wide (crm_monthly_report sets it so): page 1 is the table's first rows
# with the chart beside them; the PNG is its upper part.
set -euo pipefail
in=${1:?usage: tools/render_report.sh REPORT.xlsx [OUT.png]}
out=${2:-docs/images/rapport_ca.png}
if ! command -v soffice >/dev/null || ! command -v pdftoppm >/dev/null; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends libreoffice-calc-nogui poppler-utils >/dev/null
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp "$in" "$work/report.xlsx"
# A profile of its own: a desktop session's LibreOffice is never disturbed.
timeout 300 soffice -env:UserInstallation="file://$work/profile" --headless --norestore \
  --convert-to pdf --outdir "$work" "$work/report.xlsx" >/dev/null 2>&1
[ -s "$work/report.pdf" ] || { echo "render_report: LibreOffice made no PDF" >&2; exit 1; }
mkdir -p "$(dirname "$out")"
pdftoppm -png -r 110 -f 1 -l 1 -x 60 -y 70 -W 1080 -H 440 -singlefile "$work/report.pdf" "${out%.png}"
echo "$out: $(stat -c %s "$out") bytes"
