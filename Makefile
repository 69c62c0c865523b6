# tlsprobe. `make` builds build/tlsprobe; `make test` runs the unit tests and
# the conformance matrix; `make conform` prints the reference tracer's scorecard.
BUILD     := build
CC        ?= gcc
CLANG     ?= clang
BPFTOOL   ?= bpftool
CFLAGS    ?= -O2 -g
CFLAGS    += -Wall -Wextra -std=gnu11 -I$(BUILD) -Itracer -Iconformance -Ibench -Ibpf
LDLIBS    := -lbpf -lelf -lz -ljansson -lcapstone -liberty -lm -lcrypto
BPF_CFLAGS := -g -O2 -Wall -target bpf -D__TARGET_ARCH_x86 -I$(BUILD) -Ibpf
DEPS_STAMP := $(BUILD)/.deps

BPF_SRCS  := $(wildcard bpf/*.bpf.c)
BPF_OBJS  := $(patsubst bpf/%.bpf.c,$(BUILD)/bpf/%.bpf.o,$(BPF_SRCS))
LIB_SRCS  := $(filter-out tracer/main.c bench/uprobe_target.c %.bpf.c,$(wildcard tracer/*.c tracer/libs/*.c conformance/*.c conformance/adapters/*.c bench/*.c))
LIB_OBJS  := $(patsubst %.c,$(BUILD)/obj/%.o,$(LIB_SRCS))
TESTS     := $(patsubst tests/%.c,$(BUILD)/tests/%,$(wildcard tests/test_*.c))
CONFORM_ARGS ?=
# The stacks whose manifest says `build host`: their fixture is built here too.
HOST_STACKS := $(shell awk '$$1 == "build" && $$2 == "host" { n = split(FILENAME, p, "/"); print p[n - 1] }' fixtures/*/manifest)

.PHONY: all deps test unit-test conform conform-all bench fixtures images clean fuzz fuzz-build
.PHONY: asan
all: $(BUILD)/tlsprobe $(BUILD)/uprobe-target

# Installs what is missing (Debian packages, tracefs); a no-op when all is there.
$(DEPS_STAMP): scripts/deps.sh
	@mkdir -p $(BUILD)
	scripts/deps.sh
	@touch $@
deps: $(DEPS_STAMP)

$(BUILD)/vmlinux.h: | $(DEPS_STAMP)
	$(BPFTOOL) btf dump file /sys/kernel/btf/vmlinux format c > $@.tmp && mv $@.tmp $@

$(BUILD)/bpf/%.bpf.o: bpf/%.bpf.c bpf/*.h $(BUILD)/vmlinux.h
	@mkdir -p $(@D)
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@

# The per-concern objects are linked into one (their shared maps are __weak).
$(BUILD)/tlsprobe.bpf.o: $(BPF_OBJS)
	$(BPFTOOL) gen object $@.tmp $^ && mv $@.tmp $@

$(BUILD)/tlsprobe.skel.h: $(BUILD)/tlsprobe.bpf.o
	$(BPFTOOL) gen skeleton $< name tlsprobe_bpf > $@.tmp && mv $@.tmp $@

# The bench's own BPF: a ring-buffer filler for timing the consumer.
$(BUILD)/bench/%.bpf.o: bench/%.bpf.c bpf/events.h $(BUILD)/vmlinux.h
	@mkdir -p $(@D)
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(BUILD)/bench_consumer.skel.h: $(BUILD)/bench/consumer.bpf.o
	$(BPFTOOL) gen skeleton $< name bench_consumer_bpf > $@.tmp && mv $@.tmp $@

# bench uprobes: its programs, and the binary it probes (one instruction per site).
$(BUILD)/bench_uprobes.skel.h: $(BUILD)/bench/uprobes.bpf.o
	$(BPFTOOL) gen skeleton $< name bench_uprobes_bpf > $@.tmp && mv $@.tmp $@

$(BUILD)/uprobe-target: bench/uprobe_target.c
	$(CC) $(CFLAGS) $< -o $@

$(BUILD)/obj/%.o: %.c $(BUILD)/tlsprobe.skel.h $(BUILD)/bench_consumer.skel.h $(BUILD)/bench_uprobes.skel.h $(wildcard tracer/*.h tracer/libs/*.h conformance/*.h conformance/adapters/*.h bench/*.h bpf/*.h)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -c $< -o $@

$(BUILD)/libtlsprobe.a: $(LIB_OBJS)
	ar rcs $@ $^

$(BUILD)/tlsprobe: $(BUILD)/obj/tracer/main.o $(BUILD)/libtlsprobe.a
	$(CC) $(CFLAGS) $^ $(LDLIBS) -o $@

$(BUILD)/tests/%: tests/%.c tests/*.h $(BUILD)/libtlsprobe.a
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $< $(BUILD)/libtlsprobe.a $(LDLIBS) -lcmocka -o $@

$(BUILD)/tests/e2e/%: tests/e2e/%.c tests/*.h $(BUILD)/libtlsprobe.a
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $< $(BUILD)/libtlsprobe.a $(LDLIBS) -lcmocka -o $@

# env_errors.sh's LD_PRELOAD shim: a libbpf that says it is 0.8.
$(BUILD)/tests/e2e/old_libbpf.so: tests/e2e/old_libbpf.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -shared -fPIC $< -o $@

# ASan+UBSan build of build/tlsprobe (the tracer and the conformance runner,
# one binary): the same rules with their own objects and skeletons under
# build/asan (CFLAGS from the environment, so the Makefile's += still adds the
# warnings and include paths; the Debian packages are the ones installed here).
ASAN_CFLAGS := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
asan: $(DEPS_STAMP)
	@mkdir -p $(BUILD)/asan
	CFLAGS='$(ASAN_CFLAGS)' $(MAKE) BUILD=$(BUILD)/asan DEPS_STAMP=$(DEPS_STAMP) $(BUILD)/asan/tlsprobe

# make test's sanitized conform run (tests/e2e/asan_conform.sh). A row costs
# ~35 s here whatever its scenarios (its tracer attaches and then removes every
# image layer's probes, ~27 s of kernel grace periods) and a scenario ~1 s, so:
# few rows, one per backend with its own user-space and BPF code (OpenSSL's
# planner; OpenSSL under a custom BIO, the mem-BIO path; NSS's own entry
# program; Go's return-instruction probes and pclntab; rustls's read queue),
# from the host and from containers (image layers), and the scenarios that
# take the most distinct paths: a record, 1 MiB in many records, concurrent
# threads, BIO_f_ssl, HTTP/2. Left out: GnuTLS and BoringSSL (the generic
# entry/return programs openssl@host runs; their planners have unit tests).
# 5 rows, 18 cells: 2 min 49 s measured, plus ~30 s for a cold make asan.
ASAN_FIXTURES := openssl@host,custom-bio@host,nss@bookworm,go@1.24,rustls@tokio
ASAN_SCENARIOS := basic,size-1m,threads,bio,http2

# The fixtures built on the host (each manifest with `build host`, against
# the host's libraries), and the test CA.
fixtures: $(DEPS_STAMP)
	@set -e; for s in $(HOST_STACKS); do \
		$(MAKE) -s -C fixtures/$$s OUT=$(CURDIR)/$(BUILD)/fixtures/$$s; done
	$(MAKE) -s -C fixtures/fault OUT=$(CURDIR)/$(BUILD)/fixtures/fault
	fixtures/ca/make-ca.sh $(BUILD)/ca

# The fixtures' container images, every container variant of every manifest
# (cached by Docker).
images: $(DEPS_STAMP)
	scripts/images.sh

# tests/test_bpf_calls loads the tracer's BPF programs and probes functions of
# its own binary: it needs root and uprobes (it fails otherwise).
unit-test: $(TESTS)
	@set -e; for t in $(TESTS); do echo "== $$t"; $$t; done

conform: all fixtures
	$(BUILD)/tlsprobe conform $(CONFORM_ARGS)

# The full bench (several minutes): reports in build/bench.
BENCH_ARGS ?=
bench: all fixtures
	$(BUILD)/tlsprobe bench $(BENCH_ARGS)

# The whole matrix against the expected results; the fd walk older kernels
# get (forced here: the command inherits TLSPROBE_READY_FILE, so the tracer
# it starts says when it is ready); then end-to-end checks that use the
# matrix's capture and real programs; the bench's smoke run.
# make test's subset, so that a cold run fits in an hour here (with 3 more rows and 2
# more Go toolchains it took 67 min 37 s cold on 2026-12-08; see the README).
# Rows: every stack and every kind of build, 25 of the 39. Left out: Go 1.19 and
# 1.22 (bookworm: the register ABI as 1.24 and 1.27 have it); go@1.24-nocgo/-pie
# and go@1.27-nocgo/-pie (with the register ABI the g is in R14 whatever the
# build; nocgo and pie run with the stack ABI, go@1.15-*); rustls@tokio-thin (the
# tokio build with cargo's default release profile); openssl@bookworm (OpenSSL
# 3.0, as openssl@host). `make conform-all` runs all 39.
TEST_FIXTURES ?= openssl@host,openssl@bullseye,openssl@trixie,openssl-static,boringssl,custom-bio,gnutls,nss,go@1.15,go@1.15-stripped,go@1.15-nocgo,go@1.15-pie,go@1.24,go@1.24-stripped,go@1.27,go@1.27-stripped,rustls@tokio,rustls@blocking,rustls@tokio-stripped
# The Go parser samples make test builds and checks: one per pclntab layout
# (1.2-1.15, 1.18-1.19, 1.20+ with textStart 0 from 1.26); go1.22 and go1.24 have
# 1.27's layout with a textStart (the matrix's go@1.24 rows parse it).
# `make test TEST_FIXTURES=all TEST_GO_TOOLCHAINS=all` runs everything.
TEST_GO_TOOLCHAINS ?= go1.15 go1.19 go1.27.3

# Every row of the matrix against the expected results (what make test runs, and the rest).
conform-all: all fixtures
	$(BUILD)/tlsprobe conform --fixtures all --expect conformance/expected/reference.txt \
		--json $(BUILD)/scorecard.json --junit $(BUILD)/scorecard.xml $(CONFORM_ARGS)

test: unit-test all fixtures asan $(BUILD)/tests/e2e/corrupted_capture $(BUILD)/tests/e2e/old_libbpf.so \
		$(BUILD)/tests/e2e/fault_compare
	$(BUILD)/tlsprobe conform --fixtures $(TEST_FIXTURES) --expect conformance/expected/reference.txt \
		--json $(BUILD)/scorecard.json --junit $(BUILD)/scorecard.xml $(CONFORM_ARGS)
	$(BUILD)/tlsprobe conform --fixtures openssl@host --scenarios basic,threads,smallbuf,bio \
		--workdir $(BUILD)/conform-core-walk --expect conformance/expected/reference.txt \
		--tracer-cmd 'TLSPROBE_FD_WALK=core $(CURDIR)/$(BUILD)/tlsprobe trace --comm tlsfix'
	$(BUILD)/tests/e2e/corrupted_capture $(BUILD)/conform/openssl@host/size-4k
	scripts/boringssl-samples.sh && TLSPROBE_NO_SKIP=1 $(BUILD)/tests/test_boringssl
	export TLSPROBE_GO_TOOLCHAINS='$(TEST_GO_TOOLCHAINS)' && scripts/go-samples.sh \
		$(BUILD)/go-samples && export TLSPROBE_NO_SKIP=1 \
		TLSPROBE_GO_SAMPLES=$(BUILD)/go-samples && $(BUILD)/tests/test_gopclntab && \
		$(BUILD)/tests/test_go
	tests/e2e/manifest_lists.sh
	tests/e2e/validate.sh
	tests/e2e/ecapture_convert.sh
	tests/e2e/expect_catches.sh
	tests/e2e/baseline_gate.sh $(BUILD)/scorecard.json
	tests/e2e/bpftrace_adapter.sh $(BUILD)/scorecard-bpftrace.json
	tests/e2e/report_chromium.sh $(BUILD)/scorecard.json $(BUILD)/scorecard-bpftrace.json
	tests/e2e/curl.sh
	tests/e2e/chroot_curl.sh
	tests/e2e/s_server_www.sh
	tests/e2e/pcapng.sh
	tests/e2e/kill_tracer.sh
	tests/e2e/fault.sh 2
	tests/e2e/containers_attach_once.sh
	tests/e2e/bad_input.sh
	tests/e2e/redact.sh
	tests/e2e/env_errors.sh
	tests/e2e/asan_conform.sh $(ASAN_FIXTURES) $(ASAN_SCENARIOS)
	tests/e2e/bench_smoke.sh
	tests/e2e/bench_uprobes.sh
	$(MAKE) fuzz FUZZ_SECONDS=5 FUZZ_CORPUS=

# libFuzzer targets (tests/fuzz/fuzz_*.c) over every parser of untrusted
# input, built with clang's fuzzer, ASan and UBSan into build/fuzz/. `make
# fuzz` builds them, makes seed corpora from real files (tests/fuzz/seeds.sh),
# replays tests/fuzz/regressions/ and runs each target FUZZ_SECONDS, one after
# the other; a crash fails it (tests/fuzz/run.sh). make test runs each 5 s.
FUZZ_SECONDS ?= 120
# Where each target's corpus grows and is kept between runs; empty: a fresh
# one per run, thrown away (make test).
FUZZ_CORPUS ?= $(BUILD)/fuzz/corpus
FUZZ_CFLAGS := -g -O1 -fno-omit-frame-pointer -fsanitize=address,undefined \
	-fno-sanitize-recover=undefined -Wall -std=gnu11 -I$(BUILD) -Itracer -Iconformance -Ibpf
FUZZ_TARGETS := adapters elf gopclntab procmaps record rustsym x86
FUZZ_BINS := $(patsubst %,$(BUILD)/fuzz/fuzz_%,$(FUZZ_TARGETS))
FUZZ_GO_SRCS := tracer/gopclntab.c tracer/gobuildinfo.c tracer/goimage.c tracer/elfsym.c
FUZZ_SRCS_adapters := conformance/adapters/adapters.c conformance/adapters/bpftrace.c \
	conformance/adapters/ecapture.c conformance/adapters/jsonl.c conformance/matrix_report.c \
	conformance/scorecard.c conformance/machine.c conformance/compare.c conformance/expect.c \
	tracer/record.c tracer/record_write.c tracer/redact.c tracer/base64.c tracer/elfsym.c
FUZZ_SRCS_elf := $(FUZZ_GO_SRCS) tracer/rustsym.c tracer/x86insn.c tracer/planner.c \
	$(wildcard tracer/libs/*.c)
FUZZ_SRCS_gopclntab := $(FUZZ_GO_SRCS)
FUZZ_SRCS_procmaps := tracer/procmaps.c
FUZZ_SRCS_record := conformance/compare.c tracer/record.c tracer/record_write.c tracer/redact.c \
	tracer/base64.c tracer/validate.c
FUZZ_SRCS_rustsym := tracer/rustsym.c tracer/elfsym.c
FUZZ_SRCS_x86 := tracer/x86insn.c tracer/planner.c tracer/elfsym.c
FUZZ_LDLIBS := -lelf -lz -ljansson -lcapstone -liberty -lm -lcrypto

FUZZ_HDRS := $(wildcard tracer/*.h tracer/libs/*.h conformance/*.h conformance/adapters/*.h bpf/*.h)

# Each target compiles its sources itself (instrumented; ~12 s for all at -j2).
.SECONDEXPANSION:
$(BUILD)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $$(FUZZ_SRCS_$$*) $(FUZZ_HDRS) | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(CLANG) $(FUZZ_CFLAGS) -fsanitize=fuzzer $(filter %.c,$^) $(FUZZ_LDLIBS) -o $@

fuzz-build: $(FUZZ_BINS)

fuzz: fuzz-build
	FUZZ_CORPUS='$(FUZZ_CORPUS)' tests/fuzz/run.sh $(BUILD) $(FUZZ_SECONDS) $(FUZZ_TARGETS)

# The target is never harmed: tlsfault's scenarios (longjmp, fork, thread
# exit, signal storm, exec) 100 times each under the tracer, and the tracer
# SIGKILLed at 100 random moments (~8 min); make test runs 2 of each.
.PHONY: test-reliability
test-reliability: all fixtures $(BUILD)/tests/e2e/fault_compare
	tests/e2e/fault.sh 100

# make test-load (not part of make test; minutes): the reference tracer under load,
# 1000 connections open at once, 10 000 exec'd clients in a row, fd numbers reused
# at once (twice: the second time each new connection's first read is served from
# OpenSSL's buffer); each run checked by tlsprobe loadcheck (tests/e2e/load.sh).
LOAD_RUNS ?= conns:1000 churn:10000 reuse:2000 reuse-buffered:2000
.PHONY: test-load
test-load: all fixtures
	$(MAKE) -s -C fixtures/load OUT=$(CURDIR)/$(BUILD)/fixtures/load
	tests/e2e/load.sh $(LOAD_RUNS)

clean:
	rm -rf $(BUILD)
