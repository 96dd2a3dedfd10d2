#!/bin/sh
# Source coverage of the RESTORE decoder reached by a fuzz corpus.
# Builds fuzz/fuzz_restore with clang's coverage instrumentation (no
# sanitizers) in build/fuzzcov/, replays every input of the given corpus
# directories once (-runs=0), and prints llvm-cov's line/branch report for the
# codec modules.  usage: utils/fuzz_coverage.sh [corpus dir ...]
# (default: build/fuzz/corpus build/fuzz/seeds)
set -e
CC=${FUZZ_CC:-clang}
OUT=build/fuzzcov
mkdir -p "$OUT/obj"
FLAGS="-std=gnu11 -O1 -g -fprofile-instr-generate -fcoverage-mapping -Isrc -Ibuild/gen -I/usr/include/lua5.1 -I/usr/include/liblzf"
objs=""
for f in src/*.c build/gen/commands_table.c; do
  case "$f" in src/main.c) continue ;; esac
  o="$OUT/obj/$(basename "$f" .c).o"
  [ "$o" -nt "$f" ] || $CC $FLAGS -fsanitize=fuzzer-no-link -c "$f" -o "$o"
  objs="$objs $o"
done
$CC $FLAGS -fsanitize=fuzzer -o "$OUT/fuzz_restore" fuzz/fuzz_restore.c $objs -llzf -llua5.1-cjson -llua5.1-bitop -llua5.1 -lmd -lm -lpthread -ldl
[ $# -gt 0 ] || set -- build/fuzz/corpus build/fuzz/seeds
rm -f "$OUT"/*.profraw
LLVM_PROFILE_FILE="$OUT/run.profraw" "$OUT/fuzz_restore" -runs=0 -max_len=65536 "$@" >/dev/null 2>&1
llvm-profdata merge -sparse "$OUT/run.profraw" -o "$OUT/run.profdata"
llvm-cov report "$OUT/fuzz_restore" -instr-profile="$OUT/run.profdata" \
  src/rdb.c src/rdb_legacy.c src/rdb_list.c src/rio.c src/ziplist.c src/zipmap.c src/listpack.c src/intset.c
