/* A socket's addresses, read from the kernel by fd: the syscall hooks
 * (sockets.bpf.c) and the programs that read an fd out of a connection
 * object (gotls.bpf.c) share it. */
#ifndef TLSPROBE_SOCKADDR_BPF_H
#define TLSPROBE_SOCKADDR_BPF_H

#include <bpf/bpf_core_read.h>
#include "events.h"

#define AF_INET 2
#define AF_INET6 10
#define S_IFMT 00170000
#define S_IFSOCK 0140000

/* The current task's file at fd, or NULL. */
static __always_inline struct file *fd_file(long fd)
{
	struct fdtable *fdt = bpf_get_current_task_btf()->files->fdt;
	struct file **fds = fdt->fd, *file = NULL;

	if (fd < 0 || fd >= fdt->max_fds)
		return NULL;
	bpf_probe_read_kernel(&file, sizeof(file), &fds[fd]);
	return file;
}

/* The addresses of the socket file is (family 0: no socket), with CO-RE
 * reads (sockets.bpf.c's fd_syscall reads them with typed loads where
 * bpf_rdonly_cast exists). */
static __always_inline void read_sock_addrs_core(struct file *file, struct sock_addrs *addrs)
{
	struct socket *sock;
	struct sock_common *skc;

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

#endif
