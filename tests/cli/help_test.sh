#!/usr/bin/env bash
# CLI conventions, for every subcommand (nested ones too): --help exits 0 on stdout with an
# "Examples:" footer and nothing on stderr; a bad option exits 2 with the error on stderr and
# nothing on stdout. Also --version, and a missing command.
# Usage: help_test.sh MAILHARNESS
set -euo pipefail
bin=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0
fail() { echo "help_test: $*" >&2; failures=$((failures + 1)); }

subcommands_of() {  # the names in the "Subcommands:" section of a --help text (continuation
  # lines of a multi-line description are indented further, so only 2-space lines are names)
  awk '/^Subcommands:/ {on = 1; next} on && /^[^ ]/ {on = 0} on && /^  [a-z]/ {print $1}'
}

checked=0
check() {  # check WORDS...: one (sub)command path
  local status=0
  "$bin" "$@" --help >"$tmp/out" 2>"$tmp/err" || status=$?
  [[ $status == 0 ]] || fail "'$*' --help exited $status"
  [[ -s $tmp/err ]] && fail "'$*' --help wrote on stderr: $(cat "$tmp/err")"
  grep -q "^Examples:" "$tmp/out" || fail "'$*' --help has no Examples: footer"
  status=0
  "$bin" "$@" --no-such-option >"$tmp/bad.out" 2>"$tmp/bad.err" || status=$?
  [[ $status == 2 ]] || fail "'$*' --no-such-option exited $status, not 2"
  [[ -s $tmp/bad.out ]] && fail "'$*' --no-such-option wrote on stdout: $(cat "$tmp/bad.out")"
  grep -q "no-such-option" "$tmp/bad.err" || fail "'$*' --no-such-option: no error on stderr"
  checked=$((checked + 1))
  local sub
  for sub in $(subcommands_of <"$tmp/out"); do
    check "$@" "$sub"
  done
}

top=$("$bin" --help)
for sub in $(subcommands_of <<<"$top"); do
  check "$sub"
done
[[ $checked -ge 9 ]] || fail "only $checked subcommands found in --help"

"$bin" --version | grep -Eq '^mailharness [0-9]+\.[0-9]+\.[0-9]+$' || fail "--version"
status=0
"$bin" >"$tmp/none.out" 2>"$tmp/none.err" || status=$?
[[ $status == 2 && ! -s $tmp/none.out ]] || fail "no command: exit $status, stdout $(cat "$tmp/none.out")"

if ((failures > 0)); then
  echo "help_test: $failures failure(s)" >&2
  exit 1
fi
echo "help_test: ok ($checked commands)"
