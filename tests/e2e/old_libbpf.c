/* LD_PRELOAD shim for tests/e2e/env_errors.sh: libbpf says it is 0.8, as an
 * old distribution's would, so the tracer's version check can be seen to
 * refuse it. Only the version is faked; nothing else of libbpf changes. */
#include <bpf/libbpf.h>

__u32 libbpf_major_version(void)
{
	return 0;
}

__u32 libbpf_minor_version(void)
{
	return 8;
}
