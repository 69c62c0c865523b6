/* The subcommands of build/tlsprobe, one file each (bpftool-style). */
#ifndef TLSPROBE_CMD_H
#define TLSPROBE_CMD_H
int cmd_trace(int argc, char **argv);
int cmd_conform(int argc, char **argv);
int cmd_plan(int argc, char **argv);
int cmd_bench(int argc, char **argv);
int cmd_bench_uprobes(int argc, char **argv);
int cmd_validate(int argc, char **argv);
int cmd_convert(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_loadcheck(int argc, char **argv);
#endif
