// SPDX-License-Identifier: GPL-2.0
/*
 * The addresses of the kernel variables the fault programs read
 * (faults_layout.h), looked up once by the loader (userspace/trace.c),
 * which runs this BPF_PROG_TYPE_SYSCALL program with BPF_PROG_TEST_RUN
 * before it loads bpf/faults.bpf.c and passes the addresses on as
 * read-only data.
 *
 * bpf_kallsyms_lookup_name() (5.16+) is the kernel's own lookup, and it
 * answers as /proc/kallsyms does: -EPERM where kptr_restrict hides kernel
 * addresses from the caller (kallsyms_show_value()).  Reading the file
 * instead formats every symbol, up to the data symbols wanted: more than
 * a second under TCG; and typeless ksyms would make libbpf read all of it
 * again at load.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "faults_layout.h"

/* Outputs: each address, 0 when the kernel has no such symbol. */
__u64 addr[FAULTS_KSYM_NR];
/* The caller may not see kernel addresses: every lookup said -EPERM. */
bool hidden;

static __always_inline void lookup(int i, const char *name, int size)
{
	__u64 a = 0;
	long err = bpf_kallsyms_lookup_name(name, size, 0, &a);

	if (err == -1)		/* -EPERM */
		hidden = true;
	addr[i] = err ? 0 : a;
}

#define LOOKUP(i, s) ({ static const char n[] = s; lookup(i, n, sizeof(n)); })

SEC("syscall")
int resolve_layout(void *ctx)
{
	LOOKUP(FAULTS_KSYM_PAGE_OFFSET_BASE, "page_offset_base");
	LOOKUP(FAULTS_KSYM_PGDIR_SHIFT, "pgdir_shift");
	LOOKUP(FAULTS_KSYM_PHYSICAL_MASK, "physical_mask");
	LOOKUP(FAULTS_KSYM_ZERO_PFN, "zero_pfn");
	LOOKUP(FAULTS_KSYM_HUGE_ZERO_PFN, "huge_zero_pfn");
	/* a function: whether the _cast fault programs can load */
	LOOKUP(FAULTS_KSYM_RDONLY_CAST, "bpf_rdonly_cast");
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
