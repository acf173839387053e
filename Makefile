# recoverlab — plain GNU make + pkg-config.
#   make            build build/recoverlab (installs missing Debian packages first)
#   make test       unit tests + sanitizer unit tests + e2e tests (see tests/run_all.sh)
#   make unit       build and run the unit test binary
#   make san        ASan+UBSan build of the unit tests, run
#   make fuzz-smoke libFuzzer targets, a short run each
#   make models     regenerate src/wire/models/ from the installed botocore models
#   make layers     check the #include edges between layers (tools/check_layers.py)
#   make benches    build the benchmark binaries (bench/alarms) without running them

# A fresh machine: install the missing Debian build packages while parsing, before the
# pkg-config calls below are expanded (scripts/deps.sh --check-build is silent and fast).
ifeq ($(filter clean format format-check,$(MAKECMDGOALS)),)
ifneq ($(shell scripts/deps.sh --check-build && echo ok),ok)
$(info make: installing the build dependencies (scripts/deps.sh --build))
$(if $(shell scripts/deps.sh --build >&2 && echo ok),,$(error scripts/deps.sh --build failed))
endif
endif

PKGS    := libmicrohttpd jansson yaml-0.1 libcbor sqlite3 libcrypto libcurl libxml-2.0 libpcre2-8
B       ?= build
CC      ?= cc
WERROR  ?= -Werror
OPT     ?= -O2
CFLAGS  := -std=c17 -D_GNU_SOURCE $(OPT) -g -Wall -Wextra -Wshadow -Wstrict-prototypes \
           -Wmissing-prototypes -Wvla -Wformat=2 -Wno-format-nonliteral -Wno-unused-parameter \
           -Werror=implicit-function-declaration $(WERROR) -Isrc -Itests \
           $(shell pkg-config --cflags $(PKGS) 2>/dev/null) -MMD -MP $(EXTRA_CFLAGS)
LDLIBS  := $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lm
LDFLAGS += $(EXTRA_LDFLAGS)
ifeq ($(SAN),1)
B       := build-san
CFLAGS  += -O1 -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
LDFLAGS += -fsanitize=address,undefined
endif

LIB_SRC  := $(shell find src -name '*.c' ! -name main.c | sort)
LIB_OBJ  := $(LIB_SRC:%.c=$(B)/%.o)
TEST_SRC := tests/harness.c $(sort $(wildcard tests/unit/*.c))
TEST_OBJ := $(TEST_SRC:%.c=$(B)/%.o)

.PHONY: all deps test unit san e2e fuzz fuzz-smoke models bench benches layers clean format \
        format-check
all: deps $(B)/recoverlab

deps:
	@scripts/deps.sh --check-build || scripts/deps.sh --build

$(B)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c $< -o $@

# Objects are linked directly, not through the archive: handlers are weak symbols (svc.h)
# and a weak reference would not pull a member out of an archive.
$(B)/recoverlab: $(B)/src/main.o $(LIB_OBJ)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(B)/unit: $(TEST_OBJ) $(LIB_OBJ)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# The alarm engine benchmark links the library objects (bench/alarms/run.sh runs it).
$(B)/bench_alarms: bench/alarms/bench_alarms.c $(LIB_OBJ)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

benches: deps $(B)/bench_alarms

layers:
	python3 tools/check_layers.py

unit: deps $(B)/unit
	$(B)/unit

san:
	$(MAKE) SAN=1 build-san/unit
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 build-san/unit

test: all
	tests/run_all.sh

e2e: all
	tests/e2e/run.sh

FUZZ_SRC := $(sort $(wildcard fuzz/fuzz_*.c))
FUZZ_BIN := $(FUZZ_SRC:fuzz/%.c=build-fuzz/%)
# The library is compiled once for all fuzz targets (coverage + sanitizers, no libFuzzer main);
# each target links it with its own entry point.
FUZZ_CC     := clang-14
FUZZ_CFLAGS := -std=c17 -D_GNU_SOURCE -g -O1 -Isrc $(shell pkg-config --cflags $(PKGS) 2>/dev/null) -MMD -MP
FUZZ_OBJ    := $(LIB_SRC:%.c=build-fuzz/obj/%.o)
build-fuzz/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link,address,undefined -c $< -o $@
build-fuzz/%: fuzz/%.c $(FUZZ_OBJ)
	@mkdir -p build-fuzz
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer,address,undefined -o $@ $< $(FUZZ_OBJ) $(LDLIBS)
fuzz: $(FUZZ_BIN)
fuzz-smoke: $(FUZZ_BIN)
	fuzz/smoke.sh $(FUZZ_BIN)

models:
	python3 tools/gen_models.py

bench: all
	bench/run.sh

format:
	clang-format -i $(shell find src tests fuzz -name '*.[ch]')
format-check:
	clang-format --dry-run --Werror $(shell find src tests fuzz -name '*.[ch]' ! -path 'src/wire/models/*')

clean:
	rm -rf build build-san build-fuzz

-include $(LIB_OBJ:.o=.d) $(TEST_OBJ:.o=.d) $(B)/src/main.d $(FUZZ_OBJ:.o=.d)
