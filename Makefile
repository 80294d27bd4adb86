# SPDX-License-Identifier: GPL-2.0
#
# mmscope top-level Makefile.  `make` builds the module, the BPF object and
# the CLI; `make check` runs every test in the VM matrix; `make demo` shows it.

# Kernel to build the module against (`make module`): KDIR, else the running
# kernel's headers when they are installed, else Debian's 6.12 headers
# unpacked under build/ (scripts/kernel.sh; nothing is installed on the host).
KDIR ?= $(wildcard /lib/modules/$(shell uname -r)/build)
# BTF used to generate vmlinux.h for the CO-RE BPF object (CO-RE makes the
# object kernel independent): Debian 6.12's vmlinux from its headers package,
# unpacked by scripts/kernel.sh, so that every build host generates the same
# header.  BTF=/sys/kernel/btf/vmlinux uses the running kernel's instead.
BTF ?=

CC ?= gcc
CLANG ?= clang
BPFTOOL ?= bpftool
HELP2MAN ?= help2man
# CFLAGS, CPPFLAGS and LDFLAGS are the user's (`make CFLAGS=-O0`,
# dpkg-buildflags); the flags the code needs are added separately.
CFLAGS ?= -O2 -g
MMSCOPE_CFLAGS := -Wall -Wextra -Wno-unused-parameter -std=gnu11 -D_GNU_SOURCE \
	  -Imodule/uapi -Iuserspace -Ibuild/bpf -Ibuild/report
# libdw (elfutils, symbolization) before libelf, then what both need.
LDLIBS_STATIC := -static -lbpf -ldw -lelf -lbz2 -llzma -lz -lzstd -lpthread

BUILD := build
USER_SRCS := $(wildcard userspace/*.c userspace/labs/*.c)
USER_HDRS := $(wildcard userspace/*.h userspace/labs/*.h) module/uapi/mmscope.h \
	bpf/faults_stack.h
BPF_SRCS := $(wildcard bpf/*.bpf.c)
BPF_SKELS := $(patsubst bpf/%.bpf.c,$(BUILD)/bpf/%.skel.h,$(BPF_SRCS)) \
	$(BUILD)/bpf/faults_nokfunc.skel.h

.PHONY: all build deps module userspace bpf man selftests check demo vm bench bench-debug \
	soak check-debug style clean unit deb check-deb mutants

# deps first, then a new make: under -j nothing is built before deps has
# installed the compilers and libraries.
all: deps
	$(MAKE) build

build: module userspace

deps:
	@scripts/deps.sh build

module: deps
	$(MAKE) -C $(or $(KDIR),$$(scripts/kernel.sh kdir 6.12)) M=$(CURDIR) W=$(W) modules

# ---- BPF: vmlinux.h from BTF at build time, object, skeleton ----
$(BUILD)/bpf/vmlinux.h:
	@mkdir -p $(@D)
	$(BPFTOOL) btf dump file $(or $(BTF),$$(scripts/kernel.sh btf 6.12)) \
		format c > $@.tmp && mv $@.tmp $@

$(BUILD)/bpf/%.bpf.o: bpf/%.bpf.c $(wildcard bpf/*.h) module/uapi/mmscope.h \
		$(BUILD)/bpf/vmlinux.h
	$(CLANG) -O2 -g -target bpf -D__TARGET_ARCH_x86 -I$(BUILD)/bpf -Ibpf \
		-Imodule/uapi -c $< -o $@

$(BUILD)/bpf/%.skel.h: $(BUILD)/bpf/%.bpf.o
	$(BPFTOOL) gen skeleton $< > $@.tmp && mv $@.tmp $@

# The fault programs again without the kfunc bpf_rdonly_cast (their _ld
# programs then walk with helper calls): libbpf 1.1 looks for a kfunc the
# kernel's BTF lacks (6.1) in the modules' BTF, which needs CAP_SYS_ADMIN,
# so the object that names it cannot load there without that capability.
# Same maps, programs and data: the one skeleton opens either object
# (userspace/trace.c), and the build stops if their layouts differ.
$(BUILD)/bpf/faults_nokfunc.bpf.o: bpf/faults.bpf.c $(wildcard bpf/*.h) \
		module/uapi/mmscope.h $(BUILD)/bpf/vmlinux.h
	$(CLANG) -O2 -g -target bpf -D__TARGET_ARCH_x86 -DMMSCOPE_NO_KFUNC \
		-I$(BUILD)/bpf -Ibpf -Imodule/uapi -c $< -o $@

$(BUILD)/bpf/faults_nokfunc.skel.h: $(BUILD)/bpf/faults_nokfunc.bpf.o \
		$(BUILD)/bpf/faults.skel.h
	$(BPFTOOL) gen skeleton $< > $@.tmp
	sed -n '/^struct faults_bpf {/,/^};/p' $(BUILD)/bpf/faults.skel.h > $@.a
	sed -n 's/faults_nokfunc_bpf/faults_bpf/g; /^struct faults_bpf {/,/^};/p' \
		$@.tmp > $@.b
	@test -s $@.a && cmp -s $@.a $@.b || { echo "faults_nokfunc: the skeleton's layout differs from faults'" >&2; \
		diff $@.a $@.b >&2; exit 1; }
	rm -f $@.a $@.b
	mv $@.tmp $@

bpf: $(BPF_SKELS)

# ---- the CLI: one static binary carrying the BPF object ----
# The report's script and style (userspace/report/), as C strings (od, sed).
REPORT_ASSETS := userspace/report/report.css userspace/report/report.js
$(BUILD)/report/report_assets.h: $(REPORT_ASSETS)
	@mkdir -p $(@D)
	{ for f in $^; do \
		echo "static const char $$(basename $$f | tr . _)[] = {"; \
		od -An -v -tx1 $$f | sed 's/ \([0-9a-f][0-9a-f]\)/0x\1,/g'; \
		echo "0 };"; \
	done; } > $@.tmp && mv $@.tmp $@

userspace/mmscope: $(USER_SRCS) $(USER_HDRS) $(BPF_SKELS) $(BUILD)/report/report_assets.h
	$(CC) $(MMSCOPE_CFLAGS) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ \
		$(USER_SRCS) $(LDLIBS_STATIC)

userspace: userspace/mmscope

# ---- the man page, mmscope(8), generated from the CLI's --help ----
MAN_VERSION ?= $(shell sed -n '1s/.*(\(.*\)).*/\1/p' debian/changelog 2>/dev/null)
$(BUILD)/man/mmscope.8: userspace/mmscope docs/mmscope.h2m
	@mkdir -p $(@D)
	$(HELP2MAN) --no-info --section=8 --no-discard-stderr \
		--name="inspect Linux memory management live" \
		--include=docs/mmscope.h2m \
		--version-string="$(MAN_VERSION)" ./userspace/mmscope > $@.tmp
	mv $@.tmp $@

man: $(BUILD)/man/mmscope.8

# ---- Debian packages (debian/): mmscope-dkms and mmscope in build/deb/ ----
deb:
	@scripts/deps.sh deb
	@scripts/mkdeb.sh

# Installs the .debs on this machine, checks DKMS and the VM smoke test with
# the DKMS-built module, purges them (scripts/check-deb.sh).
check-deb:
	@scripts/check-deb.sh

# ---- tests ----
selftests: userspace
	$(MAKE) -C selftests

unit: userspace
	$(MAKE) -C selftests unit

# VM runs (scripts/vm.sh, scripts/check.sh).  KERNEL=6.1|6.12|6.12-rt and
# PAGING=4|5 pick one combination: `make check` runs the matrix of
# scripts/check.sh unless KERNEL / PAGING narrow it; `make vm`/`demo`/
# `bench`/`soak` boot KERNEL (6.12) with PAGING (5).  ARGS goes to the guest
# (`make check ARGS=vma` runs one test; `make soak ARGS=30` for 30 minutes).
# Serial logs: build/logs/<kernel>-<paging>-<mode>.log.
export KERNEL PAGING KERNELS PAGINGS ARGS

check:
	@scripts/check.sh

demo:
	@scripts/deps.sh demo
	@scripts/vm.sh --mode demo

vm:
	@scripts/deps.sh vm
	@scripts/vm.sh --mode shell

# The dense page-table benchmark maps 4 GiB: the bench VM gets 6 GiB.
bench:
	@scripts/deps.sh vm
	@scripts/vm.sh --mode bench --mem $${VM_MEM:-6G}

soak:
	@scripts/deps.sh vm
	@scripts/vm.sh --mode soak

check-debug:
	@scripts/check-debug.sh

# The guest benches on the check-debug kernel (it has the kernel's ptdump
# to compare `mmscope kernel` with): make bench-debug ARGS=kernel.
bench-debug:
	@MODE=bench scripts/check-debug.sh

# Deliberate bugs (scripts/mutants.txt), one at a time on a copy of the tree
# against the tests that must see each: all must be killed.  Not part of
# `make check`.  MUTANTS="name ..." runs some of them.
mutants:
	@scripts/mutants.sh $(MUTANTS)

style:
	@scripts/style.sh

clean:
	rm -rf $(BUILD) userspace/mmscope
	-$(MAKE) -C selftests clean
