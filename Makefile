# cti - full-text search for news and campaign articles.
#
#   make                 build cti-index, cti-search and cti-web into $(O)/
#   make demo            build, index corpus/, search "Lina Khan AND antitrust"
#   make web             build, index corpus/, serve it at http://127.0.0.1:8080/
#   make test            build and run every test (unit + end to end)
#   make SANITIZE=1 test the same suite under ASan + UBSan (in build-san/)
#   make TSAN=1 test-threads  the threaded tests under ThreadSanitizer (build-tsan/)
#   make test-long       the slow reliability tests (crash, concurrency)
#   make valgrind        the unit tests under valgrind (leak check)
#   make fuzz            run each libFuzzer harness for FUZZ_SECONDS
#   make bench           benchmarks beside Xapian's pipeline and SQLite FTS5
#                        (BENCH_PEERS="lucene sphinx" adds Lucene and Sphinx)
#   make install PREFIX=/usr/local
#   make clean
#
# Missing Debian packages are installed (as root) or named (otherwise) by
# scripts/deps.sh, run by the targets deps, deps-test, deps-bench,
# deps-fuzz and deps-valgrind before anything is built or run; reading the
# Makefile (make -n, make help) installs nothing.

O ?= build
PREFIX ?= /usr/local
FUZZ_SECONDS ?= 60

SANFLAGS :=
ifeq ($(SANITIZE),1)
O := build-san
SANFLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all -g
endif
# ThreadSanitizer: its own build (it cannot be combined with ASan), without
# jemalloc (TSan brings its own allocator).
ifeq ($(TSAN),1)
O := build-tsan
SANFLAGS := -fsanitize=thread -fno-omit-frame-pointer -g
NO_JEMALLOC := 1
endif

# Sanitizer settings for every test run (Xapian's own known leaks are listed in tests/lsan.supp).
export LSAN_OPTIONS := suppressions=$(CURDIR)/tests/lsan.supp:print_suppressions=0
export UBSAN_OPTIONS := print_stacktrace=1:halt_on_error=1
# TSan reports go to files (a test may hide a program's exit status or
# stderr); test-threads fails if any was written.  tests/tsan.supp lists
# reports inside libxapian itself.
TSAN_LOG = $(CURDIR)/$(O)/tsan/report
export TSAN_OPTIONS = suppressions=$(CURDIR)/tests/tsan.supp:second_deadlock_stack=1:log_path=$(TSAN_LOG)

CC ?= cc
CXX ?= c++
PKGS := xapian-core zlib libutf8proc jansson libxml-2.0 libmicrohttpd
# pkg-config is asked once, when a recipe first needs the flags: by then
# the deps target has installed what was missing.
PKG_CFLAGS = $(eval PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null))$(PKG_CFLAGS)
# The small C libraries are linked from their static archives (shipped by
# the same Debian -dev packages): a search is a short-lived process, and
# each shared library costs start-up time (about 0.15 ms for three).
PKG_LIBS = $(eval PKG_LIBS := $(shell pkg-config --libs xapian-core zlib 2>/dev/null) \
	-Wl,-Bstatic -lutf8proc -ljansson -lstemmer -lzstd -Wl,-Bdynamic)$(PKG_LIBS)
CMOCKA_LIBS = $(eval CMOCKA_LIBS := $(shell pkg-config --libs cmocka 2>/dev/null))$(CMOCKA_LIBS)
# What only reading inputs needs (web pages, CSV): cti-index and the
# tests link it, cti-search does not.
READ_LIBS = $(eval READ_LIBS := $(shell pkg-config --libs libxml-2.0 2>/dev/null) \
	-Wl,-Bstatic -lcsv -Wl,-Bdynamic)$(READ_LIBS)
# Only cti-web links libmicrohttpd: cti-search starts as fast as before.
MHD_LIBS = $(eval MHD_LIBS := $(shell pkg-config --libs libmicrohttpd 2>/dev/null))$(MHD_LIBS)

OPT ?= -O2
WARN := -Wall -Wextra -Werror
# Warnings the code keeps clean beyond -Wall -Wextra.
CWARN := -Wshadow -Wmissing-prototypes -Wstrict-prototypes -Wwrite-strings
CXXWARN := -Wshadow
CPPFLAGS += -Icore -Ishim -Iindexer -Isearcher -Iweb -D_GNU_SOURCE
CFLAGS += -std=c11 $(OPT) -g $(WARN) $(CWARN) $(SANFLAGS) -MMD -MP $(PKG_CFLAGS)
CXXFLAGS += -std=c++17 $(OPT) -g $(WARN) $(CXXWARN) $(SANFLAGS) -MMD -MP $(PKG_CFLAGS) \
	-fvisibility=hidden
LDFLAGS += $(SANFLAGS)
LDLIBS += $(PKG_LIBS) -lpthread -lm

# cti-index links jemalloc: Xapian's in-memory inverter is allocation-bound
# and jemalloc takes about 15% off indexing CPU.  Not under the sanitizers,
# which bring their own allocator (NO_JEMALLOC=1 leaves it out too).
ifeq ($(SANITIZE)$(NO_JEMALLOC),)
INDEX_LIBS := -ljemalloc
endif

# Library code: everything but the programs' main.c.
LIB_C := $(filter-out %/main.c,$(wildcard core/*.c shim/*.c indexer/*.c searcher/*.c))
LIB_CXX := $(wildcard shim/*.cc)
LIB_OBJ := $(LIB_C:%.c=$(O)/%.o) $(LIB_CXX:%.cc=$(O)/%.o)
LIB := $(O)/libcti.a

# cti-web's own code (the pages, the API, the server) and its built-in
# assets (web/assets/ turned into C arrays by web/embed.sh).
WEB_C := $(filter-out web/main.c,$(wildcard web/*.c))
WEB_ASSETS := $(sort $(wildcard web/assets/*))
WEB_OBJ := $(WEB_C:%.c=$(O)/%.o) $(O)/web/assets.o
WEB_LIB := $(O)/libctiweb.a

PROGS := $(O)/cti-index $(O)/cti-search $(O)/cti-web
# Small measuring programs used by make bench (bench/<name>.c -> $(O)/bench/<name>).
BENCH_PROGS := $(patsubst bench/%.c,$(O)/bench/%,$(wildcard bench/*.c))
TEST_SRC := $(wildcard tests/test_*.c)
TESTS := $(TEST_SRC:tests/%.c=$(O)/tests/%)
E2E := $(sort $(wildcard tests/e2e/t*.sh))
LONG := $(sort $(wildcard tests/long/t*.sh))
# The tests that run the threaded paths (worker threads building
# segments, the merge, copies shared between workers and shards, readers
# during a load, a second writer, the stored texts' dictionary trained
# while workers write and read back by threads sharing a reader, a
# page's hits loaded side by side); make TSAN=1 test-threads runs them.
THREAD_TESTS := $(O)/tests/test_indexer $(O)/tests/test_text
THREAD_E2E := tests/e2e/t20-index-incremental.sh \
	tests/e2e/t28-search-first-load.sh tests/e2e/t33-search-while-indexing.sh \
	tests/e2e/t39-search-jobs.sh \
	tests/e2e/t40-clean.sh tests/e2e/t50-shards-local.sh \
	tests/e2e/t63-second-writer.sh

.PHONY: all demo web test check test-unit test-e2e test-long test-threads valgrind fuzz fuzz-build \
	bench install clean help deps deps-test deps-bench deps-fuzz deps-valgrind
all: $(PROGS)

# The Debian packages each kind of run needs (scripts/deps.sh: one
# dpkg-query when all are there).  Order-only prerequisites: they run
# before the first compile but never make anything out of date.
deps:
	@sh scripts/deps.sh build
# One apt-get at a time under make -j: each kind waits for the build's.
deps-test: | deps
	@sh scripts/deps.sh build test
deps-bench: | deps
	@sh scripts/deps.sh build bench test $(if $(strip $(BENCH_PEERS)),bench-peers)
deps-fuzz: | deps
	@sh scripts/deps.sh build fuzz
deps-valgrind: | deps
	@sh scripts/deps.sh build test valgrind

$(O)/%.o: %.c | deps
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

$(O)/%.o: %.cc | deps
	@mkdir -p $(dir $@)
	$(CXX) $(CPPFLAGS) $(CXXFLAGS) -c -o $@ $<

$(LIB): $(LIB_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

$(WEB_LIB): $(WEB_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

$(O)/web/assets.c: $(WEB_ASSETS) web/embed.sh | deps
	@mkdir -p $(dir $@)
	sh web/embed.sh $(WEB_ASSETS) > $@.tmp && mv $@.tmp $@

$(O)/web/assets.o: $(O)/web/assets.c
	$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

$(O)/cti-web: $(O)/web/main.o $(WEB_LIB) $(LIB)
	$(CXX) $(LDFLAGS) -o $@ $^ $(LDLIBS) $(MHD_LIBS)

$(O)/cti-index: $(O)/indexer/main.o $(LIB)
	$(CXX) $(LDFLAGS) -o $@ $^ $(LDLIBS) $(READ_LIBS) $(INDEX_LIBS)

# cti-search is linked at a fixed address (-no-pie): the static libstemmer's
# tables hold 11,000 pointers that a position-independent program must
# relocate at every start, writing 82 pages (0.27 ms of a 3 ms search).
$(O)/cti-search: $(O)/searcher/main.o $(LIB)
	$(CXX) $(LDFLAGS) -no-pie -o $@ $^ $(LDLIBS)

$(O)/bench/%: $(O)/bench/%.o $(LIB)
	$(CXX) $(LDFLAGS) -o $@ $^ $(LDLIBS) $(READ_LIBS)

$(O)/tests/%: $(O)/tests/%.o $(WEB_LIB) $(LIB)
	$(CXX) $(LDFLAGS) -o $@ $^ $(LDLIBS) $(READ_LIBS) $(MHD_LIBS) $(CMOCKA_LIBS)

# test_alloc makes chosen allocations fail: every malloc, calloc, realloc,
# strdup and strndup of the library (and of the C libraries linked
# statically) goes through its own wrappers.
$(O)/tests/test_alloc: LDFLAGS += -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc \
	-Wl,--wrap=strdup,--wrap=strndup

# The demo: index corpus/ and run the example search.
DEMO_DB ?= $(O)/demo.cti
demo: $(PROGS)
	$(O)/cti-index --db $(DEMO_DB) corpus/
	$(O)/cti-search --db $(DEMO_DB) 'Lina Khan AND antitrust'

# The search page on corpus/ (Ctrl-C stops it; WEB_LISTEN=[HOST:]PORT).
web: $(PROGS)
	$(O)/cti-index --db $(DEMO_DB) corpus/
	$(O)/cti-web --db $(DEMO_DB) $(if $(WEB_LISTEN),--listen $(WEB_LISTEN))

# make test runs the unit tests and the e2e scripts in one pool, as many at
# a time as there are CPUs (tests/run.sh; CTI_TEST_JOBS=1: one by one).
test: $(TESTS) $(PROGS) | deps-test
	@CTI_TEST_DATA=tests/data CTI_BIN=$(O) sh tests/run.sh $(E2E) $(TESTS)
check: test

# The tests need cmocka to build, and xapian-tools and python3 to run.
$(TEST_SRC:%.c=$(O)/%.o): | deps-test

test-unit: $(TESTS) | deps-test
	@CTI_TEST_DATA=tests/data sh tests/run.sh $(TESTS)

test-e2e: $(PROGS) | deps-test
	@CTI_BIN=$(O) sh tests/run.sh $(E2E)

test-long: $(PROGS) | deps-test
	@CTI_BIN=$(O) sh tests/run.sh $(LONG)

test-threads: $(THREAD_TESTS) $(PROGS) | deps-test
	@rm -rf $(dir $(TSAN_LOG)); mkdir -p $(dir $(TSAN_LOG))
	@CTI_TEST_DATA=tests/data CTI_BIN=$(O) sh tests/run.sh $(THREAD_TESTS) $(THREAD_E2E)
	@if ls $(TSAN_LOG).* >/dev/null 2>&1; then cat $(TSAN_LOG).*; \
	  echo "test-threads: ThreadSanitizer reports above ($(dir $(TSAN_LOG)))"; exit 1; fi
	@echo "test-threads: $(words $(THREAD_TESTS) $(THREAD_E2E)) tests, no data race reported"

# Valgrind: every unit test (the property tests on every eighth input:
# CTI_TEST_SAMPLE, see tests/lib/fixture.h), then both programs on hostile
# input and a few queries (cti-index exits 2 there: some inputs fail).  Any memory error or
# definite/indirect leak exits 3 and fails, and only those leaks are shown:
# cti-search leaves without freeing what it still holds, and libstemmer's
# strings are held by pointers past their start ("possibly lost").
# tests/valgrind.supp lists reports inside libxapian itself.
VALGRIND := valgrind -q --error-exitcode=3 --leak-check=full \
	--errors-for-leak-kinds=definite,indirect --show-leak-kinds=definite,indirect \
	--suppressions=tests/valgrind.supp \
	--soname-synonyms=somalloc=*jemalloc*
valgrind: $(TESTS) $(PROGS) | deps-valgrind
	@CTI_TEST_DATA=tests/data CTI_TEST_SAMPLE=8 sh tests/run.sh --with '$(VALGRIND)' $(TESTS)
	@set -e; d=$$(mktemp -d); trap 'rm -rf "$$d"' EXIT; \
	  python3 tests/fuzz/mkhostile.py $$d/h --good 4 --long-mb 0.1; \
	  echo "== valgrind cti-index"; rc=0; \
	  $(VALGRIND) $(O)/cti-index -q --db $$d/db $$d/h/in tests/data/sotu/1790_george_washington_n.txt || rc=$$?; \
	  [ $$rc -eq 0 ] || [ $$rc -eq 2 ] || { echo "valgrind: cti-index exit $$rc"; exit 1; }; \
	  for q in zebracorn 'escmarker OR "vice president"' 'title:article -good001' 'gov* NEAR/5 peace' \
	           '"unclosed' 'nothingmatchesthis'; do \
	    for o in --json --count '--color=always'; do \
	      echo "== valgrind cti-search $$o '$$q'"; rc=0; \
	      $(VALGRIND) $(O)/cti-search --db $$d/db $$o -- "$$q" >/dev/null || rc=$$?; \
	      [ $$rc -le 2 ] || { echo "valgrind: cti-search exit $$rc"; exit 1; }; done; done

# libFuzzer harnesses (tests/fuzz/fuzz_<name>.c): the library is rebuilt with
# clang and coverage instrumentation in build-fuzz/ (clang-only warnings do
# not stop it), each harness links against it.  make fuzz runs each for
# FUZZ_SECONDS on a corpus in build-fuzz/corpus-<name>, seeded from
# tests/fuzz/seeds/<name>/ (and tests/fuzz/<name>.dict when present);
# crashing inputs land in build-fuzz/ as crash-<name>-*: copy them to
# tests/fuzz/seeds/<name>/, where tests/test_regress.c replays them.
FUZZ_SRC := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BIN := $(FUZZ_SRC:tests/fuzz/%.c=build-fuzz/%)
FUZZ_SAN := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer -g
FUZZ_OPTS ?= -timeout=20 -rss_limit_mb=2560 -max_len=65536
fuzz-build: | deps-fuzz
	$(MAKE) O=build-fuzz CC=clang CXX=clang++ OPT=-O1 WARN="-Wall -Wextra" \
	  SANFLAGS="-fsanitize=fuzzer-no-link $(FUZZ_SAN)" build-fuzz/libcti.a
	@set -e; for f in $(FUZZ_SRC); do b=build-fuzz/$$(basename $$f .c); \
	  echo "  FUZZ $$b"; \
	  clang -std=c11 -O1 -Wall -Wextra -Werror $(CWARN) $(CPPFLAGS) $(PKG_CFLAGS) \
	    -fsanitize=fuzzer-no-link $(FUZZ_SAN) -c -o $$b.o $$f; \
	  clang++ -fsanitize=fuzzer $(FUZZ_SAN) -o $$b $$b.o build-fuzz/libcti.a $(LDLIBS) $(READ_LIBS); done
fuzz: fuzz-build
	@set -e; for b in $(FUZZ_BIN); do n=$$(basename $$b); mkdir -p build-fuzz/corpus-$$n; \
	  d=; [ -f tests/fuzz/$$n.dict ] && d=-dict=tests/fuzz/$$n.dict; \
	  echo "== $$n ($(FUZZ_SECONDS)s)"; \
	  $$b -max_total_time=$(FUZZ_SECONDS) $(FUZZ_OPTS) $$d -artifact_prefix=build-fuzz/crash-$$n- \
	    build-fuzz/corpus-$$n tests/fuzz/seeds/$$n; done

bench: $(PROGS) $(BENCH_PROGS) | deps-bench
	O=$(O) sh bench/run.sh

install: $(PROGS)
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 755 $(PROGS) $(DESTDIR)$(PREFIX)/bin/
	install -m 644 man/cti-index.1 man/cti-search.1 man/cti-web.1 \
	  $(DESTDIR)$(PREFIX)/share/man/man1/

clean:
	rm -rf build build-san build-fuzz build-*

help:
	@sed -n '1,/^$$/p' Makefile | sed 's/^# \{0,1\}//'

-include $(shell find $(O) -name '*.d' 2>/dev/null)
