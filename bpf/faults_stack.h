/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mmscope faults --stack / --kstack: what bpf/faults.bpf.c appends to a
 * ring-buffer record (struct mmscope_fault, whose layout is unchanged) when
 * stacks are asked for.  Shared by the BPF program and the CLI (trace.c,
 * symbolize.c); not part of the module's ABI.
 */
#ifndef MMSCOPE_FAULTS_STACK_H
#define MMSCOPE_FAULTS_STACK_H

/* Frames kept per stack, each side (the innermost ones). */
#define MMSCOPE_STACK_DEPTH	32

/*
 * The stacks of one fault, right after its struct mmscope_fault in the
 * record.  @ustack_len and @kstack_len are what bpf_get_stack() returned:
 * bytes written (a multiple of 8), or a negative errno when the capture
 * failed; @kstack_len is 0 when the kernel stack was not asked for.
 * @ustack[0] is the faulting instruction (the task's user registers), the
 * rest the return addresses found by following the frame-pointer chain.
 */
struct mmscope_fault_stacks {
	__s32 ustack_len;
	__s32 kstack_len;
	__u64 ustack[MMSCOPE_STACK_DEPTH];
	__u64 kstack[MMSCOPE_STACK_DEPTH];
};

#endif
