// SPDX-License-Identifier: GPL-2.0
/* fd correlation without struct offsets: the read/write-family syscalls a
 * thread makes inside a TLS call name the call's fd. An app may write other
 * fds meanwhile (curl -v logs to stderr from inside SSL_write, through its own
 * BIO), so the first INET/INET6 socket wins; another fd is only a fallback.
 * Socket addresses are read from the kernel's socket at that moment (CO-RE). */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include "calls.bpf.h"

#define AF_INET 2
#define AF_INET6 10
#define S_IFMT 00170000
#define S_IFSOCK 0140000

static void read_sock_addrs(int fd, struct sock_addrs *addrs)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct file **fds = BPF_CORE_READ(task, files, fdt, fd);
	unsigned int max_fds = BPF_CORE_READ(task, files, fdt, max_fds);
	struct file *file = NULL;
	struct socket *sock;
	struct sock_common *skc;

	if (fd < 0 || (unsigned int)fd >= max_fds)
		return;
	bpf_probe_read_kernel(&file, sizeof(file), &fds[fd]);
	if (!file)
		return;
	if ((BPF_CORE_READ(file, f_inode, i_mode) & S_IFMT) != S_IFSOCK)
		return;
	sock = BPF_CORE_READ(file, private_data);
	skc = (struct sock_common *)BPF_CORE_READ(sock, sk);
	if (!skc)
		return;
	addrs->family = BPF_CORE_READ(skc, skc_family);
	addrs->lport = BPF_CORE_READ(skc, skc_num);
	addrs->rport = __builtin_bswap16(BPF_CORE_READ(skc, skc_dport));
	/* (BPF_CORE_READ_INTO would copy sizeof(*laddr), one byte.) */
	if (addrs->family == AF_INET) {
		bpf_core_read(addrs->laddr, 4, &skc->skc_rcv_saddr);
		bpf_core_read(addrs->raddr, 4, &skc->skc_daddr);
	} else if (addrs->family == AF_INET6) {
		bpf_core_read(addrs->laddr, 16, &skc->skc_v6_rcv_saddr);
		bpf_core_read(addrs->raddr, 16, &skc->skc_v6_daddr);
	}
}

static int note_syscall_fd(long fd)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct active_call *call = bpf_map_lookup_elem(&active_calls, &tid);
	struct sock_addrs addrs = {};

	if (!call || call->fd >= 0)
		return 0;
	read_sock_addrs(fd, &addrs);
	if (addrs.family == AF_INET || addrs.family == AF_INET6) {
		call->fd = fd;
		call->addrs = addrs;
	} else if (call->other_fd < 0) {
		call->other_fd = fd;
	}
	return 0;
}

/* args[0] is the fd for every syscall below. */
#define FD_SYSCALL(name)                                               \
	SEC("tp/syscalls/sys_enter_" #name)                            \
	int sys_enter_##name(struct trace_event_raw_sys_enter *ctx)    \
	{                                                              \
		return note_syscall_fd(ctx->args[0]);                  \
	}

FD_SYSCALL(write)
FD_SYSCALL(read)
FD_SYSCALL(sendto)
FD_SYSCALL(recvfrom)
FD_SYSCALL(writev)
FD_SYSCALL(readv)
FD_SYSCALL(sendmsg)
FD_SYSCALL(recvmsg)

char LICENSE[] SEC("license") = "GPL";
