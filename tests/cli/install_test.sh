#!/usr/bin/env bash
# Installs the build into a temporary DESTDIR and checks what a user gets: the binary runs one
# bundled case from the installed suites and prints its version, and the man page and the bash
# completion exist and name every subcommand.
# Usage: install_test.sh BUILD_DIR
set -euo pipefail
build=$1
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
fail() { echo "install_test: $*" >&2; exit 1; }

DESTDIR=$root cmake --install "$build" --prefix /usr/local >/dev/null
prefix=$root/usr/local
bin=$prefix/bin/mailharness
[[ -x $bin ]] || fail "no $bin"

version=$("$bin" --version)
[[ $version =~ ^mailharness\ [0-9]+\.[0-9]+\.[0-9]+ ]] || fail "--version printed '$version'"

# The installed binary finds the installed suites (it lists them from its own prefix).
suites=$prefix/share/mailharness/suites
[[ -d $suites/smtp ]] || fail "no suites in $suites"
[[ -f $prefix/share/doc/mailharness/record.md ]] || fail "no docs in share/doc/mailharness"
one_case=$("$bin" list --level MUST --spec RFC5321 | awk 'NR == 1 {print $1}')
[[ -n $one_case ]] || fail "list printed no case"
"$bin" run --case "$one_case" >"$root/run.out" 2>&1 || fail "run --case $one_case: $(cat "$root/run.out")"
grep -q "1 cases against embedded-reference" "$root/run.out" || fail "unexpected run output: $(cat "$root/run.out")"
# The bundled suites are the installed ones, not the source tree's: a suite added to the
# installed folder is listed.
cat >"$suites/installed-marker.yaml" <<'YAML'
suite: installed-marker
protocol: smtp
cases:
  - id: greeting
    steps:
      - expect: 220
YAML
"$bin" list --case 'installed-marker/*' | grep -q "installed-marker/greeting" ||
  fail "the installed binary does not read $suites"

man_page=$prefix/share/man/man1/mailharness.1
completion=$prefix/share/bash-completion/completions/mailharness
[[ -s $man_page ]] || fail "no man page at $man_page"
[[ -s $completion ]] || fail "no bash completion at $completion"

# Every subcommand of `mailharness --help` is in both.
subcommands=$("$bin" --help | awk '/^Subcommands:/ {on = 1; next} on && /^[^ ]/ {on = 0} on && /^  [a-z]/ {print $1}')
[[ -n $subcommands ]] || fail "no subcommands in --help"
for sub in $subcommands; do
  grep -q "^\.SS \"mailharness $sub\"" "$man_page" || fail "man page lacks $sub"
  grep -q "\"$sub\")" "$completion" || fail "completion lacks $sub"
done
# The page renders without troff warnings (man-db, from ci/install-deps).
MANWIDTH=100 man --warnings -l "$man_page" >"$root/man.txt" 2>"$root/man.err" || fail "man -l failed"
[[ ! -s $root/man.err ]] || fail "man page warnings: $(cat "$root/man.err")"
grep -q "mailharness record" "$root/man.txt" || fail "the rendered man page lacks mailharness record"

# The completion completes: "mailharness re" offers record and report, "run --j" offers --jobs.
complete_words() {
  bash -c 'source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _mailharness; echo "${COMPREPLY[*]}"' _ "$completion" "$@"
}
offered=$(complete_words mailharness re)
[[ $offered == *record* && $offered == *report* ]] || fail "'mailharness re' completes to '$offered'"
offered=$(complete_words mailharness run --j)
[[ $offered == *--jobs* ]] || fail "'mailharness run --j' completes to '$offered'"
offered=$(complete_words mailharness report m)
[[ $offered == merge ]] || fail "'mailharness report m' completes to '$offered'"
echo "install_test: ok ($(echo $subcommands | wc -w) subcommands, $one_case passed)"
