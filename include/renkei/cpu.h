/* The number of CPUs a command's "one thread per CPU" default should mean. */
#ifndef RENKEI_CPU_H
#define RENKEI_CPU_H

/*
 * The CPUs the calling thread may run on (taskset, a cpuset cgroup, a container), never less
 * than 1. The CPUs online may be more: threads beyond the usable ones only take turns on the
 * same CPUs, each turn a context switch that also costs the others their caches. Falls back to
 * the CPUs online when the affinity set cannot be read (more CPUs than CPU_SETSIZE).
 */
unsigned rk_cpus_usable(void);

#endif
