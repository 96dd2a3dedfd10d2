# Cairn build. `make` builds src/cairn-server; `make run` starts it; `make test` runs every test.
# Object files live in build/<flavour>/ so the release and the ASan/UBSan builds never mix.

CC      ?= cc
PYTHON  ?= /usr/bin/python3
WARN    := -Wall -Wextra -Werror=implicit-function-declaration
CSTD    := -std=gnu11
INCS    := -Isrc -Ibuild/gen -I/usr/include/lua5.1 -I/usr/include/liblzf
OPT     ?= -O2 -g
LIBS    := -llzf -llua5.1-cjson -llua5.1-bitop -llua5.1 -lmd -lm -lpthread -ldl

SRCS    := $(wildcard src/*.c)
LIBSRCS := $(filter-out src/main.c,$(SRCS))
GEN_C   := build/gen/commands_table.c
CMD_JSON := $(wildcard commands/*.json)

REL_OBJS  := $(patsubst src/%.c,build/release/%.o,$(LIBSRCS)) build/release/commands_table.o
ASAN_OBJS := $(patsubst src/%.c,build/asan/%.o,$(LIBSRCS)) build/asan/commands_table.o
SAN_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined

UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_REL  := $(patsubst tests/unit/%.c,build/release/tests/%,$(UNIT_SRCS))
UNIT_ASAN := $(patsubst tests/unit/%.c,build/asan/tests/%,$(UNIT_SRCS))

.PHONY: all asan run deps test-deps test test-unit test-integration test-asan clean bench fuzz test-fuzz fuzz-build
all: src/cairn-server

# ---- generated command table ------------------------------------------------
$(GEN_C): $(CMD_JSON) utils/gen_commands.py $(filter-out src/main.c,$(SRCS))
	@mkdir -p build/gen
	$(PYTHON) utils/gen_commands.py --commands commands --src src --out $@

# ---- release build (jemalloc) ----------------------------------------------
build/release/%.o: src/%.c | build/release
	$(CC) $(CSTD) $(WARN) $(OPT) $(INCS) -DUSE_JEMALLOC -MMD -MP -c $< -o $@
build/release/commands_table.o: $(GEN_C) | build/release
	$(CC) $(CSTD) $(WARN) $(OPT) $(INCS) -DUSE_JEMALLOC -MMD -MP -c $< -o $@
build/release/libcairn.a: $(REL_OBJS)
	rm -f $@; ar rcs $@ $^
src/cairn-server: build/release/main.o build/release/libcairn.a
	$(CC) $(OPT) -o $@ $^ -ljemalloc $(LIBS)

# ---- ASan/UBSan build (system malloc) --------------------------------------
build/asan/%.o: src/%.c | build/asan
	$(CC) $(CSTD) $(WARN) -O1 -g $(SAN_FLAGS) $(INCS) -MMD -MP -c $< -o $@
build/asan/commands_table.o: $(GEN_C) | build/asan
	$(CC) $(CSTD) $(WARN) -O1 -g $(SAN_FLAGS) $(INCS) -MMD -MP -c $< -o $@
build/asan/libcairn.a: $(ASAN_OBJS)
	rm -f $@; ar rcs $@ $^
src/cairn-server-asan: build/asan/main.o build/asan/libcairn.a
	$(CC) -O1 -g $(SAN_FLAGS) -o $@ $^ $(LIBS)
asan: src/cairn-server-asan

# ---- unit tests (cmocka), one binary per tests/unit/test_*.c -----------------
build/release/tests/%: tests/unit/%.c build/release/libcairn.a | build/release
	@mkdir -p $(dir $@)
	$(CC) $(CSTD) $(WARN) $(OPT) $(INCS) -DUSE_JEMALLOC -o $@ $< build/release/libcairn.a -lcmocka -ljemalloc $(LIBS)
build/asan/tests/%: tests/unit/%.c build/asan/libcairn.a | build/asan
	@mkdir -p $(dir $@)
	$(CC) $(CSTD) $(WARN) -O1 -g $(SAN_FLAGS) $(INCS) -o $@ $< build/asan/libcairn.a -lcmocka $(LIBS)

build/release build/asan:
	mkdir -p $@

# ---- fuzzing (libFuzzer, clang, ASan/UBSan) -----------------------------------
# `make fuzz` runs fuzz/fuzz_restore for FUZZ_TIME seconds (default 1800) on
# FUZZ_JOBS processes; `make test-fuzz` is the short run of `make test`. The
# corpus starts from every payload of the recorded vectors (utils/fuzz_corpus.py)
# and grows in build/fuzz/corpus; crashes land in build/fuzz/artifacts.
FUZZ_CC   ?= clang
FUZZ_TIME ?= 1800
FUZZ_JOBS ?= 1
FUZZ_SHORT_TIME ?= 30
FUZZ_SAN  := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
FUZZ_OBJS := $(patsubst src/%.c,build/fuzz/%.o,$(LIBSRCS)) build/fuzz/commands_table.o
FUZZ_RUN_OPTS := -max_len=65536 -timeout=10 -rss_limit_mb=2048 -artifact_prefix=build/fuzz/artifacts/
build/fuzz/%.o: src/%.c
	@mkdir -p build/fuzz
	$(FUZZ_CC) $(CSTD) $(WARN) -O1 -g $(FUZZ_SAN) -fsanitize=fuzzer-no-link $(INCS) -MMD -MP -c $< -o $@
build/fuzz/commands_table.o: $(GEN_C)
	@mkdir -p build/fuzz
	$(FUZZ_CC) $(CSTD) $(WARN) -O1 -g $(FUZZ_SAN) -fsanitize=fuzzer-no-link $(INCS) -MMD -MP -c $< -o $@
build/fuzz/libcairn.a: $(FUZZ_OBJS)
	rm -f $@; ar rcs $@ $^
build/fuzz/fuzz_restore: fuzz/fuzz_restore.c build/fuzz/libcairn.a
	$(FUZZ_CC) $(CSTD) $(WARN) -O1 -g $(FUZZ_SAN) -fsanitize=fuzzer $(INCS) -o $@ $< build/fuzz/libcairn.a $(LIBS)
build/fuzz/seeds.stamp: utils/fuzz_corpus.py
	@mkdir -p build/fuzz/corpus build/fuzz/artifacts
	$(PYTHON) utils/fuzz_corpus.py --vectors ../shared/vectors --out build/fuzz/seeds
	touch $@
fuzz-build: test-deps build/fuzz/fuzz_restore build/fuzz/seeds.stamp
fuzz: fuzz-build
	ASAN_OPTIONS=detect_leaks=1 build/fuzz/fuzz_restore $(FUZZ_RUN_OPTS) -max_total_time=$(FUZZ_TIME) \
	  -jobs=$(FUZZ_JOBS) -workers=$(FUZZ_JOBS) -print_final_stats=1 build/fuzz/corpus build/fuzz/seeds
test-fuzz: fuzz-build
	ASAN_OPTIONS=detect_leaks=1 build/fuzz/fuzz_restore $(FUZZ_RUN_OPTS) -max_total_time=$(FUZZ_SHORT_TIME) \
	  -print_final_stats=1 build/fuzz/corpus build/fuzz/seeds

-include $(wildcard build/release/*.d build/asan/*.d build/fuzz/*.d)

# ---- set-up ------------------------------------------------------------------
deps:
	@sh utils/install-deps.sh build
test-deps:
	@sh utils/install-deps.sh test

run: deps
	$(MAKE) all
	./src/cairn-server $(ARGS)

# ---- tests -------------------------------------------------------------------
# `make test`: release build + unit tests + integration suite, then the same
# suites against the ASan/UBSan build.
test: test-deps
	$(MAKE) all asan $(UNIT_REL) $(UNIT_ASAN)
	$(MAKE) test-unit test-integration test-asan test-fuzz

test-unit: $(UNIT_REL)
	@set -e; for t in $(UNIT_REL); do echo "== $$t"; $$t; done

test-integration: src/cairn-server
	$(PYTHON) -m pytest -q -p no:cacheprovider tests/integration

test-asan: src/cairn-server-asan $(UNIT_ASAN)
	@set -e; for t in $(UNIT_ASAN); do echo "== $$t (asan)"; ASAN_OPTIONS=detect_leaks=1 $$t; done
	CAIRN_SERVER=src/cairn-server-asan $(PYTHON) -m pytest -q -p no:cacheprovider tests/integration

bench: all
	$(PYTHON) bench/run.py $(BENCH_ARGS)

clean:
	rm -rf build src/cairn-server src/cairn-server-asan

# ---- FUNCTION RESTORE fuzz target (libFuzzer, clang) -------------------------------
FUZZ_FLAGS := -O1 -g -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
fuzz/fuzz_function_restore: fuzz/fuzz_function_restore.c $(LIBSRCS) $(GEN_C)
	clang $(CSTD) $(FUZZ_FLAGS) $(INCS) -o $@ $< $(LIBSRCS) $(GEN_C) $(LIBS)
fuzz-function-restore: fuzz/fuzz_function_restore
fuzz-function-restore-corpus:
	$(PYTHON) utils/function_restore_corpus.py ../shared/vectors fuzz/corpus_function_restore
.PHONY: fuzz-function-restore fuzz-function-restore-corpus
