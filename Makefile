# crmguard: build, install, test, demo.  See README.md.
PREFIX  ?= /usr/local
SBINDIR ?= $(PREFIX)/sbin
MANDIR  ?= $(PREFIX)/share/man
UNITDIR ?= /lib/systemd/system
SYSCONFDIR ?= /etc

BUILD   := build
CC      ?= cc
CLANG   ?= clang
BPFTOOL ?= bpftool
CFLAGS  ?= -O2 -g
CFLAGS  += -Wall -Wextra -Wno-unused-parameter -std=gnu11 -I$(BUILD) -I.
BPF_ARCH := $(shell uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/')
LIBBPF  := $(shell pkg-config --libs libbpf 2>/dev/null || echo -lbpf -lelf -lz)

# Debian packages that building, running and testing crmguard need.
DEPS := clang llvm bpftool libbpf-dev libelf-dev zlib1g-dev pkg-config make gcc \
	rsyslog sqlite3 python3 procps liburing-dev postgresql passwd \
	qemu-system-x86 busybox-static kmod cpio util-linux

CTL_COMMON := $(addprefix $(BUILD)/,policy.o decide.o record.o utf8.o ctlproto.o pathwalk.o)
DAEMON_OBJS := $(addprefix $(BUILD)/,crmguardd.o commands.o access.o sensor.o watch.o proctab.o logsink.o ctlserver.o) $(CTL_COMMON)
UNIT_TESTS := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(wildcard tests/unit/test_*.c))
HELPERS := $(patsubst tests/helpers/%.c,$(BUILD)/helpers/%,$(wildcard tests/helpers/*.c))

.SECONDARY:
.PHONY: all deps install check demo bench clean
all: $(BUILD)/crmguardd $(BUILD)/ctlx

deps:
	@missing=; for p in $(DEPS); do \
		dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi

$(BUILD)/vmlinux.h:
	@mkdir -p $(BUILD)
	$(BPFTOOL) btf dump file /sys/kernel/btf/vmlinux format c > $@.tmp && mv $@.tmp $@

$(BUILD)/%.bpf.o: ebpf/%.bpf.c ebpf/%.h $(BUILD)/vmlinux.h
	$(CLANG) -g -O2 -target bpf -D__TARGET_ARCH_$(BPF_ARCH) -I$(BUILD) -Iebpf -c $< -o $@

$(BUILD)/%.skel.h: $(BUILD)/%.bpf.o
	$(BPFTOOL) gen skeleton $< > $@.tmp && mv $@.tmp $@

$(BUILD)/sensor.o: $(BUILD)/sensor.skel.h
$(BUILD)/%.o: ctl/%.c $(wildcard ctl/*.h) ebpf/sensor.h
	@mkdir -p $(BUILD)
	$(CC) $(CFLAGS) -c $< -o $@

$(BUILD)/crmguardd: $(DAEMON_OBJS)
	$(CC) $(CFLAGS) -o $@ $^ $(LIBBPF)

$(BUILD)/ctlx: $(BUILD)/ctlx.o $(CTL_COMMON)
	$(CC) $(CFLAGS) -o $@ $^

$(BUILD)/tests/%: tests/unit/%.c $(CTL_COMMON) tests/unit/assert.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Itests/unit -o $@ $< $(CTL_COMMON)

$(BUILD)/helpers/%: tests/helpers/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $< -luring

install: all
	install -D -m 0755 $(BUILD)/crmguardd $(DESTDIR)$(SBINDIR)/crmguardd
	install -D -m 0755 $(BUILD)/ctlx $(DESTDIR)$(SBINDIR)/ctlx
	install -D -m 0644 docs/crmguardd.8 $(DESTDIR)$(MANDIR)/man8/crmguardd.8
	install -D -m 0644 docs/ctlx.8 $(DESTDIR)$(MANDIR)/man8/ctlx.8
	install -D -m 0644 dist/ctlx.bash-completion $(DESTDIR)$(PREFIX)/share/bash-completion/completions/ctlx
	install -D -m 0644 dist/crmguardd.service $(DESTDIR)$(UNITDIR)/crmguardd.service
	sed -i 's|@SBINDIR@|$(SBINDIR)|' $(DESTDIR)$(UNITDIR)/crmguardd.service
	install -d -m 0755 $(DESTDIR)$(SYSCONFDIR)/crmguard/policy.d
	[ -e $(DESTDIR)$(SYSCONFDIR)/crmguard/policy.conf ] || \
		install -m 0600 dist/policy.conf $(DESTDIR)$(SYSCONFDIR)/crmguard/policy.conf

check: deps
	$(MAKE) all $(UNIT_TESTS) $(HELPERS)
	@tests/run $(UNIT_TESTS)

demo: deps all
	@demo/run

bench: deps all $(HELPERS)
	@bench/read-cost

clean:
	rm -rf $(BUILD)

# Unit tests that read records or JSON back share these readers.
$(BUILD)/tests/test_record: tests/unit/recparse.h tests/unit/jsoncheck.h

# libFuzzer targets (clang's libFuzzer, Debian package libclang-rt-14-dev).
# Run one: build/fuzz/fuzz_policy -max_total_time=60 (see tests/fuzz/*.c).
# UBSan findings abort too, so that libFuzzer reports them as crashes.
FUZZ_CFLAGS := -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined -I.
.PHONY: fuzz
fuzz: $(BUILD)/fuzz/fuzz_policy $(BUILD)/fuzz/fuzz_record

$(BUILD)/fuzz/fuzz_policy: tests/fuzz/fuzz_policy.c ctl/policy.c ctl/utf8.c $(wildcard ctl/*.h)
	@mkdir -p $(dir $@)
	$(CLANG) $(FUZZ_CFLAGS) -o $@ tests/fuzz/fuzz_policy.c ctl/policy.c ctl/utf8.c

$(BUILD)/fuzz/fuzz_record: tests/fuzz/fuzz_record.c ctl/record.c ctl/utf8.c ctl/ctlproto.c $(wildcard ctl/*.h) \
		tests/unit/recparse.h tests/unit/jsoncheck.h
	@mkdir -p $(dir $@)
	$(CLANG) $(FUZZ_CFLAGS) -o $@ tests/fuzz/fuzz_record.c ctl/record.c ctl/utf8.c ctl/ctlproto.c

# The BPF LSM backend: ebpf/enforce.bpf.c, loaded by ctl/kbackend_lsm.c.
$(BUILD)/enforce.bpf.o: kmod/uapi/crmguard.h
$(BUILD)/kbackend_lsm.o: $(BUILD)/enforce.skel.h ebpf/enforce.h
# lsmd: crmguardd's part for the BPF LSM backend in the VM scenarios.
$(BUILD)/helpers/lsmd: tests/helpers/lsmd.c $(BUILD)/kbackend_lsm.o $(CTL_COMMON)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $< $(BUILD)/kbackend_lsm.o $(CTL_COMMON) $(LIBBPF)
