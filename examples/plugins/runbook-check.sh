#!/bin/sh
# An idp-tui plugin (see docs/plugins.md): the entity arrives as one line of JSON on stdin;
# the answer is one signal as JSON on stdout. This one checks that the entity links a runbook
# (annotation `example.com/runbook-url`). No jq needed: idp-tui writes compact JSON.
input=$(cat)
entity=$(printf '%s' "$input" | sed -n 's/.*"entity":"\([^"]*\)".*/\1/p')
url=$(printf '%s' "$input" | sed -n 's/.*"example\.com\/runbook-url":"\([^"]*\)".*/\1/p')
if [ -n "$url" ]; then
  printf '{"severity":"ok","headline":"runbook linked","items":[{"title":"runbook","detail":"","url":"%s"}]}\n' "$url"
else
  printf '{"severity":"warn","headline":"no runbook link for %s","items":[]}\n' "$entity"
fi
