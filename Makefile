# crmguard: build, install, test, demo.  See README.md.
PREFIX  ?= /usr/local
SBINDIR ?= $(PREFIX)/sbin
MANDIR  ?= $(PREFIX)/share/man
UNITDIR ?= /lib/systemd/system
SYSCONFDIR ?= /etc
# The project's version; its one place is the file VERSION. Not named
# VERSION: given on the command line, that would override the kernel
# Makefile's own VERSION in `make kmod`.
CRMGUARD_VERSION := $(shell cat VERSION)

BUILD   := build
CC      ?= cc
CLANG   ?= clang
BPFTOOL ?= bpftool
CFLAGS  ?= -O2 -g
CFLAGS  += -Wall -Wextra -Wno-unused-parameter -std=gnu11 -I$(BUILD) -I.
BPF_ARCH := $(shell uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/')
LIBBPF  := $(shell pkg-config --libs libbpf 2>/dev/null || echo -lbpf -lelf -lz)
LIBNL   := $(shell pkg-config --libs libnl-genl-3.0 2>/dev/null || echo -lnl-genl-3 -lnl-3)
# OpenSSL's libcrypto: the policy hash in heartbeats (SHA-256).
LIBCRYPTO := $(shell pkg-config --libs libcrypto 2>/dev/null || echo -lcrypto)
CFLAGS  += $(shell pkg-config --cflags libnl-genl-3.0 2>/dev/null || echo -I/usr/include/libnl3)

# Debian packages that building, running and testing crmguard need
# (dwarves: pahole, which Debian's 6.12 headers run to give a module BTF;
# rsyslog-pgsql: the collector's store in tests/host/forward.sh, installed
# without the database of its own dbconfig-common would set up).
DEPS := clang llvm bpftool libbpf-dev libelf-dev zlib1g-dev pkg-config make gcc \
	rsyslog sqlite3 python3 procps liburing-dev postgresql passwd \
	qemu-system-x86 busybox-static kmod cpio util-linux \
	libnl-genl-3-dev libssl-dev xz-utils dkms btrfs-progs libclang-rt-14-dev \
	xvfb xclip xsel weston wl-clipboard \
	debhelper dh-dkms lintian debootstrap systemd-container rsyslog-relp rsyslog-pgsql iproute2 dwarves

# ctl/lib: shared by crmguardd, ctlx, the unit tests and the fuzzers;
# ctl/daemon (and its rooms, one folder deep): crmguardd; ctl/cli: ctlx.
ctl_objs = $(patsubst ctl/%.c,$(BUILD)/ctl/%.o,$(1))
CTL_HEADERS := $(wildcard ctl/*/*.h ctl/*/*/*.h)
CTL_COMMON := $(call ctl_objs,$(wildcard ctl/lib/*.c))
KMOD_CLIENT := $(call ctl_objs,ctl/daemon/enforce/kbackend_kmod.c ctl/daemon/enforce/kmod_msg.c)
DAEMON_OBJS := $(call ctl_objs,$(wildcard ctl/daemon/*.c ctl/daemon/*/*.c)) $(CTL_COMMON)
CLI_OBJS := $(call ctl_objs,$(wildcard ctl/cli/*.c)) $(CTL_COMMON)
UNIT_TESTS := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(wildcard tests/unit/test_*.c))
HELPERS := $(patsubst tests/helpers/%.c,$(BUILD)/helpers/%,$(wildcard tests/helpers/*.c)) \
	   $(patsubst tests/helpers/lib/%.c,$(BUILD)/helpers/%.so,$(wildcard tests/helpers/lib/*.c))

.SECONDARY:
.PHONY: all deps install install-dkms deb deb-fixtures check demo bench bench-vm clean kmod checkpatch
all: $(BUILD)/crmguardd $(BUILD)/ctlx

deps:
	@missing=; for p in $(DEPS); do \
		dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing"; \
		echo 'rsyslog-pgsql rsyslog-pgsql/dbconfig-install boolean false' | debconf-set-selections; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi

$(BUILD)/vmlinux.h:
	@mkdir -p $(BUILD)
	$(BPFTOOL) btf dump file /sys/kernel/btf/vmlinux format c > $@.tmp && mv $@.tmp $@

$(BUILD)/%.bpf.o: ebpf/%.bpf.c ebpf/%.h ebpf/kconst.bpf.h ebpf/loader_env.bpf.h ebpf/inode_dev.bpf.h ebpf/caller.bpf.h ebpf/caller.h ebpf/tracked.bpf.h ebpf/display.bpf.h ebpf/sensor_event.bpf.h ebpf/rules.bpf.h ebpf/injected.bpf.h $(BUILD)/vmlinux.h
	$(CLANG) -g -O2 -target bpf -D__TARGET_ARCH_$(BPF_ARCH) -I$(BUILD) -Iebpf -c $< -o $@

$(BUILD)/%.skel.h: $(BUILD)/%.bpf.o
	$(BPFTOOL) gen skeleton $< > $@.tmp && mv $@.tmp $@

$(BUILD)/ctl/daemon/procs/sensor.o: $(BUILD)/sensor.skel.h
$(BUILD)/ctl/daemon/procs/display_guard.o: $(BUILD)/display_guard.skel.h ebpf/display_guard.h
$(BUILD)/ctl/daemon/enforce/handover.o: $(BUILD)/handover.skel.h ebpf/handover.h
$(BUILD)/ctl/daemon/usb/mounts.o: $(BUILD)/mount.skel.h ebpf/mount.h
$(BUILD)/ctl/daemon/usb/readonly.o: $(BUILD)/usb_ro.skel.h ebpf/usb_ro.h
$(BUILD)/ctl/daemon/taint/clip_lsm.o: $(BUILD)/clip_lsm.skel.h ebpf/clip_lsm.h
$(BUILD)/ctl/daemon/taint/ipc_holders.o: $(BUILD)/holders.skel.h ebpf/holders.h
$(BUILD)/ctl/%.o: ctl/%.c $(CTL_HEADERS) ebpf/sensor.h ebpf/caller.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c $< -o $@

$(BUILD)/crmguardd: $(DAEMON_OBJS)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LIBBPF) $(LIBNL) $(LIBCRYPTO)

$(BUILD)/ctlx: $(CLI_OBJS)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^

$(BUILD)/tests/%: tests/unit/%.c $(CTL_COMMON) tests/unit/assert.h tests/unit/policy_parse.h
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
	install -d -m 0755 $(DESTDIR)$(PREFIX)/share/crmguard/rsyslog
	install -m 0644 dist/rsyslog/* $(DESTDIR)$(PREFIX)/share/crmguard/rsyslog/
	sed -i 's|@SBINDIR@|$(SBINDIR)|' $(DESTDIR)$(UNITDIR)/crmguardd.service
	install -d -m 0755 $(DESTDIR)$(SYSCONFDIR)/crmguard/policy.d
	[ -e $(DESTDIR)$(SYSCONFDIR)/crmguard/policy.conf ] || \
		install -m 0600 dist/policy.conf $(DESTDIR)$(SYSCONFDIR)/crmguard/policy.conf

# crmguard.ko through DKMS: its sources in /usr/src/crmguard-$(CRMGUARD_VERSION),
# built and installed now for the running kernel and by DKMS for every
# kernel installed later (each needs its headers: linux-headers-*). With
# DESTDIR (a package), the sources only: the package runs dkms.
DKMS_SRC := /usr/src/crmguard-$(CRMGUARD_VERSION)
install-dkms:
	rm -rf $(DESTDIR)$(DKMS_SRC)
	install -d -m 0755 $(DESTDIR)$(DKMS_SRC)/uapi
	install -m 0644 kmod/*.c kmod/*.h kmod/Kbuild kmod/Makefile $(DESTDIR)$(DKMS_SRC)/
	install -m 0644 kmod/uapi/crmguard.h $(DESTDIR)$(DKMS_SRC)/uapi/
	sed 's|#MODULE_VERSION#|$(CRMGUARD_VERSION)|g' dist/dkms.conf >$(DESTDIR)$(DKMS_SRC)/dkms.conf
	@if [ -z "$(DESTDIR)" ]; then \
		set -e; \
		if [ -n "$$(dkms status -m crmguard -v $(CRMGUARD_VERSION))" ]; then \
			echo "dkms remove crmguard/$(CRMGUARD_VERSION): the sources are new"; \
			dkms remove -m crmguard -v $(CRMGUARD_VERSION) --all; \
		fi; \
		dkms add -m crmguard -v $(CRMGUARD_VERSION); \
		dkms build -m crmguard -v $(CRMGUARD_VERSION); \
		dkms install -m crmguard -v $(CRMGUARD_VERSION); \
	fi

# The Debian packages, by debhelper (debian/), in $(BUILD)/deb:
# crmguard_VERSION_ARCH.deb and crmguard-dkms_VERSION_all.deb, checked by
# lintian. Built in a copy of the tree: dpkg-buildpackage writes beside it.
DEB_DIR := $(BUILD)/deb
DEB := $(DEB_DIR)/crmguard_$(CRMGUARD_VERSION)_amd64.deb
deb: $(DEB)
$(DEB): $(shell find ctl kmod ebpf debian dist docs -type f 2>/dev/null) Makefile VERSION
	@v=$$(dpkg-parsechangelog -S Version); [ "$$v" = "$(CRMGUARD_VERSION)" ] || \
		{ echo "deb: debian/changelog is at $$v, VERSION at $(CRMGUARD_VERSION): add a changelog entry" >&2; exit 1; }
	rm -rf $(DEB_DIR)/src $(DEB_DIR)/crmguard*_$(CRMGUARD_VERSION)_* && mkdir -p $(DEB_DIR)/src
	tar --exclude=./$(BUILD) --exclude=./.git -cf - . | tar -C $(DEB_DIR)/src -xf -
	cd $(DEB_DIR)/src && dpkg-buildpackage -b -us -uc >../build.log 2>&1 || \
		{ tail -20 ../build.log >&2; echo "deb: dpkg-buildpackage failed: $(DEB_DIR)/build.log" >&2; exit 1; }
	lintian --fail-on error $(DEB_DIR)/crmguard_$(CRMGUARD_VERSION)_*.changes
	rm -rf $(DEB_DIR)/src

# What tests/host/deb.sh installs besides: a previous version's packages
# and a Debian 12 root, both cached in $(BUILD)/deb (the first build takes
# minutes: more than a host test may).
deb-fixtures: deb
	@TOP=$(CURDIR) BUILD=$(CURDIR)/$(BUILD) bash -c '. tests/host/debroot.bash && deb_previous && debroot_make'

check: deps
	$(MAKE) all $(UNIT_TESTS) $(HELPERS) kmod checkpatch fuzz deb-fixtures
	@tests/run $(UNIT_TESTS)

demo: deps all
	@demo/run

bench: deps all $(HELPERS)
	@bench/read-cost

# The backends' cost on Debian's kernel in the VM tier.
bench-vm: deps all kmod $(HELPERS) $(BUILD)/bench/preadloop
	@bench/vm-cost

$(BUILD)/bench/preadloop: bench/preadloop.c
	@mkdir -p $(dir $@)
	$(CC) -O2 -Wall -Wextra -o $@ $<

clean:
	rm -rf $(BUILD)

# Unit tests that read records or JSON back share these readers.
$(BUILD)/tests/test_record: tests/unit/recparse.h tests/unit/jsoncheck.h

# libFuzzer targets (clang's libFuzzer, Debian package libclang-rt-14-dev).
# make check runs each over its corpus for a while (tests/fuzz/run); longer:
# build/fuzz/fuzz_policy -max_total_time=600 tests/fuzz/corpus/fuzz_policy.
# UBSan findings abort too, so that libFuzzer reports them as crashes.
FUZZ_CFLAGS := -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined -I.
.PHONY: fuzz
fuzz: $(BUILD)/fuzz/fuzz_policy $(BUILD)/fuzz/fuzz_record $(BUILD)/fuzz/fuzz_kident $(BUILD)/fuzz/fuzz_uevent \
	$(BUILD)/fuzz/fuzz_kmod_msg

$(BUILD)/fuzz/fuzz_policy: tests/fuzz/fuzz_policy.c ctl/lib/policy.c ctl/lib/policy_taint.c ctl/lib/policy_usb.c \
		ctl/lib/utf8.c ctl/lib/kident.c $(CTL_HEADERS)
	@mkdir -p $(dir $@)
	$(CLANG) $(FUZZ_CFLAGS) -o $@ tests/fuzz/fuzz_policy.c ctl/lib/policy.c ctl/lib/policy_taint.c \
		ctl/lib/policy_usb.c ctl/lib/utf8.c ctl/lib/kident.c

$(BUILD)/fuzz/fuzz_uevent: tests/fuzz/fuzz_uevent.c ctl/lib/usbdev.c ctl/lib/usbdev.h
	@mkdir -p $(dir $@)
	$(CLANG) $(FUZZ_CFLAGS) -o $@ tests/fuzz/fuzz_uevent.c ctl/lib/usbdev.c

# What crmguard.ko sends crmguardd, read with libnl.
$(BUILD)/fuzz/fuzz_kmod_msg: tests/fuzz/fuzz_kmod_msg.c ctl/daemon/enforce/kmod_msg.c ctl/daemon/enforce/kmod_msg.h \
		ctl/daemon/enforce/kbackend.h kmod/uapi/crmguard.h
	@mkdir -p $(dir $@)
	$(CLANG) $(FUZZ_CFLAGS) $(shell pkg-config --cflags libnl-genl-3.0 2>/dev/null || echo -I/usr/include/libnl3) \
		-o $@ tests/fuzz/fuzz_kmod_msg.c ctl/daemon/enforce/kmod_msg.c $(LIBNL)

$(BUILD)/fuzz/fuzz_kident: tests/fuzz/fuzz_kident.c ctl/lib/kident.c ctl/lib/kident.h
	@mkdir -p $(dir $@)
	$(CLANG) $(FUZZ_CFLAGS) -o $@ tests/fuzz/fuzz_kident.c ctl/lib/kident.c

$(BUILD)/fuzz/fuzz_record: tests/fuzz/fuzz_record.c ctl/lib/record.c ctl/lib/utf8.c ctl/lib/ctlproto.c $(CTL_HEADERS) \
		tests/unit/recparse.h tests/unit/jsoncheck.h
	@mkdir -p $(dir $@)
	$(CLANG) $(FUZZ_CFLAGS) -o $@ tests/fuzz/fuzz_record.c ctl/lib/record.c ctl/lib/utf8.c ctl/lib/ctlproto.c

# The Debian kernels the VM tier boots (tests/vm/fetch-kernel names them:
# 6.1, 6.12, 6.1-rt, 6.12-rt), each fetched and unpacked, never installed,
# into $(BUILD)/vm/KERNEL. CRMGUARD_VM_KERNELS="6.12 6.1-rt" picks others.
CRMGUARD_VM_KERNELS ?= 6.1
export CRMGUARD_VM_KERNELS
KMOD_SRC := $(wildcard kmod/*.c kmod/*.h kmod/uapi/*.h) kmod/Kbuild kmod/Makefile VERSION

# crmguard.ko, built in $(BUILD)/kmod/KERNEL against each VM kernel's
# headers, where a warning (the compiler's or modpost's) fails the build;
# or KDIR=... for another kernel, in $(BUILD)/kmod.
ifdef KDIR
kmod: $(BUILD)/kmod/crmguard.ko
$(BUILD)/kmod/crmguard.ko: $(KMOD_SRC)
	@mkdir -p $(BUILD)/kmod
	cp -r kmod/. $(BUILD)/kmod/
	$(MAKE) -C $(BUILD)/kmod KDIR=$(KDIR) CRMGUARD_VERSION=$(CRMGUARD_VERSION)
else
kmod: $(foreach k,$(CRMGUARD_VM_KERNELS),$(BUILD)/kmod/$(k)/crmguard.ko)
endif
$(BUILD)/kmod/%/crmguard.ko: $(KMOD_SRC)
	@rm -rf $(dir $@) && mkdir -p $(dir $@)
	cp -r kmod/. $(dir $@)
	@kver=$$(tests/vm/fetch-kernel $* $(BUILD)/vm/$*) && \
	$(MAKE) -C $(dir $@) KDIR=$(abspath $(BUILD)/vm/$*/root/usr/src)/linux-headers-$$kver \
		CRMGUARD_VERSION=$(CRMGUARD_VERSION) KCFLAGS=-Werror >$(dir $@)build.log 2>&1; \
	rc=$$?; cat $(dir $@)build.log; \
	if [ $$rc -ne 0 ] || grep -qi 'warning' $(dir $@)build.log; then \
		echo "kmod: crmguard.ko for kernel $* ($$kver) failed or warned: $(dir $@)build.log" >&2; \
		rm -f $@; exit 1; \
	fi

# checkpatch.pl is in no Debian package but the kernel source: taken from
# linux-source-X.Y of Debian 12's own kernel, three files of it.
CHECKPATCH := $(BUILD)/checkpatch/checkpatch.pl
checkpatch: $(CHECKPATCH)
	$(CHECKPATCH) --no-tree --strict -q -f kmod/*.c kmod/*.h
	$(CHECKPATCH) --no-tree -q -f kmod/uapi/crmguard.h
$(CHECKPATCH):
	@rm -rf $(dir $@) && mkdir -p $(dir $@)
	src=linux-source-$$(tests/vm/fetch-kernel 6.1 $(BUILD)/vm/6.1 | cut -d. -f1,2) && \
	cd $(dir $@) && { apt-get download -q $$src >/dev/null 2>&1 || \
		{ echo "checkpatch: apt-get download $$src failed (apt-get update?)" >&2; exit 1; }; } && \
	dpkg-deb --fsys-tarfile $$src_*.deb | tar -xO ./usr/src/$$src.tar.xz | xz -dc | \
		tar -x --strip-components=2 $$src/scripts/checkpatch.pl $$src/scripts/spelling.txt \
		$$src/scripts/const_structs.checkpatch && rm $$src_*.deb

# Libraries the tests inject with LD_PRELOAD.
$(BUILD)/helpers/%.so: tests/helpers/lib/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -shared -fPIC -o $@ $<

# The userland side of the module: libnl-genl-3.
$(BUILD)/helpers/kmodctl: tests/helpers/kmodctl.c $(KMOD_CLIENT) $(BUILD)/ctl/lib/kident.o
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $^ $(LIBNL)

$(BUILD)/helpers/genl_fuzz: tests/helpers/genl_fuzz.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $< $(LIBNL)

$(BUILD)/tests/test_kmod_msg: tests/unit/test_kmod_msg.c $(BUILD)/ctl/daemon/enforce/kmod_msg.o tests/unit/assert.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Itests/unit -o $@ $< $(BUILD)/ctl/daemon/enforce/kmod_msg.o $(LIBNL)

# The BPF LSM backend: ebpf/enforce.bpf.c, loaded by ctl/daemon/enforce/kbackend_lsm.c.
$(BUILD)/enforce.bpf.o: kmod/uapi/crmguard.h ebpf/enforce_lock.bpf.h ebpf/clip_lsm.h ebpf/clip_maps.bpf.h
$(BUILD)/clip_lsm.bpf.o: ebpf/clip_maps.bpf.h
$(BUILD)/ctl/daemon/enforce/kbackend_lsm.o: $(BUILD)/enforce.skel.h ebpf/enforce.h

# The sink: records numbered, syslog's drops a gap (a socket of the test's own).
EMIT_OBJS := $(call ctl_objs,ctl/daemon/emit.c ctl/daemon/logsink.c ctl/daemon/ctlserver.c)
$(BUILD)/tests/test_emit: tests/unit/test_emit.c $(EMIT_OBJS) $(CTL_COMMON) tests/unit/assert.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Itests/unit -o $@ $< $(EMIT_OBJS) $(CTL_COMMON)

# crmguardd's USB part, against a made-up sysfs tree: crmguardd but its main.
DAEMON_PARTS := $(filter-out $(BUILD)/ctl/daemon/main.o,$(DAEMON_OBJS))
$(BUILD)/tests/test_usb_auth: tests/unit/test_usb_auth.c $(DAEMON_PARTS) \
		tests/unit/assert.h tests/unit/recparse.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Itests/unit -o $@ $< $(DAEMON_PARTS) $(LIBBPF) $(LIBNL) $(LIBCRYPTO)
